package jinja

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Func is a Go function callable from templates. Arguments arrive as nil, bool, int64, float64,
// string, []any, map[string]any or the Go values the template was given; a returned error that
// is not an *Error is reported at the call as "name(...): err".
type Func func(c *Call) (any, error)

// Call is one call of a Func.
type Call struct {
	Name   string // the callee as written: "ref", "dbt_utils.star"
	Args   []any
	Kwargs map[string]any
	Pos    Pos  // where the call is written
	Env    *Env // the Env of the render making the call

	st *state
}

// Object is a Go value with attributes ({{ this.schema }}). Values may also implement
// fmt.Stringer to render.
type Object interface {
	Attr(name string) (any, bool)
}

// AttrLister is optionally implemented by an Object to list its attributes, for did-you-mean
// hints when an unknown attribute is used.
type AttrLister interface {
	AttrNames() []string
}

func (c *Call) errorf(format string, args ...any) error {
	return &Error{Pos: c.Pos, Msg: c.Name + "(...): " + fmt.Sprintf(format, args...)}
}

// String is positional argument i (0-based), which must be a string.
func (c *Call) String(i int) (string, error) {
	if i >= len(c.Args) {
		return "", c.errorf("missing argument %d", i+1)
	}
	s, ok := c.Args[i].(string)
	if !ok {
		return "", c.errorf("argument %d must be a string, got %s", i+1, describeValue(norm(c.Args[i])))
	}
	return s, nil
}

// OptString is positional argument i if given, else keyword argument kw if given, else def.
// None counts as not given. It must be a string.
func (c *Call) OptString(i int, kw string, def string) (string, error) {
	var v any
	var what string
	kv, hasKw := c.Kwargs[kw]
	switch {
	case i < len(c.Args):
		if hasKw {
			return "", c.errorf("argument %q is given twice (positionally and by name)", kw)
		}
		v, what = c.Args[i], fmt.Sprintf("argument %d (%s)", i+1, kw)
	case hasKw:
		v, what = kv, fmt.Sprintf("argument %q", kw)
	default:
		return def, nil
	}
	if v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", c.errorf("%s must be a string, got %s", what, describeValue(norm(v)))
	}
	return s, nil
}

// Kwarg is keyword argument name.
func (c *Call) Kwarg(name string) (any, bool) {
	v, ok := c.Kwargs[name]
	return v, ok
}

// CheckArgs reports an error unless the call has between min and max positional arguments and
// only the keyword arguments named in kwargs.
func (c *Call) CheckArgs(min, max int, kwargs ...string) error {
	if len(c.Args) < min {
		return c.errorf("takes at least %d argument(s), got %d", min, len(c.Args))
	}
	if len(c.Args) > max {
		return c.errorf("takes at most %d argument(s), got %d", max, len(c.Args))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Kwargs)) {
		if !slices.Contains(kwargs, k) {
			e := &Error{Pos: c.Pos, Msg: fmt.Sprintf("%s(...): unexpected keyword argument %q", c.Name, k), Hint: didYouMean(k, kwargs)}
			if len(kwargs) > 0 && e.Hint == "" {
				e.Hint = "accepted: " + strings.Join(kwargs, ", ")
			}
			return e
		}
	}
	return nil
}

// CallMacro calls m from inside a Func, within the render that called the Func (so that the
// recursion limit holds). Lists in the result are []any.
func (c *Call) CallMacro(m *Macro, args []any, kwargs map[string]any) (any, error) {
	st := c.st
	if st == nil {
		st = newState(c.Env, m.own)
	}
	v, err := st.callMacro(m, normAll(slices.Clone(args)), normMap(maps.Clone(kwargs)), c.Pos)
	if err != nil {
		return nil, err
	}
	return toGo(v), nil
}

// namespace is namespace(...): an object whose attributes {% set ns.x = ... %} can change,
// which lets a loop carry a value out.
type namespace struct{ vals map[string]any }

func (n *namespace) Attr(name string) (any, bool) {
	v, ok := n.vals[name]
	return v, ok
}

var builtinNames = []string{"dict", "namespace", "range", "return"}

// builtin is a global function every template has, unless Env.Globals names it.
func builtin(name string) Func {
	switch name {
	case "range":
		return builtinRange
	case "dict":
		return builtinDict
	case "namespace":
		return builtinNamespace
	}
	return nil
}

// maxRange bounds range() so that a typo cannot exhaust memory.
const maxRange = 10_000_000

func builtinRange(c *Call) (any, error) {
	var a [3]int64
	if len(c.Args) < 1 || len(c.Args) > 3 || len(c.Kwargs) > 0 {
		return nil, c.errorf("takes 1 to 3 integers: range(stop), range(start, stop[, step])")
	}
	for i, v := range c.Args {
		n, ok := v.(int64)
		if !ok {
			return nil, c.errorf("argument %d must be an integer, got %s", i+1, describeValue(norm(v)))
		}
		a[i] = n
	}
	start, stop, step := int64(0), a[0], int64(1)
	if len(c.Args) > 1 {
		start, stop = a[0], a[1]
	}
	if len(c.Args) > 2 {
		step = a[2]
	}
	if step == 0 {
		return nil, c.errorf("step must not be zero")
	}
	var n int64
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	if n > maxRange {
		return nil, c.errorf("would make %d items, more than the limit of %d", n, maxRange)
	}
	out := make([]any, n)
	for i := range out {
		out[i] = start + int64(i)*step
	}
	return newList(out), nil
}

func builtinDict(c *Call) (any, error) {
	if len(c.Args) > 0 {
		return nil, c.errorf("takes keyword arguments only: dict(a=1, b=2)")
	}
	m := make(map[string]any, len(c.Kwargs))
	for k, v := range c.Kwargs {
		m[k] = norm(v)
	}
	return m, nil
}

func builtinNamespace(c *Call) (any, error) {
	if len(c.Args) > 0 {
		return nil, c.errorf("takes keyword arguments only: namespace(found=false)")
	}
	ns := &namespace{vals: make(map[string]any, len(c.Kwargs))}
	for k, v := range c.Kwargs {
		ns.vals[k] = norm(v)
	}
	return ns, nil
}
