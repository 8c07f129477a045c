select id, customer, amount_text from {{ source('billing', 'invoices') }}
