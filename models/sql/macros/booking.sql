{#- The default mapping of CRM opportunity types to booking types (spec §6.1); a project
    replaces it with var booking_type_map: {type: new_business|expansion|renewal|other}.
    Matching ignores case and surrounding spaces. -#}
{% macro default_booking_type_map() -%}
{{ return({
    'New Business': 'new_business', 'New Customer': 'new_business', 'New': 'new_business',
    'newbusiness': 'new_business',
    'Expansion': 'expansion', 'Upsell': 'expansion', 'Cross-sell': 'expansion', 'Add-on': 'expansion',
    'Existing Customer - Upgrade': 'expansion', 'existingbusiness': 'expansion',
    'Renewal': 'renewal', 'Existing Customer - Replacement': 'renewal',
    'Existing Customer - Downgrade': 'renewal',
}) }}
{%- endmacro %}

{#- A VALUES table (opportunity_type_key, booking_type) of the booking type map. -#}
{% macro booking_type_map_table() -%}
{%- set rows = [] %}
{%- for k, v in var('booking_type_map', default_booking_type_map()).items() %}
{%- if v not in ['new_business', 'expansion', 'renewal', 'other'] %}
{{ exceptions.raise_compiler_error("var booking_type_map: type " ~ k ~ " maps to " ~ v ~ "; use new_business, expansion, renewal or other") }}
{%- endif %}
{%- do rows.append([k | trim | lower, v]) %}
{%- endfor %}
{{ values_table(rows, ['opportunity_type_key', 'booking_type']) }}
{%- endmacro %}
