package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
)

// generate writes the CRM-like opportunities table as Parquet and CSV, once per row count.
func generate(ctx context.Context, dir string, rows int64) error {
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	query := fmt.Sprintf(`SELECT
		i AS id,
		'001' || lpad(CAST(i %% 200000 AS VARCHAR), 12, '0') AS account_id,
		'Opportunity ' || CAST(i AS VARCHAR) AS name,
		(['Prospecting','Discovery','Proposal','Negotiation','Closed Won','Closed Lost'])[1 + CAST(i %% 6 AS INTEGER)] AS stage,
		CAST((hash(i) %% 10000000) / 100.0 AS DECIMAL(18,2)) AS amount,
		(hash(i * 7) %% 101) / 100.0 AS probability,
		DATE '2024-01-01' + CAST(i %% 1000 AS INTEGER) AS close_date,
		TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_seconds(CAST(i %% 60000000 AS BIGINT)) AS created_at,
		i %% 6 = 4 AS is_won,
		'005' || lpad(CAST(i %% 500 AS VARCHAR), 12, '0') AS owner_id
	FROM range(%d) t(i)`, rows)
	fmt.Printf("generating %d rows of benchmark data in %s …\n", rows, dir)
	for _, f := range []struct{ file, opts string }{
		{"opportunities.parquet", "(FORMAT parquet)"},
		{"opportunities.csv", "(FORMAT csv, HEADER true)"},
	} {
		stmt := "COPY (" + query + ") TO " + literal(filepath.Join(dir, f.file)) + " " + f.opts
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("generate %s: %w", f.file, err)
		}
	}
	return os.WriteFile(done, nil, 0o644)
}

// writeProject writes a revops project that extracts the file with declared types.
func writeProject(dir, format, file string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := fmt.Sprintf(`version: 1
name: bench
warehouse:
  path: bench.duckdb
extract:
  commit_rows: 100000000
sources:
  - name: crm
    type: file
    streams:
      - name: opportunities
        path: %q
        format: %s
        primary_key: [id]
        columns:
          - {name: id, type: integer}
          - {name: account_id, type: string}
          - {name: name, type: string}
          - {name: stage, type: string}
          - {name: amount, type: "decimal(18,2)"}
          - {name: probability, type: double}
          - {name: close_date, type: date}
          - {name: created_at, type: timestamp}
          - {name: is_won, type: boolean}
          - {name: owner_id, type: string}
`, file, format)
	return os.WriteFile(filepath.Join(dir, "revops.yaml"), []byte(cfg), 0o644)
}
