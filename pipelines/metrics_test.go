package pipelines

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/revops/revops/checks"
)

func f64(v float64) *float64 { return &v }

// testReport is a finished `run` with two streams (one failed), a table, a view, a skipped
// model and three checks.
func testReport(exit int, end time.Time) *Report {
	return &Report{
		Command: "run", ExitCode: exit, StartedAt: end.Add(-90 * time.Second), EndedAt: end, ElapsedSeconds: 90, RowsLoaded: 1200,
		Steps: []Step{
			{Kind: "extract", StreamReport: StreamReport{Name: "crm.opportunity", Status: "success", Rows: 1200, ElapsedSeconds: 12.5}},
			{Kind: "extract", StreamReport: StreamReport{Name: "billing.invoices", Status: "error", Rows: 0, ElapsedSeconds: 3}},
			{Kind: "model", StreamReport: StreamReport{Name: "fct_bookings", Status: "success", Rows: 340, ElapsedSeconds: 0.75}},
			{Kind: "model", StreamReport: StreamReport{Name: "stg_crm__accounts", Status: "success", Rows: -1, ElapsedSeconds: 0.01}},
			{Kind: "model", StreamReport: StreamReport{Name: "fct_arr_waterfall_month", Status: "skipped", Rows: 0}},
			{Kind: "check", Check: &checks.Result{ID: "unique.crm.opportunity.id", Severity: checks.SeverityError, Status: checks.StatusPass, Observed: f64(0), ElapsedSeconds: 0.2}},
			{Kind: "check", Check: &checks.Result{ID: "not_null.crm.opportunity.amount", Severity: checks.SeverityWarn, Status: checks.StatusWarn, Observed: f64(2.5), FailingRows: 30, ElapsedSeconds: 0.2}},
			{Kind: "check", Check: &checks.Result{ID: "freshness.billing.invoices", Severity: checks.SeverityError, Status: checks.StatusError}},
		},
	}
}

func TestMetricsObserveReport(t *testing.T) {
	end := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(testReport(3, end), 1_700_000_000)
	want := fmt.Sprintf(`
# HELP revops_check_status The check's status in the last run: 0 pass, 1 warn, 2 fail, 3 error (could not be evaluated), 4 skipped.
# TYPE revops_check_status gauge
revops_check_status{check="freshness.billing.invoices",severity="error"} 3
revops_check_status{check="not_null.crm.opportunity.amount",severity="warn"} 1
revops_check_status{check="unique.crm.opportunity.id",severity="error"} 0
# HELP revops_checks Checks of the last run by status.
# TYPE revops_checks gauge
revops_checks{status="error"} 1
revops_checks{status="fail"} 0
revops_checks{status="pass"} 1
revops_checks{status="skipped"} 0
revops_checks{status="warn"} 1
# HELP revops_check_observed The check's observed value in the last run (a count, a percent, an age; see the check kind).
# TYPE revops_check_observed gauge
revops_check_observed{check="not_null.crm.opportunity.amount"} 2.5
revops_check_observed{check="unique.crm.opportunity.id"} 0
# HELP revops_check_failing_rows Rows that failed the check in the last run.
# TYPE revops_check_failing_rows gauge
revops_check_failing_rows{check="freshness.billing.invoices"} 0
revops_check_failing_rows{check="not_null.crm.opportunity.amount"} 30
revops_check_failing_rows{check="unique.crm.opportunity.id"} 0
# HELP revops_extract_rows Rows the last run read from the stream and loaded.
# TYPE revops_extract_rows gauge
revops_extract_rows{stream="billing.invoices"} 0
revops_extract_rows{stream="crm.opportunity"} 1200
# HELP revops_extract_success 1 if the last run extracted the stream, else 0.
# TYPE revops_extract_success gauge
revops_extract_success{stream="billing.invoices"} 0
revops_extract_success{stream="crm.opportunity"} 1
# HELP revops_model_rows Rows of the model's table after the last run (new rows for an incremental model; absent for views).
# TYPE revops_model_rows gauge
revops_model_rows{model="fct_arr_waterfall_month"} 0
revops_model_rows{model="fct_bookings"} 340
# HELP revops_model_success 1 if the last run built the model, 0 if it failed or was skipped.
# TYPE revops_model_success gauge
revops_model_success{model="fct_arr_waterfall_month"} 0
revops_model_success{model="fct_bookings"} 1
revops_model_success{model="stg_crm__accounts"} 1
# HELP revops_run_exit_code Exit code of the command's last run (0 ok, 1 error-severity check failed, 2 warnings with --warn-error, 3 runtime error).
# TYPE revops_run_exit_code gauge
revops_run_exit_code 3
# HELP revops_run_last_run_timestamp_seconds When the command's last run ended (Unix time).
# TYPE revops_run_last_run_timestamp_seconds gauge
revops_run_last_run_timestamp_seconds %d
# HELP revops_run_last_success_timestamp_seconds When the command last ended with exit code 0 (Unix time); kept from earlier runs while later ones fail.
# TYPE revops_run_last_success_timestamp_seconds gauge
revops_run_last_success_timestamp_seconds 1.7e+09
# HELP revops_run_rows_loaded Rows extracted and loaded by the command's last run.
# TYPE revops_run_rows_loaded gauge
revops_run_rows_loaded 1200
`, end.Unix())
	names := []string{"revops_check_status", "revops_checks", "revops_check_observed", "revops_check_failing_rows",
		"revops_extract_rows", "revops_extract_success", "revops_model_rows", "revops_model_success",
		"revops_run_exit_code", "revops_run_last_run_timestamp_seconds", "revops_run_last_success_timestamp_seconds", "revops_run_rows_loaded"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(m.checkDuration); n != 3 {
		t.Errorf("%d check durations, want 3", n)
	}
}

// TestMetricsTextfileKeepsLastSuccess writes a successful run's textfile, then a failed run's,
// and reads the success time back each time.
func TestMetricsTextfileKeepsLastSuccess(t *testing.T) {
	dir := t.TempDir()
	file := MetricsFile(dir, "acme co", "run")
	if filepath.Base(file) != "revops_acme_co_run.prom" {
		t.Fatalf("file %s", file)
	}
	if got := LastSuccess(file); got != 0 {
		t.Fatalf("no file: last success %v", got)
	}
	ok := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	for i, r := range []*Report{testReport(0, ok), testReport(1, ok.Add(24*time.Hour)), testReport(3, ok.Add(48*time.Hour))} {
		reg := prometheus.NewRegistry()
		m, err := NewMetrics(prometheus.WrapRegistererWith(prometheus.Labels{"project": "acme co", "command": "run"}, reg))
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(r, LastSuccess(file))
		if err := WriteMetricsFile(file, reg); err != nil {
			t.Fatal(err)
		}
		if got := LastSuccess(file); got != float64(ok.Unix()) {
			t.Errorf("run %d: last success %v, want %d", i, got, ok.Unix())
		}
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if want := `revops_run_exit_code{command="run",project="acme co"} ` + fmt.Sprint(r.ExitCode) + "\n"; !strings.Contains(string(text), want) {
			t.Errorf("run %d: the textfile lacks %s", i, want)
		}
	}
}

// TestMetricsPushgateway pushes to a real Prometheus Pushgateway on 127.0.0.1 (Debian's
// prometheus-pushgateway, which .ci/run installs) and reads the series back from it.
func TestMetricsPushgateway(t *testing.T) {
	bin := os.Getenv("REVOPS_PUSHGATEWAY")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("prometheus-pushgateway"); err != nil {
			t.Skip("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway; .ci/run does)")
		}
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--persistence.file="+filepath.Join(t.TempDir(), "pg.data"))
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() { _, _ = io.Copy(io.Discard, logs) }()
	url := "http://" + addr
	waitHTTP(t, url+"/-/ready")

	push := func(r *Report, last float64) {
		t.Helper()
		reg := prometheus.NewRegistry()
		m, err := NewMetrics(reg)
		if err != nil {
			t.Fatal(err)
		}
		m.Observe(r, last)
		if err := PushMetrics(url, "revops", "acme", "run", reg); err != nil {
			t.Fatal(err)
		}
	}
	ok := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	push(testReport(0, ok), 0)
	push(testReport(3, ok.Add(time.Hour)), 0) // a failed run that knows no earlier success
	got := scrape(t, url+"/metrics")
	for _, want := range []string{
		fmt.Sprintf(`revops_run_last_success_timestamp_seconds{command="run",instance="",job="revops",project="acme"} %g`, float64(ok.Unix())),
		fmt.Sprintf(`revops_run_last_run_timestamp_seconds{command="run",instance="",job="revops",project="acme"} %g`, float64(ok.Add(time.Hour).Unix())),
		`revops_run_exit_code{command="run",instance="",job="revops",project="acme"} 3`,
		`revops_extract_rows{command="run",instance="",job="revops",project="acme",stream="crm.opportunity"} 1200`,
		`revops_check_status{check="freshness.billing.invoices",command="run",instance="",job="revops",project="acme",severity="error"} 3`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("the pushgateway lacks\n  %s\nin:\n%s", want, grepLines(got, "revops_run"))
		}
	}
	if err := PushMetrics("http://"+freeAddr(t), "revops", "acme", "run", prometheus.NewRegistry()); err == nil {
		t.Error("push to a closed port succeeded")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", url)
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grepLines(text, sub string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}
