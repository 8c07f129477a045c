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
{%- endif %}
