package jinja

import (
	"fmt"
	"slices"
	"strings"
)

// The methods of builtin values, callable as s.upper(), l.append(x), d.get(k).
var (
	stringMethods = []string{"capitalize", "endswith", "join", "lower", "lstrip", "replace", "rstrip", "split", "startswith", "strip", "title", "upper"}
	listMethods   = []string{"append", "count", "extend", "index"}
	dictMethods   = []string{"get", "items", "keys", "values"}
)

func methodNames(obj any) []string {
	switch obj.(type) {
	case string:
		return stringMethods
	case *listVal, []any:
		return listMethods
	case map[string]any:
		return dictMethods
	}
	return nil
}

func hasMethod(obj any, name string) bool { return slices.Contains(methodNames(obj), name) }

// boundMethod is obj.name as a value, for {% set up = s.upper %}{{ up() }}.
func boundMethod(obj any, name string) Func {
	return func(c *Call) (any, error) {
		args := normAll(slices.Clone(c.Args))
		kwargs := map[string]any{}
		for k, v := range c.Kwargs {
			kwargs[k] = norm(v)
		}
		return callMethod(obj, name, args, kwargs)
	}
}

// margs binds a method's arguments: the result has one slot per parameter, nil where the
// argument is not given (or is None).
func margs(method string, params []string, required int, args []any, kwargs map[string]any) ([]any, error) {
	usage := method + "(" + strings.Join(params, ", ") + ")"
	if len(args) > len(params) {
		return nil, newHintErr(fmt.Sprintf("%s() takes at most %d argument(s), got %d", method, len(params), len(args)), usage)
	}
	out := make([]any, len(params))
	copy(out, args)
	for k, v := range kwargs {
		i := slices.Index(params, k)
		if i < 0 {
			return nil, newHintErr(fmt.Sprintf("%s() has no argument %q", method, k), usage)
		}
		if i < len(args) {
			return nil, newHintErr(fmt.Sprintf("%s(): argument %q is given twice", method, k), usage)
		}
		out[i] = v
	}
	for i := 0; i < required; i++ {
		if i >= len(args) {
			if _, ok := kwargs[params[i]]; !ok {
				return nil, newHintErr(fmt.Sprintf("%s() is missing argument %q", method, params[i]), usage)
			}
		}
	}
	return out, nil
}

func optStr(method, param string, v any, def string) (string, error) {
	if v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", newErr(fmt.Sprintf("%s(): %s must be a string, got %s", method, param, describeValue(v)))
	}
	return s, nil
}

func optInt(method, param string, v any, def int64) (int64, error) {
	if v == nil {
		return def, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, newErr(fmt.Sprintf("%s(): %s must be an integer, got %s", method, param, describeValue(v)))
	}
	return n, nil
}

// callMethod calls a builtin method of a string, list or dict.
func callMethod(obj any, name string, args []any, kwargs map[string]any) (any, error) {
	switch x := obj.(type) {
	case string:
		return stringMethod(x, name, args, kwargs)
	case *listVal:
		return listMethod(x, name, args, kwargs)
	case []any:
		return listMethod(&listVal{items: x[:len(x):len(x)]}, name, args, kwargs)
	case map[string]any:
		return dictMethod(x, name, args, kwargs)
	}
	return nil, newErr(fmt.Sprintf("%s has no method %q", typeName(obj), name))
}

func stringMethod(s, name string, args []any, kwargs map[string]any) (any, error) {
	switch name {
	case "upper", "lower", "title", "capitalize":
		if _, err := margs(name, nil, 0, args, kwargs); err != nil {
			return nil, err
		}
		switch name {
		case "upper":
			return strings.ToUpper(s), nil
		case "lower":
			return strings.ToLower(s), nil
		case "title":
			return title(s), nil
		}
		return capitalize(s), nil
	case "strip", "lstrip", "rstrip":
		a, err := margs(name, []string{"chars"}, 0, args, kwargs)
		if err != nil {
			return nil, err
		}
		if a[0] == nil {
			return stripSpace(name, s), nil
		}
		chars, err := optStr(name, "chars", a[0], "")
		if err != nil {
			return nil, err
		}
		switch name {
		case "lstrip":
			return strings.TrimLeft(s, chars), nil
		case "rstrip":
			return strings.TrimRight(s, chars), nil
		}
		return strings.Trim(s, chars), nil
	case "startswith", "endswith":
		a, err := margs(name, []string{"prefix"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		test := strings.HasPrefix
		if name == "endswith" {
			test = strings.HasSuffix
		}
		if l, ok := asList(a[0]); ok { // a tuple of candidates, as in Python
			for _, e := range l {
				p, ok := e.(string)
				if !ok {
					return nil, newErr(fmt.Sprintf("%s(): the candidates must be strings, got %s", name, describeValue(e)))
				}
				if test(s, p) {
					return true, nil
				}
			}
			return false, nil
		}
		p, ok := a[0].(string)
		if !ok {
			return nil, newErr(fmt.Sprintf("%s() takes a string, got %s", name, describeValue(a[0])))
		}
		return test(s, p), nil
	case "replace":
		a, err := margs(name, []string{"old", "new", "count"}, 2, args, kwargs)
		if err != nil {
			return nil, err
		}
		old, err := optStr(name, "old", a[0], "")
		if err != nil {
			return nil, err
		}
		nw, err := optStr(name, "new", a[1], "")
		if err != nil {
			return nil, err
		}
		n, err := optInt(name, "count", a[2], -1)
		if err != nil {
			return nil, err
		}
		return strings.Replace(s, old, nw, int(n)), nil
	case "split":
		a, err := margs(name, []string{"sep", "maxsplit"}, 0, args, kwargs)
		if err != nil {
			return nil, err
		}
		n, err := optInt(name, "maxsplit", a[1], -1)
		if err != nil {
			return nil, err
		}
		var parts []string
		if a[0] == nil {
			parts = splitFields(s, int(n))
		} else {
			sep, err := optStr(name, "sep", a[0], "")
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, newErr("split(): empty separator")
			}
			if n >= 0 {
				parts = strings.SplitN(s, sep, int(n)+1)
			} else {
				parts = strings.Split(s, sep)
			}
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return newList(out), nil
	case "join":
		a, err := margs(name, []string{"iterable"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		items, err := iterate(norm(a[0]))
		if err != nil {
			return nil, newErr("join() takes a list: " + err.Error())
		}
		var b strings.Builder
		for i, e := range items {
			es, ok := norm(e).(string)
			if !ok {
				return nil, newHintErr(fmt.Sprintf("join(): item %d is %s, not a string", i, describeValue(norm(e))),
					"the join filter converts items: items | join(', ')")
			}
			if i > 0 {
				b.WriteString(s)
			}
			b.WriteString(es)
		}
		return b.String(), nil
	}
	return nil, unknownMethod("string", name)
}

func unknownMethod(what, name string) error {
	var ms []string
	switch what {
	case "string":
		ms = stringMethods
	case "list":
		ms = listMethods
	default:
		ms = dictMethods
	}
	return newHintErr(fmt.Sprintf("%s has no method %q", what, name),
		joinHints(didYouMean(name, ms), what+" methods: "+strings.Join(ms, ", ")))
}

func stripSpace(method, s string) string {
	switch method {
	case "lstrip":
		return strings.TrimLeftFunc(s, isSpace)
	case "rstrip":
		return strings.TrimRightFunc(s, isSpace)
	}
	return strings.TrimSpace(s)
}

// splitFields is Python's str.split() with no separator.
func splitFields(s string, maxsplit int) []string {
	if maxsplit < 0 {
		return strings.Fields(s)
	}
	var out []string
	s = strings.TrimLeftFunc(s, isSpace)
	for s != "" && len(out) < maxsplit {
		i := strings.IndexFunc(s, isSpace)
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = strings.TrimLeftFunc(s[i:], isSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func listMethod(l *listVal, name string, args []any, kwargs map[string]any) (any, error) {
	switch name {
	case "append":
		a, err := margs(name, []string{"item"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, a[0])
		return nil, nil
	case "extend":
		a, err := margs(name, []string{"items"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		items, err := iterate(norm(a[0]))
		if err != nil {
			return nil, newErr("extend() takes a list: " + err.Error())
		}
		l.items = append(l.items, items...)
		return nil, nil
	case "index":
		a, err := margs(name, []string{"item"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		for i, e := range l.items {
			if equal(e, a[0]) {
				return int64(i), nil
			}
		}
		s, _ := reprString(a[0])
		return nil, newErr(fmt.Sprintf("index(): %s is not in the list", s))
	case "count":
		a, err := margs(name, []string{"item"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		n := int64(0)
		for _, e := range l.items {
			if equal(e, a[0]) {
				n++
			}
		}
		return n, nil
	}
	return nil, unknownMethod("list", name)
}

func dictMethod(d map[string]any, name string, args []any, kwargs map[string]any) (any, error) {
	switch name {
	case "items", "keys", "values":
		if _, err := margs(name, nil, 0, args, kwargs); err != nil {
			return nil, err
		}
		keys := sortedKeys(d)
		out := make([]any, len(keys))
		for i, k := range keys {
			switch name {
			case "items":
				out[i] = newList([]any{k, norm(d[k])})
			case "keys":
				out[i] = k
			default:
				out[i] = d[k]
			}
		}
		return newList(out), nil
	case "get":
		a, err := margs(name, []string{"key", "default"}, 1, args, kwargs)
		if err != nil {
			return nil, err
		}
		k, ok := a[0].(string)
		if !ok {
			return a[1], nil
		}
		if v, ok := d[k]; ok {
			return norm(v), nil
		}
		return a[1], nil
	}
	return nil, unknownMethod("dict", name)
}

func reprString(v any) (string, error) {
	var b strings.Builder
	err := writeRepr(&b, v)
	return b.String(), err
}
