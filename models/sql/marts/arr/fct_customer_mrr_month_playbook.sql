{{ config(materialized='view', enabled=billing_system() != 'none', tags=['arr']) }}
{#- fct_customer_mrr_month with the dbt mrr-playbook's category names (upgrade, downgrade),
    for teams moving from it. Same rows and values otherwise. -#}
select
    *,
    case change_category
        when 'expansion' then 'upgrade'
        when 'contraction' then 'downgrade'
        else change_category
    end as playbook_change_category
from {{ ref('fct_customer_mrr_month') }}
