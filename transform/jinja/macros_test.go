package jinja

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// loadMacros parses macro files as the transform engine does and collects their macros.
func loadMacros(t *testing.T, files map[string]string) map[string]*Macro {
	t.Helper()
	all := map[string]*Macro{}
	for name, src := range files {
		tmpl, err := Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for k, m := range tmpl.Macros() {
			all[k] = m
		}
	}
	return all
}

func TestMacrosAcrossFiles(t *testing.T) {
	macros := loadMacros(t, map[string]string{
		"macros/cents.sql": "{% macro cents_to_dollars(col, scale=2) -%}\n" +
			"round({{ col }} / 100.0, {{ scale }})\n" +
			"{%- endmacro %}\n" +
			"{% macro helper() %}{{ return('h') }}{% endmacro %}\n" +
			"{% macro uses_sibling() %}{{ helper() }}{% endmacro %}\n",
		"macros/broken.sql": "{% macro broken(x) %}\n\n   {{ x.nope }}\n{% endmacro %}",
		"macros/cols.sql":   "{% macro star(rel, except=[]) %}{% set out = [] %}{% for c in ['id', 'amount', 'note'] if c not in except %}{% do out.append(rel.name ~ '.' ~ c) %}{% endfor %}{{ return(out | join(', ')) }}{% endmacro %}",
	})
	if got := slices.Sorted(maps.Keys(macros)); !slices.Equal(got, []string{"broken", "cents_to_dollars", "helper", "star", "uses_sibling"}) {
		t.Fatalf("macros %v", got)
	}
	m := macros["cents_to_dollars"]
	if m.Name != "cents_to_dollars" || !slices.Equal(m.Params, []string{"col", "scale"}) || m.File != "macros/cents.sql" {
		t.Errorf("macro %+v", m)
	}
	env := &Env{Globals: testGlobals(), Macros: macros}
	tests := []struct{ src, want string }{
		{"select {{ cents_to_dollars('amount') }}", "select round(amount / 100.0, 2)"},
		{"{{ cents_to_dollars('x', scale=4) }}", "round(x / 100.0, 4)"},
		{"{{ uses_sibling() }}", "h"},
		{"{{ star(ref('o'), except=['note']) }}", "o.id, o.amount"},
		{"{% macro helper() %}local{% endmacro %}{{ helper() }}|{{ uses_sibling() }}", "local|h"},
	}
	for _, tc := range tests {
		got, err := render(t, tc.src, env)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
		} else if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
	// An error inside a macro body is reported in the macro's file.
	_, err := render(t, "select\n  {{ broken({'a': 1}) }}", env)
	checkErr(t, err, errCase{file: "macros/broken.sql", line: 3, col: 9, msg: `dict "x" has no key "nope"`})
}

func TestMacrosOnlyTopLevel(t *testing.T) {
	tmpl, err := Parse("m.sql", "{% macro a() %}{% macro inner() %}{% endmacro %}{% endmacro %}{% if true %}{% macro b() %}{% endmacro %}{% endif %}")
	if err != nil {
		t.Fatal(err)
	}
	ms := tmpl.Macros()
	if len(ms) != 1 || ms["a"] == nil {
		t.Errorf("Macros() = %v, want only a", ms)
	}
	delete(ms, "a") // a copy: the template is unchanged
	if tmpl.Macros()["a"] == nil {
		t.Error("Macros() returned the template's own map")
	}
}

func TestMacroCallFromGo(t *testing.T) {
	macros := loadMacros(t, map[string]string{"m.sql": "{% macro pair(a, b='y') %}{{ return([a, b, n]) }}{% endmacro %}{% macro text(a) %}<{{ a }}>{% endmacro %}"})
	env := &Env{Globals: map[string]any{"n": 1}, Macros: macros}
	v, err := macros["pair"].Call(env, []any{"x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := v.([]any)
	if !ok || len(l) != 3 || l[0] != "x" || l[1] != "y" || l[2] != int64(1) {
		t.Errorf("pair() = %#v", v)
	}
	v, err = macros["text"].Call(env, nil, map[string]any{"a": 7})
	if err != nil || v != "<7>" {
		t.Errorf("text(a=7) = %#v, %v", v, err)
	}
	_, err = macros["text"].Call(env, nil, nil)
	checkErr(t, err, errCase{file: "m.sql", line: 1, col: 73, msg: `missing argument "a"`})

	// A Func calling a macro stays within the render's recursion limit.
	env.Globals["via_go"] = Func(func(c *Call) (any, error) {
		m, _ := c.Env.Macros["rec"]
		return c.CallMacro(m, nil, nil)
	})
	env.Macros["rec"] = loadMacros(t, map[string]string{"r.sql": "{% macro rec() %}{{ via_go() }}{% endmacro %}"})["rec"]
	_, err = render(t, "{{ rec() }}", env)
	if err == nil || !strings.Contains(err.Error(), "maximum call depth 100 exceeded") {
		t.Errorf("recursion through Go: %v", err)
	}
}

func TestCallHelpers(t *testing.T) {
	var got []string
	env := &Env{Globals: map[string]any{
		"f": Func(func(c *Call) (any, error) {
			if err := c.CheckArgs(1, 2, "version", "pkg"); err != nil {
				return nil, err
			}
			name, err := c.String(0)
			if err != nil {
				return nil, err
			}
			v, err := c.OptString(1, "version", "latest")
			if err != nil {
				return nil, err
			}
			_, hasPkg := c.Kwarg("pkg")
			got = append(got, name+"@"+v+"/"+c.Name)
			return hasPkg, nil
		}),
	}}
	out, err := render(t, "{{ f('a') }}{{ f('b', 'v1') }}{{ f('c', version='v2', pkg='p') }}{{ f('d', version=none) }}", env)
	if err != nil {
		t.Fatal(err)
	}
	if out != "FalseFalseTrueFalse" || strings.Join(got, " ") != "a@latest/f b@v1/f c@v2/f d@latest/f" {
		t.Errorf("out %q, calls %v", out, got)
	}
	for _, tc := range []struct {
		src  string
		want errCase
	}{
		{"{{ f() }}", errCase{line: 1, col: 4, msg: "f(...): takes at least 1 argument(s), got 0"}},
		{"{{ f(1, 2, 3) }}", errCase{line: 1, col: 4, msg: "f(...): takes at most 2 argument(s), got 3"}},
		{"{{ f('a', verison='x') }}", errCase{line: 1, col: 4, msg: `f(...): unexpected keyword argument "verison"`, hint: `did you mean "version"?`}},
		{"{{ f('a', 1) }}", errCase{line: 1, col: 4, msg: "f(...): argument 2 (version) must be a string, got int 1"}},
		{"{{ f('a', 'v', version='w') }}", errCase{line: 1, col: 4, msg: `f(...): argument "version" is given twice`}},
		{"{{ f(['a']) }}", errCase{line: 1, col: 4, msg: "f(...): argument 1 must be a string, got list"}},
	} {
		_, err := render(t, tc.src, env)
		checkErr(t, err, tc.want)
	}
}
