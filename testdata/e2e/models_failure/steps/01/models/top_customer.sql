{{ config(materialized='view') }}
select customer from {{ ref('customer_revenue') }} order by revenue desc limit 1
