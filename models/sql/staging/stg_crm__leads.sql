{{ config(enabled=crm_enabled(['leads']), tags=['staging', 'crm', 'funnel']) }}
{#- Leads with their funnel timestamps: created, MQL, SQL, converted opportunity, and the
    first sales activity after creation (speed to lead). -#}
{%- if crm_system() == 'files' %}
select
    cast(lead_id as varchar) as lead_id,
    email,
    nullif(lower(trim(email)), '') as email_normalized,
    company,
    source as lead_source,
    status,
    cast(created_at as timestamp) as created_at,
    cast(mql_at as timestamp) as mql_at,
    cast(sql_at as timestamp) as sql_at,
    nullif(cast(converted_opportunity_id as varchar), '') as converted_opportunity_id,
    cast(first_activity_at as timestamp) as first_activity_at,
    'files' as source_system
from {{ crm_source('leads') }}
{%- endif %}
