{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- One row per open opportunity per day (spec §6.2, after Fivetran's daily history), from the
    first day of as_of_date's fiscal quarter (var fiscal_year_start_month) to as_of_date, or,
    with var opportunity_snapshot_days, for that many days up to and including as_of_date. The
    state of day D is the opportunity's latest history row by the end of D (valid_from <= D <
    valid_to, so of several changes on one day the last wins): stage, amount, close date,
    probability and forecast category as they stood then, and the days in that stage since the
    stage visit began. An opportunity is open on D when it was created by the end of D and that
    state is not a closed stage. As in fct_pipeline_snapshot, an opportunity without history
    rows is only placed at as_of_date, with its current values (its stage counted from its
    creation). Amounts in the reporting currency use the rate of D's month. -#}
{%- set days = var('opportunity_snapshot_days', none) %}
{%- if days is none %}
{%- set first_day = fiscal_quarter_start(as_of_date()) %}
{%- else %}
{%- set days = days | int %}
{%- if days < 1 %}
{{ exceptions.raise_compiler_error("var opportunity_snapshot_days must be 1 or more, not " ~ days) }}
{%- endif %}
{%- set first_day = "cast(" ~ dateadd('day', 1 - days, as_of_date()) ~ " as date)" %}
{%- endif %}
with opps as (
    select * from {{ ref('dim_opportunity') }}
),
stages as (
    select * from {{ ref('stg_crm__opportunity_stages') }}
),
days as (
    select cast(date_day as date) as snapshot_date
    from {{ date_spine('day', first_day, dateadd('day', 1, as_of_date())) }} as s
),
ordered as (
    select
        h.*,
        lag(h.stage_name) over (partition by h.opportunity_id order by h.created_at, h.history_id) as previous_stage,
        lead(h.created_at) over (partition by h.opportunity_id order by h.created_at, h.history_id) as valid_to
    from {{ ref('stg_crm__opportunity_history') }} as h
),
-- each history row with the start of its stage visit, as the days it is the day's last row:
-- [valid_from_day, valid_to_day)
history as (
    select
        o.*,
        max(case when o.previous_stage is null or o.previous_stage <> o.stage_name then o.created_at end) over (
            partition by o.opportunity_id order by o.created_at, o.history_id rows between unbounded preceding and current row
        ) as stage_entered_at,
        cast(o.created_at as date) as valid_from_day,
        coalesce(cast(o.valid_to as date), cast('9999-12-31' as date)) as valid_to_day
    from ordered as o
),
-- the open states in force on some day of the window (closed ones never make a row), and
-- those of opportunities without history, at as_of_date only
open_states as (
    select
        h.opportunity_id, h.history_id, h.stage_name, h.stage_entered_at, h.amount, h.close_date,
        coalesce(h.probability, s.probability) as probability,
        coalesce(nullif(h.forecast_category, ''), s.forecast_category) as forecast_category,
        case when h.valid_from_day < cast(o.created_at as date) then cast(o.created_at as date)
             else h.valid_from_day end as valid_from_day,
        h.valid_to_day,
        o.account_id, o.owner_id, o.segment, o.booking_type, o.currency, o.created_at
    from history as h
    join opps as o on o.opportunity_id = h.opportunity_id
    left join stages as s on s.stage_name = h.stage_name
    where h.valid_to_day > {{ first_day }}
      and h.valid_from_day <= {{ as_of_date() }}
      and not coalesce(s.is_closed, false)
    union all
    select
        o.opportunity_id, cast(null as varchar), o.stage_name, o.created_at, o.amount, o.close_date,
        o.probability, o.forecast_category, {{ as_of_date() }}, cast({{ dateadd('day', 1, as_of_date()) }} as date),
        o.account_id, o.owner_id, o.segment, o.booking_type, o.currency, o.created_at
    from opps as o
    where not o.is_closed
      and o.opportunity_id not in (select opportunity_id from history)
),
states as (
    select d.snapshot_date, cast({{ date_trunc('month', 'd.snapshot_date') }} as date) as snapshot_month, h.*
    from open_states as h
    join days as d on d.snapshot_date >= h.valid_from_day and d.snapshot_date < h.valid_to_day
)
select
    st.snapshot_date,
    st.opportunity_id,
    st.account_id,
    st.owner_id,
    st.segment,
    st.booking_type,
    st.stage_name,
    st.stage_entered_at,
    {{ datediff('day', 'cast(st.stage_entered_at as date)', 'st.snapshot_date') }} as days_in_stage,
    st.forecast_category,
    coalesce(lower(st.forecast_category), '') <> 'omitted' as is_forecastable,
    st.amount,
    st.currency,
    {{ to_reporting('st.amount', 'fx.rate_to_reporting', 'st.currency', 'st.snapshot_month') }} as amount_reporting,
    st.probability,
    {{ to_reporting('st.amount * st.probability / 100', 'fx.rate_to_reporting', 'st.currency', 'st.snapshot_month') }} as weighted_amount_reporting,
    st.close_date,
    st.close_date < st.snapshot_date as is_past_close_date,
    {{ datediff('day', 'cast(st.created_at as date)', 'st.snapshot_date') }} as days_open,
    st.history_id
from states as st
left join {{ ref('int_fx_rates_month') }} as fx on fx.currency = st.currency and fx.date_month = st.snapshot_month
