package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"github.com/revops/revops/internal/demo"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The quickstart of the README: init, run, query as CSV, show.
func TestInitRunQuery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	r := revops(t, nil, "init", dir)
	if r.code != exitOK {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	if r := revops(t, nil, "init", dir); r.code != exitConfig || !strings.Contains(r.stderr, "already holds a revops.yaml") {
		t.Fatalf("second init: %d %s", r.code, r.stderr)
	}
	r = revops(t, nil, "run", "--project", dir)
	if r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "run summary", r.stdout, "extract files.accounts", "4 rows loaded", "run_results.json")

	r = revops(t, nil, "query", "--project", dir, "select 1", "--output", "csv")
	if r.code != exitOK || r.stdout != "1\n1\n" {
		t.Fatalf("query csv: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = revops(t, nil, "query", "--project", dir, "--output", "csv",
		"select account_id, annual_revenue, created_at from files.accounts order by account_id")
	want := "account_id,annual_revenue,created_at\n" +
		"001A000001,1250000.00,2026-01-05T14:30:00Z\n" + // 09:30 EST
		"001A000002,980000.50,2026-02-11T19:00:00Z\n" +
		"001A000003,,2026-03-10T06:30:00Z\n" + // 02:30 EDT (DST began 2026-03-08)
		"001A000004,15000000.00,2026-07-01T16:00:00Z\n"
	if r.stdout != want {
		t.Fatalf("query:\n%s\nwant:\n%s\n%s", r.stdout, want, r.stderr)
	}
	r = revops(t, nil, "show", "accounts", "--project", dir, "--output", "json", "--limit", "1")
	if r.code != exitOK {
		t.Fatalf("show: %d %s", r.code, r.stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("show json: %v %q", err, r.stdout)
	}
	if rows[0]["annual_revenue"] != 1250000.00 || rows[0]["_revops_run_id"] == nil {
		t.Fatalf("show row: %v", rows[0])
	}
	r = revops(t, nil, "show", "acounts", "--project", dir)
	if r.code != exitConfig {
		t.Fatalf("show unknown: %d %s", r.code, r.stderr)
	}
	mustContain(t, "show unknown", r.stderr, `no table or model named "acounts"`, `did you mean "files.accounts"`)
	r = revops(t, nil, "show", "files.accounts", "--project", dir)
	mustContain(t, "show table", r.stdout, "account_id", "Umbrella", "(4 rows)")

	var res map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	if err != nil || json.Unmarshal(data, &res) != nil {
		t.Fatalf("run_results.json: %v", err)
	}
	if res["status"] != "success" || res["rows_loaded"] != 4.0 || len(res["steps"].([]any)) != 1 {
		t.Fatalf("run_results.json: %s", data)
	}
	r = revops(t, nil, "query", "--project", dir, "--output", "csv", "select status, rows_loaded from _revops.runs")
	if r.stdout != "status,rows_loaded\nsuccess,4\n" {
		t.Fatalf("run ledger: %q", r.stdout)
	}
	// The run left its Prometheus metrics for node_exporter's textfile collector.
	prom, err := os.ReadFile(filepath.Join(dir, "target", "revops_my_project_run.prom"))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "metrics textfile", string(prom),
		`revops_extract_rows{command="run",project="my_project",stream="files.accounts"} 4`+"\n",
		`revops_run_exit_code{command="run",project="my_project"} 0`+"\n",
		`revops_run_last_success_timestamp_seconds{command="run",project="my_project"} `)
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"revops.yaml": "version: 1\nsources:\n  - name: crm\n    type: file\n    streams:\n      - name: a\n        path: a.csv\n        primery_key: [id]\n"})
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"typo in config", []string{"run", "--project", dir}, exitConfig,
			[]string{"revops.yaml:8:9", `unknown key "primery_key"`, `did you mean "primary_key"`}},
		{"unknown verb", []string{"rnu"}, exitConfig, []string{`unknown command "rnu"`}},
		{"unknown flag", []string{"run", "--selct", "x"}, exitConfig, []string{"flag provided but not defined: -selct"}},
		{"bad output", []string{"query", "select 1", "--output", "xml"}, exitConfig, []string{`--output "xml"`}},
		{"no project", []string{"run", "--project", filepath.Join(dir, "none")}, exitConfig, []string{"no revops.yaml found", "revops init"}},
		{"query needs SQL", []string{"query", "--project", dir}, exitConfig, []string{"expected one SQL argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := revops(t, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			mustContain(t, "stderr", r.stderr, tt.want...)
		})
	}
}

func TestSelectionErrorsAndVars(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	if r := revops(t, nil, "init", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	r := revops(t, nil, "run", "--project", dir, "--select", "files.acounts")
	if r.code != exitConfig {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, `"files.acounts": matches no model or source`, `did you mean "files.accounts"`)
	r = revops(t, nil, "run", "--project", dir, "--vars", "{as_of_date: 2026-11-30}", "--select", "files")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	mustContain(t, "run_results.json", string(data), `"as_of_date": "2026-11-30"`)
}

// Every verb has --help with examples, and it exits 0.
func TestHelp(t *testing.T) {
	for _, cmd := range commands() {
		r := revops(t, nil, cmd.name, "--help")
		if r.code != exitOK {
			t.Fatalf("%s --help: exit %d", cmd.name, r.code)
		}
		mustContain(t, cmd.name+" --help", r.stdout, "Usage: revops "+cmd.name, "Examples:", "-project")
	}
	r := revops(t, nil, "help")
	mustContain(t, "help", r.stdout, "Exit codes", "extract", "query")
}

// JSON logs off a terminal; ${NAME} references in the config are expanded from the environment,
// and an unset one is a config error naming the variable. (Secret redaction itself is tested in
// package config, on the Secret type.)
func TestJSONLogsAndEnvReferences(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	if r := revops(t, nil, "init", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "revops.yaml"))
	cfg = []byte(strings.Replace(string(cfg), "path: revops.duckdb", "path: ${WAREHOUSE_FILE}", 1))
	writeFiles(t, dir, map[string]string{"revops.yaml": string(cfg)})
	r := revops(t, map[string]string{"WAREHOUSE_FILE": "s3cr3t.duckdb"}, "run", "--project", dir, "--log-level", "debug")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	mustContain(t, "logs", r.stderr, `"stream":"files.accounts"`)
	if _, err := os.Stat(filepath.Join(dir, "s3cr3t.duckdb")); err != nil {
		t.Fatalf("${WAREHOUSE_FILE} was not expanded: %v", err)
	}
	r = revops(t, nil, "run", "--project", dir)
	if r.code != exitConfig {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "environment variable WAREHOUSE_FILE is not set")
}

// Exports run after a successful extract and are skipped after a failed one.
func TestExports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	if r := revops(t, nil, "init", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "revops.yaml"))
	cfg = append(cfg, []byte(`
exports:
  - name: accounts
    table: files.accounts
    path: exports/accounts.parquet
  - name: revenue
    query: "select sum(annual_revenue) as total from files.accounts"
    format: csv
    path: exports/revenue.csv
`)...)
	writeFiles(t, dir, map[string]string{"revops.yaml": string(cfg)})
	r := revops(t, nil, "run", "--project", dir)
	if r.code != exitOK {
		t.Fatalf("run: %d %s", r.code, r.stderr)
	}
	mustContain(t, "summary", r.stdout, "export accounts", "export revenue")
	got, _ := os.ReadFile(filepath.Join(dir, "exports", "revenue.csv"))
	if string(got) != "total\n17230000.50\n" {
		t.Fatalf("revenue.csv = %q", got)
	}
	q := revops(t, nil, "query", "--project", dir, "--output", "csv",
		"select count(*) as n from read_parquet('"+filepath.Join(dir, "exports", "accounts.parquet")+"')")
	if q.stdout != "n\n4\n" {
		t.Fatalf("accounts.parquet: %q %s", q.stdout, q.stderr)
	}
	// A failing stream: the exports are skipped, not refreshed from a half-finished run.
	writeFiles(t, dir, map[string]string{"data/accounts.csv": "account_id,name,domain,annual_revenue,created_at\nX,Bad,bad.com,lots,2026-01-01 00:00:00\n"})
	r = revops(t, nil, "run", "--project", dir)
	if r.code != exitRuntime {
		t.Fatalf("run with bad data: exit %d\n%s", r.code, r.stdout)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	mustContain(t, "run_results.json", string(data), `"kind": "export"`, `"status": "skipped"`)
	mustContain(t, "summary", r.stdout, "accounts.csv", "lots")
}

// `revops demo` generates the sample company, serves its Salesforce, HubSpot, Marketo and Stripe on fake
// APIs, extracts from them and runs it into a queryable warehouse. Every revenue model and KPI
// equals what the same world gives when read from its file exports (`--from files`).
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	r := revops(t, nil, "demo", "--dir", dir)
	if r.code != exitOK {
		t.Fatalf("demo: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "demo output", r.stdout, "Generated a sample company", "Serving its Salesforce (http://127.0.0.1:",
		"run success", "show --project "+dir)
	q := revops(t, nil, "query", "--project", dir, "--output", "csv", `select
		(select count(*) from crm.opportunity) as opportunities,
		(select count(*) from crm.opportunity_history) as history,
		(select count(*) from crm.account where is_deleted) as deleted_accounts,
		(select count(*) from crm.lead) as leads,
		(select count(*) from crm.opportunity_line_item) as line_items,
		(select count(*) from marketing.contacts) as hubspot_contacts,
		(select count(*) from billing.subscriptions) as subscriptions,
		(select typeof(amount) from crm.opportunity limit 1) as money_type`)
	if q.stdout != "opportunities,history,deleted_accounts,leads,line_items,hubspot_contacts,subscriptions,money_type\n"+
		"921,3577,9,1981,0,1981,139,\"DECIMAL(18,2)\"\n" {
		t.Fatalf("demo warehouse: %q %s", q.stdout, q.stderr)
	}
	checkDemoFindings(t, dir)

	files := filepath.Join(t.TempDir(), "files")
	if r := revops(t, nil, "demo", "--dir", files, "--from", "files"); r.code != exitOK {
		t.Fatalf("demo --from files: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	q = revops(t, nil, "query", "--project", files, "--output", "csv", `select
		(select count(*) from crm.opportunities) as opportunities,
		(select count(*) from crm.accounts where is_deleted) as deleted_accounts,
		(select count(*) from billing.subscriptions) as periods,
		(select count(*) from crm.leads where created_at is null) as leads_without_created_at,
		(select typeof(monthly_amount) from billing.subscriptions limit 1) as money_type`)
	if q.stdout != "opportunities,deleted_accounts,periods,leads_without_created_at,money_type\n921,9,262,0,\"DECIMAL(18,2)\"\n" {
		t.Fatalf("demo --from files warehouse: %q %s", q.stdout, q.stderr)
	}
	for _, m := range []string{
		`select date_month, starting_mrr, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, fx_adjustment, ending_mrr, customers_end from fct_arr_waterfall_month order by 1`,
		`select date_month, nrr_12m, grr_12m, logo_churn_rate from fct_retention order by 1`,
		`select snapshot_date, stage_name, count(*), sum(amount), sum(weighted_amount_reporting) from fct_pipeline_snapshot group by all order by all`,
		`select booking_type, count(*), sum(tcv), sum(acv), sum(booked_arr) from fct_bookings group by all order by all`,
		`select stage, count(*) from fct_lead_funnel group by all order by all`,
		`select count(*) filter (where within_sla), count(*), median(minutes_to_first_touch) from fct_speed_to_lead`,
		`select match_method, count(*) from dim_customer group by all order by all`,
		`select week_start, kpi, value, target from fct_revops_kpis order by all`,
		`select opportunity_id, stage_name, visit_number, entered_at from fct_opportunity_stage_history order by all`,
	} {
		a := revops(t, nil, "query", "--project", dir, "--output", "csv", m)
		b := revops(t, nil, "query", "--project", files, "--output", "csv", m)
		if a.code != exitOK || a.stdout != b.stdout || strings.Count(a.stdout, "\n") < 2 {
			t.Errorf("%s\nfrom the fake APIs (%d lines):\n%.600s\nfrom the files (%d lines):\n%.600s\n%s",
				m, strings.Count(a.stdout, "\n"), a.stdout, strings.Count(b.stdout, "\n"), b.stdout, a.stderr)
		}
	}
	if r := revops(t, nil, "demo", "--dir", dir); r.code != exitConfig {
		t.Fatalf("demo into a non-empty dir without --force: exit %d", r.code)
	}
	if r := revops(t, nil, "demo", "--dir", dir, "--force", "--from", "files"); r.code != exitOK {
		t.Fatalf("demo --force: %d %s", r.code, r.stderr)
	}
	if r := revops(t, nil, "demo", "--dir", dir, "--from", "api"); r.code != exitConfig || !strings.Contains(r.stderr, "use vendors or files") {
		t.Fatalf("demo --from api: exit %d %s", r.code, r.stderr)
	}
}

// On a terminal, extraction draws progress and logs are human text at warn level.
func TestTerminalProgress(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	if r := revops(t, nil, "init", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	var out, errb strings.Builder
	e := env{
		lookupEnv:  func(string) (string, bool) { return "", false },
		now:        time.Now,
		isTerminal: func(io.Writer) bool { return true },
		exit:       func(code int) { t.Fatalf("unexpected exit(%d)", code) },
	}
	if code := run(context.Background(), []string{"run", "--project", dir}, &out, &errb, e); code != exitOK {
		t.Fatalf("run: %d %s", code, errb.String())
	}
	mustContain(t, "terminal stderr", errb.String(), "extracting: 0/1 streams done", "✓ files.accounts", "4 rows")
	if strings.Contains(errb.String(), `"level"`) {
		t.Fatalf("JSON logs on a terminal:\n%s", errb.String())
	}
}

// Compressed exports load like plain ones.
func TestCompressedCSV(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("id,amount\n1,10.50\n2,20.25\n"))
	zw.Close()
	writeFiles(t, dir, map[string]string{
		"revops.yaml":                 "version: 1\nsources:\n  - name: billing\n    type: file\n    streams:\n      - name: credits\n        path: data/*.csv.gz\n        primary_key: [id]\n        columns:\n          - {name: amount, type: \"decimal(18,2)\"}\n",
		"data/credits-2026-10.csv.gz": buf.String(),
	})
	if r := revops(t, nil, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d %s", r.code, r.stdout)
	}
	q := revops(t, nil, "query", "--project", dir, "--output", "csv", "select sum(amount) as total from billing.credits")
	if q.stdout != "total\n30.75\n" {
		t.Fatalf("total: %q %s", q.stdout, q.stderr)
	}
}

// An interrupted run exits 130 and says so in run_results.json.
func TestInterruptedRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	if r := revops(t, nil, "init", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb strings.Builder
	e := env{lookupEnv: func(string) (string, bool) { return "", false }, now: time.Now,
		isTerminal: func(io.Writer) bool { return false }, exit: func(int) {}}
	if code := run(ctx, []string{"run", "--project", dir}, &out, &errb, e); code != exitCanceled {
		t.Fatalf("exit %d, want %d\n%s", code, exitCanceled, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	mustContain(t, "run_results.json", string(data), `"status": "canceled"`, `"exit_code": 130`)
}

// checkDemoFindings runs `revops check` on the demo and compares what each check found with
// the dirt the generator planted (demo.Summary.Planted, computed again for the same seed).
func checkDemoFindings(t *testing.T, dir string) {
	t.Helper()
	sum, err := demo.Generate(filepath.Join(t.TempDir(), "again"), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := revops(t, nil, "check", "--project", dir)
	if r.code != exitOK { // the demo's checks warn; only --warn-error turns that into exit 2
		t.Fatalf("check: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := revops(t, nil, "check", "--project", dir, "--warn-error"); r.code != exitWarn {
		t.Fatalf("check --warn-error: exit %d", r.code)
	}
	data, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Steps []struct {
			Check *struct {
				Name        string
				Status      string
				FailingRows int64 `json:"failing_rows"`
			}
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range rep.Steps {
		if s.Check != nil {
			got[s.Check.Name] = s.Check.FailingRows
			if s.Check.Status != "pass" && s.Check.Status != "warn" {
				t.Errorf("check %s: status %s", s.Check.Name, s.Check.Status)
			}
		}
	}
	p := sum.Planted
	want := map[string]int64{
		// A duplicate is a second row with an existing account's domain or contact's email:
		// the rows in duplicate clusters are the planted rows and their originals.
		"duplicate_accounts":    2 * int64(p[demo.PlantedDuplicateAccounts]),
		"duplicate_contacts":    2 * int64(p[demo.PlantedDuplicateContacts]),
		"soft_deleted_accounts": int64(p[demo.PlantedSoftDeletedAccounts]),
		"orphan_contacts":       int64(p[demo.PlantedOrphanContacts]),
		"missing_amount":        int64(p[demo.PlantedMissingAmount]),
		"missing_close_date":    int64(p[demo.PlantedMissingCloseDate]),
		"open_past_close_date":  int64(p[demo.PlantedOpenPastCloseDate]),
		"zero_amount_won":       int64(p[demo.PlantedZeroAmountWon]),
	}
	for name, w := range want {
		if w == 0 {
			t.Errorf("the demo planted no %s; the comparison would prove nothing", name)
		}
		if got[name] != w {
			t.Errorf("check %s found %d rows, the generator planted %d", name, got[name], w)
		}
	}
	mustContain(t, "check output", r.stdout, "10 warned", "opportunities_freshness", "kpi_targets_latest_week")
}

// The demo world at scale 10 builds every revenue model, and its ARR roll-forward ties exactly
// every month: starting + movements + fx_adjustment = ending, and each start is the previous end.
func TestDemoScale10Waterfall(t *testing.T) {
	if testing.Short() {
		t.Skip("scale 10 demo in -short mode")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	if r := revops(t, nil, "demo", "--dir", dir, "--scale", "10", "--from", "files"); r.code != exitOK {
		t.Fatalf("demo: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	q := revops(t, nil, "query", "--project", dir, "--output", "csv", `select
		count(*) as months,
		count(*) filter (where starting_mrr + new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr
		                         + churned_mrr + fx_adjustment <> ending_mrr) as identity_breaks,
		count(*) filter (where prev_end is not null and prev_end <> starting_mrr) as continuity_breaks,
		count(*) filter (where fx_adjustment <> 0) > 0 as has_fx,
		min(new_mrr) >= 0 and max(churned_mrr) <= 0 and max(contraction_mrr) <= 0 as signs_ok,
		(select count(*) from fct_customer_mrr_month) > 10000 as customer_months
	from (select *, lag(ending_mrr) over (order by date_month) as prev_end from fct_arr_waterfall_month)`)
	if q.stdout != "months,identity_breaks,continuity_breaks,has_fx,signs_ok,customer_months\n47,0,0,true,true,true\n" {
		t.Fatalf("waterfall on the scale-10 demo: %q %s", q.stdout, q.stderr)
	}
}

// `revops demo --serve` keeps the fake APIs up after its run: `revops run` extracts from them
// again (incrementally: the same rows, none duplicated) until the demo is interrupted.
func TestDemoServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		e := env{lookupEnv: func(string) (string, bool) { return "", false }, now: time.Now,
			isTerminal: func(io.Writer) bool { return false }, exit: func(int) {}}
		done <- run(ctx, []string{"demo", "--dir", dir, "--serve"}, &out, &errb, e)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(dir, "target", "run_results.json")); err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo --serve ended early: exit %d\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("demo --serve: no run after 2 minutes")
		}
	}
	counts := `select (select count(*) from crm.opportunity) || '/' || (select count(distinct id) from crm.opportunity)
		|| ' ' || (select count(*) from billing.invoices) || '/' || (select count(distinct id) from billing.invoices)`
	// The demo's run may still be closing the warehouse: retry while it is locked.
	var before result
	for range 100 {
		if before = revops(t, nil, "query", "--project", dir, "--output", "csv", counts); before.code == exitOK {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := revops(t, nil, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run against the served fakes: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after := revops(t, nil, "query", "--project", dir, "--output", "csv", counts)
	if before.stdout != after.stdout || !strings.Contains(after.stdout, "921/921") {
		t.Errorf("rows before the second run %q, after %q", before.stdout, after.stdout)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("demo --serve interrupted: exit %d\n%s", code, errb.String())
	}
}
