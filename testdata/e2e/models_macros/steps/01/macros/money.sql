{# Minor units to major units, by the currency's exponent. #}
{% macro to_major(amount, currency) -%}
    case when {{ currency }} in ({{ zero_decimal_currencies() | join(', ') }})
         then cast({{ amount }} as decimal(38,6))
         else cast({{ amount }} as decimal(38,6)) / 100 end
{%- endmacro %}

{% macro zero_decimal_currencies() -%}
    {{ return(["'JPY'", "'KRW'"]) }}
{%- endmacro %}
