{{ config(materialized='table', enabled=billing_system() != 'none' and crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['identity']) }}
{#- Identity match rate: billing customers by match method, and the share matched; CRM
    accounts with won deals and the share linked to billing. -#}
with by_method as (
    select match_method, count(*) as customers
    from {{ ref('dim_customer') }}
    group by match_method
),
totals as (
    select
        sum(customers) as billing_customers,
        sum(customers) filter (where match_method = 'explicit_id') as matched_explicit_id,
        sum(customers) filter (where match_method = 'email_domain') as matched_email_domain,
        sum(customers) filter (where match_method = 'unmatched') as unmatched_billing
    from by_method
),
crm as (
    select
        count(*) as crm_accounts_with_won_deals,
        count(*) filter (where side is null) as crm_accounts_linked
    from (
        select distinct o.account_id, u.side
        from {{ ref('stg_crm__opportunities') }} as o
        join {{ ref('stg_crm__accounts') }} as a on a.account_id = o.account_id
        left join {{ ref('rpt_identity_unmatched') }} as u on u.side = 'crm' and u.record_id = o.account_id
        where o.is_won
    ) as x
)
select
    t.billing_customers,
    coalesce(t.matched_explicit_id, 0) as matched_explicit_id,
    coalesce(t.matched_email_domain, 0) as matched_email_domain,
    coalesce(t.unmatched_billing, 0) as unmatched_billing,
    cast((coalesce(t.matched_explicit_id, 0) + coalesce(t.matched_email_domain, 0)) as double)
        / nullif(t.billing_customers, 0) as billing_match_rate,
    c.crm_accounts_with_won_deals,
    c.crm_accounts_linked,
    cast(c.crm_accounts_linked as double) / nullif(c.crm_accounts_with_won_deals, 0) as crm_match_rate
from totals as t cross join crm as c
