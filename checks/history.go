package checks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse"
)

// History tables in the _revops schema:
//
//	_revops.check_results  one row per check per run: run_id, check_id, name, kind, target,
//	                       column_name, severity, status, observed, observed_rate,
//	                       failing_rows, threshold, message, error, checked_at,
//	                       elapsed_seconds. Samples and SQL are not kept here (they are in
//	                       target/run_results.json).
//	_revops.source_totals  totals a connector read from the source API: source, stream,
//	                       total (rows the API reports), observed_at; the extract_totals
//	                       check compares the latest one with the rows loaded.
const (
	ResultsTable = "check_results"
	TotalsTable  = "source_totals"
)

// EnsureHistory creates the _revops schema and the check_results and source_totals tables if
// they do not exist.
func EnsureHistory(ctx context.Context, wh warehouse.Warehouse) error {
	d := wh.Dialect()
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + d.QuoteIdent(state.Schema),
		"CREATE TABLE IF NOT EXISTS " + d.QuoteIdent(state.Schema, ResultsTable) + ` (
			run_id VARCHAR NOT NULL, check_id VARCHAR NOT NULL, name VARCHAR, kind VARCHAR NOT NULL,
			target VARCHAR NOT NULL, column_name VARCHAR, severity VARCHAR NOT NULL, status VARCHAR NOT NULL,
			observed DOUBLE, observed_rate DOUBLE, failing_rows BIGINT, threshold VARCHAR, message VARCHAR,
			error VARCHAR, checked_at TIMESTAMPTZ NOT NULL, elapsed_seconds DOUBLE)`,
		"CREATE TABLE IF NOT EXISTS " + d.QuoteIdent(state.Schema, TotalsTable) + ` (
			source VARCHAR NOT NULL, stream VARCHAR NOT NULL, total BIGINT NOT NULL, observed_at TIMESTAMPTZ NOT NULL)`,
	}
	for _, q := range stmts {
		if err := wh.Exec(ctx, q); err != nil {
			return fmt.Errorf("create check history tables: %w", err)
		}
	}
	return nil
}

// SaveResults appends results to _revops.check_results under runID (call EnsureHistory first).
func SaveResults(ctx context.Context, wh warehouse.Warehouse, runID string, results []Result) error {
	const cols = 16
	const chunk = 200
	table := wh.Dialect().QuoteIdent(state.Schema, ResultsTable)
	for start := 0; start < len(results); start += chunk {
		part := results[start:min(start+chunk, len(results))]
		rows := make([]string, len(part))
		args := make([]any, 0, len(part)*cols)
		for i, r := range part {
			rows[i] = "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
			args = append(args, runID, r.ID, r.Name, r.Kind, r.Target, nullIfEmpty(r.Column), string(r.Severity), string(r.Status),
				floatOrNil(r.Observed), rateOf(r), r.FailingRows, r.Threshold, nullIfEmpty(r.Message), nullIfEmpty(r.Error),
				r.CheckedAt.UTC(), r.ElapsedSeconds)
		}
		q := "INSERT INTO " + table + ` (run_id, check_id, name, kind, target, column_name, severity, status, observed,
			observed_rate, failing_rows, threshold, message, error, checked_at, elapsed_seconds) VALUES ` + strings.Join(rows, ", ")
		if err := wh.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("save check results of run %s: %w", runID, err)
		}
	}
	return nil
}

// RecordSourceTotal records the row total a source API reports for a stream (connectors call
// it, through the load's transaction or the warehouse, after EnsureHistory).
func RecordSourceTotal(ctx context.Context, x warehouse.Execer, d warehouse.Dialect, source, stream string, total int64, at time.Time) error {
	q := "INSERT INTO " + d.QuoteIdent(state.Schema, TotalsTable) + " (source, stream, total, observed_at) VALUES (?, ?, ?, ?)"
	if err := x.Exec(ctx, q, source, stream, total, at.UTC()); err != nil {
		return fmt.Errorf("record total of %s.%s: %w", source, stream, err)
	}
	return nil
}

// rateOf is the result's rate when its observed value is a count with a denominator; the
// ObservedText carries it for people, the history keeps it for trends.
func rateOf(r Result) any {
	if r.Rate == nil {
		return nil
	}
	return *r.Rate
}

func floatOrNil(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
