package main

import (
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/revops/revops/config"
	"github.com/revops/revops/pipelines"
)

// finish ends a command's run: it stamps the report with the end time and exit code, writes
// target/run_results.json and the run's Prometheus metrics (a textfile, and a push to the
// Pushgateway when the project names one), and prints the summary. Failing to write an artifact
// makes the run a runtime error.
func (c *cli) finish(name string, p *config.Project, rep *pipelines.Report, code int) int {
	rep.EndedAt = c.env.now().UTC()
	rep.ElapsedSeconds = rep.EndedAt.Sub(rep.StartedAt).Seconds()
	rep.ExitCode = code
	if err := rep.Write(p.TargetDir()); err != nil {
		c.errorf(name, "%v", err)
		code = max(code, exitRuntime)
		rep.ExitCode = code
	}
	if err := c.writeMetrics(p, rep); err != nil {
		c.errorf(name, "%v", err)
		code = max(code, exitRuntime)
	}
	c.summary(rep)
	return code
}

// writeMetrics turns the report into gauges on a registry of their own, writes them for the
// textfile collector (keeping the last success time of an earlier run when this one failed)
// and pushes them when configured.
func (c *cli) writeMetrics(p *config.Project, rep *pipelines.Report) error {
	project := p.Name
	if project == "" {
		project = filepath.Base(p.Dir)
	}
	// The textfile's series carry project and command labels; the push's get them as grouping
	// labels from the Pushgateway.
	labeled, plain := prometheus.NewRegistry(), prometheus.NewRegistry()
	m, err := pipelines.NewMetrics(plain,
		prometheus.WrapRegistererWith(prometheus.Labels{"project": project, "command": rep.Command}, labeled))
	if err != nil {
		return err
	}
	file := pipelines.MetricsFile(p.MetricsDir(), project, rep.Command)
	m.Observe(rep, pipelines.LastSuccess(file))
	if err := pipelines.WriteMetricsFile(file, labeled); err != nil {
		return err
	}
	if p.Metrics.Pushgateway != "" {
		return pipelines.PushMetrics(p.Metrics.Pushgateway, p.Metrics.Job, project, rep.Command, plain)
	}
	return nil
}
