{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- Customer × month MRR with its movement (spec §4). Dense from the customer's first active
    month through the month after its last active month (the churn row), gap months included,
    never past as_of_date's month. Money columns without a suffix are in the reporting currency
    at the month's rate: mrr and previous_month_mrr are both converted at this month's rate, so
    exchange-rate moves never become movements; they go to fx_adjustment, which keeps the
    roll-forward exact: previous month's mrr + fx_adjustment + mrr_change = mrr.
    var churn_grace_months (default 0, spec §4.3): a customer whose MRR is zero for at most that
    many consecutive months and then comes back has not churned: the gap months are
    is_in_grace (still a customer, with no MRR), the drop to zero is contraction and the return
    expansion, not churn and reactivation. A gap still open at as_of_date's month, or longer
    than the grace, is churn (and reactivation on return). -#}
{%- set grace = var('churn_grace_months', 0) | int %}
{%- if grace < 0 %}
{{ exceptions.raise_compiler_error("var churn_grace_months must be 0 or more, not " ~ grace) }}
{%- endif %}
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
-- the customer's currencies summed (currency and mrr_native only when it has one)
converted as (
    select
        customer_key,
        date_month,
        case when count(distinct currency) filter (where mrr_native <> 0) = 1
             then max(currency) filter (where mrr_native <> 0) end as currency,
        case when count(distinct currency) filter (where mrr_native <> 0) = 1
             then sum(mrr_native) end as mrr_native,
        sum(mrr) as mrr,
        sum(mrr_gross) as mrr_gross,
        sum(mrr_discount) as mrr_discount,
        sum(previous_mrr) as previous_month_mrr,
        sum(previous_mrr_at_previous_rate) as previous_month_mrr_at_previous_rate,
        bool_or(mrr_clamped) as mrr_clamped
    from {{ ref('int_customer_mrr_currency_change') }}
    group by customer_key, date_month
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
{%- if grace > 0 %}
-- the months of each gap without MRR, between the last active month before it and the next after
gaps as (
    select
        s.*,
        max(case when s.mrr > 0 then s.date_month end) over (
            partition by s.customer_key order by s.date_month rows between unbounded preceding and 1 preceding) as previous_active_month,
        min(case when s.mrr > 0 then s.date_month end) over (
            partition by s.customer_key order by s.date_month rows between 1 following and unbounded following) as next_active_month
    from series as s
),
graced as (
    select
        g.*,
        coalesce(lag(g.is_in_grace) over (partition by g.customer_key order by g.date_month), false) as previous_month_is_in_grace
    from (
        select
            gaps.*,
            not gaps.mrr > 0 and coalesce({{ datediff('month', 'gaps.previous_active_month', 'gaps.next_active_month') }} - 1 <= {{ grace }}, false) as is_in_grace
        from gaps
    ) as g
),
{%- else %}
graced as (
    select s.*, false as is_in_grace, false as previous_month_is_in_grace
    from series as s
),
{%- endif %}
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
            when not s.mrr > 0 and s.previous_month_mrr > 0 and s.is_in_grace then 'contraction'
            when not s.mrr > 0 and s.previous_month_mrr > 0 then 'churn'
            when s.mrr > 0 and not s.previous_month_mrr > 0 and s.previous_month_is_in_grace then 'expansion'
            when s.mrr > 0 and not s.previous_month_mrr > 0 then 'reactivation'
            when s.mrr > s.previous_month_mrr then 'expansion'
            when s.mrr < s.previous_month_mrr then 'contraction'
        end as change_category
    from graced as s
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
    c.mrr_clamped,
    c.is_in_grace,
    c.previous_month_is_in_grace
from classified as c
left join (
    select customer_key, min(account_id) as account_id, min(segment) as segment, min(region) as region
    from {{ ref('dim_customer') }}
    group by customer_key
) as dc on dc.customer_key = c.customer_key
