package checks

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/warehouse/duckdb"
)

func openDB(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wh.Close() })
	return wh
}

func mustExec(t *testing.T, wh *duckdb.Warehouse, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := wh.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var refRE = regexp.MustCompile(`^(ref|source)\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)$`)

// testResolver resolves ref('x') to main.x and source('a','b') to a.b.
func testResolver(expr string) (Target, error) {
	m := refRE.FindStringSubmatch(expr)
	if m == nil {
		return Target{}, fmt.Errorf("cannot resolve %q", expr)
	}
	if m[1] == "ref" {
		return Target{Kind: "model", Name: m[2], Relation: []string{"main", m[2]}, KeyColumns: []string{"id"}}, nil
	}
	return Target{Kind: "source", Name: m[2] + "." + m[3], Relation: []string{m[2], m[3]}}, nil
}

// parseChecks parses a YAML list of checks declared for target t under column col.
func parseChecks(t *testing.T, src string, tg Target, col string) []Spec {
	t.Helper()
	specs, err := tryParse(src, tg, col)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

func tryParse(src string, tg Target, col string) ([]Spec, error) {
	root, err := yamlx.Parse("schema.yml", []byte(src))
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("test YAML must be a list")
	}
	var out []Spec
	for _, n := range root.Content {
		sp, err := Parse("schema.yml", n, tg, col, testResolver)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// runBoth runs specs fused and unfused and fails the test unless the results are identical
// apart from SQL and timing; it returns the fused results.
func runBoth(t *testing.T, wh *duckdb.Warehouse, now time.Time, specs []Spec) []Result {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	fused, err := (&Runner{Warehouse: wh, Now: clock, Fuse: true}).Run(ctx, specs)
	if err != nil {
		t.Fatal(err)
	}
	single, err := (&Runner{Warehouse: wh, Now: clock, Fuse: false, Parallelism: 2}).Run(ctx, specs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := SameResults(fused, single); diff != "" {
		t.Fatalf("fused and unfused results differ: %s", diff)
	}
	return fused
}

// countIf returns, per predicate, the rows of rel where it holds: the count a check's
// observed value must equal.
func countIf(t *testing.T, wh *duckdb.Warehouse, rel string, preds ...string) []float64 {
	t.Helper()
	out := make([]float64, len(preds))
	for i, p := range preds {
		rs, err := query(context.Background(), wh, "SELECT count_if("+p+") FROM "+rel)
		if err != nil {
			t.Fatal(err)
		}
		row, err := rs.one()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = float64(asInt(row[0]))
	}
	return out
}

// runObserving runs the checks src on main.rel (key column id) fused and one query per check
// (runBoth) and asserts that each evaluated to the observed value want[i].
func runObserving(t *testing.T, wh *duckdb.Warehouse, rel, src string, want []float64) []Result {
	t.Helper()
	tg := Target{Kind: "model", Name: rel, Relation: []string{"main", rel}, KeyColumns: []string{"id"}}
	res := runBoth(t, wh, testNow, parseChecks(t, src, tg, ""))
	for i, r := range res {
		if r.Status == StatusError || r.Observed == nil || *r.Observed != want[i] {
			t.Errorf("%s: observed %v (%s %s), want %v", r.ID, r.Observed, r.Status, r.Error, want[i])
		}
	}
	return res
}

func runOne(t *testing.T, wh *duckdb.Warehouse, now time.Time, src string, tg Target, col string) Result {
	t.Helper()
	res := runBoth(t, wh, now, parseChecks(t, src, tg, col))
	if len(res) != 1 {
		t.Fatalf("got %d results", len(res))
	}
	return res[0]
}

// want is what a test asserts about a result.
type want struct {
	status   Status
	observed float64
	rate     float64 // -1: not asserted
	failing  int64
	sample   []map[string]any // nil: not asserted
	text     string           // substring of ObservedText; "" = not asserted
}

func check(t *testing.T, r Result, w want) {
	t.Helper()
	if r.Status != w.status {
		t.Errorf("%s: status %s, want %s (observed %v, %s; error %q)", r.ID, r.Status, w.status, deref(r.Observed), r.ObservedText, r.Error)
	}
	if r.Observed == nil {
		t.Errorf("%s: no observed value (error %q)", r.ID, r.Error)
	} else if !close(*r.Observed, w.observed) {
		t.Errorf("%s: observed %v, want %v (%s)", r.ID, *r.Observed, w.observed, r.ObservedText)
	}
	if w.rate >= 0 {
		if r.Rate == nil || !close(*r.Rate, w.rate) {
			t.Errorf("%s: rate %v, want %v", r.ID, deref(r.Rate), w.rate)
		}
	}
	if r.FailingRows != w.failing {
		t.Errorf("%s: failing rows %d, want %d", r.ID, r.FailingRows, w.failing)
	}
	if w.sample != nil && !reflect.DeepEqual(r.Sample, w.sample) {
		t.Errorf("%s: sample %v, want %v", r.ID, r.Sample, w.sample)
	}
	if w.text != "" && !strings.Contains(r.ObservedText, w.text) {
		t.Errorf("%s: observed text %q does not contain %q", r.ID, r.ObservedText, w.text)
	}
}

func close(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func ids(vs ...any) []map[string]any {
	out := make([]map[string]any, len(vs))
	for i, v := range vs {
		out[i] = map[string]any{"id": v}
	}
	return out
}
