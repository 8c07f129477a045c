package transform

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/internal/yamlx"
)

// Select resolves --select and --exclude into the unique ids of the chosen models and sources.
// Each argument is a space-separated union of selectors; a comma inside one intersects:
//
//	name          a model (globs: stg_*), else a source ("crm") or a source table ("crm.accounts")
//	tag:T         models tagged T
//	path:P        models whose file is P or under the directory P (models/marts)
//	source:S      source S's tables, or source:S.T for one table
//	package:P     models of a package: project or revops (the packaged models)
//	config.materialized:M   models materialized as M
//	+X, N+X       X and everything X depends on (N levels)
//	X+, X+N       X and everything depending on X (N levels)
//	@X            X, its descendants, and their ancestors
//
// No include means everything. A selector that matches nothing is an error, so a typo never
// silently builds nothing.
func (p *Project) Select(include, exclude []string) (map[string]bool, error) {
	all := p.allIDs()
	chosen := map[string]bool{}
	if len(include) == 0 {
		chosen = all
	} else {
		for _, arg := range include {
			ids, err := p.selectArg(arg)
			if err != nil {
				return nil, fmt.Errorf("--select %s", err)
			}
			maps.Copy(chosen, ids)
		}
	}
	for _, arg := range exclude {
		ids, err := p.selectArg(arg)
		if err != nil {
			return nil, fmt.Errorf("--exclude %s", err)
		}
		for id := range ids {
			delete(chosen, id)
		}
	}
	return chosen, nil
}

func (p *Project) allIDs() map[string]bool {
	out := map[string]bool{}
	for _, m := range p.Models {
		out[m.UniqueID()] = true
	}
	for id := range p.Sources {
		out[id] = true
	}
	return out
}

func (p *Project) selectArg(arg string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, union := range strings.Fields(arg) {
		var acc map[string]bool
		for _, part := range strings.Split(union, ",") {
			ids, err := p.selectOne(part)
			if err != nil {
				return nil, err
			}
			if acc == nil {
				acc = ids
				continue
			}
			for id := range acc {
				if !ids[id] {
					delete(acc, id)
				}
			}
		}
		maps.Copy(out, acc)
	}
	return out, nil
}

// selectOne resolves one selector with its graph operators.
func (p *Project) selectOne(sel string) (map[string]bool, error) {
	s := sel
	at := strings.HasPrefix(s, "@")
	s = strings.TrimPrefix(s, "@")
	up, upDepth, s, err := leadingPlus(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", sel, err)
	}
	down, downDepth, s, err := trailingPlus(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", sel, err)
	}
	if s == "" {
		return nil, fmt.Errorf("%q: nothing to select", sel)
	}
	base, err := p.match(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", sel, err)
	}
	out := maps.Clone(base)
	if up {
		for id := range base {
			maps.Copy(out, p.walk(id, upDepth, p.parents))
		}
	}
	if down || at {
		for id := range base {
			maps.Copy(out, p.walk(id, downDepth, p.Children))
		}
	}
	if at {
		for id := range maps.Clone(out) {
			maps.Copy(out, p.walk(id, -1, p.parents))
		}
	}
	return out, nil
}

func leadingPlus(s string) (bool, int, string, error) {
	i := strings.Index(s, "+")
	if i < 0 {
		return false, -1, s, nil
	}
	head := s[:i]
	if head == "" {
		return true, -1, s[i+1:], nil
	}
	if n, err := strconv.Atoi(head); err == nil {
		return true, n, s[i+1:], nil
	}
	return false, -1, s, nil // a + later in the selector is the trailing operator
}

func trailingPlus(s string) (bool, int, string, error) {
	i := strings.LastIndex(s, "+")
	if i < 0 {
		return false, -1, s, nil
	}
	tail := s[i+1:]
	if tail == "" {
		return true, -1, s[:i], nil
	}
	n, err := strconv.Atoi(tail)
	if err != nil {
		return false, 0, s, fmt.Errorf("%q after + is not a depth", tail)
	}
	return true, n, s[:i], nil
}

func (p *Project) parents(id string) []string {
	if name, ok := strings.CutPrefix(id, "model."); ok {
		if m := p.Models[name]; m != nil {
			return m.DependsOn
		}
	}
	return nil
}

// walk follows next from id up to depth levels (-1: all) and returns what it reached.
func (p *Project) walk(id string, depth int, next func(string) []string) map[string]bool {
	out := map[string]bool{}
	frontier := []string{id}
	for level := 0; len(frontier) > 0 && (depth < 0 || level < depth); level++ {
		var nextFrontier []string
		for _, n := range frontier {
			for _, c := range next(n) {
				if !out[c] {
					out[c] = true
					nextFrontier = append(nextFrontier, c)
				}
			}
		}
		frontier = nextFrontier
	}
	return out
}

var selectMethods = []string{"tag", "path", "source", "package", "config.materialized"}

// match resolves a selector without graph operators.
func (p *Project) match(s string) (map[string]bool, error) {
	out := map[string]bool{}
	method, value, hasMethod := strings.Cut(s, ":")
	if !hasMethod {
		method, value = "", s
	}
	models := p.SortedModels()
	switch method {
	case "":
		for _, m := range models {
			if ok, _ := path.Match(value, m.Name); ok {
				out[m.UniqueID()] = true
			}
		}
		if len(out) == 0 {
			for id, src := range p.Sources {
				if value == src.Source || value == src.Name() {
					out[id] = true
				}
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("matches no model or source%s", yamlx.DidYouMean(value, p.nodeNames()))
		}
		return out, nil
	case "tag":
		for _, m := range models {
			if slices.Contains(m.Config.Tags, value) {
				out[m.UniqueID()] = true
			}
		}
	case "path":
		v := strings.TrimSuffix(strings.TrimPrefix(value, "./"), "/")
		for _, m := range models {
			if m.Path == v || strings.HasPrefix(m.Path, v+"/") {
				out[m.UniqueID()] = true
			} else if ok, _ := path.Match(v, m.Path); ok {
				out[m.UniqueID()] = true
			}
		}
	case "source":
		for id, src := range p.Sources {
			if value == src.Source || value == src.Name() {
				out[id] = true
			} else if ok, _ := path.Match(value, src.Name()); ok {
				out[id] = true
			}
		}
	case "package":
		for _, m := range models {
			if m.Package == value {
				out[m.UniqueID()] = true
			}
		}
	case "config.materialized":
		for _, m := range models {
			if m.Config.Materialized == value {
				out[m.UniqueID()] = true
			}
		}
	default:
		return nil, fmt.Errorf("unknown selector method %q%s; use one of: %s", method,
			yamlx.DidYouMean(method, selectMethods), strings.Join(selectMethods, ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("matches nothing")
	}
	return out, nil
}

func (p *Project) nodeNames() []string {
	var out []string
	for _, m := range p.Models {
		out = append(out, m.Name)
	}
	for _, s := range p.Sources {
		out = append(out, s.Name())
		if !slices.Contains(out, s.Source) {
			out = append(out, s.Source)
		}
	}
	slices.Sort(out)
	return out
}
