package checks

import (
	"strings"
)

// sqlText is user-written SQL (a custom check, a reconciliation side) in which
// {{ ref('model') }}, {{ source('src', 'table') }} and {{ this }} name relations. Everything
// else is used as written; the relations are quoted through the Dialect when it runs.
type sqlText struct {
	parts []sqlPart
}

type sqlPart struct {
	text string
	rel  *Target
}

// sqlText parses the value of key.
func (p *parseCtx) sqlText(key, s string) (sqlText, error) {
	var out sqlText
	rest := s
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			out.parts = append(out.parts, sqlPart{text: rest})
			break
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return out, p.failf(p.argNode(key), "%s: %s: unclosed {{", p.kind, key)
		}
		inner := strings.TrimSpace(rest[i+2 : i+j])
		if inner != "this" && !strings.HasPrefix(inner, "ref(") && !strings.HasPrefix(inner, "source(") {
			return out, p.failf(p.argNode(key), "%s: %s: {{ %s }}: only ref('model'), source('source', 'table') and this may appear in {{ }} in check SQL", p.kind, key, inner)
		}
		t, err := p.ref(key, inner)
		if err != nil {
			return out, err
		}
		out.parts = append(out.parts, sqlPart{text: rest[:i]}, sqlPart{rel: &t})
		rest = rest[i+j+2:]
	}
	if strings.TrimSpace(out.render(nil)) == "" {
		return out, p.failf(p.argNode(key), "%s: %s: the SQL is empty", p.kind, key)
	}
	return out, nil
}

// render joins the parts, quoting relations (g nil: a placeholder, for validation).
func (t sqlText) render(g *sqlb) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.rel == nil:
			b.WriteString(p.text)
		case g == nil:
			b.WriteString("relation")
		default:
			b.WriteString(g.rel(*p.rel))
		}
	}
	return strings.TrimRight(strings.TrimSpace(b.String()), ";")
}
