package fake

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The SOQL subset the fake understands (§1.4):
//
//	SELECT field, ... | COUNT() FROM Object
//	[WHERE cond] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
//
// cond is comparisons (=, !=, <>, <, <=, >, >=, [NOT] IN (...)) joined by AND or OR, with
// parentheses and NOT; as in SOQL, AND and OR may not be mixed without parentheses. Literals:
// 'strings' (backslash escapes), numbers, TRUE/FALSE/NULL, unquoted datetimes
// (2025-01-15T10:22:03Z, with .SSS and ±hh:mm) and dates (2025-01-15). Anything else is a
// MALFORMED_QUERY; unknown objects and fields are INVALID_TYPE and INVALID_FIELD, as the real
// API reports them.

// soqlError is a query error with Salesforce's errorCode.
type soqlError struct {
	code string
	msg  string
}

func (e *soqlError) Error() string { return e.code + ": " + e.msg }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tLiteral // number, date or datetime (unquoted)
	tPunct
)

type token struct {
	kind tokKind
	text string // for tString, the unescaped value
	pos  int    // byte offset in the query
}

type litKind int

const (
	litString litKind = iota
	litNumber
	litDate
	litDatetime
	litBool
	litNull
)

type literal struct {
	kind litKind
	s    string
	num  float64
	t    time.Time
	b    bool
	text string
	pos  int
}

type expr interface{ isExpr() }

type logical struct {
	and  bool
	kids []expr
}

type negation struct{ kid expr }

type comparison struct {
	field string
	pos   int
	op    string // =, !=, <, <=, >, >=, IN, NOT IN
	lits  []literal
}

func (logical) isExpr()    {}
func (negation) isExpr()   {}
func (comparison) isExpr() {}

type orderKey struct {
	field     string
	pos       int
	desc      bool
	nullsLast bool
}

// query is a parsed SOQL query.
type query struct {
	text      string
	count     bool
	fields    []string
	fieldPos  []int
	object    string
	objectPos int
	where     expr
	order     []orderKey
	limit     int // -1: none
	offset    int
	hasOffset bool
}

var (
	datetimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	numberRE   = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
)

type parser struct {
	q    string
	toks []token
	i    int
}

// parseSOQL parses q, or returns a MALFORMED_QUERY error.
func parseSOQL(q string) (*query, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{q: q, toks: toks}
	return p.parse()
}

func lex(q string) ([]token, error) {
	var out []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i
			for j < len(q) && (isIdentStart(q[j]) || isDigit(q[j]) || q[j] == '.') {
				j++
			}
			out = append(out, token{kind: tIdent, text: q[i:j], pos: i})
			i = j
		case isDigit(c) || (c == '-' && i+1 < len(q) && isDigit(q[i+1])):
			j := i + 1
			for j < len(q) && (isDigit(q[j]) || strings.IndexByte(":.TZ+-", q[j]) >= 0) {
				j++
			}
			out = append(out, token{kind: tLiteral, text: q[i:j], pos: i})
			i = j
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != '\''; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
					switch q[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(q[j])
					}
					continue
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, malformed(q, i, "unterminated string literal")
			}
			out = append(out, token{kind: tString, text: b.String(), pos: i})
			i = j + 1
		case strings.HasPrefix(q[i:], "!=") || strings.HasPrefix(q[i:], "<>") ||
			strings.HasPrefix(q[i:], "<=") || strings.HasPrefix(q[i:], ">="):
			out = append(out, token{kind: tPunct, text: q[i : i+2], pos: i})
			i += 2
		case strings.IndexByte("(),=<>", c) >= 0:
			out = append(out, token{kind: tPunct, text: q[i : i+1], pos: i})
			i++
		default:
			return nil, malformed(q, i, fmt.Sprintf("unexpected token: '%c'", c))
		}
	}
	return append(out, token{kind: tEOF, pos: len(q)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// caretError renders Salesforce's positioned query error message.
func caretError(q string, pos int, msg string) string {
	row, col, lineStart := 1, 1, 0
	for i := 0; i < pos && i < len(q); i++ {
		if q[i] == '\n' {
			row, col, lineStart = row+1, 1, i+1
		} else {
			col++
		}
	}
	line := q[lineStart:]
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	return fmt.Sprintf("\n%s\n%s^\nERROR at Row:%d:Column:%d\n%s", line, strings.Repeat(" ", col-1), row, col, msg)
}

func malformed(q string, pos int, msg string) error {
	return &soqlError{code: "MALFORMED_QUERY", msg: caretError(q, pos, msg)}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token) error {
	if t.kind == tEOF {
		return malformed(p.q, t.pos, "unexpected token: <EOF>")
	}
	return malformed(p.q, t.pos, fmt.Sprintf("unexpected token: '%s'", p.q[t.pos:t.pos+max(1, len(t.text))]))
}

func (p *parser) isKeyword(words ...string) bool {
	t := p.peek()
	return t.kind == tIdent && slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(t.text, w) })
}

func (p *parser) expectKeyword(w string) error {
	if !p.isKeyword(w) {
		return p.unexpected(p.peek())
	}
	p.next()
	return nil
}

func (p *parser) expectPunct(s string) error {
	if t := p.peek(); t.kind != tPunct || t.text != s {
		return p.unexpected(t)
	}
	p.next()
	return nil
}

var reserved = []string{"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "ORDER", "BY", "LIMIT", "OFFSET",
	"ASC", "DESC", "NULLS", "FIRST", "LAST", "TRUE", "FALSE", "NULL", "GROUP", "HAVING", "WITH", "USING"}

func (p *parser) ident() (token, error) {
	t := p.peek()
	if t.kind != tIdent || slices.ContainsFunc(reserved, func(w string) bool { return strings.EqualFold(w, t.text) }) {
		return t, p.unexpected(t)
	}
	return p.next(), nil
}

func (p *parser) parse() (*query, error) {
	q := &query{text: p.q, limit: -1}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	if p.isKeyword("COUNT") && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(" {
		p.i += 2
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		q.count = true
	} else {
		for {
			t, err := p.ident()
			if err != nil {
				return nil, err
			}
			q.fields, q.fieldPos = append(q.fields, t.text), append(q.fieldPos, t.pos)
			if t := p.peek(); t.kind != tPunct || t.text != "," {
				break
			}
			p.next()
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	t, err := p.ident()
	if err != nil {
		return nil, err
	}
	q.object, q.objectPos = t.text, t.pos
	if p.isKeyword("WHERE") {
		p.next()
		if q.where, err = p.cond(); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("ORDER") {
		p.next()
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		if q.order, err = p.orderBy(); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("LIMIT") {
		p.next()
		if q.limit, err = p.integer(); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("OFFSET") {
		p.next()
		q.hasOffset = true
		pos := p.peek().pos
		if q.offset, err = p.integer(); err != nil {
			return nil, err
		}
		if q.offset > 2000 {
			return nil, &soqlError{code: "NUMBER_OUTSIDE_VALID_RANGE", msg: caretError(p.q, pos, "Maximum SOQL offset allowed is 2000")}
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return q, nil
}

func (p *parser) integer() (int, error) {
	t := p.peek()
	if t.kind != tLiteral {
		return 0, p.unexpected(t)
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 0 {
		return 0, p.unexpected(t)
	}
	p.next()
	return n, nil
}

func (p *parser) orderBy() ([]orderKey, error) {
	var keys []orderKey
	for {
		t, err := p.ident()
		if err != nil {
			return nil, err
		}
		k := orderKey{field: t.text, pos: t.pos}
		if p.isKeyword("ASC", "DESC") {
			k.desc = strings.EqualFold(p.next().text, "DESC")
		}
		k.nullsLast = k.desc // SOQL's default: NULLS FIRST ascending, NULLS LAST descending
		if p.isKeyword("NULLS") {
			p.next()
			if !p.isKeyword("FIRST", "LAST") {
				return nil, p.unexpected(p.peek())
			}
			k.nullsLast = strings.EqualFold(p.next().text, "LAST")
		}
		keys = append(keys, k)
		if t := p.peek(); t.kind != tPunct || t.text != "," {
			return keys, nil
		}
		p.next()
	}
}

// cond parses unit ((AND|OR) unit)*, refusing to mix AND and OR at one level.
func (p *parser) cond() (expr, error) {
	first, err := p.unit()
	if err != nil {
		return nil, err
	}
	if !p.isKeyword("AND", "OR") {
		return first, nil
	}
	and := strings.EqualFold(p.peek().text, "AND")
	l := logical{and: and, kids: []expr{first}}
	for p.isKeyword("AND", "OR") {
		if strings.EqualFold(p.peek().text, "AND") != and {
			return nil, p.unexpected(p.peek())
		}
		p.next()
		kid, err := p.unit()
		if err != nil {
			return nil, err
		}
		l.kids = append(l.kids, kid)
	}
	return l, nil
}

func (p *parser) unit() (expr, error) {
	if p.isKeyword("NOT") {
		p.next()
		kid, err := p.unit()
		if err != nil {
			return nil, err
		}
		return negation{kid: kid}, nil
	}
	if t := p.peek(); t.kind == tPunct && t.text == "(" {
		p.next()
		e, err := p.cond()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	f, err := p.ident()
	if err != nil {
		return nil, err
	}
	c := comparison{field: f.text, pos: f.pos}
	switch t := p.peek(); {
	case t.kind == tPunct && slices.Contains([]string{"=", "!=", "<>", "<", "<=", ">", ">="}, t.text):
		p.next()
		c.op = t.text
		if c.op == "<>" {
			c.op = "!="
		}
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		c.lits = []literal{lit}
	case p.isKeyword("IN"), p.isKeyword("NOT"):
		c.op = "IN"
		if p.isKeyword("NOT") {
			p.next()
			c.op = "NOT IN"
		}
		if err := p.expectKeyword("IN"); err != nil {
			return nil, err
		}
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		for {
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.lits = append(c.lits, lit)
			if t := p.peek(); t.kind == tPunct && t.text == "," {
				p.next()
				continue
			}
			break
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	default:
		return nil, p.unexpected(t)
	}
	return c, nil
}

func (p *parser) literal() (literal, error) {
	t := p.peek()
	lit := literal{text: t.text, pos: t.pos}
	switch t.kind {
	case tString:
		lit.kind, lit.s = litString, t.text
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "TRUE", "FALSE":
			lit.kind, lit.b = litBool, strings.EqualFold(t.text, "TRUE")
		case "NULL":
			lit.kind = litNull
		default:
			return lit, p.unexpected(t)
		}
	case tLiteral:
		switch {
		case datetimeRE.MatchString(t.text):
			tm, err := time.Parse(time.RFC3339Nano, t.text)
			if err != nil {
				return lit, malformed(p.q, t.pos, fmt.Sprintf("line 1:%d no viable alternative at character '%s'", t.pos, t.text))
			}
			lit.kind, lit.t = litDatetime, tm.UTC()
		case dateRE.MatchString(t.text):
			tm, err := time.Parse(time.DateOnly, t.text)
			if err != nil {
				return lit, p.unexpected(t)
			}
			lit.kind, lit.t = litDate, tm
		case numberRE.MatchString(t.text):
			lit.kind = litNumber
			lit.num, _ = strconv.ParseFloat(t.text, 64)
		default:
			return lit, p.unexpected(t)
		}
	default:
		return lit, p.unexpected(t)
	}
	p.next()
	return lit, nil
}

// bound is a query checked against an object: canonical field names, typed literals.
type bound struct {
	*query
	obj    *object
	fields []Field
}

// bind checks q's object and fields against the catalogue.
func bind(q *query, objects map[string]*object) (*bound, error) {
	obj, ok := objects[strings.ToLower(q.object)]
	if !ok {
		return nil, &soqlError{code: "INVALID_TYPE", msg: caretError(q.text, q.objectPos, fmt.Sprintf(
			"sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.object))}
	}
	b := &bound{query: q, obj: obj}
	seen := map[string]bool{}
	for i, name := range q.fields {
		f, err := b.resolve(name, q.fieldPos[i])
		if err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, &soqlError{code: "MALFORMED_QUERY", msg: caretError(q.text, q.fieldPos[i], "duplicate field selected: "+f.Name)}
		}
		seen[f.Name] = true
		b.fields = append(b.fields, f)
	}
	for i, k := range q.order {
		f, err := b.resolve(k.field, k.pos)
		if err != nil {
			return nil, err
		}
		q.order[i].field = f.Name
	}
	if q.where != nil {
		w, err := b.bindExpr(q.where)
		if err != nil {
			return nil, err
		}
		q.where = w
	}
	return b, nil
}

func (b *bound) resolve(name string, pos int) (Field, error) {
	if strings.Contains(name, ".") {
		rel, _, _ := strings.Cut(name, ".")
		return Field{}, &soqlError{code: "INVALID_FIELD", msg: caretError(b.text, pos, fmt.Sprintf(
			"Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", rel))}
	}
	f, ok := b.obj.field(name)
	if !ok {
		return Field{}, &soqlError{code: "INVALID_FIELD", msg: caretError(b.text, pos, fmt.Sprintf(
			"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", name, b.obj.name))}
	}
	return f, nil
}

func (b *bound) bindExpr(e expr) (expr, error) {
	switch x := e.(type) {
	case logical:
		for i, k := range x.kids {
			nk, err := b.bindExpr(k)
			if err != nil {
				return nil, err
			}
			x.kids[i] = nk
		}
		return x, nil
	case negation:
		k, err := b.bindExpr(x.kid)
		return negation{kid: k}, err
	case comparison:
		f, err := b.resolve(x.field, x.pos)
		if err != nil {
			return nil, err
		}
		x.field = f.Name
		for _, lit := range x.lits {
			if err := b.checkLiteral(f, x.op, lit); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
	return e, nil
}

// checkLiteral rejects a literal of the wrong type for f, as INVALID_FIELD (real message).
func (b *bound) checkLiteral(f Field, op string, lit literal) error {
	if lit.kind == litNull {
		if op != "=" && op != "!=" && op != "IN" && op != "NOT IN" {
			return &soqlError{code: "INVALID_QUERY_FILTER_OPERATOR", msg: caretError(b.text, lit.pos, "invalid operator on null")}
		}
		return nil
	}
	want, quoted := "", false
	ok := false
	switch f.Type {
	case "datetime":
		want, ok = "dateTime", lit.kind == litDatetime
	case "date":
		want, ok = "date", lit.kind == litDate
	case "boolean":
		want, ok = "boolean", lit.kind == litBool
	case "int", "long", "double", "percent", "currency":
		want, ok = "number", lit.kind == litNumber
	case "address", "location", "base64", "textarea":
		return &soqlError{code: "INVALID_FIELD", msg: caretError(b.text, lit.pos, fmt.Sprintf("field '%s' can not be filtered in a query call", f.Name))}
	default:
		want, ok, quoted = "string", lit.kind == litString, true
	}
	if ok {
		return nil
	}
	enclosed := "should not be enclosed in quotes"
	if quoted {
		enclosed = "should be enclosed in quotes"
	}
	return &soqlError{code: "INVALID_FIELD", msg: caretError(b.text, lit.pos, fmt.Sprintf(
		"value of filter criterion for field '%s' must be of type %s and %s", f.Name, want, enclosed))}
}

// match reports whether row satisfies e.
func match(e expr, row Record) bool {
	switch x := e.(type) {
	case logical:
		for _, k := range x.kids {
			if match(k, row) != x.and {
				return !x.and
			}
		}
		return x.and
	case negation:
		return !match(x.kid, row)
	case comparison:
		v := row[x.field]
		switch x.op {
		case "IN", "NOT IN":
			in := false
			for _, lit := range x.lits {
				if c, ok := compareLit(v, lit); ok && c == 0 {
					in = true
				}
			}
			return in == (x.op == "IN")
		}
		lit := x.lits[0]
		if lit.kind == litNull {
			return (v == nil) == (x.op == "=")
		}
		c, ok := compareLit(v, lit)
		if !ok {
			return x.op == "!=" && v == nil
		}
		switch x.op {
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
		case ">=":
			return c >= 0
		}
	}
	return false
}

// compareLit compares a stored value with a literal; ok is false when v is null.
func compareLit(v any, lit literal) (int, bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case string:
		return strings.Compare(x, lit.s), true
	case bool:
		switch {
		case x == lit.b:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	case int64:
		return cmp.Compare(float64(x), lit.num), true
	case float64:
		return cmp.Compare(x, lit.num), true
	case time.Time:
		return x.Compare(lit.t), true
	}
	return 0, false
}

// compareValues orders two stored values of one field; nil sorts by nullsLast.
func compareValues(a, b any, nullsLast bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsLast {
			return 1
		}
		return -1
	case b == nil:
		if nullsLast {
			return -1
		}
		return 1
	}
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		return cmp.Compare(boolInt(x), boolInt(b.(bool)))
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// run evaluates the query over the object's rows: the matching ids in result order (before
// OFFSET and LIMIT) and after them. all includes rows in the recycle bin (queryAll).
func (b *bound) run(all bool) (matched int, ids []string) {
	for _, id := range b.obj.sortedIDs() {
		row := b.obj.rows[id]
		if !all && row["IsDeleted"] == true {
			continue
		}
		if b.where != nil && !match(b.where, row) {
			continue
		}
		ids = append(ids, id)
	}
	if len(b.order) > 0 {
		slices.SortStableFunc(ids, func(x, y string) int {
			rx, ry := b.obj.rows[x], b.obj.rows[y]
			for _, k := range b.order {
				vx, vy := rx[k.field], ry[k.field]
				c := compareValues(vx, vy, k.nullsLast)
				if k.desc && vx != nil && vy != nil {
					c = -c // the direction orders values; NULLS FIRST/LAST places nulls
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	matched = len(ids)
	if b.offset > 0 {
		ids = ids[min(b.offset, len(ids)):]
	}
	if b.limit >= 0 && len(ids) > b.limit {
		ids = ids[:b.limit]
	}
	return matched, ids
}
