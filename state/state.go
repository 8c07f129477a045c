// Package state keeps revops' own bookkeeping in the warehouse's _revops schema: the cursor of
// every stream (written in the same transaction as the rows it covers), the run ledger, and the
// per-stream results of each run.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

// Schema is the warehouse schema revops owns.
const Schema = "_revops"

// Store reads and writes state through a warehouse.
type Store struct {
	wh warehouse.Warehouse
	q  func(table string) string
}

// New returns a Store on wh. Call Init once before use.
func New(wh warehouse.Warehouse) *Store {
	d := wh.Dialect()
	return &Store{wh: wh, q: func(t string) string { return d.QuoteIdent(Schema, t) }}
}

// Init creates the state schema and tables if they do not exist.
func (s *Store) Init(ctx context.Context) error {
	d := s.wh.Dialect()
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + d.QuoteIdent(Schema),
		"CREATE TABLE IF NOT EXISTS " + s.q("cursors") + ` (
			source VARCHAR NOT NULL, stream VARCHAR NOT NULL, cursor VARCHAR,
			run_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL)`,
		"CREATE TABLE IF NOT EXISTS " + s.q("runs") + ` (
			run_id VARCHAR NOT NULL, command VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL,
			ended_at TIMESTAMPTZ, status VARCHAR NOT NULL, rows_loaded BIGINT, error VARCHAR,
			revops_version VARCHAR)`,
		"CREATE TABLE IF NOT EXISTS " + s.q("run_streams") + ` (
			run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, stream VARCHAR NOT NULL,
			table_name VARCHAR NOT NULL, status VARCHAR NOT NULL, rows_staged BIGINT,
			rows_inserted BIGINT, rows_updated BIGINT, commits BIGINT,
			started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, error VARCHAR)`,
	}
	for _, q := range stmts {
		if err := s.wh.Exec(ctx, q); err != nil {
			return fmt.Errorf("init state schema %s: %w", Schema, err)
		}
	}
	return nil
}

// Cursor returns the committed cursor of a stream, or nil if it never committed one.
func (s *Store) Cursor(ctx context.Context, source, stream string) (extract.Cursor, error) {
	var c sql.NullString
	err := s.wh.QueryRow(ctx, "SELECT cursor FROM "+s.q("cursors")+" WHERE source = ? AND stream = ?", source, stream).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !c.Valid) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cursor of %s.%s: %w", source, stream, err)
	}
	return extract.Cursor(c.String), nil
}

// SaveCursor writes a stream's cursor through tx, which must be the transaction that loaded the
// rows the cursor covers.
func (s *Store) SaveCursor(ctx context.Context, tx warehouse.Execer, source, stream string, c extract.Cursor, runID string, at time.Time) error {
	del := "DELETE FROM " + s.q("cursors") + " WHERE source = ? AND stream = ?"
	if err := tx.Exec(ctx, del, source, stream); err != nil {
		return fmt.Errorf("save cursor of %s.%s: %w", source, stream, err)
	}
	ins := "INSERT INTO " + s.q("cursors") + " (source, stream, cursor, run_id, updated_at) VALUES (?, ?, ?, ?, ?)"
	var value any // an empty cursor is stored as NULL: "from the beginning"
	if len(c) > 0 {
		value = string(c)
	}
	if err := tx.Exec(ctx, ins, source, stream, value, runID, at.UTC()); err != nil {
		return fmt.Errorf("save cursor of %s.%s: %w", source, stream, err)
	}
	return nil
}

// Run is one row of the run ledger.
type Run struct {
	ID        string
	Command   string
	StartedAt time.Time
	EndedAt   time.Time
	Status    string
	Rows      int64
	Error     string
	Version   string
}

// StartRun records a run as running.
func (s *Store) StartRun(ctx context.Context, r Run) error {
	q := "INSERT INTO " + s.q("runs") + " (run_id, command, started_at, status, revops_version) VALUES (?, ?, ?, 'running', ?)"
	if err := s.wh.Exec(ctx, q, r.ID, r.Command, r.StartedAt.UTC(), r.Version); err != nil {
		return fmt.Errorf("record run %s: %w", r.ID, err)
	}
	return nil
}

// FinishRun records a run's end.
func (s *Store) FinishRun(ctx context.Context, r Run) error {
	q := "UPDATE " + s.q("runs") + " SET ended_at = ?, status = ?, rows_loaded = ?, error = ? WHERE run_id = ?"
	if err := s.wh.Exec(ctx, q, r.EndedAt.UTC(), r.Status, r.Rows, nullIfEmpty(r.Error), r.ID); err != nil {
		return fmt.Errorf("record end of run %s: %w", r.ID, err)
	}
	return nil
}

// StreamResult is one stream's outcome within a run.
type StreamResult struct {
	RunID, Source, Stream, Table, Status string
	Staged, Inserted, Updated, Commits   int64
	StartedAt, EndedAt                   time.Time
	Error                                string
}

// RecordStream appends a stream's outcome to the ledger.
func (s *Store) RecordStream(ctx context.Context, r StreamResult) error {
	q := "INSERT INTO " + s.q("run_streams") + ` (run_id, source, stream, table_name, status, rows_staged,
		rows_inserted, rows_updated, commits, started_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	err := s.wh.Exec(ctx, q, r.RunID, r.Source, r.Stream, r.Table, r.Status, r.Staged, r.Inserted, r.Updated,
		r.Commits, r.StartedAt.UTC(), r.EndedAt.UTC(), nullIfEmpty(r.Error))
	if err != nil {
		return fmt.Errorf("record stream %s.%s of run %s: %w", r.Source, r.Stream, r.RunID, err)
	}
	return nil
}

// CloseAbandoned marks runs still "running" (their process died) as "abandoned"; call it while
// holding the project lock, so no live run is among them.
func (s *Store) CloseAbandoned(ctx context.Context, at time.Time) error {
	q := "UPDATE " + s.q("runs") + " SET status = 'abandoned', ended_at = ? WHERE status = 'running'"
	if err := s.wh.Exec(ctx, q, at.UTC()); err != nil {
		return fmt.Errorf("close abandoned runs: %w", err)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
