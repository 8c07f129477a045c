{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- Win rate and sales cycle by close month and segment (spec §6.6), reporting currency at the
    close month's rate: won / (won + lost) by amount and by count (NULL when nothing closed),
    and the average and median days from creation to close of won deals. -#}
with closed as (
    select
        cast({{ date_trunc('month', 'o.close_date') }} as date) as close_month,
        coalesce(o.segment, 'Unknown') as segment,
        o.is_won,
        o.days_to_close,
        {{ to_reporting('o.amount', 'fx.rate_to_reporting', 'o.currency', date_trunc('month', 'o.close_date')) }} as amount
    from {{ ref('dim_opportunity') }} as o
    left join {{ ref('int_fx_rates_month') }} as fx
      on fx.currency = o.currency and fx.date_month = {{ date_trunc('month', 'o.close_date') }}
    where o.is_closed and o.close_date <= {{ as_of_date() }}
)
select
    close_month,
    segment,
    {{ reporting_currency() }} as reporting_currency,
    count(*) filter (where is_won) as won_count,
    count(*) filter (where not is_won) as lost_count,
    coalesce(sum(amount) filter (where is_won), 0) as won_amount,
    coalesce(sum(amount) filter (where not is_won), 0) as lost_amount,
    cast(coalesce(sum(amount) filter (where is_won), 0) as double) / nullif(sum(amount), 0) as win_rate_amount,
    cast(count(*) filter (where is_won) as double) / nullif(count(*), 0) as win_rate_count,
    avg(days_to_close) filter (where is_won) as avg_days_to_close,
    median(days_to_close) filter (where is_won) as median_days_to_close
from closed
group by close_month, segment
