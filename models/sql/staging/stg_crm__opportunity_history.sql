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
{%- elif crm_system() == 'hubspot' %}
{#- HubSpot's dealstage history carries only the stage: amount and close date are the deal's
    current ones. -#}
select
    h.deal_id || '-' || cast(epoch_ms(h.changed_at) as varchar) || '-' || h.stage as history_id,
    h.deal_id as opportunity_id,
    coalesce(s.stage_label, h.stage) as stage_name,
    {{ money('d.amount') }} as amount,
    cast(d.closedate as date) as close_date,
    100 * s.probability as probability,
    case when s.is_closed and s.probability >= 1 then 'Closed' when s.is_closed then 'Omitted' else 'Pipeline' end as forecast_category,
    h.changed_at as created_at,
    'hubspot' as source_system
from {{ crm_source('opportunity_history') }} as h
join {{ crm_source('opportunities') }} as d on d.id = h.deal_id and not coalesce(d.archived, false)
left join {{ source(var('crm_source', 'crm'), 'deal_pipeline_stages') }} as s
  on s.pipeline_id = d.pipeline and s.stage_id = h.stage
{%- endif %}
