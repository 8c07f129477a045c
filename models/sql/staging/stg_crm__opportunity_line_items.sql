{{ config(enabled=crm_enabled(['opportunities']), tags=['staging', 'crm', 'bookings']) }}
{#- Opportunity line items (products on a deal). The files contract has none: the model is
    empty and bookings use the opportunity amount as TCV. -#}
{%- if crm_system() == 'files' or not source_exists(var('crm_source', 'crm'), 'opportunity_line_item') %}
select
    cast(null as varchar) as line_item_id,
    cast(null as varchar) as opportunity_id,
    cast(null as varchar) as product_id,
    cast(null as varchar) as product_family,
    cast(null as decimal(38, 6)) as quantity,
    cast(null as decimal(38, 6)) as unit_price,
    cast(null as decimal(38, 6)) as total_price,
    cast(null as boolean) as is_recurring,
    {{ literal(crm_system()) }} as source_system
where false
{%- elif crm_system() == 'salesforce' and source_exists(var('crm_source', 'crm'), 'opportunity_line_item') %}
select
    id as line_item_id, opportunity_id, product2_id as product_id, cast(null as varchar) as product_family,
    cast(quantity as decimal(38, 6)) as quantity, {{ money('unit_price') }} as unit_price,
    {{ money('total_price') }} as total_price, cast(null as boolean) as is_recurring,
    'salesforce' as source_system
from {{ source(var('crm_source', 'crm'), 'opportunity_line_item') }}
where not coalesce(is_deleted, false)
{%- endif %}
