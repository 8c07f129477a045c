package checks

// unique_combination (alias unique_combination_of_columns): keys columns (a list, required).
// Observed = rows whose combination of the columns repeats an earlier row's (NULLs compare
// equal, as in GROUP BY); rate = percent of all rows; default: error if > 0.
type uniqueCombination struct{ columns []string }

type uniqueCombinationArgs struct {
	Columns []string `yaml:"columns,required"`
}

func parseUniqueCombination(p *parseCtx) (checker, error) {
	var a uniqueCombinationArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	if len(a.Columns) == 0 {
		return nil, p.failf(p.argNode("columns"), "unique_combination: columns: list at least one column")
	}
	return uniqueCombination{columns: a.Columns}, nil
}

func (uniqueCombination) info() kindInfo { return kindInfo{rate: true} }

func (u uniqueCombination) plan(s *scan, sp *Spec, g *sqlb) planned {
	return planDistinct(s, sp, "count(*)", "count(DISTINCT "+tuple(g.idents(u.columns, ""))+")", u.columns,
		"repeat another row's ("+join(u.columns)+")")
}

func (u uniqueCombination) sampleSQL(sp *Spec, g *sqlb) (string, []string) {
	return duplicateSampleSQL(sp, g, u.columns, false), sampleKeys(sp, u.columns...)
}
