{{ config(materialized='table', tags=['intermediate', 'fx']) }}
{#- The rate to the reporting currency for every currency with rates and every month from var
    fx_start_date (default 1990-01-01) to ten years after as_of_date: the latest rate on or
    before the month, NULL before the first one. The reporting currency is always 1. Models
    join it on (currency, month) and stop with an error where a rate they need is NULL or the
    currency is missing (macro to_reporting). -#}
with rates as (
    select * from {{ ref('stg_fx_rates') }}
),
currencies as (
    select distinct currency from rates
),
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("cast(" ~ literal(var('fx_start_date', '1990-01-01')) ~ " as date)", dateadd('year', 10, as_of_month())) }} as s
),
grid as (
    select c.currency, m.date_month, r.rate_to_reporting
    from currencies as c
    cross join months as m
    left join rates as r on r.currency = c.currency and r.date_month = m.date_month
)
select
    currency,
    date_month,
    case when currency = {{ reporting_currency() }} then cast(1 as decimal(18, 8))
         else last_value(rate_to_reporting ignore nulls) over (
                  partition by currency order by date_month rows between unbounded preceding and current row)
    end as rate_to_reporting
from grid
