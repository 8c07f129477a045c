{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- Open pipeline as of each month's last day (and as_of_date for its month), rebuilt from the
    opportunity history (spec §6.3): an opportunity is in the snapshot of day D when it was
    created by the end of D and its latest history row by the end of D is not a closed stage.
    Amount, stage, probability, forecast category and close date are the values as of D. An
    opportunity without history rows can only be placed at as_of_date, with its current values. is_forecastable excludes the
    Omitted forecast category (open_pipeline vs forecastable_pipeline). Amounts in the
    reporting currency use the rate of D's month. -#}
with opps as (
    select * from {{ ref('dim_opportunity') }}
),
stages as (
    select * from {{ ref('stg_crm__opportunity_stages') }}
),
dates as (
    select
        cast(date_month as date) as snapshot_month,
        least(cast({{ dateadd('day', -1, dateadd('month', 1, 'date_month')) }} as date), {{ as_of_date() }}) as snapshot_date
    from {{ month_spine(date_trunc('month', "(select min(cast(created_at as date)) from opps)"), dateadd('month', 1, as_of_month())) }} as s
),
history as (
    select h.opportunity_id, h.created_at, h.history_id, h.stage_name, h.amount, h.close_date,
           h.probability, h.forecast_category,
           lead(h.created_at) over (partition by h.opportunity_id order by h.created_at, h.history_id) as valid_to
    from {{ ref('stg_crm__opportunity_history') }} as h
),
has_history as (
    select distinct opportunity_id from history
),
-- the history row in force at the end of each snapshot day
as_of_rows as (
    select d.snapshot_date, d.snapshot_month, h.*
    from dates as d
    join history as h
      on h.created_at < {{ dateadd('day', 1, 'd.snapshot_date') }}
     and (h.valid_to is null or h.valid_to >= {{ dateadd('day', 1, 'd.snapshot_date') }})
),
states as (
    select
        r.snapshot_date, r.snapshot_month, r.opportunity_id, r.stage_name, r.amount, r.close_date,
        coalesce(r.probability, s.probability) as probability,
        coalesce(nullif(r.forecast_category, ''), s.forecast_category) as forecast_category,
        coalesce(s.is_closed, false) as is_closed
    from as_of_rows as r
    left join stages as s on s.stage_name = r.stage_name
    union all
    select
        d.snapshot_date, d.snapshot_month, o.opportunity_id, o.stage_name, o.amount, o.close_date,
        o.probability, o.forecast_category, o.is_closed
    from dates as d
    join opps as o on o.created_at < {{ dateadd('day', 1, 'd.snapshot_date') }}
    where o.opportunity_id not in (select opportunity_id from has_history)
      and d.snapshot_date = {{ as_of_date() }}
)
select
    st.snapshot_date,
    st.opportunity_id,
    o.account_id,
    o.owner_id,
    o.segment,
    o.booking_type,
    st.stage_name,
    st.forecast_category,
    coalesce(lower(st.forecast_category), '') <> 'omitted' as is_forecastable,
    st.amount,
    o.currency,
    {{ to_reporting('st.amount', 'fx.rate_to_reporting', 'o.currency', 'st.snapshot_month') }} as amount_reporting,
    st.probability,
    {{ to_reporting('st.amount * st.probability / 100', 'fx.rate_to_reporting', 'o.currency', 'st.snapshot_month') }} as weighted_amount_reporting,
    st.close_date,
    st.close_date < st.snapshot_date as is_past_close_date,
    {{ datediff('day', 'cast(o.created_at as date)', 'st.snapshot_date') }} as days_open
from states as st
join opps as o on o.opportunity_id = st.opportunity_id
left join {{ ref('int_fx_rates_month') }} as fx on fx.currency = o.currency and fx.date_month = st.snapshot_month
where not st.is_closed
  and o.created_at < {{ dateadd('day', 1, 'st.snapshot_date') }}
