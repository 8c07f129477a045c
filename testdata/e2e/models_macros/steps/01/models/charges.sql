{{ config(materialized='table') }}
{% set as_of = "cast(" ~ literal(var('as_of_date')) ~ " as date)" %}
select
    id,
    {{ surrogate_key(['customer', 'currency']) }} as customer_currency_key,
    {{ hash('id') }} as id_hash,
    coalesce(customer, 'unknown') as customer,
    {{ to_major('amount_cents', 'currency') }} as amount,
    currency,
    {{ date_trunc('month', 'charged_on') }} as charged_month,
    {{ datediff('day', 'charged_on', as_of) }} as age_days,
    cast({{ dateadd('month', 1, 'charged_on') }} as date) as next_charge_on,
    {{ safe_cast("'12x'", 'integer') }} as bad_number
from {{ source('billing', 'charges') }}
