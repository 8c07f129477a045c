{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']) and var('targets_source', none) is not none, tags=['pipeline']) }}
{#- Pipeline coverage against targets (spec §6.5), as of as_of_date. Targets come from the
    table named by var targets_source ([source, table]) with columns period_start, period_end
    (exclusive), segment (empty: every segment) and target_amount (reporting currency).
    For each target period: closed-won bookings with close_date in it; forecastable and open
    pipeline closing in it (open as of as_of_date); coverage_ratio = forecastable pipeline /
    target; weighted_coverage_ratio uses probability-weighted pipeline; remaining_coverage =
    open pipeline / (target - closed won), NULL when the target is already met. -#}
{%- set t = var('targets_source', ['finance', 'sales_targets']) %}
with targets as (
    select
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        nullif(trim(cast(segment as varchar)), '') as segment,
        {{ money('target_amount') }} as target_amount
    from {{ source(t[0], t[1]) }}
),
open_now as (
    select * from {{ ref('fct_pipeline_snapshot') }}
    where snapshot_date = {{ as_of_date() }}
),
won as (
    select
        o.close_date, o.segment,
        {{ to_reporting('o.amount', 'fx.rate_to_reporting', 'o.currency', date_trunc('month', 'o.close_date')) }} as amount
    from {{ ref('dim_opportunity') }} as o
    left join {{ ref('int_fx_rates_month') }} as fx
      on fx.currency = o.currency and fx.date_month = {{ date_trunc('month', 'o.close_date') }}
    where o.is_won and o.close_date <= {{ as_of_date() }}
),
measured as (
    select
        t.period_start,
        t.period_end,
        coalesce(t.segment, 'All') as segment,
        t.target_amount,
        (select coalesce(sum(w.amount), 0) from won as w
          where w.close_date >= t.period_start and w.close_date < t.period_end
            and (t.segment is null or w.segment = t.segment)) as closed_won_amount,
        (select coalesce(sum(p.amount_reporting), 0) from open_now as p
          where p.close_date >= t.period_start and p.close_date < t.period_end
            and (t.segment is null or p.segment = t.segment)) as open_pipeline,
        (select coalesce(sum(p.amount_reporting), 0) from open_now as p
          where p.is_forecastable and p.close_date >= t.period_start and p.close_date < t.period_end
            and (t.segment is null or p.segment = t.segment)) as forecastable_pipeline,
        (select coalesce(sum(p.weighted_amount_reporting), 0) from open_now as p
          where p.is_forecastable and p.close_date >= t.period_start and p.close_date < t.period_end
            and (t.segment is null or p.segment = t.segment)) as weighted_pipeline
    from targets as t
)
select
    period_start,
    period_end,
    segment,
    {{ reporting_currency() }} as reporting_currency,
    {{ as_of_date() }} as as_of_date,
    target_amount,
    closed_won_amount,
    open_pipeline,
    forecastable_pipeline,
    weighted_pipeline,
    cast(forecastable_pipeline as double) / nullif(target_amount, 0) as coverage_ratio,
    cast(weighted_pipeline as double) / nullif(target_amount, 0) as weighted_coverage_ratio,
    case when target_amount > closed_won_amount
         then cast(open_pipeline as double) / (target_amount - closed_won_amount) end as remaining_coverage,
    cast(closed_won_amount as double) / nullif(target_amount, 0) as attainment
from measured
