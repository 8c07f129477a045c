{{ config(materialized='table', enabled=crm_enabled(['opportunities', 'opportunity_history', 'accounts']), tags=['pipeline']) }}
{#- Opportunities, current state (spec §6.1), with the stage's metadata, the booking type and
    the Fivetran-style status: Won, Lost, Pipeline (open with a forecast category of Pipeline,
    BestCase, MostLikely/Commit or Forecast) or Other (open and Omitted or none).
    booking_type comes from var booking_type_map on the CRM type; an unmapped or empty type
    falls back to new_business for the account's first won deal (or, when open or lost, when
    the account has not won one before) and expansion after. -#}
with o as (
    select * from {{ ref('stg_crm__opportunities') }}
),
stages as (
    select * from {{ ref('stg_crm__opportunity_stages') }}
),
type_map as {{ booking_type_map_table() }},
last_stage_change as (
    select opportunity_id, max(entered_at) as last_stage_change_at
    from {{ ref('fct_opportunity_stage_history') }}
    group by opportunity_id
),
first_won as (
    select account_id, min(close_date) as first_won_date
    from o
    where is_won
    group by account_id
),
enriched as (
    select
        o.*,
        coalesce(o.probability, s.probability) as stage_probability,
        coalesce(nullif(o.forecast_category, ''), s.forecast_category) as forecast_category_resolved,
        coalesce(o.is_closed, s.is_closed, false) as is_closed_resolved,
        coalesce(o.is_won, s.is_won, false) as is_won_resolved,
        s.sort_order as stage_sort_order,
        t.booking_type as mapped_booking_type,
        fw.first_won_date
    from o
    left join stages as s on s.stage_name = o.stage_name
    left join type_map as t on t.opportunity_type_key = lower(trim(o.type))
    left join first_won as fw on fw.account_id = o.account_id
)
select
    e.opportunity_id,
    e.account_id,
    e.owner_id,
    e.name,
    e.type,
    coalesce(e.mapped_booking_type,
        case when e.first_won_date is null or e.close_date is null or e.close_date <= e.first_won_date
             then 'new_business' else 'expansion' end) as booking_type,
    e.mapped_booking_type is null as booking_type_is_fallback,
    e.stage_name,
    e.stage_sort_order,
    e.forecast_category_resolved as forecast_category,
    e.is_closed_resolved as is_closed,
    e.is_won_resolved as is_won,
    e.amount,
    e.currency,
    e.stage_probability as probability,
    cast(e.amount * e.stage_probability / 100 as decimal(38, 6)) as expected_revenue,
    e.close_date,
    e.created_at,
    l.last_stage_change_at,
    case
        when e.is_won_resolved then 'Won'
        when e.is_closed_resolved then 'Lost'
        when lower(replace(e.forecast_category_resolved, ' ', '')) in ('pipeline', 'bestcase', 'mostlikely', 'commit', 'forecast')
            then 'Pipeline'
        else 'Other'
    end as status,
    {{ datediff('day', 'cast(e.created_at as date)', as_of_date()) }} as days_open,
    case when e.is_closed_resolved then {{ datediff('day', 'cast(e.created_at as date)', 'e.close_date') }} end as days_to_close,
    e.next_step,
    a.segment,
    a.region,
    e.modified_at,
    e.source_system
from enriched as e
left join last_stage_change as l on l.opportunity_id = e.opportunity_id
left join {{ ref('stg_crm__accounts') }} as a on a.account_id = e.account_id
where e.created_at < {{ dateadd('day', 1, as_of_date()) }}
