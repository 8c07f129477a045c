package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/revops/revops/models"
	"github.com/revops/revops/transform"
	"github.com/revops/revops/warehouse/duckdb"
)

// fixture is a small warehouse: source tables created from SQL, vars, and optional project
// model files that replace packaged ones.
type fixture struct {
	vars map[string]any
	// tables maps "source.table" to a SELECT that produces its rows.
	tables map[string]string
	// files are project model files (path under models/ → content).
	files map[string]string
}

// subscriptions is the billing files contract from rows "customer,sub,start,end,amount,currency"
// (end may be empty), with one customers row per customer (crm account = the customer id
// prefixed "A-" when crm is true).
func subscriptions(rows ...string) map[string]string {
	var subs, custs []string
	seen := map[string]bool{}
	for _, r := range rows {
		f := strings.Split(r, ",")
		end := "null"
		if f[3] != "" {
			end = "date '" + f[3] + "'"
		}
		subs = append(subs, fmt.Sprintf("('%s', '%s', date '%s', %s, %s, '%s')", f[0], f[1], f[2], end, f[4], f[5]))
		if !seen[f[0]] {
			seen[f[0]] = true
			custs = append(custs, fmt.Sprintf("('%s', '%s Inc', 'billing@%s.example', null)", f[0], f[0], strings.ToLower(f[0])))
		}
	}
	return map[string]string{
		"billing.subscriptions": "select * from (values " + strings.Join(subs, ", ") + `) as t(customer_id, subscription_id, start_date, end_date, monthly_amount, currency)`,
		"billing.customers":     "select * from (values " + strings.Join(custs, ", ") + `) as t(customer_id, name, email, crm_account_id)`,
	}
}

// build creates the fixture's tables, loads the packaged models with the project files, builds
// the selected models (and their parents) and returns the warehouse.
func (fx fixture) build(t testing.TB, selector string) *duckdb.Warehouse {
	t.Helper()
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	var decls []transform.SourceDecl
	bySource := map[string]int{}
	names := make([]string, 0, len(fx.tables))
	for n := range fx.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		src, tbl, _ := strings.Cut(n, ".")
		if err := wh.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+src); err != nil {
			t.Fatal(err)
		}
		if err := wh.Exec(ctx, fmt.Sprintf("CREATE TABLE %s.%s AS %s", src, tbl, fx.tables[n])); err != nil {
			t.Fatalf("create %s: %v", n, err)
		}
		i, ok := bySource[src]
		if !ok {
			i = len(decls)
			bySource[src] = i
			decls = append(decls, transform.SourceDecl{Name: src, Schema: src})
		}
		decls[i].Tables = append(decls[i].Tables, transform.SourceTableDecl{Name: tbl})
	}
	dir := t.TempDir()
	for rel, body := range fx.files {
		p := filepath.Join(dir, "models", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]any{"as_of_date": "2025-12-31"}
	for k, v := range fx.vars {
		vars[k] = v
	}
	p, err := transform.Load(transform.Options{Dir: dir, Builtin: models.FS(), Vars: vars, Sources: decls,
		Dialect: duckdb.Dialect{}, Defaults: transform.Config{Materialized: "view", Schema: "main"}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := p.Select([]string{selector}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &transform.Builder{Warehouse: wh, Parallelism: 2}
	res, err := b.Build(ctx, p, p.ModelsOf(ids), transform.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error != nil {
			t.Fatalf("model %s: %v", r.Model.Name, r.Error)
		}
	}
	return wh
}

// rows runs q and returns each row as its values joined by "|" (NULL as ∅, decimals trimmed).
func rows(t *testing.T, wh *duckdb.Warehouse, q string) []string {
	t.Helper()
	rs, err := wh.DB().Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = format(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case interface{ Float64() float64 }:
		return trim(fmt.Sprintf("%.6f", x.Float64()))
	case float64:
		return trim(fmt.Sprintf("%.6f", x))
	case fmt.Stringer:
		s := x.String()
		if strings.HasSuffix(s, " 00:00:00 +0000 UTC") {
			return strings.TrimSuffix(s, " 00:00:00 +0000 UTC")
		}
		return trim(s)
	}
	return fmt.Sprint(v)
}

func trim(s string) string {
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "-:T ") || strings.HasPrefix(s, "-") && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// want compares rows with the expected lines.
func want(t *testing.T, what string, got []string, exp ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(exp, "\n  "))
	}
}

// fatalRecorder records a Fatal instead of failing the test, to assert on build errors.
type fatalRecorder struct {
	*testing.T
	failed bool
	msg    string
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	panic(f)
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	panic(f)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
