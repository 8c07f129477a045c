package fake

// zoql.go: the subset of ZOQL the fake parses and evaluates:
//
//	select F1, F2, … from Object [where COND]
//	COND := COND or COND | COND and COND | ( COND ) | Field OP LITERAL
//	OP := = | != | < | <= | > | >=
//	LITERAL := 'text' (backslash escapes \' and \\) | number | true | false | null
//
// As in Zuora: keywords must be lower case, field and object names are case-insensitive, there
// is no "*", no order by, no joins and no aggregates, and a where clause holds at most 200
// conditions. Datetime literals are ISO 8601 ('2025-01-31T10:00:00', optionally with
// fractional seconds and an offset or Z; without an offset, the tenant's time zone applies; a
// bare date means its midnight there). An unknown object is fns:INVALID_TYPE, an unknown field
// fns:INVALID_FIELD, a literal that does not fit its field fns:INVALID_VALUE and anything else
// fns:MALFORMED_QUERY.

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// maxConditions is Zuora's limit of conditions in one where clause.
const maxConditions = 200

// fault is a SOAP-style error of the action endpoints.
type fault struct {
	code string // without the fns: prefix
	msg  string
}

func (f *fault) Error() string { return "fns:" + f.code + ": " + f.msg }

func malformed(format string, args ...any) *fault {
	return &fault{code: "MALFORMED_QUERY", msg: "You have an error in your ZOQL syntax: " + fmt.Sprintf(format, args...)}
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
	tComma
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
}

func tokenize(q string) ([]token, *fault) {
	var out []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',':
			out = append(out, token{tComma, ","})
			i++
		case c == '*':
			out = append(out, token{tOp, "*"})
			i++
		case c == '(':
			out = append(out, token{tLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")"})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			if j < len(q) && (q[j] == '=' || (c == '<' && q[j] == '>')) {
				j++
			}
			op := q[i:j]
			if op == "!" {
				return nil, malformed("unexpected '!'")
			}
			if op == "<>" {
				op = "!="
			}
			out = append(out, token{tOp, op})
			i = j
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != '\''; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, malformed("unterminated string literal")
			}
			out = append(out, token{tString, b.String()})
			i = j + 1
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(q) && (q[j] == '.' || (q[j] >= '0' && q[j] <= '9')) {
				j++
			}
			out = append(out, token{tNumber, q[i:j]})
			i = j
		case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] == '.' || (q[j] >= '0' && q[j] <= '9') || (q[j]|0x20 >= 'a' && q[j]|0x20 <= 'z')) {
				j++
			}
			out = append(out, token{tIdent, q[i:j]})
			i = j
		default:
			return nil, malformed("unexpected character %q", c)
		}
	}
	return append(out, token{tEOF, ""}), nil
}

// zquery is a parsed query.
type zquery struct {
	meta   *objectMeta
	fields []*fieldMeta
	where  expr // nil: every record
}

type expr interface {
	match(m *objectMeta, obj any) bool
}

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }

func (e andExpr) match(m *objectMeta, obj any) bool { return e.l.match(m, obj) && e.r.match(m, obj) }
func (e orExpr) match(m *objectMeta, obj any) bool  { return e.l.match(m, obj) || e.r.match(m, obj) }

// cmpExpr compares a field with a literal, converted to the field's type when parsed.
type cmpExpr struct {
	f    *fieldMeta
	op   string
	null bool      // the literal is null
	text string    // text and date literals
	num  *big.Rat  // decimal and int literals
	t    time.Time // datetime literals
	b    bool      // bool literals
}

func (e cmpExpr) match(m *objectMeta, obj any) bool {
	v, isNull := value(m, obj, e.f)
	if e.null {
		return (e.op == "=") == isNull
	}
	if isNull {
		return false
	}
	var c int
	switch e.f.kind {
	case fDateTime:
		c = v.(time.Time).Truncate(time.Second).Compare(e.t)
	case fDecimal:
		r, ok := new(big.Rat).SetString(v.(string))
		if !ok {
			return false
		}
		c = r.Cmp(e.num)
	case fInt:
		c = new(big.Rat).SetInt64(v.(int64)).Cmp(e.num)
	case fBool:
		c = 1
		if v.(bool) == e.b {
			c = 0
		}
		if e.op != "=" && e.op != "!=" {
			return false
		}
	default:
		c = strings.Compare(v.(string), e.text)
	}
	switch e.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// parser parses one query against the store's objects.
type parser struct {
	s     *Server
	toks  []token
	pos   int
	meta  *objectMeta
	conds int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// keyword consumes keyword kw, which must be written in lower case.
func (p *parser) keyword(kw string) (bool, *fault) {
	t := p.peek()
	if t.kind != tIdent || !strings.EqualFold(t.text, kw) {
		return false, nil
	}
	if t.text != kw {
		return false, malformed("keyword %q must be lower case", t.text)
	}
	p.next()
	return true, nil
}

// parseQuery parses q; callers hold mu.
func (s *Server) parseQuery(q string) (*zquery, *fault) {
	toks, f := tokenize(q)
	if f != nil {
		return nil, f
	}
	p := &parser{s: s, toks: toks}
	if ok, f := p.keyword("select"); f != nil || !ok {
		return nil, orMalformed(f, "a query starts with select")
	}
	var names []string
	for {
		t := p.next()
		if t.kind != tIdent {
			if t.text == "*" {
				return nil, malformed("wildcards are not supported; name the fields")
			}
			return nil, malformed("expected a field name, got %q", t.text)
		}
		names = append(names, t.text)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if ok, f := p.keyword("from"); f != nil || !ok {
		return nil, orMalformed(f, "expected from after the field list")
	}
	ot := p.next()
	if ot.kind != tIdent {
		return nil, malformed("expected an object name after from")
	}
	canon, ok := s.st.lower[strings.ToLower(ot.text)]
	if !ok {
		return nil, &fault{code: "INVALID_TYPE", msg: fmt.Sprintf("invalid type for query: %s", ot.text)}
	}
	p.meta = s.st.meta[canon]
	zq := &zquery{meta: p.meta}
	for _, n := range names {
		fm, f := p.field(n)
		if f != nil {
			return nil, f
		}
		zq.fields = append(zq.fields, fm)
	}
	if ok, f := p.keyword("where"); f != nil {
		return nil, f
	} else if ok {
		w, f := p.or()
		if f != nil {
			return nil, f
		}
		zq.where = w
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, malformed("unexpected %q", t.text)
	}
	if p.conds > maxConditions {
		return nil, malformed("%d conditions in the where clause; at most %d are allowed", p.conds, maxConditions)
	}
	return zq, nil
}

func orMalformed(f *fault, msg string) *fault {
	if f != nil {
		return f
	}
	return malformed("%s", msg)
}

// field resolves a field name of the query's object: a standard field, or one of the
// tenant's custom fields; hidden fields do not exist.
func (p *parser) field(name string) (*fieldMeta, *fault) {
	m := p.meta
	lname := strings.ToLower(name)
	invalid := &fault{code: "INVALID_FIELD", msg: fmt.Sprintf("invalid field for query: %s.%s", m.name, lname)}
	for _, h := range p.s.opts.HiddenFields[m.name] {
		if strings.EqualFold(h, name) {
			return nil, invalid
		}
	}
	if f, ok := m.byLower[lname]; ok {
		return f, nil
	}
	if m.custom >= 0 {
		for _, c := range p.s.opts.CustomFields[m.name] {
			if strings.EqualFold(c, name) {
				return &fieldMeta{name: c, kind: fText, index: -1, custom: true}, nil
			}
		}
	}
	return nil, invalid
}

func (p *parser) or() (expr, *fault) {
	l, f := p.and()
	if f != nil {
		return nil, f
	}
	for {
		ok, f := p.keyword("or")
		if f != nil {
			return nil, f
		}
		if !ok {
			return l, nil
		}
		r, f := p.and()
		if f != nil {
			return nil, f
		}
		l = orExpr{l, r}
	}
}

func (p *parser) and() (expr, *fault) {
	l, f := p.primary()
	if f != nil {
		return nil, f
	}
	for {
		ok, f := p.keyword("and")
		if f != nil {
			return nil, f
		}
		if !ok {
			return l, nil
		}
		r, f := p.primary()
		if f != nil {
			return nil, f
		}
		l = andExpr{l, r}
	}
}

func (p *parser) primary() (expr, *fault) {
	if p.peek().kind == tLParen {
		p.next()
		e, f := p.or()
		if f != nil {
			return nil, f
		}
		if p.next().kind != tRParen {
			return nil, malformed("missing )")
		}
		return e, nil
	}
	ft := p.next()
	if ft.kind != tIdent {
		return nil, malformed("expected a condition, got %q", ft.text)
	}
	fm, f := p.field(ft.text)
	if f != nil {
		return nil, f
	}
	opt := p.next()
	if opt.kind != tOp {
		return nil, malformed("expected an operator after %s", ft.text)
	}
	p.conds++
	lit := p.next()
	e := cmpExpr{f: fm, op: opt.text}
	bad := &fault{code: "INVALID_VALUE", msg: fmt.Sprintf("invalid value for field %s: %s", fm.name, lit.text)}
	switch {
	case lit.kind == tIdent && lit.text == "null":
		if e.op != "=" && e.op != "!=" {
			return nil, malformed("null compares with = or != only")
		}
		e.null = true
		return e, nil
	case lit.kind != tString && lit.kind != tNumber && !(lit.kind == tIdent && (lit.text == "true" || lit.text == "false")):
		return nil, malformed("expected a value after %s %s", ft.text, opt.text)
	}
	switch fm.kind {
	case fDateTime:
		t, ok := p.s.parseDateTime(lit.text)
		if !ok || lit.kind != tString {
			return nil, bad
		}
		e.t = t
	case fDate:
		d := lit.text
		if len(d) > 10 && d[10] == 'T' {
			d = d[:10]
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil || lit.kind != tString {
			return nil, bad
		}
		e.text = d
	case fDecimal, fInt:
		r, ok := new(big.Rat).SetString(lit.text)
		if !ok || lit.kind == tIdent {
			return nil, bad
		}
		e.num = r
	case fBool:
		switch strings.ToLower(lit.text) {
		case "true":
			e.b = true
		case "false":
		default:
			return nil, bad
		}
	default:
		e.text = lit.text
	}
	return e, nil
}

// parseDateTime reads an ISO 8601 datetime or date literal (see the file comment).
func (s *Server) parseDateTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		var t time.Time
		var err error
		if layout == time.RFC3339Nano {
			t, err = time.Parse(layout, v)
		} else {
			t, err = time.ParseInLocation(layout, v, s.opts.TimeZone)
		}
		if err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
