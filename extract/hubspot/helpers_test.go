package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gopkg.in/yaml.v3"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// m is a YAML mapping in tests.
type m = map[string]any

// row is one emitted row: column → Go value (string, time.Time, float64, bool, int64, decimal
// text, JSON text, or nil).
type row map[string]any

// env is a fake HubSpot on loopback with a clock that the source's sleeps advance, so that
// backoff and throttling take no real time.
type env struct {
	t     *testing.T
	clock *fakeapi.Clock
	fake  *fake.Server
	srv   *httptest.Server
	mem   *memory.CheckedAllocator

	mu     sync.Mutex
	sleeps []time.Duration
}

func newEnv(t *testing.T, opts fake.Options) *env {
	t.Helper()
	clock := fakeapi.NewClock(t0)
	opts.Clock = clock
	if opts.RateClock == nil {
		opts.RateClock = clock.Now
	}
	e := &env{t: t, clock: clock, fake: fake.New(opts), mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	t.Cleanup(func() { e.mem.AssertSize(t, 0) })
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(e.srv.Close)
	return e
}

// decodeFrom returns the config layer's strict decoder (yamlx) over src rendered as YAML, with
// HUBSPOT_TOKEN defined as the fake's token.
func decodeFrom(src m, vars map[string]string) func(v any) error {
	return func(v any) error {
		text, err := yaml.Marshal(src)
		if err != nil {
			return err
		}
		root, err := yamlx.Parse("revops.yaml", text)
		if err != nil {
			return err
		}
		dec := &yamlx.Decoder{File: "revops.yaml", LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
		return dec.Decode(root, v)
	}
}

// source builds a source over the fake; cfg overrides the defaults (base_url, token).
func (e *env) source(cfg m) *source {
	e.t.Helper()
	full := m{"base_url": e.srv.URL, "token": "${HUBSPOT_TOKEN}"}
	for k, v := range cfg {
		full[k] = v
	}
	return e.build(full, map[string]string{"HUBSPOT_TOKEN": fake.DefaultToken})
}

// build makes a source of a full configuration over the env: its memory, clock and sleeps.
func (e *env) build(full m, vars map[string]string) *source {
	e.t.Helper()
	src, err := New(extract.Config{Name: "crm", Decode: decodeFrom(full, vars), Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	s := src.(*source)
	s.mem = e.mem
	s.clock = e.clock.Now
	s.sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.sleeps = append(e.sleeps, d)
		e.mu.Unlock()
		e.clock.Advance(d)
		return ctx.Err()
	}
	return s
}

// takeSleeps returns and clears the sleeps the sources asked for.
func (e *env) takeSleeps() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.sleeps
	e.sleeps = nil
	return out
}

// result is what one Read emitted.
type result struct {
	rows    []row
	cursor  extract.Cursor // the last batch's cursor
	batches int
	finals  int
}

// read runs one Read and fails the test on an error.
func (e *env) read(s *source, stream string, from extract.Cursor) result {
	e.t.Helper()
	res, err := e.readErr(s, stream, from, -1)
	if err != nil {
		e.t.Fatalf("Read(%s): %v", stream, err)
	}
	return res
}

var errKilled = errors.New("killed")

// readErr runs one Read. With killAt ≥ 0, emit fails on batch killAt (0-based) as a crash
// would: that batch is not loaded, and the result holds what was loaded before it.
func (e *env) readErr(s *source, stream string, from extract.Cursor, killAt int) (result, error) {
	res := result{cursor: from}
	var schema *arrow.Schema
	for _, st := range s.Streams() {
		if st.Name == stream {
			schema = st.Schema
		}
	}
	err := s.Read(context.Background(), stream, from, func(_ context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if killAt >= 0 && res.batches == killAt {
			return errKilled
		}
		if schema != nil && !b.Records.Schema().Equal(schema) {
			e.t.Errorf("batch schema %v differs from the stream's %v", b.Records.Schema(), schema)
		}
		res.rows = append(res.rows, recordRows(b.Records)...)
		res.cursor = b.Cursor
		res.batches++
		if b.Final {
			res.finals++
		}
		return nil
	})
	return res, err
}

// recordRows converts a record batch to rows.
func recordRows(rec arrow.RecordBatch) []row {
	out := make([]row, rec.NumRows())
	for i := range out {
		r := row{}
		for j, f := range rec.Schema().Fields() {
			col := rec.Column(j)
			if col.IsNull(i) {
				r[f.Name] = nil
				continue
			}
			switch a := col.(type) {
			case *array.String:
				r[f.Name] = a.Value(i)
			case *array.Timestamp:
				r[f.Name] = a.Value(i).ToTime(arrow.Microsecond).UTC()
			case *array.Float64:
				r[f.Name] = a.Value(i)
			case *array.Decimal128:
				r[f.Name] = a.Value(i).ToString(2)
			case *array.Boolean:
				r[f.Name] = a.Value(i)
			case *array.Int64:
				r[f.Name] = a.Value(i)
			case array.ExtensionArray:
				r[f.Name] = a.Storage().(*array.String).Value(i)
			default:
				panic(fmt.Sprintf("recordRows: no case for %T", col))
			}
		}
		out[i] = r
	}
	return out
}

// merge keeps the last row per primary key, as the loader does.
func merge(key []string, batches ...[]row) map[string]row {
	out := map[string]row{}
	for _, rows := range batches {
		for _, r := range rows {
			parts := make([]string, len(key))
			for i, k := range key {
				parts[i] = fmt.Sprint(r[k])
			}
			out[strings.Join(parts, "|")] = r
		}
	}
	return out
}

// checkTruth asserts that merged rows (keyed by id) equal the fake's records of objType: the same
// ids, live and archived, each with the truth's last-modified time and archived flag, and the
// truth's values of the given properties (columns of the same name).
func checkTruth(t *testing.T, merged map[string]row, truth []fake.TruthRecord, props ...string) {
	t.Helper()
	if len(merged) != len(truth) {
		t.Errorf("merged rows: %d, ground truth: %d records", len(merged), len(truth))
	}
	bad := 0
	for _, tr := range truth {
		r, ok := merged[tr.ID]
		if !ok {
			if bad++; bad <= 5 {
				t.Errorf("record %s (archived %t) is missing", tr.ID, tr.Archived)
			}
			continue
		}
		want := tr.UpdatedAt.Truncate(time.Millisecond)
		if got, _ := r["updated_at"].(time.Time); !got.Equal(want) || r["archived"] != tr.Archived {
			if bad++; bad <= 5 {
				t.Errorf("record %s: updated_at %v archived %v, want %v %v", tr.ID, r["updated_at"], r["archived"], want, tr.Archived)
			}
		}
		for _, p := range props {
			var want any
			if v, ok := tr.Properties[p]; ok {
				want = v
			}
			if r[p] != want {
				if bad++; bad <= 5 {
					t.Errorf("record %s: %s = %v, want %v", tr.ID, p, r[p], want)
				}
			}
		}
	}
	ids := map[string]bool{}
	for _, tr := range truth {
		ids[tr.ID] = true
	}
	var extra []string
	for id := range merged {
		if !ids[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("rows not in the ground truth: %v", extra[:min(len(extra), 5)])
	}
	if bad > 5 {
		t.Errorf("… %d mismatches in all", bad)
	}
}

// put seeds records and returns their ids.
func (e *env) put(typ string, recs ...fake.Record) []string {
	e.t.Helper()
	ids, err := e.fake.Put(typ, recs...)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// contacts seeds n contacts modified at at(i).
func (e *env) contacts(n int, at func(i int) time.Time) []string {
	e.t.Helper()
	recs := make([]fake.Record, n)
	for i := range recs {
		recs[i] = fake.Record{UpdatedAt: at(i), CreatedAt: at(i).Add(-time.Hour), Properties: map[string]string{
			"firstname": fmt.Sprintf("c%d", i), "email": fmt.Sprintf("c%d@example.com", i), "lifecyclestage": "lead"}}
	}
	return e.put("contacts", recs...)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
