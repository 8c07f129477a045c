package checks

import (
	"context"
	"fmt"
)

// relationships: keys to (ref('model') or source('src','table'), required) and field (the
// referenced column; default: the same name as the column). Observed = non-NULL rows whose
// value is not found in to.field; rate = percent of all rows; default: error if > 0.
type relationships struct {
	to    Target
	field string
}

type relationshipsArgs struct {
	To    string `yaml:"to,required"`
	Field string `yaml:"field"`
}

func parseRelationships(p *parseCtx) (checker, error) {
	var a relationshipsArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	to, err := p.ref("to", a.To)
	if err != nil {
		return nil, err
	}
	if a.Field == "" {
		a.Field = p.column
	}
	return relationships{to: to, field: a.Field}, nil
}

func (relationships) info() kindInfo { return kindInfo{rate: true} }

func (c relationships) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	g := e.sql()
	keys := sampleKeys(sp, sp.Column)
	col := g.ident("c", sp.Column)
	where := ""
	if sp.Where != "" {
		where = " WHERE " + and(sp.Where)
	}
	// The orphans are an anti join: each child row probes a hash table of the parent keys and
	// only rows without a match go on (about half the time of a left join that carries every
	// row to a filtered count). The where filter sees the child's columns only.
	q := "SELECT (SELECT count(*) FROM " + g.rel(sp.Target) + where + ") AS total, count(*) AS orphans"
	if sp.Sample > 0 {
		q += ", " + sampleAgg(g.idents(keys, "c"), sp.Sample) + " AS sample"
	}
	q += "\nFROM " + g.rel(sp.Target) + " AS c\nANTI JOIN " + g.rel(c.to) + " AS p ON " + col + " = " + g.ident("p", c.field) +
		"\nWHERE " + and(col+" IS NOT NULL", sp.Where)
	if g.err != nil {
		return o, g.err
	}
	v, err := e.queryOne(ctx, &o, q)
	if err != nil {
		return o, err
	}
	n, t := asInt(v[1]), asInt(v[0])
	o.failing = n
	o.text = ofRows(n, t, "rows") + fmt.Sprintf(" have a value of %s not found in %s.%s", sp.Column, c.to.Name, c.field)
	o.set(float64(n))
	o.setRate(n, t)
	if sp.Sample > 0 {
		o.sample = sampleRows(v[2], keys)
	}
	return o, nil
}
