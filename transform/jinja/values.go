package jinja

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// listVal is a list made or held by a template. Lists are references, as in Python, so that
// l.append(x) is seen by every name bound to l. Lists that come from Go ([]any and other
// slices) are wrapped on entry with their capacity clipped, so appending never writes into the
// Go value.
type listVal struct{ items []any }

func newList(items []any) *listVal { return &listVal{items: items} }

// undefinedVal is what an undefined name evaluates to where that is allowed (the default
// filter and the defined test).
type undefinedVal struct{}

// norm brings a value from Go into the template's value space: integers become int64, floats
// float64, slices lists, string-keyed maps map[string]any. It is shallow: the elements of a
// container are normalised when they are read.
func norm(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, *listVal, map[string]any, Func, *Macro:
		return v
	case int:
		return int64(x)
	case []any:
		return &listVal{items: x[:len(x):len(x)]}
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return &listVal{items: l}
	case func(*Call) (any, error):
		return Func(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return m
	case Object, fmt.Stringer, error, undefinedVal:
		return v
	}
	return normReflect(v)
}

func normReflect(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return newList(nil)
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
		return newList(l)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
	}
	return v
}

func normAll(args []any) []any {
	for i, a := range args {
		args[i] = norm(a)
	}
	return args
}

func normMap(m map[string]any) map[string]any {
	for k, v := range m {
		m[k] = norm(v)
	}
	return m
}

// toGo turns a template value into what Go code receives: lists become []any (fresh copies),
// recursively, also inside dicts.
func toGo(v any) any {
	switch x := v.(type) {
	case *listVal:
		out := make([]any, len(x.items))
		for i, e := range x.items {
			out[i] = toGo(e)
		}
		return out
	case []any:
		if !needsGo(x) {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGo(e)
		}
		return out
	case map[string]any:
		if !needsGo(x) {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toGo(e)
		}
		return out
	case *namespace:
		out := make(map[string]any, len(x.vals))
		for k, e := range x.vals {
			out[k] = toGo(e)
		}
		return out
	}
	return v
}

func needsGo(v any) bool {
	switch x := v.(type) {
	case *listVal, *namespace:
		return true
	case []any:
		return slices.ContainsFunc(x, needsGo)
	case map[string]any:
		for _, e := range x {
			if needsGo(e) {
				return true
			}
		}
	}
	return false
}

// typeName is a value's type as users know it.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "none"
	case bool:
		return "bool"
	case int64, int:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	case *listVal, []any:
		return "list"
	case map[string]any:
		return "dict"
	case Func:
		return "function"
	case *Macro:
		return "macro"
	case *loopInfo:
		return "loop"
	case *namespace:
		return "namespace"
	case undefinedVal:
		return "undefined"
	}
	return fmt.Sprintf("%T", v)
}

// asList returns the elements of a list value.
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case *listVal:
		return x.items, true
	case []any:
		return x, true
	}
	return nil, false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case *listVal:
		return len(x.items) > 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case undefinedVal:
		return false
	}
	return true
}

// formatFloat formats like Python's repr(float): 1.0, 0.5, 1e-05, 1e+16, inf, nan.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits; the exponent decides the form
	exp, _ := strconv.Atoi(s[strings.LastIndexByte(s, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return s
	}
	s = strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// toStr is the text of a value as {{ x }} writes it.
func toStr(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	var b strings.Builder
	if err := writeValue(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writeValue writes v as {{ v }} renders it.
func writeValue(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case int64:
		var buf [24]byte
		b.Write(strconv.AppendInt(buf[:0], x, 10))
	case int:
		var buf [24]byte
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case float64:
		b.WriteString(formatFloat(x))
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case nil:
		b.WriteString("None")
	case *listVal, []any, map[string]any:
		return writeRepr(b, v)
	default:
		return writeOther(b, v)
	}
	return nil
}

func writeOther(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case Func:
		return newHintErr("cannot render a function", "call it: name(...)")
	case *Macro:
		return newHintErr(fmt.Sprintf("cannot render macro %q", x.Name), fmt.Sprintf("call it: %s(...)", x.Name))
	case undefinedVal:
		return newErr("cannot render an undefined value")
	case fmt.Stringer:
		b.WriteString(x.String())
		return nil
	case *namespace, *loopInfo:
		return newErr(fmt.Sprintf("cannot render a %s", typeName(v)))
	case Object:
		return newHintErr(fmt.Sprintf("cannot render %T: it has attributes but no text form", v), "render one of its attributes")
	}
	switch y := norm(v).(type) {
	case int64, float64, bool, string, *listVal, map[string]any:
		return writeValue(b, y)
	}
	return newErr(fmt.Sprintf("cannot render a value of Go type %T", v))
}

// writeRepr writes Python's repr of v: strings quoted, lists [..], dicts {..} (keys sorted).
func writeRepr(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case string:
		writeQuoted(b, x)
	case *listVal:
		return writeReprList(b, x.items)
	case []any:
		return writeReprList(b, x)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeQuoted(b, k)
			b.WriteString(": ")
			if err := writeRepr(b, norm(x[k])); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case int64, float64, bool, nil:
		return writeValue(b, v)
	default:
		n := norm(v)
		switch n.(type) {
		case string, *listVal, map[string]any, int64, float64, bool:
			return writeRepr(b, n)
		}
		return writeOther(b, v)
	}
	return nil
}

func writeReprList(b *strings.Builder, items []any) error {
	b.WriteByte('[')
	for i, e := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeRepr(b, norm(e)); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// writeQuoted writes s as Python's repr does.
func writeQuoted(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// iterate returns the elements a for loop visits: a list's items, a dict's keys (sorted), a
// string's characters.
func iterate(v any) ([]any, error) {
	switch x := v.(type) {
	case *listVal:
		return x.items, nil
	case []any:
		return x, nil
	case map[string]any:
		keys := sortedKeys(x)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	}
	return nil, newErr(fmt.Sprintf("cannot iterate over %s", describeValue(v)))
}

// describeValue is a value's type, with the value itself when it is short.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case bool, int64, float64:
		s, _ := toStr(x)
		return typeName(v) + " " + s
	}
	return typeName(v)
}

// length is len(v) for strings (in characters), lists and dicts.
func length(v any) (int, bool) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), true
	case *listVal:
		return len(x.items), true
	case []any:
		return len(x), true
	case map[string]any:
		return len(x), true
	}
	return 0, false
}

// number returns a numeric value as int64 or float64 (bool counts as int, as in Python).
func number(v any) (i int64, f float64, isFloat, ok bool) {
	switch x := v.(type) {
	case int64:
		return x, 0, false, true
	case float64:
		return 0, x, true, true
	case bool:
		if x {
			return 1, 0, false, true
		}
		return 0, 0, false, true
	case int:
		return int64(x), 0, false, true
	}
	return 0, 0, false, false
}

// equal is Python's ==.
func equal(a, b any) bool {
	a, b = norm(a), norm(b)
	if ai, af, aF, ok := number(a); ok {
		bi, bf, bF, ok := number(b)
		if !ok {
			return false
		}
		switch {
		case !aF && !bF:
			return ai == bi
		case aF && bF:
			return af == bf
		case aF:
			return af == float64(bi)
		default:
			return float64(ai) == bf
		}
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *listVal:
		y, ok := asList(b)
		if !ok || len(x.items) != len(y) {
			return false
		}
		for i := range y {
			if !equal(x.items[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	case *Macro:
		return a == b
	case Func:
		y, ok := b.(Func)
		return ok && reflect.ValueOf(x).Pointer() == reflect.ValueOf(y).Pointer()
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || !ta.Comparable() {
		return false
	}
	return safeEq(a, b)
}

func safeEq(a, b any) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

// compare orders a and b (numbers, strings, lists), as Python's <.
func compare(a, b any, op string) (int, error) {
	a, b = norm(a), norm(b)
	if ai, af, aF, ok := number(a); ok {
		if bi, bf, bF, ok := number(b); ok {
			if !aF && !bF {
				return cmpOrdered(ai, bi), nil
			}
			if !aF {
				af = float64(ai)
			}
			if !bF {
				bf = float64(bi)
			}
			return cmpOrdered(af, bf), nil
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case *listVal:
		if y, ok := asList(b); ok {
			for i := 0; i < len(x.items) && i < len(y); i++ {
				c, err := compare(x.items[i], y[i], op)
				if err != nil {
					return 0, err
				}
				if c != 0 {
					return c, nil
				}
			}
			return cmpOrdered(len(x.items), len(y)), nil
		}
	}
	return 0, newErr(fmt.Sprintf("%q is not supported between %s and %s", op, typeName(a), typeName(b)))
}

func cmpOrdered[T int | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// contains is Python's "needle in hay".
func contains(hay, needle any) (bool, error) {
	switch h := hay.(type) {
	case string:
		s, ok := needle.(string)
		if !ok {
			return false, newErr(fmt.Sprintf("\"in <string>\" needs a string on the left, got %s", typeName(needle)))
		}
		return strings.Contains(h, s), nil
	case *listVal:
		return slices.ContainsFunc(h.items, func(e any) bool { return equal(e, needle) }), nil
	case []any:
		return slices.ContainsFunc(h, func(e any) bool { return equal(e, needle) }), nil
	case map[string]any:
		s, ok := needle.(string)
		if !ok {
			return false, nil
		}
		_, found := h[s]
		return found, nil
	}
	return false, newErr(fmt.Sprintf("\"in\" needs a string, list or dict on the right, got %s", typeName(hay)))
}
