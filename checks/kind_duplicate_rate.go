package checks

import (
	"context"
	"fmt"
	"strconv"
)

// duplicate_rate: keys columns (default: the column it is declared under) and normalize
// (email | domain | name | none, default none). Each row's key is its normalized values; rows
// with a NULL or empty normalized value have no key. Observed = the percent of rows that are
// in a duplicate cluster (a key shared by two or more rows), out of all rows (revops-kpis.md:
// "share of leads / contacts / accounts in a duplicate cluster"); failing rows = the rows in
// clusters; default: error if > 0. Normalizations:
//
//   - email: trimmed, lower case, "mailto:" dropped, "+tag" dropped from the local part, and
//     for gmail.com / googlemail.com the dots of the local part dropped; text that is not an
//     address has no key.
//   - domain: from a domain, a URL or an e-mail address: trimmed, lower case, without scheme,
//     user or e-mail local part, port, path, query, a leading www. and trailing dots, so
//     " Acme.com", "acme.com" and "https://www.acme.com/" are one key.
//   - name: lower case, & as "and", punctuation dropped, spaces collapsed, a leading "the" and
//     trailing legal forms (inc, llc, ltd, corp, co, gmbh, …) dropped: "Acme, Inc." = "ACME".
//   - none: the values as they are.
type duplicateRate struct {
	columns   []string
	normalize string
}

type duplicateRateArgs struct {
	Columns   []string `yaml:"columns"`
	Normalize string   `yaml:"normalize"`
}

var normalizations = []string{"email", "domain", "name", "none"}

func parseDuplicateRate(p *parseCtx) (checker, error) {
	var a duplicateRateArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	if a.Normalize == "" {
		a.Normalize = "none"
	}
	if !contains(normalizations, a.Normalize) {
		return nil, p.failf(p.argNode("normalize"), "duplicate_rate: normalize: %q is not one of %s", a.Normalize, join(normalizations))
	}
	if len(a.Columns) == 0 {
		if p.column == "" {
			return nil, p.failf(p.kindKey, "duplicate_rate: give columns: [...] or declare it under a column")
		}
		a.Columns = []string{p.column}
	}
	if p.column == "" && len(a.Columns) == 1 {
		p.column = a.Columns[0]
	}
	return duplicateRate{columns: a.Columns, normalize: a.Normalize}, nil
}

func (duplicateRate) info() kindInfo { return kindInfo{rate: true, percent: true} }

// key renders the normalized key of a row and the predicate that it has one.
func (c duplicateRate) key(g *sqlb) (key, has string) {
	exprs := make([]string, len(c.columns))
	var nn []string
	for i, col := range c.columns {
		exprs[i] = normalizeExpr(g, c.normalize, g.ident(col))
		nn = append(nn, exprs[i]+" IS NOT NULL")
	}
	has = joinAnd(nn)
	if len(exprs) == 1 {
		return exprs[0], has
	}
	return "CASE WHEN " + has + " THEN " + tuple(exprs) + " END", has
}

func (c duplicateRate) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	g := e.sql()
	key, _ := c.key(g)
	k := g.ident("_revops_key")
	n := g.ident("_revops_n")
	inner := "SELECT " + key + " AS " + k + " FROM " + g.rel(sp.Target)
	if sp.Where != "" {
		inner += " WHERE " + and(sp.Where)
	}
	dup := k + " IS NOT NULL AND " + n + " > 1"
	q := "SELECT coalesce(sum(" + n + "), 0) AS total, coalesce(" + filtered("sum("+n+")", dup) + ", 0) AS dup_rows, " +
		filtered("count(*)", dup) + " AS clusters\nFROM (SELECT " + k + ", count(*) AS " + n + " FROM (" + inner + ") AS r GROUP BY " + k + ") AS g"
	if g.err != nil {
		return o, g.err
	}
	v, err := e.queryOne(ctx, &o, q)
	if err != nil {
		return o, err
	}
	total, rows, clusters := asInt(v[0]), asInt(v[1]), asInt(v[2])
	o.failing = rows
	o.setRate(rows, total)
	o.observed = o.rate
	o.text = ofRows(rows, total, "rows") + fmt.Sprintf(" in %s by %s", plural(int(clusters), "duplicate cluster"), c.by())
	if rows > 0 && sp.Sample > 0 {
		keys := sampleKeys(sp, c.columns...)
		sq := "WITH r AS (SELECT " + join(g.idents(keys, "")) + ", " + key + " AS " + k + " FROM " + g.rel(sp.Target)
		if sp.Where != "" {
			sq += " WHERE " + and(sp.Where)
		}
		sq += ")\nSELECT " + join(g.idents(keys, "")) + " FROM r WHERE " + k + " IN (SELECT " + k + " FROM r WHERE " + k +
			" IS NOT NULL GROUP BY " + k + " HAVING count(*) > 1)\nORDER BY " + join(g.idents(keys, "")) + "\nLIMIT " + strconv.Itoa(sp.Sample)
		srs, err := e.query(ctx, &o, sq)
		if err != nil {
			return o, err
		}
		o.sample = rowMaps(srs, keys)
	}
	return o, nil
}

func (c duplicateRate) by() string {
	if c.normalize == "none" {
		return join(c.columns)
	}
	return "normalized " + c.normalize
}

// normalizeExpr renders the normalization of a column expression (NULL when it has no key).
func normalizeExpr(g *sqlb, how, col string) string {
	s := func(v string) string { return g.lit(v) }
	lowerTrim := "lower(trim(" + text(col) + "))"
	switch how {
	case "email":
		e := "regexp_replace(" + lowerTrim + ", " + s(`^mailto:`) + ", '')"
		re := s(`^([^@+\s]+)(\+[^@\s]*)?@([^@\s]+?)\.?$`)
		local := "regexp_extract(" + e + ", " + re + ", 1)"
		dom := "regexp_extract(" + e + ", " + re + ", 3)"
		return "CASE WHEN regexp_matches(" + e + ", " + re + ") THEN CASE WHEN " + dom + " IN ('gmail.com', 'googlemail.com') THEN replace(" +
			local + ", '.', '') || '@gmail.com' ELSE " + local + " || '@' || " + dom + " END END"
	case "domain":
		d := "regexp_replace(" + lowerTrim + ", " + s(`^[a-z][a-z0-9+.-]*://`) + ", '')"
		d = "regexp_replace(" + d + ", " + s(`^[^/?#]*@`) + ", '')"
		d = "regexp_replace(" + d + ", " + s(`[/?#:].*$`) + ", '')"
		d = "regexp_replace(" + d + ", " + s(`^www[0-9]*\.`) + ", '')"
		d = "regexp_replace(" + d + ", " + s(`\.+$`) + ", '')"
		return "nullif(" + d + ", '')"
	case "name":
		n := "replace(" + lowerTrim + ", '&', ' and ')"
		n = "regexp_replace(" + n + ", " + s(`[^\pL\pN\s]+`) + ", ' ', 'g')"
		n = "trim(regexp_replace(" + n + ", " + s(`\s+`) + ", ' ', 'g'))"
		n = "regexp_replace(" + n + ", " + s(`^the `) + ", '')"
		n = "regexp_replace(" + n + ", " + s(`( (inc|incorporated|llc|llp|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|sas|srl|plc|bv|nv|oy|ab|pty|pte))+$`) + ", '')"
		return "nullif(trim(" + n + "), '')"
	}
	return col
}
