package jinja

import (
	"fmt"
	"slices"
	"strings"
)

// eval calls a Func, a macro or a builtin method (s.upper(), l.append(x), d.get(k)).
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
