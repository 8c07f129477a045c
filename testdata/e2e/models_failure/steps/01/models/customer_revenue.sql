select customer, sum(amount) as revenue from {{ ref('invoice_amounts') }} group by customer
