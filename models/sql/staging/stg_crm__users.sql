{{ config(enabled=crm_enabled(['users']), tags=['staging', 'crm']) }}
{#- CRM users (opportunity and account owners). -#}
{%- if crm_system() == 'files' %}
select
    cast(user_id as varchar) as user_id,
    name,
    lower(email) as email,
    role,
    territory,
    'files' as source_system
from {{ crm_source('users') }}
{%- elif crm_system() == 'salesforce' %}
select id as user_id, name, lower(email) as email, cast(null as varchar) as role, cast(null as varchar) as territory,
       'salesforce' as source_system
from {{ crm_source('users') }}
{%- elif crm_system() == 'hubspot' %}
select id as user_id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as name, lower(email) as email,
       cast(null as varchar) as role, team_name as territory, 'hubspot' as source_system
from {{ crm_source('users') }}
where not coalesce(archived, false)
{%- endif %}
