package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/revops/revops/transform"
	"github.com/revops/revops/warehouse/duckdb"
)

// compileProject writes a project of n models in layers (a quarter staging, half intermediate, a
// quarter marts), each with config(), vars, a for loop, an if, a macro call and 1–3 refs, and a
// schema file documenting every model's columns: the shape of a large dbt project.
func compileProject(dir string, n int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	files := map[string]string{
		"revops.yaml": "version: 1\nname: bench\nvars:\n  as_of_date: 2026-10-31\n  regions: [amer, emea, apac]\n",
		"macros/money.sql": "{% macro to_major(col, currency) -%}\n" +
			"case when {{ currency }} in ('JPY', 'KRW') then cast({{ col }} as decimal(38,6)) else cast({{ col }} as decimal(38,6)) / 100 end\n" +
			"{%- endmacro %}\n",
	}
	var schema strings.Builder
	schema.WriteString("version: 2\nmodels:\n")
	layer := func(i int) string {
		switch {
		case i < n/4:
			return "staging"
		case i < 3*n/4:
			return "intermediate"
		}
		return "marts"
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("m%04d", i)
		var sqlText strings.Builder
		mat := "view"
		if layer(i) == "marts" {
			mat = "table"
		}
		fmt.Fprintf(&sqlText, "{{ config(materialized='%s', tags=['%s']) }}\n", mat, layer(i))
		sqlText.WriteString("{% set as_of = \"cast(\" ~ literal(var('as_of_date')) ~ \" as date)\" %}\nselect\n    base.id,\n")
		sqlText.WriteString("{%- for r in var('regions') %}\n    sum(case when base.region = {{ literal(r) }} then base.amount else 0 end) as amount_{{ r }},\n{%- endfor %}\n")
		sqlText.WriteString("    {{ to_major('base.amount_cents', 'base.currency') }} as amount_major,\n")
		sqlText.WriteString("    {{ datediff('day', 'base.created_on', as_of) }} as age_days\n")
		if i < n/4 {
			sqlText.WriteString("from (select 1 as id, 'amer' as region, 10.0 as amount, 1000 as amount_cents, 'USD' as currency, date '2026-01-01' as created_on) as base\n")
		} else {
			fmt.Fprintf(&sqlText, "from {{ ref('m%04d') }} as base\n", (i*7)%(i/2+1))
			for k := 1; k <= i%3; k++ {
				fmt.Fprintf(&sqlText, "join {{ ref('m%04d') }} as j%d using (id)\n", (i*13+k*31)%(i/2+1), k)
			}
		}
		sqlText.WriteString("{% if target.type == 'duckdb' %}where base.id is not null{% endif %}\ngroup by all\n")
		files[filepath.Join("models", layer(i), name+".sql")] = sqlText.String()
		fmt.Fprintf(&schema, "  - name: %s\n    description: Model %d of the benchmark.\n    columns:\n      - name: id\n        description: The key.\n      - name: age_days\n        description: Days since creation.\n", name, i)
	}
	files["models/schema.yml"] = schema.String()
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// compileBench measures parsing and compiling a 1,000-model project: in process (the engine's
// own cost) and as `revops compile` (a whole process: config, parse, DAG, writing every
// compiled file and the manifest).
func (b *bench) compileBench(ctx context.Context) ([]Result, error) {
	const n = 1000
	dir, err := filepath.Abs(filepath.Join(b.work, "compile-1000"))
	if err != nil {
		return nil, err
	}
	if err := compileProject(dir, n); err != nil {
		return nil, err
	}
	vars := map[string]any{"as_of_date": "2026-10-31", "regions": []any{"amer", "emea", "apac"}}
	best := 0.0
	for i := 0; i < 3; i++ {
		start := time.Now()
		p, err := transform.Load(transform.Options{Dir: dir, Dialect: duckdb.Dialect{}, Vars: vars})
		if err != nil {
			return nil, err
		}
		for _, m := range p.SortedModels() {
			if _, err := p.Compile(m, false); err != nil {
				return nil, err
			}
		}
		if s := time.Since(start).Seconds(); i == 0 || s < best {
			best = s
		}
	}
	proc, err := b.best(func(string) *exec.Cmd {
		return exec.CommandContext(ctx, b.revops, "compile", "--project", dir, "--log-level", "warn")
	}, dir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.stdout, "\nparse + compile %d models: %.3f s in process; `revops compile` (with writing %d files and the manifest) %.3f s; target < 1 s\n",
		n, best, n, proc.seconds)
	return []Result{
		{Name: "compile_1000_models_seconds", Value: round3(best), Unit: "s", Target: 1, Rows: n},
		{Name: "compile_1000_models_cli_seconds", Value: round3(proc.seconds), Unit: "s", Target: 1, Rows: n},
	}, nil
}

// buildOverheadBench measures what `revops build` adds to the SQL of 50 trivial models: the
// whole process (config, parse, DAG, lock, run ledger, transactions, manifest, run results)
// against the same compiled statements executed directly on the same database file.
func (b *bench) buildOverheadBench(ctx context.Context) ([]Result, error) {
	const n = 50
	dir, err := filepath.Abs(filepath.Join(b.work, "build-50"))
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "models"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "revops.yaml"), []byte("version: 1\nname: bench\nwarehouse: {path: bench.duckdb}\n"), 0o644); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("select %d as n", i)
		if i >= 10 {
			body = fmt.Sprintf("select n + 1 as n from {{ ref('t%02d') }}", i%10)
		}
		if err := os.WriteFile(filepath.Join(dir, "models", fmt.Sprintf("t%02d.sql", i)), []byte(body+"\n"), 0o644); err != nil {
			return nil, err
		}
	}
	buildCmd := func(string) *exec.Cmd {
		return exec.CommandContext(ctx, b.revops, "build", "--project", dir, "--log-level", "warn")
	}
	// The first build creates the views; the measured builds replace them (a no-op change).
	if c := buildCmd(""); c.Run() != nil {
		return nil, fmt.Errorf("revops build in %s failed; run it by hand to see why", dir)
	}
	var bestBuild float64
	for i := 0; i < 3; i++ {
		c := buildCmd("")
		start := time.Now()
		if err := c.Run(); err != nil {
			return nil, fmt.Errorf("revops build: %w", err)
		}
		if s := time.Since(start).Seconds(); i == 0 || s < bestBuild {
			bestBuild = s
		}
	}
	// The same statements, straight to DuckDB: open the file, replace each view in DAG order.
	p, err := transform.Load(transform.Options{Dir: dir, Dialect: duckdb.Dialect{}})
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, m := range p.Order(p.SortedModels()) {
		c, err := p.Compile(m, false)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, "CREATE OR REPLACE VIEW "+duckdb.Dialect{}.QuoteIdent("main", m.Name)+" AS\n"+c.SQL)
	}
	var bestSQL float64
	for i := 0; i < 3; i++ {
		start := time.Now()
		db, err := sql.Open("duckdb", filepath.Join(dir, "bench.duckdb"))
		if err != nil {
			return nil, err
		}
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				db.Close()
				return nil, err
			}
		}
		if err := db.Close(); err != nil {
			return nil, err
		}
		if s := time.Since(start).Seconds(); i == 0 || s < bestSQL {
			bestSQL = s
		}
	}
	overhead := bestBuild - bestSQL
	fmt.Fprintf(b.stdout, "no-op build of %d models: revops build %.3f s, the same SQL alone %.3f s: overhead %.3f s; target < 0.5 s\n",
		n, bestBuild, bestSQL, overhead)
	return []Result{{Name: "build_50_models_overhead_seconds", Value: round3(overhead), Unit: "s",
		Baseline: round3(bestSQL), Target: 0.5, Rows: n}}, nil
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
