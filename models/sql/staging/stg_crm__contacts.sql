{{ config(enabled=crm_enabled(['contacts']), tags=['staging', 'crm']) }}
{#- CRM contacts; email normalised for duplicate detection in email_normalized. -#}
{%- if crm_system() == 'files' %}
select
    cast(contact_id as varchar) as contact_id,
    cast(account_id as varchar) as account_id,
    email,
    nullif(lower(trim(email)), '') as email_normalized,
    first_name,
    last_name,
    title,
    lifecycle_stage,
    cast(created_at as timestamp) as created_at,
    cast(updated_at as timestamp) as updated_at,
    'files' as source_system
from {{ crm_source('contacts') }}
{%- elif crm_system() == 'salesforce' %}
select
    id as contact_id, account_id, email, nullif(lower(trim(email)), '') as email_normalized,
    first_name, last_name, title, cast(null as varchar) as lifecycle_stage,
    created_date as created_at, system_modstamp as updated_at, 'salesforce' as source_system
from {{ crm_source('contacts') }}
where not coalesce(is_deleted, false)
{%- elif crm_system() == 'hubspot' %}
select
    id as contact_id, coalesce(company_id, associatedcompanyid) as account_id, email,
    nullif(lower(trim(email)), '') as email_normalized, firstname as first_name, lastname as last_name,
    jobtitle as title, lifecyclestage as lifecycle_stage, created_at, updated_at, 'hubspot' as source_system
from {{ crm_source('contacts') }}
where not coalesce(archived, false)
{%- endif %}
