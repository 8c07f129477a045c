package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func initCommand() *command {
	return &command{
		name: "init", args: "DIR", summary: "create a new project in DIR with a sample source",
		examples: []string{
			"revops init acme && revops run --project acme",
			`revops query --project acme "select * from files.accounts" --output csv`,
		},
		run: func(_ context.Context, c *cli, args []string) int {
			if len(args) != 1 {
				c.errorf("init", "expected one directory, e.g. revops init acme")
				return exitConfig
			}
			if err := scaffold(args[0]); err != nil {
				c.errorf("init", "%v", err)
				return exitConfig
			}
			fmt.Fprintf(c.stdout, "Created a revops project in %s.\n\nNext:\n  revops run --project %s\n  revops show --project %s files.accounts\n\nEdit %s to add your sources.\n",
				args[0], args[0], args[0], filepath.Join(args[0], "revops.yaml"))
			return exitOK
		},
	}
}

// scaffold writes a small working project; it refuses to overwrite an existing project.
func scaffold(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "revops.yaml")); err == nil {
		return fmt.Errorf("%s already holds a revops.yaml; choose another directory", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	files := map[string]string{
		"revops.yaml":       scaffoldConfig,
		"data/accounts.csv": scaffoldAccounts,
		"models/.gitkeep":   "",
		".gitignore":        "/target/\n*.duckdb\n*.duckdb.wal\n",
	}
	for _, name := range []string{"revops.yaml", "data/accounts.csv", "models/.gitkeep", ".gitignore"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

const scaffoldConfig = `# revops project. Reference: README.md, "Configuration".
version: 1
name: my_project

warehouse:
  type: duckdb
  path: revops.duckdb       # relative to this file

vars:
  as_of_date: "2026-10-31"  # models read {{ var('as_of_date') }}, never the clock
  reporting_currency: USD

extract:
  parallelism: 4

sources:
  # A file source loads CSV, JSON lines or Parquet exports. Its tables land in the schema
  # named after the source: files.accounts.
  - name: files
    type: file
    streams:
      - name: accounts
        path: data/accounts.csv
        primary_key: [account_id]
        incremental: files   # reload only new or changed files
        columns:
          - {name: account_id, type: string}
          - {name: name, type: string}
          - {name: domain, type: string}
          - {name: annual_revenue, type: "decimal(18,2)"}
          - {name: created_at, type: timestamp, time_zone: America/New_York}

  # A CRM or billing connector goes here, e.g.:
  # - name: salesforce
  #   type: salesforce
  #   client_secret: ${SALESFORCE_CLIENT_SECRET}

# Every command leaves Prometheus metrics in target/revops_<project>_<command>.prom; point
# textfile_dir at node_exporter's textfile directory, or push to a Pushgateway:
# metrics:
#   textfile_dir: /var/lib/node_exporter/textfile_collector
#   pushgateway: ${PUSHGATEWAY_URL}
`

const scaffoldAccounts = `account_id,name,domain,annual_revenue,created_at
001A000001,Acme Corp,acme.com,1250000.00,2026-01-05 09:30:00
001A000002,Globex,globex.io,980000.50,2026-02-11 14:00:00
001A000003,Initech,initech.com,,2026-03-10 02:30:00
001A000004,Umbrella,umbrella.example,15000000.00,2026-07-01 12:00:00
`
