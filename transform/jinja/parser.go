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

// ---- expressions ----

// parseTuple parses an expression, or several separated by commas (a tuple, which is a list).
func (p *parser) parseTuple(withCond bool) (expr, error) {
	start := p.tok()
	first, err := p.parseExpr(withCond)
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	items := []expr{first}
	for p.isOp(",") {
		p.i++
		if t := p.tok(); t.kind == tVarEnd || t.kind == tBlockEnd || p.isOp(")") || p.isName("if") {
			break
		}
		x, err := p.parseExpr(withCond)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	return &listExpr{base: base{p.pos(start)}, items: items}, nil
}

func (p *parser) parseExpr(withCond bool) (expr, error) {
	if err := p.enter(p.tok()); err != nil {
		return nil, err
	}
	defer p.leave()
	if withCond {
		return p.parseCondExpr()
	}
	return p.parseOr()
}

func (p *parser) parseCondExpr() (expr, error) {
	start := p.pos(p.tok())
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.isName("if") {
		p.i++
		cond, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		var els expr
		if p.isName("else") {
			p.i++
			if els, err = p.parseCondExpr(); err != nil {
				return nil, err
			}
		}
		x = &condExpr{base: base{start}, then: x, cond: cond, els: els}
	}
	return x, nil
}

func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isName("or") {
		pos := p.pos(p.tok())
		p.i++
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &orExpr{base: base{pos}, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.isName("and") {
		pos := p.pos(p.tok())
		p.i++
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &andExpr{base: base{pos}, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseNot() (expr, error) {
	if p.isName("not") {
		t := p.tok()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i++
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &notExpr{base: base{p.pos(t)}, x: x}, nil
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() (expr, error) {
	first, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	var c *compareExpr
	for {
		t := p.tok()
		var op string
		switch {
		case t.kind == tOp && (t.s == "==" || t.s == "!=" || t.s == "<" || t.s == "<=" || t.s == ">" || t.s == ">="):
			op = t.s
			p.i++
		case p.isName("in"):
			op = "in"
			p.i++
		case p.isName("not") && p.peekAt(1).kind == tName && p.peekAt(1).s == "in":
			op = "not in"
			p.i += 2
		default:
			if c == nil {
				return first, nil
			}
			return c, nil
		}
		r, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		if c == nil {
			c = &compareExpr{base: base{first.position()}, first: first}
		}
		c.ops = append(c.ops, op)
		c.rest = append(c.rest, r)
		c.opPos = append(c.opPos, p.pos(t))
	}
}

// binary parses a left-associative chain of the operators level accepts.
func (p *parser) binary(next func() (expr, error), level func(string) (binOp, bool)) (expr, error) {
	l, err := next()
	if err != nil {
		return nil, err
	}
	for {
		t := p.tok()
		if t.kind != tOp {
			return l, nil
		}
		op, ok := level(t.s)
		if !ok {
			return l, nil
		}
		p.i++
		r, err := next()
		if err != nil {
			return nil, err
		}
		l = &binExpr{base: base{p.pos(t)}, op: op, l: l, r: r}
	}
}

func math1Op(s string) (binOp, bool) {
	switch s {
	case "+":
		return opAdd, true
	case "-":
		return opSub, true
	}
	return 0, false
}

func concatOp(s string) (binOp, bool) { return opConcat, s == "~" }

func math2Op(s string) (binOp, bool) {
	switch s {
	case "*":
		return opMul, true
	case "/":
		return opDiv, true
	case "//":
		return opFloorDiv, true
	case "%":
		return opMod, true
	}
	return 0, false
}

func powOp(s string) (binOp, bool) { return opPow, s == "**" }

func (p *parser) parseMath1() (expr, error)  { return p.binary(p.parseConcat, math1Op) }
func (p *parser) parseConcat() (expr, error) { return p.binary(p.parseMath2, concatOp) }
func (p *parser) parseMath2() (expr, error)  { return p.binary(p.parsePow, math2Op) }
func (p *parser) parsePow() (expr, error)    { return p.binary(p.parseUnaryFiltered, powOp) }

func (p *parser) parseUnaryFiltered() (expr, error) { return p.parseUnary(true) }

func (p *parser) parseUnary(withFilter bool) (expr, error) {
	t := p.tok()
	var x expr
	var err error
	if t.kind == tOp && (t.s == "-" || t.s == "+") {
		if err := p.enter(t); err != nil {
			return nil, err
		}
		p.i++
		inner, err := p.parseUnary(false)
		p.leave()
		if err != nil {
			return nil, err
		}
		x = &unaryExpr{base: base{p.pos(t)}, neg: t.s == "-", x: inner}
	} else if x, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if x, err = p.parsePostfix(x); err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterExpr(x)
	}
	return x, nil
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.tok()
	pos := p.pos(t)
	switch t.kind {
	case tName:
		p.i++
		switch t.s {
		case "true", "True":
			return &constExpr{base{pos}, true}, nil
		case "false", "False":
			return &constExpr{base{pos}, false}, nil
		case "none", "None":
			return &constExpr{base{pos}, nil}, nil
		}
		return &nameExpr{base{pos}, t.s}, nil
	case tString:
		p.i++
		s := t.s
		if p.tok().kind == tString { // adjacent literals concatenate, as in Python
			var b strings.Builder
			b.WriteString(s)
			for p.tok().kind == tString {
				b.WriteString(p.tok().s)
				p.i++
			}
			s = b.String()
		}
		return &constExpr{base{pos}, s}, nil
	case tInt:
		p.i++
		return &constExpr{base{pos}, t.i}, nil
	case tFloat:
		p.i++
		return &constExpr{base{pos}, t.f}, nil
	case tOp:
		switch t.s {
		case "(":
			return p.parseParen()
		case "[":
			return p.parseList()
		case "{":
			return p.parseDict()
		}
	}
	return nil, p.errAt(t, "expected an expression, got "+tokText(t), "")
}

func (p *parser) parseParen() (expr, error) {
	t := p.tok()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++
	if p.isOp(")") {
		p.i++
		return &listExpr{base: base{p.pos(t)}}, nil
	}
	x, err := p.parseExpr(true)
	if err != nil {
		return nil, err
	}
	if p.isOp(",") {
		items := []expr{x}
		for p.isOp(",") {
			p.i++
			if p.isOp(")") {
				break
			}
			y, err := p.parseExpr(true)
			if err != nil {
				return nil, err
			}
			items = append(items, y)
		}
		x = &listExpr{base: base{p.pos(t)}, items: items}
	}
	return x, p.expectOp(")", "to close the parenthesis")
}

func (p *parser) parseList() (expr, error) {
	t := p.tok()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++
	l := &listExpr{base: base{p.pos(t)}}
	for !p.isOp("]") {
		x, err := p.parseExpr(true)
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, x)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return l, p.expectOp("]", "to close the list")
}

func (p *parser) parseDict() (expr, error) {
	t := p.tok()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++
	d := &dictExpr{base: base{p.pos(t)}}
	for !p.isOp("}") {
		k, err := p.parseExpr(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":", "after the dict key"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr(true)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return d, p.expectOp("}", "to close the dict")
}

func (p *parser) parsePostfix(x expr) (expr, error) {
	for {
		t := p.tok()
		if t.kind != tOp {
			return x, nil
		}
		var err error
		switch t.s {
		case ".":
			p.i++
			n := p.tok()
			switch n.kind {
			case tName:
				p.i++
				x = &attrExpr{base: base{x.position()}, x: x, name: n.s, namePos: p.pos(n)}
			case tInt:
				p.i++
				x = &indexExpr{base: base{p.pos(n)}, x: x, idx: &constExpr{base{p.pos(n)}, n.i}}
			default:
				return nil, p.errAt(n, "expected an attribute name after \".\", got "+tokText(n), "")
			}
		case "[":
			x, err = p.parseSubscript(x)
		case "(":
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseSubscript(x expr) (expr, error) {
	t := p.tok()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++
	pos := p.pos(t)
	var lo, hi, step expr
	var err error
	if !p.isOp(":") {
		if lo, err = p.parseExpr(true); err != nil {
			return nil, err
		}
		if p.isOp("]") {
			p.i++
			return &indexExpr{base: base{pos}, x: x, idx: lo}, nil
		}
	}
	if err := p.expectOp(":", "in the subscript"); err != nil {
		return nil, err
	}
	if !p.isOp("]") && !p.isOp(":") {
		if hi, err = p.parseExpr(true); err != nil {
			return nil, err
		}
	}
	if p.isOp(":") {
		p.i++
		if !p.isOp("]") {
			if step, err = p.parseExpr(true); err != nil {
				return nil, err
			}
		}
	}
	return &sliceExpr{base: base{pos}, x: x, lo: lo, hi: hi, step: step}, p.expectOp("]", "to close the subscript")
}

// parseArgs parses "(a, b, k=v)" from the "(".
func (p *parser) parseArgs() (args []expr, kwNames []string, kwVals []expr, err error) {
	t := p.tok()
	if err := p.enter(t); err != nil {
		return nil, nil, nil, err
	}
	defer p.leave()
	p.i++
	for !p.isOp(")") {
		a := p.tok()
		if a.kind == tOp && (a.s == "*" || a.s == "**") {
			return nil, nil, nil, p.errAt(a, "*args and **kwargs in calls are not supported", "")
		}
		if a.kind == tName && p.peekAt(1).kind == tOp && p.peekAt(1).s == "=" {
			if slices.Contains(kwNames, a.s) {
				return nil, nil, nil, p.errAt(a, fmt.Sprintf("keyword argument %q is given twice", a.s), "")
			}
			p.i += 2
			v, err := p.parseExpr(true)
			if err != nil {
				return nil, nil, nil, err
			}
			kwNames = append(kwNames, a.s)
			kwVals = append(kwVals, v)
		} else {
			if len(kwNames) > 0 {
				return nil, nil, nil, p.errAt(a, "positional argument follows keyword argument", "")
			}
			v, err := p.parseExpr(true)
			if err != nil {
				return nil, nil, nil, err
			}
			args = append(args, v)
		}
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return args, kwNames, kwVals, p.expectOp(")", "to close the argument list")
}

func (p *parser) parseCall(fn expr) (expr, error) {
	open := p.tok()
	args, kwNames, kwVals, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	if n, ok := fn.(*nameExpr); ok && n.name == "return" {
		if len(args) != 1 || len(kwNames) > 0 {
			return nil, p.errAt(open, "return() takes exactly one argument", "{{ return(value) }}")
		}
		return &returnExpr{base: base{fn.position()}, x: args[0]}, nil
	}
	return &callExpr{base: base{fn.position()}, fn: fn, args: args, kwNames: kwNames, kwVals: kwVals}, nil
}

func (p *parser) parseFilterExpr(x expr) (expr, error) {
	for {
		var err error
		switch {
		case p.isOp("|"):
			p.i++
			x, err = p.parseFilter(x)
		case p.isName("is"):
			p.i++
			x, err = p.parseTest(x)
		case p.isOp("("):
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseFilter(x expr) (expr, error) {
	nt, err := p.expectName("a filter name after \"|\"")
	if err != nil {
		return nil, err
	}
	def, ok := lookupFilter(nt.s)
	if !ok {
		return nil, p.errAt(nt, fmt.Sprintf("unknown filter %q", nt.s),
			joinHints(didYouMean(nt.s, filterNames), "supported filters: "+strings.Join(filterNames, ", ")))
	}
	f := &filterExpr{base: base{p.pos(nt)}, x: x, name: nt.s, def: def}
	if p.isOp("(") {
		if f.args, f.kwNames, f.kwVals, err = p.parseArgs(); err != nil {
			return nil, err
		}
		if f.name == "join" { // join(sep=...) is accepted for Jinja's join(d=...)
			if i := slices.Index(f.kwNames, "sep"); i >= 0 && !slices.Contains(f.kwNames, "d") {
				f.kwNames[i] = "d"
			}
		}
	}
	if !def.variadic {
		if len(f.args) > len(def.params) {
			return nil, p.errAt(nt, fmt.Sprintf("filter %q takes at most %d argument(s), got %d", nt.s, len(def.params), len(f.args)),
				filterUsage(nt.s, def))
		}
		for _, k := range f.kwNames {
			j := slices.Index(def.params, k)
			if j < 0 {
				return nil, p.errAt(nt, fmt.Sprintf("filter %q has no argument %q", nt.s, k),
					joinHints(didYouMean(k, def.params), filterUsage(nt.s, def)))
			}
			if j < len(f.args) {
				return nil, p.errAt(nt, fmt.Sprintf("filter %q: argument %q is given twice", nt.s, k), "")
			}
		}
	}
	return f, nil
}

func filterUsage(name string, def filterDef) string {
	if len(def.params) == 0 {
		return name + " takes no arguments"
	}
	return name + "(" + strings.Join(def.params, ", ") + ")"
}

func (p *parser) parseTest(x expr) (expr, error) {
	neg := false
	if p.isName("not") {
		neg = true
		p.i++
	}
	nt, err := p.expectName("a test name after \"is\"")
	if err != nil {
		return nil, err
	}
	def, ok := lookupTest(nt.s)
	if !ok {
		return nil, p.errAt(nt, fmt.Sprintf("unknown test %q", nt.s),
			joinHints(didYouMean(nt.s, testNames), "supported tests: "+strings.Join(testNames, ", ")))
	}
	t := &testExpr{base: base{p.pos(nt)}, x: x, name: nt.s, neg: neg, fn: def.fn}
	a := p.tok()
	switch {
	case p.isOp("("):
		args, kwNames, _, err := p.parseArgs()
		if err != nil {
			return nil, err
		}
		if len(kwNames) > 0 {
			return nil, p.errAt(a, fmt.Sprintf("test %q takes no keyword arguments", nt.s), "")
		}
		t.args = args
	case a.kind == tName && a.s == "is":
		return nil, p.errAt(a, "tests cannot be chained with \"is\"", "combine them with \"and\"")
	case a.kind == tName && !slices.Contains([]string{"else", "or", "and", "if", "in", "not"}, a.s),
		a.kind == tString, a.kind == tInt, a.kind == tFloat, p.isOp("["), p.isOp("{"):
		if def.nargs == 0 {
			break
		}
		arg, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = p.parsePostfix(arg); err != nil {
			return nil, err
		}
		t.args = []expr{arg}
	}
	if len(t.args) != def.nargs {
		return nil, p.errAt(nt, fmt.Sprintf("test %q takes %d argument(s), got %d", nt.s, def.nargs, len(t.args)), "")
	}
	return t, nil
}
