{% include 'header.sql' %}
select * from {{ ref('stg_accounts') }}
