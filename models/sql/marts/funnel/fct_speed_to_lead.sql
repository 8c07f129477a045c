{{ config(materialized='table', enabled=crm_enabled(['leads']), tags=['funnel']) }}
{#- One row per lead: the first sales activity at or after the lead's creation, the minutes
    between them (speed to lead), and whether it met the routing SLA of var lead_sla_minutes
    (default 5). A lead not yet touched is within_sla = false once the SLA has passed by
    as_of_date's end, NULL before. -#}
{%- set sla = var('lead_sla_minutes', 5) %}
with leads as (
    select * from {{ ref('stg_crm__leads') }}
    where created_at < {{ dateadd('day', 1, as_of_date()) }}
),
first_touch as (
    select l.lead_id, min(a.activity_at) as first_activity_at
    from leads as l
    join {{ ref('stg_crm__activities') }} as a
      on a.lead_id = l.lead_id and a.activity_at >= l.created_at
     and a.activity_at < {{ dateadd('day', 1, as_of_date()) }}
    group by l.lead_id
)
select
    l.lead_id,
    l.lead_source,
    l.created_at,
    cast({{ date_trunc('week', 'l.created_at') }} as date) as created_week,
    f.first_activity_at,
    {{ datediff('second', 'l.created_at', 'f.first_activity_at') }} / 60.0 as minutes_to_first_touch,
    {{ sla }} as sla_minutes,
    case
        when f.first_activity_at is not null
            then {{ datediff('second', 'l.created_at', 'f.first_activity_at') }} <= {{ sla }} * 60
        when {{ dateadd('minute', sla, 'l.created_at') }} < {{ dateadd('day', 1, as_of_date()) }} then false
    end as within_sla
from leads as l
left join first_touch as f on f.lead_id = l.lead_id
