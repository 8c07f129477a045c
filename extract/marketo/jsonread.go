package marketo

// jsonread.go: a one-pass reader of the JSON on a read's hot paths — the envelope check of every
// answer (classify) and the pages of activities — in place of encoding/json's generic decoding
// into maps, which took most of a read's CPU time. It accepts exactly the JSON that
// encoding/json accepts (json.Valid), and decodes strings with escapes or non-ASCII bytes
// through encoding/json, so values come out the same.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// errInvalidJSON wraps the errors of a text that is not JSON.
var errInvalidJSON = errors.New("invalid JSON")

// jsonReader reads one JSON text. After an error every method is a no-op that reports failure.
type jsonReader struct {
	b     []byte
	i     int
	depth int
	err   error
}

func (r *jsonReader) fail(what string) bool {
	if r.err == nil {
		r.err = fmt.Errorf("%w at byte %d: %s", errInvalidJSON, r.i, what)
	}
	return false
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space (0 at the end).
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// end reports whether only white space is left (and no error happened).
func (r *jsonReader) end() bool {
	if r.err != nil {
		return false
	}
	if r.ws(); r.i != len(r.b) {
		return r.fail("data after the value")
	}
	return true
}

// rawString reads a string token and returns it with its quotes; plain is true when it has no
// escapes and only printable ASCII, so that its content is its value.
func (r *jsonReader) rawString() (tok []byte, plain bool) {
	if r.peek() != '"' {
		r.fail("a string was expected")
		return nil, false
	}
	start := r.i
	r.i++
	plain = true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return r.b[start:r.i], plain
		case c == '\\':
			plain = false
			if r.i+1 >= len(r.b) {
				r.i = len(r.b)
				break
			}
			switch r.b[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.b) {
					r.i = len(r.b)
					break
				}
				for _, h := range r.b[r.i+2 : r.i+6] {
					if !isHex(h) {
						r.fail("bad \\u escape")
						return nil, false
					}
				}
				r.i += 6
			default:
				r.fail("bad escape")
				return nil, false
			}
		case c < 0x20:
			r.fail("control character in a string")
			return nil, false
		default:
			if c >= 0x80 {
				plain = false
			}
			r.i++
		}
	}
	r.fail("unterminated string")
	return nil, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// unquote is the value of a string token.
func unquote(tok []byte, plain bool) (string, error) {
	if plain {
		return string(tok[1 : len(tok)-1]), nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}

// str reads a string value.
func (r *jsonReader) str() (string, bool) {
	tok, plain := r.rawString()
	if r.err != nil {
		return "", false
	}
	s, err := unquote(tok, plain)
	if err != nil {
		return "", r.fail(err.Error())
	}
	return s, true
}

// value reads any value and returns its bytes.
func (r *jsonReader) value() []byte {
	start := r.i
	switch c := r.peek(); {
	case c == '"':
		r.rawString()
	case c == '{':
		r.object(func([]byte) bool { r.value(); return r.err == nil })
	case c == '[':
		r.array(func() bool { r.value(); return r.err == nil })
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		r.number()
	default:
		r.fail("a value was expected")
	}
	if r.err != nil {
		return nil
	}
	for start < r.i && (r.b[start] == ' ' || r.b[start] == '\t' || r.b[start] == '\n' || r.b[start] == '\r') {
		start++
	}
	return r.b[start:r.i]
}

func (r *jsonReader) literal(word string) {
	if !bytes.HasPrefix(r.b[r.i:], []byte(word)) {
		r.fail("bad literal")
		return
	}
	r.i += len(word)
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jsonReader) number() {
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case digits() == 0:
		r.fail("bad number")
		return
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			r.fail("bad number")
			return
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			r.fail("bad number")
		}
	}
}

// object reads an object, calling member with each key (only valid during the call: compare it
// as string(key), which does not copy); member must read the value.
func (r *jsonReader) object(member func(key []byte) bool) bool {
	if r.peek() != '{' {
		return r.fail("an object was expected")
	}
	if r.depth++; r.depth > maxDepth {
		return r.fail("nested too deeply")
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		r.depth--
		return true
	}
	for {
		tok, plain := r.rawString()
		if r.err != nil {
			return false
		}
		key := tok[1 : len(tok)-1]
		if !plain {
			s, err := unquote(tok, false)
			if err != nil {
				return r.fail(err.Error())
			}
			key = []byte(s)
		}
		if r.peek() != ':' {
			return r.fail("':' was expected")
		}
		r.i++
		if !member(key) || r.err != nil {
			return r.fail("bad member value")
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return true
		default:
			return r.fail("',' or '}' was expected")
		}
	}
}

// array reads an array, calling elem for each element; elem must read it.
func (r *jsonReader) array(elem func() bool) bool {
	if r.peek() != '[' {
		return r.fail("an array was expected")
	}
	if r.depth++; r.depth > maxDepth {
		return r.fail("nested too deeply")
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return true
	}
	for {
		if !elem() || r.err != nil {
			return r.fail("bad element")
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return true
		default:
			return r.fail("',' or ']' was expected")
		}
	}
}

// quickSuccess reads a whole answer: valid is false when it is not JSON; success is true when
// it is an object whose member success is true.
func quickSuccess(body []byte) (valid, success bool) {
	r := jsonReader{b: body}
	if r.peek() != '{' {
		r.value()
		return r.end(), false
	}
	r.object(func(key []byte) bool {
		v := r.value()
		if string(key) == "success" {
			success = string(v) == "true"
		}
		return r.err == nil
	})
	return r.end(), success
}

// activity is a decoded activity of activities.json (or deletedleads.json).
type activity struct {
	guid   string
	id     int64
	leadID int64
	date   time.Time
	typeID int
	// campaignID, primaryID and primaryValue are raw JSON values (nil when absent).
	campaignID, primaryID, primaryValue []byte
	attrs                               []attribute // in order; a later one with a name wins
	extra                               []member    // the other members that are not null
}

type attribute struct {
	name  string
	value []byte // raw JSON; null when the attribute has no value
}

type member struct {
	key   string
	value []byte
}

// activityPage is an answer of activities.json (or of an endpoint with the same shape).
type activityPage struct {
	success       bool
	nextPageToken string
	moreResult    bool
	items         []activity
}

// pageScratch is what the activities of a page share: their attributes' backing array, and the
// attribute names (the same few on every activity of a type), each allocated once.
type pageScratch struct {
	attrs []attribute
	names map[string]string
}

func (p *pageScratch) name(b []byte) string {
	if s, ok := p.names[string(b)]; ok {
		return s
	}
	s := string(b)
	p.names[s] = s
	return s
}

// nullJSON is the raw JSON null.
var nullJSON = []byte("null")

// decodeActivityPage decodes a page in one pass.
func decodeActivityPage(body []byte) (*activityPage, error) {
	p := &activityPage{}
	r := &jsonReader{b: body}
	var itemErr error
	scratch := pageScratch{names: map[string]string{}}
	r.object(func(key []byte) bool {
		switch string(key) {
		case "success":
			p.success = string(r.value()) == "true"
		case "moreResult":
			p.moreResult = string(r.value()) == "true"
		case "nextPageToken":
			if r.peek() == '"' {
				p.nextPageToken, _ = r.str()
			} else {
				r.value()
			}
		case "result":
			if r.peek() == 'n' {
				r.value()
				break
			}
			r.array(func() bool {
				var a activity
				if err := readActivity(r, &a, &scratch); err != nil {
					itemErr = err
					return false
				}
				p.items = append(p.items, a)
				return true
			})
		default:
			r.value()
		}
		return r.err == nil && itemErr == nil
	})
	if r.end() && itemErr == nil {
		return p, nil
	}
	// Only a text that is not JSON (a body cut short) is errInvalidJSON, which is retried.
	switch {
	case !json.Valid(body):
		return nil, r.err
	case itemErr != nil:
		return nil, itemErr
	}
	return nil, fmt.Errorf("not a page of activities (%s)", strings.TrimPrefix(r.err.Error(), errInvalidJSON.Error()+" "))
}

// readActivity reads one activity object into a. Members of another type than expected are
// ignored, as encoding/json leaves a field it cannot decode unset.
func readActivity(r *jsonReader, a *activity, scratch *pageScratch) error {
	var date []byte
	var attrErr error
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "marketoGUID":
			v := r.value()
			if len(v) > 0 && v[0] == '"' {
				s, err := unquote(v, plainString(v))
				if err != nil {
					return false
				}
				a.guid = s
			}
		case "activityDate":
			date = r.value()
		case "id", "leadId", "activityTypeId":
			n, err := strconv.ParseInt(string(r.value()), 10, 64)
			if err == nil {
				switch string(key) {
				case "id":
					a.id = n
				case "leadId":
					a.leadID = n
				default:
					a.typeID = int(n)
				}
			}
		case "campaignId":
			a.campaignID = r.value()
		case "primaryAttributeValueId":
			a.primaryID = r.value()
		case "primaryAttributeValue":
			a.primaryValue = r.value()
		case "attributes":
			if r.peek() == 'n' {
				r.value()
				break
			}
			if r.peek() != '[' {
				r.value()
				attrErr = errors.New("attributes is not an array")
				return r.err == nil
			}
			start := len(scratch.attrs)
			r.array(func() bool {
				if r.peek() == 'n' { // a null element, as encoding/json would leave it: no attribute
					r.value()
					return r.err == nil
				}
				at, err := readAttribute(r, scratch)
				if err != nil {
					attrErr = err
				}
				scratch.attrs = append(scratch.attrs, at)
				return r.err == nil
			})
			a.attrs = scratch.attrs[start:len(scratch.attrs):len(scratch.attrs)]
		default:
			if v := r.value(); string(v) != "null" && r.err == nil {
				a.extra = append(a.extra, member{string(key), v})
			}
		}
		return r.err == nil
	})
	if !ok || r.err != nil {
		return r.err
	}
	if a.guid == "" && a.id != 0 {
		a.guid = strconv.FormatInt(a.id, 10) // older subscriptions: the id is the key
	}
	t, err := activityDate(date)
	if a.guid == "" || err != nil || a.typeID == 0 {
		return fmt.Errorf("malformed activity (id %d, marketoGUID %q, activityDate %s)", a.id, a.guid, date)
	}
	a.date = t
	if attrErr != nil {
		return fmt.Errorf("activity %s: attributes: %w", a.guid, attrErr)
	}
	return nil
}

// activityDate reads an activityDate string token: Marketo's 2025-01-16T23:32:19Z directly,
// anything else (an offset, fractions) through parseTime.
func activityDate(tok []byte) (time.Time, error) {
	if len(tok) < 2 || tok[0] != '"' {
		return time.Time{}, errors.New("not a string")
	}
	if v := tok[1 : len(tok)-1]; len(v) == 20 && v[4] == '-' && v[7] == '-' && v[10] == 'T' && v[13] == ':' && v[16] == ':' && v[19] == 'Z' {
		num := func(b []byte) int {
			n := 0
			for _, c := range b {
				if c < '0' || c > '9' {
					return -1
				}
				n = n*10 + int(c-'0')
			}
			return n
		}
		y, mo, d, h, mi, sec := num(v[0:4]), num(v[5:7]), num(v[8:10]), num(v[11:13]), num(v[14:16]), num(v[17:19])
		t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
		// Out-of-range fields (month 13, 31 April, 24:00) normalize: those go to parseTime, which
		// rejects them.
		if y >= 0 && t.Year() == y && int(t.Month()) == mo && t.Day() == d && t.Hour() == h && t.Minute() == mi && t.Second() == sec {
			return t, nil
		}
	}
	s, err := unquote(tok, plainString(tok))
	if err != nil {
		return time.Time{}, err
	}
	return parseTime(s)
}

// readAttribute reads one {"name": …, "value": …} of an activity's attributes (a missing value
// is null).
func readAttribute(r *jsonReader, scratch *pageScratch) (attribute, error) {
	at := attribute{value: nullJSON}
	var err error
	r.object(func(k []byte) bool {
		v := r.value()
		if r.err != nil {
			return false
		}
		switch string(k) {
		case "name":
			switch {
			case v[0] == '"' && plainString(v):
				at.name = scratch.name(v[1 : len(v)-1])
			case v[0] == '"':
				s, uerr := unquote(v, false)
				if uerr != nil {
					return false
				}
				at.name = s
			case string(v) != "null":
				err = fmt.Errorf("an attribute name is %s, not a string", v)
			}
		case "value":
			at.value = v
		}
		return true
	})
	return at, err
}

// plainString reports whether a string token has no escapes and only printable ASCII.
func plainString(tok []byte) bool { return bytes.IndexByte(tok, '\\') < 0 && isASCII(tok) }

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c < 0x20 {
			return false
		}
	}
	return true
}

// attr returns the raw value of the last attribute named name.
func (a *activity) attr(name string) ([]byte, bool) {
	for i := len(a.attrs) - 1; i >= 0; i-- {
		if a.attrs[i].name == name {
			return a.attrs[i].value, true
		}
	}
	return nil, false
}

// attrText is an attribute's value as text (a JSON string's content, or the JSON itself).
func (a *activity) attrText(names ...string) any {
	for _, n := range names {
		raw, ok := a.attr(n)
		if !ok || string(raw) == "null" {
			continue
		}
		if raw[0] == '"' {
			s, err := unquote(raw, plainString(raw))
			if err == nil {
				return nonEmpty(s)
			}
		}
		return string(raw)
	}
	return nil
}

// attributesJSON renders the attributes as a JSON object of name → value, with the bytes
// json.Marshal gives a map of them (keys sorted, the last of a name kept, values compacted and
// HTML-escaped); "{}" when there are none. buf is scratch space.
func (a *activity) attributesJSON(buf *bytes.Buffer) string {
	a.writeAttributesJSON(buf)
	return buf.String()
}

// writeAttributesJSON writes attributesJSON into buf (reset first).
func (a *activity) writeAttributesJSON(buf *bytes.Buffer) {
	buf.Reset()
	if len(a.attrs) == 0 {
		buf.WriteString("{}")
		return
	}
	// The last attribute of each name, sorted by name (insertion sort: a handful of them).
	var small [16]int
	keep := small[:0]
	size := 2
	for i := len(a.attrs) - 1; i >= 0; i-- {
		dup := false
		for _, k := range keep {
			if a.attrs[k].name == a.attrs[i].name {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		keep = append(keep, i)
		size += len(a.attrs[i].name) + len(a.attrs[i].value) + 4
		for j := len(keep) - 1; j > 0 && a.attrs[keep[j]].name < a.attrs[keep[j-1]].name; j-- {
			keep[j], keep[j-1] = keep[j-1], keep[j]
		}
	}
	buf.Grow(size)
	buf.WriteByte('{')
	for n, k := range keep {
		if n > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(buf, a.attrs[k].name)
		buf.WriteByte(':')
		writeCompact(buf, a.attrs[k].value)
	}
	buf.WriteByte('}')
}

// writeJSONString writes s as json.Marshal does.
func writeJSONString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// writeCompact writes a raw JSON value (valid: read by jsonReader) as json.Marshal writes a
// json.RawMessage: white space outside strings dropped, and <, >, &, U+2028 and U+2029 inside
// strings escaped.
func writeCompact(b *bytes.Buffer, v []byte) {
	const hex = "0123456789abcdef"
	in := false
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case in && c == '\\':
			i++ // the escaped byte (of \uXXXX the u) cannot end the string
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			b.Write(v[start:i])
			start = i + 1
		case in && (c == '<' || c == '>' || c == '&'):
			b.Write(v[start:i])
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			start = i + 1
		case in && c == 0xe2 && i+2 < len(v) && v[i+1] == 0x80 && v[i+2]&^1 == 0xa8:
			b.Write(v[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[v[i+2]&0xf])
			i += 2
			start = i + 1
		}
	}
	b.Write(v[start:])
}

// extraJSON renders the other members as a JSON object (nil when there are none).
func (a *activity) extraJSON() any {
	if len(a.extra) == 0 {
		return nil
	}
	m := make(map[string]json.RawMessage, len(a.extra))
	for _, e := range a.extra {
		m[e.key] = e.value
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return string(b)
}
