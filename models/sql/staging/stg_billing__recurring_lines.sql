{{ config(enabled=billing_system() != 'none', tags=['staging', 'billing', 'arr']) }}
{#- The canonical billing input (spec §3): one row per subscription item and effective period,
    a piecewise-constant MRR schedule. valid_to is exclusive; NULL means still active.
    Files contract: subscription periods (customer_id, subscription_id, start_date, end_date,
    monthly_amount, currency).
    Stripe (billing_system: stripe, spec §3): the non-proration subscription lines of paid,
    open or uncollectible invoices, each over its billing period, at unit amount × quantity per
    month of the price's interval, less its discounts over the same months (but for the part
    once coupons gave, which is not recurring: spec §4.6; var once_discounts: include keeps it,
    lowering the MRR of that one invoice's months, as Fivetran does); the latest period
    of an item whose subscription has not ended stays open, unless the item was taken off the
    subscription (gone from subscription_items or deleted there): it ends where the credit for
    its unused time starts, else at its period's end. A change in the middle of a period
    (spec §4.2) counts from the change: the next full line's values start where the positive
    proration line billing the rest of the period starts. Items never invoiced count from
    their creation at the price's amount. Metered and one-time prices, proration and one-off
    invoice items are not MRR; periods inside a trial are trial lines.
    Zuora (billing_system: zuora): the recurring charge segments of each subscription's latest
    version, each over [effective_start_date, effective_end_date) at its MRR (Zuora normalises
    MRR to a month; a cancellation ends the segments at the cancellation date). Usage charges
    are metered, one-time charges are not MRR.
    Chargebee (billing_system: chargebee, Product Catalog 2.0; 1.0's plan on the subscription
    too): the billed history where there is one (spec §3): the plan and addon lines
    (plan_item_price, addon_item_price; 1.0: plan, addon) of paid, posted, payment_due or not_paid
    invoices (the rows of each invoice's highest invoice_resource_version), each at its amount
    per billing period of its item price over the months in that period (spec §4.9). The
    billing period is the line's own item price's (its subscription item row's, else the item
    price's period, else the subscription's for its current plan, else, for an item nothing
    records a period for, such as a 1.0 plan the subscription has left, the span of its longest
    line), so a change of billing period at renewal (monthly to yearly or back) re-prices no
    line and makes no movement when the monthly equivalent is unchanged. Of lines of one item
    starting at the same instant the latest invoice's wins. Each line counts from its date_from
    until the item's next line starts (else its date_to). Chargebee marks no line as a
    proration: a line shorter than one full billing period (by more than a day) is a mid-term
    start or a mid-period change (an upgrade, downgrade or quantity change invoiced for the rest
    of the term; the old values' unused time goes to a credit note, which is not MRR: spec
    §4.7), and counts at its unit amount × quantity (a whole period's price) from its date_from,
    so a change counts from the day it was made (spec §4.2), never at its prorated amount. A
    mid-term decrease (seats removed, an addon taken off, a downgrade to a cheaper plan) is
    billed by no invoice line: Chargebee credits the old values' unused time with a credit note
    of reason subscription_change. When the project has credit_note_line_items, such a credit
    line (plan or addon; the rows of each credit note's highest credit_note_resource_version,
    not voided or deleted) starting inside an item's billed line, before the item's next line
    starts, marks the decrease: the line ends at the credit's date_from (the earliest, when
    several fell in one period) and from there the item counts at the values of its line that
    follows (the renewal) or, before the renewal is billed, of the item as it is now; a plan
    taken off gives way there to the plan that replaced it (its first line, the renewal, or the
    current plan when not billed yet); another item taken off ends there. So a decrease counts
    from the day it was made too, symmetric to an increase. Credit notes for anything else
    (refunds, write-offs) are not MRR (spec §4.7); without credit_note_line_items a decrease
    shows from the renewal's line. A plan taken off the subscription ends where the plan that
    replaced it starts inside its last period; another item taken off ends with its last line;
    the latest line of an item still on the subscription stays open until the subscription's
    end (below). Items never invoiced (and
    all items when the project has no invoice_line_items) count, as they are now (the rows of
    the subscription's highest subscription_resource_version: Chargebee sends nothing when an
    item is removed), at the item's amount per billing period over the subscription's paid
    life: from activation (the end of the trial) to the cancellation (cancelled; for
    non_renewing the scheduled one, else the end of the current term) or the transfer, open
    while active.
    Pauses (spec §3: only active and non_renewing subscriptions carry MRR; paused rows
    contribute 0): a paused subscription is paused from its pause_date (else its last update)
    until its resume_date (open when none is set), one with a pause_date before its
    resume_date was paused between them, and a cancelled one with a pause_date and no later
    resume_date was cancelled while paused. Every line of the subscription (items and
    discounts) is cut there: the part inside the pause is a paused line (is_paused, no MRR),
    the parts before and after count, so the pause is a drop to zero (churn when it was the
    customer's only MRR, contraction otherwise, spec §4.1/§4.3; within churn_grace_months a
    contraction and expansion) and the resumption a return (reactivation); with invoices, the
    period billed before the pause stops at the pause and the lines billed after the
    resumption count.
    An in-trial subscription is a trial line (and so is a billed period before its trial_end);
    future ones are left out; one-off charges are not MRR, metered items are metered. The
    lines' discount_amount is not read (it holds one-time and non-MRR discounts too):
    discounts included in MRR (subscription_discounts, and applied coupons without a discount
    row, from the coupon's definition) are lines of their own with the discount in
    mrr_discount: a percentage of the items it applies to (of the item lines in force, so a
    line of its own wherever that base changes), or a fixed amount per billing period;
    forever, or for a limited period from when it was applied (or until its apply_till).
    One-time discounts (duration_type one_time) are not recurring and not MRR (spec §4.6; var
    once_discounts: exclude, the default); once_discounts: include keeps them for the one
    billing period of the subscription from when they were applied (coupons: its start),
    lowering the MRR of that invoice's months, as for Stripe. -#}
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
{%- set once_discounts = var('once_discounts', 'exclude') %}
{%- if once_discounts not in ['exclude', 'include'] %}
{{- exceptions.raise_compiler_error("var once_discounts: expected exclude or include, got '" ~ once_discounts ~ "'") }}
{%- endif %}
{%- set once_out = once_discounts == 'exclude' and source_exists(var('billing_source', 'billing'), 'discounts') %}
with prices as (
    select * from {{ billing_source('prices') }}
),
subs as (
    select * from {{ billing_source('subscriptions') }}
),
{%- if once_out %}
-- each invoice line's discount in minor units (discount_amounts), and the part of it once
-- coupons gave (a discount that is gone from the discounts table counts as recurring)
line_discounts as (
    select
        e.invoice_id, e.line_id,
        sum(e.amount) filter (where d.coupon_duration = 'once') as once_minor,
        sum(e.amount) as all_minor
    from (
        select l.invoice_id, l.id as line_id, u.x.discount as discount, u.x.amount as amount
        from {{ billing_source('invoice_lines') }} as l,
            unnest(from_json(l.discount_amounts, '[{"discount": "VARCHAR", "amount": "BIGINT"}]')) as u(x)
        where l.discount_amounts is not null
    ) as e
    left join {{ billing_source('discounts') }} as d on d.id = e.discount
    group by 1, 2
),
{%- endif %}
-- when a mid-period change took effect (spec §4.2): Stripe bills it as proration lines, the
-- positive one ("remaining time on" the new price or quantity) running from the change to the
-- end of the period, where the item's next full line starts; that line's values count from
-- the change (the earliest, when several changes fell in one period)
changes as (
    select l.subscription_item_id, l.period_end as next_start, min(l.period_start) as changed_at
    from {{ billing_source('invoice_lines') }} as l
    join {{ billing_source('invoices') }} as i on i.id = l.invoice_id
    where l.subscription_item_id is not null
      and coalesce(l.proration, false) and l.amount > 0
      and i.status in ('paid', 'open', 'uncollectible')
      and not coalesce(i.deleted, false) and not coalesce(l.deleted, false)
    group by 1, 2
),
-- items taken off a live subscription: gone from subscription_items, or flagged deleted there;
-- removed_at is where the credit for the period's unused time (a negative proration) starts
removed as (
    select
        l.subscription_item_id,
        min(l.period_start) filter (where coalesce(l.proration, false) and l.amount < 0) as removed_at
    from {{ billing_source('invoice_lines') }} as l
    left join {{ billing_source('subscription_items') }} as it on it.id = l.subscription_item_id
    where l.subscription_item_id is not null and (it.id is null or coalesce(it.deleted, false))
    group by 1
),
invoiced as (
    select
        l.subscription_id, l.subscription_item_id, l.price_id, l.product_id, l.currency,
        l.period_start, l.period_end, coalesce(l.quantity, 1) as quantity,
        coalesce(l.unit_amount, cast(l.unit_amount_decimal as decimal(38, 6))) * coalesce(l.quantity, 1) as amount,
{%- if once_out %}
        coalesce(l.discount_amount, 0)
            - coalesce(cast(l.discount_amount * ld.once_minor / nullif(ld.all_minor, 0) as decimal(38, 6)), 0) as discount,
{%- else %}
        coalesce(l.discount_amount, 0) as discount,
{%- endif %}
        row_number() over (partition by l.subscription_item_id order by l.period_start desc, l.id desc) as recency,
        least(coalesce(c.changed_at, l.period_start), l.period_start) as effective_from
    from {{ billing_source('invoice_lines') }} as l
    join {{ billing_source('invoices') }} as i on i.id = l.invoice_id
    left join changes as c on c.subscription_item_id = l.subscription_item_id and c.next_start = l.period_start
{%- if once_out %}
    left join line_discounts as ld on ld.invoice_id = l.invoice_id and ld.line_id = l.id
{%- endif %}
    where l.subscription_item_id is not null
      and not coalesce(l.proration, false)
      and i.status in ('paid', 'open', 'uncollectible')
      and not coalesce(i.deleted, false) and not coalesce(l.deleted, false)
),
never_invoiced as (
    select
        it.subscription_id, it.id as subscription_item_id, it.price_id, it.product_id, p.currency,
        it.created as period_start, cast(null as timestamp) as period_end, coalesce(it.quantity, 1) as quantity,
        p.unit_amount * coalesce(it.quantity, 1) as amount, 0 as discount, 1 as recency,
        it.created as effective_from
    from {{ billing_source('subscription_items') }} as it
    join prices as p on p.id = it.price_id
    where not coalesce(it.deleted, false)
      and it.id not in (select subscription_item_id from invoiced)
),
periods as (
    select
        *,
        -- a change dated inside a period ends the period's values there
        lead(effective_from) over (partition by subscription_item_id order by period_start) as next_from
    from (
        select * from invoiced
        union all
        select * from never_invoiced
    ) as u
)
select
    s.customer_id,
    x.subscription_id,
    x.subscription_item_id,
    x.product_id,
    x.price_id as plan_id,
    upper(x.currency) as currency,
    x.effective_from as valid_from,
    case
        when x.recency = 1 and r.subscription_item_id is not null then
            least(coalesce(r.removed_at, x.period_end), x.period_end, coalesce(s.ended_at, x.period_end))
        when x.recency = 1 and s.ended_at is null then null
        when x.recency = 1 then s.ended_at
        else least(x.period_end, coalesce(x.next_from, x.period_end))
    end as valid_to,
    cast(x.quantity as decimal(38, 6)) as quantity,
    {{ monthly_amount('x.amount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_gross,
    {{ monthly_amount('x.discount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_discount,
    {{ monthly_amount('x.amount - x.discount', 'p.recurring_interval', 'p.recurring_interval_count') }} as mrr_net,
    s.trial_end is not null and x.effective_from < s.trial_end as is_trial,
    coalesce(s.status = 'paused', false) as is_paused,
    coalesce(p.recurring_usage_type = 'metered', false) as is_metered,
    s.status as status_at_valid_from,
    'stripe' as source_system
from periods as x
join subs as s on s.id = x.subscription_id
join prices as p on p.id = x.price_id
left join removed as r on r.subscription_item_id = x.subscription_item_id
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
{%- elif billing_system() == 'chargebee' %}
{%- set src = var('billing_source', 'billing') %}
{%- set once_discounts = var('once_discounts', 'exclude') %}
{%- if once_discounts not in ['exclude', 'include'] %}
{{- exceptions.raise_compiler_error("var once_discounts: expected exclude or include, got '" ~ once_discounts ~ "'") }}
{%- endif %}
{%- set catalog = source_exists(src, 'item_prices') and source_exists(src, 'items') %}
{%- set has_discounts = source_exists(src, 'subscription_discounts') %}
{%- set has_coupons = source_exists(src, 'subscription_coupons') and source_exists(src, 'coupons') %}
{%- set has_invoices = source_exists(src, 'invoice_line_items') %}
{%- set has_credits = has_invoices and source_exists(src, 'credit_note_line_items') %}
with subs as (
    select
        id as subscription_id,
        customer_id,
        status,
        upper(currency_code) as currency,
        billing_period,
        billing_period_unit,
        plan_id,
        plan_quantity,
        plan_unit_price,
        plan_amount,
        cast(trial_end as timestamp) as trial_end,
        cast(case when status = 'in_trial' then coalesce(trial_start, started_at, created_at)
                  else coalesce(activated_at, trial_end, started_at, start_date, created_at) end as timestamp) as valid_from,
        cast(case status
                 when 'cancelled' then coalesce(cancelled_at, current_term_end, updated_at)
                 when 'non_renewing' then coalesce(cancelled_at, current_term_end)
                 when 'transferred' then coalesce(cancelled_at, updated_at)
             end as timestamp) as valid_to,
        -- the pause: a paused subscription's from its pause_date (until its resume_date, if
        -- one is set), a pause that is over (or scheduled with its resumption), and the pause
        -- a subscription was cancelled in
        cast(case when status = 'paused' then coalesce(pause_date, updated_at)
                  when pause_date is not null and resume_date > pause_date then pause_date
                  when status in ('cancelled', 'transferred') then pause_date end as timestamp) as paused_from,
        cast(case when resume_date > coalesce(pause_date, updated_at)
                       and (status = 'paused' or pause_date is not null) then resume_date end as timestamp) as paused_to
    from {{ billing_source('subscriptions') }}
    where not coalesce(deleted, false)
      and status <> 'future'
),
-- a subscription's child rows are current when they carry its highest resource version
item_rows as (
    select i.*, max(i.subscription_resource_version) over (partition by i.subscription_id) as latest_version
    from {{ billing_source('subscription_items') }} as i
),
items as (
    select
        subscription_id,
        item_price_id,
        item_type,
        coalesce(cast(quantity as decimal(38, 6)), cast(nullif(quantity_in_decimal, '') as decimal(38, 6)), 1) as quantity,
        coalesce(amount, cast(nullif(amount_in_decimal, '') as decimal(38, 6)), unit_price * coalesce(quantity, 1)) as amount,
        billing_period,
        billing_period_unit
    from item_rows
    where subscription_resource_version is not distinct from latest_version
      and not coalesce(deleted, false)
      and item_type in ('plan', 'addon')
      and not coalesce(charge_once, false)
    union all
    -- Product Catalog 1.0: the plan is on the subscription
    select
        subscription_id, plan_id, 'plan', cast(coalesce(plan_quantity, 1) as decimal(38, 6)),
        coalesce(plan_amount, plan_unit_price * coalesce(plan_quantity, 1)), billing_period, billing_period_unit
    from subs
    where plan_id is not null
      and subscription_id not in (select subscription_id from item_rows)
),
{%- if has_invoices %}
-- the billed history: plan and addon lines of the current rows of invoices that stand
-- (not voided or pending), the latest invoice's line where an item has two for one start
line_rows as (
    select l.*, max(l.invoice_resource_version) over (partition by l.invoice_id) as latest_version
    from {{ billing_source('invoice_line_items') }} as l
),
billed as (
    select
        l.subscription_id,
        l.entity_id as item_price_id,
        case when l.entity_type in ('plan_item_price', 'plan') then 'plan' else 'addon' end as item_type,
        cast(l.date_from as timestamp) as date_from,
        cast(l.date_to as timestamp) as date_to,
        coalesce(cast(l.quantity as decimal(38, 6)), cast(nullif(l.quantity_in_decimal, '') as decimal(38, 6)), 1) as quantity,
        coalesce(l.unit_amount, cast(nullif(l.unit_amount_in_decimal, '') as decimal(38, 6))) as unit_amount,
        coalesce(l.amount, cast(nullif(l.amount_in_decimal, '') as decimal(38, 6))) as amount,
        row_number() over (partition by l.subscription_id, l.entity_id, l.date_from
                           order by l.invoice_date desc, l.invoice_id desc, l.id desc) as duplicate
    from line_rows as l
    where l.invoice_resource_version is not distinct from l.latest_version
      and not coalesce(l.deleted, false)
      and l.invoice_status in ('paid', 'posted', 'payment_due', 'not_paid')
      and l.entity_type in ('plan_item_price', 'addon_item_price', 'plan', 'addon')
      and l.subscription_id is not null and l.entity_id is not null
      and l.date_from is not null and l.date_to > l.date_from
),
-- an item price's billing period: its latest subscription item row's, else (Product Catalog
-- 2.0) the item price's, else the subscription's for its current plan; else (an item, such as
-- a Product Catalog 1.0 plan the subscription has left, whose period nothing records) the
-- period its longest line spans, so a change of billing period never re-prices earlier lines
item_periods as (
    select subscription_id, item_price_id, billing_period, billing_period_unit,
        row_number() over (partition by subscription_id, item_price_id
                           order by subscription_resource_version desc nulls last) as recency
    from {{ billing_source('subscription_items') }}
    where billing_period is not null and billing_period_unit is not null
),
{%- if catalog %}
price_periods as (
    select id as item_price_id, any_value(period) as billing_period, any_value(period_unit) as billing_period_unit
    from {{ billing_source('item_prices') }}
    where period is not null and period_unit is not null
    group by 1
),
{%- endif %}
line_spans as (
    select subscription_id, item_price_id, max({{ datediff('day', 'date_from', 'date_to') }}) as days
    from billed
    where duplicate = 1
    group by 1, 2
),
billed_periods as (
    select
        b.*,
        case
            when p.billing_period is not null then p.billing_period
{%- if catalog %}
            when c.billing_period is not null then c.billing_period
{%- endif %}
            when b.item_price_id = s.plan_id or n.days is null then s.billing_period
            when n.days >= 15 then greatest(cast(round(n.days / 30.4375) as integer), 1)
            when n.days % 7 = 0 then n.days // 7
            else n.days
        end as billing_period,
        case
            when p.billing_period is not null then p.billing_period_unit
{%- if catalog %}
            when c.billing_period is not null then c.billing_period_unit
{%- endif %}
            when b.item_price_id = s.plan_id or n.days is null then s.billing_period_unit
            when n.days >= 15 then 'month'
            when n.days % 7 = 0 then 'week'
            else 'day'
        end as billing_period_unit
    from billed as b
    join subs as s on s.subscription_id = b.subscription_id
    left join item_periods as p
        on p.subscription_id = b.subscription_id and p.item_price_id = b.item_price_id and p.recency = 1
{%- if catalog %}
    left join price_periods as c on c.item_price_id = b.item_price_id
{%- endif %}
    left join line_spans as n on n.subscription_id = b.subscription_id and n.item_price_id = b.item_price_id
    where b.duplicate = 1
),
-- a line shorter than one full billing period is a mid-term start (or a new plan, or a
-- return after a gap) or, when an earlier line of the item still runs at its start, a change
-- in the middle of that period (spec §4.2)
billed_shapes as (
    select
        *,
        case when is_short then coalesce(unit_amount * quantity, amount) else coalesce(amount, unit_amount * quantity) end as full_amount,
        coalesce(is_short and max(date_to) over (partition by subscription_id, item_price_id order by date_from
                                                 rows between unbounded preceding and 1 preceding) > date_from, false) as is_change,
        row_number() over (partition by subscription_id, item_price_id order by date_from desc) as recency
    from (
        select
            *,
            coalesce(date_to < case lower(billing_period_unit)
                when 'day' then {{ dateadd('day', 'billing_period', 'date_from') }}
                when 'week' then {{ dateadd('week', 'billing_period', 'date_from') }}
                when 'month' then {{ dateadd('month', 'billing_period', 'date_from') }}
                when 'year' then {{ dateadd('year', 'billing_period', 'date_from') }}
            end - interval 1 day, false) as is_short
        from billed_periods
    ) as x
),
-- every line counts from its date_from until the item's next line starts. A short line counts
-- at its unit amount × quantity (a whole period's price), never at its prorated amount; a
-- change's line (which Chargebee bills for the added quantity only, or at the new price and
-- quantity with a credit note for the old) counts with the values of the item's next full
-- line (the renewal), or, before the renewal is billed, of the item as it is now
billed_lines as (
    select
        c.subscription_id, c.item_price_id, c.item_type, c.date_from, c.date_to,
        case when c.is_change and n.date_from is not null then n.quantity
             when c.is_change and c.recency = 1 and i.item_price_id is not null then i.quantity
             else c.quantity end as quantity,
        case when c.is_change and n.date_from is not null then n.full_amount
             when c.is_change and c.recency = 1 and i.item_price_id is not null then i.amount
             else c.full_amount end as amount,
        c.billing_period, c.billing_period_unit, c.recency,
        lead(c.date_from) over (partition by c.subscription_id, c.item_price_id order by c.date_from) as next_from,
        c.date_from = min(c.date_from) over (partition by c.subscription_id, c.item_price_id) as is_first
    from billed_shapes as c
    left join billed_shapes as n
        on c.is_change and n.subscription_id = c.subscription_id and n.item_price_id = c.item_price_id
       and n.date_from = c.date_to
    left join items as i
        on c.is_change and i.subscription_id = c.subscription_id and i.item_price_id = c.item_price_id
),
-- a plan taken off the subscription in the middle of a term ends where the plan that replaced
-- it starts (its first line, inside the old plan's last period: spec §4.2)
replaced as (
    select o.subscription_id, o.item_price_id, min(n.date_from) as replaced_at
    from billed_lines as o
    join billed_lines as n
        on n.subscription_id = o.subscription_id and n.item_type = 'plan' and n.item_price_id <> o.item_price_id
       and n.is_first and n.date_from > o.date_from and n.date_from < o.date_to
    where o.recency = 1 and o.item_type = 'plan'
      and not exists (select 1 from items as i
                      where i.subscription_id = o.subscription_id and i.item_price_id = o.item_price_id)
    group by 1, 2
),
-- where each billed line ends: the latest line of an item still on the subscription stays open
-- until the subscription's end; another line ends where the item's next line starts, where the
-- plan that replaced it starts, or with its period
billed_spans as (
    select
        b.*,
        coalesce(b.date_from < s.trial_end, false) as before_trial_end,
        exists (select 1 from items as i
                where i.subscription_id = b.subscription_id and i.item_price_id = b.item_price_id) as is_on,
        case
            when b.recency = 1 and exists (select 1 from items as i
                                           where i.subscription_id = b.subscription_id
                                             and i.item_price_id = b.item_price_id) then s.valid_to
            else least(b.date_to, coalesce(b.next_from, b.date_to), coalesce(r.replaced_at, b.date_to),
                       coalesce(s.valid_to, b.date_to))
        end as valid_to
    from billed_lines as b
    join subs as s on s.subscription_id = b.subscription_id
    left join replaced as r on r.subscription_id = b.subscription_id and r.item_price_id = b.item_price_id and b.recency = 1
),
{%- if has_credits %}
-- a mid-term decrease (seats removed, an item taken off, a downgrade) is billed by no invoice
-- line: Chargebee credits the old values' unused time, [date_from, date_to) to the end of the
-- term, with a credit note of reason subscription_change (the current rows of credit notes
-- that stand: not voided, not deleted). Credits for anything else (refunds, write-offs) are
-- not MRR (spec §4.7)
credit_rows as (
    select c.*, max(c.credit_note_resource_version) over (partition by c.credit_note_id) as latest_version
    from {{ billing_source('credit_note_line_items') }} as c
),
credits as (
    select c.subscription_id, c.entity_id as item_price_id, cast(c.date_from as timestamp) as changed_at
    from credit_rows as c
    where c.credit_note_resource_version is not distinct from c.latest_version
      and not coalesce(c.deleted, false)
      and coalesce(c.credit_note_status, '') <> 'voided'
      and (c.credit_note_reason_code = 'subscription_change' or c.credit_note_create_reason_code = 'subscription_change')
      and c.entity_type in ('plan_item_price', 'addon_item_price', 'plan', 'addon')
      and c.subscription_id is not null and c.entity_id is not null
      and c.date_from is not null and c.date_to > c.date_from
),
-- the billed line a decrease falls in (a credit starting inside it, before the item's next
-- line starts): the line ends at the change (the earliest, when several fell in one period;
-- spec §4.2), and what follows it counts from there
decreases as (
    select b.subscription_id, b.item_price_id, b.date_from, min(c.changed_at) as changed_at
    from billed_spans as b
    join credits as c
        on c.subscription_id = b.subscription_id and c.item_price_id = b.item_price_id
       and c.changed_at > b.date_from and c.changed_at < least(b.date_to, coalesce(b.next_from, b.date_to))
       and (b.valid_to is null or c.changed_at < b.valid_to)
    group by 1, 2, 3
),
-- from the change: the item at the values of its line that follows (the renewal), or, before
-- the renewal is billed, of the item as it is now; a plan taken off gives way to the plan
-- that replaced it (its first line, the renewal); an item taken off ends at the change
decreased as (
    select
        b.subscription_id, b.item_price_id, b.item_type, coalesce(n.quantity, i.quantity) as quantity,
        coalesce(n.amount, i.amount) as amount, b.billing_period, b.billing_period_unit,
        coalesce(d.changed_at < s.trial_end, false) as before_trial_end, d.changed_at as valid_from, b.valid_to
    from decreases as d
    join billed_spans as b
        on b.subscription_id = d.subscription_id and b.item_price_id = d.item_price_id and b.date_from = d.date_from
    join subs as s on s.subscription_id = b.subscription_id
    left join billed_lines as n
        on n.subscription_id = b.subscription_id and n.item_price_id = b.item_price_id
       and n.date_from = b.date_to and b.next_from = b.date_to
    left join items as i
        on b.recency = 1 and i.subscription_id = b.subscription_id and i.item_price_id = b.item_price_id
    where n.date_from is not null or i.item_price_id is not null
    union all
    select
        p.subscription_id, p.item_price_id, p.item_type, p.quantity, p.amount, p.billing_period, p.billing_period_unit,
        coalesce(d.changed_at < s.trial_end, false), d.changed_at, b.date_to
    from decreases as d
    join billed_spans as b
        on b.subscription_id = d.subscription_id and b.item_price_id = d.item_price_id and b.date_from = d.date_from
    join subs as s on s.subscription_id = b.subscription_id
    join billed_lines as p
        on p.subscription_id = b.subscription_id and p.item_type = 'plan' and p.item_price_id <> b.item_price_id
       and p.is_first and p.date_from = b.date_to
    where b.item_type = 'plan' and b.recency = 1 and not b.is_on
),
-- a plan replaced mid-term whose successor is not billed yet: the successor counts from the
-- change
switches as (
    select b.subscription_id, min(d.changed_at) as changed_at
    from decreases as d
    join billed_spans as b
        on b.subscription_id = d.subscription_id and b.item_price_id = d.item_price_id and b.date_from = d.date_from
    where b.item_type = 'plan' and b.recency = 1 and not b.is_on
    group by 1
),
{%- endif %}
{%- endif %}
-- each item's periods: its billed lines, else the item as it is now over the paid life
periods as (
{%- if has_invoices %}
    select
        b.subscription_id, b.item_price_id, b.item_type, b.quantity, b.amount, b.billing_period,
        b.billing_period_unit, b.before_trial_end, b.date_from as valid_from,
{%- if has_credits %}
        case when d.changed_at is null then b.valid_to
             when b.valid_to is null or d.changed_at < b.valid_to then d.changed_at
             else b.valid_to end as valid_to
    from billed_spans as b
    left join decreases as d
        on d.subscription_id = b.subscription_id and d.item_price_id = b.item_price_id and d.date_from = b.date_from
    union all
    select
        subscription_id, item_price_id, item_type, quantity, amount, billing_period, billing_period_unit,
        before_trial_end, valid_from, valid_to
    from decreased
{%- else %}
        b.valid_to
    from billed_spans as b
{%- endif %}
    union all
{%- endif %}
    select
        i.subscription_id, i.item_price_id, i.item_type, i.quantity, i.amount, i.billing_period,
        i.billing_period_unit, false as before_trial_end,
{%- if has_credits %}
        case when w.changed_at > s.valid_from and i.item_type = 'plan' then w.changed_at else s.valid_from end,
{%- else %}
        s.valid_from,
{%- endif %}
        s.valid_to
    from items as i
    join subs as s on s.subscription_id = i.subscription_id
{%- if has_credits %}
    left join switches as w on w.subscription_id = i.subscription_id
{%- endif %}
{%- if has_invoices %}
    where not exists (select 1 from billed_lines as b
                      where b.subscription_id = i.subscription_id and b.item_price_id = i.item_price_id)
{%- endif %}
),
item_lines as (
    select
        s.customer_id,
        s.subscription_id,
        s.subscription_id || '/' || i.item_price_id as subscription_item_id,
{%- if catalog %}
        p.item_id as product_id,
{%- else %}
        cast(null as varchar) as product_id,
{%- endif %}
        i.item_price_id as plan_id,
        i.item_type,
        s.currency,
        i.valid_from,
        i.valid_to,
        i.quantity,
        i.billing_period,
        i.billing_period_unit,
        {{ monthly_amount('i.amount', 'i.billing_period_unit', 'i.billing_period') }} as mrr_gross,
        s.status = 'in_trial' or i.before_trial_end as is_trial,
{%- if catalog %}
        coalesce(it.metered, false) as is_metered,
{%- else %}
        false as is_metered,
{%- endif %}
        s.status
    from periods as i
    join subs as s on s.subscription_id = i.subscription_id
{%- if catalog %}
    left join {{ billing_source('item_prices') }} as p on p.id = i.item_price_id
    left join {{ billing_source('items') }} as it on it.id = p.item_id
{%- endif %}
){% if has_discounts or has_coupons %},
{%- if has_discounts %}
discount_rows as (
    select d.*, max(d.subscription_resource_version) over (partition by d.subscription_id) as latest_version
    from {{ billing_source('subscription_discounts') }} as d
),
{%- endif %}
{%- if has_coupons %}
coupon_rows as (
    select c.*, max(c.subscription_resource_version) over (partition by c.subscription_id) as latest_version
    from {{ billing_source('subscription_coupons') }} as c
),
{%- endif %}
-- the discounts included in MRR, and applied coupons that no discount row stands for
discounts as (
{%- if has_discounts %}
    select
        subscription_id, 'discount/' || id as discount_id, type, percentage, amount, duration_type,
        period, period_unit, coalesce(apply_on, 'invoice_amount') as apply_on, item_price_id,
        cast(null as varchar) as item_constraints,
        cast(created_at as timestamp) as applied_at, cast(apply_till as timestamp) as apply_till
    from discount_rows
    where subscription_resource_version is not distinct from latest_version
      and not coalesce(deleted, false)
      and coalesce(included_in_mrr, true)
{%- endif %}
{%- if has_discounts and has_coupons %}
    union all
{%- endif %}
{%- if has_coupons %}
    select
        a.subscription_id, 'coupon/' || a.coupon_id, c.discount_type, c.discount_percentage, c.discount_amount,
        c.duration_type, coalesce(c.period, c.duration_month), case when c.period is null then 'month' else c.period_unit end,
        coalesce(c.apply_on, 'invoice_amount'), cast(null as varchar), cast(c.item_constraints as varchar),
        cast(null as timestamp), cast(a.apply_till as timestamp)
    from coupon_rows as a
    join {{ billing_source('coupons') }} as c on c.id = a.coupon_id
    where a.subscription_resource_version is not distinct from a.latest_version
      and not coalesce(a.deleted, false)
{%- if has_discounts %}
      and not exists (
          select 1 from discount_rows as d
          where d.subscription_id = a.subscription_id and d.coupon_id = a.coupon_id
            and d.subscription_resource_version is not distinct from d.latest_version)
{%- endif %}
{%- endif %}
),
-- when each discount applies: from when it was applied (coupons: the subscription's start)
-- for its limited period or until apply_till, or as long as the subscription (forever); a
-- one-time discount (once_discounts: include) for the one billing period of the
-- subscription that it was applied to
discount_windows as (
    select
        d.*,
        s.customer_id, s.currency, s.status, s.billing_period as subscription_period,
        s.billing_period_unit as subscription_period_unit,
        case when d.applied_at is null or d.applied_at < s.valid_from then s.valid_from else d.applied_at end as valid_from,
        case when d.duration_type = 'limited_period' then coalesce(d.apply_till,
            case d.period_unit
                when 'day' then {{ dateadd('day', 'd.period', 'coalesce(d.applied_at, s.valid_from)') }}
                when 'week' then {{ dateadd('week', 'd.period', 'coalesce(d.applied_at, s.valid_from)') }}
                when 'month' then {{ dateadd('month', 'd.period', 'coalesce(d.applied_at, s.valid_from)') }}
                when 'year' then {{ dateadd('year', 'd.period', 'coalesce(d.applied_at, s.valid_from)') }}
            end)
{%- if once_discounts == 'include' %}
            when d.duration_type = 'one_time' then coalesce(d.apply_till,
            case lower(s.billing_period_unit)
                when 'day' then {{ dateadd('day', 's.billing_period', 'greatest(coalesce(d.applied_at, s.valid_from), s.valid_from)') }}
                when 'week' then {{ dateadd('week', 's.billing_period', 'greatest(coalesce(d.applied_at, s.valid_from), s.valid_from)') }}
                when 'month' then {{ dateadd('month', 's.billing_period', 'greatest(coalesce(d.applied_at, s.valid_from), s.valid_from)') }}
                when 'year' then {{ dateadd('year', 's.billing_period', 'greatest(coalesce(d.applied_at, s.valid_from), s.valid_from)') }}
            end)
{%- endif %}
        end as discount_end,
        s.valid_to as subscription_end
    from discounts as d
    join subs as s on s.subscription_id = d.subscription_id
{%- if once_discounts == 'exclude' %}
    where coalesce(d.duration_type, 'forever') <> 'one_time'
{%- endif %}
),
-- the items each discount applies to: a given item price; or, for a coupon on specified items,
-- the item types it allows whole ('all') and the item prices it lists ('specific'); or all
discount_items as (
    select w.subscription_id, w.discount_id, l.mrr_gross, l.billing_period, l.billing_period_unit, l.valid_from, l.valid_to
    from discount_windows as w
    join item_lines as l on l.subscription_id = w.subscription_id and not l.is_metered
    where case
        when w.item_price_id is not null then l.plan_id = w.item_price_id
        when w.apply_on = 'each_specified_item' then coalesce(list_contains(list_transform(
                 cast(json_extract(w.item_constraints, '$[*]') as json[]),
                 k -> case json_extract_string(k, '$.constraint')
                          when 'all' then json_extract_string(k, '$.item_type') = l.item_type
                          when 'specific' then json_extract_string(k, '$.item_type') = l.item_type
                               and json_contains(json_extract(k, '$.item_price_ids'), to_json(l.plan_id))
                          else false end), true), false)
        else true end
),
discount_spans as (
    select
        w.*,
        case when w.discount_end is null then w.subscription_end
             when w.subscription_end is null or w.discount_end < w.subscription_end then w.discount_end
             else w.subscription_end end as valid_to_
    from discount_windows as w
),
-- a discount's segments: cut wherever an item line it applies to starts or ends inside it
discount_breaks as (
    select subscription_id, discount_id, valid_from as segment_from from discount_spans
    union
    select d.subscription_id, d.discount_id, x.at
    from discount_spans as d
    join (select subscription_id, discount_id, valid_from as at from discount_items
          union all
          select subscription_id, discount_id, valid_to from discount_items where valid_to is not null) as x
        on x.subscription_id = d.subscription_id and x.discount_id = d.discount_id
    where x.at > d.valid_from and (d.valid_to_ is null or x.at < d.valid_to_)
),
discount_segments as (
    select
        d.*,
        b.segment_from,
        coalesce(lead(b.segment_from) over (partition by d.subscription_id, d.discount_id order by b.segment_from),
                 d.valid_to_) as segment_to
    from discount_spans as d
    join discount_breaks as b on b.subscription_id = d.subscription_id and b.discount_id = d.discount_id
),
discount_amounts as (
    select
        w.customer_id, w.subscription_id, w.discount_id, w.currency, w.status, w.segment_from, w.segment_to,
        case
            when w.type = 'percentage'
            then cast(w.percentage * (select coalesce(sum(i.mrr_gross), 0) from discount_items as i
                                      where i.subscription_id = w.subscription_id and i.discount_id = w.discount_id
                                        and i.valid_from <= w.segment_from
                                        and (i.valid_to is null or i.valid_to > w.segment_from)) / 100
                      as decimal(38, 6))
            when w.item_price_id is not null
            then (select max({{ monthly_amount('w.amount', 'i.billing_period_unit', 'i.billing_period') }})
                  from discount_items as i where i.subscription_id = w.subscription_id and i.discount_id = w.discount_id)
            else {{ monthly_amount('w.amount', 'w.subscription_period_unit', 'w.subscription_period') }}
        end as mrr_discount
    from discount_segments as w
),
-- consecutive segments of one amount are one line
discount_islands as (
    select
        *,
        sum(case when mrr_discount is not distinct from previous_discount then 0 else 1 end)
            over (partition by subscription_id, discount_id order by segment_from rows unbounded preceding) as island
    from (
        select *, lag(mrr_discount) over (partition by subscription_id, discount_id order by segment_from) as previous_discount
        from discount_amounts
    ) as x
),
discount_lines as (
    select
        customer_id,
        subscription_id,
        subscription_id || '/' || discount_id as subscription_item_id,
        currency,
        min(segment_from) as valid_from,
        case when bool_or(segment_to is null) then null else max(segment_to) end as valid_to,
        any_value(status) as status,
        any_value(mrr_discount) as mrr_discount
    from discount_islands
    group by customer_id, subscription_id, discount_id, currency, island
){% endif %},
-- the item lines and discount lines
all_lines as (
    select
        customer_id, subscription_id, subscription_item_id, product_id, plan_id, currency, valid_from, valid_to,
        quantity, mrr_gross, {{ money('0') }} as mrr_discount, mrr_gross as mrr_net, is_trial, is_metered, status
    from item_lines
{%- if has_discounts or has_coupons %}
    union all
    select
        customer_id, subscription_id, subscription_item_id, cast(null as varchar), cast(null as varchar), currency,
        valid_from, valid_to, {{ money('1') }}, {{ money('0') }}, mrr_discount, -mrr_discount, status = 'in_trial',
        false, status
    from discount_lines
    where coalesce(mrr_discount, 0) <> 0
{%- endif %}
),
-- a pause cuts each line in three: before it, during it (a paused line, no MRR: spec §3), and
-- after the resumption
pieces as (
    select l.*, l.valid_from as piece_from,
        case when s.paused_from is not null and (l.valid_to is null or l.valid_to > s.paused_from) then s.paused_from
             else l.valid_to end as piece_to,
        false as is_paused
    from all_lines as l
    join subs as s on s.subscription_id = l.subscription_id
    where s.paused_from is null or l.valid_from < s.paused_from
    union all
    select l.*, greatest(l.valid_from, s.paused_from),
        case when s.paused_to is not null and (l.valid_to is null or l.valid_to > s.paused_to) then s.paused_to
             else l.valid_to end,
        true
    from all_lines as l
    join subs as s on s.subscription_id = l.subscription_id
    where s.paused_from is not null
      and (l.valid_to is null or l.valid_to > s.paused_from)
      and (s.paused_to is null or l.valid_from < s.paused_to)
    union all
    select l.*, greatest(l.valid_from, s.paused_to), l.valid_to, false
    from all_lines as l
    join subs as s on s.subscription_id = l.subscription_id
    where s.paused_from is not null and s.paused_to is not null
      and (l.valid_to is null or l.valid_to > s.paused_to)
)
select
    customer_id,
    subscription_id,
    subscription_item_id,
    product_id,
    plan_id,
    currency,
    piece_from as valid_from,
    piece_to as valid_to,
    quantity,
    mrr_gross,
    mrr_discount,
    mrr_net,
    is_trial,
    is_paused,
    is_metered,
    status as status_at_valid_from,
    'chargebee' as source_system
from pieces
where piece_to is null or piece_to > piece_from
{%- endif %}
