{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- fct_arr_waterfall_month split by segment (spec §5, × segment): one row per segment and
    month, from the segment's first month to as_of_date's month, months without movements
    included. The segment is the CRM account's (dim_customer, as it is now, so a customer stays
    in one segment for its whole history); customers matched to no account, or to an account
    without a segment, are in 'Unknown'. The identity holds per segment every month, and the
    segments of a month sum to fct_arr_waterfall_month's row. -#}
with c as (
    select *, coalesce(nullif(trim(segment), ''), 'Unknown') as segment_key
    from {{ ref('fct_customer_mrr_month') }}
),
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("(select min(date_month) from c)", dateadd('month', 1, as_of_month())) }} as s
),
segments as (
    select segment_key, min(date_month) as first_month
    from c
    group by segment_key
),
by_month as (
    select
        segment_key,
        date_month,
        sum(mrr) as ending_mrr,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(fx_adjustment) as fx_adjustment,
        count(*) filter (where is_active or is_in_grace) as customers_end,
        count(*) filter (where previous_month_is_active or previous_month_is_in_grace) as customers_start,
        count(*) filter (where change_category = 'new') as new_customers,
        count(*) filter (where change_category = 'churn') as churned_customers,
        count(*) filter (where change_category = 'reactivation') as reactivated_customers,
        count(*) filter (where change_category = 'expansion') as expanded_customers,
        count(*) filter (where change_category = 'contraction') as contracted_customers
    from c
    group by segment_key, date_month
),
filled as (
    select
        s.segment_key,
        m.date_month,
        coalesce(b.ending_mrr, 0) as ending_mrr,
        coalesce(b.new_mrr, 0) as new_mrr,
        coalesce(b.expansion_mrr, 0) as expansion_mrr,
        coalesce(b.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(b.contraction_mrr, 0) as contraction_mrr,
        coalesce(b.churned_mrr, 0) as churned_mrr,
        coalesce(b.fx_adjustment, 0) as fx_adjustment,
        coalesce(b.customers_start, 0) as customers_start,
        coalesce(b.customers_end, 0) as customers_end,
        coalesce(b.new_customers, 0) as new_customers,
        coalesce(b.churned_customers, 0) as churned_customers,
        coalesce(b.reactivated_customers, 0) as reactivated_customers,
        coalesce(b.expanded_customers, 0) as expanded_customers,
        coalesce(b.contracted_customers, 0) as contracted_customers
    from segments as s
    join months as m on m.date_month >= s.first_month
    left join by_month as b on b.segment_key = s.segment_key and b.date_month = m.date_month
),
rolled as (
    select
        *,
        coalesce(lag(ending_mrr) over (partition by segment_key order by date_month), 0) as starting_mrr
    from filled
)
select
    date_month,
    segment_key as segment,
    {{ reporting_currency() }} as reporting_currency,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    reactivation_mrr,
    contraction_mrr,
    churned_mrr,
    fx_adjustment,
    ending_mrr,
    new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr as net_new_mrr,
    starting_mrr * 12 as starting_arr,
    new_mrr * 12 as new_arr,
    expansion_mrr * 12 as expansion_arr,
    reactivation_mrr * 12 as reactivation_arr,
    contraction_mrr * 12 as contraction_arr,
    churned_mrr * 12 as churned_arr,
    fx_adjustment * 12 as fx_adjustment_arr,
    ending_mrr * 12 as ending_arr,
    (new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr) * 12 as net_new_arr,
    customers_start,
    customers_end,
    new_customers,
    churned_customers,
    reactivated_customers,
    expanded_customers,
    contracted_customers
from rolled
