{{ config(enabled=crm_enabled(['opportunities']), tags=['staging', 'crm', 'bookings']) }}
{#- Opportunity line items (products on a deal). The files contract has none: the model is
    empty and bookings use the opportunity amount as TCV. -#}
{%- if crm_system() == 'files' %}
select
    cast(null as varchar) as line_item_id,
    cast(null as varchar) as opportunity_id,
    cast(null as varchar) as product_id,
    cast(null as varchar) as product_family,
    cast(null as decimal(38, 6)) as quantity,
    cast(null as decimal(38, 6)) as unit_price,
    cast(null as decimal(38, 6)) as total_price,
    cast(null as boolean) as is_recurring,
    'files' as source_system
where false
{%- endif %}
