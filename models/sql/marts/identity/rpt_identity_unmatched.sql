{{ config(materialized='table', enabled=billing_system() != 'none' and crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['identity']) }}
{#- The records identity resolution could not link, on both sides: billing customers with no
    CRM account (side = billing), and CRM accounts with a won deal but no billing customer
    (side = crm). reason says why. -#}
with linked as (
    select distinct account_id from {{ ref('dim_customer') }} where account_id is not null
),
won as (
    select account_id, min(close_date) as first_won_date, sum(amount) as won_amount
    from {{ ref('stg_crm__opportunities') }}
    where is_won
    group by account_id
)
select
    'billing' as side,
    c.customer_id as record_id,
    c.customer_name as name,
    c.email_domain as domain,
    case
        when c.crm_account_id is not null then 'crm_account_id names no live CRM account'
        when c.email_domain is null then 'no email domain and no crm_account_id'
        else 'no CRM account with this domain, or several'
    end as reason
from {{ ref('dim_customer') }} as c
where c.match_method = 'unmatched'
union all
select
    'crm' as side,
    a.account_id as record_id,
    a.name,
    a.domain,
    'won deals (first ' || cast(w.first_won_date as varchar) || ') but no billing customer' as reason
from {{ ref('stg_crm__accounts') }} as a
join won as w on w.account_id = a.account_id
where a.account_id not in (select account_id from linked)
