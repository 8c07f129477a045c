select account, count(*) as opportunities, sum(amount) as pipeline
from {{ ref('stg_opportunities') }}
group by account
