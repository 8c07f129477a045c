package duckdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

var (
	idName = []arrow.Field{field("id", arrow.PrimitiveTypes.Int64), field("name", arrow.BinaryTypes.String)}
	deals  = warehouse.Table{Name: "deals"}
)

func TestMergeLastWins(t *testing.T) {
	for _, preexisting := range []bool{false, true} {
		t.Run(fmt.Sprintf("preexisting=%v", preexisting), func(t *testing.T) {
			w := openMemory(t)
			mem := checkedMem(t)
			if preexisting { // an empty table created by someone else: first rows go straight in
				if err := w.Exec(context.Background(), "CREATE TABLE deals (id BIGINT, name VARCHAR, _revops_loaded_at TIMESTAMPTZ, _revops_run_id VARCHAR)"); err != nil {
					t.Fatal(err)
				}
			}
			l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"}, []any{2, "b"}, []any{1, "c"})})
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{2, "d"}, []any{4, "e"})})
			s := commitOK(t, l)
			want := warehouse.MergeStats{Staged: 5, Inserted: 3, Deduplicated: 2}
			if !statsEqual(s, want) {
				t.Errorf("first commit stats %+v, want %+v", s, want)
			}
			wantRows(t, w, "SELECT id, name, _revops_run_id, _revops_loaded_at FROM deals ORDER BY id",
				"1|c|run-1|2024-01-02T03:04:05Z", "2|d|run-1|2024-01-02T03:04:05Z", "4|e|run-1|2024-01-02T03:04:05Z")

			// Next interval: through staging, merged on the key.
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{2, "x"}, []any{3, "y"}, []any{3, "z"})})
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{5, "v"}, []any{2, "w"})})
			s = commitOK(t, l)
			want = warehouse.MergeStats{Staged: 5, Inserted: 2, Updated: 1, Deduplicated: 2}
			if !statsEqual(s, want) {
				t.Errorf("second commit stats %+v, want %+v", s, want)
			}
			wantRows(t, w, "SELECT id, name FROM deals ORDER BY id", "1|c", "2|w", "3|z", "4|e", "5|v")

			// An empty Commit changes nothing.
			if s := commitOK(t, l); !statsEqual(s, warehouse.MergeStats{}) {
				t.Errorf("empty commit stats %+v", s)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal("second Close:", err)
			}
			if _, err := l.Append(context.Background(), extract.Batch{}); err == nil {
				t.Error("Append after Close: want an error")
			}
		})
	}
}

func TestAppendWithoutKey(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	for range 2 {
		l := begin(t, w, warehouse.LoadSpec{Table: warehouse.Table{Schema: "raw", Name: "events"}})
		appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"}, []any{1, "a"})})
		if s := commitOK(t, l); !statsEqual(s, warehouse.MergeStats{Staged: 2, Inserted: 2}) {
			t.Errorf("stats %+v", s)
		}
		_ = l.Close()
	}
	wantRows(t, w, "SELECT count(*) FROM raw.events", "4")
}

func TestKeyChecks(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	ctx := context.Background()
	// A NULL key is an error naming the table and the column, in both modes.
	for range 2 {
		l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
		appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"}, []any{nil, "b"})})
		_, err := l.Commit(ctx, nil)
		errContains(t, err, "deals", `"id"`, "NULL")
		_ = l.Close()
		if err := w.Exec(ctx, "CREATE OR REPLACE TABLE deals AS SELECT 9::BIGINT AS id, 'z' AS name"); err != nil {
			t.Fatal(err)
		}
	}
	// A key column missing from the data.
	l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"deal_id"}})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"})})
	_, err := l.Commit(ctx, nil)
	errContains(t, err, `"deal_id"`, "not among the loaded columns")
	_ = l.Close()
	wantRows(t, w, "SELECT id, name FROM deals", "9|z")

	// Composite and string keys use the general duplicate check.
	mixed := []arrow.Field{field("org", arrow.BinaryTypes.String), field("id", arrow.PrimitiveTypes.Int64), field("v", arrow.BinaryTypes.String)}
	l = begin(t, w, warehouse.LoadSpec{Table: warehouse.Table{Name: "multi"}, PrimaryKey: []string{"org", "id"}})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, mixed, []any{"a", 1, "x"}, []any{"b", 1, "y"}, []any{"a", 1, "z"})})
	if s := commitOK(t, l); s.Deduplicated != 1 || s.Inserted != 2 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT org, id, v FROM multi ORDER BY org", "a|1|z", "b|1|y")

	// Keys spread too wide for the bitmap, and a key range with more rows than values.
	l = begin(t, w, warehouse.LoadSpec{Table: warehouse.Table{Name: "wide"}, PrimaryKey: []string{"id"}})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{-1 << 62, "a"}, []any{1 << 62, "b"}, []any{1 << 62, "c"})})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{7, "d"}, []any{8, "e"})})
	if s := commitOK(t, l); s.Deduplicated != 1 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT name FROM wide ORDER BY id", "a", "d", "e", "c")
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{7, "f"}, []any{7, "g"})})
	if s := commitOK(t, l); s.Deduplicated != 1 || s.Updated != 1 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT name FROM wide ORDER BY id", "a", "g", "e", "c")
}

func TestFullRefresh(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"}, []any{2, "b"})})
	commitOK(t, l)
	_ = l.Close()

	l = begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}, FullRefresh: true})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{2, "x"}, []any{3, "y"})})
	if s := commitOK(t, l); !statsEqual(s, warehouse.MergeStats{Staged: 2, Inserted: 2}) {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT id, name FROM deals ORDER BY id", "2|x", "3|y")
	// Only the first Commit of the load replaces the rows.
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{4, "z"})})
	commitOK(t, l)
	wantRows(t, w, "SELECT id, name FROM deals ORDER BY id", "2|x", "3|y", "4|z")
	_ = l.Close()

	// A full refresh that stages nothing empties the table.
	l = begin(t, w, warehouse.LoadSpec{Table: deals, FullRefresh: true})
	commitOK(t, l)
	wantRows(t, w, "SELECT count(*) FROM deals", "0")
}

func TestSchemaDrift(t *testing.T) {
	i32 := arrow.PrimitiveTypes.Int32
	i64 := arrow.PrimitiveTypes.Int64
	str := arrow.BinaryTypes.String
	f64 := arrow.PrimitiveTypes.Float64
	dec := func(p, s int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: s} }
	tsz := arrow.FixedWidthTypes.Timestamp_us
	day := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	type batch struct {
		fields []arrow.Field
		rows   [][]any
	}
	b := func(fields []arrow.Field, rows ...[]any) batch { return batch{fields, rows} }
	id := field("id", i64)
	for _, c := range []struct {
		name    string
		policy  warehouse.OnTypeChange
		first   batch
		second  []batch // appended together, in one Commit
		added   []string
		widened []string
		types   []string // of the columns other than id and the _revops ones
		rows    []string // SELECT * EXCLUDE (_revops…) ORDER BY id
		err     []string
	}{
		{
			name:   "add column",
			first:  b([]arrow.Field{id, field("a", str)}, []any{1, "x"}),
			second: []batch{b([]arrow.Field{id, field("a", str), field("b", i64)}, []any{2, "y", 20})},
			added:  []string{"b"}, types: []string{"a VARCHAR", "b BIGINT"},
			rows: []string{"1|x|NULL", "2|y|20"},
		},
		{
			name:   "column absent from new data stays",
			first:  b([]arrow.Field{id, field("a", str), field("b", i64)}, []any{1, "x", 10}),
			second: []batch{b([]arrow.Field{id, field("a", str)}, []any{2, "y"})},
			types:  []string{"a VARCHAR", "b BIGINT"},
			rows:   []string{"1|x|10", "2|y|NULL"},
		},
		{
			name:    "int32 to int64",
			first:   b([]arrow.Field{id, field("n", i32)}, []any{1, 5}),
			second:  []batch{b([]arrow.Field{id, field("n", i64)}, []any{2, 1 << 40})},
			widened: []string{"n"}, types: []string{"n BIGINT"},
			rows: []string{"1|5", "2|1099511627776"},
		},
		{
			name:   "narrower type fits",
			first:  b([]arrow.Field{id, field("n", i64)}, []any{1, 5}),
			second: []batch{b([]arrow.Field{id, field("n", i32)}, []any{2, 6})},
			types:  []string{"n BIGINT"}, rows: []string{"1|5", "2|6"},
		},
		{
			name:    "decimal widens",
			first:   b([]arrow.Field{id, field("amount", dec(10, 2))}, []any{1, "12345678.91"}),
			second:  []batch{b([]arrow.Field{id, field("amount", dec(18, 4))}, []any{2, "12345678901234.5678"})},
			widened: []string{"amount"}, types: []string{"amount DECIMAL(18,4)"},
			rows: []string{"1|12345678.91", "2|12345678901234.5678"},
		},
		{
			name:    "int to double",
			first:   b([]arrow.Field{id, field("p", i64)}, []any{1, 3}),
			second:  []batch{b([]arrow.Field{id, field("p", f64)}, []any{2, 0.5})},
			widened: []string{"p"}, types: []string{"p DOUBLE"}, rows: []string{"1|3", "2|0.5"},
		},
		{
			name:    "date to timestamp",
			first:   b([]arrow.Field{id, field("d", arrow.FixedWidthTypes.Date32)}, []any{1, day}),
			second:  []batch{b([]arrow.Field{id, field("d", tsz)}, []any{2, day.Add(90 * time.Minute)})},
			widened: []string{"d"}, types: []string{"d TIMESTAMP WITH TIME ZONE"},
			rows: []string{"1|2024-05-06T00:00:00Z", "2|2024-05-06T01:30:00Z"},
		},
		{
			name:   "incompatible is an error",
			first:  b([]arrow.Field{id, field("n", i64)}, []any{1, 5}),
			second: []batch{b([]arrow.Field{id, field("n", str)}, []any{2, "five"})},
			err:    []string{"deals", `"n"`, "BIGINT", "VARCHAR", "on_type_change: string"},
			types:  []string{"n BIGINT"}, rows: []string{"1|5"},
		},
		{
			name:    "incompatible widens to string by policy",
			policy:  warehouse.TypeChangeString,
			first:   b([]arrow.Field{id, field("n", i64)}, []any{1, 5}),
			second:  []batch{b([]arrow.Field{id, field("n", str)}, []any{2, "five"})},
			widened: []string{"n"}, types: []string{"n VARCHAR"}, rows: []string{"1|5", "2|five"},
		},
		{
			name:  "drift between batches of one commit",
			first: b([]arrow.Field{id, field("n", i32)}, []any{1, 1}),
			second: []batch{
				b([]arrow.Field{id, field("n", i32)}, []any{2, 2}),
				b([]arrow.Field{id, field("n", i64), field("c", str)}, []any{3, 1 << 33, "new"}),
			},
			added: []string{"c"}, widened: []string{"n"}, types: []string{"n BIGINT", "c VARCHAR"},
			rows: []string{"1|1|NULL", "2|2|NULL", "3|8589934592|new"},
		},
		{
			name:   "incompatible between batches of one commit",
			first:  b([]arrow.Field{id, field("n", i32)}, []any{1, 1}),
			second: []batch{b([]arrow.Field{id, field("n", i32)}, []any{2, 2}), b([]arrow.Field{id, field("n", str)}, []any{3, "x"})},
			err:    []string{"between batches", "deals", `"n"`, "INTEGER", "VARCHAR", "on_type_change: string"},
			types:  []string{"n INTEGER"}, rows: []string{"1|1"},
		},
		{
			name:   "all-null column waits for a type",
			first:  b([]arrow.Field{id, field("n", i64)}, []any{1, 5}),
			second: []batch{b([]arrow.Field{id, field("n", arrow.Null), field("m", arrow.Null)}, []any{2, nil, nil})},
			types:  []string{"n BIGINT"}, rows: []string{"1|5", "2|NULL"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := openMemory(t)
			mem := checkedMem(t)
			ctx := context.Background()
			l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}, OnTypeChange: c.policy})
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, c.first.fields, c.first.rows...)})
			commitOK(t, l)
			var err error
			for _, sb := range c.second {
				if _, err = l.Append(ctx, extract.Batch{Records: newRecord(t, mem, sb.fields, sb.rows...)}); err != nil {
					break
				}
			}
			var s warehouse.MergeStats
			if err == nil {
				s, err = l.Commit(ctx, nil)
			}
			if c.err != nil {
				errContains(t, err, c.err...)
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.AddedColumns, c.added) || !slices.Equal(s.WidenedColumns, c.widened) {
				t.Errorf("added %v widened %v, want %v %v", s.AddedColumns, s.WidenedColumns, c.added, c.widened)
			}
			got := columnTypes(t, w, "deals")
			want := append([]string{"id BIGINT"}, c.types...)
			want = append(want, "_revops_loaded_at TIMESTAMP WITH TIME ZONE", "_revops_run_id VARCHAR")
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("columns %v, want %v", got, want)
			}
			wantRows(t, w, "SELECT * EXCLUDE (_revops_loaded_at, _revops_run_id) FROM deals ORDER BY id", c.rows...)
		})
	}
}

// TestDirectModeDrift appends batches of different shapes before the first Commit, while the
// rows go straight into the new table.
func TestDirectModeDrift(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, []arrow.Field{field("id", arrow.PrimitiveTypes.Int32), field("n", arrow.PrimitiveTypes.Int32)}, []any{1, 1}, []any{2, 2})})
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, []arrow.Field{field("id", arrow.PrimitiveTypes.Int64), field("n", arrow.PrimitiveTypes.Int64), field("c", arrow.BinaryTypes.String)}, []any{1, 1 << 40, "x"})})
	s := commitOK(t, l)
	if !slices.Equal(s.AddedColumns, []string{"c"}) || !slices.Equal(s.WidenedColumns, []string{"id", "n"}) || s.Deduplicated != 1 || s.Inserted != 2 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT id, n, c FROM deals ORDER BY id", "1|1099511627776|x", "2|2|NULL")
}

func TestWithin(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	saveCursor := func(cursor string, fail bool) func(context.Context, warehouse.Execer) error {
		return func(ctx context.Context, tx warehouse.Execer) error {
			if err := tx.Exec(ctx, "INSERT INTO cursors VALUES (?)", cursor); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM deals").Scan(&n); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		}
	}
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing=%v", existing), func(t *testing.T) {
			w := openMemory(t)
			mem := checkedMem(t)
			if err := w.Exec(ctx, "CREATE TABLE cursors (c VARCHAR)"); err != nil {
				t.Fatal(err)
			}
			if existing {
				l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
				appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"})})
				if _, err := l.Commit(ctx, saveCursor("c1", false)); err != nil {
					t.Fatal(err)
				}
				_ = l.Close()
			}
			l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
			appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "b"}, []any{2, "c"})})
			_, err := l.Commit(ctx, saveCursor("c2", true))
			if !errors.Is(err, boom) {
				t.Fatalf("Commit error %v, want boom", err)
			}
			errContains(t, err, "deals")
			// The Load is unusable after the failure; Close still works.
			_, err = l.Append(ctx, extract.Batch{Records: newRecord(t, mem, idName, []any{3, "d"})})
			errContains(t, err, "failed earlier", "boom")
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if existing {
				wantRows(t, w, "SELECT id, name FROM deals", "1|a")
				wantRows(t, w, "SELECT c FROM cursors", "c1")
			} else {
				wantRows(t, w, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'deals'", "0")
				wantRows(t, w, "SELECT count(*) FROM cursors", "0")
			}
		})
	}
}

// TestUncommittedIsLost closes the database while a load holds uncommitted rows, then reopens it.
func TestUncommittedIsLost(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"})})
	commitOK(t, l)
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{2, "b"})})
	// Not visible to others before Commit.
	wantRows(t, w, "SELECT id FROM deals", "1")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	w, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wantRows(t, w, "SELECT id, name FROM deals", "1|a")
}

// TestCrash kills a process that committed batch 1 and staged batch 2: after reopening the file,
// batch 1 and its cursor are there, batch 2 is not.
func TestCrash(t *testing.T) {
	for _, table := range []string{"new", "existing"} {
		t.Run(table, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crash.duckdb")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
			cmd.Env = append(os.Environ(), "REVOPS_CRASH_DB="+path, "REVOPS_CRASH_TABLE="+table)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 3 {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			w, err := Open(context.Background(), Options{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			wantRows(t, w, "SELECT id, name FROM deals ORDER BY id", "1|a", "2|b")
			wantRows(t, w, "SELECT c FROM cursors", "c1")
		})
	}
}

// TestCrashHelper is the process TestCrash kills (it exits without closing anything).
func TestCrashHelper(t *testing.T) {
	path := os.Getenv("REVOPS_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrash")
	}
	ctx := context.Background()
	mem := memory.NewGoAllocator()
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Exec(ctx, "CREATE TABLE cursors (c VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REVOPS_CRASH_TABLE") == "existing" {
		if err := w.Exec(ctx, "CREATE TABLE deals (id BIGINT, name VARCHAR)"); err != nil {
			t.Fatal(err)
		}
	}
	l, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "a"}, []any{2, "b"})})
	if _, err := l.Commit(ctx, func(ctx context.Context, tx warehouse.Execer) error {
		return tx.Exec(ctx, "INSERT INTO cursors VALUES ('c1')")
	}); err != nil {
		t.Fatal(err)
	}
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName, []any{2, "x"}, []any{3, "y"})})
	os.Exit(3)
}

func TestBadBatches(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	ctx := context.Background()
	if _, err := w.BeginLoad(ctx, warehouse.LoadSpec{}); err == nil {
		t.Error("BeginLoad without a table: want an error")
	}
	if _, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: deals, OnTypeChange: "coerce"}); err == nil {
		t.Error("BeginLoad with an unknown policy: want an error")
	}
	l := begin(t, w, warehouse.LoadSpec{Table: deals})
	reserved := []arrow.Field{field("id", arrow.PrimitiveTypes.Int64), field("_revops_run_id", arrow.BinaryTypes.String)}
	_, err := l.Append(ctx, extract.Batch{Records: newRecord(t, mem, reserved, []any{1, "x"})})
	errContains(t, err, "_revops_run_id", "reserved")
	l = begin(t, w, warehouse.LoadSpec{Table: deals})
	_, err = l.Append(ctx, extract.Batch{Records: newRecord(t, mem, idName, []any{1, "x"}), Files: &extract.FileSet{}})
	errContains(t, err, "both")
	// An empty record batch stages nothing.
	l = begin(t, w, warehouse.LoadSpec{Table: deals})
	if n := appendOK(t, l, extract.Batch{Records: newRecord(t, mem, idName)}); n != 0 {
		t.Errorf("staged %d", n)
	}
}

func statsEqual(a, b warehouse.MergeStats) bool {
	return a.Staged == b.Staged && a.Inserted == b.Inserted && a.Updated == b.Updated &&
		a.Deduplicated == b.Deduplicated && slices.Equal(a.AddedColumns, b.AddedColumns) &&
		slices.Equal(a.WidenedColumns, b.WidenedColumns)
}

// TestConcurrentLoads runs loads of different streams in parallel, as the runner does.
func TestConcurrentLoads(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			errs <- func() error {
				l, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: warehouse.Table{Schema: "raw", Name: fmt.Sprintf("s%d", g)}, PrimaryKey: []string{"id"}})
				if err != nil {
					return err
				}
				defer l.Close()
				for i := range 3 {
					rec := newRecord(t, mem, idName, []any{i, "a"}, []any{i + 1, "b"})
					if _, err := l.Append(ctx, extract.Batch{Records: rec}); err != nil {
						return err
					}
					if _, err := l.Commit(ctx, nil); err != nil {
						return err
					}
				}
				return nil
			}()
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for g := range 4 {
		wantRows(t, w, fmt.Sprintf("SELECT string_agg(id || name, ',' ORDER BY id) FROM raw.s%d", g), "0a,1a,2a,3b")
	}
}
