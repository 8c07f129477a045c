package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gopkg.in/yaml.v3"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse"
	"github.com/revops/revops/warehouse/duckdb"
)

// pageSource serves a stream of rows id 0..rows-1 in pages; its cursor is the next id. A row's
// value is "v<id>" unless overridden by updates (id → value), which it serves after the pages,
// as an upstream change would.
type pageSource struct {
	alloc    memory.Allocator
	rows     int
	pageSize int
	failAt   int // a page index whose read fails (0 = never)
	updates  map[int]string
	reads    atomic.Int32
}

var pageSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "value", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}},
}, nil)

func (s *pageSource) Streams() []extract.Stream {
	return []extract.Stream{{Name: "items", Schema: pageSchema, PrimaryKey: []string{"id"}, CursorField: "id"}}
}

func (s *pageSource) Read(ctx context.Context, _ string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	s.reads.Add(1)
	next := 0
	if from != nil {
		if err := json.Unmarshal(from, &next); err != nil {
			return fmt.Errorf("bad cursor %q: %w", from, err)
		}
	}
	for page := next / s.pageSize; next < s.rows; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.failAt != 0 && page == s.failAt {
			return errors.New("upstream 503")
		}
		end := min(next+s.pageSize, s.rows)
		ids := make([]int, 0, end-next)
		for id := next; id < end; id++ {
			ids = append(ids, id)
		}
		cur, _ := json.Marshal(end)
		if err := emit(ctx, extract.Batch{Records: s.record(ids), Cursor: cur}); err != nil {
			return err
		}
		next = end
	}
	return nil
}

func (s *pageSource) record(ids []int) arrow.RecordBatch {
	b := array.NewRecordBuilder(s.alloc, pageSchema)
	defer b.Release()
	for _, id := range ids {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		v := "v" + strconv.Itoa(id)
		if u, ok := s.updates[id]; ok {
			v = u
		}
		b.Field(1).(*array.StringBuilder).Append(v)
		b.Field(2).(*array.Decimal128Builder).Append(decimalCents(int64(id)*100 + 1))
	}
	return b.NewRecordBatch()
}

func TestExtractCommitsDataAndCursorTogether(t *testing.T) {
	tests := []struct {
		name       string
		failPoint  string // point whose hook fails on the 3rd commit
		failAtPage int    // a source read error at this page
		wantFirst  int    // rows committed by the failed run
	}{
		{name: "clean run"},
		{name: "failure before cursor write", failPoint: "before-cursor", wantFirst: 20},
		{name: "failure after cursor write, before commit", failPoint: "after-cursor", wantFirst: 20},
		{name: "source fails mid-read: staged progress is kept", failAtPage: 5, wantFirst: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			wh := openWarehouse(t, filepath.Join(t.TempDir(), "w.duckdb"))
			src := &pageSource{alloc: alloc, rows: 95, pageSize: 10, failAt: tt.failAtPage}
			plan := testPlan(src)
			ex := newExtractor(wh, 20) // commit every 2 pages
			var commits atomic.Int32
			if tt.failPoint != "" {
				ex.FailPoint = func(point, _ string) error {
					if point == tt.failPoint && commits.Add(1) == 2 {
						return errors.New("injected")
					}
					return nil
				}
			}
			reps, err := ex.Run(ctx, plan, ExtractOptions{RunID: "r1"})
			if tt.failPoint == "" && tt.failAtPage == 0 {
				if err != nil {
					t.Fatal(err)
				}
				assertRows(t, wh, 95, 95)
				if reps[0].Rows != 95 || reps[0].Inserted != 95 || reps[0].Status != "success" {
					t.Fatalf("report %+v", reps[0])
				}
				return
			}
			if err == nil || reps[0].Status != "error" {
				t.Fatalf("want a failed stream, got err=%v report=%+v", err, reps[0])
			}
			assertRows(t, wh, tt.wantFirst, tt.wantFirst)
			// The rerun resumes from the committed cursor and ends with exactly the source rows.
			src.failAt = 0
			ex.FailPoint = nil
			if _, err := ex.Run(ctx, plan, ExtractOptions{RunID: "r2"}); err != nil {
				t.Fatal(err)
			}
			assertRows(t, wh, 95, 95)
		})
	}
}

// Re-reading rows that were already loaded (an upstream change, or a source that re-reads
// from an older cursor) updates them in place: never a duplicate.
func TestExtractMergesOnPrimaryKey(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	wh := openWarehouse(t, "")
	src := &pageSource{alloc: alloc, rows: 30, pageSize: 7}
	ex := newExtractor(wh, 1000)
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r1"}); err != nil {
		t.Fatal(err)
	}
	src.updates = map[int]string{3: "changed"}
	reps, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r2", FullRefresh: false})
	if err != nil {
		t.Fatal(err)
	}
	if reps[0].Rows != 0 {
		t.Fatalf("incremental rerun read %d rows, want 0", reps[0].Rows)
	}
	reps, err = ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r3", FullRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if reps[0].Rows != 30 {
		t.Fatalf("full refresh read %d rows, want 30", reps[0].Rows)
	}
	assertRows(t, wh, 30, 30)
	var v, runID string
	if err := wh.QueryRow(ctx, `SELECT value, _revops_run_id FROM src.items WHERE id = 3`).Scan(&v, &runID); err != nil {
		t.Fatal(err)
	}
	if v != "changed" || runID != "r3" {
		t.Fatalf("row 3 = %q from run %q, want changed from r3", v, runID)
	}
}

func TestExtractParallelStreamsAndCancel(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	wh := openWarehouse(t, filepath.Join(t.TempDir(), "w.duckdb"))
	plan := &Plan{}
	for i := range 6 {
		src := &pageSource{alloc: alloc, rows: 50 + i, pageSize: 9}
		sp := testPlan(src).Streams[0]
		sp.Source = fmt.Sprintf("s%d", i)
		sp.Table.Schema = sp.Source
		plan.Streams = append(plan.Streams, sp)
	}
	ex := newExtractor(wh, 20)
	ex.Parallelism = 3
	reps, err := ex.Run(ctx, plan, ExtractOptions{RunID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reps {
		var n int
		if err := wh.QueryRow(ctx, "SELECT count(*) FROM "+wh.Dialect().QuoteIdent(fmt.Sprintf("s%d", i), "items")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 50+i || r.Rows != int64(50+i) {
			t.Fatalf("stream %d: %d rows in table, %d reported", i, n, r.Rows)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	reps, err = ex.Run(canceled, plan, ExtractOptions{RunID: "c"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, r := range reps {
		if r.Status != "canceled" {
			t.Fatalf("report %+v, want canceled", r)
		}
	}
}

func openWarehouse(t *testing.T, path string) *duckdb.Warehouse {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	if err := state.New(wh).Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return wh
}

func newExtractor(wh *duckdb.Warehouse, commitRows int64) *Extractor {
	return &Extractor{
		Warehouse: wh, State: state.New(wh), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: time.Now, Parallelism: 2, CommitRows: commitRows,
	}
}

func testPlan(src extract.Source) *Plan {
	st := src.Streams()[0]
	return &Plan{Streams: []StreamPlan{{
		Source: "src", Stream: st, reader: src, OnTypeChange: warehouse.TypeChangeError,
		Table: warehouse.Table{Schema: "src", Name: st.Name},
	}}}
}

// assertRows checks the table's row count and distinct keys.
func assertRows(t *testing.T, wh *duckdb.Warehouse, rows, distinct int) {
	t.Helper()
	var n, d int
	if err := wh.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT id) FROM src.items`).Scan(&n, &d); err != nil {
		t.Fatal(err)
	}
	if n != rows || d != distinct {
		t.Fatalf("table has %d rows (%d distinct ids), want %d (%d)", n, d, rows, distinct)
	}
}

// A stream with nothing upstream still gets its table, empty and with the declared columns, so
// that models reading it run; its cursor stays "from the beginning". A full refresh that reads
// nothing empties the table.
func TestExtractEmptyStreamCreatesItsTable(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	wh := openWarehouse(t, "")
	ex := newExtractor(wh, 1000)
	src := &pageSource{alloc: alloc, rows: 0, pageSize: 7}
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r1"}); err != nil {
		t.Fatal(err)
	}
	assertRows(t, wh, 0, 0)
	var cols string
	if err := wh.QueryRow(ctx, `SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index)
		FROM duckdb_columns() WHERE schema_name = 'src' AND table_name = 'items' AND column_name NOT LIKE '\_revops%' ESCAPE '\'`).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if cols != "id BIGINT, value VARCHAR, amount DECIMAL(18,2)" {
		t.Fatalf("columns: %s", cols)
	}
	if c, err := state.New(wh).Cursor(ctx, "src", "items"); err != nil || c != nil {
		t.Fatalf("cursor after an empty read: %q, %v; want none", c, err)
	}
	src.rows = 5
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r2"}); err != nil {
		t.Fatal(err)
	}
	assertRows(t, wh, 5, 5)
	src.rows = 0
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r3", FullRefresh: true}); err != nil {
		t.Fatal(err)
	}
	assertRows(t, wh, 0, 0)
}

// countingSource is a pageSource whose vendor reports a total for its stream.
type countingSource struct {
	*pageSource
	total int64
	err   error
}

func (s *countingSource) Count(_ context.Context, stream string) (int64, error) {
	if stream != "items" {
		return 0, extract.ErrNoCount
	}
	return s.total, s.err
}

// TestExtractRecordsSourceTotals: after a Counter source's stream is extracted its total lands
// in _revops.source_totals, which the extract_totals check compares with the rows loaded; a
// failing count is logged and does not fail the stream.
func TestExtractRecordsSourceTotals(t *testing.T) {
	ctx := context.Background()
	wh := openWarehouse(t, filepath.Join(t.TempDir(), "w.duckdb"))
	src := &countingSource{pageSource: &pageSource{alloc: memory.NewGoAllocator(), rows: 25, pageSize: 10}, total: 26}
	ex := newExtractor(wh, 100)
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r1"}); err != nil {
		t.Fatal(err)
	}
	src.err = errors.New("count: 503")
	if _, err := ex.Run(ctx, testPlan(src), ExtractOptions{RunID: "r2"}); err != nil {
		t.Fatalf("a failing count failed the run: %v", err)
	}
	var n int
	var source, stream string
	var total int64
	if err := wh.QueryRow(ctx, "SELECT count(*) OVER (), source, stream, total FROM _revops.source_totals").Scan(&n, &source, &stream, &total); err != nil {
		t.Fatal(err)
	}
	if n != 1 || source != "src" || stream != "items" || total != 26 {
		t.Fatalf("source totals: %d rows, %s.%s %d", n, source, stream, total)
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("extract_totals"), &node); err != nil {
		t.Fatal(err)
	}
	sp, err := checks.Parse("t.yml", node.Content[0], checks.Target{Kind: "source", Name: "src.items", Relation: []string{"src", "items"}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&checks.Runner{Warehouse: wh, Fuse: true}).Run(ctx, []checks.Spec{sp})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Status != checks.StatusFail || r.Observed == nil || *r.Observed != 1 {
		t.Fatalf("extract_totals: %s %v %s", r.Status, r.Observed, r.Error)
	}
}
