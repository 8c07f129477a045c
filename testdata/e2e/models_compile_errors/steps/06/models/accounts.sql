select * from {{ ref('stg_accounts') }}
where region = {{ literal(var('region')) }}
{% if region %}
