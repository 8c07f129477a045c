{{ config(materialized='table', enabled=crm_enabled(['leads', 'opportunities', 'opportunity_history', 'accounts']), tags=['funnel']) }}
{#- The lead funnel (spec §8): one row per lead and stage it reached — lead (created), mql,
    sql, opportunity (the converted opportunity's creation) and won (its close date, when won)
    — with when it first entered the stage, up to as_of_date. stage_number orders the stages;
    cohort_month is the month the lead was created. -#}
with leads as (
    select * from {{ ref('stg_crm__leads') }}
    where created_at < {{ dateadd('day', 1, as_of_date()) }}
),
opps as (
    select opportunity_id, created_at, is_won, close_date from {{ ref('dim_opportunity') }}
),
stages as (
    select lead_id, 'lead' as stage, 1 as stage_number, created_at as entered_at from leads
    union all
    select lead_id, 'mql', 2, mql_at from leads where mql_at is not null
    union all
    select lead_id, 'sql', 3, sql_at from leads where sql_at is not null
    union all
    select l.lead_id, 'opportunity', 4, o.created_at
    from leads as l join opps as o on o.opportunity_id = l.converted_opportunity_id
    union all
    select l.lead_id, 'won', 5, cast(o.close_date as timestamp)
    from leads as l join opps as o on o.opportunity_id = l.converted_opportunity_id
    where o.is_won
)
select
    s.lead_id,
    s.stage,
    s.stage_number,
    s.entered_at as first_entered_at,
    cast({{ date_trunc('month', 'l.created_at') }} as date) as cohort_month,
    l.lead_source
from stages as s
join leads as l on l.lead_id = s.lead_id
where s.entered_at < {{ dateadd('day', 1, as_of_date()) }}
