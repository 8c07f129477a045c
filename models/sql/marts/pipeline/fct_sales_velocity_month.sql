{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- Sales velocity per month (revops-kpis.md): open opportunities at the month's snapshot ×
    average won deal size × win rate (by count) / average sales cycle in days, the last three
    over deals closed in the trailing 12 months (var velocity_window_months). Reporting
    currency. -#}
{%- set window = var('velocity_window_months', 12) | int %}
with open_pipe as (
    select
        cast({{ date_trunc('month', 'snapshot_date') }} as date) as date_month,
        count(*) as open_opportunities,
        coalesce(sum(amount_reporting), 0) as open_pipeline,
        coalesce(sum(weighted_amount_reporting), 0) as weighted_pipeline
    from {{ ref('fct_pipeline_snapshot') }}
    group by 1
),
closed as (
    select
        close_month,
        sum(won_count) as won_count,
        sum(lost_count) as lost_count,
        sum(won_amount) as won_amount,
        sum(avg_days_to_close * won_count) as won_days
    from {{ ref('fct_win_rate_month') }}
    group by close_month
),
trailing_window as (
    select
        p.date_month,
        sum(c.won_count) as won_count,
        sum(c.lost_count) as lost_count,
        sum(c.won_amount) as won_amount,
        sum(c.won_days) as won_days
    from open_pipe as p
    left join closed as c
      on c.close_month <= p.date_month and c.close_month > {{ dateadd('month', -window, 'p.date_month') }}
    group by p.date_month
)
select
    p.date_month,
    {{ reporting_currency() }} as reporting_currency,
    p.open_opportunities,
    p.open_pipeline,
    p.weighted_pipeline,
    cast(t.won_amount as double) / nullif(t.won_count, 0) as avg_deal_size,
    cast(t.won_count as double) / nullif(t.won_count + t.lost_count, 0) as win_rate,
    cast(t.won_days as double) / nullif(t.won_count, 0) as avg_cycle_days,
    p.open_opportunities * (cast(t.won_amount as double) / nullif(t.won_count, 0))
        * (cast(t.won_count as double) / nullif(t.won_count + t.lost_count, 0))
        / nullif(cast(t.won_days as double) / nullif(t.won_count, 0), 0) as sales_velocity_per_day
from open_pipe as p
join trailing_window as t on t.date_month = p.date_month
