package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOutcome(t *testing.T) {
	r := func(name string, s Status) Result { return Result{Name: name, Status: s} }
	cases := []struct {
		name      string
		results   []Result
		warnError bool
		code      int
		reason    string
	}{
		{"all pass", []Result{r("a", StatusPass), r("b", StatusPass)}, false, 0, "all 2 checks passed"},
		{"nothing", nil, true, 0, "all 0 checks passed"},
		{"skipped passes", []Result{r("a", StatusPass), r("b", StatusSkipped)}, true, 0, "all 2 checks passed"},
		{"warnings alone", []Result{r("a", StatusWarn), r("b", StatusPass)}, false, 0, "no check failed; 1 check warned: a"},
		{"warnings with --warn-error", []Result{r("a", StatusWarn), r("b", StatusWarn)}, true, 2, "2 checks warned and --warn-error was given: a, b"},
		{"a failure", []Result{r("a", StatusWarn), r("b", StatusFail)}, true, 1, "1 error-severity check failed: b"},
		{"an evaluation error", []Result{r("a", StatusWarn), r("b", StatusError)}, true, 3, "1 check could not be evaluated: b"},
		// A failure wins over an evaluation error, which is named alongside it.
		{"failure and error", []Result{r("a", StatusError), r("b", StatusFail), r("c", StatusFail)}, false, 1,
			"2 error-severity checks failed: b, c; 1 check could not be evaluated: a"},
	}
	for _, c := range cases {
		code, reason := Outcome(c.results, c.warnError)
		if code != c.code || reason != c.reason {
			t.Errorf("%s: got %d %q, want %d %q", c.name, code, reason, c.code, c.reason)
		}
	}
}

func TestSummaryAndHistory(t *testing.T) {
	wh := oppsFixture(t)
	ctx := context.Background()
	specs := parseChecks(t, `
- not_null: {column: email}
- unique: {column: id, severity: warn}
- row_count: {min: 1}
- not_null: {column: nope, name: broken}
`, oppsTarget, "")
	res := runBoth(t, wh, testNow, specs)
	var b bytes.Buffer
	if err := Summary(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{
		"STATUS  CHECK", "FAIL    not_null.opps.email", "2 of 10 rows (20.00%) null", "error if > 0",
		"WARN    unique.opps.id", "PASS    row_count", "ERROR   broken", "not evaluated",
		"\nFAIL not_null.opps.email (opps.email): 2 of 10 rows (20.00%) null\n    id=3\n    id=7\n",
		"\nERROR broken: ",
		"checks: 1 passed, 1 warned, 1 failed, 1 not evaluated, 0 skipped — failed: not_null.opps.email; not evaluated: broken; warned: unique.opps.id\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("summary lacks %q:\n%s", s, out)
		}
	}
	// Results marshal for run_results.json.
	js, err := json.Marshal(res[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"status":"fail"`, `"observed":2`, `"rate":20`, `"failing_rows":2`, `"sample":[{"id":3},{"id":7}]`, `"threshold":"error if \u003e 0"`} {
		if !strings.Contains(string(js), s) {
			t.Errorf("JSON lacks %s: %s", s, js)
		}
	}

	if err := EnsureHistory(ctx, wh); err != nil {
		t.Fatal(err)
	}
	if err := EnsureHistory(ctx, wh); err != nil { // idempotent
		t.Fatal(err)
	}
	for _, run := range []string{"run-1", "run-2"} {
		if err := SaveResults(ctx, wh, run, res); err != nil {
			t.Fatal(err)
		}
	}
	var n, fails int64
	var observed, rate float64
	var col, checkedAt string
	err = wh.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'fail'),
		max(observed) FILTER (WHERE check_id = 'not_null.opps.email' AND run_id = 'run-2'),
		max(observed_rate) FILTER (WHERE check_id = 'not_null.opps.email'),
		max(column_name) FILTER (WHERE check_id = 'unique.opps.id'),
		strftime(max(checked_at), '%Y-%m-%d %H:%M')
		FROM _revops.check_results`).Scan(&n, &fails, &observed, &rate, &col, &checkedAt)
	if err != nil {
		t.Fatal(err)
	}
	if n != 8 || fails != 2 || observed != 2 || rate != 20 || col != "id" || checkedAt != "2026-07-15 12:00" {
		t.Fatalf("history: %d rows, %d fails, observed %v, rate %v, column %q, at %s", n, fails, observed, rate, col, checkedAt)
	}
	var errText string
	if err := wh.QueryRow(ctx, `SELECT error FROM _revops.check_results WHERE check_id = 'broken' LIMIT 1`).Scan(&errText); err != nil || errText == "" {
		t.Fatalf("error column: %q %v", errText, err)
	}
}

func TestRunnerCanceled(t *testing.T) {
	wh := oppsFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	specs := parseChecks(t, "- not_null: {column: email}\n- sql: \"select 1\"", oppsTarget, "")
	if _, err := (&Runner{Warehouse: wh, Fuse: true}).Run(ctx, specs); err == nil {
		t.Fatal("no error for a canceled context")
	}
	if _, err := (&Runner{}).Run(context.Background(), specs); err == nil {
		t.Fatal("no error without a warehouse")
	}
}

func TestBench(t *testing.T) {
	rows := 100_000
	if s := os.Getenv("REVOPS_CHECKS_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		rows = n
	}
	wh := openDB(t)
	start := time.Now()
	res, err := Bench(context.Background(), wh, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Checks != 30 || len(res.Results) != 30 || res.NotPassed == 0 || res.FusedQueries >= res.UnfusedQueries {
		t.Fatalf("got %+v", res)
	}
	t.Logf("%d rows, %d checks (%d not passed): fused %.3fs (%d queries), one query per check %.3fs (%d queries): %.2fx (whole bench %.1fs)",
		res.Rows, res.Checks, res.NotPassed, res.FusedSeconds, res.FusedQueries, res.UnfusedSeconds, res.UnfusedQueries, res.Ratio, time.Since(start).Seconds())
	if testing.Verbose() {
		var b bytes.Buffer
		_ = Summary(&b, res.Results)
		t.Log("\n" + b.String())
	}
}
