-- A view over the extracted table; soft rules live here.
select id, account, amount, stage, updated_at
from {{ source('crm', 'opportunities') }}
