{% macro adapter_safe(label) -%}
{{ label | lower | replace(' ', '_') }}
{%- endmacro %}
