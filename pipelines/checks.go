package pipelines

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/transform"
)

// CheckSpecs parses every check declared on the project's models and sources (and reports all
// problems at once, each with file:line).
func CheckSpecs(tp *transform.Project) ([]checks.Spec, error) {
	resolve := func(expr string) (checks.Target, error) { return resolveTarget(tp, expr) }
	var specs []checks.Spec
	var errs []error
	parse := func(t checks.Target, decls []transform.CheckDecl) {
		for _, d := range decls {
			s, err := checks.Parse(d.File, d.Node, t, d.Column, resolve)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			specs = append(specs, s)
		}
	}
	for _, id := range sortedKeys(tp.Sources) {
		s := tp.Sources[id]
		parse(sourceTarget(s), s.Checks)
		for _, c := range s.Columns {
			parse(sourceTarget(s), c.Checks)
		}
	}
	for _, m := range tp.SortedModels() {
		if !m.Built() {
			continue
		}
		parse(modelTarget(m), m.Checks)
		for _, c := range m.Columns {
			parse(modelTarget(m), c.Checks)
		}
	}
	if len(errs) == 0 {
		if err := checks.CheckIDs(specs); err != nil {
			errs = append(errs, err)
		}
	}
	return specs, errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func modelTarget(m *transform.Model) checks.Target {
	return checks.Target{Kind: "model", Name: m.Name, Relation: []string{m.Config.Schema, m.Identifier()}, KeyColumns: m.Config.UniqueKey}
}

func sourceTarget(s *transform.Source) checks.Target {
	return checks.Target{Kind: "source", Name: s.Name(), Relation: []string{s.Schema, s.Identifier},
		KeyColumns: s.PrimaryKey, TimeZone: s.TimeZone}
}

var refRE = regexp.MustCompile(`^(ref|source)\(\s*'([^']+)'\s*(?:,\s*'([^']+)'\s*)?\)$`)

// resolveTarget turns "ref('m')" or "source('s', 't')" (as written in a check) into a Target.
func resolveTarget(tp *transform.Project, expr string) (checks.Target, error) {
	m := refRE.FindStringSubmatch(expr)
	switch {
	case m == nil:
		return checks.Target{}, fmt.Errorf("%q: expected ref('model') or source('source', 'table')", expr)
	case m[1] == "ref" && m[3] == "":
		model, ok := tp.Models[m[2]]
		if !ok || !model.Built() {
			return checks.Target{}, fmt.Errorf("%s: no built model named %q", expr, m[2])
		}
		return modelTarget(model), nil
	case m[1] == "source" && m[3] != "":
		s, ok := tp.Sources["source."+m[2]+"."+m[3]]
		if !ok {
			return checks.Target{}, fmt.Errorf("%s: no source table %s.%s", expr, m[2], m[3])
		}
		return sourceTarget(s), nil
	}
	return checks.Target{}, fmt.Errorf("%q: expected ref('model') or source('source', 'table')", expr)
}

// ManifestChecks lists the specs by the unique id of the node they check, for the manifest.
func ManifestChecks(specs []checks.Spec) map[string][]transform.ManifestCheck {
	out := map[string][]transform.ManifestCheck{}
	for _, s := range specs {
		id := "model." + s.Target.Name
		if s.Target.Kind == "source" {
			id = "source." + s.Target.Name
		}
		out[id] = append(out[id], transform.ManifestCheck{ID: s.ID, Kind: s.Kind, Column: s.Column,
			Severity: string(s.Severity), File: s.File, Line: s.Line})
	}
	return out
}

// CheckRun runs the checks of a build: a model's checks right after the model (a failed
// error-severity check stops its downstream), source checks before the models. A check that
// reads another model still to be built in this run waits until the end of the build.
type CheckRun struct {
	Runner *checks.Runner

	mu       sync.Mutex
	byTarget map[string][]checks.Spec // "model.<name>" / "source.<src>.<table>"
	pending  map[string]bool          // model names selected for this build and not built yet
	deferred []checks.Spec
	results  []checks.Result
}

// NewCheckRun prepares the checks of the selected models and sources.
func NewCheckRun(r *checks.Runner, specs []checks.Spec, models []*transform.Model, sources []*transform.Source) *CheckRun {
	c := &CheckRun{Runner: r, byTarget: map[string][]checks.Spec{}, pending: map[string]bool{}}
	selected := map[string]bool{}
	for _, m := range models {
		if m.Built() {
			selected["model."+m.Name] = true
			c.pending[m.Name] = true
		}
	}
	for _, s := range sources {
		selected[s.UniqueID()] = true
	}
	for _, s := range specs {
		id := "model." + s.Target.Name
		if s.Target.Kind == "source" {
			id = "source." + s.Target.Name
		}
		if selected[id] {
			c.byTarget[id] = append(c.byTarget[id], s)
		}
	}
	return c
}

// Sources runs the checks of the given sources and returns the unique ids of those with a
// failed error-severity check, so that the build skips their readers.
func (c *CheckRun) Sources(ctx context.Context, sources []*transform.Source) ([]string, error) {
	var failed []string
	for _, s := range sources {
		ok, err := c.run(ctx, c.byTarget[s.UniqueID()])
		if err != nil {
			return failed, err
		}
		if !ok {
			failed = append(failed, s.UniqueID())
		}
	}
	return failed, nil
}

// AfterModel is transform.Builder.AfterModel: it runs m's checks.
func (c *CheckRun) AfterModel(ctx context.Context, m *transform.Model) (bool, error) {
	c.mu.Lock()
	delete(c.pending, m.Name)
	var now []checks.Spec
	for _, s := range c.byTarget["model."+m.Name] {
		if c.waits(s) {
			c.deferred = append(c.deferred, s)
		} else {
			now = append(now, s)
		}
	}
	c.mu.Unlock()
	return c.run(ctx, now)
}

// waits reports whether s reads a model still to be built; c.mu is held.
func (c *CheckRun) waits(s checks.Spec) bool {
	for _, d := range s.DependsOn {
		if c.pending[d] {
			return true
		}
	}
	return false
}

// Finish runs the deferred checks; call it after the build.
func (c *CheckRun) Finish(ctx context.Context) error {
	c.mu.Lock()
	d := c.deferred
	c.deferred = nil
	c.mu.Unlock()
	_, err := c.run(ctx, d)
	return err
}

// Results returns every result so far, in the order they ran.
func (c *CheckRun) Results() []checks.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.results)
}

func (c *CheckRun) run(ctx context.Context, specs []checks.Spec) (bool, error) {
	if len(specs) == 0 {
		return true, nil
	}
	res, err := c.Runner.Run(ctx, specs)
	c.mu.Lock()
	c.results = append(c.results, res...)
	c.mu.Unlock()
	if err != nil {
		return false, err
	}
	for _, r := range res {
		if r.Status == checks.StatusFail {
			return false, nil
		}
	}
	return true, nil
}

// AddChecks appends the check steps.
func (r *Report) AddChecks(results []checks.Result) {
	for i := range results {
		res := results[i]
		st := Step{Kind: "check", StreamReport: StreamReport{Name: res.Name, Table: res.Target, Status: string(res.Status),
			Rows: res.FailingRows, StartedAt: res.CheckedAt, ElapsedSeconds: res.ElapsedSeconds, Error: res.Error}, Check: &res}
		r.Steps = append(r.Steps, st)
	}
}
