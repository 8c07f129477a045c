package jinja

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// maxDepth bounds nested macro calls.
const maxDepth = 100

// renderCtx is shared by a render and every macro call inside it.
type renderCtx struct {
	env   *Env
	lists map[string]*listVal // globals that are lists, wrapped once so that appends persist
}

type scope struct {
	vars   map[string]any
	parent *scope
}

// state is where evaluation stands: the render, the variables in scope and the macros of the
// template whose code runs.
type state struct {
	rc      *renderCtx
	own     map[string]*Macro
	sc      *scope
	depth   int  // macro call depth
	inMacro bool // return() is allowed
}

func newState(env *Env, own map[string]*Macro) *state {
	if env == nil {
		env = &Env{}
	}
	return &state{rc: &renderCtx{env: env}, own: own, sc: &scope{}}
}

func (st *state) lookup(name string) (any, bool) {
	for s := st.sc; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	if m, ok := st.own[name]; ok {
		return m, true
	}
	env := st.rc.env
	if m, ok := env.Macros[name]; ok && m != nil {
		return m, true
	}
	if v, ok := env.Globals[name]; ok {
		if l, ok := st.rc.lists[name]; ok {
			return l, true
		}
		v = norm(v)
		if l, ok := v.(*listVal); ok {
			if st.rc.lists == nil {
				st.rc.lists = map[string]*listVal{}
			}
			st.rc.lists[name] = l
		}
		return v, true
	}
	if f := builtin(name); f != nil {
		return f, true
	}
	return nil, false
}

// set binds name in the innermost scope.
func (st *state) set(name string, v any) {
	if st.sc.vars == nil {
		st.sc.vars = make(map[string]any, 4)
	}
	st.sc.vars[name] = v
}

// knownNames is every name visible here, for did-you-mean hints.
func (st *state) knownNames() []string {
	seen := map[string]bool{}
	for s := st.sc; s != nil; s = s.parent {
		for k := range s.vars {
			seen[k] = true
		}
	}
	for k := range st.own {
		seen[k] = true
	}
	for k := range st.rc.env.Macros {
		seen[k] = true
	}
	for k := range st.rc.env.Globals {
		seen[k] = true
	}
	for _, k := range builtinNames {
		seen[k] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// callableNames is every callable name visible here.
func (st *state) callableNames() []string {
	var out []string
	for _, k := range st.knownNames() {
		v, _ := st.lookup(k)
		switch v.(type) {
		case Func, *Macro:
			out = append(out, k)
		}
	}
	return out
}

func (st *state) undefined(name string, p Pos) error {
	return &Error{Pos: p, Msg: fmt.Sprintf("%q is undefined", name), Hint: didYouMean(name, st.knownNames())}
}

func renderNodes(nodes []node, st *state, w *strings.Builder) error {
	for _, n := range nodes {
		if err := n.render(st, w); err != nil {
			return err
		}
	}
	return nil
}

func (n *textNode) render(_ *state, w *strings.Builder) error {
	w.WriteString(n.text)
	return nil
}

func (n *outputNode) render(st *state, w *strings.Builder) error {
	v, err := n.x.eval(st)
	if err != nil {
		return err
	}
	if s, ok := v.(string); ok {
		w.WriteString(s)
		return nil
	}
	if _, ok := v.(Func); ok && describe(n.x) != "" {
		return &Error{Pos: n.pos, Msg: fmt.Sprintf("cannot render function %q", describe(n.x)),
			Hint: fmt.Sprintf("call it: %s(...)", describe(n.x))}
	}
	return at(writeValue(w, v), n.pos)
}

func (n *ifNode) render(st *state, w *strings.Builder) error {
	for i, c := range n.conds {
		v, err := c.eval(st)
		if err != nil {
			return err
		}
		if truthy(v) {
			return renderNodes(n.bodies[i], st, w)
		}
	}
	return renderNodes(n.els, st, w)
}

// loopInfo is the loop variable.
type loopInfo struct {
	index0, length int
	items          []any
}

func (l *loopInfo) Attr(name string) (any, bool) {
	switch name {
	case "index":
		return int64(l.index0 + 1), true
	case "index0":
		return int64(l.index0), true
	case "revindex":
		return int64(l.length - l.index0), true
	case "revindex0":
		return int64(l.length - l.index0 - 1), true
	case "first":
		return l.index0 == 0, true
	case "last":
		return l.index0 == l.length-1, true
	case "length":
		return int64(l.length), true
	case "depth": // loops are never recursive
		return int64(1), true
	case "depth0":
		return int64(0), true
	case "previtem":
		if l.index0 > 0 {
			return norm(l.items[l.index0-1]), true
		}
		return nil, false
	case "nextitem":
		if l.index0+1 < l.length {
			return norm(l.items[l.index0+1]), true
		}
		return nil, false
	case "cycle":
		i := l.index0
		return Func(func(c *Call) (any, error) {
			if len(c.Args) == 0 {
				return nil, fmt.Errorf("needs at least one value")
			}
			return c.Args[i%len(c.Args)], nil
		}), true
	}
	return nil, false
}

var loopAttrs = []string{"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem", "cycle"}

func (st *state) bindTargets(names []string, v any, p Pos) error {
	if len(names) == 1 {
		st.set(names[0], norm(v))
		return nil
	}
	items, ok := asList(norm(v))
	if !ok {
		return &Error{Pos: p, Msg: fmt.Sprintf("cannot unpack %s into %d names", describeValue(norm(v)), len(names))}
	}
	if len(items) != len(names) {
		return &Error{Pos: p, Msg: fmt.Sprintf("cannot unpack %d values into %d names (%s)", len(items), len(names), strings.Join(names, ", "))}
	}
	for i, n := range names {
		st.set(n, norm(items[i]))
	}
	return nil
}

func (n *forNode) render(st *state, w *strings.Builder) error {
	v, err := n.iter.eval(st)
	if err != nil {
		return err
	}
	items, err := iterate(norm(v))
	if err != nil {
		return at(err, n.iter.position())
	}
	outer := st.sc
	sc := &scope{vars: make(map[string]any, len(n.targets)+1), parent: outer}
	st.sc = sc
	defer func() { st.sc = outer }()
	if n.cond != nil {
		var kept []any
		for _, it := range items {
			if err := st.bindTargets(n.targets, it, n.pos); err != nil {
				return err
			}
			c, err := n.cond.eval(st)
			if err != nil {
				return err
			}
			if truthy(c) {
				kept = append(kept, it)
			}
		}
		items = kept
		clear(sc.vars)
	}
	if len(items) == 0 {
		st.sc = outer
		return renderNodes(n.els, st, w)
	}
	li := &loopInfo{length: len(items), items: items}
	for i, it := range items {
		li.index0 = i
		if err := st.bindTargets(n.targets, it, n.pos); err != nil {
			return err
		}
		sc.vars["loop"] = li
		if err := renderNodes(n.body, st, w); err != nil {
			return err
		}
	}
	return nil
}

func (n *setNode) render(st *state, w *strings.Builder) error {
	v, err := n.x.eval(st)
	if err != nil {
		return err
	}
	if n.attr != "" {
		obj, ok := st.lookup(n.targets[0])
		if !ok {
			return st.undefined(n.targets[0], n.pos)
		}
		ns, ok := obj.(*namespace)
		if !ok {
			return &Error{Pos: n.pos, Msg: fmt.Sprintf("cannot set an attribute of %s %q", typeName(obj), n.targets[0]),
				Hint: "only a namespace() has attributes that can be set: {% set ns = namespace(x=0) %}{% set ns.x = 1 %}"}
		}
		ns.vals[n.attr] = v
		return nil
	}
	return st.bindTargets(n.targets, v, n.pos)
}

func (n *setBlockNode) render(st *state, w *strings.Builder) error {
	var b strings.Builder
	if err := renderNodes(n.body, st, &b); err != nil {
		return err
	}
	st.set(n.target, b.String())
	return nil
}

func (n *macroNode) render(st *state, _ *strings.Builder) error {
	if !n.top {
		st.set(n.m.Name, n.m)
	}
	return nil
}

func (n *doNode) render(st *state, _ *strings.Builder) error {
	_, err := n.x.eval(st)
	return err
}
