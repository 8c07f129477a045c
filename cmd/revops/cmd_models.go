package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/config"
	"github.com/revops/revops/pipelines"
	"github.com/revops/revops/transform"
)

func buildCommand() *command {
	f := &runFlags{}
	return &command{
		name: "build", summary: "build the models (and run their checks) in DAG order, from what is already loaded",
		examples: []string{
			"revops build",
			"revops build --select +fct_bookings   # the model and everything upstream of it",
			"revops build --select tag:nightly --exclude path:models/staging",
			"revops build --select fct_pipeline_snapshot --full-refresh",
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			return c.execute(ctx, "build", args, f)
		},
	}
}

// selectFlags are the flags of compile and ls.
type selectFlags struct {
	selectors listFlag
	excludes  listFlag
	vars      string
	output    string
	resource  string
}

func (f *selectFlags) declare(fs *flag.FlagSet) {
	fs.Var(&f.selectors, "select", "only these (see SELECTION in revops help)")
	fs.Var(&f.excludes, "exclude", "skip these")
	fs.StringVar(&f.vars, "vars", "", "override project vars, as YAML or JSON: '{as_of_date: 2026-10-31}'")
}

func compileCommand() *command {
	f := &selectFlags{}
	return &command{
		name: "compile", summary: "render the models' SQL into target/compiled and write target/manifest.json; runs nothing",
		examples: []string{
			"revops compile",
			"revops compile --select fct_bookings --vars '{as_of_date: 2026-10-31}'",
		},
		flags: f.declare,
		run: func(ctx context.Context, c *cli, args []string) int {
			p, tp, ids, code := c.loadSelection("compile", args, f)
			if tp == nil {
				return code
			}
			ms := tp.ModelsOf(ids)
			dir := filepath.Join(p.TargetDir(), "compiled")
			files, err := tp.WriteCompiled(dir, ms)
			if err != nil {
				c.errorf("compile", "%v", err)
				return exitConfig
			}
			specs, err := pipelines.CheckSpecs(tp)
			if err != nil {
				c.errorf("compile", "%v", err)
				return exitConfig
			}
			if err := c.writeManifest(p, tp, specs); err != nil {
				c.errorf("compile", "%v", err)
				return exitRuntime
			}
			fmt.Fprintf(c.stdout, "compiled %d models into %s (%d files); manifest: %s\n", len(ms), dir, len(files),
				filepath.Join(p.TargetDir(), "manifest.json"))
			return exitOK
		},
	}
}

func lsCommand() *command {
	f := &selectFlags{}
	return &command{
		name: "ls", summary: "list the project's models and sources (what a selection would pick)",
		examples: []string{
			"revops ls",
			"revops ls --select +fct_bookings --resource-type model",
			"revops ls --output json",
		},
		flags: func(fs *flag.FlagSet) {
			f.declare(fs)
			fs.StringVar(&f.output, "output", "table", "table or json")
			fs.StringVar(&f.resource, "resource-type", "", "model or source (default: both)")
		},
		run: func(ctx context.Context, c *cli, args []string) int {
			if f.output != "table" && f.output != "json" {
				c.errorf("ls", "--output %q: expected table or json", f.output)
				return exitConfig
			}
			if f.resource != "" && f.resource != "model" && f.resource != "source" {
				c.errorf("ls", "--resource-type %q: expected model or source", f.resource)
				return exitConfig
			}
			_, tp, ids, code := c.loadSelection("ls", args, f)
			if tp == nil {
				return code
			}
			return c.listResources(tp, ids, f)
		},
	}
}

// resource is one line of ls.
type resource struct {
	UniqueID     string   `json:"unique_id"`
	Type         string   `json:"resource_type"`
	Name         string   `json:"name"`
	Materialized string   `json:"materialized,omitempty"`
	Relation     string   `json:"relation"`
	Path         string   `json:"path"`
	Tags         []string `json:"tags,omitempty"`
	DependsOn    []string `json:"depends_on,omitempty"`
}

func (c *cli) listResources(tp *transform.Project, ids map[string]bool, f *selectFlags) int {
	var out []resource
	d := tp.Dialect
	if f.resource != "model" {
		for _, s := range tp.SourcesOf(ids) {
			out = append(out, resource{UniqueID: s.UniqueID(), Type: "source", Name: s.Name(),
				Relation: d.QuoteIdent(s.Schema, s.Identifier), Path: s.File})
		}
	}
	if f.resource != "source" {
		for _, m := range tp.ModelsOf(ids) {
			r := resource{UniqueID: m.UniqueID(), Type: "model", Name: m.Name, Materialized: m.Config.Materialized,
				Path: m.Path, Tags: m.Config.Tags, DependsOn: m.DependsOn}
			if m.Built() {
				r.Relation = d.QuoteIdent(m.Config.Schema, m.Identifier())
			}
			out = append(out, r)
		}
	}
	if f.output == "json" {
		if out == nil {
			out = []resource{}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			c.errorf("ls", "%v", err)
			return exitRuntime
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tNAME\tMATERIALIZED\tRELATION\tPATH\tTAGS\t")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Type, r.Name, orDash(r.Materialized), orDash(r.Relation), r.Path, strings.Join(r.Tags, ","))
	}
	tw.Flush()
	return exitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// loadSelection loads the config and the models and resolves --select/--exclude; on failure it
// has printed the error and returns a nil project and the exit code.
func (c *cli) loadSelection(name string, args []string, f *selectFlags) (*config.Project, *transform.Project, map[string]bool, int) {
	if len(args) > 0 {
		c.errorf(name, "unexpected argument %q (use --select to choose models)", args[0])
		return nil, nil, nil, exitConfig
	}
	p, code := c.loadProject(name)
	if p == nil {
		return nil, nil, nil, code
	}
	if err := p.MergeVars(f.vars); err != nil {
		c.errorf(name, "%v", err)
		return nil, nil, nil, exitConfig
	}
	plan, err := pipelines.Build(p, sources(), c.env.lookupEnv, c.env.now)
	if err != nil {
		c.errorf(name, "%v", err)
		return nil, nil, nil, exitConfig
	}
	tp, err := c.loadModels(p, plan)
	if err != nil {
		c.errorf(name, "%v", err)
		return nil, nil, nil, exitConfig
	}
	ids, err := tp.Select(f.selectors, f.excludes)
	if err != nil {
		c.errorf(name, "%v", err)
		return nil, nil, nil, exitConfig
	}
	return p, tp, ids, exitOK
}

// writeManifest writes target/manifest.json.
func (c *cli) writeManifest(p *config.Project, tp *transform.Project, specs []checks.Spec) error {
	mf, err := tp.Manifest(transform.ManifestOptions{RevopsVersion: version, Project: p.Name, Now: c.env.now(),
		Checks: pipelines.ManifestChecks(specs)})
	if err != nil {
		return err
	}
	return mf.Write(p.TargetDir())
}
