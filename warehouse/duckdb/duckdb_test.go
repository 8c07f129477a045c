package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Path: ":memory:", Threads: 1, MemoryLimit: "512MB", TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.DB().SetMaxOpenConns(3)
	// Every connection of the pool is initialized.
	for range 3 {
		wantRows(t, w, "SELECT current_setting('TimeZone'), current_setting('threads'), current_setting('preserve_insertion_order')",
			"UTC|1|true")
	}
	if w.Dialect().Name() != "duckdb" {
		t.Errorf("dialect name %q", w.Dialect().Name())
	}

	if _, err := Open(ctx, Options{MemoryLimit: "lots"}); err == nil {
		t.Error("Open with a bad memory limit: want an error")
	}
	if _, err := Open(ctx, Options{Threads: -1}); err == nil {
		t.Error("Open with negative threads: want an error")
	}
}

func TestOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Exec(ctx, "CREATE TABLE t AS SELECT 7 AS x"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	ro, err := Open(ctx, Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, ro, "SELECT x FROM t", "7")
	errContains(t, ro.Exec(ctx, "INSERT INTO t VALUES (8)"), "read-only")
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Options{ReadOnly: true}); err == nil {
		t.Error("a read-only in-memory database: want an error")
	}

	w, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var x int
	if err := w.QueryRow(ctx, "SELECT x FROM t WHERE x = ?", 7).Scan(&x); err != nil || x != 7 {
		t.Fatalf("got %d, %v", x, err)
	}
	errContains(t, w.Exec(ctx, "SELEC 1"), "exec", "syntax error")
}

func TestQueryArrow(t *testing.T) {
	w := openMemory(t)
	ctx := context.Background()
	rr, err := w.Query(ctx, `SELECT i AS id, 'n' || i AS name, (i / 4)::DECIMAL(18,2) AS amount,
		TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS at FROM range(?) t(i)`, 5000)
	if err != nil {
		t.Fatal(err)
	}
	schema := rr.Schema()
	for i, want := range []arrow.DataType{
		arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, &arrow.Decimal128Type{Precision: 18, Scale: 2},
	} {
		if got := schema.Field(i).Type; !arrow.TypeEqual(got, want) {
			t.Errorf("field %d: type %s, want %s", i, got, want)
		}
	}
	if ts, ok := schema.Field(3).Type.(*arrow.TimestampType); !ok || ts.TimeZone == "" {
		t.Errorf("field at: type %s, want a timestamp with time zone", schema.Field(3).Type)
	}
	var n, sum int64
	var last string
	for rr.Next() {
		rec := rr.RecordBatch()
		ids := rec.Column(0).(*array.Int64)
		names := rec.Column(1).(*array.String)
		for i := 0; i < ids.Len(); i++ {
			sum += ids.Value(i)
			last = names.Value(i)
		}
		n += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if n != 5000 || sum != 4999*5000/2 || last != "n4999" {
		t.Errorf("got %d rows, sum %d, last %q", n, sum, last)
	}
}

// TestQueryReleasesConnection runs more queries than the pool has connections: each reader
// gives its connection back when released, also when the query fails.
func TestQueryReleasesConnection(t *testing.T) {
	w := openMemory(t)
	w.DB().SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 50 {
		rr, err := w.Query(ctx, "SELECT ?::BIGINT AS i", i)
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		rr.Retain() // a second owner
		if !rr.Next() || rr.RecordBatch().Column(0).(*array.Int64).Value(0) != int64(i) {
			t.Fatalf("query %d: wrong result (%v)", i, rr.Err())
		}
		rr.Release()
		rr.Release()
		if _, err := w.Query(ctx, "SELECT * FROM no_such_table"); err == nil {
			t.Fatal("want an error")
		}
	}
	if got := w.DB().Stats().InUse; got != 0 {
		t.Errorf("%d connections still in use", got)
	}
	// A reader outlives the call and can be read from another goroutine.
	rr, err := w.Query(ctx, "SELECT * FROM range(10000)")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int64)
	go func() {
		defer rr.Release()
		var n int64
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		done <- n
	}()
	if n := <-done; n != 10000 {
		t.Errorf("read %d rows", n)
	}
	wantRows(t, w, "SELECT 1", "1")
}
