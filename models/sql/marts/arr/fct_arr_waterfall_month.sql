{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- The MRR/ARR roll-forward by calendar month (spec §5), in the reporting currency; one row
    per month from the first active month to as_of_date's month, months without movements
    included. The identity holds exactly every month:
    starting_mrr + new + expansion + reactivation + contraction + churned + fx_adjustment
    = ending_mrr, and ending_mrr of a month = starting_mrr of the next. Customers are those
    with MRR, and those in a churn grace gap (var churn_grace_months). -#}
with c as (
    select * from {{ ref('fct_customer_mrr_month') }}
),
{{ arr_waterfall_ctes("'all'") }}
select
    date_month,
    {{ arr_waterfall_columns() }}
from rolled
