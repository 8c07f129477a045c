package pipelines

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/revops/revops/checks"
)

// Report is target/run_results.json: what one invocation did, step by step.
type Report struct {
	RunID          string         `json:"run_id"`
	Command        string         `json:"command"`
	Version        string         `json:"revops_version"`
	Project        string         `json:"project"`
	StartedAt      time.Time      `json:"started_at"`
	EndedAt        time.Time      `json:"ended_at"`
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	Status         string         `json:"status"` // success | error | canceled
	ExitCode       int            `json:"exit_code"`
	RowsLoaded     int64          `json:"rows_loaded"`
	Steps          []Step         `json:"steps"`
	Error          string         `json:"error,omitempty"`
	Vars           map[string]any `json:"vars,omitempty"`
	// ChecksOutcome says which checks decided the exit code ("2 error-severity checks failed: …").
	ChecksOutcome string `json:"checks_outcome,omitempty"`
}

// Step is one unit of work in a run: an extracted stream, a model, a check, an export.
type Step struct {
	Kind string `json:"kind"` // extract | model | check | export
	StreamReport
	// Models only.
	Materialized    string `json:"materialized,omitempty"`
	Path            string `json:"path,omitempty"`
	Incremental     bool   `json:"incremental,omitempty"` // merged new rows into an existing table
	SkippedBecause  string `json:"skipped_because,omitempty"`
	CompiledSQLHash string `json:"compiled_sql_hash,omitempty"`
	// Checks only: the full result (observed value, threshold, failing rows, sample, SQL).
	Check *checks.Result `json:"check,omitempty"`
}

// AddExtract appends the extract steps and totals their rows.
func (r *Report) AddExtract(reports []StreamReport) {
	for _, s := range reports {
		r.Steps = append(r.Steps, Step{Kind: "extract", StreamReport: s})
		r.RowsLoaded += s.Rows
	}
}

// AddSteps appends steps of another kind (export, …); their rows do not count as loaded.
func (r *Report) AddSteps(kind string, reports []StreamReport) {
	for _, s := range reports {
		r.Steps = append(r.Steps, Step{Kind: kind, StreamReport: s})
	}
}

// Write stores the report as dir/run_results.json atomically (a reader never sees half a file).
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write run results: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write run results: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".run_results-*.json")
	if err != nil {
		return fmt.Errorf("write run results: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write run results: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write run results: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "run_results.json")); err != nil {
		return fmt.Errorf("write run results: %w", err)
	}
	return nil
}
