{{ config(enabled=billing_system() != 'none', tags=['staging', 'billing', 'arr']) }}
{#- The canonical billing input (spec §3): one row per subscription item and effective period,
    a piecewise-constant MRR schedule. valid_to is exclusive; NULL means still active.
    Files contract: subscription periods (customer_id, subscription_id, start_date, end_date,
    monthly_amount, currency).
    Stripe (billing_system: stripe, spec §3): the non-proration subscription lines of paid,
    open or uncollectible invoices, each over its billing period, at unit amount × quantity per
    month of the price's interval, less its discounts over the same months; the latest period
    of an item whose subscription has not ended stays open. Items never invoiced count from
    their creation at the price's amount. Metered and one-time prices, proration and one-off
    invoice items are not MRR; periods inside a trial are trial lines.
    Zuora (billing_system: zuora): the recurring charge segments of each subscription's latest
    version, each over [effective_start_date, effective_end_date) at its MRR (Zuora normalises
    MRR to a month; a cancellation ends the segments at the cancellation date). Usage charges
    are metered, one-time charges are not MRR. -#}
{%- if billing_system() == 'files' %}
select
    cast(customer_id as varchar) as customer_id,
    cast(subscription_id as varchar) as subscription_id,
    cast(subscription_id as varchar) as subscription_item_id,
    cast(null as varchar) as product_id,
    cast(null as varchar) as plan_id,
    upper(currency) as currency,
    cast(start_date as timestamp) as valid_from,
    cast(end_date as timestamp) as valid_to,
    cast(1 as decimal(38, 6)) as quantity,
    {{ money('monthly_amount') }} as mrr_gross,
    {{ money('0') }} as mrr_discount,
    {{ money('monthly_amount') }} as mrr_net,
    false as is_trial,
    false as is_paused,
    false as is_metered,
    cast(null as varchar) as status_at_valid_from,
    'files' as source_system
from {{ billing_source('subscriptions') }}
{%- elif billing_system() == 'stripe' %}
with prices as (
    select * from {{ billing_source('prices') }}
),
subs as (
    select * from {{ billing_source('subscriptions') }}
),
invoiced as (
    select
        l.subscription_id, l.subscription_item_id, l.price_id, l.product_id, l.currency,
        l.period_start, l.period_end, coalesce(l.quantity, 1) as quantity,
        coalesce(l.unit_amount, cast(l.unit_amount_decimal as decimal(38, 6))) * coalesce(l.quantity, 1) as amount,
        coalesce(l.discount_amount, 0) as discount,
        row_number() over (partition by l.subscription_item_id order by l.period_start desc, l.id desc) as recency
    from {{ billing_source('invoice_lines') }} as l
    join {{ billing_source('invoices') }} as i on i.id = l.invoice_id
    where l.subscription_item_id is not null
      and not coalesce(l.proration, false)
      and i.status in ('paid', 'open', 'uncollectible')
      and not coalesce(i.deleted, false) and not coalesce(l.deleted, false)
),
never_invoiced as (
    select
        it.subscription_id, it.id as subscription_item_id, it.price_id, it.product_id, p.currency,
        it.created as period_start, cast(null as timestamp) as period_end, coalesce(it.quantity, 1) as quantity,
        p.unit_amount * coalesce(it.quantity, 1) as amount, 0 as discount, 1 as recency
    from {{ billing_source('subscription_items') }} as it
    join prices as p on p.id = it.price_id
    where not coalesce(it.deleted, false)
      and it.id not in (select subscription_item_id from invoiced)
),
periods as (
    select * from invoiced
    union all
    select * from never_invoiced
)
select
    s.customer_id,
    x.subscription_id,
    x.subscription_item_id,
    x.product_id,
    x.price_id as plan_id,
    upper(x.currency) as currency,
    x.period_start as valid_from,
    case
        when x.recency = 1 and s.ended_at is null then null
        when x.recency = 1 then s.ended_at
        else x.period_end
    end as valid_to,
    cast(x.quantity as decimal(38, 6)) as quantity,
    {{ monthly_amount('x.amount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_gross,
    {{ monthly_amount('x.discount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_discount,
    {{ monthly_amount('x.amount - x.discount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_net,
    s.trial_end is not null and x.period_start < s.trial_end as is_trial,
    coalesce(s.status = 'paused', false) as is_paused,
    coalesce(p.recurring_usage_type = 'metered', false) as is_metered,
    s.status as status_at_valid_from,
    'stripe' as source_system
from periods as x
join subs as s on s.id = x.subscription_id
join prices as p on p.id = x.price_id
where p.price_type = 'recurring'
{%- elif billing_system() == 'zuora' %}
with versions as (
    select
        id, account_id, status, coalesce(original_id, id) as original_id,
        row_number() over (partition by coalesce(original_id, id) order by version desc, updated_date desc) as recency
    from {{ billing_source('subscriptions') }}
)
select
    s.account_id as customer_id,
    s.original_id as subscription_id,
    c.charge_number as subscription_item_id,
    cast(c.product_rate_plan_charge_id as varchar) as product_id,
    cast(r.product_rate_plan_id as varchar) as plan_id,
    upper(c.currency) as currency,
    cast(c.effective_start_date as timestamp) as valid_from,
    cast(c.effective_end_date as timestamp) as valid_to,
    cast(coalesce(c.quantity, 1) as decimal(38, 6)) as quantity,
    {{ money('c.mrr') }} as mrr_gross,
    {{ money('0') }} as mrr_discount,
    {{ money('c.mrr') }} as mrr_net,
    false as is_trial,
    false as is_paused,
    c.charge_type = 'Usage' as is_metered,
    s.status as status_at_valid_from,
    'zuora' as source_system
from {{ billing_source('rate_plan_charges') }} as c
join {{ billing_source('rate_plans') }} as r on r.id = c.rate_plan_id
join versions as s on s.id = r.subscription_id and s.recency = 1
where c.charge_type in ('Recurring', 'Usage')
  and (c.effective_end_date is null or c.effective_end_date > c.effective_start_date)
{%- endif %}
