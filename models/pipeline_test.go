package models_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// The normalisation examples of spec §2.2–§2.4: $90 for a 3-month plan is $30 MRR, $2,000 a year
// is $166.67, weekly and daily prices by 52/12 and 365/12.
func TestMonthlyAmount(t *testing.T) {
	f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "none"},
		tables: map[string]string{"billing.prices": `select * from (values
			(90, 'month', 3), (2000, 'year', 1), (10, 'week', 1), (1, 'day', 1), (500, 'year', 2), (5, 'fortnight', 1)
		) as t(amount, "interval", interval_count)`},
		files: map[string]string{"normalized.sql": `{{ config(materialized='table') }}
select amount, "interval", {{ monthly_amount('amount', '"interval"', 'interval_count') }} as mrr from {{ source('billing', 'prices') }}`}}
	wh := f.build(t, "normalized")
	want(t, "monthly amounts", rows(t, wh, `select amount, "interval", round(mrr, 2) from normalized order by rowid`),
		"90|month|30", "2000|year|166.67", "10|week|43.33", "1|day|30.42", "500|year|20.83", "5|fortnight|∅")
}

// crm is the CRM files contract: accounts, users, opportunities, history and leads.
func crm() map[string]string {
	return map[string]string{
		"crm.accounts": `select * from (values
			('A1', 'Acme', 'https://www.acme.com/', 'Tech', 'NA', 'SMB', 'U1', timestamp '2023-01-01 00:00:00', false),
			('A2', 'Beta', 'beta.io', 'Tech', 'NA', 'ENT', 'U1', timestamp '2023-01-01 00:00:00', false),
			('A3', 'ACME Corp', 'acme.com', null, 'NA', 'SMB', 'U1', timestamp '2024-03-01 00:00:00', false),
			('A9', 'Gone', 'gone.com', 'Tech', 'NA', 'SMB', 'U1', timestamp '2023-01-01 00:00:00', true)
		) as t(account_id, name, domain, industry, region, segment, owner_id, created_at, is_deleted)`,
		"crm.users":    `select 'U1' as user_id, 'Una' as name, 'una@x.com' as email, 'AE' as role, 'NA' as territory`,
		"crm.contacts": `select 'C1' as contact_id, 'A1' as account_id, 'a@acme.com' as email, 'A' as first_name, 'B' as last_name, 'CTO' as title, 'customer' as lifecycle_stage, timestamp '2023-01-01' as created_at, timestamp '2023-01-01' as updated_at`,
		// O1 new business won 2024-03-20 (history: Prospecting → Proposal → Proposal (amount change) → Closed Won);
		// O2 open, MostLikely (counts as pipeline); O3 open Omitted (Other); O4 lost; O5 won, type
		// unmapped (fallback: expansion, A1 won before); O6 renewal of A1; O7 on a deleted account.
		"crm.opportunities": `select * from (values
			('O1', 'A1', 'Acme new', 'New Business', 'Closed Won', 'Closed', 100, 12000.00, 'USD', date '2024-03-20', timestamp '2024-01-10 09:00:00', 'U1', true, true, null, timestamp '2024-03-20 10:00:00'),
			('O2', 'A2', 'Beta new', 'New Business', 'Negotiation', 'MostLikely', 75, 50000.00, 'USD', date '2024-06-30', timestamp '2024-02-01 09:00:00', 'U1', false, false, 'Legal', timestamp '2024-04-01 00:00:00'),
			('O3', 'A2', 'Beta side', 'Upsell', 'Prospecting', 'Omitted', 10, 8000.00, 'USD', date '2024-03-31', timestamp '2024-03-01 09:00:00', 'U1', false, false, null, timestamp '2024-03-01 00:00:00'),
			('O4', 'A3', 'Acme Corp', 'New Business', 'Closed Lost', 'Omitted', 0, 9000.00, 'USD', date '2024-04-15', timestamp '2024-02-15 09:00:00', 'U1', true, false, null, timestamp '2024-04-15 00:00:00'),
			('O5', 'A1', 'Acme seats', 'Seats', 'Closed Won', 'Closed', 100, 6000.00, 'USD', date '2024-04-10', timestamp '2024-03-25 09:00:00', 'U1', true, true, null, timestamp '2024-04-10 00:00:00'),
			('O6', 'A1', 'Acme renewal', 'Renewal', 'Closed Won', 'Closed', 100, 21000.00, 'USD', date '2025-03-20', timestamp '2025-01-10 09:00:00', 'U1', true, true, null, timestamp '2025-03-20 00:00:00')
		) as t(opportunity_id, account_id, name, type, stage_name, forecast_category, probability, amount, currency, close_date, created_at, owner_id, is_closed, is_won, next_step, last_modified_at)`,
		"crm.opportunity_history": `select * from (values
			('H1', 'O1', 'Prospecting', 10000.00, date '2024-03-31', timestamp '2024-01-10 09:00:00'),
			('H2', 'O1', 'Proposal', 10000.00, date '2024-03-31', timestamp '2024-02-05 12:00:00'),
			('H3', 'O1', 'Proposal', 12000.00, date '2024-03-31', timestamp '2024-02-20 12:00:00'),
			('H4', 'O1', 'Closed Won', 12000.00, date '2024-03-20', timestamp '2024-03-20 10:00:00'),
			('H5', 'O2', 'Discovery', 40000.00, date '2024-06-30', timestamp '2024-02-01 09:00:00'),
			('H6', 'O2', 'Negotiation', 50000.00, date '2024-06-30', timestamp '2024-04-01 00:00:00'),
			('H7', 'O4', 'Prospecting', 9000.00, date '2024-04-15', timestamp '2024-02-15 09:00:00'),
			('H8', 'O4', 'Closed Lost', 9000.00, date '2024-04-15', timestamp '2024-04-15 00:00:00')
		) as t(id, opportunity_id, stage_name, amount, close_date, created_at)`,
		"crm.leads": `select * from (values
			('L1', 'x@acme.com', 'Acme', 'Web', 'Converted', timestamp '2024-01-08 10:00:00', timestamp '2024-01-08 12:00:00', timestamp '2024-01-09 10:00:00', 'O1', timestamp '2024-01-08 10:03:00'),
			('L2', 'y@beta.io', 'Beta', 'Web', 'Working', timestamp '2024-01-15 10:00:00', timestamp '2024-01-20 10:00:00', null, null, timestamp '2024-01-15 11:00:00'),
			('L3', 'Y@Beta.io ', 'Beta', 'Event', 'New', timestamp '2024-02-01 10:00:00', null, null, null, null)
		) as t(lead_id, email, company, source, status, created_at, mql_at, sql_at, converted_opportunity_id, first_activity_at)`,
	}
}

func crmFixture(vars map[string]any) fixture {
	v := map[string]any{"billing_system": "none", "as_of_date": "2024-04-30"}
	maps.Copy(v, vars)
	return fixture{vars: v, tables: crm()}
}

// §6.1: status (MostLikely is pipeline, Omitted is other), booking type map and its fallback,
// days to close; deleted accounts' deals are gone at staging.
func TestDimOpportunity(t *testing.T) {
	wh := crmFixture(nil).build(t, "+dim_opportunity")
	want(t, "dim_opportunity", rows(t, wh, `select opportunity_id, status, booking_type, booking_type_is_fallback, probability,
		expected_revenue, days_to_close, days_open, last_stage_change_at from dim_opportunity order by 1`),
		"O1|Won|new_business|false|100|12000|70|111|2024-03-20 10:00:00 +0000 UTC",
		"O2|Pipeline|new_business|false|75|37500|∅|89|2024-04-01",
		"O3|Other|expansion|false|10|800|∅|60|∅",
		"O4|Lost|new_business|false|0|0|60|75|2024-04-15",
		"O5|Won|expansion|true|100|6000|16|36|∅")
}

// §6.2: visits collapse repeated stages; exits are the next entry.
func TestStageHistory(t *testing.T) {
	wh := crmFixture(nil).build(t, "+fct_opportunity_stage_history")
	want(t, "visits", rows(t, wh, `select stage_visit_id, stage_name, previous_stage, exited_at, is_current, days_in_stage
		from fct_opportunity_stage_history where opportunity_id = 'O1' order by visit_number`),
		"O1-1|Prospecting|∅|2024-02-05 12:00:00 +0000 UTC|false|26",
		"O1-2|Proposal|Prospecting|2024-03-20 10:00:00 +0000 UTC|false|44",
		"O1-3|Closed Won|Proposal|∅|true|41")
}

// §6.3: the pipeline as of a past day comes from history: amounts and stages as they were then.
func TestPipelineSnapshot(t *testing.T) {
	wh := crmFixture(nil).build(t, "+fct_pipeline_snapshot")
	want(t, "snapshots", rows(t, wh, `select snapshot_date, opportunity_id, stage_name, amount, is_forecastable,
		weighted_amount_reporting from fct_pipeline_snapshot order by 1, 2`),
		"2024-01-31|O1|Prospecting|10000|true|1000",
		"2024-02-29|O1|Proposal|12000|true|6000",
		"2024-02-29|O2|Discovery|40000|true|8000",
		"2024-02-29|O4|Prospecting|9000|true|900",
		"2024-03-31|O2|Discovery|40000|true|8000",
		"2024-03-31|O4|Prospecting|9000|true|900",
		"2024-04-30|O2|Negotiation|50000|true|37500",
		"2024-04-30|O3|Prospecting|8000|false|800")
}

// §6.2 daily snapshot: the open opportunities of each of the last opportunity_snapshot_days days,
// as they stood at the end of the day. O2 gets three changes in the window: two on 19 March
// (the later wins: 45000, closing 15 July) and one on 20 March (42000, 31 July). O1 closes won on
// 20 March and leaves the snapshot that day. O3 has no history: it is only at as_of_date, with
// its current values. O5 is created after as_of_date.
func TestOpportunityDailySnapshot(t *testing.T) {
	f := crmFixture(map[string]any{"as_of_date": "2024-03-21", "opportunity_snapshot_days": 3})
	f.tables["crm.opportunity_history"] = strings.Replace(f.tables["crm.opportunity_history"], ") as t(", `,
			('H9', 'O2', 'Discovery', 41000.00, date '2024-07-01', timestamp '2024-03-19 07:00:00'),
			('H10', 'O2', 'Discovery', 45000.00, date '2024-07-15', timestamp '2024-03-19 08:00:00'),
			('H11', 'O2', 'Discovery', 42000.00, date '2024-07-31', timestamp '2024-03-20 09:00:00')
		) as t(`, 1)
	wh := f.build(t, "+fct_opportunity_daily_snapshot")
	want(t, "daily snapshot", rows(t, wh, `select snapshot_date, opportunity_id, stage_name, amount, close_date, days_in_stage,
		is_forecastable, weighted_amount_reporting, coalesce(history_id, '-') from fct_opportunity_daily_snapshot order by 1, 2`),
		"2024-03-19|O1|Proposal|12000|2024-03-31|43|true|6000|H3",
		"2024-03-19|O2|Discovery|45000|2024-07-15|47|true|9000|H10",
		"2024-03-19|O4|Prospecting|9000|2024-04-15|33|true|900|H7",
		"2024-03-20|O2|Discovery|42000|2024-07-31|48|true|8400|H11",
		"2024-03-20|O4|Prospecting|9000|2024-04-15|34|true|900|H7",
		"2024-03-21|O2|Discovery|42000|2024-07-31|49|true|8400|H11",
		"2024-03-21|O3|Prospecting|8000|2024-03-31|20|false|800|-",
		"2024-03-21|O4|Prospecting|9000|2024-04-15|35|true|900|H7")
	// the days at the month ends agree with fct_pipeline_snapshot
	f = crmFixture(map[string]any{"opportunity_snapshot_days": 120})
	wh = f.build(t, "+fct_opportunity_daily_snapshot +fct_pipeline_snapshot")
	want(t, "month ends", rows(t, wh, `select count(*), count(d.opportunity_id) from fct_pipeline_snapshot as p
		left join fct_opportunity_daily_snapshot as d
		  on d.snapshot_date = p.snapshot_date and d.opportunity_id = p.opportunity_id and d.amount = p.amount
		 and d.stage_name = p.stage_name and d.close_date = p.close_date
		 and d.weighted_amount_reporting = p.weighted_amount_reporting and d.is_forecastable = p.is_forecastable`),
		"8|8")
	want(t, "window", rows(t, wh, `select min(snapshot_date), max(snapshot_date), count(distinct snapshot_date)
		from fct_opportunity_daily_snapshot`), "2024-01-10|2024-04-30|112")
	// Without opportunity_snapshot_days: as_of_date's fiscal quarter to date (April, or, with a
	// fiscal year from February, February to April).
	for _, c := range []struct {
		start int
		want  string
	}{{1, "2024-04-01|2024-04-30|30"}, {2, "2024-02-01|2024-04-30|90"}, {5, "2024-02-01|2024-04-30|90"}, {4, "2024-04-01|2024-04-30|30"}} {
		wh = crmFixture(map[string]any{"fiscal_year_start_month": c.start}).build(t, "+fct_opportunity_daily_snapshot")
		want(t, fmt.Sprint("fiscal quarter, year from month ", c.start), rows(t, wh, `select min(snapshot_date), max(snapshot_date),
			count(distinct snapshot_date) from fct_opportunity_daily_snapshot`), c.want)
	}
	tb := &fatalRecorder{T: t}
	func() {
		defer func() { _ = recover() }()
		crmFixture(map[string]any{"opportunity_snapshot_days": 0}).build(tb, "+fct_opportunity_daily_snapshot")
	}()
	if !tb.failed || !contains(tb.msg, "opportunity_snapshot_days must be 1 or more") {
		t.Errorf("opportunity_snapshot_days 0: failed=%v %q", tb.failed, tb.msg)
	}
}

// §6.4–6.6 and the targets file: pipeline created, coverage, win rate.
func TestPipelineMeasures(t *testing.T) {
	f := crmFixture(map[string]any{"targets_source": []any{"finance", "targets"}, "qualified_stage": "Proposal"})
	f.tables["finance.targets"] = `select * from (values
		(date '2024-04-01', date '2024-07-01', '', 100000.00), (date '2024-04-01', date '2024-07-01', 'ENT', 40000.00)
	) as t(period_start, period_end, segment, target_amount)`
	wh := f.build(t, "+fct_pipeline_coverage +fct_pipeline_created +fct_win_rate_month")
	want(t, "created", rows(t, wh, `select created_month, segment, opportunities_created, opportunities_qualified,
		pipeline_created_amount, amount_at_creation, amount_at_qualification from fct_pipeline_created order by 1, 2`),
		"2024-01-01|SMB|1|1|12000|10000|10000",
		"2024-02-01|ENT|1|0|50000|40000|0",
		"2024-02-01|SMB|1|0|9000|9000|0",
		"2024-03-01|ENT|1|0|8000|0|0",
		"2024-03-01|SMB|1|0|6000|0|0")
	want(t, "coverage", rows(t, wh, `select segment, target_amount, closed_won_amount, open_pipeline, forecastable_pipeline,
		round(coverage_ratio, 4), round(remaining_coverage, 4) from fct_pipeline_coverage order by 1`),
		"All|100000|6000|50000|50000|0.5|0.5319",
		"ENT|40000|0|50000|50000|1.25|1.25")
	want(t, "win rate", rows(t, wh, `select close_month, segment, won_count, lost_count, won_amount, lost_amount,
		round(win_rate_amount, 4), avg_days_to_close from fct_win_rate_month order by 1, 2`),
		"2024-03-01|SMB|1|0|12000|0|1|70",
		"2024-04-01|SMB|1|1|6000|9000|0.4|16")
}

// §7: TCV/ACV with a 24-month term, booked ARR, and the renewal's uplift over the prior ARR.
func TestBookings(t *testing.T) {
	wh := crmFixture(map[string]any{"as_of_date": "2025-06-30", "contract_term_months": 24}).build(t, "+fct_bookings")
	want(t, "bookings", rows(t, wh, `select opportunity_id, booking_type, tcv, acv, booked_arr, renewal_arr, renewal_uplift_arr
		from fct_bookings order by booking_date`),
		"O1|new_business|12000|6000|6000|0|∅",
		"O5|expansion|6000|3000|3000|0|∅",
		"O6|renewal|21000|10500|0|10500|1500")
}

// §8: funnel stages per lead, conversion by cohort, speed to lead against a 5-minute SLA.
func TestFunnel(t *testing.T) {
	wh := crmFixture(nil).build(t, "+fct_lead_funnel_cohort +fct_speed_to_lead")
	want(t, "funnel", rows(t, wh, `select lead_id, stage, first_entered_at from fct_lead_funnel order by lead_id, stage_number`),
		"L1|lead|2024-01-08 10:00:00 +0000 UTC", "L1|mql|2024-01-08 12:00:00 +0000 UTC", "L1|sql|2024-01-09 10:00:00 +0000 UTC",
		"L1|opportunity|2024-01-10 09:00:00 +0000 UTC", "L1|won|2024-03-20",
		"L2|lead|2024-01-15 10:00:00 +0000 UTC", "L2|mql|2024-01-20 10:00:00 +0000 UTC",
		"L3|lead|2024-02-01 10:00:00 +0000 UTC")
	want(t, "cohorts", rows(t, wh, `select cohort_month, leads, mqls, sqls, opportunities, won, lead_to_mql_rate, mql_to_sql_rate,
		median_days_lead_to_mql from fct_lead_funnel_cohort order by 1`),
		"2024-01-01|2|2|1|1|1|1|0.5|2.541667",
		"2024-02-01|1|0|0|0|0|0|∅|∅")
	want(t, "speed to lead", rows(t, wh, `select lead_id, minutes_to_first_touch, within_sla from fct_speed_to_lead order by 1`),
		"L1|3|true", "L2|60|false", "L3|∅|false")
}

// Identity resolution: the explicit id first, then a unique email domain; the unmatched on
// both sides.
func TestIdentity(t *testing.T) {
	tables := crm()
	tables["billing.customers"] = `select * from (values
		('cus_1', 'Acme', 'ap@acme.com', 'A1'),
		('cus_2', 'Beta', 'finance@beta.io', null),
		('cus_3', 'Acme Corp', 'ap@acme.com', null),
		('cus_4', 'Nobody', 'x@nowhere.org', null),
		('cus_5', 'Stale', 'x@gone.com', 'A9')
	) as t(customer_id, name, email, crm_account_id)`
	tables["billing.subscriptions"] = `select 'cus_1' as customer_id, 's' as subscription_id, date '2024-01-01' as start_date,
		null::date as end_date, 100 as monthly_amount, 'USD' as currency`
	wh := fixture{vars: map[string]any{"as_of_date": "2024-04-30"}, tables: tables}.build(t, "+rpt_identity_match")
	want(t, "dim_customer", rows(t, wh, `select customer_id, customer_key, match_method from dim_customer order by 1`),
		"cus_1|A1|explicit_id", "cus_2|A2|email_domain", "cus_3|cus_3|unmatched", "cus_4|cus_4|unmatched", "cus_5|cus_5|unmatched")
	want(t, "unmatched", rows(t, wh, `select side, record_id, reason from rpt_identity_unmatched order by 1, 2`),
		"billing|cus_3|no CRM account with this domain, or several",
		"billing|cus_4|no CRM account with this domain, or several",
		"billing|cus_5|crm_account_id names no live CRM account")
	want(t, "match rate", rows(t, wh, `select billing_customers, matched_explicit_id, matched_email_domain, unmatched_billing,
		billing_match_rate, crm_accounts_with_won_deals, crm_accounts_linked from rpt_identity_match`),
		"5|1|1|3|0.4|1|1")
}

// fct_revops_kpis: duplicate rates by normalized domain and email, completeness, forecast
// hygiene from history as of the week's end, and lead routing in the week leads arrived.
func TestRevOpsKPIs(t *testing.T) {
	wh := crmFixture(map[string]any{"kpi_weeks": 20}).build(t, "+fct_revops_kpis")
	want(t, "last week", rows(t, wh, `select kpi, numerator, denominator, round(value, 4), target, meets_target
		from fct_revops_kpis where week_start = date '2024-04-29' order by kpi`),
		"completeness_accounts|2|3|0.6667|0.95|false",
		"completeness_opportunities|5|5|1|0.95|true",
		"duplicate_rate_accounts|2|3|0.6667|0.05|false",
		"duplicate_rate_contacts|0|1|0|0.05|true",
		"duplicate_rate_leads|2|3|0.6667|0.05|false",
		"forecast_hygiene|1|2|0.5|0.9|false")
	want(t, "lead routing", rows(t, wh, `select week_start, kpi, numerator, denominator from fct_revops_kpis
		where kpi in ('lead_routing_sla', 'speed_to_lead_median_minutes') order by 1, 2`),
		"2024-01-08|lead_routing_sla|1|1", "2024-01-08|speed_to_lead_median_minutes|3|1",
		"2024-01-15|lead_routing_sla|0|1", "2024-01-15|speed_to_lead_median_minutes|60|1",
		"2024-01-29|lead_routing_sla|0|1", "2024-01-29|speed_to_lead_median_minutes|∅|1")
}
