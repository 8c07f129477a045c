select * from {{ ref('stg_accounts') }} join {{ ref('regions') }} using (region)
