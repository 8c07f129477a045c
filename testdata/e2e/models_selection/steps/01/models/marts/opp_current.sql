{{ config(materialized='incremental', unique_key='id') }}
select id, account, amount, stage, updated_at
from {{ ref('stg_opportunities') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
