// Package duckdb is the DuckDB engine of package warehouse: an in-process, in-memory or
// single-file warehouse. It executes SQL through database/sql, streams query results as Arrow
// through DuckDB's Arrow interface, and implements warehouse.Loader: batches of Arrow records
// and sets of files (read natively by read_csv, read_json and read_parquet) are merged into
// tables inside one DuckDB transaction per Commit.
//
// Build with the duckdb_arrow tag (go build -tags duckdb_arrow): the Arrow interface of
// github.com/duckdb/duckdb-go needs it.
//
// Every connection runs with TimeZone UTC and preserve_insertion_order on: loads rely on the
// latter for "the last staged row wins" (a row's position in a table follows the order in which
// it was appended, file by file and row by row).
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/warehouse"
)

// Options configure Open.
type Options struct {
	// Path is the database file; "" or ":memory:" opens an in-memory database.
	Path string
	// Threads limits DuckDB's worker threads; 0 keeps DuckDB's default (the number of cores).
	Threads int
	// MemoryLimit is DuckDB's memory_limit (e.g. "4GB"); "" keeps the default.
	MemoryLimit string
	// TempDir is where DuckDB spills to disk; "" keeps the default.
	TempDir string
	// ReadOnly opens the database file read-only (access_mode READ_ONLY), so that another
	// process may read it while none writes; loads then fail. It needs a Path.
	ReadOnly bool
}

// Warehouse is a DuckDB database. It is safe for concurrent use; a Load holds one connection.
type Warehouse struct {
	db        *sql.DB
	connector *duckdb.Connector
	dialect   Dialect
	schemaMu  sync.Mutex // serializes CREATE SCHEMA of loads

	closeOnce sync.Once
	closeErr  error
}

var (
	_ warehouse.Warehouse = (*Warehouse)(nil)
	_ warehouse.Loader    = (*Warehouse)(nil)
)

// Open opens (or creates) a DuckDB database.
func Open(ctx context.Context, opts Options) (*Warehouse, error) {
	init, err := initStatements(opts)
	if err != nil {
		return nil, err
	}
	dsn := opts.Path
	if strings.Contains(dsn, "?") {
		return nil, fmt.Errorf("open duckdb %q: the path must not contain '?'", opts.Path)
	}
	if opts.ReadOnly {
		if dsn == "" || dsn == ":memory:" {
			return nil, errors.New("open duckdb: a read-only database needs a file path")
		}
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("open duckdb %q read-only: %w", opts.Path, err)
		}
		dsn += "?access_mode=READ_ONLY"
	}
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		for _, stmt := range init {
			if _, err := execer.ExecContext(context.Background(), stmt, nil); err != nil {
				return fmt.Errorf("initialize connection (%s): %w", stmt, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open duckdb %q: %w", opts.Path, err)
	}
	w := &Warehouse{db: sql.OpenDB(connector), connector: connector}
	if err := w.db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open duckdb %q: %w", opts.Path, err), w.Close())
	}
	return w, nil
}

func initStatements(opts Options) ([]string, error) {
	var d Dialect
	stmts := []string{"SET TimeZone = 'UTC'", "SET preserve_insertion_order = true"}
	if opts.Threads < 0 {
		return nil, fmt.Errorf("open duckdb: threads must be >= 0, got %d", opts.Threads)
	}
	if opts.Threads > 0 {
		lit, _ := d.QuoteLiteral(opts.Threads)
		stmts = append(stmts, "SET threads = "+lit)
	}
	if opts.MemoryLimit != "" {
		lit, _ := d.QuoteLiteral(opts.MemoryLimit)
		stmts = append(stmts, "SET memory_limit = "+lit)
	}
	if opts.TempDir != "" {
		lit, _ := d.QuoteLiteral(opts.TempDir)
		stmts = append(stmts, "SET temp_directory = "+lit)
	}
	return stmts, nil
}

// DB returns the database/sql handle, for callers that want database/sql.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Dialect returns the DuckDB dialect.
func (w *Warehouse) Dialect() warehouse.Dialect { return w.dialect }

// Exec runs statements.
func (w *Warehouse) Exec(ctx context.Context, query string, args ...any) error {
	if _, err := w.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}

// QueryRow runs a query expected to return at most one row; it returns a *sql.Row.
func (w *Warehouse) QueryRow(ctx context.Context, query string, args ...any) warehouse.Row {
	return w.db.QueryRowContext(ctx, query, args...)
}

// Query runs a query and streams its result as Arrow. The reader holds a connection of its own
// until it is released; it stops with ctx.Err() when ctx is done. The caller releases it.
func (w *Warehouse) Query(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("query: get connection: %w", err)
	}
	var rr array.RecordReader
	err = conn.Raw(func(dc any) error {
		a, err := arrowOf(dc)
		if err != nil {
			return err
		}
		rr, err = a.QueryContext(ctx, query, args...)
		return err
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("query: %w", err), conn.Close())
	}
	return &connReader{RecordReader: rr, conn: conn, refs: 1}, nil
}

func arrowOf(dc any) (*duckdb.Arrow, error) {
	c, ok := dc.(driver.Conn)
	if !ok {
		return nil, fmt.Errorf("not a driver connection: %T", dc)
	}
	return duckdb.NewArrowFromConn(c)
}

// Close closes the database. Loads still open keep their connection until they are closed.
func (w *Warehouse) Close() error {
	w.closeOnce.Do(func() {
		w.closeErr = w.db.Close() // closes the connector too
	})
	return w.closeErr
}

// connReader is a RecordReader that returns its connection to the pool when released.
type connReader struct {
	array.RecordReader
	conn *sql.Conn
	refs int64
}

func (r *connReader) Retain() {
	atomic.AddInt64(&r.refs, 1)
	r.RecordReader.Retain()
}

func (r *connReader) Release() {
	n := atomic.AddInt64(&r.refs, -1)
	r.RecordReader.Release()
	if n == 0 {
		_ = r.conn.Close()
	}
}
