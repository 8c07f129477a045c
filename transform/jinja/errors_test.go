package jinja

import (
	"errors"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      errCase
	}{
		// parse errors
		{"unsupported tag", "select 1\n  {% include 'x.sql' %}", errCase{line: 2, col: 6, msg: `unsupported tag "include"`, hint: "supported tags: if/elif/else/endif"}},
		{"unsupported tag did you mean", "{% iff x %}", errCase{line: 1, col: 4, msg: `unsupported tag "iff"`, hint: `did you mean "if"?`}},
		{"unsupported extends", "{% extends 'base' %}", errCase{line: 1, col: 4, msg: `unsupported tag "extends"`}},
		{"unsupported break", "{% for x in xs %}{% break %}{% endfor %}", errCase{line: 1, col: 21, msg: `unsupported tag "break"`}},
		{"unclosed if", "a\n\n{% if x %}\nb\n", errCase{line: 3, col: 1, msg: "{% if %} opened on line 3 is never closed", hint: "{% endif %}"}},
		{"unclosed for", "{% for x in xs %}\n{% if x %}{% endif %}", errCase{line: 1, col: 1, msg: "{% for %} opened on line 1 is never closed", hint: "{% endfor %}"}},
		{"unclosed macro", "\n{% macro m() %}", errCase{line: 2, col: 1, msg: "{% macro %} opened on line 2 is never closed", hint: "{% endmacro %}"}},
		{"unclosed set block", "{% set x %}abc", errCase{line: 1, col: 1, msg: "{% set %} opened on line 1", hint: "{% endset %}"}},
		{"stray endif", "a\n{% endif %}", errCase{line: 2, col: 1, msg: "unexpected {% endif %}", hint: "no open {% if %}"}},
		{"stray endfor", "{% endfor %}", errCase{line: 1, col: 1, msg: "unexpected {% endfor %}"}},
		{"stray else", "{% else %}", errCase{line: 1, col: 1, msg: "unexpected {% else %}", hint: "belongs inside"}},
		{"mismatched end", "{% for x in xs %}\n  {% endif %}\n{% endfor %}", errCase{line: 2, col: 3, msg: "unexpected {% endif %}", hint: "the {% for %} on line 1 is still open"}},
		{"elif after else", "{% if a %}{% else %}{% elif b %}{% endif %}", errCase{line: 1, col: 21, msg: "unexpected {% elif %}"}},
		{"else if", "{% if x %}{% else if y %}{% endif %}", errCase{line: 1, col: 19, msg: `unexpected "if" after else`, hint: "elif"}},
		{"junk after end tag", "{% if x %}{% endif x %}", errCase{line: 1, col: 20, msg: `expected "%}" to end the "endif" tag, got "x"`}},
		{"empty output", "{{ }}", errCase{line: 1, col: 4, msg: `expected an expression, got "}}"`}},
		{"dangling operator", "{{ 1 + }}", errCase{line: 1, col: 8, msg: "expected an expression"}},
		{"unterminated string", "{{ 'abc }}", errCase{line: 1, col: 4, msg: "unterminated string"}},
		{"unclosed output", "x\n{{ a", errCase{line: 2, col: 1, msg: "unclosed tag: missing }}"}},
		{"unclosed comment", "{# abc", errCase{line: 1, col: 1, msg: "unclosed comment"}},
		{"unclosed raw", "\n{% raw %}abc", errCase{line: 2, col: 1, msg: "unclosed {% raw %} block"}},
		{"bad character", "{{ 1 @ 2 }}", errCase{line: 1, col: 6, msg: "unexpected character '@'"}},
		{"for without in", "{% for x of xs %}{% endfor %}", errCase{line: 1, col: 10, msg: `expected "in"`}},
		{"set without value", "{% set x = %}", errCase{line: 1, col: 12, msg: "expected an expression"}},
		{"assign to keyword", "{% set true = 1 %}", errCase{line: 1, col: 8, msg: `cannot assign to "true"`}},
		{"duplicate macro", "{% macro m() %}{% endmacro %}\n{% macro m() %}{% endmacro %}", errCase{line: 2, col: 10, msg: `macro "m" is defined twice`, hint: "line 1"}},
		{"duplicate param", "{% macro m(a, a) %}{% endmacro %}", errCase{line: 1, col: 15, msg: `duplicate parameter "a"`}},
		{"param order", "{% macro m(a=1, b) %}{% endmacro %}", errCase{line: 1, col: 17, msg: `parameter "b" without a default`}},
		{"unknown filter", "{{ x | lowr }}", errCase{line: 1, col: 8, msg: `unknown filter "lowr"`, hint: `did you mean "lower"?; supported filters: abs,`}},
		{"unknown filter indent", "{{ x | indent }}", errCase{line: 1, col: 8, msg: `unknown filter "indent"`}},
		{"filter arg count", "{{ xs | join(1, 2, 3) }}", errCase{line: 1, col: 9, msg: `filter "join" takes at most 2 argument(s)`}},
		{"filter kwarg", "{{ xs | sort(revers=true) }}", errCase{line: 1, col: 9, msg: `filter "sort" has no argument "revers"`, hint: `did you mean "reverse"?`}},
		{"unknown test", "{{ x is frob }}", errCase{line: 1, col: 9, msg: `unknown test "frob"`, hint: "supported tests:"}},
		{"test arg count", "{{ x is divisibleby }}", errCase{line: 1, col: 9, msg: `test "divisibleby" takes 1 argument(s), got 0`}},
		{"chained tests", "{{ x is none is none }}", errCase{line: 1, col: 14, msg: "tests cannot be chained"}},
		{"return arity", "{{ return(1, 2) }}", errCase{line: 1, col: 10, msg: "return() takes exactly one argument"}},
		{"positional after keyword", "{{ f(a=1, 2) }}", errCase{line: 1, col: 11, msg: "positional argument follows keyword argument"}},
		{"star args", "{{ f(*xs) }}", errCase{line: 1, col: 6, msg: "*args and **kwargs"}},
		{"recursive loop", "{% for x in xs recursive %}{% endfor %}", errCase{line: 1, col: 16, msg: "recursive loops are not supported"}},
		{"too deep", "{{ " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " }}", errCase{line: 1, col: 132, msg: "nested too deeply"}},

		// positions after comments, raw blocks and multi-line tags
		{"line after comment", "{# one\ntwo\nthree #}\n  {{ nope }}", errCase{line: 4, col: 6, msg: `"nope" is undefined`}},
		{"line after raw", "{% raw %}\n{{ a }}\n{% endraw %}\n\n {{ nope }}", errCase{line: 5, col: 5, msg: `"nope" is undefined`}},
		{"line inside multi-line tag", "{{\n  1 +\n  nope\n}}", errCase{line: 3, col: 3, msg: `"nope" is undefined`}},
		{"column counts characters", "é {{ nope }}", errCase{line: 1, col: 6, msg: `"nope" is undefined`}},
		{"line after whitespace control", "a\n\n{%- if true -%}\n\n{{ nope }}{% endif %}", errCase{line: 5, col: 4, msg: `"nope" is undefined`}},

		// render errors
		{"undefined", "{{ foo }}", errCase{line: 1, col: 4, msg: `"foo" is undefined`}},
		{"undefined did you mean", "{{ greting }}", errCase{line: 1, col: 4, msg: `"greting" is undefined`, hint: `did you mean "greeting"?`}},
		{"undefined local did you mean", "{% set columns = 1 %}{{ colums }}", errCase{line: 1, col: 25, msg: `"colums" is undefined`, hint: `did you mean "columns"?`}},
		{"undefined in if", "{% if nope %}{% endif %}", errCase{line: 1, col: 7, msg: `"nope" is undefined`}},
		{"undefined in call args", "{{ ref(nope) }}", errCase{line: 1, col: 8, msg: `"nope" is undefined`}},
		{"undefined attribute base", "{{ nope.x }}", errCase{line: 1, col: 4, msg: `"nope" is undefined`}},
		{"undefined in filter", "{{ nope | upper }}", errCase{line: 1, col: 4, msg: `"nope" is undefined`}},
		{"undefined in test", "{{ nope is none }}", errCase{line: 1, col: 4, msg: `"nope" is undefined`}},
		{"unknown function", "{{ reff('a') }}", errCase{line: 1, col: 4, msg: `unknown function "reff"`, hint: `did you mean "ref"?`}},
		{"not callable", "{{ n() }}", errCase{line: 1, col: 4, msg: `"n" is not callable (it is int 5)`}},
		{"dict missing attr", "{{ d.c }}", errCase{line: 1, col: 6, msg: `dict "d" has no key "c"`, hint: "use .get('c')"}},
		{"dict missing key", "{{ d['zz'] }}", errCase{line: 1, col: 5, msg: `dict has no key "zz"`}},
		{"object missing attr", "{{ this.shema }}", errCase{line: 1, col: 9, msg: `"this" has no attribute "shema"`, hint: `did you mean "schema"?`}},
		{"object without text", "{{ obj }}", errCase{line: 1, col: 4, msg: "cannot render jinja.bare"}},
		{"render function", "{{ ref }}", errCase{line: 1, col: 4, msg: `cannot render function "ref"`}},
		{"render macro", "{% macro m() %}{% endmacro %}{{ m }}", errCase{line: 1, col: 33, msg: `cannot render macro "m"`}},
		{"loop attr", "{% for x in xs %}\n{{ loop.indx }}{% endfor %}", errCase{line: 2, col: 9, msg: `loop has no attribute "indx"`, hint: `did you mean "index"?`}},
		{"loop outside for", "{{ loop.index }}", errCase{line: 1, col: 4, msg: `"loop" is undefined`}},
		{"unknown string method", "{{ 'a'.foo() }}", errCase{line: 1, col: 8, msg: `string has no attribute or method "foo"`, hint: "string methods: capitalize"}},
		{"unknown list method", "{{ xs.push(1) }}", errCase{line: 1, col: 7, msg: `list has no attribute or method "push"`, hint: "append"}},
		{"unknown dict method", "{{ d.iteritems() }}", errCase{line: 1, col: 6, msg: `dict "d" has no key "iteritems"`}},
		{"method arguments", "{{ 'a'.split('') }}", errCase{line: 1, col: 8, msg: "split(): empty separator"}},
		{"method arity", "{{ xs.append() }}", errCase{line: 1, col: 7, msg: `append() is missing argument "item"`}},
		{"index not in list", "{{ xs.index(9) }}", errCase{line: 1, col: 7, msg: "index(): 9 is not in the list"}},
		{"division by zero", "{{ 1 / 0 }}", errCase{line: 1, col: 6, msg: "division by zero"}},
		{"floor division by zero", "{{ 1 // 0 }}", errCase{line: 1, col: 6, msg: "division by zero"}},
		{"modulo by zero", "{{ 1.5 % 0 }}", errCase{line: 1, col: 8, msg: "division by zero"}},
		{"overflow", "{{ 9223372036854775807 + 1 }}", errCase{line: 1, col: 24, msg: "integer overflow"}},
		{"type error", "{{ 'a' + 1 }}", errCase{line: 1, col: 8, msg: "unsupported operand types for +: string and int"}},
		{"concat binds tighter", "{{ 'x' ~ n + 1 }}", errCase{line: 1, col: 12, msg: "unsupported operand types for +: string and int"}},
		{"ordering", "{{ 1 < 'a' }}", errCase{line: 1, col: 6, msg: `"<" is not supported between int and string`}},
		{"in on int", "{{ 1 in 2 }}", errCase{line: 1, col: 6, msg: `"in" needs a string, list or dict`}},
		{"for over int", "{% for x in 5 %}{% endfor %}", errCase{line: 1, col: 13, msg: "cannot iterate over int 5"}},
		{"for over none", "\n{% for x in nothing %}{% endfor %}", errCase{line: 2, col: 13, msg: "cannot iterate over none"}},
		{"for unpack", "{% for a, b in xs %}{% endfor %}", errCase{line: 1, col: 1, msg: "cannot unpack int 3 into 2 names"}},
		{"set unpack", "{% set a, b = [1] %}", errCase{line: 1, col: 1, msg: "cannot unpack 1 values into 2 names"}},
		{"index out of range", "{{ xs[5] }}", errCase{line: 1, col: 6, msg: "list index 5 out of range (length 3)"}},
		{"string index out of range", "{{ 'ab'[-3] }}", errCase{line: 1, col: 8, msg: "string index -3 out of range"}},
		{"index type", "{{ xs['a'] }}", errCase{line: 1, col: 6, msg: "list indices must be integers"}},
		{"slice step zero", "{{ xs[::0] }}", errCase{line: 1, col: 6, msg: "slice step cannot be zero"}},
		{"subscript int", "{{ n[0] }}", errCase{line: 1, col: 5, msg: "int 5 cannot be subscripted"}},
		{"filter type", "{{ n | length }}", errCase{line: 1, col: 8, msg: "filter length: int 5 has no length"}},
		{"filter empty", "{{ [] | first }}", errCase{line: 1, col: 9, msg: "filter first: the sequence is empty"}},
		{"filter sort mixed", "{{ [1, 'a'] | sort }}", errCase{line: 1, col: 15, msg: "filter sort:"}},
		{"test type", "{{ 'a' is odd }}", errCase{line: 1, col: 11, msg: "test odd: needs an integer"}},
		{"dict key type", "{{ {1: 2} }}", errCase{line: 1, col: 5, msg: "dict keys must be strings"}},
		{"namespace set on other", "{% set x = 1 %}{% set x.a = 2 %}", errCase{line: 1, col: 16, msg: `cannot set an attribute of int "x"`}},
		{"return outside macro", "{{ return(1) }}", errCase{line: 1, col: 4, msg: "return() can only be used inside a macro"}},
		{"range limit", "{{ range(100000000) }}", errCase{line: 1, col: 4, msg: "range(...): would make 100000000 items"}},
		{"repeat limit", "{{ 'ab' * 100000000 }}", errCase{line: 1, col: 9, msg: "string repetition is too large"}},

		// macros
		{"macro too many args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", errCase{line: 1, col: 34, msg: `macro "m" takes 1 argument(s), got 2`, hint: "m(a), defined at t.sql:1:10"}},
		{"macro unknown kwarg", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}", errCase{line: 1, col: 34, msg: `macro "m" has no parameter "b"`, hint: `did you mean "a"?`}},
		{"macro kwarg twice", "{% macro m(a) %}{% endmacro %}{{ m(1, a=1) }}", errCase{line: 1, col: 34, msg: `argument "a" is given twice`}},
		{"macro missing arg", "{% macro m(a) %}{% endmacro %}{{ m() }}", errCase{line: 1, col: 34, msg: `macro "m": missing argument "a"`}},
		{"macro error in body", "{% macro m() %}\n  {{ nope }}\n{% endmacro %}\n{{ m() }}", errCase{line: 2, col: 6, msg: `"nope" is undefined`}},
		{"macro cannot see caller locals", "{% macro m() %}{{ secret }}{% endmacro %}{% set secret = 1 %}{{ m() }}", errCase{line: 1, col: 19, msg: `"secret" is undefined`}},
		{"recursion limit", "{% macro m(i) %}{{ m(i + 1) }}{% endmacro %}{{ m(0) }}", errCase{line: 1, col: 20, msg: `macro "m": maximum call depth 100 exceeded`}},
		{"mutual recursion", "{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}", errCase{line: 1, col: 57, msg: "maximum call depth 100 exceeded"}},

		// Funcs
		{"func plain error", "\n  {{ fail() }}", errCase{line: 2, col: 6, msg: "fail(...): it broke"}},
		{"func *Error passes through", "{{ fail_at() }}", errCase{file: "elsewhere.sql", line: 9, col: 9, msg: "custom"}},
		{"func arg helper", "{{ ref(1) }}", errCase{line: 1, col: 4, msg: "ref(...): argument 1 must be a string, got int 1"}},
		{"func arg helper missing", "{{ ref() }}", errCase{line: 1, col: 4, msg: "ref(...): missing argument 1"}},
		{"func error in method call", "{{ this.schema.upper(1) }}", errCase{line: 1, col: 16, msg: "upper() takes at most 0 argument(s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.src, &Env{Globals: testGlobals()})
			checkErr(t, err, tc.want)
		})
	}
}

func TestFuncErrorWrapping(t *testing.T) {
	sentinel := errors.New("sentinel")
	env := &Env{Globals: map[string]any{
		"plain": Func(func(*Call) (any, error) { return nil, sentinel }),
		"typed": Func(func(c *Call) (any, error) {
			return nil, &Error{Pos: c.Pos, Msg: "typed failure", Hint: "do this"}
		}),
	}}
	_, err := render(t, "{{ plain() }}", env)
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, sentinel) = false: the Func's error must stay reachable", err)
	}
	if got, want := err.Error(), "t.sql:1:4: plain(...): sentinel"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = render(t, "x\n {{ typed() }}", env)
	if got, want := err.Error(), "t.sql:2:5: typed failure (hint: do this)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
