select segment, count(*) as accounts from {{ ref('dim_account') }} group by segment
