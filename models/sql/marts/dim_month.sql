{{ config(materialized='table', tags=['calendar']) }}
{#- One row per calendar month from calendar_start_date to three years after as_of_date, with
    its fiscal year and quarter. -#}
{%- set as_of = "cast(" ~ literal(var('as_of_date')) ~ " as date)" %}
select
    date_month,
    cast(extract(year from date_month) as integer) as calendar_year,
    cast(extract(month from date_month) as integer) as calendar_month,
    {{ fiscal_year('date_month') }} as fiscal_year,
    {{ fiscal_quarter('date_month') }} as fiscal_quarter,
    date_month = {{ date_trunc('month', as_of) }} as is_as_of_month,
    date_month <= {{ date_trunc('month', as_of) }} as is_closed_or_current
from {{ month_spine("cast(" ~ literal(var('calendar_start_date', '2015-01-01')) ~ " as date)", dateadd('year', 3, as_of)) }} as spine
