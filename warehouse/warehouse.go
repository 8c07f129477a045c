// Package warehouse defines where data lands and models run: a Warehouse executes SQL in its
// Dialect, streams query results as Arrow, and (through the optional Loader capability) merges
// extracted batches into tables transactionally. Engines live in subpackages (duckdb, …).
package warehouse

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/extract"
)

// Table names a table: Schema may be "" for the engine's default schema.
type Table struct {
	Schema string
	Name   string
}

// Dialect is the only place identifiers, literals and types are rendered into SQL.
type Dialect interface {
	// Name is the engine name ("duckdb", "bigquery", "snowflake").
	Name() string
	// QuoteIdent quotes each part and joins them with ".".
	QuoteIdent(parts ...string) string
	// QuoteLiteral renders a Go value (string, bool, integers, floats, time.Time, nil) as a literal.
	QuoteLiteral(v any) (string, error)
	// ColumnType renders the engine's column type for an Arrow type.
	ColumnType(t arrow.DataType) (string, error)
}

// Row is one result row (database/sql's *Row satisfies it).
type Row interface {
	Scan(dest ...any) error
}

// Execer runs statements; both a Warehouse and a transaction's Tx implement it.
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) error
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Warehouse is a SQL engine. It is safe for concurrent use.
type Warehouse interface {
	Execer
	Dialect() Dialect
	// Query streams the result as Arrow; the caller releases the reader.
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
	Close() error
}

// Transactor is the optional capability of running several statements atomically: InTx runs fn
// in one transaction on one connection and commits when fn returns nil; on an error (fn's or the
// commit's) or a canceled ctx it rolls back, so nothing fn did is kept or seen by others.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context, tx Execer) error) error
}

// Loader is the optional capability of a Warehouse that loads extracted batches.
type Loader interface {
	// BeginLoad opens a load into spec.Table. The Load holds an open transaction; nothing it
	// appends is visible to others, nor kept after a crash, until Commit returns.
	BeginLoad(ctx context.Context, spec LoadSpec) (Load, error)
}

// Load is one stream's load in progress. It is used by one goroutine.
type Load interface {
	// Append stages one batch (Arrow records or files) in the open transaction and returns the
	// number of rows staged. It takes ownership of b.Records and releases it.
	Append(ctx context.Context, b extract.Batch) (rows int64, err error)
	// Commit merges what was staged into the target table — adding new columns, widening types,
	// deduplicating on the primary key (the last staged row wins) — then calls within(tx) in the
	// same transaction (the runner saves the cursor there), then commits and opens the next
	// transaction. If within or the merge fails, the transaction is rolled back and nothing of
	// it persists.
	Commit(ctx context.Context, within func(ctx context.Context, tx Execer) error) (MergeStats, error)
	// Close rolls back anything not committed and releases the connection. It is safe after Commit.
	Close() error
}

// OnTypeChange says what a load does when a column arrives with a type the table's column cannot
// hold without loss.
type OnTypeChange string

// Type-change policies.
const (
	// TypeChangeError stops the load with an error naming the table, the column and both types.
	TypeChangeError OnTypeChange = "error"
	// TypeChangeString widens the table's column to a string type: no value is lost, the column's
	// values stay readable and castable.
	TypeChangeString OnTypeChange = "string"
)

// LoadSpec describes a load.
type LoadSpec struct {
	Table      Table
	PrimaryKey []string
	// RunID and LoadedAt fill the _revops_run_id and _revops_loaded_at columns of every row.
	RunID    string
	LoadedAt time.Time
	// FullRefresh replaces the table's rows with what this load stages (at its first Commit).
	FullRefresh  bool
	OnTypeChange OnTypeChange
}

// MergeStats reports one Commit.
type MergeStats struct {
	Staged   int64 // rows staged since the previous Commit
	Inserted int64 // rows whose key was new
	Updated  int64 // rows that replaced a row with the same key
	// Deduplicated counts staged rows dropped because a later staged row had the same key.
	Deduplicated int64
	// AddedColumns and WidenedColumns list schema drift applied to the table.
	AddedColumns   []string
	WidenedColumns []string
}

// Columns every loaded row carries.
const (
	LoadedAtColumn = "_revops_loaded_at"
	RunIDColumn    = "_revops_run_id"
	ExtraColumn    = "_extra"
)
