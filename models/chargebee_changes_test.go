package models_test

import (
	"fmt"
	"strings"
	"testing"
)

// cbSub is one Chargebee subscription row of customer CX, in USD: status, billing period and
// unit, the Product Catalog 1.0 plan (empty: none), activation, cancellation, pause_date and
// resume_date (empty: none).
type cbSub struct {
	id, status                string
	period                    int
	unit, plan                string
	start, cancelled          string
	pause, resume             string
	planQuantity, planUnitAmt string
}

func cbTS(s string) string {
	if s == "" {
		return "null::timestamptz"
	}
	return "timestamptz '" + s + " 00:00:00+00'"
}

func cbStr(s string) string {
	if s == "" {
		return "null::varchar"
	}
	return "'" + s + "'"
}

// cbTables are a Chargebee project's tables with the given subscriptions, subscription item rows
// "subscription,version,item_price,type,quantity,amount,period,unit", invoice lines
// "invoice,line,subscription,from,to,entity_type,entity,quantity,unit_amount,amount" (paid,
// dated from) and extra tables. The catalog: P-M (plan, 100 a month), P-PRO (plan, 250 a
// month), P-Y (plan, 1,200 a year), P-Y9 (plan, 1,080 a year).
func cbTables(subs []cbSub, items, lines []string, extra map[string]string) map[string]string {
	var sr []string
	for _, s := range subs {
		sr = append(sr, fmt.Sprintf("('%s', 'CX', '%s', 'USD', %d, '%s', %s, %s, %s, null::decimal(38, 6), %s, %s, %s, %s, %s, %s, %s)",
			s.id, s.status, s.period, s.unit, cbStr(s.plan), nullOr(s.planQuantity, "null::bigint"), nullOr(s.planUnitAmt, "null::decimal(38, 6)"),
			cbTS(s.start), cbTS(s.start), cbTS(s.cancelled), cbTS(s.pause), cbTS(s.resume), cbTS(s.start), cbTS(s.start)))
	}
	var ir []string
	for _, r := range items {
		f := strings.Split(r, ",")
		ir = append(ir, fmt.Sprintf("('%s', %s, '%s', '%s', %s, null::varchar, %s, null::varchar, %s, %s, '%s', false, false)",
			f[0], f[1], f[2], f[3], f[4], f[5], f[5], f[6], f[7]))
	}
	t := map[string]string{
		"billing.customers": `select * from (values ('CX', 'Xeno', null, null, 'x@xeno.example', null::json, null::json, false))
			as t(id, company, first_name, last_name, email, meta_data, _extra, deleted)`,
		"billing.subscriptions": `select * from (values ` + strings.Join(sr, ",\n") + `) as t(id, customer_id, status, currency_code,
			billing_period, billing_period_unit, plan_id, plan_quantity, plan_unit_price, plan_amount, started_at, activated_at,
			cancelled_at, pause_date, resume_date, created_at, updated_at)
			cross join (select null::timestamptz as trial_start, null::timestamptz as trial_end, null::timestamptz as start_date,
			null::timestamptz as current_term_end, false as deleted)`,
		"billing.item_prices": `select * from (values ('P-M', 'plan-m', 'plan', 1, 'month'), ('P-PRO', 'plan-pro', 'plan', 1, 'month'),
			('P-Y', 'plan-y', 'plan', 1, 'year'), ('P-Y9', 'plan-y9', 'plan', 1, 'year'))
			as t(id, item_id, item_type, period, period_unit)`,
		"billing.items": `select * from (values ('plan-m', false), ('plan-pro', false), ('plan-y', false), ('plan-y9', false)) as t(id, metered)`,
	}
	if len(ir) > 0 {
		t["billing.subscription_items"] = `select * from (values ` + strings.Join(ir, ",\n") + `) as t(subscription_id,
			subscription_resource_version, item_price_id, item_type, quantity, quantity_in_decimal, amount, amount_in_decimal,
			unit_price, billing_period, billing_period_unit, charge_once, deleted)`
	} else {
		t["billing.subscription_items"] = `select null::varchar as subscription_id, null::bigint as subscription_resource_version,
			null::varchar as item_price_id, null::varchar as item_type, null::bigint as quantity, null::varchar as quantity_in_decimal,
			null::decimal(38, 6) as amount, null::varchar as amount_in_decimal, null::decimal(38, 6) as unit_price,
			null::bigint as billing_period, null::varchar as billing_period_unit, false as charge_once, false as deleted where false`
	}
	if len(lines) > 0 {
		var lr []string
		for _, r := range lines {
			f := strings.Split(r, ",")
			lr = append(lr, fmt.Sprintf("('%s', '%s', '%s', '%s', '%s', '%s', '%s', %s, %s, %s)", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]))
		}
		t["billing.invoice_line_items"] = `select invoice_id, id, 'paid' as invoice_status, cast(date_from as timestamp) as invoice_date,
			1 as invoice_resource_version, subscription_id, cast(date_from as timestamp) as date_from, cast(date_to as timestamp) as date_to,
			entity_type, entity_id, quantity, null::varchar as quantity_in_decimal, unit_amount, null::varchar as unit_amount_in_decimal,
			amount, null::varchar as amount_in_decimal, false as deleted
			from (values ` + strings.Join(lr, ",\n") + `) as t(invoice_id, id, subscription_id, date_from, date_to, entity_type,
			entity_id, quantity, unit_amount, amount)`
	}
	for k, v := range extra {
		t[k] = v
	}
	return t
}

func nullOr(s, null string) string {
	if s == "" {
		return null
	}
	return s
}

// monthly is sub's invoice lines of entity at quantity q and unit amount unit, one per month ("YYYY-MM").
func monthly(sub, entity string, q int, unit float64, months ...string) []string {
	var out []string
	for _, m := range months {
		from := m + "-01"
		to := nextMonth(m) + "-01"
		out = append(out, fmt.Sprintf("I%s%s%s,L1,%s,%s,%s,plan_item_price,%s,%d,%.2f,%.2f", sub, entity, m, sub, from, to, entity, q, unit, float64(q)*unit))
	}
	return out
}

func nextMonth(m string) string {
	var y, mo int
	fmt.Sscanf(m, "%d-%d", &y, &mo)
	mo++
	if mo > 12 {
		y, mo = y+1, 1
	}
	return fmt.Sprintf("%04d-%02d", y, mo)
}

func cbBuild(t *testing.T, tables map[string]string, vars map[string]any) ([]string, []string, []string) {
	t.Helper()
	v := map[string]any{"crm_system": "none", "billing_system": "chargebee", "as_of_date": "2024-07-31"}
	for k, x := range vars {
		v[k] = x
	}
	wh := fixture{vars: v, tables: tables}.build(t, "+fct_customer_mrr_month")
	return rows(t, wh, `select subscription_item_id, cast(valid_from as date), coalesce(cast(cast(valid_to as date) as varchar), '-'),
			quantity, mrr_net, is_paused from stg_billing__recurring_lines order by 1, 2, 6`),
		rows(t, wh, `select strftime(date_month, '%Y-%m'), mrr from fct_customer_mrr_month order by 1`),
		rows(t, wh, `select strftime(date_month, '%Y-%m'), change_category, mrr_change from fct_customer_mrr_month
			where change_category is not null order by 1`)
}

// Spec §4.2 for Chargebee: a change in the middle of a billing period is invoiced as a line for
// the rest of the term, prorated: for the new price and quantity (the old plan's unused time
// goes to a credit note, which is not MRR), or for the added seats only. The new values (the
// renewal's, or the item's current ones before the renewal is billed) count from the change,
// at a whole period's price: an upgrade on 15 February is February's expansion at the
// month-end snapshot (March's at month-start), a downgrade February's contraction; a plan
// replaced by another ends where the new one starts.
func TestChargebeeMidPeriodChange(t *testing.T) {
	sub := cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2024-01-01"}
	// An upgrade from 1 to 3 seats on 15 February, invoiced for the new quantity, and its lines.
	upgraded := []string{"S1,2,P-M,plan,3,300.00,1,month"}
	upgrade := append(append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02"),
		"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,3,100.00,144.83"),
		monthly("S1", "P-M", 3, 100, "2024-03", "2024-04")...)
	threeSeatsFrom15Feb := []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-02-15|1|100|false",
		"S1/P-M|2024-02-15|2024-03-01|3|300|false", "S1/P-M|2024-03-01|2024-04-01|3|300|false", "S1/P-M|2024-04-01|-|3|300|false"}
	for _, c := range []struct {
		name      string
		items     []string
		lines     []string
		vars      map[string]any
		wantLines []string
		wantMoves []string
	}{
		{name: "upgrade", items: upgraded, lines: upgrade, wantLines: threeSeatsFrom15Feb,
			wantMoves: []string{"2024-01|new|100", "2024-02|expansion|200"}},
		{name: "upgrade, month_start snapshot", vars: map[string]any{"mrr_snapshot": "month_start"},
			items: upgraded, lines: upgrade, wantLines: threeSeatsFrom15Feb,
			wantMoves: []string{"2024-01|new|100", "2024-03|expansion|200"}},
		{name: "seats added, billed for the added seats",
			items: upgraded,
			lines: append(append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02"),
				"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,2,100.00,96.55"),
				monthly("S1", "P-M", 3, 100, "2024-03", "2024-04")...),
			wantLines: threeSeatsFrom15Feb,
			wantMoves: []string{"2024-01|new|100", "2024-02|expansion|200"}},
		{name: "seats added, renewal not billed yet", vars: map[string]any{"as_of_date": "2024-02-29"},
			items: upgraded,
			lines: append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02"),
				"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,2,100.00,96.55"),
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-02-15|1|100|false",
				"S1/P-M|2024-02-15|-|3|300|false"},
			wantMoves: []string{"2024-01|new|100", "2024-02|expansion|200"}},
		{name: "downgrade with a credit note",
			items: []string{"S1,2,P-M,plan,1,100.00,1,month"},
			lines: append(append(monthly("S1", "P-M", 3, 100, "2024-01", "2024-02"),
				"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,1,100.00,48.28"),
				monthly("S1", "P-M", 1, 100, "2024-03")...),
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|3|300|false", "S1/P-M|2024-02-01|2024-02-15|3|300|false",
				"S1/P-M|2024-02-15|2024-03-01|1|100|false", "S1/P-M|2024-03-01|-|1|100|false"},
			wantMoves: []string{"2024-01|new|300", "2024-02|contraction|-200"}},
		{name: "plan change",
			items: []string{"S1,1,P-M,plan,1,100.00,1,month", "S1,2,P-PRO,plan,1,250.00,1,month"},
			lines: append(append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02"),
				"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-PRO,1,250.00,120.69"),
				monthly("S1", "P-PRO", 1, 250, "2024-03")...),
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-02-15|1|100|false",
				"S1/P-PRO|2024-02-15|2024-03-01|1|250|false", "S1/P-PRO|2024-03-01|-|1|250|false"},
			wantMoves: []string{"2024-01|new|100", "2024-02|expansion|150"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			extra := map[string]string{"billing.credit_notes": `select 'CN1' as id, 'CX' as customer_id, 'S1' as subscription_id,
				'adjustment' as type, 'subscription_change' as create_reason_code, timestamptz '2024-02-15 00:00:00+00' as date,
				'USD' as currency_code, 96.55::decimal(38, 6) as total, false as deleted`}
			lines, _, moves := cbBuild(t, cbTables([]cbSub{sub}, c.items, c.lines, extra), c.vars)
			want(t, "lines", lines, c.wantLines...)
			want(t, "movements", moves, c.wantMoves...)
		})
	}
}

// Pauses (spec §3: a paused subscription carries no MRR; only active and non_renewing ones
// do): from the pause_date the subscription's lines are paused lines (is_paused, no MRR) until
// the resume_date, so the pause is churn (or contraction when the customer has other MRR) and
// the resumption a reactivation — or, within churn_grace_months, contraction and expansion.
// With invoices, the billed period the pause falls in stops at the pause, and the lines billed
// after the resumption count again.
func TestChargebeePauseResume(t *testing.T) {
	resumed := cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2024-01-01", pause: "2024-03-10", resume: "2024-06-01"}
	paused := resumed
	paused.status = "paused"
	noResume := paused
	noResume.resume = ""
	cancelled := noResume
	cancelled.status, cancelled.cancelled = "cancelled", "2024-05-20"
	items := []string{"S1,2,P-M,plan,1,100.00,1,month"}
	billed := append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02", "2024-03"), monthly("S1", "P-M", 1, 100, "2024-06", "2024-07")...)
	for _, c := range []struct {
		name      string
		sub       cbSub
		lines     []string
		vars      map[string]any
		wantLines []string
		wantMRR   []string
		wantMoves []string
	}{
		{name: "resumed, invoiced", sub: resumed, lines: billed,
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-03-01|1|100|false",
				"S1/P-M|2024-03-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-04-01|1|100|true",
				"S1/P-M|2024-06-01|2024-07-01|1|100|false", "S1/P-M|2024-07-01|-|1|100|false"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0", "2024-04|0", "2024-05|0", "2024-06|100", "2024-07|100"},
			wantMoves: []string{"2024-01|new|100", "2024-03|churn|-100", "2024-06|reactivation|100"}},
		{name: "resumed, not invoiced", sub: resumed,
			wantLines: []string{"S1/P-M|2024-01-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-06-01|1|100|true",
				"S1/P-M|2024-06-01|-|1|100|false"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0", "2024-04|0", "2024-05|0", "2024-06|100", "2024-07|100"},
			wantMoves: []string{"2024-01|new|100", "2024-03|churn|-100", "2024-06|reactivation|100"}},
		{name: "resumed within churn_grace_months", sub: resumed, vars: map[string]any{"churn_grace_months": 3},
			wantLines: []string{"S1/P-M|2024-01-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-06-01|1|100|true",
				"S1/P-M|2024-06-01|-|1|100|false"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0", "2024-04|0", "2024-05|0", "2024-06|100", "2024-07|100"},
			wantMoves: []string{"2024-01|new|100", "2024-03|contraction|-100", "2024-06|expansion|100"}},
		{name: "paused, resumption scheduled", sub: paused, vars: map[string]any{"as_of_date": "2024-05-31"},
			lines: billed[:3],
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-03-01|1|100|false",
				"S1/P-M|2024-03-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-06-01|1|100|true",
				"S1/P-M|2024-06-01|-|1|100|false"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0"},
			wantMoves: []string{"2024-01|new|100", "2024-03|churn|-100"}},
		{name: "paused, no resumption", sub: noResume,
			wantLines: []string{"S1/P-M|2024-01-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|-|1|100|true"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0"},
			wantMoves: []string{"2024-01|new|100", "2024-03|churn|-100"}},
		{name: "cancelled while paused", sub: cancelled,
			wantLines: []string{"S1/P-M|2024-01-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-05-20|1|100|true"},
			wantMRR:   []string{"2024-01|100", "2024-02|100", "2024-03|0"},
			wantMoves: []string{"2024-01|new|100", "2024-03|churn|-100"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, mrr, moves := cbBuild(t, cbTables([]cbSub{c.sub}, items, c.lines, nil), c.vars)
			want(t, "lines", lines, c.wantLines...)
			want(t, "mrr", mrr, c.wantMRR...)
			want(t, "movements", moves, c.wantMoves...)
		})
	}
}

// A recurring discount stops during a pause too: S1 (100 a month, 10 off forever) paused from
// 10 March to 1 June has no MRR and no discount line counting in between.
func TestChargebeePausedDiscount(t *testing.T) {
	sub := cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2024-01-01", pause: "2024-03-10", resume: "2024-06-01"}
	extra := map[string]string{"billing.subscription_discounts": `select * from (values
		('S1', 2, 'd1', null::varchar, 'fixed_amount', null::decimal, 10.00, 'forever', null::bigint, null::varchar, 'invoice_amount',
		 null::varchar, timestamptz '2024-01-01 00:00:00+00', null::timestamptz, true, false))
		as t(subscription_id, subscription_resource_version, id, coupon_id, type, percentage, amount, duration_type,
		     period, period_unit, apply_on, item_price_id, created_at, apply_till, included_in_mrr, deleted)`}
	lines, mrr, _ := cbBuild(t, cbTables([]cbSub{sub}, []string{"S1,2,P-M,plan,1,100.00,1,month"}, nil, extra), nil)
	want(t, "lines", lines,
		"S1/P-M|2024-01-01|2024-03-10|1|100|false", "S1/P-M|2024-03-10|2024-06-01|1|100|true", "S1/P-M|2024-06-01|-|1|100|false",
		"S1/discount/d1|2024-01-01|2024-03-10|1|-10|false", "S1/discount/d1|2024-03-10|2024-06-01|1|-10|true",
		"S1/discount/d1|2024-06-01|-|1|-10|false")
	want(t, "mrr", mrr, "2024-01|90", "2024-02|90", "2024-03|0", "2024-04|0", "2024-05|0", "2024-06|90", "2024-07|90")
}

// Spec §4.9 across a change of billing period at renewal: each line is normalised by its own
// item price's period (Product Catalog 2.0: the item price's, even when no subscription item row
// is left for it; 1.0: the old plan's period is the span of its lines, not the subscription's
// new one), so the same monthly-equivalent amount makes no movement.
func TestChargebeeBillingPeriodChange(t *testing.T) {
	yearly := func(sub, entity, from, to string, amt float64) string {
		return fmt.Sprintf("IY%s%s,L1,%s,%s,%s,plan_item_price,%s,1,%.2f,%.2f", sub, from, sub, from, to, entity, amt, amt)
	}
	pc1 := func(ls []string, from, to string) []string {
		var out []string
		for _, l := range ls {
			l = strings.Replace(l, "plan_item_price", "plan", 1)
			out = append(out, strings.Replace(l, from, to, -1))
		}
		return out
	}
	for _, c := range []struct {
		name      string
		sub       cbSub
		items     []string
		lines     []string
		wantMRR   []string
		wantMoves []string
	}{
		{name: "monthly to yearly",
			sub:   cbSub{id: "S1", status: "active", period: 1, unit: "year", start: "2024-01-01"},
			items: []string{"S1,3,P-Y,plan,1,1200.00,1,year"},
			lines: append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02", "2024-03"), yearly("S1", "P-Y", "2024-04-01", "2025-04-01", 1200)),
			wantMRR: []string{"2024-01|100", "2024-02|100", "2024-03|100", "2024-04|100", "2024-05|100", "2024-06|100",
				"2024-07|100"},
			wantMoves: []string{"2024-01|new|100"}},
		{name: "yearly to monthly",
			sub:   cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2023-04-01"},
			items: []string{"S1,3,P-M,plan,1,100.00,1,month"},
			lines: append([]string{yearly("S1", "P-Y", "2023-04-01", "2024-04-01", 1200)}, monthly("S1", "P-M", 1, 100, "2024-04", "2024-05", "2024-06", "2024-07")...),
			wantMRR: []string{"2023-04|100", "2023-05|100", "2023-06|100", "2023-07|100", "2023-08|100", "2023-09|100",
				"2023-10|100", "2023-11|100", "2023-12|100", "2024-01|100", "2024-02|100", "2024-03|100", "2024-04|100",
				"2024-05|100", "2024-06|100", "2024-07|100"},
			wantMoves: []string{"2023-04|new|100"}},
		{name: "monthly to yearly at a lower rate",
			sub:   cbSub{id: "S1", status: "active", period: 1, unit: "year", start: "2024-01-01"},
			items: []string{"S1,3,P-Y9,plan,1,1080.00,1,year"},
			lines: append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02", "2024-03"), yearly("S1", "P-Y9", "2024-04-01", "2025-04-01", 1080)),
			wantMRR: []string{"2024-01|100", "2024-02|100", "2024-03|100", "2024-04|90", "2024-05|90", "2024-06|90",
				"2024-07|90"},
			wantMoves: []string{"2024-01|new|100", "2024-04|contraction|-10"}},
		{name: "Product Catalog 1.0 monthly to yearly",
			sub: cbSub{id: "S1", status: "active", period: 1, unit: "year", plan: "basic-Y", start: "2024-01-01",
				planQuantity: "1", planUnitAmt: "1200.00"},
			lines: pc1(append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02", "2024-03"), yearly("S1", "P-Y", "2024-04-01", "2025-04-01", 1200)),
				"P-", "basic-"),
			wantMRR: []string{"2024-01|100", "2024-02|100", "2024-03|100", "2024-04|100", "2024-05|100", "2024-06|100",
				"2024-07|100"},
			wantMoves: []string{"2024-01|new|100"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, mrr, moves := cbBuild(t, cbTables([]cbSub{c.sub}, c.items, c.lines, nil), nil)
			want(t, "mrr", mrr, c.wantMRR...)
			want(t, "movements", moves, c.wantMoves...)
		})
	}
}

// Spec §4.6 for Chargebee, as for Stripe (var once_discounts): a one-time discount (a
// discount row or a coupon with duration_type one_time) is not MRR by default; with
// once_discounts: include it lowers the billing period it was applied to (Fivetran's
// behaviour). S1: 100 a month from January, 20 off once and 10 off forever from the start,
// and a one-time 10% coupon.
func TestChargebeeOnceDiscounts(t *testing.T) {
	sub := cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2024-01-01"}
	extra := map[string]string{
		"billing.subscription_discounts": `select * from (values
			('S1', 2, 'once', null::varchar, 'fixed_amount', null::decimal, 20.00, 'one_time', null::bigint, null::varchar, 'invoice_amount',
			 null::varchar, timestamptz '2024-01-01 00:00:00+00', null::timestamptz, true, false),
			('S1', 2, 'fv', null::varchar, 'fixed_amount', null::decimal, 10.00, 'forever', null::bigint, null::varchar, 'invoice_amount',
			 null::varchar, timestamptz '2024-01-01 00:00:00+00', null::timestamptz, true, false))
			as t(subscription_id, subscription_resource_version, id, coupon_id, type, percentage, amount, duration_type,
			     period, period_unit, apply_on, item_price_id, created_at, apply_till, included_in_mrr, deleted)`,
		"billing.subscription_coupons": `select * from (values ('S1', 2, 'ONCE10', null::timestamptz, false))
			as t(subscription_id, subscription_resource_version, coupon_id, apply_till, deleted)`,
		"billing.coupons": `select * from (values
			('ONCE10', 'percentage', 10.0, null::decimal(38, 6), 'one_time', null::bigint, null::bigint, null::varchar, 'invoice_amount', null::json))
			as t(id, discount_type, discount_percentage, discount_amount, duration_type, period, duration_month, period_unit,
			     apply_on, item_constraints)`,
	}
	for _, c := range []struct {
		once      string
		wantLines []string
		wantMRR   []string
	}{
		{"exclude", []string{"S1/P-M|2024-01-01|-|1|100|false", "S1/discount/fv|2024-01-01|-|1|-10|false"},
			[]string{"2024-01|90", "2024-02|90", "2024-03|90"}},
		{"include", []string{"S1/P-M|2024-01-01|-|1|100|false", "S1/coupon/ONCE10|2024-01-01|2024-02-01|1|-10|false",
			"S1/discount/fv|2024-01-01|-|1|-10|false", "S1/discount/once|2024-01-01|2024-02-01|1|-20|false"},
			[]string{"2024-01|60", "2024-02|90", "2024-03|90"}},
	} {
		t.Run(c.once, func(t *testing.T) {
			lines, mrr, _ := cbBuild(t, cbTables([]cbSub{sub}, []string{"S1,2,P-M,plan,1,100.00,1,month"}, nil, extra),
				map[string]any{"once_discounts": c.once, "as_of_date": "2024-03-31"})
			want(t, "lines", lines, c.wantLines...)
			want(t, "mrr", mrr, c.wantMRR...)
		})
	}
	t.Run("invalid", func(t *testing.T) {
		r := &fatalRecorder{T: t}
		func() {
			defer func() {
				if p := recover(); p != nil && p != r {
					panic(p)
				}
			}()
			fixture{vars: map[string]any{"crm_system": "none", "billing_system": "chargebee", "as_of_date": "2024-03-31",
				"once_discounts": "sometimes"}, tables: cbTables([]cbSub{sub}, nil, nil, extra)}.build(r, "stg_billing__recurring_lines")
		}()
		if !r.failed || !contains(r.msg, "once_discounts") {
			t.Fatalf("want a build error naming once_discounts, got failed=%v %q", r.failed, r.msg)
		}
	})
}

// cbCredits is a credit_note_line_items table of rows
// "credit_note,line,subscription,from,to,entity_type,entity,quantity,unit_amount,amount,reason,status,version"
// (an adjustment credit note, reason_code and create_reason_code both reason).
func cbCredits(rows ...string) map[string]string {
	var cr []string
	for _, r := range rows {
		f := strings.Split(r, ",")
		cr = append(cr, fmt.Sprintf("('%s', '%s', '%s', '%s', '%s', '%s', '%s', %s, %s, %s, '%s', '%s', %s)",
			f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]))
	}
	return map[string]string{"billing.credit_note_line_items": `select credit_note_id, id, 'CX' as customer_id, subscription_id,
		'USD' as currency_code, 'adjustment' as credit_note_type, status as credit_note_status, reason as credit_note_reason_code,
		reason as credit_note_create_reason_code, cast(date_from as timestamp) as credit_note_date,
		version as credit_note_resource_version, cast(date_from as timestamp) as date_from, cast(date_to as timestamp) as date_to,
		entity_type, entity_id, quantity, unit_amount, amount, false as deleted
		from (values ` + strings.Join(cr, ",\n") + `) as t(credit_note_id, id, subscription_id, date_from, date_to, entity_type,
		entity_id, quantity, unit_amount, amount, reason, status, version)`}
}

// Spec §4.2 for Chargebee, decreases: seats removed, an addon taken off or a plan replaced by
// a cheaper one in the middle of a term are billed by no invoice line — Chargebee credits the
// old values' unused time with a credit note of reason subscription_change — so with the
// credit_note_line_items table the decrease counts from the credit's date_from (February's
// contraction at the month-end snapshot, March's at month-start), at the values of the line
// that follows (the renewal) or, before the renewal is billed, of the item as it is now.
// Credits for other reasons (a refund) and voided ones make no movement (spec §4.7); without
// the table the decrease shows at the renewal, as before.
func TestChargebeeMidPeriodDecrease(t *testing.T) {
	sub := cbSub{id: "S1", status: "active", period: 1, unit: "month", start: "2024-01-01"}
	seatItems := []string{"S1,2,P-M,plan,1,100.00,1,month"}
	seatLines := append(monthly("S1", "P-M", 3, 100, "2024-01", "2024-02"), monthly("S1", "P-M", 1, 100, "2024-03", "2024-04")...)
	seatCredit := "CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,2,100.00,96.55,subscription_change,adjusted,1"
	atRenewal := []string{"S1/P-M|2024-01-01|2024-02-01|3|300|false", "S1/P-M|2024-02-01|2024-03-01|3|300|false",
		"S1/P-M|2024-03-01|2024-04-01|1|100|false", "S1/P-M|2024-04-01|-|1|100|false"}
	atChange := []string{"S1/P-M|2024-01-01|2024-02-01|3|300|false", "S1/P-M|2024-02-01|2024-02-15|3|300|false",
		"S1/P-M|2024-02-15|2024-03-01|1|100|false", "S1/P-M|2024-03-01|2024-04-01|1|100|false", "S1/P-M|2024-04-01|-|1|100|false"}
	addonLines := append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02", "2024-03", "2024-04"),
		"IA1,L2,S1,2024-01-01,2024-02-01,addon_item_price,A-1,2,20.00,40.00", "IA2,L2,S1,2024-02-01,2024-03-01,addon_item_price,A-1,2,20.00,40.00")
	for _, c := range []struct {
		name      string
		items     []string
		lines     []string
		credits   []string
		vars      map[string]any
		wantLines []string
		wantMoves []string
	}{
		{name: "seats removed", items: seatItems, lines: seatLines, credits: []string{seatCredit},
			wantLines: atChange, wantMoves: []string{"2024-01|new|300", "2024-02|contraction|-200"}},
		{name: "seats removed, month_start snapshot", vars: map[string]any{"mrr_snapshot": "month_start"},
			items: seatItems, lines: seatLines, credits: []string{seatCredit},
			wantLines: atChange, wantMoves: []string{"2024-01|new|300", "2024-03|contraction|-200"}},
		{name: "seats removed, renewal not billed yet", vars: map[string]any{"as_of_date": "2024-02-29"},
			items: seatItems, lines: seatLines[:2], credits: []string{seatCredit},
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|3|300|false", "S1/P-M|2024-02-01|2024-02-15|3|300|false",
				"S1/P-M|2024-02-15|-|1|100|false"},
			wantMoves: []string{"2024-01|new|300", "2024-02|contraction|-200"}},
		{name: "seats removed, no credit_note_line_items", items: seatItems, lines: seatLines,
			wantLines: atRenewal, wantMoves: []string{"2024-01|new|300", "2024-03|contraction|-200"}},
		{name: "a refund is no change", items: seatItems, lines: seatLines,
			credits:   []string{"CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,2,100.00,96.55,product_unsatisfactory,refunded,1"},
			wantLines: atRenewal, wantMoves: []string{"2024-01|new|300", "2024-03|contraction|-200"}},
		{name: "a voided credit note is no change", items: seatItems, lines: seatLines,
			credits:   []string{seatCredit, "CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,2,100.00,96.55,subscription_change,voided,2"},
			wantLines: atRenewal, wantMoves: []string{"2024-01|new|300", "2024-03|contraction|-200"}},
		{name: "plan downgraded", items: []string{"S1,1,P-PRO,plan,1,250.00,1,month", "S1,2,P-M,plan,1,100.00,1,month"},
			lines:   append(monthly("S1", "P-PRO", 1, 250, "2024-01", "2024-02"), monthly("S1", "P-M", 1, 100, "2024-03", "2024-04")...),
			credits: []string{"CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-PRO,1,250.00,120.69,subscription_change,adjusted,1"},
			wantLines: []string{"S1/P-M|2024-02-15|2024-03-01|1|100|false", "S1/P-M|2024-03-01|2024-04-01|1|100|false",
				"S1/P-M|2024-04-01|-|1|100|false", "S1/P-PRO|2024-01-01|2024-02-01|1|250|false", "S1/P-PRO|2024-02-01|2024-02-15|1|250|false"},
			wantMoves: []string{"2024-01|new|250", "2024-02|contraction|-150"}},
		{name: "plan downgraded, renewal not billed yet", vars: map[string]any{"as_of_date": "2024-02-29"},
			items:   []string{"S1,1,P-PRO,plan,1,250.00,1,month", "S1,2,P-M,plan,1,100.00,1,month"},
			lines:   monthly("S1", "P-PRO", 1, 250, "2024-01", "2024-02"),
			credits: []string{"CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-PRO,1,250.00,120.69,subscription_change,adjusted,1"},
			wantLines: []string{"S1/P-M|2024-02-15|-|1|100|false", "S1/P-PRO|2024-01-01|2024-02-01|1|250|false",
				"S1/P-PRO|2024-02-01|2024-02-15|1|250|false"},
			wantMoves: []string{"2024-01|new|250", "2024-02|contraction|-150"}},
		{name: "addon taken off", items: []string{"S1,1,A-1,addon,2,40.00,1,month", "S1,2,P-M,plan,1,100.00,1,month"},
			lines:   addonLines,
			credits: []string{"CN1,L1,S1,2024-02-15,2024-03-01,addon_item_price,A-1,2,20.00,19.31,subscription_change,adjusted,1"},
			wantLines: []string{"S1/A-1|2024-01-01|2024-02-01|2|40|false", "S1/A-1|2024-02-01|2024-02-15|2|40|false",
				"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-03-01|1|100|false",
				"S1/P-M|2024-03-01|2024-04-01|1|100|false", "S1/P-M|2024-04-01|-|1|100|false"},
			wantMoves: []string{"2024-01|new|140", "2024-02|contraction|-40"}},
		{name: "addon taken off, no credit_note_line_items", items: []string{"S1,1,A-1,addon,2,40.00,1,month", "S1,2,P-M,plan,1,100.00,1,month"},
			lines: addonLines,
			wantLines: []string{"S1/A-1|2024-01-01|2024-02-01|2|40|false", "S1/A-1|2024-02-01|2024-03-01|2|40|false",
				"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-03-01|1|100|false",
				"S1/P-M|2024-03-01|2024-04-01|1|100|false", "S1/P-M|2024-04-01|-|1|100|false"},
			wantMoves: []string{"2024-01|new|140", "2024-03|contraction|-40"}},
		{name: "an upgrade's credit for the old plan changes nothing",
			items: []string{"S1,1,P-M,plan,1,100.00,1,month", "S1,2,P-PRO,plan,1,250.00,1,month"},
			lines: append(append(monthly("S1", "P-M", 1, 100, "2024-01", "2024-02"),
				"IP,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-PRO,1,250.00,120.69"),
				monthly("S1", "P-PRO", 1, 250, "2024-03")...),
			credits: []string{"CN1,L1,S1,2024-02-15,2024-03-01,plan_item_price,P-M,1,100.00,48.28,subscription_change,adjusted,1"},
			wantLines: []string{"S1/P-M|2024-01-01|2024-02-01|1|100|false", "S1/P-M|2024-02-01|2024-02-15|1|100|false",
				"S1/P-PRO|2024-02-15|2024-03-01|1|250|false", "S1/P-PRO|2024-03-01|-|1|250|false"},
			wantMoves: []string{"2024-01|new|100", "2024-02|expansion|150"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var extra map[string]string
			if len(c.credits) > 0 {
				extra = cbCredits(c.credits...)
			}
			lines, _, moves := cbBuild(t, cbTables([]cbSub{sub}, c.items, c.lines, extra), c.vars)
			want(t, "lines", lines, c.wantLines...)
			want(t, "movements", moves, c.wantMoves...)
		})
	}
}
