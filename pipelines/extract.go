package pipelines

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse"
)

// Progress receives extraction progress; the CLI draws it on a terminal. Methods may be called
// from several goroutines at once.
type Progress interface {
	StreamStarted(stream string)
	RowsLoaded(stream string, rows int64)
	StreamDone(stream string, err error)
}

// Extractor runs the extract step. Its fields are its dependencies; all are required but
// Progress and FailPoint. The Warehouse must have the Loader capability.
type Extractor struct {
	Warehouse   warehouse.Warehouse
	State       *state.Store
	Log         *slog.Logger
	Now         func() time.Time
	Parallelism int
	// CommitRows is how many staged rows trigger a commit of data and cursor.
	CommitRows int64
	Progress   Progress
	// FailPoint, when set, is called at named points of a commit ("before-cursor",
	// "after-cursor": inside the transaction, before it commits); an error it returns fails the
	// stream there. Crash drills and tests use it.
	FailPoint func(point, stream string) error
}

// ExtractOptions are per-run choices.
type ExtractOptions struct {
	RunID string
	// FullRefresh ignores cursors and replaces each table's rows with a full read.
	FullRefresh bool
}

// StreamReport is the outcome of one stream.
type StreamReport struct {
	Name           string    `json:"name"`
	Table          string    `json:"table"`
	Status         string    `json:"status"` // success | error | canceled
	Rows           int64     `json:"rows"`
	Inserted       int64     `json:"inserted"`
	Updated        int64     `json:"updated"`
	Deduplicated   int64     `json:"deduplicated"`
	Commits        int64     `json:"commits"`
	AddedColumns   []string  `json:"added_columns,omitempty"`
	WidenedColumns []string  `json:"widened_columns,omitempty"`
	StartedAt      time.Time `json:"started_at"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	Error          string    `json:"error,omitempty"`
}

// Run extracts every stream of the plan, at most Parallelism at once, and returns one report per
// stream in plan order. A failing stream does not stop the others; the returned error joins the
// failures.
func (e *Extractor) Run(ctx context.Context, plan *Plan, opts ExtractOptions) ([]StreamReport, error) {
	loader, ok := e.Warehouse.(warehouse.Loader)
	if !ok {
		return nil, fmt.Errorf("the %s warehouse cannot load extracted data", e.Warehouse.Dialect().Name())
	}
	// Schemas are created up front, one at a time: concurrent loads creating the same schema
	// would conflict in the warehouse's catalog.
	if err := e.createSchemas(ctx, plan); err != nil {
		return nil, err
	}
	// Likewise the table of source totals, when a source can count its streams.
	for _, sp := range plan.Streams {
		if _, ok := sp.reader.(extract.Counter); ok {
			if err := checks.EnsureHistory(ctx, e.Warehouse); err != nil {
				return nil, err
			}
			break
		}
	}
	par := max(e.Parallelism, 1)
	reports := make([]StreamReport, len(plan.Streams))
	errs := make([]error, len(plan.Streams))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, sp := range plan.Streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				reports[i] = StreamReport{Name: sp.Name(), Table: tableName(sp.Table), Status: "canceled", Error: ctx.Err().Error()}
				errs[i] = fmt.Errorf("extract %s: %w", sp.Name(), ctx.Err())
				return
			}
			defer func() { <-sem }()
			reports[i], errs[i] = e.stream(ctx, loader, sp, opts)
		}()
	}
	wg.Wait()
	return reports, errors.Join(errs...)
}

func (e *Extractor) createSchemas(ctx context.Context, plan *Plan) error {
	done := map[string]bool{}
	for _, sp := range plan.Streams {
		if sp.Table.Schema == "" || done[sp.Table.Schema] {
			continue
		}
		done[sp.Table.Schema] = true
		if err := e.Warehouse.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+e.Warehouse.Dialect().QuoteIdent(sp.Table.Schema)); err != nil {
			return fmt.Errorf("create schema %s: %w", sp.Table.Schema, err)
		}
	}
	return nil
}

func tableName(t warehouse.Table) string { return t.Schema + "." + t.Name }

// stream extracts one stream: read from the committed cursor, stage batches, and commit data and
// cursor together every CommitRows rows, at every Final batch and at the end.
func (e *Extractor) stream(ctx context.Context, loader warehouse.Loader, sp StreamPlan, opts ExtractOptions) (rep StreamReport, err error) {
	start := e.Now()
	rep = StreamReport{Name: sp.Name(), Table: tableName(sp.Table), StartedAt: start.UTC()}
	if e.Progress != nil {
		e.Progress.StreamStarted(sp.Name())
	}
	log := e.Log.With("stream", sp.Name())
	defer func() {
		rep.ElapsedSeconds = e.Now().Sub(start).Seconds()
		rep.Status = "success"
		if err != nil {
			rep.Status, rep.Error = "error", err.Error()
			if errors.Is(err, context.Canceled) {
				rep.Status = "canceled"
			}
			log.Error("extract failed", "err", err, "rows", rep.Rows)
		} else {
			log.Info("extracted", "rows", rep.Rows, "inserted", rep.Inserted, "updated", rep.Updated,
				"seconds", rep.ElapsedSeconds)
		}
		if e.Progress != nil {
			e.Progress.StreamDone(sp.Name(), err)
		}
		serr := e.State.RecordStream(context.WithoutCancel(ctx), state.StreamResult{
			RunID: opts.RunID, Source: sp.Source, Stream: sp.Stream.Name, Table: rep.Table, Status: rep.Status,
			Staged: rep.Rows, Inserted: rep.Inserted, Updated: rep.Updated, Commits: rep.Commits,
			StartedAt: start, EndedAt: e.Now(), Error: rep.Error,
		})
		err = errors.Join(err, serr)
	}()

	var from extract.Cursor
	if !opts.FullRefresh {
		if from, err = e.State.Cursor(ctx, sp.Source, sp.Stream.Name); err != nil {
			return rep, err
		}
	}
	load, err := loader.BeginLoad(ctx, warehouse.LoadSpec{
		Table: sp.Table, PrimaryKey: sp.Stream.PrimaryKey, RunID: opts.RunID, LoadedAt: start,
		FullRefresh: opts.FullRefresh || sp.Stream.Replace, OnTypeChange: sp.OnTypeChange,
	})
	if err != nil {
		return rep, fmt.Errorf("extract %s: %w", sp.Name(), err)
	}
	defer func() { err = errors.Join(err, load.Close()) }()

	c := &committer{e: e, sp: sp, load: load, runID: opts.RunID, rep: &rep}
	emitErr := error(nil)
	batches := 0
	readErr := sp.reader.Read(ctx, sp.Stream.Name, from, func(ctx context.Context, b extract.Batch) error {
		batches++
		if err := c.append(ctx, b); err != nil {
			emitErr = err
			return err
		}
		return nil
	})
	switch {
	case emitErr != nil:
		return rep, fmt.Errorf("extract %s: %w", sp.Name(), emitErr)
	case readErr != nil:
		// Everything staged came with a cursor that covers it: keep that progress, then fail.
		if cerr := c.commit(context.WithoutCancel(ctx)); cerr != nil {
			readErr = errors.Join(readErr, cerr)
		}
		return rep, fmt.Errorf("extract %s: read: %w", sp.Name(), readErr)
	}
	if batches == 0 && sp.Stream.Schema != nil {
		// Nothing upstream: an empty batch of the declared schema creates the (empty) table, so
		// that models reading it run, and empties it on a full refresh.
		if err := c.append(ctx, extract.Batch{Records: emptyRecord(sp.Stream.Schema), Cursor: from}); err != nil {
			return rep, fmt.Errorf("extract %s: %w", sp.Name(), err)
		}
	}
	if err := c.commit(ctx); err != nil {
		return rep, fmt.Errorf("extract %s: %w", sp.Name(), err)
	}
	e.recordTotal(ctx, sp, log)
	return rep, nil
}

// recordTotal asks a Counter source how many records the stream holds, now that it is
// extracted, and keeps the answer for the extract_totals check. A failure is logged: it does
// not fail the stream, whose rows are committed (the check reports the missing total).
func (e *Extractor) recordTotal(ctx context.Context, sp StreamPlan, log *slog.Logger) {
	cnt, ok := sp.reader.(extract.Counter)
	if !ok {
		return
	}
	total, err := cnt.Count(ctx, sp.Stream.Name)
	if errors.Is(err, extract.ErrNoCount) {
		return
	}
	if err == nil {
		err = checks.RecordSourceTotal(ctx, e.Warehouse, e.Warehouse.Dialect(), sp.Source, sp.Stream.Name, total, e.Now())
	}
	if err != nil {
		log.Warn("could not record the source's total for extract_totals", "err", err)
		return
	}
	log.Debug("source total", "total", total)
}

// committer stages batches and commits them with their cursor.
type committer struct {
	e       *Extractor
	sp      StreamPlan
	load    warehouse.Load
	runID   string
	rep     *StreamReport
	staged  int64
	cursor  extract.Cursor
	pending bool
}

func (c *committer) append(ctx context.Context, b extract.Batch) error {
	n, err := c.load.Append(ctx, b)
	if err != nil {
		return err
	}
	c.staged += n
	c.rep.Rows += n
	c.cursor, c.pending = b.Cursor, true
	if c.e.Progress != nil {
		c.e.Progress.RowsLoaded(c.sp.Name(), n)
	}
	// A file batch is a bulk unit: commit it at once, so a rerun skips files already loaded.
	if b.Final || b.Files != nil || c.staged >= c.e.CommitRows {
		return c.commit(ctx)
	}
	return nil
}

func (c *committer) commit(ctx context.Context) error {
	if !c.pending {
		return nil
	}
	stats, err := c.load.Commit(ctx, func(ctx context.Context, tx warehouse.Execer) error {
		if err := c.failPoint("before-cursor"); err != nil {
			return err
		}
		if err := c.e.State.SaveCursor(ctx, tx, c.sp.Source, c.sp.Stream.Name, c.cursor, c.runID, c.e.Now()); err != nil {
			return err
		}
		return c.failPoint("after-cursor")
	})
	if err != nil {
		return err
	}
	c.pending, c.staged = false, 0
	c.rep.Commits++
	c.rep.Inserted += stats.Inserted
	c.rep.Updated += stats.Updated
	c.rep.Deduplicated += stats.Deduplicated
	c.rep.AddedColumns = append(c.rep.AddedColumns, stats.AddedColumns...)
	c.rep.WidenedColumns = append(c.rep.WidenedColumns, stats.WidenedColumns...)
	return nil
}

func (c *committer) failPoint(point string) error {
	if c.e.FailPoint == nil {
		return nil
	}
	return c.e.FailPoint(point, c.sp.Name())
}

// emptyRecord is a record batch of schema with no rows.
func emptyRecord(schema *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
	}
	rec := array.NewRecordBatch(schema, cols, 0)
	for _, c := range cols {
		c.Release()
	}
	return rec
}
