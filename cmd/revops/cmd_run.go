package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/config"
	"github.com/revops/revops/internal/lock"
	"github.com/revops/revops/models"
	"github.com/revops/revops/pipelines"
	"github.com/revops/revops/state"
	"github.com/revops/revops/transform"
	"github.com/revops/revops/warehouse/duckdb"
)

// runFlags are the flags of run and extract.
type runFlags struct {
	selectors   listFlag
	excludes    listFlag
	fullRefresh bool
	vars        string
	warnError   bool
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set splits on spaces (a union, as in dbt); commas stay inside a selector, where run and build
// read them as an intersection and extract as a list.
func (l *listFlag) Set(v string) error {
	for _, part := range strings.Fields(v) {
		*l = append(*l, part)
	}
	return nil
}

func (f *runFlags) declare(fs *flag.FlagSet) {
	fs.Var(&f.selectors, "select", "only these (repeatable; see SELECTION in revops help)")
	fs.Var(&f.excludes, "exclude", "skip these (same syntax as --select)")
	fs.BoolVar(&f.fullRefresh, "full-refresh", false, "ignore saved cursors and replace each table with a full read; rebuild incremental models")
	fs.StringVar(&f.vars, "vars", "", "override project vars, as YAML or JSON: '{as_of_date: 2026-10-31}'")
	fs.BoolVar(&f.warnError, "warn-error", false, "exit 2 when a check warns (and nothing worse happened)")
}

func runCommand() *command {
	f := &runFlags{}
	return &command{
		name: "run", summary: "run the project: extract the sources, build the models, write the exports",
		examples: []string{
			"revops run",
			"revops run --project ./acme --select crm",
			"revops run --select source:crm+    # extract crm, then build everything downstream of it",
			"revops run --select +fct_bookings  # the model, its upstream models and the streams they read",
			"revops run --full-refresh --select billing.subscriptions",
			"revops run --vars '{as_of_date: 2026-10-31}'",
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			return c.execute(ctx, "run", args, f)
		},
	}
}

func extractCommand() *command {
	f := &runFlags{}
	return &command{
		name: "extract", summary: "extract sources into the warehouse, nothing else",
		examples: []string{
			"revops extract",
			"revops extract --select crm.opportunities --log-format json",
			"revops extract --exclude billing --full-refresh",
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			return c.execute(ctx, "extract", args, f)
		},
	}
}

// job is what one invocation of run, extract or build will do.
type job struct {
	plan    *pipelines.Plan    // streams to extract
	tp      *transform.Project // nil for extract
	models  []*transform.Model // models to build, in DAG order
	sources []*transform.Source
	specs   []checks.Spec // the project's checks
}

// execute validates everything (config, connectors, models, selection) before it takes the lock
// and runs the job.
func (c *cli) execute(ctx context.Context, name string, args []string, f *runFlags) int {
	if len(args) > 0 {
		c.errorf(name, "unexpected argument %q (use --select to choose what runs)", args[0])
		return exitConfig
	}
	p, code := c.loadProject(name)
	if p == nil {
		return code
	}
	j, err := c.plan(name, p, f)
	if err != nil {
		c.errorf(name, "%v", err)
		return exitConfig
	}
	runID := newRunID(c.env.now())
	lk, code := c.lock(name, p, true, lock.Held{Command: name, RunID: runID, Since: c.env.now().UTC()})
	if lk == nil {
		return code
	}
	defer lk.Release()

	rep := &pipelines.Report{RunID: runID, Command: name, Version: version, Project: p.Dir,
		StartedAt: c.env.now().UTC(), Vars: p.Vars}
	code = c.pipeline(ctx, p, j, f, rep)
	return c.finish(name, p, rep, code)
}

// plan builds the job: extract keeps its source/stream selection; run and build select over
// streams and models together.
func (c *cli) plan(name string, p *config.Project, f *runFlags) (*job, error) {
	if err := p.MergeVars(f.vars); err != nil {
		return nil, err
	}
	plan, err := pipelines.Build(p, sources(), c.env.lookupEnv, c.env.now)
	if err != nil {
		return nil, err
	}
	if name == "extract" {
		split := func(l []string) []string {
			var out []string
			for _, s := range l {
				out = append(out, strings.Split(s, ",")...)
			}
			return out
		}
		plan, err = plan.Select(split(f.selectors), split(f.excludes))
		return &job{plan: plan}, err
	}
	tp, err := c.loadModels(p, plan)
	if err != nil {
		return nil, err
	}
	sel, err := pipelines.Select(tp, plan, f.selectors, f.excludes)
	if err != nil {
		return nil, err
	}
	specs, err := pipelines.CheckSpecs(tp)
	if err != nil {
		return nil, err
	}
	j := &job{plan: sel.Plan, tp: tp, models: sel.Models, specs: specs}
	for _, s := range sel.Plan.Streams {
		j.sources = append(j.sources, tp.Sources["source."+s.Source+"."+s.Stream.Name])
	}
	if name == "build" {
		j.plan, j.sources = &pipelines.Plan{}, nil
	}
	return j, nil
}

func (c *cli) loadModels(p *config.Project, plan *pipelines.Plan) (*transform.Project, error) {
	return pipelines.LoadModels(p, plan, duckdb.Dialect{}, models.FS(), c.env.lookupEnv)
}

// lock takes the project lock (exclusive for writers, shared for readers); when another process
// holds it, it prints who and returns the lock exit code.
func (c *cli) lock(cmdName string, p *config.Project, exclusive bool, who lock.Held) (*lock.Lock, int) {
	lk, err := lock.Acquire(filepath.Join(p.TargetDir(), "revops.lock"), exclusive, who)
	if err != nil {
		c.errorf(cmdName, "%v", err)
		if errors.Is(err, lock.ErrHeld) {
			return nil, exitLocked
		}
		return nil, exitRuntime
	}
	return lk, exitOK
}

// pipeline opens the warehouse and runs the steps, filling rep; it returns the exit code.
func (c *cli) pipeline(ctx context.Context, p *config.Project, j *job, f *runFlags, rep *pipelines.Report) int {
	fail := func(err error) int {
		if ctx.Err() != nil {
			rep.Status, rep.Error = "canceled", "interrupted"
			return exitCanceled
		}
		rep.Status, rep.Error = "error", err.Error()
		c.errorf(rep.Command, "%v", err)
		return exitRuntime
	}
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: p.WarehousePath(), Threads: p.Warehouse.Threads, MemoryLimit: p.Warehouse.MemoryLimit})
	if err != nil {
		return fail(err)
	}
	defer wh.Close()
	st := state.New(wh)
	if err := errors.Join(st.Init(ctx), checks.EnsureHistory(ctx, wh)); err != nil {
		return fail(err)
	}
	if err := st.CloseAbandoned(ctx, c.env.now()); err != nil {
		return fail(err)
	}
	if err := st.StartRun(ctx, state.Run{ID: rep.RunID, Command: rep.Command, StartedAt: rep.StartedAt, Version: version}); err != nil {
		return fail(err)
	}
	code := exitOK
	rep.Status = "success"
	var failedStreams []string
	if len(j.plan.Streams) > 0 {
		prog := newProgress(c.stderr, c.env.isTerminal(c.stderr), c.env.now, len(j.plan.Streams))
		ex := &pipelines.Extractor{
			Warehouse: wh, State: st, Log: c.log, Now: c.env.now, Parallelism: p.Extract.Parallelism,
			CommitRows: p.Extract.CommitRows, Progress: prog, FailPoint: c.failPoint(),
		}
		streams, exErr := ex.Run(ctx, j.plan, pipelines.ExtractOptions{RunID: rep.RunID, FullRefresh: f.fullRefresh})
		prog.finish()
		rep.AddExtract(streams)
		for _, s := range streams {
			if s.Status != "success" {
				failedStreams = append(failedStreams, "source."+s.Name)
			}
		}
		if exErr != nil {
			rep.Status, rep.Error, code = "error", exErr.Error(), exitRuntime
		}
	}
	if j.tp != nil && ctx.Err() == nil {
		if err := c.writeManifest(p, j.tp, j.specs); err != nil {
			rep.Status, rep.Error, code = "error", err.Error(), exitRuntime
		}
		code = max(code, c.buildModels(ctx, wh, p, j, f, rep, failedStreams))
	}
	if ctx.Err() != nil {
		rep.Status, rep.Error, code = "canceled", "interrupted", exitCanceled
	}
	if rep.Command != "build" {
		exports, expErr := pipelines.Exports(ctx, wh, p, code != exitOK, c.env.now)
		rep.AddSteps("export", exports)
		if expErr != nil && code == exitOK {
			rep.Status, rep.Error, code = "error", expErr.Error(), exitRuntime
		}
	}
	fin := state.Run{ID: rep.RunID, EndedAt: c.env.now(), Status: rep.Status, Rows: rep.RowsLoaded, Error: rep.Error}
	if err := st.FinishRun(context.WithoutCancel(ctx), fin); err != nil {
		c.errorf(rep.Command, "%v", err)
		code = max(code, exitRuntime)
	}
	return code
}

// buildModels runs the source checks of what was extracted, then builds the models with their
// checks; it records everything in rep and returns the exit code: 3 when a model failed, else 1
// when an error-severity check failed, else the checks' outcome.
func (c *cli) buildModels(ctx context.Context, wh *duckdb.Warehouse, p *config.Project, j *job, f *runFlags, rep *pipelines.Report, failedStreams []string) int {
	code := exitOK
	runner := &checks.Runner{Warehouse: wh, Now: c.env.now, Log: c.log, Fuse: true}
	cr := pipelines.NewCheckRun(runner, j.specs, j.models, j.sources)
	var extracted []*transform.Source
	for _, s := range j.sources {
		if !slices.Contains(failedStreams, s.UniqueID()) {
			extracted = append(extracted, s)
		}
	}
	failedChecks, err := cr.Sources(ctx, extracted)
	if err != nil {
		rep.Status, rep.Error, code = "error", err.Error(), exitRuntime
	}
	b := &transform.Builder{Warehouse: wh, Parallelism: p.Models.Threads, Log: c.log, Now: c.env.now, AfterModel: cr.AfterModel}
	results, err := b.Build(ctx, j.tp, j.models, transform.BuildOptions{FullRefresh: f.fullRefresh,
		FailedSources: append(slices.Clone(failedStreams), failedChecks...)})
	rep.AddModels(results)
	for _, r := range results {
		if r.Status == transform.StatusError && code == exitOK {
			rep.Status, rep.Error, code = "error", r.Error.Error(), exitRuntime
		}
	}
	if err != nil && code == exitOK {
		rep.Status, rep.Error, code = "error", err.Error(), exitRuntime
	}
	if err := cr.Finish(ctx); err != nil && code == exitOK {
		rep.Status, rep.Error, code = "error", err.Error(), exitRuntime
	}
	return c.recordChecks(ctx, wh, rep, cr.Results(), f.warnError, code)
}

// recordChecks adds check results to the report and the history table and folds their outcome
// into code: a runtime error (3) stays; else a failed check gives 1, warnings with --warn-error 2.
func (c *cli) recordChecks(ctx context.Context, wh *duckdb.Warehouse, rep *pipelines.Report, results []checks.Result, warnError bool, code int) int {
	if len(results) == 0 {
		return code
	}
	rep.AddChecks(results)
	if err := checks.SaveResults(context.WithoutCancel(ctx), wh, rep.RunID, results); err != nil {
		c.errorf(rep.Command, "%v", err)
		return max(code, exitRuntime)
	}
	chk, reason := checks.Outcome(results, warnError)
	rep.ChecksOutcome = reason
	if code != exitOK {
		return code
	}
	switch chk {
	case exitCheck, exitRuntime:
		rep.Status, rep.Error = "error", reason
	case exitWarn:
		rep.Status = "warn"
	}
	return chk
}

// summary prints what the run did, for people.
func (c *cli) summary(rep *pipelines.Report) {
	tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATUS\tROWS\tINSERTED\tUPDATED\tSECONDS\t")
	var results []checks.Result
	for _, s := range rep.Steps {
		if s.Check != nil {
			results = append(results, *s.Check)
			continue
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%d\t%d\t%d\t%.2f\t\n", s.Kind, s.Name, s.Status, s.Rows, s.Inserted, s.Updated, s.ElapsedSeconds)
	}
	tw.Flush()
	if len(results) > 0 {
		fmt.Fprintln(c.stdout)
		if err := checks.Summary(c.stdout, results); err != nil {
			c.errorf(rep.Command, "%v", err)
		}
	}
	fmt.Fprintf(c.stdout, "\n%s %s in %.2fs: %d rows loaded (run %s)\nresults: %s\n", rep.Command, rep.Status,
		rep.ElapsedSeconds, rep.RowsLoaded, rep.RunID, filepath.Join(rep.Project, "target", "run_results.json"))
	for _, s := range rep.Steps {
		if s.Error != "" && s.Check == nil {
			fmt.Fprintf(c.stdout, "\n%s %s failed:\n  %s\n", s.Kind, s.Name, strings.ReplaceAll(s.Error, "\n", "\n  "))
		}
	}
}

// failPoint reads REVOPS_FAILPOINT=point:stream:action for crash drills; unset, it is nil.
// point is before-cursor or after-cursor (inside the commit's transaction), stream is
// source.stream or *, and action is crash (exit at once with 137, as a kill would), crash@N (the
// same, the Nth time the point is reached), error (fail the commit) or block:PATH (wait until PATH
// exists, holding the transaction open).
func (c *cli) failPoint() func(point, stream string) error {
	spec, ok := c.env.lookupEnv("REVOPS_FAILPOINT")
	if !ok || spec == "" {
		return nil
	}
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) != 3 {
		return nil
	}
	var hits atomic.Int64
	return func(point, stream string) error {
		if point != parts[0] || (parts[1] != "*" && parts[1] != stream) {
			return nil
		}
		hit := hits.Add(1)
		action, arg, _ := strings.Cut(parts[2], ":")
		if n, ok := strings.CutPrefix(action, "crash@"); ok {
			if strconv.FormatInt(hit, 10) != n {
				return nil
			}
			action = "crash"
		}
		switch action {
		case "crash":
			c.env.exit(137)
		case "block":
			for {
				if _, err := os.Stat(arg); err == nil {
					return nil
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		return fmt.Errorf("failpoint %s reached", spec)
	}
}

func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
