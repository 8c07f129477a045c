{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- fct_arr_waterfall_month split by billing currency (spec §5, × currency): one row per
    currency and month, from the currency's first month to as_of_date's month, months without
    movements included, with the amounts in the reporting currency (at the month's rate, as in
    fct_arr_waterfall_month) and in the currency itself (*_native).
    Movements stay classified per customer (spec §4.8): each currency's share of a customer's
    movement keeps the customer's category. When all of a customer's currencies move the way
    the customer does (the usual case: one currency), each currency books its own change. When
    a customer moves MRR between currencies (say from EUR to USD billing), the customer's whole
    movement is booked in the currency that grew most (fell most, for a decrease) and the rest
    of each currency's change is currency_switch_mrr, which sums to zero over the currencies of
    a month. So per currency:
    starting + new + expansion + reactivation + contraction + churned + currency_switch
    + fx_adjustment = ending (native: without fx_adjustment), ending of a month = starting of
    the next, and the currencies of a month sum to fct_arr_waterfall_month's row.
    Customers are counted in each currency they are billed in (customers in a churn grace gap
    have no currency and are not counted). -#}
with parts as (
    select
        x.customer_key,
        x.currency,
        x.date_month,
        x.mrr,
        x.mrr_native,
        x.previous_mrr_native,
        x.previous_mrr - x.previous_mrr_at_previous_rate as fx_adjustment,
        x.mrr - x.previous_mrr as currency_change,
        x.mrr_native - x.previous_mrr_native as currency_change_native,
        x.rate_to_reporting,
        c.change_category,
        c.mrr_change as customer_change
    from {{ ref('int_customer_mrr_currency_change') }} as x
    join {{ ref('fct_customer_mrr_month') }} as c
      on c.customer_id = x.customer_key and c.date_month = x.date_month
),
allocated as (
    select
        p.*,
        bool_and(case when p.customer_change > 0 then p.currency_change >= 0
                      when p.customer_change < 0 then p.currency_change <= 0
                      else p.currency_change = 0 end)
            over (partition by p.customer_key, p.date_month) as moves_with_customer,
        row_number() over (
            partition by p.customer_key, p.date_month
            order by case when p.customer_change >= 0 then p.currency_change else -p.currency_change end desc, p.currency
        ) = 1 as is_main_currency
    from parts as p
),
booked as (
    select
        a.*,
        case when a.moves_with_customer then a.currency_change
             when a.is_main_currency then a.customer_change
             else 0 end as movement,
        case when a.moves_with_customer then a.currency_change_native
             when a.is_main_currency then cast(a.customer_change / nullif(a.rate_to_reporting, 0) as decimal(38, 6))
             else 0 end as movement_native
    from allocated as a
),
by_month as (
    select
        currency,
        date_month,
        sum(mrr) as ending_mrr,
        sum(movement) filter (where change_category = 'new') as new_mrr,
        sum(movement) filter (where change_category = 'expansion') as expansion_mrr,
        sum(movement) filter (where change_category = 'reactivation') as reactivation_mrr,
        sum(movement) filter (where change_category = 'contraction') as contraction_mrr,
        sum(movement) filter (where change_category = 'churn') as churned_mrr,
        sum(currency_change - movement) as currency_switch_mrr,
        sum(fx_adjustment) as fx_adjustment,
        sum(mrr_native) as ending_mrr_native,
        sum(movement_native) filter (where change_category = 'new') as new_mrr_native,
        sum(movement_native) filter (where change_category = 'expansion') as expansion_mrr_native,
        sum(movement_native) filter (where change_category = 'reactivation') as reactivation_mrr_native,
        sum(movement_native) filter (where change_category = 'contraction') as contraction_mrr_native,
        sum(movement_native) filter (where change_category = 'churn') as churned_mrr_native,
        sum(currency_change_native - movement_native) as currency_switch_mrr_native,
        count(*) filter (where mrr_native > 0) as customers_end,
        count(*) filter (where previous_mrr_native > 0) as customers_start,
        count(*) filter (where change_category = 'new' and movement <> 0) as new_customers,
        count(*) filter (where change_category = 'churn' and movement <> 0) as churned_customers,
        count(*) filter (where change_category = 'reactivation' and movement <> 0) as reactivated_customers,
        count(*) filter (where change_category = 'expansion' and movement <> 0) as expanded_customers,
        count(*) filter (where change_category = 'contraction' and movement <> 0) as contracted_customers
    from booked
    group by currency, date_month
),
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("(select min(date_month) from parts)", dateadd('month', 1, as_of_month())) }} as s
),
currencies as (
    select currency, min(date_month) as first_month
    from by_month
    where ending_mrr_native <> 0
    group by currency
),
filled as (
    select
        k.currency,
        m.date_month,
        coalesce(b.ending_mrr, 0) as ending_mrr,
        coalesce(b.new_mrr, 0) as new_mrr,
        coalesce(b.expansion_mrr, 0) as expansion_mrr,
        coalesce(b.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(b.contraction_mrr, 0) as contraction_mrr,
        coalesce(b.churned_mrr, 0) as churned_mrr,
        coalesce(b.currency_switch_mrr, 0) as currency_switch_mrr,
        coalesce(b.fx_adjustment, 0) as fx_adjustment,
        coalesce(b.ending_mrr_native, 0) as ending_mrr_native,
        coalesce(b.new_mrr_native, 0) as new_mrr_native,
        coalesce(b.expansion_mrr_native, 0) as expansion_mrr_native,
        coalesce(b.reactivation_mrr_native, 0) as reactivation_mrr_native,
        coalesce(b.contraction_mrr_native, 0) as contraction_mrr_native,
        coalesce(b.churned_mrr_native, 0) as churned_mrr_native,
        coalesce(b.currency_switch_mrr_native, 0) as currency_switch_mrr_native,
        coalesce(b.customers_start, 0) as customers_start,
        coalesce(b.customers_end, 0) as customers_end,
        coalesce(b.new_customers, 0) as new_customers,
        coalesce(b.churned_customers, 0) as churned_customers,
        coalesce(b.reactivated_customers, 0) as reactivated_customers,
        coalesce(b.expanded_customers, 0) as expanded_customers,
        coalesce(b.contracted_customers, 0) as contracted_customers
    from currencies as k
    join months as m on m.date_month >= k.first_month
    left join by_month as b on b.currency = k.currency and b.date_month = m.date_month
),
rolled as (
    select
        *,
        coalesce(lag(ending_mrr) over (partition by currency order by date_month), 0) as starting_mrr,
        coalesce(lag(ending_mrr_native) over (partition by currency order by date_month), 0) as starting_mrr_native
    from filled
)
select
    date_month,
    currency,
    {{ reporting_currency() }} as reporting_currency,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    reactivation_mrr,
    contraction_mrr,
    churned_mrr,
    currency_switch_mrr,
    fx_adjustment,
    ending_mrr,
    new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr as net_new_mrr,
    starting_mrr_native,
    new_mrr_native,
    expansion_mrr_native,
    reactivation_mrr_native,
    contraction_mrr_native,
    churned_mrr_native,
    currency_switch_mrr_native,
    ending_mrr_native,
    starting_mrr * 12 as starting_arr,
    new_mrr * 12 as new_arr,
    expansion_mrr * 12 as expansion_arr,
    reactivation_mrr * 12 as reactivation_arr,
    contraction_mrr * 12 as contraction_arr,
    churned_mrr * 12 as churned_arr,
    currency_switch_mrr * 12 as currency_switch_arr,
    fx_adjustment * 12 as fx_adjustment_arr,
    ending_mrr * 12 as ending_arr,
    (new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr) * 12 as net_new_arr,
    ending_mrr_native * 12 as ending_arr_native,
    customers_start,
    customers_end,
    new_customers,
    churned_customers,
    reactivated_customers,
    expanded_customers,
    contracted_customers
from rolled
