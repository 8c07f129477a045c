package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

// benchColumns declares the columns of the benchmark's opportunities.
var benchColumns = []extract.Column{
	{Name: "id", Type: "integer"},
	{Name: "account_id", Type: "string"},
	{Name: "name", Type: "string"},
	{Name: "stage", Type: "string"},
	{Name: "amount", Type: "decimal(18,2)"},
	{Name: "probability", Type: "double"},
	{Name: "close_date", Type: "date"},
	{Name: "created_at", Type: "timestamp"},
	{Name: "is_won", Type: "boolean"},
	{Name: "owner_id", Type: "string"},
}

// writeBenchFiles writes opportunities.parquet and opportunities.csv with n rows into dir,
// unless they are there already.
func writeBenchFiles(tb testing.TB, dir string, n int) (parquetPath, csvPath string) {
	tb.Helper()
	parquetPath = filepath.Join(dir, fmt.Sprintf("opportunities_%d.parquet", n))
	csvPath = filepath.Join(dir, fmt.Sprintf("opportunities_%d.csv", n))
	if _, err := os.Stat(csvPath); err == nil {
		return parquetPath, csvPath
	}
	ctx := context.Background()
	w, err := Open(ctx, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Close()
	d := w.dialect
	count, _ := d.QuoteLiteral(n)
	pq, _ := d.QuoteLiteral(parquetPath)
	cv, _ := d.QuoteLiteral(csvPath)
	gen := `SELECT i::BIGINT AS id, 'acct_' || (i % 100000) AS account_id, 'Opportunity ' || i AS name,
		(['prospecting','qualification','proposal','negotiation','closed_won','closed_lost'])[1 + i % 6] AS stage,
		((i % 1000000) / 100.0)::DECIMAL(18,2) AS amount, (i % 100) / 100.0 AS probability,
		DATE '2020-01-01' + (i % 2000)::INTEGER AS close_date,
		TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i * 7) AS created_at,
		i % 6 = 4 AS is_won, 'user_' || (i % 500) AS owner_id
		FROM range(` + count + `) t(i)`
	if err := w.Exec(ctx, "COPY ("+gen+") TO "+pq+" (FORMAT parquet)"); err != nil {
		tb.Fatal(err)
	}
	if err := w.Exec(ctx, "COPY (SELECT * FROM read_parquet("+pq+")) TO "+cv+" (FORMAT csv, HEADER)"); err != nil {
		tb.Fatal(err)
	}
	return parquetPath, csvPath
}

// BenchmarkLoadFiles compares loading a FileSet (declared columns, primary key id) into an
// empty on-disk table with DuckDB's own CREATE TABLE … AS SELECT * FROM read_parquet/read_csv
// on a fresh database file. REVOPS_BENCH_ROWS sets the row count (default 200000);
// REVOPS_BENCH_DIR keeps the generated files between runs. For example:
//
//	REVOPS_BENCH_ROWS=10000000 REVOPS_BENCH_DIR=/tmp/bench go test -tags duckdb_arrow \
//	    -run '^$' -bench LoadFiles -benchtime 3x ./warehouse/duckdb/
func BenchmarkLoadFiles(b *testing.B) {
	n := 200_000
	if s := os.Getenv("REVOPS_BENCH_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("REVOPS_BENCH_ROWS: %v", err)
		}
		n = v
	}
	dir := os.Getenv("REVOPS_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	pq, csv := writeBenchFiles(b, dir, n)
	for _, c := range []struct {
		format extract.FileFormat
		path   string
		reader string
	}{
		{extract.Parquet, pq, "read_parquet"},
		{extract.CSV, csv, "read_csv"},
	} {
		b.Run(string(c.format)+"/duckdb_ctas", func(b *testing.B) {
			runBench(b, n, func(ctx context.Context, w *Warehouse) error {
				lit, _ := w.dialect.QuoteLiteral(c.path)
				return w.Exec(ctx, "CREATE TABLE x AS SELECT * FROM "+c.reader+"("+lit+")")
			})
		})
		b.Run(string(c.format)+"/load_into_empty_table", func(b *testing.B) {
			runBench(b, n, func(ctx context.Context, w *Warehouse) error {
				b.StopTimer()
				err := w.Exec(ctx, `CREATE TABLE x (id BIGINT, account_id VARCHAR, name VARCHAR, stage VARCHAR,
					amount DECIMAL(18,2), probability DOUBLE, close_date DATE, created_at TIMESTAMPTZ,
					is_won BOOLEAN, owner_id VARCHAR, _revops_loaded_at TIMESTAMPTZ, _revops_run_id VARCHAR)`)
				b.StartTimer()
				if err != nil {
					return err
				}
				fs := &extract.FileSet{Format: c.format, Paths: []string{c.path}, Columns: benchColumns,
					CSV: extract.CSVOptions{Header: true}}
				_, err = loadFileSet(ctx, w, warehouse.LoadSpec{
					Table: warehouse.Table{Name: "x"}, PrimaryKey: []string{"id"}, RunID: "bench",
				}, fs)
				return err
			})
		})
		b.Run(string(c.format)+"/load", func(b *testing.B) {
			runBench(b, n, func(ctx context.Context, w *Warehouse) error {
				fs := &extract.FileSet{Format: c.format, Paths: []string{c.path}, Columns: benchColumns,
					CSV: extract.CSVOptions{Header: true}}
				_, err := loadFileSet(ctx, w, warehouse.LoadSpec{
					Table: warehouse.Table{Name: "x"}, PrimaryKey: []string{"id"}, RunID: "bench",
				}, fs)
				return err
			})
		})
	}
}

// loadFileSet is one Load of one FileSet, committed.
func loadFileSet(ctx context.Context, w *Warehouse, spec warehouse.LoadSpec, fs *extract.FileSet) (warehouse.MergeStats, error) {
	l, err := w.BeginLoad(ctx, spec)
	if err != nil {
		return warehouse.MergeStats{}, err
	}
	defer l.Close()
	if _, err := l.Append(ctx, extract.Batch{Files: fs, Final: true}); err != nil {
		return warehouse.MergeStats{}, err
	}
	return l.Commit(ctx, nil)
}

func runBench(b *testing.B, n int, run func(context.Context, *Warehouse) error) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "bench.duckdb")
		w, err := Open(ctx, Options{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := run(ctx, w); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil { // includes the checkpoint of the WAL
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
}

// BenchmarkAppendRecords appends Arrow pages of 5,000 rows, committing every 20 pages, into a
// table that already has rows (the staging path) and merging on the key.
func BenchmarkAppendRecords(b *testing.B) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	mem := memory.NewGoAllocator()
	fields := []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{Name: "at", Type: arrow.FixedWidthTypes.Timestamp_us},
	}
	page := func(start int) arrow.RecordBatch {
		rb := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
		defer rb.Release()
		for i := start; i < start+5000; i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.StringBuilder).Append("deal " + strconv.Itoa(i))
			rb.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i) * 100))
			rb.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 1e6))
		}
		return rb.NewRecordBatch()
	}
	l, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: warehouse.Table{Name: "deals"}, PrimaryKey: []string{"id"}})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Append(ctx, extract.Batch{Records: page(0)}); err != nil {
		b.Fatal(err)
	}
	if _, err := l.Commit(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Append(ctx, extract.Batch{Records: page(i * 2500)}); err != nil {
			b.Fatal(err)
		}
		if i%20 == 19 {
			if _, err := l.Commit(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := l.Commit(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)*5000/b.Elapsed().Seconds(), "rows/s")
}
