select id, customer, {{ safe_cast('amount_text', 'decimal(18,2)') }} as amount from {{ ref('invoices') }}
