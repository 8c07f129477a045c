package checks

import (
	"context"
	"fmt"
)

// reconcile: keys left and right (SQL; {{ ref() }}, {{ source() }}, {{ this }} allowed), on
// (key columns both return; empty = compare the totals), measures (columns both return,
// required) and tolerance: {absolute: N, percent: P} (either suffices; default exact). Each
// side is summed per key; a key missing on one side counts as 0 there. Observed = keys where a
// measure differs beyond the tolerance; rate = percent of all keys; default: error if > 0. The
// sample shows the key and both sides' values (left_<measure>, right_<measure>).
type reconcile struct {
	left, right sqlText
	on          []string
	measures    []string
	tol         tolerance
}

type reconcileArgs struct {
	Left      string         `yaml:"left,required"`
	Right     string         `yaml:"right,required"`
	On        []string       `yaml:"on"`
	Measures  []string       `yaml:"measures,required"`
	Tolerance *toleranceArgs `yaml:"tolerance"`
}

func parseReconcile(p *parseCtx) (checker, error) {
	var a reconcileArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := reconcile{on: a.On, measures: a.Measures}
	var err error
	if c.left, err = p.sqlText("left", a.Left); err != nil {
		return nil, err
	}
	if c.right, err = p.sqlText("right", a.Right); err != nil {
		return nil, err
	}
	if len(a.Measures) == 0 {
		return nil, p.failf(p.argNode("measures"), "reconcile: measures: list at least one column")
	}
	if c.tol, err = p.tolerance(a.Tolerance); err != nil {
		return nil, err
	}
	return c, nil
}

func (reconcile) info() kindInfo { return kindInfo{rate: true} }

func (c reconcile) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	g := e.sql()
	side := func(name string, q sqlText) string {
		sel := append(g.idents(c.on, ""), sumsOf(g, c.measures)...)
		s := name + " AS (SELECT " + join(sel) + " FROM (\n" + q.render(g) + "\n) AS q"
		if len(c.on) > 0 {
			s += " GROUP BY " + join(g.idents(c.on, ""))
		}
		return s + ")"
	}
	var cols, match, bad, shown []string
	for _, k := range c.on {
		cols = append(cols, "coalesce("+g.ident("l", k)+", "+g.ident("r", k)+") AS "+g.ident(k))
		match = append(match, g.ident("l", k)+" IS NOT DISTINCT FROM "+g.ident("r", k))
		shown = append(shown, k)
	}
	for _, m := range c.measures {
		l, r := "left_"+m, "right_"+m
		cols = append(cols, "coalesce("+g.ident("l", m)+", 0) AS "+g.ident(l), "coalesce("+g.ident("r", m)+", 0) AS "+g.ident(r))
		bad = append(bad, "NOT "+c.tol.within(g, g.ident(l), g.ident(r)))
		shown = append(shown, l, r)
	}
	join := "l FULL OUTER JOIN r ON " + joinAnd(match)
	if len(c.on) == 0 {
		join = "l CROSS JOIN r"
	}
	with := "WITH " + side("l", c.left) + ",\n" + side("r", c.right) + ",\n" +
		"j AS (SELECT " + joinList(cols) + " FROM " + join + "),\n" +
		"d AS (SELECT *, (" + joinOr(bad) + ") AS " + g.ident("_revops_bad") + " FROM j)"
	o, total, n, err := runCompare(ctx, e, sp, g, with, shown)
	if err != nil {
		return o, err
	}
	o.text = ofRows(n, total, "keys") + " differ beyond the tolerance (" + c.tol.String() + ")"
	if len(c.on) == 0 {
		o.text = fmt.Sprintf("totals %s (%s)", map[bool]string{true: "differ beyond the tolerance", false: "agree"}[n > 0], c.tol.String())
	}
	return o, nil
}

func sumsOf(g *sqlb, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "sum(" + g.ident(c) + ") AS " + g.ident(c)
	}
	return out
}

func joinList(parts []string) string { return join(parts) }

// runCompare runs a comparison whose last CTE, d, has one row per compared item and a boolean
// _revops_bad column: observed = bad rows; rate = their percent; the sample shows the
// columns named in shown, ordered by them.
func runCompare(ctx context.Context, e *env, sp *Spec, g *sqlb, with string, shown []string) (outcome, int64, int64, error) {
	var o outcome
	bad := g.ident("_revops_bad")
	q := with + "\nSELECT count(*) AS total, " + filtered("count(*)", bad) + " AS bad"
	if sp.Sample > 0 && len(shown) > 0 {
		q += ", " + filtered(sampleAgg(g.idents(shown, ""), sp.Sample), bad) + " AS sample"
	}
	q += " FROM d"
	if g.err != nil {
		return o, 0, 0, g.err
	}
	rs, err := e.query(ctx, &o, q)
	if err != nil {
		return o, 0, 0, err
	}
	v, err := rs.one()
	if err != nil {
		return o, 0, 0, err
	}
	total, n := asInt(v[0]), asInt(v[1])
	o.failing = n
	o.set(float64(n))
	o.setRate(n, total)
	if len(v) > 2 {
		o.sample = sampleRows(v[2], shown)
	}
	return o, total, n, nil
}
