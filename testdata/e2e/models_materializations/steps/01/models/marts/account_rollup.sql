{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['account']) }}
-- Recomputes only the accounts that changed since the last run.
select account, count(*) as opportunities, max(updated_at) as updated_at
from {{ ref('stg_opportunities') }}
{% if is_incremental() %}
where account in (
    select account from {{ ref('stg_opportunities') }}
    where updated_at > (select max(updated_at) from {{ this }})
)
{% endif %}
group by account
