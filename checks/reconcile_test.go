package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/state"
)

func TestReconcile(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE crm_bookings (account_id INTEGER, amount DECIMAL(18,2))`,
		`INSERT INTO crm_bookings VALUES (1, 100), (1, 50), (2, 200), (3, 300), (4, 10)`,
		`CREATE TABLE billing (account_id INTEGER, amount DECIMAL(18,2))`,
		`INSERT INTO billing VALUES (1, 150), (2, 201), (3, 330), (5, 5)`)
	tg := Target{Kind: "model", Name: "crm_bookings", Relation: []string{"main", "crm_bookings"}}
	r := runOne(t, wh, testNow, `
- reconcile:
    left: select account_id, amount from {{ this }}
    right: select account_id, amount from {{ ref('billing') }}
    on: [account_id]
    measures: [amount]
    tolerance: {absolute: 1, percent: 5}
`, tg, "")
	check(t, r, want{status: StatusFail, observed: 3, rate: 60, failing: 3, text: "3 of 5 keys (60.00%) differ beyond the tolerance (|Δ| ≤ 1 or |Δ| ≤ 5%)",
		sample: []map[string]any{
			{"account_id": int64(3), "left_amount": 300.0, "right_amount": 330.0},
			{"account_id": int64(4), "left_amount": 10.0, "right_amount": 0.0},
			{"account_id": int64(5), "left_amount": 0.0, "right_amount": 5.0},
		}})
	r = runOne(t, wh, testNow, `
- reconcile:
    left: select amount from crm_bookings
    right: select amount from billing
    measures: [amount]
    tolerance: {percent: 5}
`, tg, "")
	check(t, r, want{status: StatusPass, observed: 0, rate: 0, text: "totals agree"})
	r = runOne(t, wh, testNow, `
- reconcile: {left: "select 1 as k, 2.5 as m", right: "select 1 as k, 2.5 as m", on: [k], measures: [m]}
`, tg, "")
	check(t, r, want{status: StatusPass, observed: 0, rate: 0})
}

func TestARRRollforward(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE fct_arr_waterfall_month (tenant_id VARCHAR, date_month DATE, starting_arr DECIMAL(18,2), new_arr DECIMAL(18,2),
			expansion_arr DECIMAL(18,2), reactivation_arr DECIMAL(18,2), contraction_arr DECIMAL(18,2), churned_arr DECIMAL(18,2), ending_arr DECIMAL(18,2))`,
		`INSERT INTO fct_arr_waterfall_month VALUES
			('a', '2026-01-01', 0,   100, 0,  0, 0,  0,   100),
			('a', '2026-02-01', 100, 20,  10, 0, -5, -10, 115),
			('a', '2026-03-01', 115, 0,   0,  5, 0,  0,   125),
			('a', '2026-04-01', 125, 0,   0,  0, 0,  0,   125),
			('a', '2026-06-01', 125, 0,   0,  0, 0,  0,   125),
			('a', '2026-07-01', 130, 0,   0,  0, 0,  0,   130),
			('b', '2026-01-01', 0,   50,  0,  0, 0,  0,   50),
			('b', '2026-02-01', 50,  0,   0,  0, 0,  NULL, 50)`)
	tg := Target{Kind: "model", Name: "fct_arr_waterfall_month", Relation: []string{"main", "fct_arr_waterfall_month"}}
	r := runOne(t, wh, testNow, `- arr_rollforward: {partition_by: [tenant_id]}`, tg, "")
	check(t, r, want{status: StatusFail, observed: 3, rate: 37.5, failing: 3, text: "3 of 8 months (37.50%) do not tie (tolerance 0.01)",
		sample: []map[string]any{
			{"tenant_id": "a", "date_month": "2026-03-01", "identity_gap": -5.0, "continuity_gap": 0.0},
			{"tenant_id": "a", "date_month": "2026-06-01", "identity_gap": 0.0, "continuity_gap": 0.0},
			{"tenant_id": "a", "date_month": "2026-07-01", "identity_gap": 0.0, "continuity_gap": 5.0},
		}})
	// Unsigned components, renamed columns and no reactivation.
	mustExec(t, wh,
		`CREATE TABLE wf (m DATE, open DOUBLE, added DOUBLE, grown DOUBLE, shrunk DOUBLE, lost DOUBLE, close DOUBLE)`,
		`INSERT INTO wf VALUES ('2026-01-01', 0, 100, 0, 0, 0, 100), ('2026-02-01', 100, 0, 10, 5, 20, 85)`)
	wf := Target{Kind: "model", Name: "wf", Relation: []string{"main", "wf"}}
	r = runOne(t, wh, testNow, `
- arr_rollforward:
    signed: false
    columns: {month: m, starting: open, new: added, expansion: grown, reactivation: "", contraction: shrunk, churned: lost, ending: close}
`, wf, "")
	check(t, r, want{status: StatusPass, observed: 0, rate: 0})
}

func TestBookingsVsBilling(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE fct_bookings (account_id VARCHAR, booking_date DATE, booked_arr DECIMAL(18,2), booking_type VARCHAR)`,
		`INSERT INTO fct_bookings VALUES
			('A1', '2026-01-10', 12000, 'new_business'),
			('A1', '2026-03-05', 6000,  'expansion'),
			('A2', '2026-02-20', 24000, 'new_business'),
			('A2', '2026-02-21', 100,   'renewal'),
			('A3', '2026-05-02', 1200,  'new_business'),
			('A4', '2026-06-01', 5000,  'new_business')`,
		`CREATE TABLE fct_customer_mrr_month (customer_id VARCHAR, date_month DATE, new_mrr DECIMAL(18,2), expansion_mrr DECIMAL(18,2))`,
		`INSERT INTO fct_customer_mrr_month VALUES
			('A1', '2026-01-01', 1000, 0), ('A1', '2026-02-01', 0, 0), ('A1', '2026-04-01', 0, 500),
			('A2', '2026-04-01', 2000, 0)`)
	tg := Target{Kind: "model", Name: "fct_bookings", Relation: []string{"main", "fct_bookings"}}
	// Lag 1: A2's billing arrives two months after its booking, A3 is never billed.
	r := runOne(t, wh, testNow, `- bookings_vs_billing: {billing: "ref('fct_customer_mrr_month')", lag_months: 1}`, tg, "")
	check(t, r, want{status: StatusFail, observed: 2, rate: 50, failing: 2, text: "2 of 4 account-months (50.00%) booked 2025-06–2026-05",
		sample: []map[string]any{
			{"account": "A2", "month": "2026-02-01", "booked": 24000.0, "billed": 0.0},
			{"account": "A3", "month": "2026-05-01", "booked": 1200.0, "billed": 0.0},
		}})
	// Lag 2: A2 ties; May's window has not ended yet.
	r = runOne(t, wh, testNow, `- bookings_vs_billing: {billing: "ref('fct_customer_mrr_month')", lag_months: 2, tolerance: {percent: 1}}`, tg, "")
	check(t, r, want{status: StatusPass, observed: 0, rate: 0, text: "0 of 3 account-months"})
	if len(r.SQL) != 1 {
		t.Errorf("ran %d queries", len(r.SQL))
	}
}

func TestExtractTotals(t *testing.T) {
	wh := openDB(t)
	ctx := context.Background()
	if err := EnsureHistory(ctx, wh); err != nil {
		t.Fatal(err)
	}
	mustExec(t, wh, `CREATE SCHEMA crm`, `CREATE TABLE crm.accounts AS SELECT range AS id FROM range(100)`)
	at := time.Date(2026, 7, 15, 1, 0, 0, 0, time.UTC)
	for _, x := range []struct {
		total int64
		at    time.Time
	}{{90, at.Add(-24 * time.Hour)}, {102, at}} {
		if err := RecordSourceTotal(ctx, wh, wh.Dialect(), "crm", "accounts", x.total, x.at); err != nil {
			t.Fatal(err)
		}
	}
	tg := Target{Kind: "source", Name: "crm.accounts", Relation: []string{"crm", "accounts"}}
	check(t, runOne(t, wh, testNow, `- extract_totals`, tg, ""),
		want{status: StatusFail, observed: 2, rate: 200.0 / 102, failing: 2, text: "100 rows loaded, 102 reported by the source at 2026-07-15 01:00 UTC: 2 apart (1.96%)"})
	check(t, runOne(t, wh, testNow, `- extract_totals: {error_if: "> 5%"}`, tg, ""),
		want{status: StatusWarn, observed: 2, rate: 200.0 / 102, failing: 2})
	other := Target{Kind: "source", Name: "crm.leads", Relation: []string{"crm", "accounts"}}
	r := runOne(t, wh, testNow, `- extract_totals`, other, "")
	if r.Status != StatusError || !strings.Contains(r.Error, "no total recorded for crm.leads") {
		t.Fatalf("got %s %q", r.Status, r.Error)
	}
}

func TestVolumeAnomaly(t *testing.T) {
	wh := openDB(t)
	// 100 rows a day from Friday 1 May to Wednesday 15 July 2026 (today, still filling), at noon
	// in New York, except 40 on Tuesday 14 July, plus one at 22:00 New York time on the 14th,
	// which is already the 15th in UTC.
	mustExec(t, wh, `CREATE SCHEMA crm`,
		`CREATE TABLE crm.events (id INTEGER, updated_at TIMESTAMP, created_at TIMESTAMPTZ, day DATE)`,
		`INSERT INTO crm.events SELECT day * 1000 + i, TIMESTAMP '2026-05-01 12:00' + to_days(CAST(day AS INTEGER)),
			TIMESTAMPTZ '2026-05-01 16:00:00+00' + to_days(CAST(day AS INTEGER)), DATE '2026-05-01' + CAST(day AS INTEGER)
			FROM range(0, 76) AS a(day), range(0, 100) AS b(i) WHERE NOT (day = 74 AND i >= 40)`,
		`INSERT INTO crm.events VALUES (-1, '2026-07-14 22:00', '2026-07-15 02:00:00+00', '2026-07-14')`)
	now := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, yaml string
		want       want
		skipped    string
	}{
		{name: "timestamptz by New York day", yaml: `- volume_anomaly: {column: created_at}`,
			want: want{status: StatusFail, observed: 59, rate: 59, text: "41 rows on 2026-07-14 (Tue), 59.00% below the baseline of 100 (mean of 8 previous Tuesdays)"}},
		{name: "naive in New York", yaml: `- volume_anomaly: {column: updated_at, error_if: "> 70%"}`,
			want: want{status: StatusWarn, observed: 59, rate: 59}},
		{name: "date column", yaml: `- volume_anomaly: {column: day, seasonality: none, lookback: 14}`,
			want: want{status: StatusFail, observed: 59, rate: 59, text: "mean of 14 previous days"}},
		{name: "zscore", yaml: `- volume_anomaly: {column: created_at, method: zscore}`,
			want: want{status: StatusFail, observed: 59, rate: -1, text: "59 standard deviations below"}},
		{name: "where", yaml: `- volume_anomaly: {column: created_at, where: "id >= 0"}`,
			want: want{status: StatusFail, observed: 60, rate: 60}},
		{name: "day of month", yaml: `- volume_anomaly: {column: created_at, seasonality: day_of_month, lookback: 3, min_history: 2}`,
			want: want{status: StatusFail, observed: 59, rate: 59, text: "mean of the 14th of 2 previous months"}},
		{name: "not enough history", yaml: `- volume_anomaly: {column: created_at, seasonality: day_of_month}`,
			skipped: "not enough history: 2 of the 4 day_of_month buckets needed"},
		{name: "new table", yaml: `- volume_anomaly: {column: created_at, where: "created_at >= TIMESTAMPTZ '2026-07-10 00:00:00+00'"}`,
			skipped: "not enough history: 0 of the 4 day_of_week buckets needed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, wh, now, c.yaml, eventsTarget, "")
			if c.skipped != "" {
				if r.Status != StatusSkipped || r.Message != c.skipped {
					t.Fatalf("got %s %q %q", r.Status, r.Message, r.Error)
				}
				return
			}
			check(t, r, c.want)
		})
	}
}

// TestVolumeAnomalyRunHistory judges the rows each day's extract runs loaded, from the run
// ledger: a weekday job (no runs at weekends) that loads about 1,000 rows a day, two runs on
// some days, failed runs that do not count, and a collapse to 300 rows on Tuesday 14 July.
func TestVolumeAnomalyRunHistory(t *testing.T) {
	wh := openDB(t)
	ctx := context.Background()
	st := state.New(wh)
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, wh, `CREATE SCHEMA crm`, `CREATE TABLE crm.opportunity (id INTEGER)`)
	ny, _ := time.LoadLocation("America/New_York")
	record := func(day time.Time, hour int, status string, staged, inserted int64) {
		t.Helper()
		end := time.Date(day.Year(), day.Month(), day.Day(), hour, 30, 0, 0, ny)
		err := st.RecordStream(ctx, state.StreamResult{RunID: end.Format(time.RFC3339), Source: "crm", Stream: "opportunity",
			Table: "crm.opportunity", Status: status, Staged: staged, Inserted: inserted, StartedAt: end.Add(-time.Minute), EndedAt: end})
		if err != nil {
			t.Fatal(err)
		}
	}
	for d := time.Date(2026, 5, 4, 0, 0, 0, 0, ny); d.Before(time.Date(2026, 7, 16, 0, 0, 0, 0, ny)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		switch {
		case d.Month() == 7 && d.Day() == 14: // the collapse, and a failed retry that loaded nothing
			record(d, 2, "success", 300, 30)
			record(d, 3, "error", 0, 0)
		case d.Month() == 7 && d.Day() == 7: // two runs on the Tuesday before: 600 + 400
			record(d, 2, "success", 600, 60)
			record(d, 14, "success", 400, 40)
		case d.Month() == 7 && d.Day() == 15: // today: still filling, never judged
			record(d, 2, "success", 5, 0)
		default:
			record(d, 2, "success", 1000, 100)
		}
	}
	// The 21:30 New York run of Monday 13 July ends on the 14th in UTC; it is Monday's.
	record(time.Date(2026, 7, 13, 0, 0, 0, 0, ny), 21, "success", 0, 0)
	tg := Target{Kind: "source", Name: "crm.opportunity", Relation: []string{"crm", "opportunity"}, TimeZone: "America/New_York"}
	now := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, yaml string
		want       want
		skipped    string
	}{
		{name: "rows loaded, by weekday", yaml: `- volume_anomaly: {history: runs}`,
			want: want{status: StatusFail, observed: 70, rate: 70, text: "300 rows loaded on 2026-07-14 (Tue), 70.00% below the baseline of 1,000 (mean of 8 previous Tuesdays)"}},
		{name: "rows inserted", yaml: `- volume_anomaly: {history: runs, measure: inserted, method: zscore}`,
			want: want{status: StatusFail, observed: 70, rate: -1, text: "30 rows inserted on 2026-07-14 (Tue), 70 standard deviations below"}},
		{name: "previous days skip weekends", yaml: `- volume_anomaly: {history: runs, seasonality: none, lookback: 7, min_history: 5}`,
			want: want{status: StatusFail, observed: 70, rate: 70, text: "mean of 5 previous days"}},
		{name: "other stream named", yaml: `- volume_anomaly: {history: runs, source: crm, stream: account}`,
			skipped: "no successful run of crm.account yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, wh, now, c.yaml, tg, "")
			if c.skipped != "" {
				if r.Status != StatusSkipped || r.Message != c.skipped {
					t.Fatalf("got %s %q %q", r.Status, r.Message, r.Error)
				}
				return
			}
			check(t, r, c.want)
		})
	}
	// Judged on a Sunday, the last complete day (Saturday) had no run: skipped, not zero rows.
	r := runOne(t, wh, time.Date(2026, 7, 12, 15, 0, 0, 0, time.UTC), `- volume_anomaly: {history: runs}`, tg, "")
	if r.Status != StatusSkipped || r.Message != "no successful run of crm.opportunity on 2026-07-11" {
		t.Fatalf("weekend: got %s %q %q", r.Status, r.Message, r.Error)
	}
	model := Target{Kind: "model", Name: "fct_x", Relation: []string{"main", "fct_x"}}
	if _, err := tryParse(`- volume_anomaly: {history: runs}`, model, ""); err == nil || !strings.Contains(err.Error(), "history: runs reads a source stream's extract runs") {
		t.Errorf("history: runs on a model: %v", err)
	}
	if _, err := tryParse(`- volume_anomaly: {history: runs, measure: updated}`, tg, ""); err == nil || !strings.Contains(err.Error(), "measure: expected loaded or inserted") {
		t.Errorf("bad measure: %v", err)
	}
}
