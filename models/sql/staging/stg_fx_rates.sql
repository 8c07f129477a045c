{{ config(tags=['staging', 'fx']) }}
{#- FX rates to the reporting currency: (currency, date_month, rate_to_reporting), where one
    unit of currency is worth rate_to_reporting units of var reporting_currency (default USD).
    They come from the table named by var fx_source, a [source, table] pair whose table has
    columns currency, rate_date and rate (several rates in one month: the latest wins). Without
    fx_source, only the reporting currency is known. -#}
{%- set fx = var('fx_source', none) %}
{%- if fx %}
select currency, date_month, rate_to_reporting
from (
    select
        upper(currency) as currency,
        cast({{ date_trunc('month', 'cast(rate_date as date)') }} as date) as date_month,
        cast(rate as decimal(18, 8)) as rate_to_reporting,
        row_number() over (partition by upper(currency), {{ date_trunc('month', 'cast(rate_date as date)') }}
                           order by cast(rate_date as date) desc) as rn
    from {{ source(fx[0], fx[1]) }}
    where upper(currency) <> {{ reporting_currency() }}
) as r
where rn = 1
union all
{%- endif %}
select {{ reporting_currency() }} as currency, cast({{ as_of_month() }} as date) as date_month, cast(1 as decimal(18, 8)) as rate_to_reporting
