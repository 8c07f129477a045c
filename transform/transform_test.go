package transform

import (
	"context"

	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/revops/revops/warehouse/duckdb"
)

// writeProject writes files (path → content) under a new directory and returns it.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, files map[string]string, mod func(*Options)) (*Project, error) {
	t.Helper()
	opts := Options{Dir: writeProject(t, files), Dialect: duckdb.Dialect{},
		Sources: []SourceDecl{{Name: "crm", Schema: "crm", Tables: []SourceTableDecl{{Name: "accounts"}, {Name: "opportunities"}}}},
		Vars:    map[string]any{"as_of_date": "2026-10-31"}}
	if mod != nil {
		mod(&opts)
	}
	return Load(opts)
}

func mustLoad(t *testing.T, files map[string]string, mod func(*Options)) *Project {
	t.Helper()
	p, err := load(t, files, mod)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"unknown ref with did-you-mean", map[string]string{
			"models/stg_accounts.sql": "select 1 as id",
			"models/accounts.sql":     "select *\nfrom {{ ref('stg_acounts') }}",
		}, []string{"models/accounts.sql:2:", `ref('stg_acounts'): no model named "stg_acounts"`, `did you mean "stg_accounts"`}},
		{"unknown source table", map[string]string{
			"models/a.sql": "select * from {{ source('crm', 'acounts') }}",
		}, []string{"models/a.sql:1:", `source "crm" has no table "acounts"`, `did you mean "accounts"`}},
		{"unknown source", map[string]string{
			"models/a.sql": "select * from {{ source('salesforce', 'account') }}",
		}, []string{`no source named "salesforce"`, "known sources: crm"}},
		{"cycle with the path", map[string]string{
			"models/a.sql": "select * from {{ ref('b') }}",
			"models/b.sql": "select * from {{ ref('c') }}",
			"models/c.sql": "select * from {{ ref('a') }}",
		}, []string{"cycle: a (models/a.sql) → b (models/b.sql) → c (models/c.sql) → a (models/a.sql)"}},
		{"unsupported tag", map[string]string{
			"models/a.sql": "select 1\n{% include 'x.sql' %}",
		}, []string{"models/a.sql:2:", `unsupported tag "include"`}},
		{"unset var", map[string]string{
			"models/a.sql": "select {{ var('as_of_dat') }}",
		}, []string{`var("as_of_dat") is not set`, `did you mean "as_of_date"`, "--vars"}},
		{"unknown config key", map[string]string{
			"models/a.sql": "{{ config(materialised='table') }}\nselect 1",
		}, []string{"models/a.sql:1:", `unknown setting "materialised"`, `did you mean "materialized"`}},
		{"bad materialization in YAML", map[string]string{
			"models/a.sql": "select 1",
			"models/a.yml": "models:\n  - name: a\n    config: {materialized: tabel}\n",
		}, []string{`materialized "tabel" is not one of`}},
		{"unknown YAML key", map[string]string{
			"models/a.sql": "select 1",
			"models/a.yml": "models:\n  - name: a\n    descripton: x\n",
		}, []string{"models/a.yml:3:5", `unknown key "descripton"`, `did you mean "description"`}},
		{"schema entry without SQL", map[string]string{
			"models/a.sql": "select 1",
			"models/a.yml": "models:\n  - name: b\n",
		}, []string{"models/a.yml:2:5", `model "b" has no SQL file`}},
		{"duplicate model names", map[string]string{
			"models/x/a.sql": "select 1",
			"models/y/a.sql": "select 2",
		}, []string{`model "a" is also defined in models/x/a.sql`}},
		{"merge without unique key", map[string]string{
			"models/a.sql": "{{ config(materialized='incremental', incremental_strategy='merge') }}\nselect 1",
		}, []string{"incremental_strategy merge needs a unique_key"}},
		{"ref to a disabled model", map[string]string{
			"models/a.sql": "{{ config(enabled=false) }}\nselect 1",
			"models/b.sql": "select * from {{ ref('a') }}",
		}, []string{`model "a" is disabled`}},
		{"two statements", map[string]string{
			"models/a.sql": "select 1; select 2",
		}, []string{"more than one statement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := load(t, tt.files, nil)
			if err == nil && p != nil {
				for _, m := range p.SortedModels() {
					if _, err = p.Compile(m, false); err != nil {
						break
					}
				}
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/a.sql": "{{ config(materialized='table', tags=['sql']) }}\nselect 1 as id",
		"models/a.yml": "models:\n  - name: a\n    description: A.\n    config: {materialized: view, tags: yaml, schema: marts, unique_key: [id]}\n",
		"models/b.sql": "select 1",
	}, func(o *Options) { o.Defaults = Config{Materialized: Ephemeral, Schema: "analytics"} })
	a, b := p.Models["a"], p.Models["b"]
	if a.Config.Materialized != Table || a.Config.Schema != "marts" || strings.Join(a.Config.Tags, ",") != "sql,yaml" ||
		strings.Join(a.Config.UniqueKey, ",") != "id" || a.Description != "A." {
		t.Errorf("a: %+v", a.Config)
	}
	if b.Config.Materialized != Ephemeral || b.Config.Schema != "analytics" {
		t.Errorf("b: %+v", b.Config)
	}
}

func TestBuiltinOverride(t *testing.T) {
	builtin := fstest.MapFS{
		"marts/dim_x.sql":    {Data: []byte("select 'packaged' as v")},
		"marts/dim_y.sql":    {Data: []byte("select * from {{ ref('dim_x') }}")},
		"marts/dim_x.yml":    {Data: []byte("models:\n  - name: dim_x\n    description: packaged docs\n")},
		"macros/helpers.sql": {Data: []byte("{% macro greet() %}packaged{% endmacro %}")},
	}
	p := mustLoad(t, map[string]string{
		"models/dim_x.sql": "select '{{ greet() }}' as v",
		"macros/greet.sql": "{% macro greet() %}project{% endmacro %}",
	}, func(o *Options) { o.Builtin = builtin })
	x := p.Models["dim_x"]
	if x.Package != PackageProject || x.Description != "packaged docs" {
		t.Errorf("dim_x = %s %q; want the project's file with the packaged docs", x.Package, x.Description)
	}
	if y := p.Models["dim_y"]; y == nil || y.Package != PackageBuiltin || y.Path != "revops:marts/dim_y.sql" {
		t.Errorf("dim_y = %+v", y)
	}
	c, err := p.Compile(x, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.SQL != "select 'project' as v" {
		t.Errorf("compiled %q: the project's macro should win", c.SQL)
	}
}

func TestEphemeralInlining(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/e1.sql": "{{ config(materialized='ephemeral') }}\nselect 1 as id",
		"models/e2.sql": "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('e1') }}",
		"models/m.sql":  "-- leading comment\nWITH x AS (select * from {{ ref('e2') }})\nselect * from x join {{ ref('e1') }} using (id);",
		"models/n.sql":  "select * from {{ ref('e2') }}",
	}, nil)
	for name, want := range map[string]string{
		"m": "-- leading comment\nWITH\n\"__revops_eph_e1\" as (\nselect 1 as id\n),\n\"__revops_eph_e2\" as (\nselect * from \"__revops_eph_e1\"\n),\nx AS (select * from \"__revops_eph_e2\")\nselect * from x join \"__revops_eph_e1\" using (id)",
		"n": "with \"__revops_eph_e1\" as (\nselect 1 as id\n),\n\"__revops_eph_e2\" as (\nselect * from \"__revops_eph_e1\"\n)\nselect * from \"__revops_eph_e2\"",
	} {
		c, err := p.Compile(p.Models[name], false)
		if err != nil {
			t.Fatal(err)
		}
		if c.SQL != want {
			t.Errorf("%s compiled to\n%s\nwant\n%s", name, c.SQL, want)
		}
	}
	// The SQL runs.
	wh := openWarehouse(t)
	for _, name := range []string{"m", "n"} {
		c, _ := p.Compile(p.Models[name], false)
		if err := wh.Exec(context.Background(), "CREATE TABLE t_"+name+" AS "+c.SQL); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func openWarehouse(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

func TestUndeclaredDynamicRef(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/a.sql": "select 1 as id",
		"models/b.sql": "{% set n = 'a' %}select * from {% if is_incremental() %}{{ ref(n) }}{% else %}(select 1){% endif %}",
	}, func(o *Options) {})
	p.Models["b"].Config.Materialized = Incremental
	_, err := p.Compile(p.Models["b"], true)
	if err == nil || !strings.Contains(err.Error(), "depends_on") {
		t.Fatalf("err = %v; want the depends_on hint", err)
	}
}
