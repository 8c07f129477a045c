{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['bookings']) }}
{#- Bookings: one row per closed-won opportunity (spec §7); booking_date = close_date.
    tcv = the line items' total (quantity × unit price × (1 - discount)) when the deal has line
    items, else the amount; recurring_tcv = the recurring line items, else the amount.
    contract_term_months = var contract_term_months (default 12). acv = recurring_tcv
    annualised (recurring_tcv / (term / 12)). booked_arr = acv for new_business and expansion;
    for renewal, renewal_arr = acv and renewal_uplift_arr = acv - the prior ARR of the account:
    the ACV of its previous renewal, or without one the ACV of its new_business and expansion
    bookings before this one. *_reporting columns use the close month's rate. -#}
{%- set term = var('contract_term_months', 12) | int %}
with won as (
    select * from {{ ref('dim_opportunity') }}
    where is_won and close_date <= {{ as_of_date() }}
),
lines as (
    select
        opportunity_id,
        sum(total_price) as tcv,
        sum(case when coalesce(is_recurring, true) then total_price else 0 end) as recurring_tcv
    from {{ ref('stg_crm__opportunity_line_items') }}
    group by opportunity_id
),
valued as (
    select
        w.*,
        coalesce(l.tcv, w.amount) as tcv,
        coalesce(l.recurring_tcv, w.amount) as recurring_tcv,
        {{ term }} as contract_term_months
    from won as w
    left join lines as l on l.opportunity_id = w.opportunity_id
),
annual as (
    select
        v.*,
        cast(v.recurring_tcv * 12 / v.contract_term_months as decimal(38, 6)) as acv
    from valued as v
),
prior as (
    select
        a.*,
        coalesce(
            (select p.acv from annual as p
              where p.account_id = a.account_id and p.booking_type = 'renewal'
                and (p.close_date < a.close_date or (p.close_date = a.close_date and p.opportunity_id < a.opportunity_id))
              order by p.close_date desc, p.opportunity_id desc limit 1),
            (select sum(p.acv) from annual as p
              where p.account_id = a.account_id and p.booking_type in ('new_business', 'expansion')
                and (p.close_date < a.close_date or (p.close_date = a.close_date and p.opportunity_id < a.opportunity_id)))
        ) as prior_arr
    from annual as a
)
select
    p.opportunity_id,
    p.account_id,
    p.owner_id,
    p.segment,
    p.close_date as booking_date,
    cast({{ date_trunc('month', 'p.close_date') }} as date) as booking_month,
    p.booking_type,
    p.booking_type_is_fallback,
    p.currency,
    p.amount as booking_amount,
    p.tcv,
    p.recurring_tcv,
    p.contract_term_months,
    p.acv,
    case when p.booking_type in ('new_business', 'expansion') then p.acv else 0 end as booked_arr,
    case when p.booking_type = 'renewal' then p.acv else 0 end as renewal_arr,
    case when p.booking_type = 'renewal' then p.acv - coalesce(p.prior_arr, 0) end as renewal_uplift_arr,
    p.prior_arr,
    {{ reporting_currency() }} as reporting_currency,
    {{ to_reporting('p.amount', 'fx.rate_to_reporting', 'p.currency', date_trunc('month', 'p.close_date')) }} as booking_amount_reporting,
    {{ to_reporting('p.acv', 'fx.rate_to_reporting', 'p.currency', date_trunc('month', 'p.close_date')) }} as acv_reporting,
    {{ to_reporting("case when p.booking_type in ('new_business', 'expansion') then p.acv else 0 end", 'fx.rate_to_reporting', 'p.currency', date_trunc('month', 'p.close_date')) }} as booked_arr_reporting,
    p.days_to_close
from prior as p
left join {{ ref('int_fx_rates_month') }} as fx
  on fx.currency = p.currency and fx.date_month = {{ date_trunc('month', 'p.close_date') }}
