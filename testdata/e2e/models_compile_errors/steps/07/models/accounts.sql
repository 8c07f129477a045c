{{ config(materialized='table') }}
select * from {{ ref('stg_accounts') }}
where region = {{ literal(var('region')) }}
