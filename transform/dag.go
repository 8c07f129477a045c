package transform

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/revops/revops/transform/jinja"
)

// link checks every dependency names something that exists and that the models form no cycle,
// then indexes the children of each node.
func (p *Project) link() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		// A ref found only in a branch the parse render did not take (say, a CRM-only branch
		// of a model when the CRM models are disabled) to a disabled model is no dependency;
		// rendering that branch would still fail on the ref.
		m.DependsOn = slices.DeleteFunc(m.DependsOn, func(id string) bool {
			_, disabled := p.disabled[strings.TrimPrefix(id, "model.")]
			return m.staticOnly[id] && strings.HasPrefix(id, "model.") && disabled
		})
		for _, id := range m.DependsOn {
			var err error
			switch {
			case strings.HasPrefix(id, "model."):
				_, err = p.lookupModel(strings.TrimPrefix(id, "model."))
			default:
				src, tbl, _ := strings.Cut(strings.TrimPrefix(id, "source."), ".")
				_, err = p.lookupSource(src, tbl)
			}
			if err != nil {
				pos, ok := m.refPos[id]
				if !ok {
					pos = jinja.Pos{File: m.Path, Line: 1, Col: 1}
				}
				errs = append(errs, &jinja.Error{Pos: pos, Msg: fmt.Sprintf("%s: %v", refText(id), err)})
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := p.findCycle(); err != nil {
		return err
	}
	p.children = map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		m := p.Models[name]
		for _, id := range m.DependsOn {
			p.children[id] = append(p.children[id], m.UniqueID())
		}
	}
	return nil
}

// refText renders a dependency as the user wrote it: ref('a') or source('s', 't').
func refText(id string) string {
	if name, ok := strings.CutPrefix(id, "model."); ok {
		return fmt.Sprintf("ref('%s')", name)
	}
	src, tbl, _ := strings.Cut(strings.TrimPrefix(id, "source."), ".")
	return fmt.Sprintf("source('%s', '%s')", src, tbl)
}

// findCycle reports the first cycle among the models as a path with each model's file.
func (p *Project) findCycle() error {
	const (
		unvisited = iota
		onStack
		done
	)
	stateOf := map[string]int{}
	var stack []string
	var visit func(name string) []string
	visit = func(name string) []string {
		stateOf[name] = onStack
		stack = append(stack, name)
		m := p.Models[name]
		for _, id := range m.DependsOn {
			dep, ok := strings.CutPrefix(id, "model.")
			if !ok {
				continue
			}
			switch stateOf[dep] {
			case onStack:
				i := slices.Index(stack, dep)
				return append(slices.Clone(stack[i:]), dep)
			case unvisited:
				if c := visit(dep); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		stateOf[name] = done
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		if stateOf[name] != unvisited {
			continue
		}
		if c := visit(name); c != nil {
			// c lists each model followed by what it refs; show it in reading order (a refs b refs …).
			parts := make([]string, len(c))
			for i, n := range c {
				parts[i] = fmt.Sprintf("%s (%s)", n, p.Models[n].Path)
			}
			return fmt.Errorf("models form a cycle: %s; each refs the next — remove one of these refs",
				strings.Join(parts, " → "))
		}
	}
	return nil
}

// Order returns the given models in an order where every model comes after the models it refs
// (ties broken by name, so the order is stable).
func (p *Project) Order(models []*Model) []*Model {
	in := map[string]bool{}
	for _, m := range models {
		in[m.Name] = true
	}
	var out []*Model
	seen := map[string]bool{}
	var visit func(m *Model)
	visit = func(m *Model) {
		if seen[m.Name] {
			return
		}
		seen[m.Name] = true
		for _, id := range m.DependsOn {
			if dep, ok := strings.CutPrefix(id, "model."); ok && in[dep] {
				visit(p.Models[dep])
			}
		}
		out = append(out, m)
	}
	sorted := slices.Clone(models)
	slices.SortFunc(sorted, func(a, b *Model) int { return strings.Compare(a.Name, b.Name) })
	for _, m := range sorted {
		visit(m)
	}
	return out
}

// Children returns the unique ids of the nodes that depend directly on id.
func (p *Project) Children(id string) []string { return p.children[id] }

// SortedModels returns every enabled model, by name.
func (p *Project) SortedModels() []*Model {
	out := make([]*Model, 0, len(p.Models))
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		out = append(out, p.Models[name])
	}
	return out
}
