{{ config(enabled=marketing_enabled(['leads']), tags=['staging', 'marketing', 'funnel']) }}
{#- The marketing automation system's leads (people), one row each, deleted ones removed, times
    in UTC: crm_lead_id is the CRM lead id the system keeps when it syncs with the CRM (the
    column named by var marketing_crm_lead_id_field: sfdc_lead_id for Marketo's sfdcLeadId,
    salesforceleadid for HubSpot's Salesforce sync; NULL without the var), and mql_at is when the
    lead first became marketing-qualified.
    Marketo (the leads stream, which needs the standard fields email, firstName, lastName,
    company, leadSource and leadStatus): mql_at is the earliest lead_lifecycle change with
    is_mql (the connector's mql rules), NULL when lead_lifecycle is not extracted.
    HubSpot (contacts): mql_at is the marketingqualifiedlead lifecycle-stage date. -#}
{%- set crm_id = var('marketing_crm_lead_id_field', none) %}
{%- if marketing_system() == 'marketo' %}
select
    cast(l.id as varchar) as lead_id,
    l.email,
    nullif(lower(trim(l.email)), '') as email_normalized,
    l.first_name,
    l.last_name,
    l.company,
    l.lead_source,
    l.lead_status as status,
    {% if crm_id %}nullif(cast(l.{{ identifier(crm_id) }} as varchar), ''){% else %}cast(null as varchar){% endif %} as crm_lead_id,
    cast(l.created_at as timestamp) as created_at,
    cast(l.updated_at as timestamp) as updated_at,
    {% if marketing_has('lifecycle') %}cast(m.mql_at as timestamp){% else %}cast(null as timestamp){% endif %} as mql_at,
    'marketo' as source_system
from {{ marketing_source('leads') }} as l
{%- if marketing_has('lifecycle') %}
left join (
    select lead_id, min(changed_at) as mql_at
    from {{ marketing_source('lifecycle') }}
    where is_mql
    group by lead_id
) as m on m.lead_id = l.id
{%- endif %}
where not coalesce(l.deleted, false)
{%- elif marketing_system() == 'hubspot' %}
select
    c.id as lead_id,
    c.email,
    nullif(lower(trim(c.email)), '') as email_normalized,
    c.firstname as first_name,
    c.lastname as last_name,
    cast(null as varchar) as company,
    c.hs_analytics_source as lead_source,
    coalesce(c.hs_lead_status, c.lifecyclestage) as status,
    {% if crm_id %}nullif(cast(c.{{ identifier(crm_id) }} as varchar), ''){% else %}cast(null as varchar){% endif %} as crm_lead_id,
    cast(c.created_at as timestamp) as created_at,
    cast(c.updated_at as timestamp) as updated_at,
    cast(c.hs_lifecyclestage_marketingqualifiedlead_date as timestamp) as mql_at,
    'hubspot' as source_system
from {{ marketing_source('leads') }} as c
where not coalesce(c.archived, false)
{%- endif %}
