{{ config(materialized='table') }}
{%- set currencies = ['USD', 'EUR', 'JPY'] %}
select
    spine.date_month,
{%- for c in currencies %}
    coalesce(sum(amount) filter (where currency = {{ literal(c) }}), 0) as revenue_{{ c | lower }}{% if not loop.last %},{% endif %}
{%- endfor %}
from {{ month_spine("date '2026-08-01'", "date '2026-11-01'") }} as spine
left join {{ ref('charges') }} as c on c.charged_month = spine.date_month
group by 1
