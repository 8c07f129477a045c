{{ config(enabled=crm_enabled(['opportunities']), tags=['staging', 'crm', 'pipeline']) }}
{#- Stage metadata: order, default probability, forecast category, closed/won. From the CRM
    where it has them (Salesforce OpportunityStage, HubSpot pipelines), else from var
    opportunity_stages: a list of [stage_name, sort_order, probability, forecast_category,
    is_closed, is_won]. -#}
{%- set default_stages = [
    ['Prospecting', 1, 10, 'Pipeline', false, false],
    ['Qualification', 2, 10, 'Pipeline', false, false],
    ['Discovery', 3, 20, 'Pipeline', false, false],
    ['Needs Analysis', 4, 20, 'Pipeline', false, false],
    ['Value Proposition', 5, 50, 'Pipeline', false, false],
    ['Id. Decision Makers', 6, 60, 'Pipeline', false, false],
    ['Perception Analysis', 7, 70, 'Pipeline', false, false],
    ['Proposal', 8, 50, 'BestCase', false, false],
    ['Proposal/Price Quote', 9, 75, 'Pipeline', false, false],
    ['Negotiation', 10, 75, 'Forecast', false, false],
    ['Negotiation/Review', 11, 90, 'Pipeline', false, false],
    ['Closed Won', 12, 100, 'Closed', true, true],
    ['Closed Lost', 13, 0, 'Omitted', true, false],
] %}
{%- if crm_system() == 'salesforce' and source_exists(var('crm_source', 'crm'), 'opportunity_stage') %}
select
    master_label as stage_name, cast(sort_order as integer) as sort_order,
    cast(default_probability as double) as probability, forecast_category, is_closed, is_won,
    'salesforce' as source_system
from {{ source(var('crm_source', 'crm'), 'opportunity_stage') }}
where coalesce(is_active, true)
{%- elif crm_system() == 'hubspot' and source_exists(var('crm_source', 'crm'), 'deal_pipeline_stages') %}
select
    stage_label as stage_name, cast(min(display_order) as integer) as sort_order,
    100 * max(probability) as probability,
    case when bool_or(is_closed) and max(probability) >= 1 then 'Closed' when bool_or(is_closed) then 'Omitted' else 'Pipeline' end as forecast_category,
    bool_or(is_closed) as is_closed, bool_or(is_closed) and max(probability) >= 1 as is_won,
    'hubspot' as source_system
from {{ source(var('crm_source', 'crm'), 'deal_pipeline_stages') }}
where not coalesce(archived, false)
group by stage_label
{%- else %}
select
    stage_name,
    cast(sort_order as integer) as sort_order,
    cast(probability as double) as probability,
    forecast_category,
    cast(is_closed as boolean) as is_closed,
    cast(is_won as boolean) as is_won,
    {{ literal(crm_system()) }} as source_system
from {{ values_table(var('opportunity_stages', default_stages),
    ['stage_name', 'sort_order', 'probability', 'forecast_category', 'is_closed', 'is_won']) }}
{%- endif %}
