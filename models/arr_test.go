package models_test

import (
	"maps"
	"testing"
)

const mrrQuery = `select date_month, customer_id, mrr, change_category, mrr_change
from fct_customer_mrr_month order by customer_id, date_month`

// billingOnly is a fixture with the files billing contract and no CRM.
func billingOnly(vars map[string]any, subs ...string) fixture {
	v := map[string]any{"crm_system": "none"}
	maps.Copy(v, vars)
	return fixture{vars: v, tables: subscriptions(subs...)}
}

func TestMRRMovements(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]any
		subs []string
		want []string
	}{
		{
			// §4.1: a second subscription is expansion, ending one of two is contraction, churn
			// only when the last one ends.
			name: "4.1 multiple subscriptions",
			subs: []string{"C1,S1,2024-01-01,2024-05-01,100,USD", "C1,S2,2024-03-01,2024-07-01,50,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|150|expansion|50",
				"2024-04-01|C1|150|∅|0", "2024-05-01|C1|50|contraction|-100", "2024-06-01|C1|50|∅|0",
				"2024-07-01|C1|0|churn|-50",
			},
		},
		{
			// §4.2: an upgrade on the 15th counts in its month at month end ...
			name: "4.2 mid-month upgrade, month-end snapshot",
			subs: []string{"C1,S1,2024-01-01,2024-03-15,100,USD", "C1,S1b,2024-03-15,2024-05-01,150,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|150|expansion|50",
				"2024-04-01|C1|150|∅|0", "2024-05-01|C1|0|churn|-150",
			},
		},
		{
			// ... and in the next month with the month-start snapshot (the mrr-playbook's).
			name: "4.2 mid-month upgrade, month-start snapshot",
			vars: map[string]any{"mrr_snapshot": "month_start"},
			subs: []string{"C1,S1,2024-01-01,2024-03-15,100,USD", "C1,S1b,2024-03-15,2024-05-01,150,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|100|∅|0",
				"2024-04-01|C1|150|expansion|50", "2024-05-01|C1|0|churn|-150",
			},
		},
		{
			// §4.3: churn is the first month whose snapshot has no MRR; a cancellation at
			// period end (the 15th) keeps MRR until then.
			name: "4.3 churn month attribution",
			subs: []string{"C1,S1,2024-01-01,2024-04-15,100,USD", "C2,S2,2024-01-01,2024-04-01,80,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|100|∅|0", "2024-04-01|C1|0|churn|-100",
				"2024-01-01|C2|80|new|80", "2024-02-01|C2|80|∅|0", "2024-03-01|C2|80|∅|0", "2024-04-01|C2|0|churn|-80",
			},
		},
		{
			// §4.4: a $0 plan (free or trial) is not active; the first paid month is new.
			name: "4.4 free trial then paid",
			vars: map[string]any{"as_of_date": "2024-03-31"},
			subs: []string{"C1,T1,2024-01-01,2024-02-01,0,USD", "C1,S1,2024-02-01,,100,USD"},
			want: []string{"2024-02-01|C1|100|new|100", "2024-03-01|C1|100|∅|0"},
		},
		{
			// §4.5: new only in the first-ever active month; a return after a gap is reactivation,
			// and the gap months are there with no MRR.
			name: "4.5 reactivation after a gap",
			subs: []string{"C1,S1,2024-01-01,2024-03-01,100,USD", "C1,S2,2024-05-01,2024-06-01,70,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|0|churn|-100",
				"2024-04-01|C1|0|∅|0", "2024-05-01|C1|70|reactivation|70", "2024-06-01|C1|0|churn|-70",
			},
		},
		{
			// §4.11: nothing after as_of_date's month, and no churn row for a customer active then.
			name: "4.11 horizon",
			vars: map[string]any{"as_of_date": "2024-03-10"},
			subs: []string{"C1,S1,2024-01-01,2025-01-01,100,USD", "C2,S2,2024-01-01,2024-03-01,50,USD"},
			want: []string{
				"2024-01-01|C1|100|new|100", "2024-02-01|C1|100|∅|0", "2024-03-01|C1|100|∅|0",
				"2024-01-01|C2|50|new|50", "2024-02-01|C2|50|∅|0", "2024-03-01|C2|0|churn|-50",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh := billingOnly(tt.vars, tt.subs...).build(t, "+fct_customer_mrr_month")
			want(t, "fct_customer_mrr_month", rows(t, wh, mrrQuery), tt.want...)
		})
	}
}

// §10.2 / ChartMogul's Syncalytics: four Gold yearly plans for $2,000 (MRR 166.67), two Silver
// monthly plans for $60 a few days later, Silver cancelled two weeks later (effective at the
// end of its paid month), Gold cancelled at the end of its year, then three Gold monthly plans
// ($150). ChartMogul: new 166.67, expansion 60, contraction -60, churn -166.67, reactivation
// 150. Month-level netting folds the same-month expansion into new (§4.1).
func TestSyncalytics(t *testing.T) {
	subs := []string{
		"SYN,gold-yearly,2024-01-10,2025-01-10,166.666667,USD",
		"SYN,silver-monthly,2024-01-14,2024-02-14,60,USD",
		"SYN,gold-monthly,2025-03-05,,150,USD",
	}
	t.Run("month_end", func(t *testing.T) {
		wh := billingOnly(map[string]any{"as_of_date": "2025-04-30"}, subs...).build(t, "+fct_customer_mrr_month")
		want(t, "movements", rows(t, wh, mrrQuery+" "),
			"2024-01-01|SYN|226.666667|new|226.666667",
			"2024-02-01|SYN|166.666667|contraction|-60",
			"2024-03-01|SYN|166.666667|∅|0", "2024-04-01|SYN|166.666667|∅|0", "2024-05-01|SYN|166.666667|∅|0",
			"2024-06-01|SYN|166.666667|∅|0", "2024-07-01|SYN|166.666667|∅|0", "2024-08-01|SYN|166.666667|∅|0",
			"2024-09-01|SYN|166.666667|∅|0", "2024-10-01|SYN|166.666667|∅|0", "2024-11-01|SYN|166.666667|∅|0",
			"2024-12-01|SYN|166.666667|∅|0",
			"2025-01-01|SYN|0|churn|-166.666667",
			"2025-02-01|SYN|0|∅|0",
			"2025-03-01|SYN|150|reactivation|150",
			"2025-04-01|SYN|150|∅|0")
	})
	t.Run("month_start", func(t *testing.T) {
		wh := billingOnly(map[string]any{"as_of_date": "2025-04-30", "mrr_snapshot": "month_start"}, subs...).build(t, "+fct_customer_mrr_month")
		got := rows(t, wh, `select date_month, change_category, mrr_change from fct_customer_mrr_month
			where change_category is not null order by date_month`)
		want(t, "movements", got,
			"2024-02-01|new|226.666667",
			"2024-03-01|contraction|-60",
			"2025-02-01|churn|-166.666667",
			"2025-04-01|reactivation|150")
	})
}

// §4.8: a constant EUR subscription converted at moving rates makes no movement: the
// revaluation goes to fx_adjustment and the roll-forward still ties. A customer who moves from
// EUR to USD billing is expansion or contraction, never churn and new.
func TestCurrency(t *testing.T) {
	fx := subscriptions("E1,S1,2024-01-01,,100,EUR",
		"SW,S2,2024-01-01,2024-03-01,100,EUR", "SW,S3,2024-03-01,,130,USD")
	fx["finance.fx"] = `select * from (values ('EUR', date '2024-01-01', 1.10), ('EUR', date '2024-02-01', 1.20),
		('eur', date '2024-03-15', 1.00)) as t(currency, rate_date, rate)`
	f := fixture{vars: map[string]any{"crm_system": "none", "as_of_date": "2024-04-10", "fx_source": []any{"finance", "fx"}}, tables: fx}
	wh := f.build(t, "+fct_arr_waterfall_month")
	want(t, "customer months", rows(t, wh, `select date_month, customer_id, currency, mrr_native, mrr, change_category, mrr_change, fx_adjustment
		from fct_customer_mrr_month order by customer_id, date_month`),
		"2024-01-01|E1|EUR|100|110|new|110|0",
		"2024-02-01|E1|EUR|100|120|∅|0|10",
		"2024-03-01|E1|EUR|100|100|∅|0|-20",
		"2024-04-01|E1|EUR|100|100|∅|0|0",
		"2024-01-01|SW|EUR|100|110|new|110|0",
		"2024-02-01|SW|EUR|100|120|∅|0|10",
		"2024-03-01|SW|USD|130|130|expansion|30|-20",
		"2024-04-01|SW|USD|130|130|∅|0|0")
	want(t, "waterfall", rows(t, wh, `select date_month, starting_mrr, new_mrr, expansion_mrr, fx_adjustment, ending_mrr,
		starting_mrr + new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment = ending_mrr
		from fct_arr_waterfall_month order by date_month`),
		"2024-01-01|0|220|0|0|220|true",
		"2024-02-01|220|0|0|20|240|true",
		"2024-03-01|240|0|30|-40|230|true",
		"2024-04-01|230|0|0|0|230|true")
	// A currency without a rate stops the build with an error that says what to add.
	missing := fixture{vars: map[string]any{"crm_system": "none"}, tables: subscriptions("J1,S1,2024-01-01,,1000,JPY")}
	tb := &fatalRecorder{T: t}
	func() {
		defer func() { _ = recover() }()
		missing.build(tb, "+fct_customer_mrr_month")
	}()
	if !tb.failed || !contains(tb.msg, "no FX rate from JPY to USD on or before ") {
		t.Errorf("missing rate: failed=%v %q", tb.failed, tb.msg)
	}
}

// §4.6, §4.7, §4.10 and trials on the canonical billing input (§3), through a project model
// that replaces the packaged stg_billing__recurring_lines, as a connector's staging would.
func TestRecurringLineRules(t *testing.T) {
	lines := `{{ config(materialized='view') }}
select customer_id, subscription_id, subscription_id as subscription_item_id, null as product_id, null as plan_id,
       'USD' as currency, cast(valid_from as timestamp) as valid_from, cast(valid_to as timestamp) as valid_to,
       cast(1 as decimal(38,6)) as quantity, cast(gross as decimal(38,6)) as mrr_gross,
       cast(discount as decimal(38,6)) as mrr_discount, cast(gross - discount as decimal(38,6)) as mrr_net,
       is_trial, false as is_paused, is_metered, null as status_at_valid_from, 'files' as source_system
from {{ source('billing', 'lines') }}`
	tables := subscriptions("D1,x,2024-01-01,2024-01-02,0,USD", "T1,x,2024-01-01,2024-01-02,0,USD",
		"M1,x,2024-01-01,2024-01-02,0,USD", "N1,x,2024-01-01,2024-01-02,0,USD")
	tables["billing.lines"] = `select * from (values
		-- D1: 100 a month; a 20% coupon from March to May (contraction, then expansion on expiry)
		('D1', 'S1', date '2024-01-01', date '2024-03-01', 100, 0, false, false),
		('D1', 'S1', date '2024-03-01', date '2024-06-01', 100, 20, false, false),
		('D1', 'S1', date '2024-06-01', date '2024-08-01', 100, 0, false, false),
		-- T1: a trial line carries no MRR; the first paid month is new
		('T1', 'S2', date '2024-01-01', date '2024-03-01', 90, 0, true, false),
		('T1', 'S2', date '2024-03-01', date '2024-05-01', 90, 0, false, false),
		-- M1: metered usage is not MRR
		('M1', 'S3', date '2024-01-01', date '2024-05-01', 500, 0, false, true),
		('M1', 'S4', date '2024-02-01', date '2024-05-01', 40, 0, false, false),
		-- N1: a credit line bigger than the plan: net MRR clamps at zero (inactive, flagged)
		('N1', 'S5', date '2024-01-01', date '2024-05-01', 50, 0, false, false),
		('N1', 'S6', date '2024-03-01', date '2024-04-01', 0, 80, false, false)
	) as t(customer_id, subscription_id, valid_from, valid_to, gross, discount, is_trial, is_metered)`
	f := fixture{vars: map[string]any{"crm_system": "none", "as_of_date": "2024-12-31"}, tables: tables,
		files: map[string]string{"stg_billing__recurring_lines.sql": lines}}
	wh := f.build(t, "+fct_customer_mrr_month")
	want(t, "movements", rows(t, wh, `select date_month, customer_id, mrr, mrr_gross, mrr_discount, change_category, mrr_change, mrr_clamped
		from fct_customer_mrr_month where change_category is not null or mrr_clamped order by customer_id, date_month`),
		"2024-01-01|D1|100|100|0|new|100|false",
		"2024-03-01|D1|80|100|20|contraction|-20|false",
		"2024-06-01|D1|100|100|0|expansion|20|false",
		"2024-08-01|D1|0|0|0|churn|-100|false",
		"2024-02-01|M1|40|40|0|new|40|false",
		"2024-05-01|M1|0|0|0|churn|-40|false",
		"2024-01-01|N1|50|50|0|new|50|false",
		"2024-03-01|N1|0|50|80|churn|-50|true",
		"2024-04-01|N1|50|50|0|reactivation|50|false",
		"2024-05-01|N1|0|0|0|churn|-50|false",
		"2024-03-01|T1|90|90|0|new|90|false",
		"2024-05-01|T1|0|0|0|churn|-90|false")
}

// §5.1's published example: start ARR 10.0M; over twelve months contraction 0.6M, churn 0.9M,
// expansion 1.8M: GRR 85%, NRR 103%. A customer new during the year is excluded.
func TestRetentionWorkedExample(t *testing.T) {
	// monthly amounts = ARR / 12
	wh := billingOnly(map[string]any{"as_of_date": "2025-01-31"},
		"A,a1,2024-01-01,2025-01-01,416666.666667,USD", "A,a2,2025-01-01,,566666.666667,USD", // 5.0M -> 6.8M
		"B,b1,2024-01-01,2025-01-01,250000,USD", "B,b2,2025-01-01,,200000,USD", // 3.0M -> 2.4M
		"C,c1,2024-01-01,2024-07-01,75000,USD", // 0.9M, churned
		"D,d1,2024-01-01,,91666.666667,USD",    // 1.1M, flat
		"E,e1,2024-06-01,,50000,USD",           // new during the year
	).build(t, "+fct_retention")
	want(t, "12-month retention", rows(t, wh, `select date_month, cohort_month, cohort_customers, cohort_customers_retained,
		round(cohort_starting_mrr * 12, 0), round(cohort_ending_mrr * 12, 0), round(grr_12m, 4), round(nrr_12m, 4)
		from fct_retention where date_month = date '2025-01-01'`),
		"2025-01-01|2024-01-01|4|3|10000000|10300000|0.85|1.03")
}

// The roll-forward identity, and each month's start equal to the previous month's end, on a
// fixture with every movement kind.
func TestWaterfallIdentity(t *testing.T) {
	wh := billingOnly(map[string]any{"as_of_date": "2024-09-30"},
		"C1,S1,2024-01-01,2024-05-01,100,USD", "C1,S2,2024-03-01,2024-07-01,50,USD",
		"C2,S3,2024-02-01,2024-04-01,70,USD", "C2,S4,2024-06-01,,70,USD",
		"C3,S5,2024-04-01,,30,USD").build(t, "+fct_arr_waterfall_month")
	want(t, "waterfall", rows(t, wh, `select date_month, starting_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr,
		churned_mrr, ending_mrr, customers_start, customers_end
		from fct_arr_waterfall_month order by date_month`),
		"2024-01-01|0|100|0|0|0|0|100|0|1",
		"2024-02-01|100|70|0|0|0|0|170|1|2",
		"2024-03-01|170|0|50|0|0|0|220|2|2",
		"2024-04-01|220|30|0|0|0|-70|180|2|2",
		"2024-05-01|180|0|0|0|-100|0|80|2|2",
		"2024-06-01|80|0|0|70|0|0|150|2|3",
		"2024-07-01|150|0|0|0|0|-50|100|3|2",
		"2024-08-01|100|0|0|0|0|0|100|2|2",
		"2024-09-01|100|0|0|0|0|0|100|2|2")
	if bad := rows(t, wh, `select date_month from (
			select date_month, starting_mrr, ending_mrr, lag(ending_mrr) over (order by date_month) as prev_end,
			       new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment as net
			from fct_arr_waterfall_month)
		where starting_mrr + net <> ending_mrr or (prev_end is not null and prev_end <> starting_mrr)`); len(bad) > 0 {
		t.Errorf("months that do not tie: %v", bad)
	}
}
