{{ config(enabled=crm_enabled(['leads']), tags=['staging', 'crm', 'funnel']) }}
{#- Sales activities (calls, emails, meetings, tasks) on leads. The files contract carries only
    each lead's first activity (leads.first_activity_at); it becomes one activity row. -#}
{%- if crm_system() == 'files' %}
select
    'first-touch-' || cast(lead_id as varchar) as activity_id,
    cast(lead_id as varchar) as lead_id,
    cast(null as varchar) as account_id,
    'first_touch' as activity_type,
    cast(first_activity_at as timestamp) as activity_at,
    'files' as source_system
from {{ crm_source('leads') }}
where first_activity_at is not null
{%- elif crm_system() == 'salesforce' and source_exists(var('crm_source', 'crm'), 'task') %}
{#- Tasks and events whose WhoId is a lead (key prefix 00Q), at their creation time. -#}
select id as activity_id, who_id as lead_id, account_id, coalesce(task_subtype, 'task') as activity_type,
       created_date as activity_at, 'salesforce' as source_system
from {{ source(var('crm_source', 'crm'), 'task') }}
where not coalesce(is_deleted, false) and who_id like '00Q%'
{%- elif crm_system() == 'hubspot' and source_exists(var('crm_source', 'crm'), 'engagements') %}
select id as activity_id, contact_id as lead_id, company_id as account_id, engagement_type as activity_type,
       occurred_at as activity_at, 'hubspot' as source_system
from {{ source(var('crm_source', 'crm'), 'engagements') }}
where not coalesce(archived, false) and contact_id is not null
{%- else %}
select cast(null as varchar) as activity_id, cast(null as varchar) as lead_id, cast(null as varchar) as account_id,
       cast(null as varchar) as activity_type, cast(null as timestamp) as activity_at, {{ literal(crm_system()) }} as source_system
where false
{%- endif %}
