package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

func openMemory(t *testing.T) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// checkedMem returns an allocator that fails the test if Arrow memory is left allocated.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// newRecord builds an Arrow record from rows of Go values (nil is NULL).
func newRecord(t *testing.T, mem memory.Allocator, fields []arrow.Field, rows ...[]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int32Builder:
				fb.Append(int32(v.(int)))
			case *array.Int64Builder:
				fb.Append(int64(v.(int)))
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.BooleanBuilder:
				fb.Append(v.(bool))
			case *array.Decimal128Builder:
				dt := fields[i].Type.(*arrow.Decimal128Type)
				n, err := decimal128.FromString(v.(string), dt.Precision, dt.Scale)
				if err != nil {
					t.Fatal(err)
				}
				fb.Append(n)
			case *array.TimestampBuilder:
				fb.AppendTime(v.(time.Time))
			case *array.Date32Builder:
				fb.Append(arrow.Date32FromTime(v.(time.Time)))
			case *array.NullBuilder:
				fb.AppendNull()
			default:
				t.Fatalf("record: no case for %T", fb)
			}
		}
	}
	return b.NewRecordBatch()
}

func field(name string, typ arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: typ, Nullable: true}
}

// rows returns the result of a query as text, one string per row ("a|b|c").
func rows(t *testing.T, w *Warehouse, query string) []string {
	t.Helper()
	rs, err := w.DB().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
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
			switch v := v.(type) {
			case nil:
				parts[i] = "NULL"
			case time.Time:
				parts[i] = v.UTC().Format(time.RFC3339)
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantRows(t *testing.T, w *Warehouse, query string, want ...string) {
	t.Helper()
	got := rows(t, w, query)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", query, got, want)
	}
}

// columnTypes returns "name TYPE" for each column of a table.
func columnTypes(t *testing.T, w *Warehouse, table string) []string {
	t.Helper()
	return rows(t, w, "SELECT column_name || ' ' || column_type FROM (DESCRIBE "+table+")")
}

func begin(t *testing.T, w *Warehouse, spec warehouse.LoadSpec) warehouse.Load {
	t.Helper()
	if spec.RunID == "" {
		spec.RunID = "run-1"
	}
	if spec.LoadedAt.IsZero() {
		spec.LoadedAt = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	l, err := w.BeginLoad(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func appendOK(t *testing.T, l warehouse.Load, b extract.Batch) int64 {
	t.Helper()
	n, err := l.Append(context.Background(), b)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return n
}

func commitOK(t *testing.T, l warehouse.Load) warehouse.MergeStats {
	t.Helper()
	s, err := l.Commit(context.Background(), nil)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return s
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// copyTo writes the result of query to a file with DuckDB's COPY (options like "FORMAT parquet").
func copyTo(t *testing.T, w *Warehouse, query, path, options string) string {
	t.Helper()
	lit, _ := w.dialect.QuoteLiteral(path)
	if err := w.Exec(context.Background(), "COPY ("+query+") TO "+lit+" ("+options+")"); err != nil {
		t.Fatal(err)
	}
	return path
}

func errContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q\ndoes not contain %q", err, p)
		}
	}
}
