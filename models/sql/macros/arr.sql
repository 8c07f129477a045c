{#- The ARR roll-forward shared by fct_arr_waterfall_month and fct_arr_waterfall_month_segment. -#}

{#- arr_waterfall_ctes(key) continues a WITH whose CTE c holds fct_customer_mrr_month rows: it
    defines months (the month spine from c's first month to as_of_date's month), keys (each value
    of the expression key with its first month), by_month (the movements summed per key and
    month), filled (dense per key from its first month, months without movements as zeros) and
    rolled (filled with starting_mrr, the key's previous ending_mrr). Customers are those with MRR
    and those in a churn grace gap (var churn_grace_months). -#}
{% macro arr_waterfall_ctes(key) -%}
months as (
    select cast(date_month as date) as date_month
    from {{ month_spine("(select min(date_month) from c)", dateadd('month', 1, as_of_month())) }} as s
),
keys as (
    select {{ key }} as waterfall_key, min(date_month) as first_month
    from c
    group by 1
),
by_month as (
    select
        {{ key }} as waterfall_key,
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
    group by 1, 2
),
filled as (
    select
        k.waterfall_key,
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
    from keys as k
    join months as m on m.date_month >= k.first_month
    left join by_month as b on b.waterfall_key = k.waterfall_key and b.date_month = m.date_month
),
rolled as (
    select
        *,
        coalesce(lag(ending_mrr) over (partition by waterfall_key order by date_month), 0) as starting_mrr
    from filled
)
{%- endmacro %}

{#- arr_waterfall_columns() lists the roll-forward's columns of a rolled row: MRR movements,
    their ×12 ARR, and the customer counts. -#}
{% macro arr_waterfall_columns() -%}
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
{%- endmacro %}
