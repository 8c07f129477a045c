{{ config(enabled=crm_enabled(['leads']), tags=['staging', 'crm', 'funnel']) }}
{#- Leads with their funnel timestamps: created, MQL, SQL and the converted opportunity.
    Their activities (speed to lead) are in stg_crm__activities. -#}
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
    {% if var('salesforce_lead_mql_field', none) %}cast(l.{{ identifier(var('salesforce_lead_mql_field')) }} as timestamp){% else %}cast(null as timestamp){% endif %} as mql_at,
    {% if var('salesforce_lead_sql_field', none) %}cast(l.{{ identifier(var('salesforce_lead_sql_field')) }} as timestamp){% else %}cast(null as timestamp){% endif %} as sql_at,
    l.converted_opportunity_id,
    'salesforce' as source_system
from {{ crm_source('leads') }} as l
where not coalesce(l.is_deleted, false)
{%- elif crm_system() == 'hubspot' %}
{#- HubSpot's funnel lives on contacts: a contact is a lead from its lead lifecycle date (or
    creation), MQL and SQL from the lifecycle stage dates; the converted deal is the
    contact's company's first deal created after it reached the opportunity stage. -#}
select
    c.id as lead_id,
    c.email,
    nullif(lower(trim(c.email)), '') as email_normalized,
    cast(null as varchar) as company,
    c.hs_analytics_source as lead_source,
    coalesce(c.hs_lead_status, c.lifecyclestage) as status,
    coalesce(c.hs_lifecyclestage_lead_date, c.created_at) as created_at,
    c.hs_lifecyclestage_marketingqualifiedlead_date as mql_at,
    c.hs_lifecyclestage_salesqualifiedlead_date as sql_at,
    (select d.id from {{ crm_source('opportunities') }} as d
      where c.hs_lifecyclestage_opportunity_date is not null and d.company_id = coalesce(c.company_id, c.associatedcompanyid)
        and not coalesce(d.archived, false) and d.created_at >= c.hs_lifecyclestage_opportunity_date - interval 1 day
      order by d.created_at, d.id limit 1) as converted_opportunity_id,
    'hubspot' as source_system
from {{ crm_source('leads') }} as c
where not coalesce(c.archived, false)
{%- endif %}
