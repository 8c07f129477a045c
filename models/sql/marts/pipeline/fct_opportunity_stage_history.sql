{{ config(materialized='table', enabled=crm_enabled(['opportunity_history']), tags=['pipeline']) }}
{#- One row per opportunity and stage visit (spec §6.2): history rows ordered by time (then id),
    keeping those whose stage differs from the previous row. exited_at is the next visit's
    entry; is_current marks the open visit; days_in_stage counts to exit, or to as_of_date. -#}
with h as (
    select
        opportunity_id, history_id, stage_name, created_at,
        lag(stage_name) over (partition by opportunity_id order by created_at, history_id) as previous_stage
    from {{ ref('stg_crm__opportunity_history') }}
    where created_at < {{ dateadd('day', 1, as_of_date()) }}
),
visits as (
    select
        opportunity_id, history_id, stage_name, previous_stage, created_at as entered_at,
        lead(created_at) over (partition by opportunity_id order by created_at, history_id) as exited_at,
        row_number() over (partition by opportunity_id order by created_at, history_id) as visit_number
    from h
    where previous_stage is null or previous_stage <> stage_name
)
select
    opportunity_id || '-' || cast(visit_number as varchar) as stage_visit_id,
    opportunity_id,
    visit_number,
    stage_name,
    previous_stage,
    entered_at,
    exited_at,
    exited_at is null as is_current,
    {{ datediff('day', 'cast(entered_at as date)', 'coalesce(cast(exited_at as date), ' ~ as_of_date() ~ ')') }} as days_in_stage,
    history_id
from visits
