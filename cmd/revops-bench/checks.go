package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/warehouse/duckdb"
)

// checksBench runs 30 checks over a table of b.rows rows fused (one scan per table, as revops
// runs them) and one query per check (as dbt tests and Soda scans run), on a database file.
func (b *bench) checksBench(ctx context.Context) ([]Result, error) {
	dir, err := filepath.Abs(filepath.Join(b.work, "checks"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "checks.duckdb")
	os.Remove(db)
	os.Remove(db + ".wal")
	defer os.Remove(db)
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: db})
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	r, err := checks.Bench(ctx, wh, int(b.rows))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.stdout, "\n%d checks over %d rows: fused %.2f s (%d queries), one query per check %.2f s (%d queries): %.1f× faster; identical results (%d not passing); target ≥ 3×\n",
		r.Checks, r.Rows, r.FusedSeconds, r.FusedQueries, r.UnfusedSeconds, r.UnfusedQueries, r.Ratio, r.NotPassed)
	return []Result{{Name: "checks_30_fused_speedup", Value: round2(r.Ratio), Unit: "x", Baseline: round2(r.UnfusedSeconds),
		Ratio: round2(r.Ratio), Target: 3, Rows: b.rows}}, nil
}
