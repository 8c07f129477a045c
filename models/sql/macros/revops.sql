{#- Helpers shared by the packaged revenue models. Every model takes its "today" from
    var('as_of_date'); none calls current_date. -#}

{#- The as_of_date var as a DATE expression. -#}
{% macro as_of_date() -%}
cast({{ literal(var('as_of_date')) }} as date)
{%- endmacro %}

{#- The first day of the month containing as_of_date. -#}
{% macro as_of_month() -%}
{{ date_trunc('month', as_of_date()) }}
{%- endmacro %}

{#- Money: DECIMAL(38,6) in major units (spec §1.1). -#}
{% macro money(expr) -%}
cast({{ expr }} as decimal(38, 6))
{%- endmacro %}

{#- The reporting currency (var reporting_currency, default USD), as a literal. -#}
{% macro reporting_currency() -%}
{{ literal(var('reporting_currency', 'USD') | upper) }}
{%- endmacro %}

{#- A VALUES list from rows of literals, with column names: values_table([['a', 1]], ['k', 'v']). -#}
{% macro values_table(rows, columns) -%}
(select * from (values
{%- for row in rows %}
    ({% for v in row %}{{ literal(v) }}{% if not loop.last %}, {% endif %}{% endfor %}){% if not loop.last %},{% endif %}
{%- endfor %}
) as t({{ columns | join(', ') }}))
{%- endmacro %}

{#- The CRM system the staging models read (var crm_system): files (the CSV contract),
    salesforce or hubspot (those connectors' tables), or none. Unset, it is files when the
    project has the source named by var crm_source (default crm) with an opportunities table,
    else none (the CRM models are then disabled). -#}
{% macro crm_system() -%}
{%- if source_exists(var('crm_source', 'crm'), 'opportunities') %}
{{- return(var('crm_system', 'files')) }}
{%- else %}
{{- return(var('crm_system', 'none')) }}
{%- endif %}
{%- endmacro %}

{#- The CRM source's table holding a logical table of the files contract (accounts, users,
    contacts, leads, opportunities, opportunity_history) in the current crm_system. -#}
{% macro crm_table(logical) -%}
{%- if crm_system() == 'salesforce' %}
{{- return({'accounts': 'account', 'users': 'user', 'contacts': 'contact', 'leads': 'lead',
            'opportunities': 'opportunity', 'opportunity_history': 'opportunity_history'}[logical]) }}
{%- elif crm_system() == 'hubspot' %}
{{- return({'accounts': 'companies', 'users': 'owners', 'contacts': 'contacts', 'leads': 'contacts',
            'opportunities': 'deals', 'opportunity_history': 'deal_stage_history'}[logical]) }}
{%- else %}
{{- return(logical) }}
{%- endif %}
{%- endmacro %}

{#- The billing system (var billing_system): files (subscription periods), stripe, zuora or
    chargebee (those connectors' tables), or none. Unset, it is files when the source named by var
    billing_source (default billing) has a subscriptions table, else none. -#}
{% macro billing_system() -%}
{%- if source_exists(var('billing_source', 'billing'), 'subscriptions') %}
{{- return(var('billing_system', 'files')) }}
{%- else %}
{{- return(var('billing_system', 'none')) }}
{%- endif %}
{%- endmacro %}

{#- source() of the CRM or billing source, whose name is var crm_source / billing_source. -#}
{% macro crm_source(table) -%}
{{ source(var('crm_source', 'crm'), crm_table(table)) }}
{%- endmacro %}

{% macro billing_source(table) -%}
{{ source(var('billing_source', 'billing'), table) }}
{%- endmacro %}

{#- Normalise an email or web address to its lower-case domain (no scheme, www., path or port). -#}
{% macro email_domain(expr) -%}
nullif(lower(trim(split_part({{ expr }}, '@', 2))), '')
{%- endmacro %}

{% macro web_domain(expr) -%}
nullif(regexp_replace(regexp_replace(lower(trim({{ expr }})), '^[a-z]+://', ''), '^www\.|[/:].*$', '', 'g'), '')
{%- endmacro %}

{#- amount converted to the reporting currency with rate (a column of int_fx_rates_month joined
    on the currency and month); a missing rate for a non-zero amount stops the build with an
    error naming the currency and month. -#}
{% macro to_reporting(amount, rate, currency, month) -%}
case when {{ amount }} is null then null
     when {{ amount }} <> 0 and {{ rate }} is null
     then error('no FX rate from ' || coalesce({{ currency }}, 'NULL') || ' to ' || {{ reporting_currency() }}
                || ' on or before ' || cast(cast({{ month }} as date) as varchar) || ': add it to the table named by var fx_source')
     else cast({{ amount }} * coalesce({{ rate }}, 0) as decimal(38, 6)) end
{%- endmacro %}

{#- A recurring price normalised to one month (spec §2.2, §3): amount per interval_count
    intervals of interval (day, week, month or year) over the months in that span
    (day: n·12/365, week: n·12/52, month: n, year: 12n). Another interval gives NULL. -#}
{% macro monthly_amount(amount, interval, interval_count) -%}
cast(case lower({{ interval }})
    when 'day' then {{ amount }} * 365 / (12.0 * {{ interval_count }})
    when 'week' then {{ amount }} * 52 / (12.0 * {{ interval_count }})
    when 'month' then {{ amount }} / (1.0 * {{ interval_count }})
    when 'year' then {{ amount }} / (12.0 * {{ interval_count }})
end as decimal(38, 6))
{%- endmacro %}

{#- True when the CRM models are on and the CRM source has every one of tables (a model that
    needs a table the project does not extract turns itself off). -#}
{% macro crm_enabled(tables) -%}
{%- set ns = namespace(ok=crm_system() != 'none') %}
{%- for t in tables %}
{%- if not source_exists(var('crm_source', 'crm'), crm_table(t)) %}{% set ns.ok = false %}{% endif %}
{%- endfor %}
{{- return(ns.ok) }}
{%- endmacro %}
