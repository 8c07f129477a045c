package jinja

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// writeJSON writes v as Jinja's tojson does: Python's json.dumps with sorted keys, ", " and
// ": " separators (or newlines and indent spaces when indent >= 0), ASCII-only output, and
// <, >, & and ' escaped so the result is safe inside HTML and SQL string literals.
func writeJSON(b *strings.Builder, v any, indent, level int) error {
	newline := func(l int) {
		b.WriteByte('\n')
		for range l * indent {
			b.WriteByte(' ')
		}
	}
	switch x := norm(v).(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(formatFloat(x))
		}
	case string:
		writeJSONString(b, x)
	case *listVal:
		if len(x.items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range x.items {
			if i > 0 {
				b.WriteByte(',')
				if indent < 0 {
					b.WriteByte(' ')
				}
			}
			if indent >= 0 {
				newline(level + 1)
			}
			if err := writeJSON(b, e, indent, level+1); err != nil {
				return err
			}
		}
		if indent >= 0 {
			newline(level)
		}
		b.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteByte(',')
				if indent < 0 {
					b.WriteByte(' ')
				}
			}
			if indent >= 0 {
				newline(level + 1)
			}
			writeJSONString(b, k)
			b.WriteString(": ")
			if err := writeJSON(b, x[k], indent, level+1); err != nil {
				return err
			}
		}
		if indent >= 0 {
			newline(level)
		}
		b.WriteByte('}')
	case fmt.Stringer:
		writeJSONString(b, x.String())
	default:
		return newErr(fmt.Sprintf("%s cannot be converted to JSON", typeName(x)))
	}
	return nil
}

func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hex[r>>12&0xf])
		b.WriteByte(hex[r>>8&0xf])
		b.WriteByte(hex[r>>4&0xf])
		b.WriteByte(hex[r&0xf])
	}
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '<', '>', '&', '\'':
			u(r)
		default:
			switch {
			case r < 0x20 || r == utf8.RuneError:
				u(r)
			case r < 0x80:
				b.WriteRune(r)
			case r > 0xffff:
				r -= 0x10000
				u(0xd800 + (r>>10)&0x3ff)
				u(0xdc00 + r&0x3ff)
			default:
				u(r)
			}
		}
	}
	b.WriteByte('"')
}
