select customer, count(*) as invoices from {{ ref('invoices') }} group by customer
