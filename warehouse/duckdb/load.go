package duckdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

// stagingName is the staging table of a Load: a temporary table, so private to its connection.
const stagingName = "_revops_staging"

// viewPrefix starts the name of the view an Arrow batch is registered as. DuckDB's Arrow scan
// creates an ordinary view (in the main schema, inside the Load's transaction, dropped before
// the transaction ends), so each Load names its own: two open transactions creating one name
// would conflict.
const viewPrefix = "_revops_batch_"

// mode is how the current interval (the appends since the last Commit) stages its rows.
type mode int

const (
	// modeUnset: nothing appended since the last Commit.
	modeUnset mode = iota
	// modeDirect: the target was absent or empty when the interval began, so rows are appended
	// straight into it (still inside the transaction) and deduplicated there at Commit. This
	// saves a second pass over the data on initial and full loads.
	modeDirect
	// modeStaging: rows go to a temporary staging table and are merged at Commit.
	modeStaging
)

// load is a warehouse.Load: one connection holding a transaction opened with BEGIN TRANSACTION
// (so that an Arrow view registered on the raw connection takes part in it).
//
// Where rows go. When an interval (the appends between two Commits) begins on a target that is
// absent or empty, rows are appended straight into the target, inside the transaction: the first
// batch creates it with CREATE TABLE … AS, so a bulk load of files costs one pass, as DuckDB's own
// CREATE TABLE AS does. Otherwise rows go to a temporary staging table, merged at Commit.
//
// The last row wins. "Last" is a row's position in the table it was appended to (rowid): with
// preserve_insertion_order (set on every connection), DuckDB appends the rows of a multi-file
// read file by file, row by row, and the rows of successive appends after each other, even when
// it reads in parallel. So no sequence column is written: deduplication orders by rowid.
//
// A failed Append or Commit rolls the whole interval back and makes the Load unusable (every
// later call reports the failure): the caller resumes from the last committed cursor.
type load struct {
	d       Dialect
	spec    warehouse.LoadSpec
	conn    *sql.Conn
	label   string // the table as written in messages, e.g. raw.deals
	target  string // the quoted target table
	staging string // the quoted staging table
	view    string // the name Arrow batches are registered as
	lits    struct{ loadedAt, runID string }

	inTx      bool
	unordered bool  // the connection's preserve_insertion_order is off (see appendDirect)
	committed bool  // a Commit succeeded; FullRefresh applies only before the first
	failed    error // set when an error rolled the transaction back; the Load is then unusable
	closed    bool

	// The current interval.
	mode          mode
	targetExists  bool
	stagingExists bool
	appends       int // batches appended
	staged        int64
	uniqueRows    int64 // rows of the target whose keys appendDirect found unique
	added         []string
	widened       []string
}

var _ warehouse.Load = (*load)(nil)

// BeginLoad opens a load into spec.Table on a connection of its own, in a new transaction.
// It creates spec.Table.Schema if needed (outside the transaction). The Load merges as
// warehouse.Load says; see load for how. Schema drift follows these rules: a new column is
// added; a column whose type cannot hold the new values is widened when no value is lost
// (integers to wider integers, DECIMAL or DOUBLE; DECIMAL to a larger DECIMAL; FLOAT to DOUBLE;
// DATE to TIMESTAMP); any other change is an error, or with on_type_change string widens the
// column to VARCHAR. Columns the new data lacks stay, NULL in new rows.
func (w *Warehouse) BeginLoad(ctx context.Context, spec warehouse.LoadSpec) (warehouse.Load, error) {
	if err := validateSpec(spec); err != nil {
		return nil, err
	}
	label := spec.Table.Name
	if spec.Table.Schema != "" {
		label = spec.Table.Schema + "." + spec.Table.Name
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin load into %s: get connection: %w", label, err)
	}
	l := &load{
		spec:    spec,
		conn:    conn,
		label:   label,
		target:  w.dialect.QuoteIdent(spec.Table.Schema, spec.Table.Name),
		staging: w.dialect.QuoteIdent("temp", "main", stagingName),
		view:    viewPrefix + rand.Text(),
	}
	l.resetInterval()
	loadedAt := spec.LoadedAt
	if loadedAt.IsZero() {
		loadedAt = time.Now()
	}
	ts, _ := l.d.QuoteLiteral(loadedAt)
	run, _ := l.d.QuoteLiteral(spec.RunID)
	l.lits.loadedAt = "CAST(" + ts + " AS TIMESTAMPTZ)"
	l.lits.runID = "CAST(" + run + " AS VARCHAR)"
	if err := l.ensureSchema(ctx, &w.schemaMu); err != nil {
		return nil, errors.Join(fmt.Errorf("begin load into %s: %w", label, err), conn.Close())
	}
	if err := l.begin(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("begin load into %s: %w", label, err), conn.Close())
	}
	return l, nil
}

// ensureSchema creates the target's schema outside the Load's transaction, one Load at a time:
// loads of several tables of one schema run in parallel, and two transactions creating one
// schema at once conflict.
func (l *load) ensureSchema(ctx context.Context, mu *sync.Mutex) error {
	if l.spec.Table.Schema == "" {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if _, err := l.conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+l.d.QuoteIdent(l.spec.Table.Schema)); err != nil {
		return fmt.Errorf("create schema %s: %w", l.spec.Table.Schema, err)
	}
	return nil
}

func validateSpec(spec warehouse.LoadSpec) error {
	if spec.Table.Name == "" {
		return errors.New("begin load: the table has no name")
	}
	switch spec.OnTypeChange {
	case "", warehouse.TypeChangeError, warehouse.TypeChangeString:
	default:
		return fmt.Errorf("begin load into %s: unknown on_type_change %q (valid: %q, %q)",
			spec.Table.Name, spec.OnTypeChange, warehouse.TypeChangeError, warehouse.TypeChangeString)
	}
	seen := map[string]bool{}
	for _, k := range spec.PrimaryKey {
		if k == "" {
			return fmt.Errorf("begin load into %s: empty primary key column", spec.Table.Name)
		}
		if seen[strings.ToLower(k)] {
			return fmt.Errorf("begin load into %s: primary key column %q listed twice", spec.Table.Name, k)
		}
		seen[strings.ToLower(k)] = true
	}
	return nil
}

func (l *load) policy() warehouse.OnTypeChange {
	if l.spec.OnTypeChange == "" {
		return warehouse.TypeChangeError
	}
	return l.spec.OnTypeChange
}

// Append stages one batch in the open transaction and returns the number of rows staged.
func (l *load) Append(ctx context.Context, b extract.Batch) (int64, error) {
	if b.Records != nil {
		defer b.Records.Release()
	}
	if err := l.usable(); err != nil {
		return 0, err
	}
	var (
		n   int64
		err error
	)
	switch {
	case b.Records != nil && b.Files != nil:
		return 0, fmt.Errorf("append to %s: a batch carries both records and files", l.label)
	case b.Records != nil:
		n, err = l.appendRecords(ctx, b.Records)
	case b.Files != nil:
		n, err = l.appendFiles(ctx, b.Files)
	default:
		return 0, nil
	}
	if err != nil {
		return 0, l.fail(ctx, err)
	}
	l.appends++
	l.staged += n
	return n, nil
}

// Commit merges what was staged into the target, calls within in the same transaction, commits
// and opens the next transaction.
func (l *load) Commit(ctx context.Context, within func(ctx context.Context, tx warehouse.Execer) error) (warehouse.MergeStats, error) {
	if err := l.usable(); err != nil {
		return warehouse.MergeStats{}, err
	}
	stats, err := l.merge(ctx)
	if err != nil {
		return warehouse.MergeStats{}, l.fail(ctx, fmt.Errorf("merge into %s: %w", l.label, err))
	}
	if within != nil {
		if err := within(ctx, txExecer{l.conn}); err != nil {
			return warehouse.MergeStats{}, l.fail(ctx, fmt.Errorf("commit load into %s: %w", l.label, err))
		}
	}
	if _, err := l.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return warehouse.MergeStats{}, l.fail(ctx, fmt.Errorf("commit load into %s: %w", l.label, err))
	}
	l.inTx = false
	l.committed = true
	l.resetInterval()
	if err := l.begin(ctx); err != nil {
		l.failed = fmt.Errorf("load into %s: open the next transaction: %w", l.label, err)
		return stats, nil // this Commit is durable; the next call reports the failure
	}
	return stats, nil
}

// Close rolls back anything not committed and releases the connection. It is idempotent.
func (l *load) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	ctx := context.Background()
	var errs []error
	if l.inTx {
		if _, err := l.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			errs = append(errs, fmt.Errorf("roll back load into %s: %w", l.label, err))
		}
		l.inTx = false
	}
	if l.unordered {
		if err := l.setOrdered(ctx, true); err != nil {
			errs = append(errs, err)
		}
	}
	// Created inside the transaction, the staging table is normally gone with it.
	if _, err := l.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+l.staging); err != nil {
		errs = append(errs, fmt.Errorf("drop staging of %s: %w", l.label, err))
	}
	if err := l.conn.Close(); err != nil {
		errs = append(errs, fmt.Errorf("release connection of load into %s: %w", l.label, err))
	}
	return errors.Join(errs...)
}

func (l *load) usable() error {
	switch {
	case l.closed:
		return fmt.Errorf("load into %s is closed", l.label)
	case l.failed != nil:
		return fmt.Errorf("load into %s failed earlier and was rolled back: %w", l.label, l.failed)
	}
	return nil
}

func (l *load) begin(ctx context.Context) error {
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	l.inTx = true
	return nil
}

// fail rolls the transaction back, marks the Load unusable and returns err.
func (l *load) fail(ctx context.Context, err error) error {
	l.rollback(ctx)
	l.failed = err
	return err
}

// rollback ends the transaction (even when ctx is done) and forgets the interval.
func (l *load) rollback(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if l.inTx {
		_, _ = l.conn.ExecContext(ctx, "ROLLBACK")
		l.inTx = false
	}
	if l.unordered { // the connection goes back to the pool as it came
		_ = l.setOrdered(ctx, true)
	}
	l.resetInterval()
}

func (l *load) resetInterval() {
	l.mode = modeUnset
	l.targetExists = false
	l.stagingExists = false
	l.appends = 0
	l.staged = 0
	l.uniqueRows = -1
	l.added = nil
	l.widened = nil
}

// exec runs one statement on the load's connection and returns the rows it affected.
func (l *load) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := l.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil // DDL reports no count
	}
	return n, nil
}

// txExecer runs statements in the Load's open transaction.
type txExecer struct{ conn *sql.Conn }

func (t txExecer) Exec(ctx context.Context, query string, args ...any) error {
	_, err := t.conn.ExecContext(ctx, query, args...)
	return err
}

func (t txExecer) QueryRow(ctx context.Context, query string, args ...any) warehouse.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}
