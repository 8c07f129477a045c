{#- The marketing system the marketing staging models read (var marketing_system): marketo or
    hubspot (those connectors' tables, in the source named by var marketing_source, default
    marketing), or none, the default: the marketing models are then off. -#}
{% macro marketing_system() -%}
{%- set system = var('marketing_system', 'none') %}
{%- if system not in ['marketo', 'hubspot', 'none'] %}
{{- exceptions.raise_compiler_error("var marketing_system must be marketo, hubspot or none, not " ~ system) }}
{%- endif %}
{{- return(system) }}
{%- endmacro %}

{#- The marketing source's table holding a logical table — leads, activities or lifecycle (the
    lifecycle changes that mark MQLs) — in the current marketing_system. -#}
{% macro marketing_table(logical) -%}
{%- if marketing_system() == 'hubspot' %}
{{- return({'leads': 'contacts', 'activities': 'contacts', 'lifecycle': 'contacts'}[logical]) }}
{%- else %}
{{- return({'leads': 'leads', 'activities': 'activities', 'lifecycle': 'lead_lifecycle'}[logical]) }}
{%- endif %}
{%- endmacro %}

{#- source() of the marketing source's table for a logical table. -#}
{% macro marketing_source(logical) -%}
{{ source(var('marketing_source', 'marketing'), marketing_table(logical)) }}
{%- endmacro %}

{#- True when the marketing source has the table of a logical table. -#}
{% macro marketing_has(logical) -%}
{{- return(source_exists(var('marketing_source', 'marketing'), marketing_table(logical))) }}
{%- endmacro %}

{#- True when the marketing models are on and the marketing source has every one of the logical
    tables (a model that needs a table the project does not extract turns itself off). -#}
{% macro marketing_enabled(tables) -%}
{%- set ns = namespace(ok=marketing_system() != 'none') %}
{%- for t in tables %}
{%- if not marketing_has(t) %}{% set ns.ok = false %}{% endif %}
{%- endfor %}
{{- return(ns.ok) }}
{%- endmacro %}
