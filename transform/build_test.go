package transform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/revops/revops/warehouse/duckdb"
)

// seed creates crm.opportunities with rows (id, account, amount, updated_at day).
func seed(t *testing.T, wh *duckdb.Warehouse, rows string) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS crm",
		"CREATE OR REPLACE TABLE crm.opportunities (id VARCHAR, account VARCHAR, amount DECIMAL(18,2), day INTEGER)",
	}
	if rows != "" {
		stmts = append(stmts, "INSERT INTO crm.opportunities VALUES "+rows)
	}
	for _, s := range stmts {
		if err := wh.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func queryString(t *testing.T, wh *duckdb.Warehouse, q string) string {
	t.Helper()
	rows, err := wh.DB().Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, ","))
	}
	return strings.Join(out, ";")
}

func build(t *testing.T, wh *duckdb.Warehouse, p *Project, opts BuildOptions, after func(context.Context, *Model) (bool, error)) map[string]ModelResult {
	t.Helper()
	b := &Builder{Warehouse: wh, Parallelism: 3, AfterModel: after}
	res, err := b.Build(context.Background(), p, p.SortedModels(), opts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ModelResult{}
	for _, r := range res {
		out[r.Model.Name] = r
	}
	return out
}

func crmProject(t *testing.T, dir string) *Project {
	t.Helper()
	p, err := Load(Options{Dir: dir, Dialect: duckdb.Dialect{},
		Sources: []SourceDecl{{Name: "crm", Schema: "crm", Tables: []SourceTableDecl{{Name: "opportunities"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildIncrementalStrategies(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1),('b','x',20,2),('c','y',30,3)")
	filter := "{% if is_incremental() %} where day > (select max(day) from {{ this }}){% endif %}"
	dir := writeProject(t, map[string]string{
		"models/merged.sql":   "{{ config(materialized='incremental', unique_key='id') }}\nselect id, account, amount, day from {{ source('crm','opportunities') }}" + filter,
		"models/appended.sql": "{{ config(materialized='incremental') }}\nselect id, day from {{ source('crm','opportunities') }}" + filter,
		"models/replaced.sql": "{{ config(materialized='incremental', unique_key='account', incremental_strategy='delete+insert') }}\n" +
			"select account, count(*) as n, max(day) as day from {{ source('crm','opportunities') }}" +
			"{% if is_incremental() %} where account in (select account from {{ source('crm','opportunities') }} where day > (select max(day) from {{ this }})){% endif %} group by account",
	})
	p := crmProject(t, dir)
	r := build(t, wh, p, BuildOptions{}, nil)
	for name, want := range map[string]int64{"merged": 3, "appended": 3, "replaced": 2} {
		if r[name].Status != StatusSuccess || r[name].Rows != want || r[name].Incremental {
			t.Errorf("first build %s: %+v", name, r[name])
		}
	}
	// b changes (day 4), d is new (day 5).
	if err := wh.Exec(context.Background(), "UPDATE crm.opportunities SET amount = 25, day = 4 WHERE id = 'b'; INSERT INTO crm.opportunities VALUES ('d','y',40,5)"); err != nil {
		t.Fatal(err)
	}
	r = build(t, wh, p, BuildOptions{}, nil)
	if m := r["merged"]; !m.Incremental || m.Rows != 2 || m.Inserted != 1 || m.Updated != 1 {
		t.Errorf("merge: %+v", m)
	}
	if got := queryString(t, wh, "select id, amount, day from merged order by id"); got != "a,10,1;b,25,4;c,30,3;d,40,5" {
		t.Errorf("merged = %s", got)
	}
	if m := r["appended"]; m.Rows != 2 || m.Inserted != 2 {
		t.Errorf("append: %+v", m)
	}
	if got := queryString(t, wh, "select id, day from appended order by id, day"); got != "a,1;b,2;b,4;c,3;d,5" {
		t.Errorf("appended = %s", got)
	}
	if m := r["replaced"]; m.Rows != 2 || m.Updated != 2 || m.Inserted != 0 {
		t.Errorf("delete+insert: %+v", m)
	}
	if got := queryString(t, wh, "select account, n, day from replaced order by account"); got != "x,2,4;y,2,5" {
		t.Errorf("replaced = %s", got)
	}
	// Nothing new: nothing written.
	r = build(t, wh, p, BuildOptions{}, nil)
	if r["merged"].Rows != 0 || r["appended"].Rows != 0 {
		t.Errorf("no-op run wrote rows: %+v %+v", r["merged"], r["appended"])
	}
	// Full refresh rebuilds.
	r = build(t, wh, p, BuildOptions{FullRefresh: true}, nil)
	if r["appended"].Incremental || r["appended"].Rows != 4 {
		t.Errorf("full refresh: %+v", r["appended"])
	}
}

func TestBuildMergeRejectsDuplicateKeys(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1)")
	dir := writeProject(t, map[string]string{
		"models/m.sql": "{{ config(materialized='incremental', unique_key='account') }}\nselect account, amount from {{ source('crm','opportunities') }}",
	})
	p := crmProject(t, dir)
	build(t, wh, p, BuildOptions{}, nil)
	if err := wh.Exec(context.Background(), "INSERT INTO crm.opportunities VALUES ('b','x',5,2)"); err != nil {
		t.Fatal(err)
	}
	r := build(t, wh, p, BuildOptions{}, nil)["m"]
	if r.Status != StatusError || !strings.Contains(r.Error.Error(), "occur more than once in the new rows") {
		t.Fatalf("got %+v", r)
	}
	if got := queryString(t, wh, "select account, amount from m"); got != "x,10" {
		t.Errorf("the failed merge changed the table: %s", got)
	}
}

func TestBuildOnSchemaChange(t *testing.T) {
	for _, tt := range []struct {
		policy, wantErr, wantCols string
	}{
		{"", "the model's columns changed (new columns: extra", "id,amount"},
		{"ignore", "", "id,amount"},
		{"append_new_columns", "", "id,amount,extra"},
		{"sync_all_columns", "", "id,extra"},
	} {
		t.Run("policy="+tt.policy, func(t *testing.T) {
			wh := openWarehouse(t)
			seed(t, wh, "('a','x',10,1)")
			conf := "materialized='incremental', unique_key='id'"
			if tt.policy != "" {
				conf += ", on_schema_change='" + tt.policy + "'"
			}
			dir := writeProject(t, map[string]string{
				"models/m.sql": "{{ config(" + conf + ") }}\nselect id, amount from {{ source('crm','opportunities') }}",
			})
			build(t, wh, crmProject(t, dir), BuildOptions{}, nil)
			newSQL := "{{ config(" + conf + ") }}\nselect id, 'e' as extra"
			if tt.policy != "sync_all_columns" {
				newSQL += ", amount"
			}
			newSQL += " from {{ source('crm','opportunities') }}"
			if err := os.WriteFile(filepath.Join(dir, "models", "m.sql"), []byte(newSQL), 0o644); err != nil {
				t.Fatal(err)
			}
			r := build(t, wh, crmProject(t, dir), BuildOptions{}, nil)["m"]
			if tt.wantErr != "" {
				if r.Error == nil || !strings.Contains(r.Error.Error(), tt.wantErr) {
					t.Fatalf("err = %v", r.Error)
				}
			} else if r.Error != nil {
				t.Fatal(r.Error)
			}
			got := queryString(t, wh, "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'm'")
			if got != tt.wantCols {
				t.Errorf("columns = %s, want %s", got, tt.wantCols)
			}
		})
	}
}

func TestBuildFailureSkipsDownstream(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1)")
	files := map[string]string{
		"models/base.sql":   "{{ config(materialized='table') }}select id, account from {{ source('crm','opportunities') }}",
		"models/bad.sql":    "{{ config(materialized='table') }}select cast(account as integer) as n from {{ ref('base') }}",
		"models/eph.sql":    "{{ config(materialized='ephemeral') }}select * from {{ ref('bad') }}",
		"models/after.sql":  "select * from {{ ref('eph') }}",
		"models/after2.sql": "select * from {{ ref('after') }}",
		"models/other.sql":  "{{ config(materialized='table') }}select count(*) as n from {{ ref('base') }}",
	}
	dir := writeProject(t, files)
	r := build(t, wh, crmProject(t, dir), BuildOptions{}, nil)
	want := map[string]string{"base": "success", "bad": "error", "after": "skipped", "after2": "skipped", "other": "success"}
	for name, status := range want {
		if r[name].Status != status {
			t.Errorf("%s: %s, want %s (%v)", name, r[name].Status, status, r[name].Error)
		}
	}
	if r["after"].SkippedBecause != "bad" || r["after2"].SkippedBecause != "bad" {
		t.Errorf("skipped because %q, %q", r["after"].SkippedBecause, r["after2"].SkippedBecause)
	}
	if _, ok := r["eph"]; ok {
		t.Error("an ephemeral model was built")
	}
	if !strings.Contains(r["bad"].Error.Error(), "model bad (models/bad.sql)") {
		t.Errorf("error = %v", r["bad"].Error)
	}
	// A failing rebuild keeps the previous table.
	if got := queryString(t, wh, "select n from other"); got != "1" {
		t.Fatalf("other = %s", got)
	}
	files["models/other.sql"] = "{{ config(materialized='table') }}select 1/0 as n, cast('x' as integer) as m from {{ ref('base') }}"
	dir2 := writeProject(t, files)
	r = build(t, wh, crmProject(t, dir2), BuildOptions{}, nil)
	if r["other"].Status != StatusError {
		t.Fatalf("other: %+v", r["other"])
	}
	if got := queryString(t, wh, "select n from other"); got != "1" {
		t.Errorf("the old table was lost: %s", got)
	}
}

func TestBuildChecksStopDownstream(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1)")
	dir := writeProject(t, map[string]string{
		"models/a.sql": "select 1 as id",
		"models/b.sql": "select * from {{ ref('a') }}",
		"models/c.sql": "select 2 as id",
	})
	var mu sync.Mutex
	var checked []string
	r := build(t, wh, crmProject(t, dir), BuildOptions{}, func(_ context.Context, m *Model) (bool, error) {
		mu.Lock()
		checked = append(checked, m.Name)
		mu.Unlock()
		return m.Name != "a", nil
	})
	sort.Strings(checked)
	if strings.Join(checked, ",") != "a,c" || r["b"].Status != StatusSkipped || r["b"].SkippedBecause != "a" || !r["a"].ChecksFailed {
		t.Errorf("checked %v; results %+v", checked, r)
	}
}

func TestBuildFailedSourceSkipsReaders(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1)")
	dir := writeProject(t, map[string]string{
		"models/e.sql": "{{ config(materialized='ephemeral') }}select * from {{ source('crm','opportunities') }}",
		"models/a.sql": "select * from {{ ref('e') }}",
		"models/c.sql": "select 2 as id",
	})
	r := build(t, wh, crmProject(t, dir), BuildOptions{FailedSources: []string{"source.crm.opportunities"}}, nil)
	if r["a"].Status != StatusSkipped || r["a"].SkippedBecause != "source.crm.opportunities" || r["c"].Status != StatusSuccess {
		t.Errorf("%+v", r)
	}
}

func TestBuildSwitchesViewAndTable(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "")
	for _, mat := range []string{"view", "table", "view", "incremental", "view"} {
		dir := writeProject(t, map[string]string{"models/m.sql": "{{ config(materialized='" + mat + "') }}select 1 as id"})
		r := build(t, wh, crmProject(t, dir), BuildOptions{}, nil)["m"]
		if r.Status != StatusSuccess {
			t.Fatalf("%s: %v", mat, r.Error)
		}
		want := "BASE TABLE"
		if mat == "view" {
			want = "VIEW"
		}
		if got := queryString(t, wh, "select table_type from information_schema.tables where table_name = 'm'"); got != want {
			t.Errorf("after %s: %s", mat, got)
		}
	}
}

func TestBuildParallelIndependentModels(t *testing.T) {
	wh := openWarehouse(t)
	seed(t, wh, "('a','x',10,1)")
	files := map[string]string{}
	for i := range 12 {
		files[fmt.Sprintf("models/m%02d.sql", i)] = fmt.Sprintf("{{ config(materialized='table', schema='s%d') }}select %d as n, * from {{ source('crm','opportunities') }}", i%3, i)
	}
	files["models/total.sql"] = "{{ config(materialized='table') }}select " +
		"(select n from {{ ref('m00') }}) + (select n from {{ ref('m11') }}) as n"
	r := build(t, wh, crmProject(t, writeProject(t, files)), BuildOptions{}, nil)
	for name, res := range r {
		if res.Status != StatusSuccess {
			t.Errorf("%s: %v", name, res.Error)
		}
	}
	if got := queryString(t, wh, "select n from total"); got != "11" {
		t.Errorf("total = %s", got)
	}
}
