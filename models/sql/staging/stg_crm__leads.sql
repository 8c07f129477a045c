{{ config(enabled=crm_enabled(['leads']), tags=['staging', 'crm', 'funnel']) }}
{#- Leads with their funnel timestamps: created, MQL, SQL and the converted opportunity.
    Their activities (speed to lead) are in stg_crm__activities.
    mql_at is the CRM's own MQL time, or with var mql_source: marketing the marketing system's
    (stg_marketing__leads), where the marketing automation scores leads and syncs the MQL to the
    CRM: the MQL of the marketing lead that names this lead's id (its crm_lead_id), else of the
    one marketing lead with this lead's normalized email when no other CRM lead has that email,
    NULL when none matches. marketing_lead_id and mql_matched_by (crm_lead_id or email) tell
    which; both are NULL with mql_source: crm. -#}
{%- set mql_source = var('mql_source', 'crm') %}
{%- if mql_source not in ['crm', 'marketing'] %}
{{- exceptions.raise_compiler_error("var mql_source must be crm or marketing, not " ~ mql_source) }}
{%- elif mql_source == 'marketing' and not marketing_enabled(['leads']) %}
{{- exceptions.raise_compiler_error("var mql_source: marketing reads the marketing system's leads (stg_marketing__leads): set var marketing_system (marketo or hubspot) and var marketing_source (default marketing) to a source with its leads") }}
{%- endif %}
with crm_leads as (
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
)
{%- if mql_source == 'marketing' %},
marketing as (
    select lead_id as marketing_lead_id, crm_lead_id, email_normalized, mql_at
    from {{ ref('stg_marketing__leads') }}
),
-- the marketing lead that names the CRM lead (of several, the earliest MQL)
by_id as (
    select
        c.lead_id,
        m.marketing_lead_id,
        m.mql_at,
        row_number() over (partition by c.lead_id order by m.mql_at nulls last, m.marketing_lead_id) as pick
    from crm_leads as c
    join marketing as m on m.crm_lead_id = c.lead_id
),
-- then a normalized email held by exactly one lead on each side, among those not matched by id
crm_rest as (
    select lead_id, email_normalized from crm_leads
    where email_normalized is not null and lead_id not in (select lead_id from by_id)
),
marketing_rest as (
    select * from marketing
    where email_normalized is not null and marketing_lead_id not in (select marketing_lead_id from by_id)
),
by_email as (
    select c.lead_id, m.marketing_lead_id, m.mql_at
    from crm_rest as c
    join marketing_rest as m on m.email_normalized = c.email_normalized
    where c.email_normalized in (select email_normalized from crm_rest group by email_normalized having count(*) = 1)
      and m.email_normalized in (select email_normalized from marketing_rest group by email_normalized having count(*) = 1)
),
matches as (
    select lead_id, marketing_lead_id, mql_at, 'crm_lead_id' as matched_by from by_id where pick = 1
    union all
    select lead_id, marketing_lead_id, mql_at, 'email' as matched_by from by_email
)
select
    c.lead_id,
    c.email,
    c.email_normalized,
    c.company,
    c.lead_source,
    c.status,
    c.created_at,
    cast(m.mql_at as timestamp) as mql_at,
    c.sql_at,
    c.converted_opportunity_id,
    c.source_system,
    m.marketing_lead_id,
    m.matched_by as mql_matched_by
from crm_leads as c
left join matches as m on m.lead_id = c.lead_id
{%- else %}
select
    *,
    cast(null as varchar) as marketing_lead_id,
    cast(null as varchar) as mql_matched_by
from crm_leads
{%- endif %}
