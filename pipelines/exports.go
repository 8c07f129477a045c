package pipelines

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/revops/revops/config"
	"github.com/revops/revops/export"
	"github.com/revops/revops/warehouse"
)

// Exports writes the project's exports (tables or queries to Parquet or CSV files). When skip
// is true (an earlier step failed) it reports every export as skipped, so no file is refreshed
// from a half-finished run.
func Exports(ctx context.Context, wh warehouse.Warehouse, p *config.Project, skip bool, now func() time.Time) ([]StreamReport, error) {
	var reps []StreamReport
	var failed []string
	for _, e := range p.Exports {
		path := e.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Dir, path)
		}
		start := now()
		rep := StreamReport{Name: e.Name, Table: path, StartedAt: start.UTC(), Status: "skipped"}
		if !skip {
			rows, err := exportOne(ctx, wh, e, path)
			rep.Rows, rep.Status = rows, "success"
			if err != nil {
				rep.Status, rep.Error = "error", err.Error()
				failed = append(failed, e.Name)
			}
		}
		rep.ElapsedSeconds = now().Sub(start).Seconds()
		reps = append(reps, rep)
	}
	if len(failed) > 0 {
		return reps, fmt.Errorf("exports failed: %s", strings.Join(failed, ", "))
	}
	return reps, nil
}

func exportOne(ctx context.Context, wh warehouse.Warehouse, e config.Export, path string) (int64, error) {
	query := e.Query
	if e.Table != "" {
		query = "SELECT * FROM " + wh.Dialect().QuoteIdent(strings.Split(e.Table, ".")...)
	}
	rr, err := wh.Query(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", e.Name, err)
	}
	defer rr.Release()
	return export.WriteFile(path, export.Format(e.Format), rr)
}
