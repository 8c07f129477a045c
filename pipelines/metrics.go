package pipelines

// metrics.go: a run's Prometheus metrics. revops runs as a batch job (cron, Airflow), so it is
// not scraped while it runs: when a command ends, its Report becomes gauges describing that
// run, which are written for node_exporter's textfile collector and, when configured, pushed to
// a Pushgateway. Every series is "as of the last run" of its command; labels are bounded by the
// project's own streams, models and checks.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/revops/revops/checks"
)

// checkStatuses are the check statuses in the order of their revops_check_status value: alert
// on revops_check_status >= 2 for failures, == 3 for checks that could not be evaluated.
func checkStatuses() []checks.Status {
	return []checks.Status{checks.StatusPass, checks.StatusWarn, checks.StatusFail, checks.StatusError, checks.StatusSkipped}
}

// Metrics are the gauges of one command's run, registered on the Registerers given to
// NewMetrics. Observe fills them from the run's Report; a Metrics is used for one run. The
// series carry no project or command label: the textfile's Registerer adds them as constant
// labels (node_exporter merges every file into one scrape), and a push adds them as grouping
// labels.
//
// The run gauges are label-less vectors rather than plain gauges so that a series exists only
// once it is set: a failed run that knows no earlier success sends no last-success series, and
// the Pushgateway keeps the one an earlier run pushed.
type Metrics struct {
	runDuration    *prometheus.GaugeVec
	runExitCode    *prometheus.GaugeVec
	runLast        *prometheus.GaugeVec
	runLastSuccess *prometheus.GaugeVec
	runRows        *prometheus.GaugeVec

	extractRows     *prometheus.GaugeVec
	extractDuration *prometheus.GaugeVec
	extractSuccess  *prometheus.GaugeVec

	modelRows     *prometheus.GaugeVec
	modelDuration *prometheus.GaugeVec
	modelSuccess  *prometheus.GaugeVec

	checkStatus   *prometheus.GaugeVec
	checkObserved *prometheus.GaugeVec
	checkFailing  *prometheus.GaugeVec
	checkDuration *prometheus.GaugeVec
	checks        *prometheus.GaugeVec
}

// NewMetrics creates the run's gauges and registers them on each of regs.
func NewMetrics(regs ...prometheus.Registerer) (*Metrics, error) {
	g := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	}
	m := &Metrics{
		runDuration:    g("revops_run_duration_seconds", "Wall time of the command's last run."),
		runExitCode:    g("revops_run_exit_code", "Exit code of the command's last run (0 ok, 1 error-severity check failed, 2 warnings with --warn-error, 3 runtime error)."),
		runLast:        g("revops_run_last_run_timestamp_seconds", "When the command's last run ended (Unix time)."),
		runLastSuccess: g("revops_run_last_success_timestamp_seconds", "When the command last ended with exit code 0 (Unix time); kept from earlier runs while later ones fail."),
		runRows:        g("revops_run_rows_loaded", "Rows extracted and loaded by the command's last run."),

		extractRows:     g("revops_extract_rows", "Rows the last run read from the stream and loaded.", "stream"),
		extractDuration: g("revops_extract_duration_seconds", "Time the last run spent extracting and loading the stream.", "stream"),
		extractSuccess:  g("revops_extract_success", "1 if the last run extracted the stream, else 0.", "stream"),

		modelRows:     g("revops_model_rows", "Rows of the model's table after the last run (new rows for an incremental model; absent for views).", "model"),
		modelDuration: g("revops_model_duration_seconds", "Time the last run spent building the model.", "model"),
		modelSuccess:  g("revops_model_success", "1 if the last run built the model, 0 if it failed or was skipped.", "model"),

		checkStatus:   g("revops_check_status", "The check's status in the last run: 0 pass, 1 warn, 2 fail, 3 error (could not be evaluated), 4 skipped.", "check", "severity"),
		checkObserved: g("revops_check_observed", "The check's observed value in the last run (a count, a percent, an age; see the check kind).", "check"),
		checkFailing:  g("revops_check_failing_rows", "Rows that failed the check in the last run.", "check"),
		checkDuration: g("revops_check_duration_seconds", "Time the check's queries took in the last run.", "check"),
		checks:        g("revops_checks", "Checks of the last run by status.", "status"),
	}
	for _, reg := range regs {
		for _, c := range []prometheus.Collector{m.runDuration, m.runExitCode, m.runLast, m.runLastSuccess, m.runRows,
			m.extractRows, m.extractDuration, m.extractSuccess, m.modelRows, m.modelDuration, m.modelSuccess,
			m.checkStatus, m.checkObserved, m.checkFailing, m.checkDuration, m.checks} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Observe sets the gauges from a finished run's report. lastSuccess is when the command last
// succeeded before this run (Unix seconds, 0 = unknown), kept when this run did not succeed.
func (m *Metrics) Observe(r *Report, lastSuccess float64) {
	m.runDuration.WithLabelValues().Set(r.ElapsedSeconds)
	m.runExitCode.WithLabelValues().Set(float64(r.ExitCode))
	end := float64(r.EndedAt.UnixNano()) / 1e9
	m.runLast.WithLabelValues().Set(end)
	if r.ExitCode == 0 {
		m.runLastSuccess.WithLabelValues().Set(end)
	} else if lastSuccess > 0 {
		m.runLastSuccess.WithLabelValues().Set(lastSuccess)
	}
	m.runRows.WithLabelValues().Set(float64(r.RowsLoaded))
	counts := map[checks.Status]int{}
	for _, s := range r.Steps {
		switch s.Kind {
		case "extract":
			m.extractRows.WithLabelValues(s.Name).Set(float64(s.Rows))
			m.extractDuration.WithLabelValues(s.Name).Set(s.ElapsedSeconds)
			m.extractSuccess.WithLabelValues(s.Name).Set(boolGauge(s.Status == "success"))
		case "model":
			if s.Rows >= 0 {
				m.modelRows.WithLabelValues(s.Name).Set(float64(s.Rows))
			}
			m.modelDuration.WithLabelValues(s.Name).Set(s.ElapsedSeconds)
			m.modelSuccess.WithLabelValues(s.Name).Set(boolGauge(s.Status == "success"))
		case "check":
			c := s.Check
			if c == nil {
				continue
			}
			counts[c.Status]++
			m.checkStatus.WithLabelValues(c.ID, string(c.Severity)).Set(float64(slices.Index(checkStatuses(), c.Status)))
			if c.Observed != nil {
				m.checkObserved.WithLabelValues(c.ID).Set(*c.Observed)
			}
			m.checkFailing.WithLabelValues(c.ID).Set(float64(c.FailingRows))
			m.checkDuration.WithLabelValues(c.ID).Set(c.ElapsedSeconds)
		}
	}
	if len(counts) > 0 {
		for _, st := range checkStatuses() {
			m.checks.WithLabelValues(string(st)).Set(float64(counts[st]))
		}
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// MetricsFile is the textfile a command's metrics are written to in dir: one file per project
// and command, so `run` and `check` do not overwrite each other's series.
func MetricsFile(dir, project, command string) string {
	return filepath.Join(dir, "revops_"+fileSafe(project)+"_"+fileSafe(command)+".prom")
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// LastSuccess reads revops_run_last_success_timestamp_seconds from a command's earlier
// metrics textfile (0 when the file or the series is missing or unreadable).
func LastSuccess(path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		return 0
	}
	fam := fams["revops_run_last_success_timestamp_seconds"]
	if fam == nil {
		return 0
	}
	for _, m := range fam.GetMetric() {
		if m.GetGauge() != nil {
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// WriteMetricsFile writes what g gathers to path atomically, in the text format node_exporter's
// textfile collector reads.
func WriteMetricsFile(path string, g prometheus.Gatherer) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	if err := prometheus.WriteToTextfile(path, g); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	return nil
}

// PushMetrics sends what g gathers (series without project and command labels) to a
// Pushgateway at url, grouped by job, project and command. It replaces the series of each metric name the run sends and leaves the others of
// the group, so a failed run keeps the last success timestamp an earlier run pushed.
func PushMetrics(url, job, project, command string, g prometheus.Gatherer) error {
	err := push.New(url, job).Gatherer(g).Grouping("project", project).Grouping("command", command).Add()
	if err != nil {
		return fmt.Errorf("push metrics to %s: %w", url, err)
	}
	return nil
}
