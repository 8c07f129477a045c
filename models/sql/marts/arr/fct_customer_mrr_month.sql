{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- Customer × month MRR with its movement (spec §4). Dense from the customer's first active
    month through the month after its last active month (the churn row), gap months included,
    never past as_of_date's month. Money columns without a suffix are in the reporting currency
    at the month's rate: mrr and previous_month_mrr are both converted at this month's rate, so
    exchange-rate moves never become movements; they go to fx_adjustment, which keeps the
    roll-forward exact: previous month's mrr + fx_adjustment + mrr_change = mrr. -#}
with cm as (
    select * from {{ ref('int_customer_mrr_currency_month') }}
),
bounds as (
    select
        customer_key,
        min(date_month) filter (where mrr_native > 0) as first_active_month,
        max(date_month) filter (where mrr_native > 0) as last_active_month
    from cm
    group by customer_key
    having max(mrr_native) > 0
),
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("(select min(first_active_month) from bounds)", dateadd('month', 1, as_of_month())) }} as s
),
dense as (
    select b.customer_key, m.date_month, b.first_active_month, b.last_active_month
    from bounds as b
    join months as m
      on m.date_month >= b.first_active_month
     and m.date_month <= {{ dateadd('month', 1, 'b.last_active_month') }}
),
rates as (
    select currency, date_month, rate_to_reporting as rate from {{ ref('int_fx_rates_month') }}
),
-- each month's native amounts next to the previous month's, per currency
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
),
converted as (
    select
        n.customer_key,
        n.date_month,
        case when count(distinct n.currency) filter (where n.mrr_now <> 0) = 1
             then max(n.currency) filter (where n.mrr_now <> 0) end as currency,
        case when count(distinct n.currency) filter (where n.mrr_now <> 0) = 1
             then sum(n.mrr_now) end as mrr_native,
        sum({{ to_reporting('n.mrr_now', 'r.rate', 'n.currency', 'n.date_month') }}) as mrr,
        sum({{ to_reporting('n.gross_now', 'r.rate', 'n.currency', 'n.date_month') }}) as mrr_gross,
        sum({{ to_reporting('n.discount_now', 'r.rate', 'n.currency', 'n.date_month') }}) as mrr_discount,
        sum({{ to_reporting('n.mrr_prev', 'r.rate', 'n.currency', 'n.date_month') }}) as previous_month_mrr,
        sum({{ to_reporting('n.mrr_prev', 'rp.rate', 'n.currency', dateadd('month', -1, 'n.date_month')) }}) as previous_month_mrr_at_previous_rate,
        bool_or(n.clamped) as mrr_clamped
    from native as n
    left join rates as r on r.currency = n.currency and r.date_month = n.date_month
    left join rates as rp on rp.currency = n.currency and rp.date_month = {{ dateadd('month', -1, 'n.date_month') }}
    group by n.customer_key, n.date_month
),
series as (
    select
        d.date_month,
        d.customer_key,
        c.currency,
        coalesce(c.mrr_native, 0) as mrr_native,
        coalesce(c.mrr, 0) as mrr,
        coalesce(c.mrr_gross, 0) as mrr_gross,
        coalesce(c.mrr_discount, 0) as mrr_discount,
        coalesce(c.previous_month_mrr, 0) as previous_month_mrr,
        coalesce(c.previous_month_mrr, 0) - coalesce(c.previous_month_mrr_at_previous_rate, 0) as fx_adjustment,
        coalesce(c.mrr_clamped, false) as mrr_clamped,
        d.first_active_month,
        d.last_active_month
    from dense as d
    left join converted as c on c.customer_key = d.customer_key and c.date_month = d.date_month
),
classified as (
    select
        s.*,
        s.mrr > 0 as is_active,
        s.previous_month_mrr > 0 as previous_month_is_active,
        s.date_month = s.first_active_month as is_first_month,
        s.date_month = s.last_active_month as is_last_month,
        s.mrr - s.previous_month_mrr as mrr_change,
        case
            when s.date_month = s.first_active_month then 'new'
            when not s.mrr > 0 and s.previous_month_mrr > 0 then 'churn'
            when s.mrr > 0 and not s.previous_month_mrr > 0 then 'reactivation'
            when s.mrr > s.previous_month_mrr then 'expansion'
            when s.mrr < s.previous_month_mrr then 'contraction'
        end as change_category
    from series as s
)
select
    c.date_month,
    c.customer_key as customer_id,
    dc.account_id,
    dc.segment,
    dc.region,
    c.currency,
    c.mrr_native,
    {{ reporting_currency() }} as reporting_currency,
    c.mrr,
    c.mrr_gross,
    c.mrr_discount,
    c.mrr * 12 as arr,
    c.is_active,
    c.first_active_month,
    c.last_active_month,
    c.is_first_month,
    c.is_last_month,
    c.previous_month_mrr,
    c.previous_month_is_active,
    c.mrr_change,
    c.change_category,
    least(c.mrr, c.previous_month_mrr) as renewal_amount,
    case when c.change_category = 'new' then c.mrr_change else 0 end as new_mrr,
    case when c.change_category = 'expansion' then c.mrr_change else 0 end as expansion_mrr,
    case when c.change_category = 'contraction' then c.mrr_change else 0 end as contraction_mrr,
    case when c.change_category = 'churn' then c.mrr_change else 0 end as churned_mrr,
    case when c.change_category = 'reactivation' then c.mrr_change else 0 end as reactivation_mrr,
    c.fx_adjustment,
    c.mrr_clamped
from classified as c
left join (
    select customer_key, min(account_id) as account_id, min(segment) as segment, min(region) as region
    from {{ ref('dim_customer') }}
    group by customer_key
) as dc on dc.customer_key = c.customer_key
