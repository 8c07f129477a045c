package checks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/warehouse"
)

// Runner evaluates checks against a warehouse. Its fields are its dependencies; the zero
// value of each optional field has a default. A Runner may be used by several goroutines.
type Runner struct {
	Warehouse   warehouse.Warehouse
	Now         func() time.Time // "now" for freshness and anomaly windows; default time.Now
	Parallelism int              // concurrent queries (default 4)
	Log         *slog.Logger     // may be nil
	// Fuse computes the aggregate checks of one relation in one scan (the CLI's default);
	// false runs one query per check, as dbt tests and Soda checks do (for comparison).
	Fuse bool
}

// aggregator is a kind whose measures join the fused aggregate scan of its target.
type aggregator interface {
	checker
	// plan registers the check's measures on s and says how to judge them.
	plan(s *scan, sp *Spec, g *sqlb) planned
}

// planned is an aggregator's part of a scan.
type planned struct {
	// eval turns the scan's result row into an outcome.
	eval func(vals []any) outcome
	// failing, when set, is the predicate of the rows that fail the check (the spec's where
	// filter applies too); when the check does not pass, a second scan picks the first Sample
	// of them, ordered by keys, for all such checks of the relation at once.
	failing string
	keys    []string
}

// sampler is an aggregator whose failing rows depend on other rows (duplicates), so they
// cannot be picked by a row predicate; sampleSQL returns the query that lists them.
type sampler interface {
	sampleSQL(sp *Spec, g *sqlb) (sql string, keys []string)
}

// solo is a kind that runs its own queries.
type solo interface {
	checker
	run(ctx context.Context, e *env, sp *Spec) (outcome, error)
}

// outcome is what a kind observed; the runner turns it into a Result.
type outcome struct {
	observed *float64
	rate     *float64 // percent of the kind's denominator, for percent thresholds
	inf      bool     // no value, but judged as +∞ (freshness of an empty table)
	failing  int64
	text     string
	message  string
	sample   []map[string]any
	sql      []string
	skipped  string // non-empty: the check was skipped for this reason
	err      error  // the check could not be evaluated
}

func (o *outcome) set(v float64) { o.observed = &v }

func (o *outcome) setRate(part, whole int64) {
	r := 0.0
	if whole > 0 {
		r = float64(part) / float64(whole) * 100
	}
	o.rate = &r
}

// env is what a solo check needs to run.
type env struct {
	wh  warehouse.Warehouse
	now time.Time
	log *slog.Logger
}

func (e *env) sql() *sqlb { return newSQL(e.wh.Dialect()) }

// query runs one query of a check, recording its text in o.
// queryOne runs sql (recording it in o) and returns its only row.
func (e *env) queryOne(ctx context.Context, o *outcome, sql string) ([]any, error) {
	rs, err := e.query(ctx, o, sql)
	if err != nil {
		return nil, err
	}
	return rs.one()
}

func (e *env) query(ctx context.Context, o *outcome, sql string) (*rows, error) {
	o.sql = append(o.sql, sql)
	start := time.Now()
	r, err := query(ctx, e.wh, sql)
	e.log.Debug("check query", "seconds", time.Since(start).Seconds(), "error", err)
	return r, err
}

// Run evaluates specs and returns one Result per spec, in input order. The error return means
// the runner itself could not work (no warehouse, ctx canceled); a check that cannot be
// evaluated is a Result with Status "error" and the reason in Error.
func (r *Runner) Run(ctx context.Context, specs []Spec) ([]Result, error) {
	if r.Warehouse == nil {
		return nil, errors.New("checks: Runner has no Warehouse")
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &env{wh: r.Warehouse, now: now(), log: log}
	results := make([]Result, len(specs))
	for i := range specs {
		results[i] = newResult(&specs[i], e.now)
	}
	if name := r.Warehouse.Dialect().Name(); name != "duckdb" {
		for i := range results {
			results[i].Status = StatusError
			results[i].Error = fmt.Sprintf("checks are implemented for DuckDB only; the warehouse is %s", name)
		}
		return results, nil
	}
	jobs := r.plan(e, specs, results)
	par := r.Parallelism
	if par <= 0 {
		par = 4
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			j(ctx)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		for i := range results {
			if results[i].Status == "" {
				results[i].Status, results[i].Error = StatusError, "not run: "+err.Error()
			}
		}
		return results, fmt.Errorf("run checks: %w", err)
	}
	return results, nil
}

// plan makes the jobs: one per fused scan (per relation; per check when not fusing) and one
// per solo check. Each job writes only its own results.
func (r *Runner) plan(e *env, specs []Spec, results []Result) []func(context.Context) {
	var jobs []func(context.Context)
	groups := map[string][]int{}
	var order []string
	for i := range specs {
		sp := &specs[i]
		switch sp.check.(type) {
		case aggregator:
			if !r.Fuse {
				idx := []int{i}
				jobs = append(jobs, func(ctx context.Context) { runScan(ctx, e, specs, results, idx, false) })
				continue
			}
			key := newSQL(e.wh.Dialect()).rel(sp.Target)
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], i)
		case solo:
			jobs = append(jobs, func(ctx context.Context) { runSolo(ctx, e, sp, &results[i]) })
		default:
			results[i].Status, results[i].Error = StatusError, "internal: kind "+sp.Kind+" has no runner"
		}
	}
	fused := make([]func(context.Context), 0, len(order))
	for _, key := range order {
		idx := groups[key]
		fused = append(fused, func(ctx context.Context) { runScan(ctx, e, specs, results, idx, true) })
	}
	// Scans first: they are the long queries, so start them before the short ones.
	return append(fused, jobs...)
}

// runScan computes the checks idx (aggregators on one relation) in one scan: one aggregate
// query (plus one for DISTINCT measures, if any, and — fused — the shortcuts of scanexec.go),
// then one more query picking the sample rows of the checks that did not pass. If the scan fails and holds several checks, each is run
// alone, so an error is reported by the check that caused it and the others still evaluate.
func runScan(ctx context.Context, e *env, specs []Spec, results []Result, idx []int, fuse bool) {
	g := e.sql()
	s := newScan(g.rel(specs[idx[0]].Target), e.now)
	s.parts = specs[idx[0]].Target.Relation
	plans := make([]planned, len(idx))
	for k, i := range idx {
		s.owner = k
		plans[k] = specs[i].check.(aggregator).plan(s, &specs[i], g)
	}
	if g.err != nil {
		for _, i := range idx {
			results[i].Status, results[i].Error = StatusError, "render check SQL: "+g.err.Error()
		}
		return
	}
	start := time.Now()
	vals, done, err := s.execute(ctx, e.wh, g, fuse)
	elapsed := time.Since(start).Seconds()
	var sqls []string
	for _, q := range done {
		sqls = append(sqls, q.sql)
	}
	e.log.Debug("check scan", "relation", s.rel, "checks", len(idx), "measures", len(s.measures), "queries", len(done), "seconds", elapsed, "error", err)
	if err != nil {
		if len(idx) > 1 && ctx.Err() == nil {
			for _, i := range idx {
				runScan(ctx, e, specs, results, []int{i}, fuse)
			}
			return
		}
		for _, i := range idx {
			results[i].Status, results[i].Error = StatusError, err.Error()
			results[i].SQL = sqls
			results[i].ElapsedSeconds = elapsed
		}
		return
	}
	// The queries each check's measures came from.
	used := make([][]string, len(idx))
	for _, q := range done {
		for _, m := range q.cols {
			for _, k := range s.owners[m] {
				if !contains(used[k], q.sql) {
					used[k] = append(used[k], q.sql)
				}
			}
		}
	}
	var picks []int // checks whose failing rows a predicate picks
	for k, i := range idx {
		sp := &specs[i]
		o := plans[k].eval(vals)
		o.sql = append(used[k], o.sql...)
		res := &results[i]
		res.ElapsedSeconds = elapsed
		finish(sp, res, o)
		if sp.Sample == 0 || (res.Status != StatusFail && res.Status != StatusWarn) {
			continue
		}
		if plans[k].failing != "" {
			picks = append(picks, k)
		} else if sm, ok := sp.check.(sampler); ok {
			sampleRowsOf(ctx, e, sp, res, sm)
		}
	}
	// The failing rows: one query per key list, of one top-n subquery per check. An engine stops
	// each early (a top-n over a filtered scan of the columns it needs), where a single
	// aggregate of per-check top-n lists keeps a heap per check over every failing row.
	byKeys := map[string][]int{}
	var keyOrder []string
	for _, k := range picks {
		kk := strings.Join(plans[k].keys, "\x00")
		if _, ok := byKeys[kk]; !ok {
			keyOrder = append(keyOrder, kk)
		}
		byKeys[kk] = append(byKeys[kk], k)
	}
	for _, kk := range keyOrder {
		group := byKeys[kk]
		keys := plans[group[0]].keys
		cols := join(g.idents(keys, ""))
		subs := make([]string, len(group))
		for n, k := range group {
			sp := &specs[idx[k]]
			subs[n] = "(SELECT " + strconv.Itoa(k) + " AS " + g.ident(sampleCheckColumn) + ", " + cols + " FROM " + s.rel +
				" WHERE " + and(sp.Where, plans[k].failing) + " ORDER BY " + cols + " LIMIT " + strconv.Itoa(sp.Sample) + ")"
		}
		sql := "SELECT * FROM (\n" + strings.Join(subs, "\nUNION ALL\n") + "\n) ORDER BY " + g.ident(sampleCheckColumn) + ", " + cols
		t := time.Now()
		rs, err := query(ctx, e.wh, sql)
		took := time.Since(t).Seconds()
		got := map[int][]map[string]any{}
		if err == nil {
			for _, row := range rs.data {
				k := int(asInt(row[0]))
				m := make(map[string]any, len(keys))
				for c, name := range keys {
					m[name] = sampleValue(row[1+c])
				}
				got[k] = append(got[k], m)
			}
		}
		for _, k := range group {
			res := &results[idx[k]]
			res.SQL = append(res.SQL, sql)
			res.ElapsedSeconds += took
			if err != nil {
				res.Message = appendMsg(res.Message, "could not list failing rows: "+err.Error())
				continue
			}
			res.Sample = got[k]
		}
	}
}

// sampleCheckColumn numbers each check's rows in a sample query.
const sampleCheckColumn = "_revops_check"

// sampleRowsOf runs a sampler's own query for the failing rows.
func sampleRowsOf(ctx context.Context, e *env, sp *Spec, res *Result, sm sampler) {
	t := time.Now()
	g := e.sql()
	sq, keys := sm.sampleSQL(sp, g)
	res.SQL = append(res.SQL, sq)
	rows, err := query(ctx, e.wh, sq)
	if err == nil && g.err != nil {
		err = g.err
	}
	if err != nil {
		res.Message = appendMsg(res.Message, "could not list failing rows: "+err.Error())
	} else {
		res.Sample = rowMaps(rows, keys)
	}
	res.ElapsedSeconds += time.Since(t).Seconds()
}

func runSolo(ctx context.Context, e *env, sp *Spec, res *Result) {
	start := time.Now()
	o, err := sp.check.(solo).run(ctx, e, sp)
	res.ElapsedSeconds = time.Since(start).Seconds()
	if err != nil {
		res.Status, res.Error, res.SQL = StatusError, err.Error(), o.sql
		return
	}
	finish(sp, res, o)
}

// finish judges an outcome against the spec's conditions and fills the result.
func finish(sp *Spec, res *Result, o outcome) {
	res.SQL = o.sql
	res.ObservedText = o.text
	res.Message = o.message
	res.FailingRows = o.failing
	if o.err != nil {
		res.Status, res.Error = StatusError, o.err.Error()
		return
	}
	if o.skipped != "" {
		res.Status, res.Message = StatusSkipped, o.skipped
		return
	}
	if o.observed == nil && !o.inf {
		res.Status, res.Error = StatusError, "internal: no observed value"
		return
	}
	obs := math.Inf(1)
	if o.observed != nil {
		v := *o.observed
		res.Observed = &v
		obs = v
	}
	rate := o.rate
	if sp.check.info().percent && o.observed != nil {
		rate = &obs
	}
	if rate != nil {
		r := *rate
		res.Rate = &r
	}
	switch {
	case sp.errorIf.met(obs, rate):
		res.Status = StatusFail
		if sp.Severity == SeverityWarn {
			res.Status = StatusWarn
		}
	case sp.warnIf.met(obs, rate):
		res.Status = StatusWarn
	default:
		res.Status = StatusPass
	}
	if res.Status != StatusPass && sp.Sample > 0 {
		res.Sample = o.sample
		if len(res.Sample) > sp.Sample {
			res.Sample = res.Sample[:sp.Sample]
		}
	}
}

func appendMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// rowMaps converts query rows to maps of the named columns (the first len(keys) columns).
func rowMaps(r *rows, keys []string) []map[string]any {
	out := make([]map[string]any, 0, len(r.data))
	for _, row := range r.data {
		m := make(map[string]any, len(keys))
		for i, k := range keys {
			if i < len(row) {
				m[k] = sampleValue(row[i])
			}
		}
		out = append(out, m)
	}
	return out
}
