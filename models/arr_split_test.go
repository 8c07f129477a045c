package models_test

import (
	"fmt"
	"testing"

	"github.com/revops/revops/warehouse/duckdb"
)

// §4.3 churn_grace_months: G1 has a one-month gap (March), G2 a two-month gap (March, April),
// G3 stops in June and has not come back by as_of_date (an open gap is churn whatever the
// grace). A gap of at most the grace is contraction to zero and expansion back, its months are
// in grace; a longer one is churn and reactivation. 0, the default, is today's behaviour.
func TestChurnGrace(t *testing.T) {
	subs := []string{
		"G1,a,2024-01-01,2024-03-01,100,USD", "G1,b,2024-04-01,2024-06-01,100,USD",
		"G2,a,2024-01-01,2024-03-01,100,USD", "G2,b,2024-05-01,2024-06-01,120,USD",
		"G3,a,2024-01-01,2024-06-01,50,USD",
	}
	const customerMonths = `select date_month, customer_id, mrr, change_category, mrr_change, is_in_grace
		from fct_customer_mrr_month where change_category is not null or is_in_grace order by customer_id, date_month`
	const waterfall = `select date_month, starting_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr,
		churned_mrr, ending_mrr, customers_start, customers_end, churned_customers, reactivated_customers
		from fct_arr_waterfall_month order by date_month`
	tests := []struct {
		name      string
		vars      map[string]any
		months    []string
		waterfall []string
	}{
		{
			name: "default 0: every gap is churn and reactivation",
			months: []string{
				"2024-01-01|G1|100|new|100|false", "2024-03-01|G1|0|churn|-100|false",
				"2024-04-01|G1|100|reactivation|100|false", "2024-06-01|G1|0|churn|-100|false",
				"2024-01-01|G2|100|new|100|false", "2024-03-01|G2|0|churn|-100|false",
				"2024-05-01|G2|120|reactivation|120|false", "2024-06-01|G2|0|churn|-120|false",
				"2024-01-01|G3|50|new|50|false", "2024-06-01|G3|0|churn|-50|false",
			},
			waterfall: []string{
				"2024-01-01|0|250|0|0|0|0|250|0|3|0|0",
				"2024-02-01|250|0|0|0|0|0|250|3|3|0|0",
				"2024-03-01|250|0|0|0|0|-200|50|3|1|2|0",
				"2024-04-01|50|0|0|100|0|0|150|1|2|0|1",
				"2024-05-01|150|0|0|120|0|0|270|2|3|0|1",
				"2024-06-01|270|0|0|0|0|-270|0|3|0|3|0",
			},
		},
		{
			name: "1 month: the one-month gap is bridged, the two-month gap is not",
			vars: map[string]any{"churn_grace_months": 1},
			months: []string{
				"2024-01-01|G1|100|new|100|false", "2024-03-01|G1|0|contraction|-100|true",
				"2024-04-01|G1|100|expansion|100|false", "2024-06-01|G1|0|churn|-100|false",
				"2024-01-01|G2|100|new|100|false", "2024-03-01|G2|0|churn|-100|false",
				"2024-05-01|G2|120|reactivation|120|false", "2024-06-01|G2|0|churn|-120|false",
				"2024-01-01|G3|50|new|50|false", "2024-06-01|G3|0|churn|-50|false",
			},
			waterfall: []string{
				"2024-01-01|0|250|0|0|0|0|250|0|3|0|0",
				"2024-02-01|250|0|0|0|0|0|250|3|3|0|0",
				"2024-03-01|250|0|0|0|-100|-100|50|3|2|1|0",
				"2024-04-01|50|0|100|0|0|0|150|2|2|0|0",
				"2024-05-01|150|0|0|120|0|0|270|2|3|0|1",
				"2024-06-01|270|0|0|0|0|-270|0|3|0|3|0",
			},
		},
		{
			name: "2 months: both gaps bridged; the open gap at as_of_date is still churn",
			vars: map[string]any{"churn_grace_months": 2},
			months: []string{
				"2024-01-01|G1|100|new|100|false", "2024-03-01|G1|0|contraction|-100|true",
				"2024-04-01|G1|100|expansion|100|false", "2024-06-01|G1|0|churn|-100|false",
				"2024-01-01|G2|100|new|100|false", "2024-03-01|G2|0|contraction|-100|true",
				"2024-04-01|G2|0|∅|0|true",
				"2024-05-01|G2|120|expansion|120|false", "2024-06-01|G2|0|churn|-120|false",
				"2024-01-01|G3|50|new|50|false", "2024-06-01|G3|0|churn|-50|false",
			},
			waterfall: []string{
				"2024-01-01|0|250|0|0|0|0|250|0|3|0|0",
				"2024-02-01|250|0|0|0|0|0|250|3|3|0|0",
				"2024-03-01|250|0|0|0|-200|0|50|3|3|0|0",
				"2024-04-01|50|0|100|0|0|0|150|3|3|0|0",
				"2024-05-01|150|0|120|0|0|0|270|3|3|0|0",
				"2024-06-01|270|0|0|0|0|-270|0|3|0|3|0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"as_of_date": "2024-06-30"}
			for k, v := range tt.vars {
				vars[k] = v
			}
			wh := billingOnly(vars, subs...).build(t, "+fct_arr_waterfall_month +fct_arr_waterfall_month_segment +fct_arr_waterfall_month_currency")
			want(t, "fct_customer_mrr_month", rows(t, wh, customerMonths), tt.months...)
			want(t, "fct_arr_waterfall_month", rows(t, wh, waterfall), tt.waterfall...)
			assertTies(t, wh, "fct_arr_waterfall_month", "")
			assertTies(t, wh, "fct_arr_waterfall_month_segment", "segment")
			assertTies(t, wh, "fct_arr_waterfall_month_currency", "currency")
			assertSumsToTotal(t, wh, "fct_arr_waterfall_month_segment", "customers_start", "customers_end", "churned_customers")
			assertSumsToTotal(t, wh, "fct_arr_waterfall_month_currency")
			// the logo roll-forward ties too: a bridged gap neither loses nor adds a customer
			if bad := rows(t, wh, `select date_month from fct_arr_waterfall_month
				where customers_start + new_customers + reactivated_customers - churned_customers <> customers_end`); len(bad) > 0 {
				t.Errorf("customer counts that do not tie: %v", bad)
			}
		})
	}
}

// A negative grace is a configuration error.
func TestChurnGraceInvalid(t *testing.T) {
	tb := &fatalRecorder{T: t}
	func() {
		defer func() { _ = recover() }()
		billingOnly(map[string]any{"churn_grace_months": -1}, "C1,S1,2024-01-01,,100,USD").build(tb, "+fct_customer_mrr_month")
	}()
	if !tb.failed || !contains(tb.msg, "churn_grace_months must be 0 or more") {
		t.Errorf("negative grace: failed=%v %q", tb.failed, tb.msg)
	}
}

// With a grace, logo churn follows the waterfall and a cohort member inside a bridged gap at
// the end of the 12 months is retained (its MRR then is still zero, so NRR and GRR do not
// change).
func TestChurnGraceRetention(t *testing.T) {
	subs := []string{"R1,a,2024-01-01,2025-01-01,100,USD", "R1,b,2025-02-01,,100,USD", "R2,a,2024-01-01,,100,USD"}
	const q = `select date_month, customers_start, churned_customers, logo_churn_rate, gross_mrr_churn_rate,
		cohort_customers, cohort_customers_retained, logo_retention_12m, nrr_12m, grr_12m
		from fct_retention where date_month = date '2025-01-01'`
	for _, tt := range []struct {
		grace int
		want  string
	}{
		{0, "2025-01-01|2|1|0.5|0.5|2|1|0.5|0.5|0.5"},
		{1, "2025-01-01|2|0|0|0.5|2|2|1|0.5|0.5"},
	} {
		t.Run(fmt.Sprint("grace ", tt.grace), func(t *testing.T) {
			wh := billingOnly(map[string]any{"as_of_date": "2025-02-28", "churn_grace_months": tt.grace}, subs...).build(t, "+fct_retention")
			want(t, "fct_retention", rows(t, wh, q), tt.want)
		})
	}
}

// assertTies checks the roll-forward of a waterfall model (partitioned by part when not
// empty): starting + movements (+ currency_switch_mrr when the model has it) + fx_adjustment
// = ending, and each month's starting is the previous month's ending.
func assertTies(t *testing.T, wh *duckdb.Warehouse, model, part string) {
	t.Helper()
	over, sw := "order by date_month", ""
	if part != "" {
		over = "partition by " + part + " order by date_month"
		if model == "fct_arr_waterfall_month_currency" {
			sw = " + currency_switch_mrr"
		}
	}
	if bad := rows(t, wh, fmt.Sprintf(`select date_month from (
			select *, lag(ending_mrr) over (%s) as prev_end,
			       new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment%s as net
			from %s)
		where starting_mrr + net <> ending_mrr or (prev_end is not null and prev_end <> starting_mrr)`, over, sw, model)); len(bad) > 0 {
		t.Errorf("%s: months that do not tie: %v", model, bad)
	}
}

// segmentFixture: CRM accounts A1 (SMB), A2 (ENT) and A4 (no segment); billing customers K1 →
// A1, K2 → A2, K3 unmatched, K4 → a deleted account (unmatched), K5 → A4.
func segmentFixture() fixture {
	tables := subscriptions(
		"K1,a,2024-01-01,2024-04-01,100,USD", "K1,b,2024-02-01,,50,USD",
		"K2,a,2024-02-01,2024-03-01,200,USD", "K2,b,2024-05-01,,200,USD",
		"K3,a,2024-01-01,,30,USD",
		"K4,a,2024-04-01,2024-05-01,10,USD",
		"K5,a,2024-03-01,,70,USD")
	tables["billing.customers"] = `select * from (values
		('K1', 'K1 Inc', 'billing@k1.example', 'A1'), ('K2', 'K2 Inc', 'billing@k2.example', 'A2'),
		('K3', 'K3 Inc', 'billing@k3.example', null), ('K4', 'K4 Inc', 'billing@k4.example', 'A9'),
		('K5', 'K5 Inc', 'billing@k5.example', 'A4')
	) as t(customer_id, name, email, crm_account_id)`
	tables["crm.accounts"] = `select * from (values
		('A1', 'Acme', 'acme.com', 'Tech', 'NA', 'SMB', 'U1', timestamp '2023-01-01 00:00:00', false),
		('A2', 'Beta', 'beta.io', 'Tech', 'NA', 'ENT', 'U1', timestamp '2023-01-01 00:00:00', false),
		('A4', 'Delta', 'delta.io', 'Tech', 'NA', null, 'U1', timestamp '2023-01-01 00:00:00', false),
		('A9', 'Gone', 'gone.com', 'Tech', 'NA', 'SMB', 'U1', timestamp '2023-01-01 00:00:00', true)
	) as t(account_id, name, domain, industry, region, segment, owner_id, created_at, is_deleted)`
	return fixture{vars: map[string]any{"crm_system": "files", "as_of_date": "2024-05-31"}, tables: tables}
}

// §5 × segment: the segment is the CRM account's; unmatched customers (K3, K4 on a deleted
// account) and an account without a segment (K5) are 'Unknown'. Every segment ties every month
// and the segments sum to the total waterfall.
func TestWaterfallBySegment(t *testing.T) {
	wh := segmentFixture().build(t, "+fct_arr_waterfall_month_segment +fct_arr_waterfall_month")
	want(t, "segments", rows(t, wh, `select segment, date_month, starting_mrr, new_mrr, expansion_mrr, reactivation_mrr,
		contraction_mrr, churned_mrr, ending_mrr, customers_start, customers_end
		from fct_arr_waterfall_month_segment order by segment, date_month`),
		"ENT|2024-02-01|0|200|0|0|0|0|200|0|1",
		"ENT|2024-03-01|200|0|0|0|0|-200|0|1|0",
		"ENT|2024-04-01|0|0|0|0|0|0|0|0|0",
		"ENT|2024-05-01|0|0|0|200|0|0|200|0|1",
		"SMB|2024-01-01|0|100|0|0|0|0|100|0|1",
		"SMB|2024-02-01|100|0|50|0|0|0|150|1|1",
		"SMB|2024-03-01|150|0|0|0|0|0|150|1|1",
		"SMB|2024-04-01|150|0|0|0|-100|0|50|1|1",
		"SMB|2024-05-01|50|0|0|0|0|0|50|1|1",
		"Unknown|2024-01-01|0|30|0|0|0|0|30|0|1",
		"Unknown|2024-02-01|30|0|0|0|0|0|30|1|1",
		"Unknown|2024-03-01|30|70|0|0|0|0|100|1|2",
		"Unknown|2024-04-01|100|10|0|0|0|0|110|2|3",
		"Unknown|2024-05-01|110|0|0|0|0|-10|100|3|2")
	assertTies(t, wh, "fct_arr_waterfall_month_segment", "segment")
	// segments partition the customers, so the counts add up too
	assertSumsToTotal(t, wh, "fct_arr_waterfall_month_segment", "customers_start", "customers_end", "new_customers",
		"churned_customers", "reactivated_customers", "expanded_customers", "contracted_customers")
}

// assertSumsToTotal checks that a split waterfall's rows of each month add up to the total
// waterfall's row, column by column (the money columns, and the columns in extra), and that no
// month is missing on either side.
func assertSumsToTotal(t *testing.T, wh *duckdb.Warehouse, model string, extra ...string) {
	t.Helper()
	cols := append([]string{"starting_mrr", "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr",
		"fx_adjustment", "ending_mrr", "net_new_mrr", "starting_arr", "new_arr", "expansion_arr", "reactivation_arr",
		"contraction_arr", "churned_arr", "fx_adjustment_arr", "ending_arr", "net_new_arr"}, extra...)
	var sums, diff string
	for i, c := range cols {
		if i > 0 {
			sums += ", "
			diff += " or "
		}
		sums += fmt.Sprintf("sum(%s) as %s", c, c)
		diff += fmt.Sprintf("t.%s is distinct from s.%s", c, c)
	}
	if bad := rows(t, wh, fmt.Sprintf(`select coalesce(t.date_month, s.date_month) from fct_arr_waterfall_month as t
		full join (select date_month, %s from %s group by date_month) as s on s.date_month = t.date_month
		where %s`, sums, model, diff)); len(bad) > 0 {
		t.Errorf("%s: months whose rows do not sum to fct_arr_waterfall_month: %v", model, bad)
	}
}

// §5 × currency, on TestCurrency's rates (EUR 1.10 in January, 1.20 in February, 1.00 from
// March): E1 bills EUR 100 throughout; SW moves from EUR 100 to USD 130 in March (an expansion
// of 30 for the customer, booked in USD, the rest a currency switch: EUR -100, USD +100); MC
// bills EUR 50 and adds USD 20 in February (an expansion in USD alone). Amounts in USD and in
// the currency itself; every currency ties and they sum to the total.
func TestWaterfallByCurrency(t *testing.T) {
	tables := subscriptions("E1,S1,2024-01-01,,100,EUR",
		"SW,S2,2024-01-01,2024-03-01,100,EUR", "SW,S3,2024-03-01,,130,USD",
		"MC,S4,2024-01-01,,50,EUR", "MC,S5,2024-02-01,,20,USD")
	tables["finance.fx"] = `select * from (values ('EUR', date '2024-01-01', 1.10), ('EUR', date '2024-02-01', 1.20),
		('EUR', date '2024-03-15', 1.00)) as t(currency, rate_date, rate)`
	f := fixture{vars: map[string]any{"crm_system": "none", "as_of_date": "2024-04-10", "fx_source": []any{"finance", "fx"}}, tables: tables}
	wh := f.build(t, "+fct_arr_waterfall_month_currency +fct_arr_waterfall_month")
	want(t, "currencies", rows(t, wh, `select currency, date_month, starting_mrr, new_mrr, expansion_mrr, currency_switch_mrr,
		fx_adjustment, ending_mrr, starting_mrr_native, new_mrr_native, expansion_mrr_native, currency_switch_mrr_native,
		ending_mrr_native, customers_start, customers_end, new_customers, expanded_customers
		from fct_arr_waterfall_month_currency order by currency, date_month`),
		"EUR|2024-01-01|0|275|0|0|0|275|0|250|0|0|250|0|3|3|0",
		"EUR|2024-02-01|275|0|0|0|25|300|250|0|0|0|250|3|3|0|0",
		"EUR|2024-03-01|300|0|0|-100|-50|150|250|0|0|-100|150|3|2|0|0",
		"EUR|2024-04-01|150|0|0|0|0|150|150|0|0|0|150|2|2|0|0",
		"USD|2024-02-01|0|0|20|0|0|20|0|0|20|0|20|0|1|0|1",
		"USD|2024-03-01|20|0|30|100|0|150|20|0|30|100|150|1|2|0|1",
		"USD|2024-04-01|150|0|0|0|0|150|150|0|0|0|150|2|2|0|0")
	want(t, "total", rows(t, wh, `select date_month, starting_mrr, new_mrr, expansion_mrr, fx_adjustment, ending_mrr
		from fct_arr_waterfall_month order by date_month`),
		"2024-01-01|0|275|0|0|275", "2024-02-01|275|0|20|25|320", "2024-03-01|320|0|30|-50|300", "2024-04-01|300|0|0|0|300")
	assertTies(t, wh, "fct_arr_waterfall_month_currency", "currency")
	if bad := rows(t, wh, `select currency, date_month from (
			select *, lag(ending_mrr_native) over (partition by currency order by date_month) as prev_end
			from fct_arr_waterfall_month_currency)
		where starting_mrr_native + new_mrr_native + expansion_mrr_native + reactivation_mrr_native + contraction_mrr_native
		      + churned_mrr_native + currency_switch_mrr_native <> ending_mrr_native
		   or (prev_end is not null and prev_end <> starting_mrr_native)`); len(bad) > 0 {
		t.Errorf("native amounts that do not tie: %v", bad)
	}
	if bad := rows(t, wh, `select date_month from fct_arr_waterfall_month_currency group by date_month
		having sum(currency_switch_mrr) <> 0`); len(bad) > 0 {
		t.Errorf("currency switches that do not cancel out: %v", bad)
	}
	assertSumsToTotal(t, wh, "fct_arr_waterfall_month_currency")
}
