{{ config(materialized='table', enabled=billing_system() != 'none', tags=['intermediate', 'arr']) }}
{#- Each customer's MRR in one billing currency in a month next to its MRR in that currency the
    month before: one row per customer, currency and month where either is there. Native
    amounts, and the reporting-currency amounts at the month's rate (mrr, previous_mrr) and, for
    the previous month's MRR, also at the previous month's rate (previous_mrr_at_previous_rate;
    the difference is the FX revaluation, spec §4.8). fct_customer_mrr_month sums the currencies
    of a customer; fct_arr_waterfall_month_currency keeps them apart. -#}
with cm as (
    select * from {{ ref('int_customer_mrr_currency_month') }}
),
rates as (
    select currency, date_month, rate_to_reporting as rate from {{ ref('int_fx_rates_month') }}
),
native as (
    select customer_key, currency, date_month,
           sum(mrr_now) as mrr_now, sum(mrr_prev) as mrr_prev,
           sum(gross_now) as gross_now, sum(discount_now) as discount_now,
           bool_or(clamped) as clamped
    from (
        select customer_key, currency, date_month, mrr_native as mrr_now, 0 as mrr_prev,
               mrr_gross_native as gross_now, mrr_discount_native as discount_now, mrr_clamped as clamped
        from cm
        union all
        select customer_key, currency, cast({{ dateadd('month', 1, 'date_month') }} as date), 0, mrr_native, 0, 0, false
        from cm
    ) as x
    group by customer_key, currency, date_month
)
select
    n.customer_key,
    n.currency,
    n.date_month,
    n.mrr_now as mrr_native,
    n.mrr_prev as previous_mrr_native,
    n.gross_now as mrr_gross_native,
    n.discount_now as mrr_discount_native,
    n.clamped as mrr_clamped,
    r.rate as rate_to_reporting,
    {{ to_reporting('n.mrr_now', 'r.rate', 'n.currency', 'n.date_month') }} as mrr,
    {{ to_reporting('n.gross_now', 'r.rate', 'n.currency', 'n.date_month') }} as mrr_gross,
    {{ to_reporting('n.discount_now', 'r.rate', 'n.currency', 'n.date_month') }} as mrr_discount,
    {{ to_reporting('n.mrr_prev', 'r.rate', 'n.currency', 'n.date_month') }} as previous_mrr,
    {{ to_reporting('n.mrr_prev', 'rp.rate', 'n.currency', dateadd('month', -1, 'n.date_month')) }} as previous_mrr_at_previous_rate
from native as n
left join rates as r on r.currency = n.currency and r.date_month = n.date_month
left join rates as rp on rp.currency = n.currency and rp.date_month = {{ dateadd('month', -1, 'n.date_month') }}
