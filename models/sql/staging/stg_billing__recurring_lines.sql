{{ config(enabled=billing_system() != 'none', tags=['staging', 'billing', 'arr']) }}
{#- The canonical billing input (spec §3): one row per subscription item and effective period,
    a piecewise-constant MRR schedule. valid_to is exclusive; NULL means still active.
    Files contract: subscription periods (customer_id, subscription_id, start_date, end_date,
    monthly_amount, currency). -#}
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
{%- endif %}
