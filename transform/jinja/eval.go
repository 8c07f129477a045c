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

var emptyEnv = &Env{}

func newState(env *Env, own map[string]*Macro) *state {
	if env == nil {
		env = emptyEnv
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

// ---- expressions ----

func (e *constExpr) eval(*state) (any, error) { return e.v, nil }

func (e *nameExpr) eval(st *state) (any, error) {
	if v, ok := st.lookup(e.name); ok {
		return v, nil
	}
	return nil, st.undefined(e.name, e.p)
}

func (e *listExpr) eval(st *state) (any, error) {
	items := make([]any, len(e.items))
	for i, x := range e.items {
		v, err := x.eval(st)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return newList(items), nil
}

func (e *dictExpr) eval(st *state) (any, error) {
	m := make(map[string]any, len(e.keys))
	for i, kx := range e.keys {
		k, err := kx.eval(st)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, &Error{Pos: kx.position(), Msg: fmt.Sprintf("dict keys must be strings, got %s", describeValue(k))}
		}
		v, err := e.vals[i].eval(st)
		if err != nil {
			return nil, err
		}
		m[ks] = v
	}
	return m, nil
}

func (e *attrExpr) eval(st *state) (any, error) {
	obj, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	v, ok := getAttr(obj, e.name)
	if !ok {
		return nil, attrError(obj, e.x, e.name, e.namePos)
	}
	return v, nil
}

// getAttr is obj.name: a dict's key, an Object's attribute, or a builtin method (bound).
func getAttr(obj any, name string) (any, bool) {
	switch x := obj.(type) {
	case map[string]any:
		if v, ok := x[name]; ok {
			return norm(v), true
		}
	case *Macro:
		return x.Attr(name)
	case Object:
		v, ok := x.Attr(name)
		if ok {
			return norm(v), true
		}
		return nil, false
	}
	if hasMethod(obj, name) {
		return boundMethod(obj, name), true
	}
	return nil, false
}

func attrError(obj any, x expr, name string, p Pos) error {
	what := describe(x)
	if what != "" {
		what = fmt.Sprintf("%q", what)
	} else {
		what = typeName(obj)
	}
	switch o := obj.(type) {
	case map[string]any:
		return &Error{Pos: p, Msg: fmt.Sprintf("dict %s has no key %q", what, name),
			Hint: joinHints(didYouMean(name, sortedKeys(o)), fmt.Sprintf("use .get('%s') when the key may be missing", name))}
	case *loopInfo:
		return &Error{Pos: p, Msg: fmt.Sprintf("loop has no attribute %q", name), Hint: joinHints(didYouMean(name, loopAttrs), "loop has: "+strings.Join(loopAttrs, ", "))}
	case *namespace:
		return &Error{Pos: p, Msg: fmt.Sprintf("namespace %s has no attribute %q", what, name), Hint: didYouMean(name, sortedKeys(o.vals))}
	case *Macro:
		return &Error{Pos: p, Msg: fmt.Sprintf("macro %q has no attribute %q", o.Name, name), Hint: "a macro has: name"}
	case AttrLister:
		return &Error{Pos: p, Msg: fmt.Sprintf("%s has no attribute %q", what, name), Hint: didYouMean(name, o.AttrNames())}
	case Object:
		return &Error{Pos: p, Msg: fmt.Sprintf("%s has no attribute %q", what, name)}
	}
	if ms := methodNames(obj); ms != nil {
		return &Error{Pos: p, Msg: fmt.Sprintf("%s has no attribute or method %q", typeName(obj), name),
			Hint: joinHints(didYouMean(name, ms), typeName(obj)+" methods: "+strings.Join(ms, ", "))}
	}
	return &Error{Pos: p, Msg: fmt.Sprintf("%s %s has no attribute %q", typeName(obj), what, name)}
}

func (e *indexExpr) eval(st *state) (any, error) {
	obj, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	idx, err := e.idx.eval(st)
	if err != nil {
		return nil, err
	}
	v, err := index(obj, idx)
	return v, at(err, e.p)
}

// index is obj[idx].
func index(obj, idx any) (any, error) {
	switch x := obj.(type) {
	case *listVal, []any:
		items, _ := asList(x)
		i, ok := idx.(int64)
		if !ok {
			return nil, newErr(fmt.Sprintf("list indices must be integers, got %s", typeName(idx)))
		}
		n := int64(len(items))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, newErr(fmt.Sprintf("list index %d out of range (length %d)", idx, n))
		}
		return norm(items[i]), nil
	case string:
		i, ok := idx.(int64)
		if !ok {
			return nil, newErr(fmt.Sprintf("string indices must be integers, got %s", typeName(idx)))
		}
		rs := []rune(x)
		n := int64(len(rs))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, newErr(fmt.Sprintf("string index %d out of range (length %d)", idx, n))
		}
		return string(rs[i]), nil
	case map[string]any:
		k, ok := idx.(string)
		if !ok {
			return nil, newErr(fmt.Sprintf("dict keys are strings, got %s", describeValue(idx)))
		}
		v, ok := x[k]
		if !ok {
			return nil, newHintErr(fmt.Sprintf("dict has no key %q", k),
				joinHints(didYouMean(k, sortedKeys(x)), fmt.Sprintf("use .get('%s') when the key may be missing", k)))
		}
		return norm(v), nil
	case Object:
		if k, ok := idx.(string); ok {
			if v, ok := getAttr(x, k); ok {
				return v, nil
			}
			return nil, newErr(fmt.Sprintf("%s has no attribute %q", typeName(obj), k))
		}
	}
	return nil, newErr(fmt.Sprintf("%s cannot be subscripted", describeValue(obj)))
}

func (e *sliceExpr) eval(st *state) (any, error) {
	obj, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	var bounds [3]*int64
	for i, x := range [3]expr{e.lo, e.hi, e.step} {
		if x == nil {
			continue
		}
		v, err := x.eval(st)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		n, ok := v.(int64)
		if !ok {
			return nil, &Error{Pos: x.position(), Msg: fmt.Sprintf("slice bounds must be integers, got %s", typeName(v))}
		}
		bounds[i] = &n
	}
	step := int64(1)
	if bounds[2] != nil {
		step = *bounds[2]
		if step == 0 {
			return nil, &Error{Pos: e.p, Msg: "slice step cannot be zero"}
		}
	}
	switch x := obj.(type) {
	case *listVal, []any:
		items, _ := asList(x)
		idx := sliceIndices(int64(len(items)), bounds[0], bounds[1], step)
		out := make([]any, len(idx))
		for i, j := range idx {
			out[i] = items[j]
		}
		return newList(out), nil
	case string:
		rs := []rune(x)
		idx := sliceIndices(int64(len(rs)), bounds[0], bounds[1], step)
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = rs[j]
		}
		return string(out), nil
	}
	return nil, &Error{Pos: e.p, Msg: fmt.Sprintf("%s cannot be sliced", describeValue(obj))}
}

// sliceIndices is Python's slice semantics over a sequence of length n.
func sliceIndices(n int64, lo, hi *int64, step int64) []int64 {
	clamp := func(p *int64, def, min, max int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
		}
		if v < min {
			return min
		}
		if v > max {
			return max
		}
		return v
	}
	var start, stop int64
	if step > 0 {
		start, stop = clamp(lo, 0, 0, n), clamp(hi, n, 0, n)
	} else {
		start, stop = clamp(lo, n-1, -1, n-1), clamp(hi, -1, -1, n-1)
	}
	var out []int64
	for i := start; step > 0 && i < stop || step < 0 && i > stop; i += step {
		out = append(out, i)
	}
	return out
}

func (e *callExpr) eval(st *state) (any, error) {
	var callee any
	name := describe(e.fn)
	switch fn := e.fn.(type) {
	case *nameExpr:
		v, ok := st.lookup(fn.name)
		if !ok {
			return nil, &Error{Pos: fn.p, Msg: fmt.Sprintf("unknown function %q", fn.name), Hint: didYouMean(fn.name, st.callableNames())}
		}
		callee = v
	case *attrExpr:
		obj, err := fn.x.eval(st)
		if err != nil {
			return nil, err
		}
		if hasMethod(obj, fn.name) {
			args, kwargs, err := e.evalArgs(st)
			if err != nil {
				return nil, err
			}
			v, err := callMethod(obj, fn.name, args, kwargs)
			return v, at(err, fn.namePos)
		}
		v, ok := getAttr(obj, fn.name)
		if !ok {
			return nil, attrError(obj, fn.x, fn.name, fn.namePos)
		}
		callee = v
	default:
		v, err := e.fn.eval(st)
		if err != nil {
			return nil, err
		}
		callee = v
	}
	args, kwargs, err := e.evalArgs(st)
	if err != nil {
		return nil, err
	}
	return st.call(callee, name, args, kwargs, e.p)
}

func (e *callExpr) evalArgs(st *state) ([]any, map[string]any, error) {
	var args []any
	if len(e.args) > 0 {
		args = make([]any, len(e.args))
		for i, a := range e.args {
			v, err := a.eval(st)
			if err != nil {
				return nil, nil, err
			}
			args[i] = v
		}
	}
	var kwargs map[string]any
	if len(e.kwNames) > 0 {
		kwargs = make(map[string]any, len(e.kwNames))
		for i, k := range e.kwNames {
			v, err := e.kwVals[i].eval(st)
			if err != nil {
				return nil, nil, err
			}
			kwargs[k] = v
		}
	}
	return args, kwargs, nil
}

// call calls a Func or a macro.
func (st *state) call(callee any, name string, args []any, kwargs map[string]any, p Pos) (any, error) {
	switch f := callee.(type) {
	case Func:
		if name == "" {
			name = "function"
		}
		c := &Call{Name: name, Args: args, Kwargs: kwargs, Pos: p, Env: st.rc.env, st: st}
		for i, a := range args {
			args[i] = toGo(a)
		}
		for k, v := range kwargs {
			kwargs[k] = toGo(v)
		}
		v, err := f(c)
		if err != nil {
			return nil, funcError(name, err, p)
		}
		return norm(v), nil
	case *Macro:
		return st.callMacro(f, args, kwargs, p)
	}
	what := name
	if what == "" {
		what = "value"
	} else {
		what = fmt.Sprintf("%q", what)
	}
	return nil, &Error{Pos: p, Msg: fmt.Sprintf("%s is not callable (it is %s)", what, describeValue(callee))}
}

// funcError is how a Func's error reaches the user: an *Error as it is, any other error wrapped
// at the call.
func funcError(name string, err error, p Pos) error {
	switch e := err.(type) {
	case *Error:
		return e
	case *returnSignal:
		return e
	}
	return &Error{Pos: p, Msg: name + "(...): " + err.Error(), cause: err}
}

// callMacro renders m's body with its parameters bound, in a scope that sees the globals and
// macros but not the caller's variables.
func (st *state) callMacro(m *Macro, args []any, kwargs map[string]any, p Pos) (any, error) {
	if st.depth >= maxDepth {
		return nil, &Error{Pos: p, Msg: fmt.Sprintf("macro %q: maximum call depth %d exceeded", m.Name, maxDepth),
			Hint: "is the macro recursive without an end?"}
	}
	if len(args) > len(m.Params) {
		return nil, &Error{Pos: p, Msg: fmt.Sprintf("macro %q takes %d argument(s), got %d", m.Name, len(m.Params), len(args)),
			Hint: macroUsage(m)}
	}
	for k := range kwargs {
		i := slices.Index(m.Params, k)
		if i < 0 {
			return nil, &Error{Pos: p, Msg: fmt.Sprintf("macro %q has no parameter %q", m.Name, k),
				Hint: joinHints(didYouMean(k, m.Params), macroUsage(m))}
		}
		if i < len(args) {
			return nil, &Error{Pos: p, Msg: fmt.Sprintf("macro %q: argument %q is given twice", m.Name, k), Hint: macroUsage(m)}
		}
	}
	frame := &struct {
		state
		scope
	}{state: state{rc: st.rc, own: m.own, depth: st.depth + 1, inMacro: true}}
	ms := &frame.state
	ms.sc = &frame.scope
	ms.sc.vars = make(map[string]any, len(m.Params)+2)
	for i, name := range m.Params {
		switch {
		case i < len(args):
			ms.sc.vars[name] = args[i]
		default:
			if v, ok := kwargs[name]; ok {
				ms.sc.vars[name] = v
				continue
			}
			if m.defaults[i] == nil {
				return nil, &Error{Pos: p, Msg: fmt.Sprintf("macro %q: missing argument %q", m.Name, name), Hint: macroUsage(m)}
			}
			v, err := m.defaults[i].eval(ms)
			if rs, ok := err.(*returnSignal); ok { // return() in a default ends the call
				return rs.val, nil
			}
			if err != nil {
				return nil, err
			}
			ms.sc.vars[name] = v
		}
	}
	var b strings.Builder
	err := renderNodes(m.body, ms, &b)
	if rs, ok := err.(*returnSignal); ok {
		return rs.val, nil
	}
	if err != nil {
		return nil, err
	}
	return b.String(), nil
}

func macroUsage(m *Macro) string {
	return fmt.Sprintf("%s(%s), defined at %s", m.Name, strings.Join(m.Params, ", "), m.pos)
}

func (e *returnExpr) eval(st *state) (any, error) {
	if !st.inMacro {
		return nil, &Error{Pos: e.p, Msg: "return() can only be used inside a macro"}
	}
	v, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	return nil, &returnSignal{val: v}
}

// evalDefined evaluates e, reporting an undefined name, key or attribute as defined == false
// instead of an error.
func evalDefined(st *state, e expr) (v any, defined bool, err error) {
	switch x := e.(type) {
	case *nameExpr:
		v, ok := st.lookup(x.name)
		return v, ok, nil
	case *attrExpr:
		obj, ok, err := evalDefined(st, x.x)
		if err != nil || !ok {
			return nil, false, err
		}
		v, ok := getAttr(obj, x.name)
		return v, ok, nil
	case *indexExpr:
		obj, ok, err := evalDefined(st, x.x)
		if err != nil || !ok {
			return nil, false, err
		}
		idx, err := x.idx.eval(st)
		if err != nil {
			return nil, false, err
		}
		v, err := index(obj, idx)
		return v, err == nil, nil
	}
	v, err = e.eval(st)
	return v, true, err
}

func (e *filterExpr) eval(st *state) (any, error) {
	var v any
	var err error
	if e.name == "default" || e.name == "d" {
		var ok bool
		v, ok, err = evalDefined(st, e.x)
		if !ok && err == nil {
			v = undefinedVal{}
		}
	} else {
		v, err = e.x.eval(st)
	}
	if err != nil {
		return nil, err
	}
	fc := &filterCall{name: e.name, st: st}
	if e.def.variadic || len(e.args)+len(e.kwNames) > 0 {
		args := make([]any, len(e.args))
		for i, a := range e.args {
			if args[i], err = a.eval(st); err != nil {
				return nil, err
			}
		}
		var kwargs map[string]any
		if len(e.kwNames) > 0 {
			kwargs = make(map[string]any, len(e.kwNames))
			for i, k := range e.kwNames {
				if kwargs[k], err = e.kwVals[i].eval(st); err != nil {
					return nil, err
				}
			}
		}
		fc.args, fc.kwargs = args, kwargs
	}
	r, err := e.def.fn(fc, v)
	if err != nil {
		if h, ok := err.(*hintError); ok {
			return nil, &Error{Pos: e.p, Msg: "filter " + e.name + ": " + h.msg, Hint: h.hint}
		}
		return nil, at(err, e.p)
	}
	return r, nil
}

func (e *testExpr) eval(st *state) (any, error) {
	var v any
	var err error
	if e.name == "defined" || e.name == "undefined" {
		var ok bool
		if _, ok, err = evalDefined(st, e.x); err != nil {
			return nil, err
		}
		r := ok == (e.name == "defined")
		return r != e.neg, nil
	}
	if v, err = e.x.eval(st); err != nil {
		return nil, err
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if args[i], err = a.eval(st); err != nil {
			return nil, err
		}
	}
	r, err := e.fn(v, args)
	if err != nil {
		if h, ok := err.(*hintError); ok {
			return nil, &Error{Pos: e.p, Msg: "test " + e.name + ": " + h.msg, Hint: h.hint}
		}
		return nil, at(err, e.p)
	}
	return r != e.neg, nil
}

func (e *unaryExpr) eval(st *state) (any, error) {
	v, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	i, f, isF, ok := number(v)
	if !ok {
		op := "+"
		if e.neg {
			op = "-"
		}
		return nil, &Error{Pos: e.p, Msg: fmt.Sprintf("bad operand for unary %s: %s", op, typeName(v))}
	}
	switch {
	case !e.neg && isF:
		return f, nil
	case !e.neg:
		return i, nil
	case isF:
		return -f, nil
	case i == -i && i != 0:
		return nil, &Error{Pos: e.p, Msg: "integer overflow"}
	}
	return -i, nil
}

func (e *notExpr) eval(st *state) (any, error) {
	v, err := e.x.eval(st)
	if err != nil {
		return nil, err
	}
	return !truthy(v), nil
}

func (e *andExpr) eval(st *state) (any, error) {
	l, err := e.l.eval(st)
	if err != nil || !truthy(l) {
		return l, err
	}
	return e.r.eval(st)
}

func (e *orExpr) eval(st *state) (any, error) {
	l, err := e.l.eval(st)
	if err != nil || truthy(l) {
		return l, err
	}
	return e.r.eval(st)
}

func (e *binExpr) eval(st *state) (any, error) {
	l, err := e.l.eval(st)
	if err != nil {
		return nil, err
	}
	r, err := e.r.eval(st)
	if err != nil {
		return nil, err
	}
	v, err := arith(e.op, l, r)
	return v, at(err, e.p)
}

func (e *compareExpr) eval(st *state) (any, error) {
	l, err := e.first.eval(st)
	if err != nil {
		return nil, err
	}
	for i, op := range e.ops {
		r, err := e.rest[i].eval(st)
		if err != nil {
			return nil, err
		}
		var ok bool
		switch op {
		case "==":
			ok = equal(l, r)
		case "!=":
			ok = !equal(l, r)
		case "in", "not in":
			ok, err = contains(norm(r), norm(l))
			if op == "not in" {
				ok = !ok
			}
		default:
			var c int
			c, err = compare(l, r, op)
			switch op {
			case "<":
				ok = c < 0
			case "<=":
				ok = c <= 0
			case ">":
				ok = c > 0
			case ">=":
				ok = c >= 0
			}
		}
		if err != nil {
			return nil, at(err, e.opPos[i])
		}
		if !ok {
			return false, nil
		}
		l = r
	}
	return true, nil
}

func (e *condExpr) eval(st *state) (any, error) {
	c, err := e.cond.eval(st)
	if err != nil {
		return nil, err
	}
	if truthy(c) {
		return e.then.eval(st)
	}
	if e.els == nil {
		return "", nil
	}
	return e.els.eval(st)
}
