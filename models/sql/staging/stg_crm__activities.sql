{{ config(enabled=crm_enabled(['leads']), tags=['staging', 'crm', 'funnel']) }}
{#- Sales activities (calls, emails, meetings, tasks): on leads (lead_id; speed to lead counts
    these) and on opportunities (opportunity_id), with the rep who logged them (owner_id).
    The files contract's activities table has both; a project without it falls back to each
    lead's first activity (leads.first_activity_at) as one activity row, with no opportunity
    activities. -#}
{%- if crm_system() == 'files' and source_exists(var('crm_source', 'crm'), 'activities') %}
select
    cast(activity_id as varchar) as activity_id,
    nullif(cast(lead_id as varchar), '') as lead_id,
    nullif(cast(opportunity_id as varchar), '') as opportunity_id,
    nullif(cast(account_id as varchar), '') as account_id,
    nullif(cast(owner_id as varchar), '') as owner_id,
    activity_type,
    cast(activity_at as timestamp) as activity_at,
    'files' as source_system
from {{ source(var('crm_source', 'crm'), 'activities') }}
where activity_at is not null
{%- elif crm_system() == 'files' %}
select
    'first-touch-' || cast(lead_id as varchar) as activity_id,
    cast(lead_id as varchar) as lead_id,
    cast(null as varchar) as opportunity_id,
    cast(null as varchar) as account_id,
    cast(null as varchar) as owner_id,
    'first_touch' as activity_type,
    cast(first_activity_at as timestamp) as activity_at,
    'files' as source_system
from {{ crm_source('leads') }}
where first_activity_at is not null
{%- elif crm_system() == 'salesforce' and source_exists(var('crm_source', 'crm'), 'task') %}
{#- Tasks (activity_type: their TaskSubtype, call, email or task) and, when extracted, Events
    (meeting) whose WhoId is a lead (key prefix 00Q) or whose WhatId is an opportunity (006), at
    their creation time (when the rep logged them). -#}
select id as activity_id,
       case when who_id like '00Q%' then who_id end as lead_id,
       case when what_id like '006%' then what_id end as opportunity_id,
       account_id, owner_id, lower(coalesce(task_subtype, 'task')) as activity_type,
       created_date as activity_at, 'salesforce' as source_system
from {{ source(var('crm_source', 'crm'), 'task') }}
where not coalesce(is_deleted, false) and (who_id like '00Q%' or what_id like '006%')
{%- if source_exists(var('crm_source', 'crm'), 'event') %}
union all
select id as activity_id,
       case when who_id like '00Q%' then who_id end as lead_id,
       case when what_id like '006%' then what_id end as opportunity_id,
       account_id, owner_id, 'meeting' as activity_type,
       created_date as activity_at, 'salesforce' as source_system
from {{ source(var('crm_source', 'crm'), 'event') }}
where not coalesce(is_deleted, false) and (who_id like '00Q%' or what_id like '006%')
{%- endif %}
{%- elif crm_system() == 'hubspot' and source_exists(var('crm_source', 'crm'), 'engagements') %}
{#- Engagements on a contact (lead_id) or a deal (opportunity_id). -#}
select id as activity_id, contact_id as lead_id, deal_id as opportunity_id, company_id as account_id,
       owner_id, engagement_type as activity_type, occurred_at as activity_at, 'hubspot' as source_system
from {{ source(var('crm_source', 'crm'), 'engagements') }}
where not coalesce(archived, false) and (contact_id is not null or deal_id is not null)
{%- else %}
select cast(null as varchar) as activity_id, cast(null as varchar) as lead_id, cast(null as varchar) as opportunity_id,
       cast(null as varchar) as account_id, cast(null as varchar) as owner_id, cast(null as varchar) as activity_type,
       cast(null as timestamp) as activity_at, {{ literal(crm_system()) }} as source_system
where false
{%- endif %}
