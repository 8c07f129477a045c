package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
	"github.com/revops/revops/warehouse/duckdb"
)

// Load a CSV file into a table: the declared types and time zone are applied by DuckDB while it
// reads the file, rows are merged on the primary key (the last one wins), and the cursor is
// saved in the same transaction.
func ExampleWarehouse_BeginLoad() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "deals.csv")
	_ = os.WriteFile(path, []byte("id,amount,created\n1,10.00,2024-03-10 01:30:00\n2,5.50,2024-07-01 12:00:00\n1,12.00,2024-07-02 09:00:00\n"), 0o644)

	w, err := duckdb.Open(ctx, duckdb.Options{}) // in memory
	if err != nil {
		panic(err)
	}
	defer w.Close()
	_ = w.Exec(ctx, "CREATE TABLE cursors (stream VARCHAR, cursor VARCHAR)")

	load, err := w.BeginLoad(ctx, warehouse.LoadSpec{
		Table:      warehouse.Table{Schema: "raw", Name: "deals"},
		PrimaryKey: []string{"id"},
		RunID:      "run-1",
	})
	if err != nil {
		panic(err)
	}
	defer load.Close()
	_, err = load.Append(ctx, extract.Batch{Files: &extract.FileSet{
		Format: extract.CSV,
		Paths:  []string{path},
		CSV:    extract.CSVOptions{Header: true},
		Columns: []extract.Column{
			{Name: "id", Type: "integer"},
			{Name: "amount", Type: "decimal(18,2)"},
			{Name: "created", Type: "timestamp", TimeZone: "America/New_York"},
		},
	}})
	if err != nil {
		panic(err)
	}
	stats, err := load.Commit(ctx, func(ctx context.Context, tx warehouse.Execer) error {
		return tx.Exec(ctx, "INSERT INTO cursors VALUES (?, ?)", "deals", `{"file":"deals.csv"}`)
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("staged %d, inserted %d, deduplicated %d\n", stats.Staged, stats.Inserted, stats.Deduplicated)

	rows, err := w.DB().QueryContext(ctx, "SELECT id, amount::VARCHAR, strftime(created, '%Y-%m-%d %H:%M') FROM raw.deals ORDER BY id")
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var amount, created string
		_ = rows.Scan(&id, &amount, &created)
		fmt.Println(id, amount, created+"Z")
	}
	// Output:
	// staged 3, inserted 2, deduplicated 1
	// 1 12.00 2024-07-02 13:00Z
	// 2 5.50 2024-07-01 16:00Z
}

// Query streams a result as Arrow; releasing the reader gives its connection back.
func ExampleWarehouse_Query() {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	rr, err := w.Query(ctx, "SELECT i AS n FROM range(?) t(i)", 3000)
	if err != nil {
		panic(err)
	}
	defer rr.Release()
	var rows int64
	for rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	fmt.Println(rr.Schema().Field(0).Name, rows, rr.Err())
	// Output: n 3000 <nil>
}
