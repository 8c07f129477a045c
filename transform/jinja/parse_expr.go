package jinja

import (
	"fmt"
	"slices"
	"strings"
)

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
