// Package extract defines what a connector is: a Source of named Streams that emits Batches,
// each carrying the opaque Cursor reached after it. The runner (package pipelines) loads every
// batch and persists its cursor in the same warehouse transaction, so a connector never needs
// to know about storage, retries of loads, or crashes: it resumes from the cursor it is handed.
package extract

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Stream describes one table-like collection a Source can read.
type Stream struct {
	// Name is the stream's name, unique within its source; it becomes the raw table name.
	Name string
	// Schema is the expected Arrow schema, or nil when it is only known at read time (files).
	// Upstream fields the connector does not know go to a JSON "_extra" column, never dropped.
	Schema *arrow.Schema
	// PrimaryKey is the set of columns the loader merges on: re-reading a row never duplicates it.
	// Empty means append-only (the loader then only appends and never deduplicates).
	PrimaryKey []string
	// CursorField names the column incremental reads advance on; "" means every read is full.
	CursorField string
	// Replace says every read returns the stream's complete contents: the loader replaces the
	// table's rows with what one read emits (rows gone upstream disappear), instead of merging.
	Replace bool
	// DeletedField, when set, names a boolean column that marks rows deleted upstream; the
	// loader keeps such rows (soft delete) so that downstream models can drop them.
	DeletedField string
}

// Cursor is an opaque, source-defined position (conventionally JSON). The runner persists it
// only after the batch it came with is loaded, and hands it back to Read on the next run.
// A nil Cursor means "from the beginning".
type Cursor []byte

// Batch is one unit of progress. Exactly one of Records and Files is set.
//
// Records: an Arrow record batch; ownership passes to the receiver of emit, which releases it.
// Files: a set of files the warehouse reads natively (bulk load), as a data warehouse's COPY does;
// sources of files use it so that parsing runs at the warehouse engine's speed.
type Batch struct {
	Records arrow.RecordBatch
	Files   *FileSet
	Cursor  Cursor
	// Final reports that the source has no more batches for this read; the runner commits
	// at least at every Final batch and at the end of Read.
	Final bool
}

// Source reads streams.
//
// Contract:
//   - Streams is cheap and does no I/O; it is called during validation, before any network I/O.
//   - Read emits the batches of one stream after from, synchronously and in order. It returns
//     promptly with ctx.Err() when ctx is done and returns emit's error unchanged.
//   - Read may be called concurrently for different streams; never twice at once for one stream.
//   - Read must be idempotent from a cursor: re-reading from the same cursor may return rows that
//     were already loaded (the loader merges on the primary key) but must never skip one.
type Source interface {
	Streams() []Stream
	Read(ctx context.Context, stream string, from Cursor, emit func(context.Context, Batch) error) error
}

// Counter is an optional capability of a Source: Count asks the vendor how many live (not
// deleted) records a stream holds now — Salesforce's SELECT COUNT(), HubSpot's search total.
// After a stream is extracted, the runner records the count in _revops.source_totals, where the
// extract_totals check compares it with the rows loaded. Count makes at most a few cheap
// requests, must not change what Read returns, and returns ErrNoCount for a stream the vendor
// cannot count; the runner logs any other error and records nothing.
type Counter interface {
	Count(ctx context.Context, stream string) (int64, error)
}

// ErrNoCount is Count's answer for a stream the vendor API cannot count.
var ErrNoCount = errors.New("the source cannot count this stream")

// FileFormat is a file format the warehouse can read natively.
type FileFormat string

// File formats.
const (
	CSV     FileFormat = "csv"
	JSONL   FileFormat = "jsonl"
	Parquet FileFormat = "parquet"
)

// FileSet is a batch of files of one format, with the declared shape of their rows. The warehouse
// reads the files itself and must honour every declaration: declared types (a value that does not
// convert is an error naming the file and line or record), declared time zones, and Filter.
type FileSet struct {
	Format FileFormat
	// Paths are absolute file paths, in load order: when two rows share a primary key, the row
	// from the later file wins, and within a file the later row wins.
	Paths []string
	// Columns are the declared columns. With Strict false, columns found in the files but not
	// declared are loaded too, with the type the warehouse infers.
	Columns []Column
	// Strict limits the load to the declared columns; other columns in the files are an error.
	Strict bool
	CSV    CSVOptions
	// Filter, when set, loads only rows whose Column is greater than After (incremental reads).
	Filter *Filter
	// SourceFileColumn, when set, is the name of a column that receives each row's file path.
	SourceFileColumn string
}

// Column declares one column of a FileSet.
type Column struct {
	Name string
	// Type is a portable type: string, boolean, integer (int64), double, decimal(p,s), date,
	// timestamp (an instant), json. "" means inferred.
	Type string
	// TimeZone applies to timestamp columns: an IANA name in which values without an explicit
	// offset are read, or "" to require an explicit offset on every value (naive values are an
	// error, never silently UTC).
	TimeZone string
	// Format is an optional strptime-style format for date and timestamp text.
	Format string
	// From is the name in the file when it differs from Name.
	From string
}

// CSVOptions are the options of CSV files.
type CSVOptions struct {
	Delimiter string // default ","
	Quote     string // default "\""
	Header    bool
	NullValue string // a string read as NULL, in addition to the empty field
	SkipRows  int
}

// Filter keeps rows whose Column is strictly greater than After.
type Filter struct {
	Column string
	Type   string // the column's portable type
	After  string // a literal of that type, as text
}

// Factory builds a Source from its configuration. It must validate the configuration completely
// and must not do network I/O (the runner validates every source before extracting any).
type Factory func(cfg Config) (Source, error)

// Config is what a Factory receives.
type Config struct {
	// Name is the source's name in the project (e.g. "billing").
	Name string
	// Dir is the project directory; relative paths in the configuration are relative to it.
	Dir string
	// Decode decodes the source's own configuration block strictly into v (a pointer to a struct
	// with yaml tags); its errors name the file, line and column.
	Decode func(v any) error
	// Now returns the current time (an injectable clock).
	Now func() time.Time
}

// ErrUnknownKind is returned by Registry.New for a kind nobody registered.
var ErrUnknownKind = errors.New("unknown source type")

// Registry maps a source type (as written in revops.yaml) to its Factory. It is built in main.
type Registry struct {
	factories map[string]Factory
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a source type; registering one twice panics, as it is a programming error.
func (r *Registry) Register(kind string, f Factory) {
	if _, dup := r.factories[kind]; dup {
		panic(fmt.Sprintf("extract: source type %q registered twice", kind))
	}
	r.factories[kind] = f
}

// Kinds lists the registered source types, sorted.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.factories))
	for k := range r.factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New builds a Source of the given kind.
func (r *Registry) New(kind string, cfg Config) (Source, error) {
	f, ok := r.factories[kind]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %v)", ErrUnknownKind, kind, r.Kinds())
	}
	return f(cfg)
}
