{{ config(materialized='table', enabled=billing_system() != 'none', tags=['identity', 'arr']) }}
{#- One row per billing customer, linked to a CRM account: first by the explicit id the billing
    system records (crm_account_id), then by normalized email domain when exactly one live CRM
    account has that domain. customer_key is the account id when matched, else the billing
    customer id: it is the customer of every ARR model. -#}
with customers as (
    select * from {{ ref('stg_billing__customers') }}
){% if crm_enabled(['accounts']) %},
accounts as (
    select account_id, name, domain, segment, region from {{ ref('stg_crm__accounts') }}
),
unique_domains as (
    select domain, min(account_id) as account_id
    from accounts
    where domain is not null
    group by domain
    having count(*) = 1
),
matched as (
    select
        c.*,
        case
            when a.account_id is not null then a.account_id
            when c.crm_account_id is null then d.account_id
        end as account_id,
        case
            when a.account_id is not null then 'explicit_id'
            when c.crm_account_id is null and d.account_id is not null then 'email_domain'
            else 'unmatched'
        end as match_method
    from customers as c
    left join accounts as a on a.account_id = c.crm_account_id
    left join unique_domains as d on d.domain = c.email_domain
)
select
    coalesce(m.account_id, m.customer_id) as customer_key,
    m.customer_id,
    m.account_id,
    m.match_method,
    m.crm_account_id,
    m.name as customer_name,
    a.name as account_name,
    m.email_domain,
    a.segment,
    a.region,
    m.source_system
from matched as m
left join accounts as a on a.account_id = m.account_id
{%- else %}
select
    customer_id as customer_key,
    customer_id,
    cast(null as varchar) as account_id,
    'unmatched' as match_method,
    crm_account_id,
    name as customer_name,
    cast(null as varchar) as account_name,
    email_domain,
    cast(null as varchar) as segment,
    cast(null as varchar) as region,
    source_system
from customers
{%- endif %}
