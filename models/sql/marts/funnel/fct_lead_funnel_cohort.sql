{{ config(materialized='table', enabled=crm_enabled(['leads', 'opportunities', 'opportunity_history', 'accounts']), tags=['funnel']) }}
{#- Funnel conversion by lead cohort month (the month leads were created): how many leads
    reached each stage, the conversion from each stage to the next, and the median days
    between stages (stage velocity). -#}
with f as (
    select * from {{ ref('fct_lead_funnel') }}
),
per_lead as (
    select
        lead_id,
        cohort_month,
        max(first_entered_at) filter (where stage = 'lead') as lead_at,
        max(first_entered_at) filter (where stage = 'mql') as mql_at,
        max(first_entered_at) filter (where stage = 'sql') as sql_at,
        max(first_entered_at) filter (where stage = 'opportunity') as opportunity_at,
        max(first_entered_at) filter (where stage = 'won') as won_at
    from f
    group by lead_id, cohort_month
)
select
    cohort_month,
    count(*) as leads,
    count(mql_at) as mqls,
    count(sql_at) as sqls,
    count(opportunity_at) as opportunities,
    count(won_at) as won,
    cast(count(mql_at) as double) / nullif(count(*), 0) as lead_to_mql_rate,
    cast(count(sql_at) as double) / nullif(count(mql_at), 0) as mql_to_sql_rate,
    cast(count(opportunity_at) as double) / nullif(count(sql_at), 0) as sql_to_opportunity_rate,
    cast(count(won_at) as double) / nullif(count(opportunity_at), 0) as opportunity_to_won_rate,
    cast(count(won_at) as double) / nullif(count(*), 0) as lead_to_won_rate,
    median({{ datediff('second', 'lead_at', 'mql_at') }} / 86400.0) as median_days_lead_to_mql,
    median({{ datediff('second', 'mql_at', 'sql_at') }} / 86400.0) as median_days_mql_to_sql,
    median({{ datediff('second', 'sql_at', 'opportunity_at') }} / 86400.0) as median_days_sql_to_opportunity,
    median({{ datediff('second', 'opportunity_at', 'won_at') }} / 86400.0) as median_days_opportunity_to_won
from per_lead
group by cohort_month
