// Package pipelines turns a validated project into a plan and runs it: extract every selected
// stream (bounded parallelism, data and cursor committed together), then the later steps, and
// reports each step in target/run_results.json and the run ledger.
package pipelines

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/config"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/warehouse"
)

// StreamPlan is one stream to extract.
type StreamPlan struct {
	Source       string
	Stream       extract.Stream
	Table        warehouse.Table
	OnTypeChange warehouse.OnTypeChange
	reader       extract.Source
}

// Name is "source.stream".
func (s StreamPlan) Name() string { return s.Source + "." + s.Stream.Name }

// Plan is everything a run will do, validated before any I/O.
type Plan struct {
	Streams []StreamPlan
}

var streamNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Build validates every enabled source of the project through its connector and returns the plan.
// It does no network I/O. lookupEnv resolves ${NAME} in connector settings.
func Build(p *config.Project, reg *extract.Registry, lookupEnv func(string) (string, bool), now func() time.Time) (*Plan, error) {
	var errs []error
	plan := &Plan{}
	for i, sc := range p.Sources {
		if !sc.IsEnabled() {
			continue
		}
		src, err := reg.New(sc.Type, extract.Config{Name: sc.Name, Dir: p.Dir, Decode: p.SourceDecoder(i, lookupEnv), Now: now})
		if err != nil {
			if errors.Is(err, extract.ErrUnknownKind) {
				err = fmt.Errorf("%s: source %q: type %q is not a known source type; known: %s%s", p.File, sc.Name, sc.Type,
					strings.Join(reg.Kinds(), ", "), yamlx.DidYouMean(sc.Type, reg.Kinds()))
			}
			errs = append(errs, err)
			continue
		}
		policy := warehouse.OnTypeChange(sc.OnTypeChange)
		if policy == "" {
			policy = warehouse.TypeChangeError
		}
		for _, st := range src.Streams() {
			if !streamNameRE.MatchString(st.Name) {
				errs = append(errs, fmt.Errorf("source %q: stream name %q must be lower case letters, digits and _", sc.Name, st.Name))
				continue
			}
			plan.Streams = append(plan.Streams, StreamPlan{
				Source: sc.Name, Stream: st, OnTypeChange: policy, reader: src,
				Table: warehouse.Table{Schema: sc.TargetSchema(), Name: st.Name},
			})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return plan, nil
}

// Select keeps the streams matching any of the selectors ("source" or "source.stream") and none
// of the exclusions. A selector that matches nothing is an error, so a typo never runs nothing.
func (p *Plan) Select(include, exclude []string) (*Plan, error) {
	match := func(sel string, s StreamPlan) bool { return sel == s.Source || sel == s.Name() }
	check := func(sels []string) error {
		for _, sel := range sels {
			if !slices.ContainsFunc(p.Streams, func(s StreamPlan) bool { return match(sel, s) }) {
				return fmt.Errorf("--select/--exclude %q matches no stream; known: %s%s", sel,
					strings.Join(p.names(), ", "), yamlx.DidYouMean(sel, p.names()))
			}
		}
		return nil
	}
	if err := errors.Join(check(include), check(exclude)); err != nil {
		return nil, err
	}
	out := &Plan{}
	for _, s := range p.Streams {
		in := len(include) == 0 || slices.ContainsFunc(include, func(sel string) bool { return match(sel, s) })
		out1 := slices.ContainsFunc(exclude, func(sel string) bool { return match(sel, s) })
		if in && !out1 {
			out.Streams = append(out.Streams, s)
		}
	}
	return out, nil
}

func (p *Plan) names() []string {
	var out []string
	for _, s := range p.Streams {
		if !slices.Contains(out, s.Source) {
			out = append(out, s.Source)
		}
		out = append(out, s.Name())
	}
	return out
}
