{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr', 'retention']) }}
{#- Retention by month (spec §5.1), in the reporting currency at each month's rate.
    Monthly: logo churn rate = churned customers / customers at the start; gross MRR churn
    rate = -(churned + contraction) / starting MRR; monthly NRR and GRR over the customers
    active the month before.
    12-month cohorts: the cohort of a month m is every customer active in m - 12 months;
    nrr_12m = cohort MRR in m / cohort MRR in m - 12 (expansion, contraction, churn and
    reactivation of cohort members; new customers excluded); grr_12m = sum of
    least(MRR in m, MRR in m - 12) / cohort MRR in m - 12. Both sides are converted at m's
    rates, so exchange-rate moves do not count as retention. NULL when there is no cohort.
    With var churn_grace_months, churned customers and logo churn follow the waterfall (a gap
    within the grace is no churn), and a cohort member without MRR in m but inside a grace gap
    counts as retained in logo_retention_12m (its MRR in m is still zero). -#}
with cm as (
    select * from {{ ref('int_customer_mrr_currency_month') }}
),
rates as (
    select * from {{ ref('int_fx_rates_month') }}
),
waterfall as (
    select * from {{ ref('fct_arr_waterfall_month') }}
),
monthly as (
    select
        date_month,
        sum(previous_month_mrr) filter (where previous_month_is_active) as base_mrr,
        sum(mrr) filter (where previous_month_is_active) as base_now_mrr,
        sum(renewal_amount) filter (where previous_month_is_active) as base_retained_mrr
    from {{ ref('fct_customer_mrr_month') }}
    group by date_month
),
-- each cohort member's MRR in its cohort month (t0) and twelve months later (t1), at t1's rates
member_months as (
    select customer_key, currency, date_month as t0, cast({{ dateadd('month', 12, 'date_month') }} as date) as t1,
           mrr_native as mrr_t0_native, 0 as mrr_t1_native
    from cm
    union all
    select customer_key, currency, cast({{ dateadd('month', -12, 'date_month') }} as date), date_month,
           0, mrr_native
    from cm
),
members as (
    select
        x.customer_key,
        x.t1,
        sum({{ to_reporting('x.mrr_t0_native', 'r.rate_to_reporting', 'x.currency', 'x.t1') }}) as mrr_t0,
        sum({{ to_reporting('x.mrr_t1_native', 'r.rate_to_reporting', 'x.currency', 'x.t1') }}) as mrr_t1
    from member_months as x
    left join rates as r on r.currency = x.currency and r.date_month = x.t1
    where x.t1 <= {{ as_of_month() }}
    group by x.customer_key, x.t1
    having sum(x.mrr_t0_native) > 0
),
-- customers without MRR inside a churn grace gap (var churn_grace_months) are still customers
in_grace as (
    select customer_id, date_month from {{ ref('fct_customer_mrr_month') }} where is_in_grace
),
cohorts as (
    select
        m.t1 as date_month,
        count(*) as cohort_customers,
        count(*) filter (where m.mrr_t1 > 0 or g.customer_id is not null) as cohort_customers_retained,
        sum(m.mrr_t0) as cohort_starting_mrr,
        sum(m.mrr_t1) as cohort_ending_mrr,
        sum(least(m.mrr_t0, m.mrr_t1)) as cohort_retained_mrr
    from members as m
    left join in_grace as g on g.customer_id = m.customer_key and g.date_month = m.t1
    group by m.t1
)
select
    w.date_month,
    w.reporting_currency,
    w.customers_start,
    w.churned_customers,
    cast(w.churned_customers as double) / nullif(w.customers_start, 0) as logo_churn_rate,
    w.starting_mrr,
    cast(-(w.churned_mrr + w.contraction_mrr) as double) / nullif(m.base_mrr, 0) as gross_mrr_churn_rate,
    cast(m.base_now_mrr as double) / nullif(m.base_mrr, 0) as nrr_monthly,
    cast(m.base_retained_mrr as double) / nullif(m.base_mrr, 0) as grr_monthly,
    cast({{ dateadd('month', -12, 'w.date_month') }} as date) as cohort_month,
    coalesce(c.cohort_customers, 0) as cohort_customers,
    coalesce(c.cohort_customers_retained, 0) as cohort_customers_retained,
    coalesce(c.cohort_starting_mrr, 0) as cohort_starting_mrr,
    coalesce(c.cohort_ending_mrr, 0) as cohort_ending_mrr,
    coalesce(c.cohort_retained_mrr, 0) as cohort_retained_mrr,
    cast(c.cohort_ending_mrr as double) / nullif(c.cohort_starting_mrr, 0) as nrr_12m,
    cast(c.cohort_retained_mrr as double) / nullif(c.cohort_starting_mrr, 0) as grr_12m,
    cast(c.cohort_customers_retained as double) / nullif(c.cohort_customers, 0) as logo_retention_12m
from waterfall as w
left join monthly as m on m.date_month = w.date_month
left join cohorts as c on c.date_month = w.date_month
