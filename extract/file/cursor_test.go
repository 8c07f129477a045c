package file

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/revops/revops/extract"
)

func TestStateRoundTrip(t *testing.T) {
	max := "2024-01-02T03:04:05.000006Z"
	for _, s := range []state{
		{V: 1, Mode: modeFull, Files: []fileEntry{{Path: "a.csv", Size: 3, MtimeNS: 7}}},
		{V: 1, Mode: modeFiles, Files: []fileEntry{{Path: "a.csv", Size: 3, MtimeNS: 7, SHA256: strings.Repeat("ab", 32)}, {Path: "b/c.csv"}}},
		{V: 1, Mode: modeCursor, Field: "updated_at", Type: "timestamp", Max: &max, AtMax: 2},
		{V: 1, Mode: modeCursor, Field: "n", Type: "integer"},
	} {
		c, err := s.encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeState(c)
		if err != nil || !reflect.DeepEqual(*got, s) {
			t.Errorf("round trip of %s: %+v, %v", c, got, err)
		}
	}
	if s, err := decodeState(nil); s != nil || err != nil {
		t.Errorf("nil cursor: %v, %v", s, err)
	}
}

func TestStateUpsertKeepsOrder(t *testing.T) {
	var s state
	for _, p := range []string{"c", "a", "b", "a"} {
		s.upsert(fileEntry{Path: p, Size: int64(len(s.Files))})
	}
	if err := checkEntries(s.Files); err != nil || len(s.Files) != 3 {
		t.Errorf("files %+v: %v", s.Files, err)
	}
}

func TestPredecessor(t *testing.T) {
	tests := []struct {
		typ, v, want string
		ok           bool
	}{
		{"integer", "10", "9", true},
		{"integer", "-9223372036854775808", "", false},
		{"double", "1", "0.9999999999999999", true},
		{"date", "2024-03-01", "2024-02-29", true},
		{"timestamp", "2024-01-01T00:00:00.000000Z", "2023-12-31T23:59:59.999999Z", true},
		{"timestamp", "2024-01-01T05:00:00.5+02:00", "2024-01-01T03:00:00.499999Z", true},
		{"decimal(18,2)", "10.00", "9.99", true},
		{"decimal(18,2)", "0.00", "-0.01", true},
		{"decimal(18,2)", "-1.5", "-1.51", true},
		{"decimal(38,0)", "99999999999999999999999999999999999999", "99999999999999999999999999999999999998", true},
		{"string", "abc", "", false},
	}
	for _, tt := range tests {
		got, ok, err := predecessor(tt.typ, tt.v)
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("predecessor(%s, %s) = %q, %v, %v; want %q, %v", tt.typ, tt.v, got, ok, err, tt.want, tt.ok)
		}
	}
	if _, _, err := predecessor("decimal(5,1)", "1.25"); err == nil {
		t.Error("a decimal with too many decimals: want an error")
	}
}

func TestQuoting(t *testing.T) {
	if got := quoteLiteral("it's"); got != "'it''s'" {
		t.Errorf("quoteLiteral = %s", got)
	}
	if got := quoteIdent(`a "b"`); got != `"a ""b"""` {
		t.Errorf("quoteIdent = %s", got)
	}
}

// cursorStep is one read of an incremental: cursor sequence.
type cursorStep struct {
	name      string
	change    func()
	wantEmit  bool
	wantAfter string // "" = no Filter
	wantMax   string
}

func runCursorSteps(t *testing.T, src extract.Source, steps []cursorStep) {
	t.Helper()
	var cursor extract.Cursor
	for _, step := range steps {
		step.change()
		got := read(t, src, "s", cursor)
		if len(got) != map[bool]int{true: 1, false: 0}[step.wantEmit] {
			t.Fatalf("%s: %d batches, want emit %v", step.name, len(got), step.wantEmit)
		}
		if !step.wantEmit {
			continue
		}
		b := got[0]
		if !b.Final {
			t.Errorf("%s: batch not final", step.name)
		}
		after := ""
		if b.Files.Filter != nil {
			after = b.Files.Filter.After
		}
		if after != step.wantAfter {
			t.Errorf("%s: filter after %q, want %q", step.name, after, step.wantAfter)
		}
		st, err := decodeState(b.Cursor)
		if err != nil || st.Max == nil || *st.Max != step.wantMax {
			t.Errorf("%s: cursor %s (%v), want max %s", step.name, b.Cursor, err, step.wantMax)
		}
		cursor = b.Cursor
	}
}

func TestReadCursorWithPrimaryKey(t *testing.T) {
	dir := t.TempDir()
	src := newSource(t, dir, m{"name": "s", "path": "data/*.csv", "incremental": "cursor", "cursor_field": "updated_at",
		"primary_key": "id", "columns": []any{col("id", "integer"), col("updated_at", "timestamp", "time_zone", "America/New_York")}})
	const jan2 = "2024-01-02T15:00:00.000000Z" // 10:00 in New York
	runCursorSteps(t, src, []cursorStep{
		{"first read loads everything", func() {
			write(t, dir, "data/a.csv", "id,updated_at\n1,2024-01-01 10:00:00\n2,2024-01-02 10:00:00\n", 1)
		}, true, "", jan2},
		{"no change", func() {}, false, "", ""},
		{"a late row at the max is loaded (>= via the predecessor)", func() {
			write(t, dir, "data/b.csv", "id,updated_at\n3,2024-01-02T15:00:00Z\n", 2)
		}, true, "2024-01-02T14:59:59.999999Z", jan2},
		{"no change again", func() {}, false, "", ""},
		{"a newer row", func() {
			write(t, dir, "data/c.csv", "id,updated_at\n4,2024-01-03 00:00:00\n", 3)
		}, true, "2024-01-02T14:59:59.999999Z", "2024-01-03T05:00:00.000000Z"},
		{"older rows only", func() {
			write(t, dir, "data/d.csv", "id,updated_at\n5,2023-01-01 00:00:00\n", 4)
		}, false, "", ""},
	})
}

func TestReadCursorWithoutPrimaryKey(t *testing.T) {
	dir := t.TempDir()
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "cursor", "cursor_field": "n",
		"columns": []any{col("n", "integer")}})
	runCursorSteps(t, src, []cursorStep{
		{"first", func() { write(t, dir, "a.csv", "n\n1\n5\n", 1) }, true, "", "5"},
		{"a late row at the max is not loaded (strict >)", func() { write(t, dir, "b.csv", "n\n5\n", 2) }, false, "", ""},
		{"newer", func() { write(t, dir, "c.csv", "n\n6\n7\n", 3) }, true, "5", "7"},
	})
}

func TestReadCursorStringIsStrict(t *testing.T) {
	dir := t.TempDir()
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "cursor", "cursor_field": "k",
		"primary_key": "k", "columns": []any{col("k", "string")}})
	runCursorSteps(t, src, []cursorStep{
		{"first", func() { write(t, dir, "a.csv", "k\nb\na\n", 1) }, true, "", "b"},
		{"newer", func() { write(t, dir, "b.csv", "k\nc\n", 2) }, true, "b", "c"},
	})
}

// TestScanCursorTypes checks the in-process maximum for each cursor type and format, with the
// declarations the warehouse honours (from, format, time zone, CSV options).
func TestScanCursorTypes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "semi.csv", "# exported\nid;Changed At;amt;day;x\n1;01/02/2024 10:30;1.25;2024-01-05;NA\n2;01/03/2024 08:00;-3.5;2023-12-31;2.5\n", 1)
	write(t, dir, "it's.jsonl", `{"n":1,"we\"ird":"2024-01-01T00:00:00+02:00"}`+"\n"+`{"n":7,"we\"ird":"2024-01-01 00:00:00"}`+"\n", 1)
	write(t, dir, "nohead.csv", "a,10\nb,20\n", 1)
	parquet := filepath.Join(dir, "p.parquet")
	writeParquet(t, parquet, "SELECT 1 AS n, TIMESTAMP '2024-06-01 12:00:00' AS ts UNION ALL SELECT 9, TIMESTAMP '2024-06-02 00:00:00'")
	semi := extract.CSVOptions{Delimiter: ";", Quote: `"`, Header: true, NullValue: "NA", SkipRows: 1}
	tests := []struct {
		name   string
		path   string
		format extract.FileFormat
		csv    extract.CSVOptions
		cols   []extract.Column
		col    extract.Column
		want   string
		atMax  int64
	}{
		{"timestamp with format, zone and from", "semi.csv", extract.CSV, semi, nil,
			extract.Column{Name: "changed_at", Type: "timestamp", From: "Changed At", Format: "%m/%d/%Y %H:%M", TimeZone: "Europe/Paris"}, "2024-01-03T07:00:00.000000Z", 1},
		{"decimal", "semi.csv", extract.CSV, semi, nil, extract.Column{Name: "amt", Type: "decimal(18,2)"}, "1.25", 1},
		{"date", "semi.csv", extract.CSV, semi, nil, extract.Column{Name: "day", Type: "date"}, "2024-01-05", 1},
		{"double with a null string", "semi.csv", extract.CSV, semi, nil, extract.Column{Name: "x", Type: "double"}, "2.5", 1},
		{"jsonl integer", "it's.jsonl", extract.JSONL, extract.CSVOptions{}, nil, extract.Column{Name: "n", Type: "integer"}, "7", 1},
		{"jsonl timestamp, offsets and UTC", "it's.jsonl", extract.JSONL, extract.CSVOptions{}, nil,
			extract.Column{Name: "w", From: `we"ird`, Type: "timestamp"}, "2024-01-01T00:00:00.000000Z", 1},
		{"headerless csv by position", "nohead.csv", extract.CSV, extract.CSVOptions{Delimiter: ",", Quote: `"`},
			[]extract.Column{{Name: "k", Type: "string"}, {Name: "v", Type: "integer"}}, extract.Column{Name: "v", Type: "integer"}, "20", 1},
		{"parquet naive timestamp in a zone", "p.parquet", extract.Parquet, extract.CSVOptions{}, nil,
			extract.Column{Name: "ts", Type: "timestamp", TimeZone: "Asia/Tokyo"}, "2024-06-01T15:00:00.000000Z", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &extract.FileSet{Format: tt.format, Paths: []string{filepath.Join(dir, tt.path)}, CSV: tt.csv, Columns: tt.cols}
			st, err := scanCursor(context.Background(), fs, tt.col, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.max == nil || *st.max != tt.want || st.atMax != tt.atMax {
				t.Errorf("max %v at %d, want %s at %d", deref(st.max), st.atMax, tt.want, tt.atMax)
			}
		})
	}
}

func TestScanCursorBadValue(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "n\n1\nx\n", 1)
	fs := &extract.FileSet{Format: extract.CSV, Paths: []string{filepath.Join(dir, "a.csv")}, CSV: extract.CSVOptions{Delimiter: ",", Quote: `"`, Header: true}}
	if _, err := scanCursor(context.Background(), fs, extract.Column{Name: "n", Type: "integer"}, nil); err == nil || !strings.Contains(err.Error(), "compute max(n)") {
		t.Errorf("err = %v", err)
	}
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "cursor", "cursor_field": "n", "columns": []any{col("n", "integer")}})
	noEmit := func(context.Context, extract.Batch) error { t.Error("emit called"); return nil }
	if err := src.Read(context.Background(), "s", nil, noEmit); err == nil || !strings.Contains(err.Error(), "file source billing: stream s: compute max(n)") {
		t.Errorf("Read: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := src.Read(ctx, "s", nil, noEmit); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Read: err = %v", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func writeParquet(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("COPY (" + query + ") TO " + quoteLiteral(path) + " (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
}
