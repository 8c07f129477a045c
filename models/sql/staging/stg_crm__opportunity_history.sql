{{ config(enabled=crm_enabled(['opportunity_history']), tags=['staging', 'crm', 'pipeline']) }}
{#- Opportunity history: one row per change of stage, amount, probability or close date, with
    the values after the change (Salesforce OpportunityHistory semantics). -#}
{%- if crm_system() == 'files' %}
select
    cast(id as varchar) as history_id,
    cast(opportunity_id as varchar) as opportunity_id,
    stage_name,
    {{ money('amount') }} as amount,
    cast(close_date as date) as close_date,
    cast(null as double) as probability,
    cast(null as varchar) as forecast_category,
    cast(created_at as timestamp) as created_at,
    'files' as source_system
from {{ crm_source('opportunity_history') }}
{%- elif crm_system() == 'salesforce' %}
select
    id as history_id, opportunity_id, stage_name, {{ money('amount') }} as amount, close_date,
    cast(probability as double) as probability, forecast_category, created_date as created_at,
    'salesforce' as source_system
from {{ crm_source('opportunity_history') }}
where not coalesce(is_deleted, false)
{%- elif crm_system() == 'hubspot' %}
{#- One row per change of a deal's stage (deal_stage_history), and, when the project extracts
    deal_property_history, one per instant at which its amount or close date changed with no
    stage change; each carries the stage, amount and close date as they stood at that instant:
    for each property the value of its last change at or before it; before a property's first
    recorded change, its first recorded value (HubSpot records the value a deal is created with
    at its creation, and an old history may be cut short); a property with no recorded history
    (or no deal_property_history table) takes the deal's current value. A cleared amount or
    close date is null from that change on. -#}
{%- set has_props = source_exists(var('crm_source', 'crm'), 'deal_property_history') %}
with deals as (
    select id, pipeline, amount, closedate
    from {{ crm_source('opportunities') }}
    where not coalesce(archived, false)
),
stages as (
    select deal_id, changed_at, stage from {{ crm_source('opportunity_history') }}
),
{%- if has_props %}
changes as (
    select deal_id, property, changed_at, value
    from {{ source(var('crm_source', 'crm'), 'deal_property_history') }}
    where property in ('amount', 'closedate')
),
{%- endif %}
events as (
    select deal_id, changed_at, stage from stages
    {%- if has_props %}
    union all
    select distinct c.deal_id, c.changed_at, cast(null as varchar) as stage
    from changes as c
    where not exists (select 1 from stages as s where s.deal_id = c.deal_id and s.changed_at = c.changed_at)
    {%- endif %}
),
{#- The stage at each instant: its own for a stage change, else the last at or before it (of
    changes sharing an instant, the greatest stage id), else the first. -#}
stage_at as (
    select deal_id, changed_at, max(stage) as stage from stages group by deal_id, changed_at
),
first_stage as (
    select deal_id, arg_min(stage, changed_at) as stage from stage_at group by deal_id
),
timeline as (
    select e.deal_id, e.changed_at, coalesce(e.stage, sa.stage, fs.stage) as stage
    from events as e
    asof left join stage_at as sa on sa.deal_id = e.deal_id and e.changed_at >= sa.changed_at
    left join first_stage as fs on fs.deal_id = e.deal_id
),
{%- if has_props %}
{#- A property's value text as of each instant: has (it has a history), and its value then. -#}
amount_changes as (select deal_id, changed_at, value from changes where property = 'amount'),
close_changes as (select deal_id, changed_at, value from changes where property = 'closedate'),
firsts as (
    select deal_id, property, arg_min({'v': value}, changed_at).v as value
    from changes group by deal_id, property
),
valued as (
    select
        t.*,
        fa.deal_id is not null as has_amount,
        case when a.deal_id is not null then a.value else fa.value end as amount_text,
        fc.deal_id is not null as has_close,
        case when c.deal_id is not null then c.value else fc.value end as close_text
    from timeline as t
    asof left join amount_changes as a on a.deal_id = t.deal_id and t.changed_at >= a.changed_at
    asof left join close_changes as c on c.deal_id = t.deal_id and t.changed_at >= c.changed_at
    left join firsts as fa on fa.deal_id = t.deal_id and fa.property = 'amount'
    left join firsts as fc on fc.deal_id = t.deal_id and fc.property = 'closedate'
)
{%- else %}
valued as (
    select t.*, false as has_amount, cast(null as varchar) as amount_text,
        false as has_close, cast(null as varchar) as close_text
    from timeline as t
)
{%- endif %}
select
    h.deal_id || '-' || cast(epoch_ms(h.changed_at) as varchar) || '-' || h.stage as history_id,
    h.deal_id as opportunity_id,
    coalesce(s.stage_label, h.stage) as stage_name,
    case when h.has_amount
         then {{ money("coalesce(try_cast(nullif(trim(h.amount_text), '') as decimal(18, 2)), cast(cast(nullif(trim(h.amount_text), '') as double) as decimal(18, 2)))") }}
         else {{ money('d.amount') }} end as amount,
    case when not h.has_close then cast(d.closedate as date)
         when nullif(trim(h.close_text), '') is null then cast(null as date)
         when regexp_full_match(trim(h.close_text), '-?[0-9]+') then cast(epoch_ms(cast(trim(h.close_text) as bigint)) as date)
         else cast(cast(trim(h.close_text) as timestamptz) as date) end as close_date,
    100 * s.probability as probability,
    case when s.is_closed and s.probability >= 1 then 'Closed' when s.is_closed then 'Omitted' else 'Pipeline' end as forecast_category,
    h.changed_at as created_at,
    'hubspot' as source_system
from valued as h
join deals as d on d.id = h.deal_id
left join {{ source(var('crm_source', 'crm'), 'deal_pipeline_stages') }} as s
  on s.pipeline_id = d.pipeline and s.stage_id = h.stage
{#- a deal with no stage history has no rows, as before (the snapshots place it with its
    current values) #}
where h.stage is not null
{%- endif %}
