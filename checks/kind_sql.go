package checks

import (
	"context"
	"strconv"
)

// sql: key query (required; the value may be given directly: `sql: "select …"`): a query
// returning the violating rows; {{ ref('model') }}, {{ source('src', 'table') }} and
// {{ this }} name relations. Observed = the number of rows it returns (after the where
// filter, applied to its rows); default: error if > 0. The sample shows the target's key
// columns when the query returns them all, else every column it returns, ordered by all.
type sqlCheck struct{ query sqlText }

type sqlArgs struct {
	Query string `yaml:"query,required"`
}

func parseSQL(p *parseCtx) (checker, error) {
	var a sqlArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	q, err := p.sqlText("query", a.Query)
	if err != nil {
		return nil, err
	}
	return sqlCheck{query: q}, nil
}

func (sqlCheck) info() kindInfo { return kindInfo{} }

func (c sqlCheck) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	g := e.sql()
	from := "FROM (\n" + c.query.render(g) + "\n) AS q"
	if sp.Where != "" {
		from += " WHERE " + and(sp.Where)
	}
	if g.err != nil {
		return o, g.err
	}
	rs, err := e.query(ctx, &o, "SELECT count(*) "+from)
	if err != nil {
		return o, err
	}
	v, err := rs.one()
	if err != nil {
		return o, err
	}
	n := asInt(v[0])
	o.failing = n
	o.set(float64(n))
	o.text = formatInt(n) + " violating rows"
	if n == 1 {
		o.text = "1 violating row"
	}
	if n > 0 && sp.Sample > 0 {
		srs, err := e.query(ctx, &o, "SELECT * "+from+" ORDER BY ALL LIMIT "+strconv.Itoa(sp.Sample))
		if err != nil {
			return o, err
		}
		names := make([]string, len(srs.fields))
		for i, f := range srs.fields {
			names[i] = f.Name
		}
		o.sample = rowMaps(srs, names)
		if keys := sp.Target.KeyColumns; len(keys) > 0 && allIn(keys, names) {
			for _, m := range o.sample {
				for k := range m {
					if !contains(keys, k) {
						delete(m, k)
					}
				}
			}
		}
	}
	return o, nil
}

func allIn(want, have []string) bool {
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}
