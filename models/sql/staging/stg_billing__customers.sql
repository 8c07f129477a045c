{{ config(enabled=billing_system() != 'none', tags=['staging', 'billing']) }}
{#- Billing customers, with the CRM account id when the billing system records one (the
    explicit mapping dim_customer uses first). -#}
{%- if billing_system() == 'files' %}
select
    cast(customer_id as varchar) as customer_id,
    name,
    email,
    {{ email_domain('email') }} as email_domain,
    nullif(cast(crm_account_id as varchar), '') as crm_account_id,
    'files' as source_system
from {{ billing_source('customers') }}
{%- endif %}
