{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- Pipeline created per month and segment (spec §6.4), in the reporting currency at the
    creation month's rate: opportunities created, their current amount (Fivetran's measure),
    their amount at creation (the first history row), and at qualification (the amount when
    the opportunity first entered var qualified_stage, default Discovery). -#}
with opps as (
    select * from {{ ref('dim_opportunity') }}
),
first_row as (
    select opportunity_id, amount as amount_at_creation
    from (
        select opportunity_id, amount,
               row_number() over (partition by opportunity_id order by created_at, history_id) as rn
        from {{ ref('stg_crm__opportunity_history') }}
    ) as h
    where rn = 1
),
qualified as (
    select opportunity_id, amount as amount_at_qualification, created_at as qualified_at
    from (
        select opportunity_id, amount, created_at,
               row_number() over (partition by opportunity_id order by created_at, history_id) as rn
        from {{ ref('stg_crm__opportunity_history') }}
        where stage_name = {{ literal(var('qualified_stage', 'Discovery')) }}
    ) as h
    where rn = 1
),
rows as (
    select
        cast({{ date_trunc('month', 'o.created_at') }} as date) as created_month,
        coalesce(o.segment, 'Unknown') as segment,
        o.opportunity_id,
        {{ to_reporting('o.amount', 'fx.rate_to_reporting', 'o.currency', date_trunc('month', 'o.created_at')) }} as amount,
        {{ to_reporting('f.amount_at_creation', 'fx.rate_to_reporting', 'o.currency', date_trunc('month', 'o.created_at')) }} as amount_at_creation,
        {{ to_reporting('q.amount_at_qualification', 'fx.rate_to_reporting', 'o.currency', date_trunc('month', 'o.created_at')) }} as amount_at_qualification,
        q.qualified_at is not null as was_qualified
    from opps as o
    left join first_row as f on f.opportunity_id = o.opportunity_id
    left join qualified as q on q.opportunity_id = o.opportunity_id
    left join {{ ref('int_fx_rates_month') }} as fx
      on fx.currency = o.currency and fx.date_month = {{ date_trunc('month', 'o.created_at') }}
)
select
    created_month,
    segment,
    {{ reporting_currency() }} as reporting_currency,
    count(*) as opportunities_created,
    count(*) filter (where was_qualified) as opportunities_qualified,
    coalesce(sum(amount), 0) as pipeline_created_amount,
    coalesce(sum(amount_at_creation), 0) as amount_at_creation,
    coalesce(sum(amount_at_qualification), 0) as amount_at_qualification
from rows
group by created_month, segment
