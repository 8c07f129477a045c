{{ config(materialized='ephemeral') }}
select * from {{ ref('stg_opportunities') }} where stage = 'Closed Won'
