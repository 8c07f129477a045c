package jinja

import (
	"fmt"
	"strings"
	"unicode"
)

// testNames are the supported "is" tests, sorted.
var testNames = []string{"boolean", "callable", "defined", "divisibleby", "eq", "even", "false", "float",
	"ge", "gt", "in", "integer", "iterable", "le", "lower", "lt", "mapping", "ne", "none", "number",
	"odd", "sequence", "string", "true", "undefined", "upper"}

type testFn func(v any, args []any) (bool, error)

type testDef struct {
	nargs int
	fn    testFn
}

func typeTest(f func(v any) bool) testDef {
	return testDef{fn: func(v any, _ []any) (bool, error) { return f(norm(v)), nil }}
}

func lookupTest(name string) (testDef, bool) {
	switch name {
	case "defined", "undefined":
		return testDef{fn: func(any, []any) (bool, error) { return true, nil }}, true // decided by the evaluator
	case "none":
		return typeTest(func(v any) bool { return v == nil }), true
	case "boolean":
		return typeTest(func(v any) bool { _, ok := v.(bool); return ok }), true
	case "true":
		return typeTest(func(v any) bool { return v == true }), true
	case "false":
		return typeTest(func(v any) bool { return v == false }), true
	case "integer":
		return typeTest(func(v any) bool { _, ok := v.(int64); return ok }), true
	case "float":
		return typeTest(func(v any) bool { _, ok := v.(float64); return ok }), true
	case "number":
		return typeTest(func(v any) bool { _, _, _, ok := number(v); return ok }), true
	case "string":
		return typeTest(func(v any) bool { _, ok := v.(string); return ok }), true
	case "mapping":
		return typeTest(func(v any) bool { _, ok := v.(map[string]any); return ok }), true
	case "sequence", "iterable":
		return typeTest(func(v any) bool { _, ok := length(v); return ok }), true
	case "callable":
		return typeTest(func(v any) bool {
			switch v.(type) {
			case Func, *Macro:
				return true
			}
			return false
		}), true
	case "even", "odd":
		return testDef{fn: func(v any, _ []any) (bool, error) {
			n, ok := norm(v).(int64)
			if !ok {
				return false, newErr(fmt.Sprintf("needs an integer, got %s", describeValue(norm(v))))
			}
			return (n%2 == 0) == (name == "even"), nil
		}}, true
	case "divisibleby":
		return testDef{nargs: 1, fn: func(v any, args []any) (bool, error) {
			n, ok1 := norm(v).(int64)
			d, ok2 := norm(args[0]).(int64)
			if !ok1 || !ok2 {
				return false, newErr("needs integers")
			}
			if d == 0 {
				return false, newErr("division by zero")
			}
			return n%d == 0, nil
		}}, true
	case "lower", "upper":
		return typeTest(func(v any) bool {
			s, ok := v.(string)
			if !ok {
				return false
			}
			if name == "lower" {
				return s == strings.ToLower(s) && strings.IndexFunc(s, unicode.IsLetter) >= 0
			}
			return s == strings.ToUpper(s) && strings.IndexFunc(s, unicode.IsLetter) >= 0
		}), true
	case "in":
		return testDef{nargs: 1, fn: func(v any, args []any) (bool, error) { return contains(norm(args[0]), norm(v)) }}, true
	case "eq", "ne":
		return testDef{nargs: 1, fn: func(v any, args []any) (bool, error) { return equal(v, args[0]) == (name == "eq"), nil }}, true
	case "lt", "le", "gt", "ge":
		return testDef{nargs: 1, fn: func(v any, args []any) (bool, error) {
			c, err := compare(v, args[0], name)
			switch name {
			case "lt":
				return c < 0, err
			case "le":
				return c <= 0, err
			case "gt":
				return c > 0, err
			}
			return c >= 0, err
		}}, true
	}
	return testDef{}, false
}
