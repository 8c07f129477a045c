{{ config(materialized='view') }}
select
{%- for s in var('stages') %}
    {{ literal(s) }} as {{ adapter_safe(s) }}{{ "," if not loop.last }}
{%- endfor %}
