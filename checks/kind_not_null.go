package checks

// not_null: observed = the number of rows where the column is NULL; rate = that share of the
// rows (in percent); default: error if > 0.
type notNull struct{}

func parseNotNull(p *parseCtx) (checker, error) { return notNull{}, p.decode(&noArgs{}) }

func (notNull) info() kindInfo { return kindInfo{rate: true} }

// plan counts NULLs as count(*) − count(col), which engines compute from validity alone.
func (notNull) plan(s *scan, sp *Spec, g *sqlb) planned {
	col := g.ident(sp.Column)
	total := s.add(sp.Where, "count(*)", "")
	nonNull := s.add(sp.Where, "count("+col+")", "")
	return planned{
		eval: func(v []any) outcome {
			t := asInt(v[total])
			n := t - asInt(v[nonNull])
			o := outcome{failing: n, text: ofRows(n, t, "rows") + " null"}
			o.set(float64(n))
			o.setRate(n, t)
			return o
		},
		failing: col + " IS NULL",
		keys:    sampleKeys(sp, sp.Column),
	}
}

// planRows plans a check whose failing rows are those where pred holds, out of the rows where
// scope holds ("" = every row the where filter keeps): observed = failing rows, rate = their
// percent of the scope.
func planRows(s *scan, sp *Spec, g *sqlb, scope, pred, noun, verb string, keys []string) planned {
	return planRowsOn(s, sp, g, scope, pred, "", noun, verb, keys)
}

// planRowsOn is planRows for a predicate that depends on the value of column on alone (""
// when it does not), so that its count may come from the column's value counts (profile.go).
func planRowsOn(s *scan, sp *Spec, g *sqlb, scope, pred, on, noun, verb string, keys []string) planned {
	return planRowsHow(s, sp, g, scope, pred, on, "", noun, verb, keys)
}

// planRowsHow is planRows with both hints: the column the predicate depends on alone (see
// planRowsOn) and an aggregate that is false only when no row satisfies pred (measure.bound;
// "" for none). Each applies only without a where filter and scope.
func planRowsHow(s *scan, sp *Spec, g *sqlb, scope, pred, on, bound, noun, verb string, keys []string) planned {
	total := s.add(sp.Where, "count(*)", scope)
	var failing int
	switch {
	case sp.Where != "" || scope != "":
		failing = s.add(sp.Where, "count(*)", and(scope, pred))
	case on != "":
		failing = s.addOn(sp.Where, pred, on)
	case bound != "":
		failing = s.addBounded(pred, bound)
	default:
		failing = s.add(sp.Where, "count(*)", pred)
	}
	return planned{
		eval: func(v []any) outcome {
			n, t := asInt(v[failing]), asInt(v[total])
			o := outcome{failing: n, text: ofRows(n, t, noun) + " " + verb}
			o.set(float64(n))
			o.setRate(n, t)
			return o
		},
		failing: and(scope, pred),
		keys:    keys,
	}
}
