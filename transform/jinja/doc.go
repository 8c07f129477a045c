// Package jinja is a fast, strict engine for the subset of Jinja2 that SQL models use
// (dbt style). A template is parsed once (Parse) and rendered any number of times, also
// concurrently (Template.Render). Every parse and render error is an *Error naming the file,
// line and column, often with a hint ("did you mean ...?").
//
// # Syntax
//
//	{{ expr }}     output
//	{% stmt %}     statement
//	{# comment #}  comment
//
// A "-" inside a delimiter ({{- -}}, {%- -%}, {#- -#}) strips all whitespace, newlines
// included, on that side, as in Jinja. There is no trim_blocks or lstrip_blocks, and the text is
// kept exactly as written: a trailing newline at the end of the file is kept, and "\r\n" is not
// rewritten.
//
// # Statements
//
//	{% if c %}...{% elif c %}...{% else %}...{% endif %}
//	{% for x in xs %}...{% else %}(when xs is empty){% endfor %}
//	{% for k, v in d.items() %} ... {% for x in xs if x.active %}
//	{% set x = e %}   {% set a, b = e %}   {% set x %}block text{% endset %}
//	{% set ns.attr = e %}   (ns = namespace(...), to carry a value out of a loop)
//	{% macro name(a, b='default') %}...{% endmacro %}
//	{% do e %}        (evaluate for the side effect: {% do cols.append(c) %})
//	{% raw %}...{% endraw %}
//
// Inside a for loop, loop.index, loop.index0, loop.revindex, loop.revindex0, loop.first,
// loop.last, loop.length, loop.previtem, loop.nextitem and loop.cycle(a, b, ...) are
// available. As in Jinja, a variable set inside a for loop does not outlive the loop (an if
// block has no scope of its own); use a namespace or list.append to collect results.
//
// Other tags (include, extends, block, call, filter, with, import, from, autoescape, break,
// continue, ...) are a parse error "unsupported tag".
//
// # Expressions
//
// Literals: 'single' and "double" quoted strings with Python escapes (adjacent literals
// concatenate), integers (1_000), floats (1.5, 1e3), true/false/True/False, none/None,
// lists [a, b], tuples (a, b) (which are lists), dicts {'k': v} (keys are strings).
//
// Operators, loosest first, with Jinja's precedence:
//
//	a if c else b        ("a if c" alone is "" when c is false)
//	or   and   not
//	== != < <= > >= in, not in   (chains: a < b < c)
//	+ -
//	~                    (string concatenation; binds tighter than + and -, as in Jinja)
//	* / // %
//	**
//	unary - +
//	x.attr  x[i]  x[a:b:c]  f(a, k=v)  x | filter(args)  x is [not] test
//
// Filters and tests bind to the operand directly before them: -x | abs is (-x) | abs, and
// a ~ b | upper upper-cases only b. Arithmetic follows Python: int / int is a float, //
// floors, % takes the sign of the divisor, + concatenates strings and lists, * repeats them;
// integer overflow and division by zero are errors. "%" string formatting is not supported.
//
// # Values
//
// Values are nil, bool, int64, float64, string, lists, dicts (map[string]any), Funcs, macros,
// Objects (Go values with attributes) and other Go values. Go ints of every size become int64
// and slices become lists when a template reads them. Output ({{ x }}) writes strings as
// they are, numbers as Python does (1.0, 0.5, 1e-05), True/False, None, and lists and dicts as
// Python's repr (['a', 1], {'k': 'v'}); a fmt.Stringer writes String(). An Object without
// String, a function or a macro cannot be written. Dicts iterate, print and serialise in
// sorted key order (Go maps have no insertion order). Truthiness is Python's.
//
// Lists are shared, as in Python: {% do l.append(x) %} is seen through every name bound to
// l. A list that comes from Go is copied on its first change, so a Go value is never
// modified.
//
// # Names
//
// Names are strict: using an undefined name is an error `"foo" is undefined`, with a
// did-you-mean hint; calling one is `unknown function "foo"`. Only `is defined`,
// `is undefined` and the default filter accept an undefined name (or a missing dict key or
// attribute). A name is looked up in the innermost scope first, then: the template's own
// top-level macros, Env.Macros, Env.Globals, and the builtins range(), dict() and
// namespace(). A user macro therefore replaces a global of the same name, as in dbt.
//
// # Filters
//
//	abs  capitalize  default(value='', boolean=false) (alias d)  first  float(default=0.0)
//	int(default=0, base=10)  items  join(d='', attribute=None) (sep= is accepted for d)
//	last  length (alias count)  list  lower  map('filter', ...) / map(attribute='x', default=..)
//	max / min(case_sensitive=false, attribute=None)  reject / select('test', ...)
//	rejectattr / selectattr('attr', 'test', ...)  replace(old, new, count=None)  reverse
//	round(precision=0, method='common'|'ceil'|'floor')  sort(reverse=false,
//	case_sensitive=false, attribute=None)  string  sum(attribute=None, start=0)  title
//	tojson(indent=None)  trim(chars=None)  unique(case_sensitive=false, attribute=None)  upper
//
// An unknown filter is a parse error. round rounds half to even (Python's round) and returns
// a float for a float; tojson sorts keys and escapes <, >, & and ' like Jinja.
//
// # Tests
//
//	defined undefined none boolean true false integer float number string mapping
//	sequence iterable callable even odd divisibleby(n) lower upper in(seq)
//	eq(x) ne(x) lt(x) le(x) gt(x) ge(x)
//
// # Methods
//
// Strings: upper() lower() title() capitalize() strip([chars]) lstrip([chars])
// rstrip([chars]) startswith(s) endswith(s) replace(old, new[, count])
// split(sep=None[, maxsplit]) join(list). Lists: append(x) extend(list) index(x) count(x).
// Dicts: items() keys() values() (in key order) get(key, default=None). A dict key is read as
// d.key or d['key']; a missing key is an error (d.get is the lenient way).
//
// # Macros
//
// Calling a macro renders its body with the parameters bound (missing ones take their
// defaults; unknown keyword arguments and too many arguments are errors) in a scope that sees
// Env.Globals and the macros but not the caller's variables. The call evaluates to the
// rendered text, or, when the body calls {{ return(x) }} (or {% do return(x) %}), to x,
// which may be any value. Nested calls are limited to a depth of 100. m.name is the macro's
// name. Errors inside a macro body are reported at the macro's file and line.
//
// # Go functions
//
// A Func in Env.Globals is called with the evaluated arguments (lists as []any); use the
// Call helpers String, OptString, Kwarg and CheckArgs for errors that name the function and
// argument. A Func's error is reported at the call as "name(...): error", unless it is an
// *Error, which is passed on as it is. Template.Calls finds the calls of given functions
// (ref, source) without rendering, in every branch and macro.
package jinja
