// Package yamlx decodes YAML strictly into Go structs: an unknown key, a wrong type, a duplicate
// key or a missing required field is an error naming the file, line and column and saying what is
// expected. Struct fields use `yaml:"name"` tags; the extra option `,required` marks a field that
// must be present, and a field tagged `yaml:",remain"` of type *yaml.Node receives the mapping
// of keys no other field claimed (for a plug-in to decode strictly itself).
//
// Strings may reference secrets and environment values as ${NAME} (an environment variable) or
// ${file:PATH} (a file's contents, trimmed). Error messages quote the text as written in the file,
// never the expanded value, so secrets do not leak into logs.
package yamlx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is one decoding problem at a place in a file.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Errors is every problem found in one decode, in file order.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Decoder decodes nodes of one file.
type Decoder struct {
	// File is the path named in errors.
	File string
	// LookupEnv resolves ${NAME}; nil means no variable is defined.
	LookupEnv func(string) (string, bool)
	// Dir resolves relative ${file:PATH} references.
	Dir string

	errs Errors
}

// Parse reads YAML text into its document node.
func Parse(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Column: 1, Msg: "the file is empty; expected a mapping"}
	}
	return doc.Content[0], nil
}

// Decode decodes n into v (a non-nil pointer) and returns every problem found as Errors.
func (d *Decoder) Decode(n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("yamlx: Decode needs a non-nil pointer, got %T", v)
	}
	d.errs = nil
	d.decode(n, rv.Elem(), "")
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool {
			a, b := d.errs[i], d.errs[j]
			return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
		})
		return d.errs
	}
	return nil
}

// Fail records a problem at n; plug-ins use it to report their own validation errors.
func (d *Decoder) Fail(n *yaml.Node, format string, args ...any) error {
	return &Error{File: d.File, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func (d *Decoder) failf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.File, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// Secret is a string that never prints: use Reveal to read it.
type Secret struct{ value string }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string { return redact(s.value) }

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return redact(s.value) }

// MarshalJSON keeps the value out of artifacts.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(redact(s.value))), nil }

// LogValue keeps the value out of slog output.
func (s Secret) LogValue() any { return redact(s.value) }

func redact(v string) string {
	if v == "" {
		return ""
	}
	return "[redacted]"
}

var (
	nodeType     = reflect.TypeOf(yaml.Node{})
	durationType = reflect.TypeOf(time.Duration(0))
	secretType   = reflect.TypeOf(Secret{})
)

func (d *Decoder) decode(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case v.Type() == nodeType:
		v.Set(reflect.ValueOf(*n))
		return
	case v.Kind() == reflect.Pointer && v.Type().Elem() == nodeType:
		v.Set(reflect.ValueOf(n))
		return
	case v.Type() == secretType:
		if s, ok := d.scalarString(n, ctx, "a string or a ${ENV_VAR} / ${file:PATH} reference", true); ok {
			v.Set(reflect.ValueOf(Secret{value: s}))
		}
		return
	case v.Type() == durationType:
		d.decodeDuration(n, v, ctx)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), ctx)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, ctx)
	case reflect.Slice:
		d.decodeSlice(n, v, ctx)
	case reflect.Map:
		d.decodeMap(n, v, ctx)
	case reflect.Interface:
		out, err := Plain(n)
		if err != nil {
			d.failf(n, "%s: %v", where(ctx), err)
			return
		}
		if out != nil {
			v.Set(reflect.ValueOf(out))
		}
	case reflect.String:
		if s, ok := d.scalarString(n, ctx, "a string", false); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		d.decodeBool(n, v, ctx)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.decodeInt(n, v, ctx)
	case reflect.Float32, reflect.Float64:
		d.decodeFloat(n, v, ctx)
	default:
		d.failf(n, "%s: yamlx cannot decode into %s", ctx, v.Type())
	}
}

// Plain converts a node to plain Go values (map[string]any, []any, string, int, float64, bool,
// nil). Dates and timestamps stay the text written (2026-10-31 is a string, not a time), as
// users of vars such as as_of_date expect.
func Plain(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return Plain(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := Plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := Plain(c)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	if n.Tag == "!!timestamp" {
		return n.Value, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// KindName describes a node for error messages: "a mapping", "a list", "nothing (null)" or the
// quoted scalar.
func KindName(n *yaml.Node) string { return kindName(n) }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing (null)"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func where(ctx string) string {
	if ctx == "" {
		return "the document"
	}
	return ctx
}

func (d *Decoder) scalarString(n *yaml.Node, ctx, want string, secret bool) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.failf(n, "%s: expected %s, got %s", where(ctx), want, kindName(n))
		return "", false
	}
	s, err := d.expand(n.Value)
	if err != nil {
		d.failf(n, "%s: %v", where(ctx), err)
		return "", false
	}
	return s, true
}

// expand resolves ${NAME} and ${file:PATH}; "$${" writes a literal "${".
func (d *Decoder) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", errors.New("unterminated ${...} reference; write ${NAME} or ${file:PATH}")
		}
		ref := s[i+2 : i+j]
		val, err := d.resolve(ref)
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(val)
		s = s[i+j+1:]
	}
}

func (d *Decoder) resolve(ref string) (string, error) {
	if p, ok := strings.CutPrefix(ref, "file:"); ok {
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.Dir, p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("read secret file %s: %w", p, errors.Unwrap(err))
		}
		return strings.TrimSpace(string(data)), nil
	}
	if ref == "" || strings.ContainsAny(ref, " \t") {
		return "", fmt.Errorf("invalid reference ${%s}; write ${NAME} or ${file:PATH}", ref)
	}
	if d.LookupEnv != nil {
		if v, ok := d.LookupEnv(ref); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("environment variable %s is not set (referenced as ${%s}); export it or use ${file:PATH}", ref, ref)
}

func (d *Decoder) decodeBool(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			v.SetBool(b)
			return
		}
	}
	d.failf(n, "%s: expected true or false, got %s", where(ctx), kindName(n))
}

func (d *Decoder) decodeInt(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, v.Type().Bits())
		if err == nil {
			v.SetInt(i)
			return
		}
	}
	d.failf(n, "%s: expected a whole number, got %s", where(ctx), kindName(n))
}

func (d *Decoder) decodeFloat(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!float" || n.Tag == "!!int") {
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), v.Type().Bits())
		if err == nil {
			v.SetFloat(f)
			return
		}
	}
	d.failf(n, "%s: expected a number, got %s", where(ctx), kindName(n))
}

func (d *Decoder) decodeDuration(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if dur, err := time.ParseDuration(n.Value); err == nil {
			v.SetInt(int64(dur))
			return
		}
	}
	d.failf(n, "%s: expected a duration such as 30s, 15m or 6h, got %s", where(ctx), kindName(n))
}

func (d *Decoder) decodeSlice(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind != yaml.SequenceNode {
		// A single scalar where a list of scalars is expected is accepted as a one-item list.
		if n.Kind == yaml.ScalarNode && !isNull(n) && v.Type().Elem().Kind() == reflect.String {
			out := reflect.MakeSlice(v.Type(), 1, 1)
			d.decode(n, out.Index(0), ctx)
			v.Set(out)
			return
		}
		d.failf(n, "%s: expected a list, got %s", where(ctx), kindName(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", where(ctx), i))
	}
	v.Set(out)
}

func (d *Decoder) decodeMap(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind != yaml.MappingNode {
		d.failf(n, "%s: expected a mapping, got %s", where(ctx), kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.failf(n, "%s: yamlx supports maps with string keys only", where(ctx))
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	d.eachKey(n, ctx, func(k, val *yaml.Node) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, join(ctx, k.Value))
		out.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	})
	v.Set(out)
}

type field struct {
	name     string
	index    int
	required bool
}

func structFields(t reflect.Type) (fields []field, remain int) {
	remain = -1
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "remain" {
			remain = i
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields = append(fields, field{name: name, index: i, required: strings.Contains(opts, "required")})
	}
	return fields, remain
}

func (d *Decoder) decodeStruct(n *yaml.Node, v reflect.Value, ctx string) {
	if n.Kind != yaml.MappingNode {
		d.failf(n, "%s: expected a mapping, got %s", where(ctx), kindName(n))
		return
	}
	fields, remain := structFields(v.Type())
	byName := make(map[string]field, len(fields))
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		byName[f.name] = f
		names = append(names, f.name)
	}
	seen := map[string]bool{}
	var rest []*yaml.Node
	d.eachKey(n, ctx, func(k, val *yaml.Node) {
		seen[k.Value] = true
		f, ok := byName[k.Value]
		switch {
		case ok:
			d.decode(val, v.Field(f.index), join(ctx, k.Value))
		case remain >= 0:
			rest = append(rest, k, val)
		default:
			d.failf(k, "%s: unknown key %q; expected one of: %s%s", where(ctx), k.Value,
				strings.Join(names, ", "), didYouMean(k.Value, names))
		}
	})
	if remain >= 0 {
		v.Field(remain).Set(reflect.ValueOf(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column, Content: rest}))
	}
	for _, f := range fields {
		if f.required && !seen[f.name] {
			d.failf(n, "%s: missing required key %q", where(ctx), f.name)
		}
	}
}

// eachKey calls f for each key of a mapping node in order, reporting a repeated key as an error
// instead of calling f for it again.
func (d *Decoder) eachKey(n *yaml.Node, ctx string, f func(k, val *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			d.failf(k, "%s: duplicate key %q", where(ctx), k.Value)
			continue
		}
		seen[k.Value] = true
		f(k, n.Content[i+1])
	}
}

func join(ctx, key string) string {
	if ctx == "" {
		return key
	}
	return ctx + "." + key
}

// didYouMean suggests the closest known name within a small edit distance.
func didYouMean(got string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dd := editDistance(strings.ToLower(got), k); dd < bestD {
			best, bestD = k, dd
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// DidYouMean is the suggestion helper for callers validating names themselves.
func DidYouMean(got string, known []string) string { return didYouMean(got, known) }

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
