package transform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/warehouse"
)

// Model result statuses.
const (
	StatusSuccess = "success"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// Builder materializes models in a warehouse.
type Builder struct {
	Warehouse warehouse.Warehouse
	// Parallelism is how many models build at once (default 4).
	Parallelism int
	Log         *slog.Logger
	Now         func() time.Time
	// AfterModel, when set, runs after each model is built (its checks). ok false (or an error)
	// stops the model's downstream: those models are skipped. It may run concurrently for
	// independent models.
	AfterModel func(ctx context.Context, m *Model) (ok bool, err error)
}

// BuildOptions choose what a build does.
type BuildOptions struct {
	// FullRefresh rebuilds incremental models from scratch.
	FullRefresh bool
	// FailedSources are the unique ids of sources whose extract failed in this run: the models
	// reading them (directly or through other models) are skipped.
	FailedSources []string
}

// ModelResult is what happened to one model.
type ModelResult struct {
	Model        *Model
	Status       string // success | error | skipped
	Materialized string
	Relation     string
	// Rows is the table's rows (table), the new rows (incremental) or -1 (view).
	Rows           int64
	Inserted       int64
	Updated        int64
	AddedColumns   []string
	RemovedColumns []string
	Incremental    bool // an incremental model that merged new rows (not a full build)
	CompiledHash   string
	StartedAt      time.Time
	ElapsedSeconds float64
	Error          error
	// SkippedBecause names the upstream model whose failure (or failed check) skipped this one.
	SkippedBecause string
	// ChecksFailed is true when AfterModel said stop.
	ChecksFailed bool
}

// Build materializes models (ephemeral ones are inlined, not built) in DAG order, up to
// Parallelism at once. A model that fails — or whose AfterModel says stop — skips everything
// downstream of it among models; the others go on. Results come back in DAG order. The error
// is non-nil only when the build could not start or ctx was canceled.
func (b *Builder) Build(ctx context.Context, p *Project, models []*Model, opts BuildOptions) ([]ModelResult, error) {
	if b.Now == nil {
		b.Now = time.Now
	}
	if b.Log == nil {
		b.Log = slog.New(slog.DiscardHandler)
	}
	tr, ok := b.Warehouse.(warehouse.Transactor)
	if !ok {
		return nil, errors.New("build models: the warehouse cannot run transactions")
	}
	var order []*Model
	for _, m := range p.Order(models) {
		if m.Built() {
			order = append(order, m)
		}
	}
	if err := b.createSchemas(ctx, order); err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, m := range order {
		index[m.Name] = i
	}
	// waiting[i] counts the selected models i still waits for (through ephemeral models too).
	deps := make([][]int, len(order))
	waiting := make([]int, len(order))
	dependents := make([][]int, len(order))
	for i, m := range order {
		for _, up := range builtUpstream(p, m) {
			if j, ok := index[up]; ok {
				deps[i] = append(deps[i], j)
				dependents[j] = append(dependents[j], i)
				waiting[i]++
			}
		}
	}
	results := make([]ModelResult, len(order))
	for i, m := range order {
		results[i] = ModelResult{Model: m, Materialized: m.Config.Materialized,
			Relation: b.Warehouse.Dialect().QuoteIdent(m.Config.Schema, m.Identifier())}
	}
	par := b.Parallelism
	if par <= 0 {
		par = 4
	}
	type done struct{ i int }
	doneCh := make(chan done)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var ready []int
	for i := range order {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	blocked := make([]string, len(order)) // the failed upstream that skips i
	for i, m := range order {
		for _, id := range opts.FailedSources {
			if readsSource(p, m, id) {
				blocked[i] = id
				break
			}
		}
	}
	finished := 0
	running := 0
	start := func(i int) {
		running++
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = b.buildOne(ctx, tr, p, order[i], opts, results[i])
			doneCh <- done{i}
		}()
	}
	for finished < len(order) {
		for len(ready) > 0 {
			i := ready[0]
			ready = ready[1:]
			if blocked[i] != "" || ctx.Err() != nil {
				results[i].Status = StatusSkipped
				results[i].SkippedBecause = blocked[i]
				if blocked[i] == "" {
					results[i].Error = ctx.Err()
				}
				finished++
				for _, c := range dependents[i] {
					if blocked[c] == "" {
						blocked[c] = blocked[i] // skipped i carries the reason on
					}
					waiting[c]--
					if waiting[c] == 0 {
						ready = append(ready, c)
					}
				}
				continue
			}
			start(i)
		}
		if running == 0 {
			continue
		}
		d := <-doneCh
		running--
		finished++
		r := results[d.i]
		for _, c := range dependents[d.i] {
			if (r.Status != StatusSuccess || r.ChecksFailed) && blocked[c] == "" {
				blocked[c] = order[d.i].Name
			}
			waiting[c]--
			if waiting[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	wg.Wait()
	return results, ctx.Err()
}

// readsSource reports whether m reads the source id directly or through ephemeral models.
func readsSource(p *Project, m *Model, id string) bool {
	for _, d := range m.DependsOn {
		if d == id {
			return true
		}
		if name, ok := strings.CutPrefix(d, "model."); ok {
			if dep := p.Models[name]; dep != nil && !dep.Built() && readsSource(p, dep, id) {
				return true
			}
		}
	}
	return false
}

// builtUpstream lists the models m waits for: its refs, looking through ephemeral models
// (which are inlined) to what they read.
func builtUpstream(p *Project, m *Model) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(m *Model)
	walk = func(m *Model) {
		for _, id := range m.DependsOn {
			name, ok := strings.CutPrefix(id, "model.")
			if !ok || seen[name] {
				continue
			}
			seen[name] = true
			dep := p.Models[name]
			if dep == nil {
				continue
			}
			if dep.Built() {
				out = append(out, name)
			} else {
				walk(dep)
			}
		}
	}
	walk(m)
	return out
}

func (b *Builder) createSchemas(ctx context.Context, models []*Model) error {
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.Config.Schema] {
			continue
		}
		seen[m.Config.Schema] = true
		if err := b.Warehouse.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+b.Warehouse.Dialect().QuoteIdent(m.Config.Schema)); err != nil {
			return fmt.Errorf("create schema %s: %w", m.Config.Schema, err)
		}
	}
	return nil
}

// buildOne compiles and materializes one model, then runs AfterModel.
func (b *Builder) buildOne(ctx context.Context, tr warehouse.Transactor, p *Project, m *Model, opts BuildOptions, res ModelResult) ModelResult {
	res.StartedAt = b.Now()
	t0 := time.Now()
	fail := func(err error) ModelResult {
		res.Status = StatusError
		res.Error = fmt.Errorf("model %s (%s): %w", m.Name, m.Path, err)
		res.ElapsedSeconds = time.Since(t0).Seconds()
		b.Log.Error("model failed", "model", m.Name, "error", err)
		return res
	}
	err := tr.InTx(ctx, func(ctx context.Context, tx warehouse.Execer) error {
		incremental := false
		if m.Config.Materialized == Incremental && !opts.FullRefresh {
			kind, err := relationKind(ctx, tx, m.Config.Schema, m.Identifier())
			if err != nil {
				return err
			}
			incremental = kind == "table"
		}
		c, err := p.Compile(m, incremental)
		if err != nil {
			return err
		}
		res.CompiledHash = c.Hash
		var out materialized
		switch {
		case m.Config.Materialized == View:
			out, err = b.materializeView(ctx, tx, m, c.SQL)
		case m.Config.Materialized == Table || m.Config.Materialized == Incremental && !incremental:
			out, err = b.materializeTable(ctx, tx, m, c.SQL)
		default:
			res.Incremental = true
			out, err = b.materializeIncremental(ctx, tx, m, c.SQL)
		}
		if err != nil {
			return err
		}
		res.Rows, res.Inserted, res.Updated = out.rows, out.inserted, out.updated
		res.AddedColumns, res.RemovedColumns = out.added, out.removed
		return nil
	})
	if err != nil {
		return fail(err)
	}
	res.Status = StatusSuccess
	res.ElapsedSeconds = time.Since(t0).Seconds() // the model's own time; its checks are reported apart
	b.Log.Info("model built", "model", m.Name, "materialized", m.Config.Materialized, "rows", res.Rows)
	if b.AfterModel != nil {
		ok, err := b.AfterModel(ctx, m)
		if err != nil {
			res.ChecksFailed = true
			res.Error = fmt.Errorf("checks of model %s: %w", m.Name, err)
		} else if !ok {
			res.ChecksFailed = true
		}
	}
	return res
}
