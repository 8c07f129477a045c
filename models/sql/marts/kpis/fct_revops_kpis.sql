{{ config(materialized='table', enabled=crm_enabled(['accounts', 'contacts', 'leads', 'opportunities', 'opportunity_history']), tags=['kpis']) }}
{#- RevOps data KPIs by week (revops-kpis.md), for the var kpi_weeks (default 13) weeks up to
    the one containing as_of_date; weeks start on Monday and end on Sunday (or as_of_date).
    One row per week and KPI: numerator, denominator, value, the target and whether it is met.
    Records count when they exist by the end of the week, with their current field values.
      duplicate_rate_{accounts,contacts,leads}  share in a duplicate cluster (same normalized
                                                domain / email); target ≤ var kpi_duplicate_rate_max (0.05)
      completeness_opportunities                share with amount, close date, owner and account (≥ 0.95)
      completeness_accounts                     share with domain, industry, segment and owner (≥ 0.95)
      forecast_hygiene                          open opportunities at week end (from history) with a
                                                next step, a close date not before the week's end, and
                                                an amount (≥ 0.90)
      lead_routing_sla                          leads created in the week first touched within
                                                var lead_sla_minutes (≥ 0.95)
      speed_to_lead_median_minutes              median minutes to first touch, leads created in the week (≤ 5)
      bookings_vs_billing_gap                   |booked new+expansion ARR − billed new+expansion+reactivation
                                                ARR| / booked, matched accounts, the three months before the
                                                week's month (≤ 0.05; only with billing) -#}
{%- set weeks = var('kpi_weeks', 13) | int %}
{%- set targets = {
    'duplicate_rate': var('kpi_duplicate_rate_max', 0.05),
    'completeness': var('kpi_completeness_min', 0.95),
    'forecast_hygiene': var('kpi_forecast_hygiene_min', 0.90),
    'lead_routing_sla': var('kpi_lead_routing_sla_min', 0.95),
    'speed_to_lead': var('kpi_speed_to_lead_max_minutes', 5),
    'bookings_gap': var('kpi_bookings_gap_max', 0.05),
} %}
with weeks as (
    select
        cast(date_week as date) as week_start,
        least(cast({{ dateadd('day', 6, 'date_week') }} as date), {{ as_of_date() }}) as week_end
    from {{ date_spine('week', dateadd('week', -(weeks - 1), date_trunc('week', as_of_date())),
                       dateadd('week', 1, date_trunc('week', as_of_date()))) }} as s
),
accounts as (select * from {{ ref('stg_crm__accounts') }}),
contacts as (select * from {{ ref('stg_crm__contacts') }}),
leads as (select * from {{ ref('stg_crm__leads') }}),
opps as (select * from {{ ref('dim_opportunity') }}),
{#- A record is in a duplicate cluster from the moment a second record with its key exists:
    max(its own creation, the key's second creation). -#}
{%- for name, tbl, col in [('accounts', 'accounts', 'domain'), ('contacts', 'contacts', 'email_normalized'), ('leads', 'leads', 'email_normalized')] %}
dup_{{ name }}_since as (
    select
        created_at,
        case when {{ col }} is not null and second_at is not null then greatest(created_at, second_at) end as duplicate_since
    from (
        select {{ col }}, created_at,
               nth_value(created_at, 2) over (partition by {{ col }} order by created_at
                                              rows between unbounded preceding and unbounded following) as second_at
        from {{ tbl }}
    ) as k
),
dup_{{ name }} as (
    select w.week_start, count(*) as denominator,
           count(*) filter (where r.duplicate_since < {{ dateadd('day', 1, 'w.week_end') }}) as numerator
    from weeks as w
    join dup_{{ name }}_since as r on r.created_at < {{ dateadd('day', 1, 'w.week_end') }}
    group by w.week_start
),
{%- endfor %}
complete_opps as (
    select w.week_start, count(*) as denominator,
           count(*) filter (where o.amount is not null and o.close_date is not null
                              and o.owner_id is not null and o.account_id is not null) as numerator
    from weeks as w
    join opps as o on o.created_at < {{ dateadd('day', 1, 'w.week_end') }}
    group by w.week_start
),
complete_accounts as (
    select w.week_start, count(*) as denominator,
           count(*) filter (where a.domain is not null and nullif(a.industry, '') is not null
                              and nullif(a.segment, '') is not null and a.owner_id is not null) as numerator
    from weeks as w
    join accounts as a on a.created_at < {{ dateadd('day', 1, 'w.week_end') }}
    group by w.week_start
),
history as (
    select h.*, lead(h.created_at) over (partition by h.opportunity_id order by h.created_at, h.history_id) as valid_to
    from {{ ref('stg_crm__opportunity_history') }} as h
),
-- the history row in force at each week's end
history_at_week_end as (
    select w.week_start, h.opportunity_id, h.amount, h.close_date, h.stage_name
    from weeks as w
    join history as h
      on h.created_at < {{ dateadd('day', 1, 'w.week_end') }}
     and (h.valid_to is null or h.valid_to >= {{ dateadd('day', 1, 'w.week_end') }})
),
open_at_week_end as (
    select w.week_start, w.week_end, o.opportunity_id, o.next_step,
           coalesce(h.amount, o.amount) as amount, coalesce(h.close_date, o.close_date) as close_date,
           coalesce(s.is_closed, o.is_closed and o.close_date <= w.week_end) as is_closed
    from weeks as w
    join opps as o on o.created_at < {{ dateadd('day', 1, 'w.week_end') }}
    left join history_at_week_end as h on h.week_start = w.week_start and h.opportunity_id = o.opportunity_id
    left join {{ ref('stg_crm__opportunity_stages') }} as s on s.stage_name = h.stage_name
),
hygiene as (
    select week_start, count(*) as denominator,
           count(*) filter (where next_step is not null and close_date >= week_end and amount is not null) as numerator
    from open_at_week_end
    where not is_closed
    group by week_start
),
routing as (
    select w.week_start,
           count(*) filter (where s.within_sla is not null) as denominator,
           count(*) filter (where s.within_sla) as numerator,
           median(s.minutes_to_first_touch) as median_minutes
    from weeks as w
    join {{ ref('fct_speed_to_lead') }} as s
      on s.created_at >= w.week_start and s.created_at < {{ dateadd('day', 1, 'w.week_end') }}
    group by w.week_start
),
{%- if billing_system() != 'none' and crm_enabled(['accounts']) %}
booked as (
    select w.week_start, sum(b.booked_arr_reporting) as booked_arr
    from weeks as w
    join {{ ref('fct_bookings') }} as b
      on b.booking_month >= {{ dateadd('month', -3, date_trunc('month', 'w.week_end')) }}
     and b.booking_month < {{ date_trunc('month', 'w.week_end') }}
     and b.account_id in (select account_id from {{ ref('dim_customer') }} where account_id is not null)
    where b.booking_type in ('new_business', 'expansion')
    group by w.week_start
),
billed as (
    select w.week_start, sum((m.new_mrr + m.expansion_mrr + m.reactivation_mrr) * 12) as billed_arr
    from weeks as w
    join {{ ref('fct_customer_mrr_month') }} as m
      on m.date_month >= {{ dateadd('month', -3, date_trunc('month', 'w.week_end')) }}
     and m.date_month < {{ date_trunc('month', 'w.week_end') }}
     and m.account_id is not null
    group by w.week_start
),
gap as (
    select w.week_start,
           abs(coalesce(bd.billed_arr, 0) - coalesce(bk.booked_arr, 0)) as numerator,
           bk.booked_arr as denominator
    from weeks as w
    left join booked as bk on bk.week_start = w.week_start
    left join billed as bd on bd.week_start = w.week_start
),
{%- endif %}
kpis as (
    select week_start, 'duplicate_rate_accounts' as kpi, numerator, denominator, 'max' as direction, {{ targets.duplicate_rate }} as target from dup_accounts
    union all select week_start, 'duplicate_rate_contacts', numerator, denominator, 'max', {{ targets.duplicate_rate }} from dup_contacts
    union all select week_start, 'duplicate_rate_leads', numerator, denominator, 'max', {{ targets.duplicate_rate }} from dup_leads
    union all select week_start, 'completeness_opportunities', numerator, denominator, 'min', {{ targets.completeness }} from complete_opps
    union all select week_start, 'completeness_accounts', numerator, denominator, 'min', {{ targets.completeness }} from complete_accounts
    union all select week_start, 'forecast_hygiene', numerator, denominator, 'min', {{ targets.forecast_hygiene }} from hygiene
    union all select week_start, 'lead_routing_sla', numerator, denominator, 'min', {{ targets.lead_routing_sla }} from routing
    union all select week_start, 'speed_to_lead_median_minutes', median_minutes, 1, 'max', {{ targets.speed_to_lead }} from routing
{%- if billing_system() != 'none' and crm_enabled(['accounts']) %}
    union all select week_start, 'bookings_vs_billing_gap', numerator, denominator, 'max', {{ targets.bookings_gap }} from gap
{%- endif %}
)
select
    w.week_start,
    w.week_end,
    k.kpi,
    cast(k.numerator as double) as numerator,
    cast(k.denominator as double) as denominator,
    cast(k.numerator as double) / nullif(k.denominator, 0) as value,
    cast(k.target as double) as target,
    k.direction,
    case
        when k.denominator is null or k.denominator = 0 or k.numerator is null then null
        when k.direction = 'max' then cast(k.numerator as double) / k.denominator <= k.target
        else cast(k.numerator as double) / k.denominator >= k.target
    end as meets_target
from weeks as w
join kpis as k on k.week_start = w.week_start
