package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/internal/lock"
	"github.com/revops/revops/pipelines"
	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse/duckdb"
)

func checkCommand() *command {
	f := &selectFlags{}
	var warnError, noFuse bool
	return &command{
		name: "check", summary: "run the checks of sources and models against what is already loaded",
		examples: []string{
			"revops check",
			"revops check --select fct_bookings          # that model's checks",
			"revops check --select source:crm --warn-error",
		},
		flags: func(fs *flag.FlagSet) {
			f.declare(fs)
			fs.BoolVar(&warnError, "warn-error", false, "exit 2 when a check warns (and none failed)")
			fs.BoolVar(&noFuse, "no-fuse", false, "run each check as its own query instead of fusing the checks of a table into one scan")
		},
		run: func(ctx context.Context, c *cli, args []string) int {
			p, tp, ids, code := c.loadSelection("check", args, f)
			if tp == nil {
				return code
			}
			specs, err := pipelines.CheckSpecs(tp)
			if err != nil {
				c.errorf("check", "%v", err)
				return exitConfig
			}
			var selected []checks.Spec
			for _, s := range specs {
				id := "model." + s.Target.Name
				if s.Target.Kind == "source" {
					id = "source." + s.Target.Name
				}
				if ids[id] {
					selected = append(selected, s)
				}
			}
			runID := newRunID(c.env.now())
			lk, code := c.lock("check", p, true, lock.Held{Command: "check", RunID: runID, Since: c.env.now().UTC()})
			if lk == nil {
				return code
			}
			defer lk.Release()
			rep := &pipelines.Report{RunID: runID, Command: "check", Version: version, Project: p.Dir,
				StartedAt: c.env.now().UTC(), Vars: p.Vars, Status: "success"}
			code = c.runChecks(ctx, p.WarehousePath(), selected, warnError, !noFuse, rep)
			code = c.finish("check", p, rep, code)
			if rep.ChecksOutcome != "" {
				fmt.Fprintf(c.stdout, "%s (exit %d)\n", rep.ChecksOutcome, code)
			} else if len(selected) == 0 {
				fmt.Fprintln(c.stdout, "no checks are declared on the selected models and sources")
			}
			return code
		},
	}
}

func (c *cli) runChecks(ctx context.Context, path string, specs []checks.Spec, warnError, fuse bool, rep *pipelines.Report) int {
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		rep.Status, rep.Error = "error", err.Error()
		c.errorf("check", "%v", err)
		return exitRuntime
	}
	defer wh.Close()
	if err := errors.Join(state.New(wh).Init(ctx), checks.EnsureHistory(ctx, wh)); err != nil {
		rep.Status, rep.Error = "error", err.Error()
		c.errorf("check", "%v", err)
		return exitRuntime
	}
	runner := &checks.Runner{Warehouse: wh, Now: c.env.now, Log: c.log, Fuse: fuse}
	results, err := runner.Run(ctx, specs)
	if err != nil {
		if ctx.Err() != nil {
			rep.Status, rep.Error = "canceled", "interrupted"
			return exitCanceled
		}
		rep.Status, rep.Error = "error", err.Error()
		c.errorf("check", "%v", err)
		return exitRuntime
	}
	return c.recordChecks(ctx, wh, rep, results, warnError, exitOK)
}
