{{ config(materialized='table', enabled=billing_system() != 'none', tags=['arr']) }}
{#- fct_arr_waterfall_month split by segment (spec §5, × segment): one row per segment and
    month, from the segment's first month to as_of_date's month, months without movements
    included. The segment is the CRM account's (dim_customer, as it is now, so a customer stays
    in one segment for its whole history); customers matched to no account, or to an account
    without a segment, are in 'Unknown'. The identity holds per segment every month, and the
    segments of a month sum to fct_arr_waterfall_month's row. -#}
with c as (
    select *, coalesce(nullif(trim(segment), ''), 'Unknown') as segment_key
    from {{ ref('fct_customer_mrr_month') }}
),
{{ arr_waterfall_ctes('segment_key') }}
select
    date_month,
    waterfall_key as segment,
    {{ arr_waterfall_columns() }}
from rolled
