package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/revops/revops/internal/lock"
	"github.com/revops/revops/internal/render"
	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/warehouse/duckdb"
)

type outputFlags struct {
	output string
	limit  int
}

func (f *outputFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.output, "output", "table", "table, csv or json")
	fs.IntVar(&f.limit, "limit", -1, "print at most N rows (default: 100 for table, all for csv and json)")
}

func (f *outputFlags) validate() (render.Format, int, error) {
	format, err := render.ParseFormat(f.output)
	if err != nil {
		return "", 0, err
	}
	limit := f.limit
	if limit < 0 {
		limit = 0
		if format == render.Table {
			limit = 100
		}
	}
	return format, limit, nil
}

func queryCommand() *command {
	f := &outputFlags{}
	return &command{
		name: "query", args: `"SQL"`, summary: "run a SQL query on the warehouse and print the rows",
		examples: []string{
			`revops query "select count(*) from crm.opportunities"`,
			`revops query --project acme "select 1" --output csv`,
			`revops query "select * from _revops.runs order by started_at desc" --limit 5 --output json`,
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			if len(args) != 1 {
				c.errorf("query", `expected one SQL argument, e.g. revops query "select 1"`)
				return exitConfig
			}
			return c.printQuery(ctx, "query", args[0], f)
		},
	}
}

func showCommand() *command {
	f := &outputFlags{}
	return &command{
		name: "show", args: "NAME", summary: "print the rows of a table or model (schema.name or name)",
		examples: []string{
			"revops show crm.accounts",
			"revops show opportunities --limit 20",
			"revops show billing.subscriptions --output csv > subscriptions.csv",
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			if len(args) != 1 {
				c.errorf("show", "expected one table or model name, e.g. revops show crm.accounts")
				return exitConfig
			}
			return c.printQuery(ctx, "show", args[0], f)
		},
	}
}

// printQuery opens the warehouse read-only (sharing the lock with other readers) and prints the
// result of query, or of the named table for show.
func (c *cli) printQuery(ctx context.Context, name, arg string, f *outputFlags) int {
	format, limit, err := f.validate()
	if err != nil {
		c.errorf(name, "%v", err)
		return exitConfig
	}
	p, code := c.loadProject(name)
	if p == nil {
		return code
	}
	lk, code := c.lock(name, p, false, lock.Held{})
	if lk == nil {
		return code
	}
	defer lk.Release()
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: p.WarehousePath(), ReadOnly: true, Threads: p.Warehouse.Threads, MemoryLimit: p.Warehouse.MemoryLimit})
	if err != nil {
		c.errorf(name, "%v (has the project been run yet? try `revops run`)", err)
		return exitRuntime
	}
	defer wh.Close()
	query := arg
	if name == "show" {
		table, err := resolveTable(ctx, wh, arg)
		if err != nil {
			c.errorf(name, "%v", err)
			return exitConfig
		}
		query = "SELECT * FROM " + table
		if limit > 0 {
			query += fmt.Sprintf(" LIMIT %d", limit+1)
		}
	}
	rr, err := wh.Query(ctx, query)
	if err != nil {
		c.errorf(name, "%v", err)
		return exitRuntime
	}
	defer rr.Release()
	n, more, err := render.Write(c.stdout, rr, format, limit)
	if err != nil {
		c.errorf(name, "%v", err)
		return exitRuntime
	}
	if more {
		fmt.Fprintf(c.stderr, "(showing the first %d rows; use --limit N for more)\n", n)
	}
	return exitOK
}

// resolveTable finds a table or view by "schema.name" or a unique "name" and returns it quoted.
func resolveTable(ctx context.Context, wh *duckdb.Warehouse, name string) (string, error) {
	schema, table, qualified := strings.Cut(name, ".")
	if !qualified {
		schema, table = "", name
	}
	rows, err := wh.DB().QueryContext(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_catalog = current_database() ORDER BY 1, 2`)
	if err != nil {
		return "", fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var matches, all, short []string
	var found [2]string
	for rows.Next() {
		var s, t string
		if err := rows.Scan(&s, &t); err != nil {
			return "", fmt.Errorf("list tables: %w", err)
		}
		all = append(all, s+"."+t)
		short = append(short, t)
		if t == table && (schema == "" || s == schema) {
			matches = append(matches, s+"."+t)
			found = [2]string{s, t}
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("list tables: %w", err)
	}
	switch len(matches) {
	case 1:
		return wh.Dialect().QuoteIdent(found[0], found[1]), nil
	case 0:
		hint := yamlx.DidYouMean(name, all)
		if !qualified {
			// Compare bare names, and suggest the qualified one.
			for i, t := range short {
				if yamlx.DidYouMean(name, []string{t}) != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", all[i])
					break
				}
			}
		}
		return "", fmt.Errorf("no table or model named %q%s; tables: %s", name, hint, strings.Join(all, ", "))
	}
	return "", fmt.Errorf("%q is ambiguous: %s; name the schema", name, strings.Join(matches, ", "))
}
