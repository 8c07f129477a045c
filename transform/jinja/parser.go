package jinja

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// supportedTags is the hint for an unsupported tag.
const supportedTags = "if/elif/else/endif, for/else/endfor, set/endset, macro/endmacro, do, raw/endraw"

// innerTags are tags that only continue or close a block.
var innerTags = []string{"elif", "else", "endif", "endfor", "endset", "endmacro", "endraw"}

// knownTags are the supported tags (for did-you-mean hints).
var knownTags = []string{"if", "elif", "else", "endif", "for", "endfor", "set", "endset",
	"macro", "endmacro", "do", "raw", "endraw"}

// reserved are the words that cannot be assigned to.
var reserved = []string{"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else"}

// maxNesting bounds how deeply expressions and blocks may nest, so that a hostile template
// cannot exhaust the stack.
const maxNesting = 256

type parser struct {
	ln     *lines
	toks   []token
	i      int
	macros map[string]*Macro // top-level macros of the template
	nest   int
}

// block is an open block tag, for error messages.
type block struct {
	tag  string
	pos  Pos
	ends []string
}

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peekAt(n int) *token {
	if p.i+n < len(p.toks) {
		return &p.toks[p.i+n]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) pos(t *token) Pos { return p.ln.pos(t.off) }

func (p *parser) errAt(t *token, msg, hint string) error {
	return &Error{Pos: p.pos(t), Msg: msg, Hint: hint}
}

func (p *parser) isOp(s string) bool {
	t := &p.toks[p.i]
	return t.kind == tOp && t.s == s
}

func (p *parser) isName(s string) bool {
	t := &p.toks[p.i]
	return t.kind == tName && t.s == s
}

func tokText(t *token) string {
	switch t.kind {
	case tEOF:
		return "end of template"
	case tData:
		return "template text"
	case tVarBegin, tVarEnd, tBlockBegin, tBlockEnd, tOp, tName:
		return strconv.Quote(t.s)
	case tString:
		return "string " + strconv.Quote(t.s)
	case tInt:
		return "number " + strconv.FormatInt(t.i, 10)
	case tFloat:
		return "number " + formatFloat(t.f)
	}
	return "token"
}

func (p *parser) expectOp(s, what string) error {
	if !p.isOp(s) {
		return p.errAt(p.tok(), fmt.Sprintf("expected %q %s, got %s", s, what, tokText(p.tok())), "")
	}
	p.i++
	return nil
}

func (p *parser) expectName(what string) (*token, error) {
	t := p.tok()
	if t.kind != tName {
		return nil, p.errAt(t, fmt.Sprintf("expected %s, got %s", what, tokText(t)), "")
	}
	p.i++
	return t, nil
}

func (p *parser) expectBlockEnd(tag string) error {
	t := p.tok()
	if t.kind != tBlockEnd {
		return p.errAt(t, fmt.Sprintf("expected \"%%}\" to end the %q tag, got %s", tag, tokText(t)), "")
	}
	p.i++
	return nil
}

func (p *parser) enter(t *token) error {
	p.nest++
	if p.nest > maxNesting {
		return p.errAt(t, "template nested too deeply", fmt.Sprintf("at most %d levels", maxNesting))
	}
	return nil
}

func (p *parser) leave() { p.nest-- }

// parseTemplate parses the whole token stream.
func (p *parser) parseTemplate() ([]node, error) {
	nodes, _, err := p.parseBody(nil)
	return nodes, err
}

// parseBody parses nodes up to one of open's end tags (whose name it consumes and returns) or,
// at the top level (open == nil), to the end of the template.
func (p *parser) parseBody(open *block) ([]node, string, error) {
	var nodes []node
	for {
		t := p.tok()
		switch t.kind {
		case tData:
			nodes = append(nodes, &textNode{text: t.s})
			p.i++
		case tVarBegin:
			p.i++
			x, err := p.parseTuple(true)
			if err != nil {
				return nil, "", err
			}
			if e := p.tok(); e.kind != tVarEnd {
				return nil, "", p.errAt(e, fmt.Sprintf("expected \"}}\", got %s", tokText(e)), "")
			}
			p.i++
			nodes = append(nodes, &outputNode{x: x, pos: x.position()})
		case tBlockBegin:
			begin := t
			p.i++
			nt := p.tok()
			if nt.kind != tName {
				return nil, "", p.errAt(nt, fmt.Sprintf("expected a tag name after \"{%%\", got %s", tokText(nt)), "supported tags: "+supportedTags)
			}
			p.i++
			if open != nil && slices.Contains(open.ends, nt.s) {
				return nodes, nt.s, nil
			}
			n, err := p.parseTag(begin, nt, open)
			if err != nil {
				return nil, "", err
			}
			if n != nil {
				nodes = append(nodes, n)
			}
		case tEOF:
			if open != nil {
				return nil, "", &Error{Pos: open.pos,
					Msg:  fmt.Sprintf("{%% %s %%} opened on line %d is never closed", open.tag, open.pos.Line),
					Hint: fmt.Sprintf("close it with {%% %s %%}", open.ends[len(open.ends)-1])}
			}
			return nodes, "", nil
		default:
			return nil, "", p.errAt(t, "unexpected "+tokText(t), "")
		}
	}
}

func (p *parser) parseTag(begin, name *token, open *block) (node, error) {
	if err := p.enter(name); err != nil {
		return nil, err
	}
	defer p.leave()
	pos := p.pos(begin)
	switch name.s {
	case "if":
		return p.parseIf(pos)
	case "for":
		return p.parseFor(pos)
	case "set":
		return p.parseSet(pos)
	case "macro":
		return p.parseMacro(pos, open == nil)
	case "do":
		x, err := p.parseTuple(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd("do"); err != nil {
			return nil, err
		}
		return &doNode{x: x}, nil
	}
	if slices.Contains(innerTags, name.s) {
		hint := ""
		if open != nil {
			hint = fmt.Sprintf("the {%% %s %%} on line %d is still open; it ends with {%% %s %%}",
				open.tag, open.pos.Line, open.ends[len(open.ends)-1])
		} else {
			switch name.s {
			case "elif", "else":
				hint = fmt.Sprintf("{%% %s %%} belongs inside an {%% if %%} (or {%% for %%}) block", name.s)
			default:
				hint = fmt.Sprintf("there is no open {%% %s %%} block to close", strings.TrimPrefix(name.s, "end"))
			}
		}
		return nil, p.errAt(begin, fmt.Sprintf("unexpected {%% %s %%}", name.s), hint)
	}
	return nil, p.errAt(name, fmt.Sprintf("unsupported tag %q", name.s),
		joinHints(didYouMean(name.s, knownTags), "supported tags: "+supportedTags))
}

func (p *parser) parseIf(pos Pos) (node, error) {
	n := &ifNode{}
	blk := &block{tag: "if", pos: pos, ends: []string{"elif", "else", "endif"}}
	tag := "if"
	for {
		cond, err := p.parseExpr(false)
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(tag); err != nil {
			return nil, err
		}
		body, end, err := p.parseBody(blk)
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch end {
		case "elif":
			tag = "elif"
			continue
		case "else":
			if p.isName("if") {
				return nil, p.errAt(p.tok(), "unexpected \"if\" after else", "write {% elif condition %}")
			}
			if err := p.expectBlockEnd("else"); err != nil {
				return nil, err
			}
			blk.ends = []string{"endif"}
			if n.els, _, err = p.parseBody(blk); err != nil {
				return nil, err
			}
		}
		return n, p.expectBlockEnd("endif")
	}
}

func (p *parser) target(what string) (string, error) {
	t, err := p.expectName(what)
	if err != nil {
		return "", err
	}
	if slices.Contains(reserved, t.s) {
		return "", p.errAt(t, fmt.Sprintf("cannot assign to %q", t.s), "")
	}
	return t.s, nil
}

// targets parses "a" or "a, b" (optionally in parentheses).
func (p *parser) targets() ([]string, error) {
	paren := p.isOp("(")
	if paren {
		p.i++
	}
	var names []string
	for {
		n, err := p.target("a variable name")
		if err != nil {
			return nil, err
		}
		if slices.Contains(names, n) {
			return nil, p.errAt(p.peekAt(-1), fmt.Sprintf("%q is assigned twice", n), "")
		}
		names = append(names, n)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if paren {
		if err := p.expectOp(")", "after the names"); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func (p *parser) parseFor(pos Pos) (node, error) {
	names, err := p.targets()
	if err != nil {
		return nil, err
	}
	if !p.isName("in") {
		return nil, p.errAt(p.tok(), fmt.Sprintf("expected \"in\" in the for tag, got %s", tokText(p.tok())), "{% for x in items %}")
	}
	p.i++
	iter, err := p.parseTuple(false)
	if err != nil {
		return nil, err
	}
	n := &forNode{targets: names, iter: iter, pos: pos}
	if p.isName("if") {
		p.i++
		if n.cond, err = p.parseExpr(true); err != nil {
			return nil, err
		}
	}
	if p.isName("recursive") {
		return nil, p.errAt(p.tok(), "recursive loops are not supported", "use a recursive macro")
	}
	if err := p.expectBlockEnd("for"); err != nil {
		return nil, err
	}
	blk := &block{tag: "for", pos: pos, ends: []string{"else", "endfor"}}
	body, end, err := p.parseBody(blk)
	if err != nil {
		return nil, err
	}
	n.body = body
	if end == "else" {
		if err := p.expectBlockEnd("else"); err != nil {
			return nil, err
		}
		blk.ends = []string{"endfor"}
		if n.els, _, err = p.parseBody(blk); err != nil {
			return nil, err
		}
	}
	return n, p.expectBlockEnd("endfor")
}

func (p *parser) parseSet(pos Pos) (node, error) {
	if p.tok().kind == tName && p.peekAt(1).kind == tOp && p.peekAt(1).s == "." {
		ns := p.tok().s
		p.i += 2
		attr, err := p.expectName("an attribute name")
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("=", "in the set tag"); err != nil {
			return nil, err
		}
		x, err := p.parseTuple(true)
		if err != nil {
			return nil, err
		}
		return &setNode{targets: []string{ns}, attr: attr.s, x: x, pos: pos}, p.expectBlockEnd("set")
	}
	names, err := p.targets()
	if err != nil {
		return nil, err
	}
	if p.tok().kind == tBlockEnd && len(names) == 1 {
		p.i++
		body, _, err := p.parseBody(&block{tag: "set", pos: pos, ends: []string{"endset"}})
		if err != nil {
			return nil, err
		}
		return &setBlockNode{target: names[0], body: body}, p.expectBlockEnd("endset")
	}
	if err := p.expectOp("=", "in the set tag"); err != nil {
		return nil, err
	}
	x, err := p.parseTuple(true)
	if err != nil {
		return nil, err
	}
	return &setNode{targets: names, x: x, pos: pos}, p.expectBlockEnd("set")
}

func (p *parser) parseMacro(pos Pos, top bool) (node, error) {
	nt, err := p.expectName("a macro name")
	if err != nil {
		return nil, err
	}
	if slices.Contains(reserved, nt.s) || nt.s == "return" {
		return nil, p.errAt(nt, fmt.Sprintf("%q cannot be a macro name", nt.s), "")
	}
	m := &Macro{Name: nt.s, File: p.ln.file, own: p.macros, pos: p.pos(nt)}
	if err := p.expectOp("(", "after the macro name"); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		pt := p.tok()
		name, err := p.target("a parameter name")
		if err != nil {
			return nil, err
		}
		if slices.Contains(m.Params, name) {
			return nil, p.errAt(pt, fmt.Sprintf("duplicate parameter %q", name), "")
		}
		var def expr
		if p.isOp("=") {
			p.i++
			if def, err = p.parseExpr(true); err != nil {
				return nil, err
			}
		} else if len(m.defaults) > 0 && m.defaults[len(m.defaults)-1] != nil {
			return nil, p.errAt(pt, fmt.Sprintf("parameter %q without a default follows one with a default", name), "")
		}
		m.Params = append(m.Params, name)
		m.defaults = append(m.defaults, def)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if err := p.expectOp(")", "to end the parameters"); err != nil {
		return nil, err
	}
	if err := p.expectBlockEnd("macro"); err != nil {
		return nil, err
	}
	body, _, err := p.parseBody(&block{tag: "macro", pos: pos, ends: []string{"endmacro"}})
	if err != nil {
		return nil, err
	}
	m.body = body
	if err := p.expectBlockEnd("endmacro"); err != nil {
		return nil, err
	}
	if top {
		if prev, ok := p.macros[m.Name]; ok {
			return nil, &Error{Pos: m.pos, Msg: fmt.Sprintf("macro %q is defined twice", m.Name),
				Hint: fmt.Sprintf("first defined on line %d", prev.pos.Line)}
		}
		p.macros[m.Name] = m
	}
	return &macroNode{m: m, top: top}, nil
}
