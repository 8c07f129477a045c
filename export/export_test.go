package export

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
)

func sample(t *testing.T, alloc memory.Allocator) array.RecordReader {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "account_id", Type: arrow.BinaryTypes.String},
		{Name: "arr", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "as_of", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}, nil)
	b := array.NewRecordBuilder(alloc, schema)
	defer b.Release()
	ts, _ := arrow.TimestampFromTime(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), arrow.Microsecond)
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"001A", "001B, \"quoted\""}, nil)
	b.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(1234567))
	b.Field(1).AppendNull()
	b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts, ts}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

// The Parquet file is read back with an independent implementation (parquet-go), so the test
// proves the file is valid Parquet with the footer written, not only that our writer agrees
// with itself.
func TestWriteParquetIsReadableElsewhere(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	rr := sample(t, alloc)
	defer rr.Release()
	path := filepath.Join(t.TempDir(), "out", "arr.parquet")
	n, err := WriteFile(path, Parquet, rr)
	if err != nil || n != 2 {
		t.Fatalf("WriteFile: %d rows, %v", n, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("parquet-go cannot open the export: %v", err)
	}
	if pf.NumRows() != 2 {
		t.Fatalf("rows = %d", pf.NumRows())
	}
	cols := pf.Schema().Columns()
	if len(cols) != 3 || cols[1][0] != "arr" {
		t.Fatalf("columns = %v", cols)
	}
	arr, _ := pf.Schema().Lookup("arr")
	if lt := arr.Node.Type().LogicalType(); lt == nil || lt.Value == nil || lt.Value.String() != "DECIMAL(18,2)" {
		t.Fatalf("arr is not DECIMAL(18,2): %v", arr.Node.Type())
	}
	rows := make([]parquet.Row, 2)
	r := parquet.NewReader(f)
	defer r.Close()
	if got, err := r.ReadRows(rows); got != 2 && err != nil {
		t.Fatalf("read rows: %d %v", got, err)
	}
	if rows[0][0].String() != "001A" || !rows[1][1].IsNull() {
		t.Fatalf("rows = %v", rows)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp")); len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

func TestWriteCSV(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	rr := sample(t, alloc)
	defer rr.Release()
	path := filepath.Join(t.TempDir(), "arr.csv")
	if _, err := WriteFile(path, CSV, rr); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "account_id,arr,as_of\n001A,12345.67,2026-10-31T00:00:00Z\n\"001B, \"\"quoted\"\"\",,2026-10-31T00:00:00Z\n"
	if string(got) != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
}
