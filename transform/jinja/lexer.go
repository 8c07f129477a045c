package jinja

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF        tokKind = iota
	tData               // template text
	tVarBegin           // {{
	tVarEnd             // }}
	tBlockBegin         // {%
	tBlockEnd           // %}
	tName               // identifier or keyword
	tString             // string literal (s is the decoded value)
	tInt                // integer literal (i)
	tFloat              // float literal (f)
	tOp                 // operator or punctuation (s)
)

type token struct {
	kind tokKind
	s    string
	i    int64
	f    float64
	off  int // byte offset of the token in the source
}

// lines maps byte offsets to positions.
type lines struct {
	file   string
	src    string
	starts []int // byte offset of each line's first character
}

func newLines(file, src string) *lines {
	starts := make([]int, 1, strings.Count(src, "\n")+1)
	for i := 0; ; {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return &lines{file: file, src: src, starts: starts}
}

func (l *lines) pos(off int) Pos {
	n := sort.SearchInts(l.starts, off+1) // lines starting at or before off
	ls := l.starts[n-1]
	return Pos{File: l.file, Line: n, Col: utf8.RuneCountInString(l.src[ls:off]) + 1}
}

type lexer struct {
	src       string
	ln        *lines
	toks      []token
	stripNext bool // the previous tag ended with "-": trim the whitespace that follows it
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isNameChar(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (lx *lexer) errAt(off int, msg, hint string) *Error {
	return &Error{Pos: lx.ln.pos(off), Msg: msg, Hint: hint}
}

// lex splits src into tokens, ending with tEOF. Whitespace control and raw blocks are resolved
// here: the parser only sees the resulting text.
func lex(src string, ln *lines) ([]token, error) {
	lx := &lexer{src: src, ln: ln, toks: make([]token, 0, len(src)/8+16)}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

// findTag is the offset of the next "{{", "{%" or "{#" at or after from, or -1.
func (lx *lexer) findTag(from int) int {
	src := lx.src
	for j := from; j < len(src); {
		k := strings.IndexByte(src[j:], '{')
		if k < 0 {
			return -1
		}
		k += j
		if k+1 < len(src) {
			if c := src[k+1]; c == '{' || c == '%' || c == '#' {
				return k
			}
		}
		j = k + 1
	}
	return -1
}

// text emits template text, applying the pending left trim and, when trimRight, a right trim.
func (lx *lexer) text(start, end int, trimRight bool) {
	s := lx.src[start:end]
	if lx.stripNext {
		t := strings.TrimLeftFunc(s, isSpace)
		start += len(s) - len(t)
		s = t
		lx.stripNext = false
	}
	if trimRight {
		s = strings.TrimRightFunc(s, isSpace)
	}
	if s != "" {
		lx.toks = append(lx.toks, token{kind: tData, s: s, off: start})
	}
}

func (lx *lexer) run() error {
	src := lx.src
	pos := 0
	for pos < len(src) {
		i := lx.findTag(pos)
		if i < 0 {
			lx.text(pos, len(src), false)
			break
		}
		dash := i+2 < len(src) && src[i+2] == '-'
		lx.text(pos, i, dash)
		inner := i + 2
		if dash {
			inner++
		}
		var err error
		switch src[i+1] {
		case '#':
			pos, err = lx.comment(i, inner)
		case '{':
			lx.toks = append(lx.toks, token{kind: tVarBegin, s: "{{", off: i})
			pos, err = lx.inside(i, inner, '}')
		case '%':
			var raw bool
			pos, raw, err = lx.raw(i, inner)
			if !raw && err == nil {
				lx.toks = append(lx.toks, token{kind: tBlockBegin, s: "{%", off: i})
				pos, err = lx.inside(i, inner, '%')
			}
		}
		if err != nil {
			return err
		}
	}
	lx.toks = append(lx.toks, token{kind: tEOF, off: len(src)})
	return nil
}

func (lx *lexer) comment(open, inner int) (int, error) {
	k := strings.Index(lx.src[inner:], "#}")
	if k < 0 {
		return 0, lx.errAt(open, "unclosed comment: missing #}", "")
	}
	k += inner
	lx.stripNext = k > inner && lx.src[k-1] == '-'
	return k + 2, nil
}

func (lx *lexer) skipSpace(p int) int {
	for p < len(lx.src) && isTagSpace(lx.src[p]) {
		p++
	}
	return p
}

// word reports whether the keyword w starts at p (and is not the start of a longer name).
func (lx *lexer) word(p int, w string) bool {
	if !strings.HasPrefix(lx.src[p:], w) {
		return false
	}
	e := p + len(w)
	return e >= len(lx.src) || !isNameChar(lx.src[e])
}

// raw handles {% raw %}...{% endraw %} at open: its content is text, taken as written.
func (lx *lexer) raw(open, inner int) (next int, ok bool, err error) {
	src := lx.src
	p := lx.skipSpace(inner)
	if !lx.word(p, "raw") {
		return 0, false, nil
	}
	p = lx.skipSpace(p + 3)
	trimStart := false
	if p < len(src) && src[p] == '-' {
		trimStart = true
		p++
	}
	if !strings.HasPrefix(src[p:], "%}") {
		return 0, false, nil
	}
	start := p + 2
	for j := start; ; {
		k := strings.Index(src[j:], "{%")
		if k < 0 {
			return 0, false, lx.errAt(open, "unclosed {% raw %} block: missing {% endraw %}", "")
		}
		k += j
		m := k + 2
		trimEnd := m < len(src) && src[m] == '-'
		if trimEnd {
			m++
		}
		m = lx.skipSpace(m)
		if lx.word(m, "endraw") {
			m = lx.skipSpace(m + 6)
			dashAfter := m < len(src) && src[m] == '-'
			if dashAfter {
				m++
			}
			if strings.HasPrefix(src[m:], "%}") {
				lx.stripNext = trimStart
				lx.text(start, k, trimEnd)
				lx.stripNext = dashAfter
				return m + 2, true, nil
			}
		}
		j = k + 2
	}
}

// ops are the operators, longest first where one is a prefix of another.
var ops2 = [...]string{"//", "**", "==", "!=", "<=", ">="}

const ops1 = "+-*/%~<>=.,:|()[]{}"

// inside lexes the expression tokens of a tag opened at open, up to its closing "}}" or "%}"
// (closer is '}' or '%'), and returns the offset after it.
func (lx *lexer) inside(open, p int, closer byte) (int, error) {
	src := lx.src
	depth := 0
	endKind, endText := tVarEnd, "}}"
	if closer == '%' {
		endKind, endText = tBlockEnd, "%}"
	}
	for {
		p = lx.skipSpace(p)
		if p >= len(src) {
			return 0, lx.errAt(open, "unclosed tag: missing "+endText, "")
		}
		c := src[p]
		if depth == 0 {
			if c == '-' && p+2 < len(src) && src[p+1] == closer && src[p+2] == '}' {
				lx.toks = append(lx.toks, token{kind: endKind, s: endText, off: p})
				lx.stripNext = true
				return p + 3, nil
			}
			if c == closer && p+1 < len(src) && src[p+1] == '}' {
				lx.toks = append(lx.toks, token{kind: endKind, s: endText, off: p})
				return p + 2, nil
			}
		}
		switch {
		case isNameStart(c):
			e := p + 1
			for e < len(src) && isNameChar(src[e]) {
				e++
			}
			lx.toks = append(lx.toks, token{kind: tName, s: src[p:e], off: p})
			p = e
		case isDigit(c):
			e, err := lx.number(p)
			if err != nil {
				return 0, err
			}
			p = e
		case c == '\'' || c == '"':
			e, err := lx.str(p)
			if err != nil {
				return 0, err
			}
			p = e
		default:
			n := 0
			for _, op := range ops2 {
				if strings.HasPrefix(src[p:], op) {
					n = 2
					break
				}
			}
			if n == 0 && strings.IndexByte(ops1, c) >= 0 {
				n = 1
			}
			if n == 0 {
				r, _ := utf8.DecodeRuneInString(src[p:])
				return 0, lx.errAt(p, "unexpected character "+strconv.QuoteRune(r), "")
			}
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			lx.toks = append(lx.toks, token{kind: tOp, s: src[p : p+n], off: p})
			p += n
		}
	}
}

func (lx *lexer) number(p int) (int, error) {
	src := lx.src
	digits := func(e int) int {
		for e < len(src) && (isDigit(src[e]) || src[e] == '_' && e+1 < len(src) && isDigit(src[e+1])) {
			e++
		}
		return e
	}
	e := digits(p)
	isFloat := false
	// After a ".", digits are an integer attribute (x.0.1 is x[0][1]), never a float.
	afterDot := len(lx.toks) > 0 && lx.toks[len(lx.toks)-1].kind == tOp && lx.toks[len(lx.toks)-1].s == "."
	if !afterDot {
		if e+1 < len(src) && src[e] == '.' && isDigit(src[e+1]) {
			isFloat = true
			e = digits(e + 1)
		}
		if e < len(src) && (src[e] == 'e' || src[e] == 'E') {
			x := e + 1
			if x < len(src) && (src[x] == '+' || src[x] == '-') {
				x++
			}
			if x < len(src) && isDigit(src[x]) {
				isFloat = true
				e = digits(x)
			}
		}
	}
	text := src[p:e]
	if strings.IndexByte(text, '_') >= 0 {
		text = strings.ReplaceAll(text, "_", "")
	}
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return 0, lx.errAt(p, "invalid number "+src[p:e], "")
		}
		lx.toks = append(lx.toks, token{kind: tFloat, f: f, off: p})
		return e, nil
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, lx.errAt(p, "integer literal "+src[p:e]+" is too large", "")
	}
	lx.toks = append(lx.toks, token{kind: tInt, i: i, off: p})
	return e, nil
}

// str lexes a quoted string at p, decoding Python escapes.
func (lx *lexer) str(p int) (int, error) {
	src := lx.src
	q := src[p]
	simple := true
	e := p + 1
	for ; e < len(src) && src[e] != q; e++ {
		if src[e] == '\\' {
			simple = false
			e++
		}
	}
	if e >= len(src) {
		return 0, lx.errAt(p, "unterminated string", "")
	}
	body := src[p+1 : e]
	if !simple {
		body = unescape(body)
	}
	lx.toks = append(lx.toks, token{kind: tString, s: body, off: p})
	return e + 1, nil
}

// unescape decodes Python string escapes; an unknown escape is kept as written, as in Python.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(c)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			b.WriteRune(rune(n))
			i = j - 1
		case 'x', 'u', 'U':
			width := 2
			if c == 'u' {
				width = 4
			} else if c == 'U' {
				width = 8
			}
			if i+1+width <= len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32); err == nil && utf8.ValidRune(rune(n)) {
					b.WriteRune(rune(n))
					i += width
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String()
}
