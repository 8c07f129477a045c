package jinja

import (
	"fmt"
	"strings"
)

// Expression evaluation; calls are in invoke.go.

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
