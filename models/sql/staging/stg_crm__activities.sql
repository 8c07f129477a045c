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
{%- endif %}
