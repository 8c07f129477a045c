{{ config(enabled=crm_enabled(['accounts']), tags=['staging', 'crm']) }}
{#- CRM accounts in the source-agnostic shape; soft-deleted rows removed. -#}
{%- if crm_system() == 'files' %}
select
    cast(account_id as varchar) as account_id,
    name,
    {{ web_domain('domain') }} as domain,
    industry,
    region,
    segment,
    cast(owner_id as varchar) as owner_id,
    cast(created_at as timestamp) as created_at,
    'files' as source_system
from {{ crm_source('accounts') }}
where not coalesce(is_deleted, false)
{%- elif crm_system() == 'salesforce' %}
select
    id as account_id,
    name,
    {{ web_domain('website') }} as domain,
    industry,
    coalesce(billing_country, '') as region,
    {{ identifier(var('salesforce_account_segment_field', 'type')) }} as segment,
    owner_id,
    created_date as created_at,
    'salesforce' as source_system
from {{ crm_source('accounts') }}
where not coalesce(is_deleted, false)
{%- elif crm_system() == 'hubspot' %}
select
    id as account_id, name, {{ web_domain('domain') }} as domain, industry, coalesce(country, '') as region,
    {{ var('hubspot_company_segment_property', 'type') }} as segment, owner_id, created_at,
    'hubspot' as source_system
from {{ crm_source('accounts') }}
where not coalesce(archived, false)
{%- endif %}
