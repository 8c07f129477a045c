{{ config(enabled=crm_enabled(['opportunities']), tags=['staging', 'crm', 'pipeline']) }}
{#- Opportunities, current state; soft-deleted rows removed. -#}
{%- if crm_system() == 'files' %}
select
    cast(opportunity_id as varchar) as opportunity_id,
    cast(account_id as varchar) as account_id,
    cast(owner_id as varchar) as owner_id,
    name,
    type,
    stage_name,
    forecast_category,
    cast(probability as double) as probability,
    {{ money('amount') }} as amount,
    upper(currency) as currency,
    cast(close_date as date) as close_date,
    cast(created_at as timestamp) as created_at,
    cast(is_closed as boolean) as is_closed,
    cast(is_won as boolean) as is_won,
    nullif(trim(next_step), '') as next_step,
    cast(last_modified_at as timestamp) as modified_at,
    'files' as source_system
from {{ crm_source('opportunities') }}
{%- elif crm_system() == 'salesforce' %}
{#- Single-currency orgs have no CurrencyIsoCode: var salesforce_currency (default the
    reporting currency) names theirs. -#}
select
    id as opportunity_id,
    account_id,
    owner_id,
    name,
    type,
    stage_name,
    forecast_category,
    cast(probability as double) as probability,
    {{ money('amount') }} as amount,
    upper({{ literal(var('salesforce_currency', var('reporting_currency', 'USD'))) }}) as currency,
    close_date,
    created_date as created_at,
    is_closed,
    is_won,
    cast(null as varchar) as next_step,
    system_modstamp as modified_at,
    'salesforce' as source_system
from {{ crm_source('opportunities') }}
where not coalesce(is_deleted, false)
{%- endif %}
