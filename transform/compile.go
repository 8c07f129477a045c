package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Compiled is a model's SQL as it runs: the SELECT with its templating rendered and the
// ephemeral models it reads inlined as CTEs.
type Compiled struct {
	SQL string
	// Hash is the SHA-256 of SQL, hex: the manifest records it so a change is visible.
	Hash string
}

// Compile renders m. incremental is what is_incremental() returns: true only when an
// incremental model's table exists and no full refresh was asked for.
func (p *Project) Compile(m *Model, incremental bool) (Compiled, error) {
	body, ephs, err := p.render(m, incremental)
	if err != nil {
		return Compiled{}, err
	}
	// Inline the ephemeral models, flattened and in dependency order.
	var order []*Model
	seen := map[string]bool{}
	bodies := map[string]string{}
	var visit func(list []*Model) error
	visit = func(list []*Model) error {
		for _, e := range list {
			if seen[e.Name] {
				continue
			}
			seen[e.Name] = true
			b, inner, err := p.render(e, false)
			if err != nil {
				return err
			}
			if err := visit(inner); err != nil {
				return err
			}
			bodies[e.Name] = b
			order = append(order, e)
		}
		return nil
	}
	if err := visit(ephs); err != nil {
		return Compiled{}, err
	}
	sql := body
	if len(order) > 0 {
		ctes := make([]string, len(order))
		for i, e := range order {
			ctes[i] = fmt.Sprintf("%s as (\n%s\n)", p.Dialect.QuoteIdent(ephemeralName(e.Name)), bodies[e.Name])
		}
		sql = injectCTEs(body, strings.Join(ctes, ",\n"))
	}
	sum := sha256.Sum256([]byte(sql))
	return Compiled{SQL: sql, Hash: hex.EncodeToString(sum[:])}, nil
}

// render renders one model's template and returns its SELECT (without a trailing semicolon)
// and the ephemeral models it refs.
func (p *Project) render(m *Model, incremental bool) (string, []*Model, error) {
	r := &renderer{p: p, m: m, incremental: incremental && m.Config.Materialized == Incremental}
	out, err := r.render()
	if err != nil {
		return "", nil, err
	}
	out = strings.TrimSpace(out)
	for strings.HasSuffix(out, ";") {
		out = strings.TrimSpace(strings.TrimSuffix(out, ";"))
	}
	if out == "" {
		return "", nil, fmt.Errorf("%s: model %s renders to no SQL; a model is one SELECT statement", m.Path, m.Name)
	}
	if hasStatementSeparator(out) {
		return "", nil, fmt.Errorf("%s: model %s renders to more than one statement; a model is one SELECT (move setup into a macro or another model)", m.Path, m.Name)
	}
	return out, r.ephemerals, nil
}

// injectCTEs adds ctes to sql: into its leading WITH when it has one, else as a new WITH.
func injectCTEs(sql, ctes string) string {
	i := skipSpaceAndComments(sql, 0)
	if word, end := keywordAt(sql, i); word == "with" {
		j := skipSpaceAndComments(sql, end)
		if w2, end2 := keywordAt(sql, j); w2 == "recursive" {
			return sql[:end2] + "\n" + ctes + ",\n" + strings.TrimLeft(sql[end2:], " \t\r\n")
		}
		return sql[:end] + "\n" + ctes + ",\n" + strings.TrimLeft(sql[end:], " \t\r\n")
	}
	return "with " + ctes + "\n" + sql
}

func skipSpaceAndComments(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return len(s)
			}
			i += nl + 1
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return len(s)
			}
			i += end + 4
		default:
			return i
		}
	}
	return i
}

// keywordAt returns the lower-cased word starting at i and where it ends.
func keywordAt(s string, i int) (string, int) {
	j := i
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_') {
		j++
	}
	return strings.ToLower(s[i:j]), j
}

// hasStatementSeparator reports a ';' outside quotes and comments.
func hasStatementSeparator(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return false
			}
			i += end + 1
		case strings.HasPrefix(s[i:], "--"):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return false
			}
			i += nl
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return false
			}
			i += end + 3
		case c == ';':
			return true
		}
	}
	return false
}

// CompiledPath is where `revops compile` writes a model's SQL, relative to target/compiled.
func (m *Model) CompiledPath(incremental bool) string {
	p := m.Path
	if rest, ok := strings.CutPrefix(p, "revops:"); ok {
		p = "revops/" + rest
	}
	if incremental {
		return strings.TrimSuffix(p, ".sql") + ".incremental.sql"
	}
	return p
}

// Built reports whether a model makes a relation (every materialization but ephemeral).
func (m *Model) Built() bool { return m.Config.Materialized != Ephemeral }

// ModelsOf returns the models among ids, in DAG order.
func (p *Project) ModelsOf(ids map[string]bool) []*Model {
	var ms []*Model
	for id := range ids {
		if name, ok := strings.CutPrefix(id, "model."); ok {
			if m := p.Models[name]; m != nil {
				ms = append(ms, m)
			}
		}
	}
	return p.Order(ms)
}

// SourcesOf returns the sources among ids, by unique id.
func (p *Project) SourcesOf(ids map[string]bool) []*Source {
	var out []*Source
	for id := range ids {
		if s := p.Sources[id]; s != nil {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Source) int { return strings.Compare(a.UniqueID(), b.UniqueID()) })
	return out
}
