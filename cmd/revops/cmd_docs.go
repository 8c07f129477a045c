package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/revops/revops/internal/lock"
	"github.com/revops/revops/pipelines"
	"github.com/revops/revops/transform"
	"github.com/revops/revops/transform/docs"
	"github.com/revops/revops/warehouse/duckdb"
)

func docsCommand() *command {
	f := &selectFlags{}
	var out string
	return &command{
		name: "docs", summary: "write a static documentation and lineage site (opens from disk) into target/docs",
		examples: []string{
			"revops docs && open target/docs/index.html",
			"revops docs --out /srv/www/revops",
		},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.vars, "vars", "", "override project vars, as YAML or JSON")
			fs.StringVar(&out, "out", "", "directory to write (default: target/docs in the project)")
		},
		run: func(ctx context.Context, c *cli, args []string) int {
			p, tp, _, code := c.loadSelection("docs", args, f)
			if tp == nil {
				return code
			}
			specs, err := pipelines.CheckSpecs(tp)
			if err != nil {
				c.errorf("docs", "%v", err)
				return exitConfig
			}
			mf, err := tp.Manifest(transform.ManifestOptions{RevopsVersion: version, Project: p.Name, Now: c.env.now(),
				Checks: pipelines.ManifestChecks(specs)})
			if err != nil {
				c.errorf("docs", "%v", err)
				return exitConfig
			}
			if out == "" {
				out = filepath.Join(p.TargetDir(), "docs")
			}
			statuses, err := c.latestChecks(ctx, p.WarehousePath(), filepath.Join(p.TargetDir(), "revops.lock"))
			if err != nil {
				c.errorf("docs", "%v", err)
				return exitRuntime
			}
			title := "revops docs"
			if p.Name != "" {
				title = p.Name + " — revops docs"
			}
			index, err := docs.Write(out, mf, docs.Options{Title: title, Results: statuses})
			if err != nil {
				c.errorf("docs", "%v", err)
				return exitRuntime
			}
			fmt.Fprintf(c.stdout, "wrote the docs of %d models and %d sources: %s\n", len(mf.Nodes), len(mf.Sources), index)
			return exitOK
		},
	}
}

// latestChecks reads each check's latest result from the warehouse, when there is one.
func (c *cli) latestChecks(ctx context.Context, dbPath, lockPath string) ([]docs.CheckStatus, error) {
	if _, err := os.Stat(dbPath); err != nil {
		return nil, nil // nothing built yet: the docs show no statuses
	}
	lk, err := lock.Acquire(lockPath, false, lock.Held{Command: "docs", Since: c.env.now().UTC()})
	if err != nil {
		return nil, err
	}
	defer lk.Release()
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: dbPath, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer wh.Close()
	var exists bool
	if err := wh.QueryRow(ctx, `SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = '_revops' AND table_name = 'check_results'`).Scan(&exists); err != nil || !exists {
		return nil, err
	}
	rows, err := wh.DB().QueryContext(ctx, `SELECT check_id, status, observed FROM (
		SELECT check_id, status, observed, row_number() OVER (PARTITION BY check_id ORDER BY checked_at DESC) AS rn
		FROM _revops.check_results) WHERE rn = 1 ORDER BY check_id`)
	if err != nil {
		return nil, fmt.Errorf("read check results: %w", err)
	}
	defer rows.Close()
	var out []docs.CheckStatus
	for rows.Next() {
		var s docs.CheckStatus
		var observed *float64
		if err := rows.Scan(&s.ID, &s.Status, &observed); err != nil {
			return nil, fmt.Errorf("read check results: %w", err)
		}
		if observed != nil {
			s.Observed = strconv.FormatFloat(*observed, 'f', -1, 64)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
