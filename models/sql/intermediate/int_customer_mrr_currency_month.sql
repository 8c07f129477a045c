{{ config(materialized='table', enabled=billing_system() != 'none', tags=['intermediate', 'arr']) }}
{#- MRR per customer, currency and month, in the billing currency, sparse (only months where a
    recurring line is active at the month's snapshot instant). The snapshot is var
    mrr_snapshot: month_end (default; active at the end of the month) or month_start (active on
    the 1st, the mrr-playbook convention). Trial, paused and metered lines contribute nothing.
    Net MRR below zero is clamped at zero and flagged (spec §4.7). -#}
{%- set snapshot = var('mrr_snapshot', 'month_end') %}
{%- if snapshot not in ['month_end', 'month_start'] %}
{{ exceptions.raise_compiler_error("var mrr_snapshot must be month_end or month_start, not " ~ snapshot) }}
{%- endif %}
with lines as (
    select l.*, c.customer_key
    from {{ ref('stg_billing__recurring_lines') }} as l
    join {{ ref('dim_customer') }} as c
      on c.customer_id = l.customer_id and c.source_system = l.source_system
    where not (l.is_trial or l.is_paused or l.is_metered)
),
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("(select " ~ date_trunc('month', 'min(valid_from)') ~ " from lines)",
                        dateadd('month', 1, as_of_month())) }} as s
),
active as (
    select
        l.customer_key,
        l.currency,
        m.date_month,
        l.mrr_gross,
        l.mrr_discount,
        l.mrr_net
    from lines as l
    join months as m
{%- if snapshot == 'month_end' %}
      on l.valid_from < {{ dateadd('month', 1, 'm.date_month') }}
     and (l.valid_to is null or l.valid_to >= {{ dateadd('month', 1, 'm.date_month') }})
{%- else %}
      on l.valid_from <= m.date_month
     and (l.valid_to is null or l.valid_to > m.date_month)
{%- endif %}
)
select
    customer_key,
    currency,
    date_month,
    greatest(sum(mrr_net), 0) as mrr_native,
    sum(mrr_gross) as mrr_gross_native,
    sum(mrr_discount) as mrr_discount_native,
    sum(mrr_net) < 0 as mrr_clamped
from active
group by customer_key, currency, date_month
