package jinja

import (
	"maps"
	"slices"
	"strings"
)

// Template is a parsed template. It is immutable: Render may be called concurrently.
type Template struct {
	Name string

	body     []node
	macros   map[string]*Macro // top-level macros
	sizeHint int               // bytes of literal text, to size the output
}

// Parse parses a template. name is used in error positions (usually the file path relative to
// the project).
func Parse(name, src string) (*Template, error) {
	ln := newLines(name, src)
	toks, err := lex(src, ln)
	if err != nil {
		return nil, err
	}
	t := &Template{Name: name, macros: map[string]*Macro{}}
	p := &parser{ln: ln, toks: toks, macros: t.macros}
	if t.body, err = p.parseTemplate(); err != nil {
		return nil, err
	}
	for _, tk := range toks {
		if tk.kind == tData {
			t.sizeHint += len(tk.s)
		}
	}
	return t, nil
}

// Env is what a render sees. Globals and Macros are read-only during Render; Render may be
// called concurrently on one Template with different Envs (and the same Env).
type Env struct {
	Globals map[string]any    // values and Funcs
	Macros  map[string]*Macro // user macros callable by name (a template's own top-level macros are also visible to it)
}

// Render evaluates the template with env and returns the output text.
func (t *Template) Render(env *Env) (string, error) {
	st := newState(env, t.macros)
	var b strings.Builder
	b.Grow(t.sizeHint + t.sizeHint/4 + 64)
	if err := renderNodes(t.body, st, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Macros returns the macros defined at the top level of the template ({% macro %} blocks), by
// name. The map is a copy; the macros are shared and immutable.
func (t *Template) Macros() map[string]*Macro {
	return maps.Clone(t.macros)
}

// Macro is a {% macro %} definition.
type Macro struct {
	Name   string
	Params []string
	File   string // the name of the template that defines it

	defaults []expr            // per parameter; nil where there is no default
	body     []node            //
	own      map[string]*Macro // the top-level macros of the defining template
	pos      Pos
}

// Pos is where the macro is defined (its name in the {% macro %} tag).
func (m *Macro) Pos() Pos { return m.pos }

// Attr serves {{ m.name }}.
func (m *Macro) Attr(name string) (any, bool) {
	if name == "name" {
		return m.Name, true
	}
	return nil, false
}

// Call calls the macro from Go with env, as a template would: the result is the rendered body,
// or the value given to return(). Lists in the result are []any.
func (m *Macro) Call(env *Env, args []any, kwargs map[string]any) (any, error) {
	st := newState(env, m.own)
	v, err := st.callMacro(m, normAll(slices.Clone(args)), normMap(maps.Clone(kwargs)), m.pos)
	if err != nil {
		return nil, err
	}
	return toGo(v), nil
}
