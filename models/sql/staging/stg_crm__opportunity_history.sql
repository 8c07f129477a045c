{{ config(enabled=crm_enabled(['opportunity_history']), tags=['staging', 'crm', 'pipeline']) }}
{#- Opportunity history: one row per change of stage, amount, probability or close date, with
    the values after the change (Salesforce OpportunityHistory semantics). -#}
{%- if crm_system() == 'files' %}
select
    cast(id as varchar) as history_id,
    cast(opportunity_id as varchar) as opportunity_id,
    stage_name,
    {{ money('amount') }} as amount,
    cast(close_date as date) as close_date,
    cast(null as double) as probability,
    cast(null as varchar) as forecast_category,
    cast(created_at as timestamp) as created_at,
    'files' as source_system
from {{ crm_source('opportunity_history') }}
{%- elif crm_system() == 'salesforce' %}
select
    id as history_id, opportunity_id, stage_name, {{ money('amount') }} as amount, close_date,
    cast(probability as double) as probability, forecast_category, created_date as created_at,
    'salesforce' as source_system
from {{ crm_source('opportunity_history') }}
where not coalesce(is_deleted, false)
{%- endif %}
