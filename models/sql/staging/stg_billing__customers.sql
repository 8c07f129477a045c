{{ config(enabled=billing_system() != 'none', tags=['staging', 'billing']) }}
{#- Billing customers, with the CRM account id when the billing system records one (the
    explicit mapping dim_customer uses first). Files contract: a customers table (customer_id,
    name, email, crm_account_id) is optional; without one, the customers are the distinct
    customer ids of the subscription periods, matched to the CRM only when their id is the
    CRM account id. Stripe: the CRM account id is read from the customer's metadata key
    var stripe_crm_account_metadata_key (default crm_account_id). Zuora: accounts, with their
    CrmId and the bill-to contact's work email. Chargebee: customers (the company, else the
    person's name), with the CRM account id under the key var chargebee_crm_account_key (default
    crm_account_id) of the customer's meta_data, or the custom field of that name (cf_…). -#}
{%- if billing_system() == 'files' and source_exists(var('billing_source', 'billing'), 'customers') %}
select
    cast(customer_id as varchar) as customer_id,
    name,
    email,
    {{ email_domain('email') }} as email_domain,
    nullif(cast(crm_account_id as varchar), '') as crm_account_id,
    'files' as source_system
from {{ billing_source('customers') }}
{%- elif billing_system() == 'files' %}
select distinct
    cast(customer_id as varchar) as customer_id,
    cast(null as varchar) as name,
    cast(null as varchar) as email,
    cast(null as varchar) as email_domain,
    cast(customer_id as varchar) as crm_account_id,
    'files' as source_system
from {{ billing_source('subscriptions') }}
{%- elif billing_system() == 'stripe' %}
select
    id as customer_id,
    name,
    email,
    {{ email_domain('email') }} as email_domain,
    nullif(json_extract_string(metadata, '$.' || {{ literal(var('stripe_crm_account_metadata_key', 'crm_account_id')) }}), '') as crm_account_id,
    'stripe' as source_system
from {{ billing_source('customers') }}
where not coalesce(deleted, false)
{%- elif billing_system() == 'zuora' %}
select
    a.id as customer_id,
    a.name,
    c.work_email as email,
    {{ email_domain('c.work_email') }} as email_domain,
    nullif(trim(a.crm_id), '') as crm_account_id,
    'zuora' as source_system
from {{ billing_source('accounts') }} as a
left join {{ billing_source('contacts') }} as c on c.id = a.bill_to_id
{%- elif billing_system() == 'chargebee' %}
{%- set key_path = literal('$."' ~ var('chargebee_crm_account_key', 'crm_account_id') ~ '"') %}
select
    id as customer_id,
    coalesce(nullif(trim(company), ''), nullif(trim(concat_ws(' ', first_name, last_name)), '')) as name,
    email,
    {{ email_domain('email') }} as email_domain,
    nullif(trim(coalesce(json_extract_string(meta_data, {{ key_path }}), json_extract_string(_extra, {{ key_path }}))), '') as crm_account_id,
    'chargebee' as source_system
from {{ billing_source('customers') }}
where not coalesce(deleted, false)
{%- endif %}
