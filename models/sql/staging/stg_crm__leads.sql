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
{%- elif crm_system() == 'salesforce' %}
{#- MQL and SQL dates are custom fields in Salesforce: name them with vars
    salesforce_lead_mql_field and salesforce_lead_sql_field (snake_case column names). -#}
select
    l.id as lead_id,
    l.email,
    nullif(lower(trim(l.email)), '') as email_normalized,
    l.company,
    l.lead_source,
    l.status,
    l.created_date as created_at,
    {% if var('salesforce_lead_mql_field', none) %}cast(l.{{ var('salesforce_lead_mql_field') }} as timestamp){% else %}cast(null as timestamp){% endif %} as mql_at,
    {% if var('salesforce_lead_sql_field', none) %}cast(l.{{ var('salesforce_lead_sql_field') }} as timestamp){% else %}cast(null as timestamp){% endif %} as sql_at,
    l.converted_opportunity_id,
    (select min(a.activity_at) from {{ ref('stg_crm__activities') }} as a
      where a.lead_id = l.id and a.activity_at >= l.created_date) as first_activity_at,
    'salesforce' as source_system
from {{ crm_source('leads') }} as l
where not coalesce(l.is_deleted, false)
{%- endif %}
