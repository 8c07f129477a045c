package checks

// not_null: observed = the number of rows where the column is NULL; rate = that share of the
// rows (in percent); default: error if > 0.
type notNull struct{}

func parseNotNull(p *parseCtx) (checker, error) { return notNull{}, p.decode(&noArgs{}) }

func (notNull) info() kindInfo { return kindInfo{rate: true} }

func (notNull) plan(s *scan, sp *Spec, g *sqlb) func([]any) outcome {
	return planRows(s, sp, g, "", g.ident(sp.Column)+" IS NULL", "rows", "null", sampleKeys(sp, sp.Column))
}

// planRows plans a check whose failing rows are those where pred holds, out of the rows where
// scope holds ("" = every row the where filter keeps): observed = failing rows, rate = their
// percent of the scope. The failing rows' keys are sampled within the same scan.
func planRows(s *scan, sp *Spec, g *sqlb, scope, pred, noun, verb string, keys []string) func([]any) outcome {
	total := s.add(sp.Where, "count(*)", scope)
	failing := s.add(sp.Where, "count(*)", and(scope, pred))
	smp := -1
	if sp.Sample > 0 {
		smp = s.add(sp.Where, sampleAgg(g.idents(keys, ""), sp.Sample), and(scope, pred))
	}
	return func(v []any) outcome {
		n, t := asInt(v[failing]), asInt(v[total])
		o := outcome{failing: n, text: ofRows(n, t, noun) + " " + verb}
		o.set(float64(n))
		o.setRate(n, t)
		if smp >= 0 {
			o.sample = sampleRows(v[smp], keys)
		}
		return o
	}
}
