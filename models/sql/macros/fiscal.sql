{#- Fiscal calendar helpers. var('fiscal_year_start_month') is the month the fiscal year starts
    (1 = January, the default); a fiscal year is named for the calendar year it ends in, so with
    a February start, FY2027 runs from 2026-02-01 to 2027-01-31. -#}

{% macro fiscal_year(date_expr) -%}
{%- set start = var('fiscal_year_start_month', 1) | int -%}
{%- if start == 1 -%}
cast(extract(year from {{ date_expr }}) as integer)
{%- else -%}
cast(extract(year from {{ date_expr }}) + case when extract(month from {{ date_expr }}) >= {{ start }} then 1 else 0 end as integer)
{%- endif -%}
{%- endmacro %}

{% macro fiscal_quarter(date_expr) -%}
{%- set start = var('fiscal_year_start_month', 1) | int -%}
cast(((cast(extract(month from {{ date_expr }}) as integer) - {{ start }} + 12) % 12) // 3 + 1 as integer)
{%- endmacro %}

{#- The first day of the fiscal quarter containing date_expr (a DATE). -#}
{% macro fiscal_quarter_start(date_expr) -%}
{%- set start = var('fiscal_year_start_month', 1) | int -%}
cast({{ dateadd('month', '-((cast(extract(month from ' ~ date_expr ~ ') as integer) - ' ~ start ~ ' + 12) % 3)', date_trunc('month', date_expr)) }} as date)
{%- endmacro %}
