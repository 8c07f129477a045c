{{ config(enabled=marketing_enabled(['activities']), tags=['staging', 'marketing', 'funnel']) }}
{#- The marketing automation system's activity log, one row per activity: lead_id (the marketing
    lead, stg_marketing__leads), activity_type (the system's name for it), activity_at (UTC),
    detail (its primary value: the page, form, program, score or revenue stage) and is_mql, true
    for the lifecycle change that made the lead marketing-qualified.
    Marketo: the activities stream without the activities of deleted leads (Marketo deletes a
    person's activities with the person); is_mql from lead_lifecycle (false when it is not
    extracted). HubSpot keeps no activity log the connector reads: each lifecycle stage a
    contact reached is one 'Change Lifecycle Stage' activity at its date-entered property. -#}
{%- if marketing_system() == 'marketo' %}
select
    a.marketo_guid as activity_id,
    cast(a.lead_id as varchar) as lead_id,
    coalesce(a.activity_type_name, cast(a.activity_type_id as varchar)) as activity_type,
    cast(a.activity_date as timestamp) as activity_at,
    a.primary_attribute_value as detail,
    {% if marketing_has('lifecycle') %}coalesce(lc.is_mql, false){% else %}false{% endif %} as is_mql,
    'marketo' as source_system
from {{ marketing_source('activities') }} as a
{%- if marketing_has('lifecycle') %}
left join {{ marketing_source('lifecycle') }} as lc on lc.marketo_guid = a.marketo_guid
{%- endif %}
{%- if marketing_has('leads') %}
where a.lead_id not in (select d.id from {{ marketing_source('leads') }} as d where coalesce(d.deleted, false))
{%- endif %}
{%- elif marketing_system() == 'hubspot' %}
{%- for stage in ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] %}
{%- set entered = 'hs_lifecyclestage_' ~ stage ~ '_date' %}
select
    c.id || ':' || {{ literal(stage) }} as activity_id,
    c.id as lead_id,
    'Change Lifecycle Stage' as activity_type,
    cast(c.{{ identifier(entered) }} as timestamp) as activity_at,
    {{ literal(stage) }} as detail,
    {% if stage == 'marketingqualifiedlead' %}true{% else %}false{% endif %} as is_mql,
    'hubspot' as source_system
from {{ marketing_source('activities') }} as c
where not coalesce(c.archived, false) and c.{{ identifier(entered) }} is not null
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- endif %}
