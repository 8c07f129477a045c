-- Fails on 'n/a': a strict cast, where a safe_cast was meant.
select id, customer, cast(amount_text as decimal(18,2)) as amount from {{ ref('invoices') }}
