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
{#- Multi-currency orgs: var salesforce_currency_field names the currency column (e.g.
    currency_iso_code). Single-currency orgs have none: var salesforce_currency (default the
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
    {%- if var('salesforce_currency_field', none) %}
    upper(coalesce(cast({{ identifier(var('salesforce_currency_field')) }} as varchar), {{ literal(var('salesforce_currency', var('reporting_currency', 'USD'))) }})) as currency,
    {%- else %}
    upper({{ literal(var('salesforce_currency', var('reporting_currency', 'USD'))) }}) as currency,
    {%- endif %}
    close_date,
    created_date as created_at,
    is_closed,
    is_won,
    nullif(trim(next_step), '') as next_step,
    system_modstamp as modified_at,
    'salesforce' as source_system
from {{ crm_source('opportunities') }}
where not coalesce(is_deleted, false)
{%- elif crm_system() == 'hubspot' %}
{#- Stage labels and closed/won come from the deal pipelines (a won stage is closed with
    probability 1); closedate is read as a date in UTC. -#}
select
    d.id as opportunity_id,
    d.company_id as account_id,
    d.owner_id,
    d.dealname as name,
    d.dealtype as type,
    coalesce(s.stage_label, d.dealstage) as stage_name,
    case when coalesce(d.hs_is_closed, s.is_closed) then 'Closed' else 'Pipeline' end as forecast_category,
    100 * coalesce(d.hs_deal_stage_probability, s.probability) as probability,
    {{ money('d.amount') }} as amount,
    upper(coalesce(d.deal_currency_code, {{ literal(var('reporting_currency', 'USD')) }})) as currency,
    cast(d.closedate as date) as close_date,
    d.created_at,
    coalesce(d.hs_is_closed, s.is_closed, false) as is_closed,
    coalesce(d.hs_is_closed_won, s.is_closed and s.probability >= 1, false) as is_won,
    cast(null as varchar) as next_step,
    d.updated_at as modified_at,
    'hubspot' as source_system
from {{ crm_source('opportunities') }} as d
left join {{ source(var('crm_source', 'crm'), 'deal_pipeline_stages') }} as s
  on s.pipeline_id = d.pipeline and s.stage_id = d.dealstage
where not coalesce(d.archived, false)
{%- endif %}
