package jinja

import "testing"

func TestRender(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// text, output, comments
		{"text", "select 1\n", "select 1\n"},
		{"empty", "", ""},
		{"braces in text", "a { b } {x} %} #}", "a { b } {x} %} #}"},
		{"comment", "a{# c {{ x }} #}b", "ab"},
		{"trailing newline kept", "{{ 1 }}\n\n", "1\n\n"},
		{"crlf kept", "a\r\n{{ 1 }}\r\n", "a\r\n1\r\n"},

		// values
		{"int", "{{ 42 }}", "42"},
		{"go int", "{{ n }}{{ i32 }}", "5-3"},
		{"go float32", "{{ f32 }}", "0.5"},
		{"floats", "{{ 1.0 }}|{{ 0.5 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 0.00001 }}|{{ 0.1 + 0.2 }}|{{ -0.0 }}", "1.0|0.5|1e+16|1000000000000000.0|1e-05|0.30000000000000004|-0.0"},
		{"bools and none", "{{ true }}{{ False }}{{ none }}{{ None }}", "TrueFalseNoneNone"},
		{"list repr", `{{ [1, 'a', none, true, 1.5, [2]] }}`, `[1, 'a', None, True, 1.5, [2]]`},
		{"tuple is list", "{{ (1, 2) }}{{ () }}{{ (1,) }}", "[1, 2][][1]"},
		{"dict repr sorted", `{{ {'b': 1, 'a': 'x'} }}|{{ d }}|{{ {} }}`, `{'a': 'x', 'b': 1}|{'a': 1, 'b': 2}|{}`},
		{"string repr quotes", `{{ ["a'b", 'a"b', "a'\"b", "\n\t\\"] }}`, `["a'b", 'a"b', 'a\'"b', '\n\t\\']`},
		{"go slices", "{{ xs }}{{ strs }}{{ ints }}", "[3, 1, 2]['b', 'a'][1, 2]"},
		{"go string map", "{{ sm.k }}", "v"},
		{"nested go values", "{{ nested.l[1] + 1 }}{{ nested.m.x }}", "3y"},
		{"stringer", "{{ this }}", `"analytics"."orders"`},
		{"object attrs", "{{ this.schema }}.{{ this['name'] }}|{{ obj.x + 1 }}", "analytics.orders|2"},
		{"stringer in list", "{{ [this] }}", `["analytics"."orders"]`},
		{"escapes", `{{ 'tab\there' }}|{{ 'uni\u00e9' }}|{{ '\x41' }}|{{ 'back\\slash' }}|{{ 'keep\qx' }}|{{ "it's" }}`, "tab\there|unié|A|back\\slash|keep\\qx|it's"},
		{"adjacent strings", "{{ 'a' 'b' \"c\" }}", "abc"},
		{"underscore ints", "{{ 1_000 }}", "1000"},

		// operators
		{"precedence", "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 2 ** 3 ** 2 }}|{{ -2 ** 2 }}", "7|9|64|4"},
		{"division", "{{ 7 / 2 }}|{{ 10 / 5 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7.5 // 2 }}", "3.5|2.0|3|-4|3.0"},
		{"modulo", "{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 7 % -3 }}|{{ 7.5 % 2 }}", "1|2|-2|1.5"},
		{"power", "{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2.0 ** 2 }}", "1024|0.5|4.0"},
		{"mixed arithmetic", "{{ 1 + 1.5 }}|{{ 3 * 0.5 }}|{{ true + 1 }}", "2.5|1.5|2"},
		{"concat", "{{ 'a' ~ 1 ~ none ~ true ~ 1.0 }}|{{ 'x' ~ (n + 1) }}|{{ (1 + 2) ~ 3 }}", "a1NoneTrue1.0|x6|33"},
		{"concat binds tighter than plus", "{{ 1 ~ 2 * 3 }}", "16"},
		{"plus strings and lists", "{{ 'a' + 'b' }}|{{ [1] + [2, 3] }}|{{ xs + [4] }}", "ab|[1, 2, 3]|[3, 1, 2, 4]"},
		{"repeat", "{{ 'ab' * 3 }}|{{ 2 * 'x' }}|{{ [1, 2] * 2 }}|{{ 'a' * 0 }}", "ababab|xx|[1, 2, 1, 2]|"},
		{"unary", "{{ -n }}|{{ +2.5 }}|{{ - n | abs }}|{{ --1 }}", "-5|2.5|5|1"},
		{"comparisons", "{{ 1 < 2 < 3 }}|{{ 3 > 2 > 2 }}|{{ 1 == 1.0 }}|{{ 'a' != 'b' }}|{{ 2 >= 2 }}|{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}|{{ true == 1 }}", "True|False|True|True|True|True|True|True"},
		{"in", "{{ 'a' in 'cat' }}|{{ 2 in xs }}|{{ 'a' in d }}|{{ 9 not in xs }}|{{ not 1 in xs }}|{{ 'k' in sm }}", "True|True|True|True|False|True"},
		{"equality of containers", "{{ [1, [2]] == [1, [2]] }}|{{ {'a': 1} == {'a': 1.0} }}|{{ xs == [3, 1, 2] }}|{{ none == none }}|{{ none == 0 }}", "True|True|True|True|False"},
		{"and or not", "{{ n > 3 and 'yes' }}|{{ 0 or 'fallback' }}|{{ none or [] }}|{{ not '' }}|{{ not n }}|{{ false and undefined_name }}|{{ true or undefined_name }}", "yes|fallback|[]|True|False|False|True"},
		{"conditional", "{{ 'x' if n > 3 else 'y' }}|{{ 'x' if n < 3 }}|{{ 'a' if false else 'b' if false else 'c' }}", "x||c"},
		{"truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, {'a': 1}, none, 0.0, 0.1] %}{{ 'T' if v else 'F' }}{% endfor %}", "FTFTFTFTFFT"},

		// subscripts and slices
		{"index", "{{ xs[0] }}{{ xs[-1] }}{{ 'abc'[1] }}{{ 'héllo'[1] }}{{ d['a'] }}{{ xs.0 }}{{ nested.l.1 }}", "32bé132"},
		{"slices", "{{ 'Hello'[1:3] }}|{{ 'Hello'[::-1] }}|{{ 'Hello'[:-2] }}|{{ xs[1:] }}|{{ xs[::2] }}|{{ xs[-2:] }}|{{ xs[5:10] }}|{{ 'Hello'[::-2] }}|{{ xs[:] }}", "el|olleH|Hel|[1, 2]|[3, 2]|[1, 2]|[]|olH|[3, 1, 2]"},

		// calls
		{"func", "{{ ref('orders') }}|{{ ref('x').name }}", `"main"."orders"|x`},
		{"func arg kinds", "{{ kinds(1, 'a', [1], {'a': [1]}, 1.5, none, true, this, k=[2]) }}", "int64,string,[]interface {},map[string]interface {},float64,<nil>,bool,jinja.relation,k=[]interface {}"},
		{"func returns go slice", "{{ upper_all('a', 'b') }}{{ upper_all('x')[0] }}", "['A', 'B']X"},
		{"call result attribute", "{{ ref('o').schema }}", "main"},
		{"builtins", "{{ range(3) }}|{{ range(2, 10, 3) }}|{{ range(5, 0, -2) }}|{{ dict(a=1, b='x') }}", "[0, 1, 2]|[2, 5, 8]|[5, 3, 1]|{'a': 1, 'b': 'x'}"},
		{"global overrides builtin", "{{ range }}", "shadow"},

		// filters
		{"case filters", "{{ 'Hello World' | lower }}|{{ 'Hello' | upper }}|{{ 'hELLO wORLD' | capitalize }}|{{ 'hello wORLD-foo bar(baz' | title }}|{{ 5 | upper }}", "hello world|HELLO|Hello world|Hello World-Foo Bar(Baz|5"},
		{"trim replace", "{{ '  x \n' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ 'hello' | replace('l', 'L') }}|{{ 'hello' | replace('l', 'L', 1) }}", "x|a|heLLo|heLlo"},
		{"join", "{{ xs | join }}|{{ xs | join(', ') }}|{{ xs | join(sep='-') }}|{{ [{'n': 'a'}, {'n': 'b'}] | join(',', attribute='n') }}", "312|3, 1, 2|3-1-2|a,b"},
		{"default", "{{ nothing | default('dflt') }}|{{ undefined_thing | default('dflt') }}|{{ empty | default('dflt', true) }}|{{ empty | d('x', boolean=true) }}|{{ undefined_thing | d }}|{{ d.zz | default(7) }}|{{ d['zz'] | default(8) }}|{{ undefined_thing.x | default(9) }}|{{ n | default(0) }}", "None|dflt|dflt|x||7|8|9|5"},
		{"length", "{{ xs | length }}|{{ d | count }}|{{ 'héllo' | length }}", "3|2|5"},
		{"string int float", "{{ 1 | string ~ 'x' }}|{{ '42' | int }}|{{ '4.7' | int }}|{{ 'x' | int }}|{{ 'x' | int(7) }}|{{ 4.9 | int }}|{{ '3.5' | float }}|{{ 'x' | float }}|{{ 3 | float }}|{{ true | int }}|{{ '0x1A' | int(base=16) }}", "1x|42|4|0|7|4|3.5|0.0|3.0|1|26"},
		{"list first last", "{{ 'abc' | list }}|{{ xs | first }}|{{ xs | last }}|{{ 'abc' | first }}|{{ d | list }}", "['a', 'b', 'c']|3|2|a|['a', 'b']"},
		{"sort", "{{ xs | sort }}|{{ ['b', 'A', 'c', 'a'] | sort }}|{{ ['b', 'A', 'a'] | sort(case_sensitive=true) }}|{{ ['b', 'A', 'c'] | sort(reverse=true) }}|{{ [{'a': 2}, {'a': 1}] | sort(attribute='a') }}", "[1, 2, 3]|['A', 'a', 'b', 'c']|['A', 'a', 'b']|['c', 'b', 'A']|[{'a': 1}, {'a': 2}]"},
		{"unique reverse", "{{ ['b', 'A', 'c', 'a', 'b'] | unique }}|{{ xs | reverse }}|{{ 'abc' | reverse }}", "['b', 'A', 'c']|[2, 1, 3]|cba"},
		{"round abs", "{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 2.675 | round(2) }}|{{ 3 | round }}|{{ 2.1 | round(method='ceil') }}|{{ 2.9 | round(0, 'floor') }}|{{ 1234 | round(-2) }}|{{ -3 | abs }}|{{ -3.5 | abs }}", "2.0|4.0|2.67|3|3.0|2.0|1200|3|3.5"},
		{"tojson", `{{ d | tojson }}|{{ "<a href='x'>&é" | tojson }}|{{ [1, 2.5, none, true, this] | tojson }}`, `{"a": 1, "b": 2}|"\u003ca href=\u0027x\u0027\u003e\u0026\u00e9"|[1, 2.5, null, true, "\"analytics\".\"orders\""]`},
		{"tojson indent", "{{ {'b': [1, {}], 'a': []} | tojson(2) }}", "{\n  \"a\": [],\n  \"b\": [\n    1,\n    {}\n  ]\n}"},
		{"map select", "{{ ['a', 'b'] | map('upper') | list }}|{{ xs | map('string') | join('-') }}|{{ [{'n': 1, 'on': true}, {'n': 2, 'on': false}] | selectattr('on') | map(attribute='n') | list }}|{{ [{'n': 1}, {'n': 2}] | rejectattr('n', 'eq', 1) | map(attribute='n') | first }}|{{ xs | select('odd') | list }}|{{ xs | reject('odd') | list }}|{{ [{'a': 1}, {}] | map(attribute='a', default=0) | list }}", "['A', 'B']|3-1-2|[1]|2|[3, 1]|[2]|[1, 0]"},
		{"sum min max items", "{{ xs | sum }}|{{ [{'v': 1}, {'v': 2.5}] | sum(attribute='v') }}|{{ xs | min }}|{{ xs | max }}|{{ ['b', 'C'] | max }}|{{ d | items }}", "6|3.5|1|3|C|[['a', 1], ['b', 2]]"},
		{"filter chain", "{{ ' A,b ' | trim | lower | replace(',', ';') }}", "a;b"},

		// tests
		{"tests", "{{ n is odd }}|{{ n is even }}|{{ n is divisibleby 5 }}|{{ n is divisibleby(2) }}|{{ nothing is none }}|{{ n is number }}|{{ 'x' is string }}|{{ d is mapping }}|{{ xs is sequence }}|{{ xs is iterable }}|{{ n is not string }}", "True|False|True|False|True|True|True|True|True|True|True"},
		{"defined", "{{ foo is defined }}|{{ n is defined }}|{{ d.a is defined }}|{{ d.q is defined }}|{{ d['q'] is undefined }}|{{ xs[9] is defined }}|{{ foo.bar is defined }}|{{ this.schema is defined }}|{{ this.nope is not defined }}", "False|True|True|False|True|False|False|True|True"},
		{"more tests", "{{ true is true }}|{{ 1 is true }}|{{ false is false }}|{{ 'abc' is lower }}|{{ 'ABC' is upper }}|{{ 2 is in xs }}|{{ 3 is eq 3 }}|{{ 3 is ne 3 }}|{{ 3 is lt 4 }}|{{ 3 is ge 4 }}|{{ n is integer }}|{{ 1.5 is float }}|{{ ref is callable }}|{{ true is boolean }}", "True|False|True|True|True|True|True|False|True|False|True|True|True|True"},

		// methods
		{"string methods", "{{ 'Hi'.upper() }}|{{ 'Hi'.lower() }}|{{ '  x '.strip() }}|{{ 'xxyxx'.lstrip('x') }}|{{ 'xxyxx'.rstrip('x') }}|{{ 'Hello'.startswith('He') }}|{{ 'Hello'.endswith(('x', 'lo')) }}|{{ 'hello'.replace('l', 'L') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b c '.split() }}|{{ 'a b c'.split(none, 1) }}|{{ '-'.join(['a', 'b']) }}|{{ 'a b'.title() }}", "HI|hi|x|yxx|xxy|True|True|heLLo|['a', 'b', '', 'c']|['a', 'b', 'c']|['a', 'b c']|a-b|A B"},
		{"list methods", "{{ xs.index(2) }}|{{ [3, 3, 1].count(3) }}", "2|2"},
		{"dict methods", "{{ d.items() }}|{{ d.keys() }}|{{ d.values() }}|{{ d.get('a') }}|{{ d.get('q') }}|{{ d.get('q', 7) }}|{{ d.get('q', default=8) }}", "[['a', 1], ['b', 2]]|['a', 'b']|[1, 2]|1|None|7|8"},
		{"bound method", "{% set up = 'abc'.upper %}{{ up() }}", "ABC"},
		{"append", "{% set l = [] %}{% for x in xs %}{% do l.append(x * 10) %}{% endfor %}{{ l }}", "[30, 10, 20]"},
		{"lists are shared", "{% set l = [1] %}{% set m = l %}{% do m.extend([2]) %}{{ l }}|{% set d2 = {'k': []} %}{% do d2.k.append(1) %}{{ d2 }}", "[1, 2]|{'k': [1]}"},
		{"go list copied on write", "{% do shared.append('b') %}{{ shared }}|{{ kinds(shared) }}", "['a', 'b']|[]interface {}"},

		// if, for, set
		{"if elif else", "{% if n > 10 %}big{% elif n > 3 %}mid{% else %}small{% endif %}|{% if false %}x{% endif %}|{% if 0 %}a{% elif '' %}b{% else %}c{% endif %}", "mid||c"},
		{"loop vars", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.cycle('a','b') }};{% endfor %}", "10TrueFalse332a;21FalseFalse321b;32FalseTrue310a;"},
		{"loop prev next", "{% for x in xs %}{{ loop.previtem is defined }}{{ loop.nextitem | default('-') }} {% endfor %}", "False1 True2 True- "},
		{"for unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}|{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}|{% for (a, b) in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}", "a=1,b=2,|37|12"},
		{"for over dict and string", "{% for k in d %}{{ k }}{% endfor %}|{% for c in 'abc' %}{{ c }}.{% endfor %}", "ab|a.b.c."},
		{"for else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "empty|312"},
		{"for filter", "{% for x in xs if x > 1 %}{{ x }}{{ loop.length }},{% endfor %}|{% for x in xs if x > 5 %}x{% else %}none{% endfor %}", "32,22,|none"},
		{"nested loops", "{% for i in range(2) %}{% for j in range(2) %}{{ i }}{{ j }}{{ loop.index }} {% endfor %}{{ loop.index }};{% endfor %}", "001 012 1;101 112 2;"},
		{"set in loop does not leak", "{% set x = 1 %}{% for i in xs %}{% set x = i %}{{ x }}{% endfor %}|{{ x }}", "312|1"},
		{"loop var does not leak", "{% set i = 'outer' %}{% for i in xs %}{% endfor %}{{ i }}", "outer"},
		{"set in if leaks", "{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "2"},
		{"namespace", "{% set ns = namespace(t=0, found=false) %}{% for i in xs %}{% set ns.t = ns.t + i %}{% if i == 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.t }}{{ ns.found }}", "6True"},
		{"set forms", "{% set a, b = 1, 2 %}{{ a }}{{ b }}|{% set t = 1, 2 %}{{ t }}|{% set blk %}in {{ n }} block{% endset %}{{ blk }}|{% set x, y = ['p', 'q'] %}{{ y }}{{ x }}", "12|[1, 2]|in 5 block|qp"},
		{"do", "{% do ref('x') %}ok", "ok"},
		{"raw", "{% raw %}{{ x }} {% if %}{% endraw %}|{%- raw -%}  x  {%- endraw -%}  |", "{{ x }} {% if %}|x|"},
		{"raw with spaces", "{%raw%}{{a}}{%endraw%}{%   raw   %}b{%   endraw   %}", "{{a}}b"},

		// macros
		{"macro", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }}|{{ greet('Al', greeting='Hi') }}|{{ greet.name }}|{{ greet(name='Z') }}", "Hello, Bob!|Hi, Al!|greet|Hello, Z!"},
		{"macro before definition", "{{ m() }}{% macro m() %}hoisted{% endmacro %}", "hoisted"},
		{"macro default uses param", "{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(3) }}", "6"},
		{"macro sees globals not locals", "{% set local = 1 %}{% macro m() %}{{ n }}{{ local is defined }}{% endmacro %}{{ m() }}", "5False"},
		{"macro return", "{% macro cols() %}ignored{{ return(['a', 'b']) }}ignored{% endmacro %}{{ cols() | join(',') }}|{{ cols()[1] }}", "a,b|b"},
		{"macro return in loop and do", "{% macro find(xs, v) %}{% for x in xs %}{% if x == v %}{% do return(loop.index) %}{% endif %}{% endfor %}{{ return(-1) }}{% endmacro %}{{ find(xs, 1) }}{{ find(xs, 9) }}", "2-1"},
		{"macro returns dict", "{% macro cfg() %}{{ return({'a': 1}) }}{% endmacro %}{{ cfg().a }}", "1"},
		{"recursive macro", "{%- macro fact(k) -%}{%- if k <= 1 -%}1{%- else -%}{{ k * (fact(k - 1) | int) }}{%- endif -%}{%- endmacro -%}{{ fact(5) }}", "120"},
		{"nested macro", "{% macro outer() %}{% macro inner() %}in{% endmacro %}[{{ inner() }}]{% endmacro %}{{ outer() }}", "[in]"},
		{"macro as value", "{% set f = ref %}{{ f('x').name }}", "x"},
		{"macro call with template values", "{% macro m(l) %}{% do l.append(2) %}{% endmacro %}{% set l = [1] %}{% do m(l) %}{{ l }}", "[1, 2]"},
		{"macro shadows global", "{% macro ref(x) %}mine-{{ x }}{% endmacro %}{{ ref('a') }}", "mine-a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := testGlobals()
			if tc.name == "global overrides builtin" {
				g["range"] = "shadow"
			}
			got, err := render(t, tc.src, &Env{Globals: g})
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestWhitespaceControl(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"none", "a\n{% if true %}\nb\n{% endif %}\nc", "a\n\nb\n\nc"},
		{"left", "a  \n {%- if true %}b{% endif %}", "ab"},
		{"right", "{% if true -%}  \n  b{% endif %}", "b"},
		{"both on output", "a \n {{- 1 -}} \n b", "a1b"},
		{"comment", "a \n {#- c -#} \n b", "ab"},
		{"empty comment dash", "a {#-#} b", "a b"},
		{"raw", "a {%- raw -%}  x  {%- endraw -%}  b", "axb"},
		{"loop", "{% for x in [1, 2] -%}\n  {{ x }}\n{%- endfor %}", "12"},
		{"only that side", "a  {{- 1 }}  b", "a1  b"},
		{"minus in expression is not a strip", "{{ 10-3 }}|{{ 10 -3 }}|{{ 10- 3}}", "7|7|7"},
		{"nested braces", "{{ {'a': {'b': 1}}}}", "{'a': {'b': 1}}"},
		{"strip before tag at start", "{{- 1 }}", "1"},
		{"jinja example", "line1\n  {%- if true -%}\n    inner\n  {%- endif %}\nafter {{- 5 -}} x", "line1inner\nafter5x"},
		{"macro", "{% macro m(a) -%}\n  <{{ a }}>\n{%- endmacro -%}\n{{ m(1) }}", "<1>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := render(t, tc.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
