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
	found := g.ident("p", "_revops_found")
	orphan := col + " IS NOT NULL AND " + found + " IS NULL"
	q := "SELECT count(*) AS total, " + filtered("count(*)", orphan) + " AS orphans"
	if sp.Sample > 0 {
		q += ", " + filtered(sampleAgg(g.idents(keys, "c"), sp.Sample), orphan) + " AS sample"
	}
	q += "\nFROM " + g.rel(sp.Target) + " AS c\nLEFT JOIN (SELECT DISTINCT " + g.ident(c.field) + " AS " + g.ident("_revops_value") +
		", TRUE AS " + g.ident("_revops_found") + " FROM " + g.rel(c.to) + ") AS p ON " + col + " = " + g.ident("p", "_revops_value")
	if sp.Where != "" {
		q += "\nWHERE " + and(sp.Where)
	}
	if g.err != nil {
		return o, g.err
	}
	v, err := e.queryOne(ctx, &o, q)
	if err != nil {
		return o, err
	}
	n, t := asInt(v[1]), asInt(v[0])
	o.failing = n
	o.text = ofRows(n, t, "rows") + fmt.Sprintf(" have a %s not found in %s.%s", sp.Column, c.to.Name, c.field)
	o.set(float64(n))
	o.setRate(n, t)
	if sp.Sample > 0 {
		o.sample = sampleRows(v[2], keys)
	}
	return o, nil
}
