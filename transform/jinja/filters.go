package jinja

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// filterNames are the supported filters, sorted (for hints and the package documentation).
var filterNames = []string{"abs", "capitalize", "count", "d", "default", "first", "float", "int", "items",
	"join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
	"reverse", "round", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim",
	"unique", "upper"}

type filterFn func(fc *filterCall, v any) (any, error)

// filterDef is a filter's signature: the names of its arguments after the value (all optional
// unless the filter checks), or variadic for filters that check their arguments themselves.
type filterDef struct {
	params   []string
	variadic bool
	fn       filterFn
}

// filterCall is one application of a filter.
type filterCall struct {
	name   string
	args   []any
	kwargs map[string]any
	st     *state
}

// arg is argument i (named name): positional, else keyword. None counts as given.
func (fc *filterCall) arg(i int, name string) (any, bool) {
	if i < len(fc.args) {
		return fc.args[i], true
	}
	v, ok := fc.kwargs[name]
	return v, ok
}

func (fc *filterCall) boolArg(i int, name string) (bool, error) {
	v, ok := fc.arg(i, name)
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, newErr(fmt.Sprintf("%s must be true or false, got %s", name, describeValue(v)))
	}
	return b, nil
}

func (fc *filterCall) strArg(i int, name, def string) (string, error) {
	v, ok := fc.arg(i, name)
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", newErr(fmt.Sprintf("%s must be a string, got %s", name, describeValue(v)))
	}
	return s, nil
}

func (fc *filterCall) intArg(i int, name string, def int64) (int64, error) {
	v, ok := fc.arg(i, name)
	if !ok || v == nil {
		return def, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, newErr(fmt.Sprintf("%s must be an integer, got %s", name, describeValue(v)))
	}
	return n, nil
}

func lookupFilter(name string) (filterDef, bool) {
	switch name {
	case "lower", "upper", "capitalize", "title":
		return filterDef{fn: fCase}, true
	case "trim":
		return filterDef{params: []string{"chars"}, fn: fTrim}, true
	case "replace":
		return filterDef{params: []string{"old", "new", "count"}, fn: fReplace}, true
	case "join":
		return filterDef{params: []string{"d", "attribute"}, fn: fJoin}, true
	case "default", "d":
		return filterDef{params: []string{"default_value", "boolean"}, fn: fDefault}, true
	case "length", "count":
		return filterDef{fn: fLength}, true
	case "string":
		return filterDef{fn: func(_ *filterCall, v any) (any, error) { return toStr(v) }}, true
	case "int":
		return filterDef{params: []string{"default", "base"}, fn: fInt}, true
	case "float":
		return filterDef{params: []string{"default"}, fn: fFloat}, true
	case "list":
		return filterDef{fn: fList}, true
	case "first", "last":
		return filterDef{fn: fFirstLast}, true
	case "sort":
		return filterDef{params: []string{"reverse", "case_sensitive", "attribute"}, fn: fSort}, true
	case "unique":
		return filterDef{params: []string{"case_sensitive", "attribute"}, fn: fUnique}, true
	case "reverse":
		return filterDef{fn: fReverse}, true
	case "round":
		return filterDef{params: []string{"precision", "method"}, fn: fRound}, true
	case "abs":
		return filterDef{fn: fAbs}, true
	case "tojson":
		return filterDef{params: []string{"indent"}, fn: fToJSON}, true
	case "map":
		return filterDef{variadic: true, fn: fMap}, true
	case "select", "reject":
		return filterDef{variadic: true, fn: fSelect}, true
	case "selectattr", "rejectattr":
		return filterDef{variadic: true, fn: fSelectAttr}, true
	case "sum":
		return filterDef{params: []string{"attribute", "start"}, fn: fSum}, true
	case "min", "max":
		return filterDef{params: []string{"case_sensitive", "attribute"}, fn: fMinMax}, true
	case "items":
		return filterDef{fn: fItems}, true
	}
	return filterDef{}, false
}

func fCase(fc *filterCall, v any) (any, error) {
	s, err := toStr(v)
	if err != nil {
		return nil, err
	}
	switch fc.name {
	case "lower":
		return strings.ToLower(s), nil
	case "upper":
		return strings.ToUpper(s), nil
	case "capitalize":
		return capitalize(s), nil
	}
	return title(s), nil
}

// capitalize is Python's str.capitalize: the first character upper case, the rest lower.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}

// title upper-cases the first letter of each word and lower-cases the rest, as Jinja's title.
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = unicode.IsSpace(r) || strings.ContainsRune("-([{<", r)
	}
	return b.String()
}

func fTrim(fc *filterCall, v any) (any, error) {
	s, err := toStr(v)
	if err != nil {
		return nil, err
	}
	chars, err := fc.strArg(0, "chars", "")
	if err != nil {
		return nil, err
	}
	if chars == "" {
		return strings.TrimSpace(s), nil
	}
	return strings.Trim(s, chars), nil
}

func fReplace(fc *filterCall, v any) (any, error) {
	s, err := toStr(v)
	if err != nil {
		return nil, err
	}
	if _, ok := fc.arg(1, "new"); !ok {
		return nil, newHintErr("needs the old and the new text", "x | replace('old', 'new')")
	}
	var parts [2]string
	for i, name := range []string{"old", "new"} {
		a, _ := fc.arg(i, name)
		if parts[i], err = toStr(a); err != nil {
			return nil, err
		}
	}
	n, err := fc.intArg(2, "count", -1)
	if err != nil {
		return nil, err
	}
	return strings.Replace(s, parts[0], parts[1], int(n)), nil
}

func fJoin(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	sep, err := fc.strArg(0, "d", "")
	if err != nil {
		return nil, err
	}
	attr, err := fc.strArg(1, "attribute", "")
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, e := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		e = norm(e)
		if attr != "" {
			if e, err = attrPath(e, attr); err != nil {
				return nil, err
			}
		}
		if err := writeValue(&b, e); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

func fDefault(fc *filterCall, v any) (any, error) {
	def, ok := fc.arg(0, "default_value")
	if !ok {
		def = ""
	}
	boolean, err := fc.boolArg(1, "boolean")
	if err != nil {
		return nil, err
	}
	if _, undef := v.(undefinedVal); undef || boolean && !truthy(v) {
		return def, nil
	}
	return v, nil
}

func fLength(_ *filterCall, v any) (any, error) {
	n, ok := length(norm(v))
	if !ok {
		return nil, newErr(fmt.Sprintf("%s has no length", describeValue(v)))
	}
	return int64(n), nil
}

func fInt(fc *filterCall, v any) (any, error) {
	def, ok := fc.arg(0, "default")
	if !ok {
		def = int64(0)
	}
	base, err := fc.intArg(1, "base", 10)
	if err != nil {
		return nil, err
	}
	switch x := norm(v).(type) {
	case int64:
		return x, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 9.2e18 {
			return def, nil
		}
		return int64(x), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), "_", "")
		if base == 16 || base == 8 || base == 2 {
			s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "0x"), "0o"), "0b")
		}
		if n, err := strconv.ParseInt(s, int(base), 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && base == 10 && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 9.2e18 {
			return int64(f), nil
		}
	}
	return def, nil
}

func fFloat(fc *filterCall, v any) (any, error) {
	def, ok := fc.arg(0, "default")
	if !ok {
		def = 0.0
	}
	switch x := norm(v).(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return def, nil
}

func fList(_ *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	return newList(slices.Clone(items)), nil
}

func fFirstLast(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, newErr("the sequence is empty")
	}
	if fc.name == "first" {
		return norm(items[0]), nil
	}
	return norm(items[len(items)-1]), nil
}

// sortKey is the value a sort or unique compares: the attribute if asked, lower-cased strings
// unless case-sensitive.
func sortKey(e any, attr string, caseSensitive bool) (any, error) {
	e = norm(e)
	if attr != "" {
		var err error
		if e, err = attrPath(e, attr); err != nil {
			return nil, err
		}
	}
	if s, ok := e.(string); ok && !caseSensitive {
		return strings.ToLower(s), nil
	}
	return e, nil
}

func fSort(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	reverse, err := fc.boolArg(0, "reverse")
	if err != nil {
		return nil, err
	}
	cs, err := fc.boolArg(1, "case_sensitive")
	if err != nil {
		return nil, err
	}
	attr, err := fc.strArg(2, "attribute", "")
	if err != nil {
		return nil, err
	}
	keys := make([]any, len(items))
	for i, e := range items {
		if keys[i], err = sortKey(e, attr, cs); err != nil {
			return nil, err
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(a, b int) bool {
		c, err := compare(keys[idx[a]], keys[idx[b]], "<")
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		if reverse {
			return c > 0
		}
		return c < 0
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	out := make([]any, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return newList(out), nil
}

func fUnique(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	cs, err := fc.boolArg(0, "case_sensitive")
	if err != nil {
		return nil, err
	}
	attr, err := fc.strArg(1, "attribute", "")
	if err != nil {
		return nil, err
	}
	var out, seen []any
	for _, e := range items {
		k, err := sortKey(e, attr, cs)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(seen, func(s any) bool { return equal(s, k) }) {
			seen = append(seen, k)
			out = append(out, e)
		}
	}
	return newList(out), nil
}

func fReverse(_ *filterCall, v any) (any, error) {
	if s, ok := v.(string); ok {
		rs := []rune(s)
		slices.Reverse(rs)
		return string(rs), nil
	}
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	out := slices.Clone(items)
	slices.Reverse(out)
	return newList(out), nil
}

func fRound(fc *filterCall, v any) (any, error) {
	p, err := fc.intArg(0, "precision", 0)
	if err != nil {
		return nil, err
	}
	method, err := fc.strArg(1, "method", "common")
	if err != nil {
		return nil, err
	}
	i, f, isF, ok := number(v)
	if !ok {
		return nil, newErr(fmt.Sprintf("needs a number, got %s", describeValue(v)))
	}
	switch method {
	case "common":
		if !isF {
			if p >= 0 {
				return i, nil
			}
			f = float64(i)
		}
		if p >= 0 {
			r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'f', int(p), 64), 64)
			if err != nil {
				return nil, err
			}
			return r, nil
		}
		scale := math.Pow(10, float64(-p))
		r := math.RoundToEven(f/scale) * scale
		if !isF {
			return int64(r), nil
		}
		return r, nil
	case "ceil", "floor":
		if !isF {
			f = float64(i)
		}
		scale := math.Pow(10, float64(p))
		if method == "ceil" {
			return math.Ceil(f*scale) / scale, nil
		}
		return math.Floor(f*scale) / scale, nil
	}
	return nil, newHintErr(fmt.Sprintf("unknown method %q", method), "method is one of common, ceil, floor")
}

func fAbs(_ *filterCall, v any) (any, error) {
	i, f, isF, ok := number(v)
	switch {
	case !ok:
		return nil, newErr(fmt.Sprintf("needs a number, got %s", describeValue(v)))
	case isF:
		return math.Abs(f), nil
	case i == math.MinInt64:
		return nil, newErr("integer overflow")
	case i < 0:
		return -i, nil
	}
	return i, nil
}

func fToJSON(fc *filterCall, v any) (any, error) {
	indent, err := fc.intArg(0, "indent", -1)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := writeJSON(&b, v, int(indent), 0); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// attrPath looks up a dotted attribute path ("address.city", "0.name") in v, as the attribute
// arguments of filters do.
func attrPath(v any, path string) (any, error) {
	for _, part := range strings.Split(path, ".") {
		var next any
		var ok bool
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			var ierr error
			next, ierr = index(v, n)
			ok = ierr == nil
		} else {
			next, ok = getAttr(v, part)
		}
		if !ok {
			return nil, newErr(fmt.Sprintf("%s has no attribute %q", describeValue(v), part))
		}
		v = next
	}
	return v, nil
}

func fMap(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	if attr, ok := fc.kwargs["attribute"]; ok {
		path, ok := attr.(string)
		if !ok {
			return nil, newErr("attribute must be a string")
		}
		def, hasDef := fc.kwargs["default"]
		for k := range fc.kwargs {
			if k != "attribute" && k != "default" {
				return nil, newHintErr(fmt.Sprintf("unexpected argument %q", k), "map(attribute='name', default=...)")
			}
		}
		for i, e := range items {
			r, err := attrPath(norm(e), path)
			if err != nil {
				if !hasDef {
					return nil, err
				}
				r = def
			}
			out[i] = r
		}
		return newList(out), nil
	}
	if len(fc.args) == 0 {
		return nil, newHintErr("needs a filter name or attribute=", "xs | map('upper') or xs | map(attribute='name')")
	}
	name, ok := fc.args[0].(string)
	if !ok {
		return nil, newErr("the filter name must be a string")
	}
	def, ok := lookupFilter(name)
	if !ok || def.variadic {
		return nil, newHintErr(fmt.Sprintf("unknown filter %q", name), didYouMean(name, filterNames))
	}
	inner := &filterCall{name: name, args: fc.args[1:], kwargs: fc.kwargs, st: fc.st}
	for i, e := range items {
		if out[i], err = def.fn(inner, norm(e)); err != nil {
			return nil, err
		}
	}
	return newList(out), nil
}

// testArgs resolves a test given by name in select/selectattr: nil means truthiness.
func testArgs(args []any) (testFn, []any, error) {
	if len(args) == 0 {
		return nil, nil, nil
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, nil, newErr("the test name must be a string")
	}
	def, ok := lookupTest(name)
	if !ok || name == "defined" || name == "undefined" {
		return nil, nil, newHintErr(fmt.Sprintf("unknown test %q", name), didYouMean(name, testNames))
	}
	if len(args)-1 != def.nargs {
		return nil, nil, newErr(fmt.Sprintf("test %q takes %d argument(s), got %d", name, def.nargs, len(args)-1))
	}
	return def.fn, args[1:], nil
}

func selectItems(items []any, keep bool, key func(any) (any, error), test testFn, targs []any) (any, error) {
	var out []any
	for _, e := range items {
		e = norm(e)
		k, err := key(e)
		if err != nil {
			return nil, err
		}
		ok := truthy(k)
		if test != nil {
			if ok, err = test(k, targs); err != nil {
				return nil, err
			}
		}
		if ok == keep {
			out = append(out, e)
		}
	}
	return newList(out), nil
}

func fSelect(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	if len(fc.kwargs) > 0 {
		return nil, newErr("takes no keyword arguments")
	}
	test, targs, err := testArgs(fc.args)
	if err != nil {
		return nil, err
	}
	return selectItems(items, fc.name == "select", func(e any) (any, error) { return e, nil }, test, targs)
}

func fSelectAttr(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	if len(fc.kwargs) > 0 || len(fc.args) == 0 {
		return nil, newHintErr("needs an attribute name", fc.name+"('attribute'[, 'test', args...])")
	}
	path, ok := fc.args[0].(string)
	if !ok {
		return nil, newErr("the attribute name must be a string")
	}
	test, targs, err := testArgs(fc.args[1:])
	if err != nil {
		return nil, err
	}
	return selectItems(items, fc.name == "selectattr", func(e any) (any, error) { return attrPath(e, path) }, test, targs)
}

func fSum(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	attr, err := fc.strArg(0, "attribute", "")
	if err != nil {
		return nil, err
	}
	total, ok := fc.arg(1, "start")
	if !ok {
		total = int64(0)
	}
	for _, e := range items {
		e = norm(e)
		if attr != "" {
			if e, err = attrPath(e, attr); err != nil {
				return nil, err
			}
		}
		if total, err = arith(opAdd, total, e); err != nil {
			return nil, err
		}
	}
	return total, nil
}

func fMinMax(fc *filterCall, v any) (any, error) {
	items, err := iterate(norm(v))
	if err != nil {
		return nil, err
	}
	cs, err := fc.boolArg(0, "case_sensitive")
	if err != nil {
		return nil, err
	}
	attr, err := fc.strArg(1, "attribute", "")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, newErr("the sequence is empty")
	}
	best := 0
	bestKey, err := sortKey(items[0], attr, cs)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(items); i++ {
		k, err := sortKey(items[i], attr, cs)
		if err != nil {
			return nil, err
		}
		c, err := compare(k, bestKey, "<")
		if err != nil {
			return nil, err
		}
		if fc.name == "min" && c < 0 || fc.name == "max" && c > 0 {
			best, bestKey = i, k
		}
	}
	return norm(items[best]), nil
}

func fItems(_ *filterCall, v any) (any, error) {
	d, ok := v.(map[string]any)
	if !ok {
		return nil, newErr(fmt.Sprintf("needs a dict, got %s", describeValue(v)))
	}
	return dictMethod(d, "items", nil, nil)
}
