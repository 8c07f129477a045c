package jinja

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// relation is an Object with a text form, like dbt's {{ this }}.
type relation struct{ schema, name string }

func (r relation) Attr(name string) (any, bool) {
	switch name {
	case "schema":
		return r.schema, true
	case "name", "identifier":
		return r.name, true
	}
	return nil, false
}

func (r relation) String() string { return `"` + r.schema + `"."` + r.name + `"` }

func (r relation) AttrNames() []string { return []string{"schema", "name", "identifier"} }

// bare is an Object without a text form.
type bare struct{}

func (bare) Attr(name string) (any, bool) {
	if name == "x" {
		return 1, true // a Go int: normalised to int64
	}
	return nil, false
}

// testGlobals are the globals the table tests render with.
func testGlobals() map[string]any {
	return map[string]any{
		"ref": Func(func(c *Call) (any, error) {
			s, err := c.String(0)
			if err != nil {
				return nil, err
			}
			return relation{"main", s}, nil
		}),
		"upper_all": Func(func(c *Call) (any, error) {
			var out []string
			for _, a := range c.Args {
				out = append(out, strings.ToUpper(fmt.Sprint(a)))
			}
			return out, nil // []string: becomes a list
		}),
		"kinds": Func(func(c *Call) (any, error) {
			var out []string
			for _, a := range c.Args {
				out = append(out, fmt.Sprintf("%T", a))
			}
			for _, k := range []string{"k"} {
				if v, ok := c.Kwarg(k); ok {
					out = append(out, fmt.Sprintf("%s=%T", k, v))
				}
			}
			return strings.Join(out, ","), nil
		}),
		"fail": Func(func(c *Call) (any, error) { return nil, errors.New("it broke") }),
		"fail_at": Func(func(c *Call) (any, error) {
			return nil, &Error{Pos: Pos{File: "elsewhere.sql", Line: 9, Col: 9}, Msg: "custom"}
		}),
		"this":      relation{"analytics", "orders"},
		"obj":       bare{},
		"n":         5,
		"i32":       int32(-3),
		"f32":       float32(0.5),
		"xs":        []any{3, 1, 2},
		"strs":      []string{"b", "a"},
		"d":         map[string]any{"b": 2, "a": 1},
		"sm":        map[string]string{"k": "v"},
		"nested":    map[string]any{"l": []any{1, 2}, "m": map[string]any{"x": "y"}},
		"empty":     "",
		"nothing":   nil,
		"ints":      []int{1, 2},
		"greeting":  "hello",
		"is_incr":   true,
		"shared":    []any{"a"},
		"macro_var": 1,
	}
}

// errCase is an expected *Error: position and substrings of Msg and Hint.
type errCase struct {
	file      string
	line, col int
	msg, hint string
}

func checkErr(t *testing.T, err error, want errCase) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want.msg)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	file := want.file
	if file == "" {
		file = "t.sql"
	}
	if e.Pos.File != file || e.Pos.Line != want.line || e.Pos.Col != want.col {
		t.Errorf("position %s, want %s:%d:%d (error: %v)", e.Pos, file, want.line, want.col, err)
	}
	if !strings.Contains(e.Msg, want.msg) {
		t.Errorf("message %q does not contain %q", e.Msg, want.msg)
	}
	if !strings.Contains(e.Hint, want.hint) {
		t.Errorf("hint %q does not contain %q", e.Hint, want.hint)
	}
	if !strings.HasPrefix(err.Error(), e.Pos.String()+": "+e.Msg) {
		t.Errorf("Error() = %q", err.Error())
	}
}

func render(t *testing.T, src string, env *Env) (string, error) {
	t.Helper()
	tmpl, err := Parse("t.sql", src)
	if err != nil {
		return "", err
	}
	return tmpl.Render(env)
}
