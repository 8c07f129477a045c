package checks

// row_count: keys min and/or max (whole numbers). Observed = the number of rows (after the
// where filter); default: error if < min or > max; with neither, error if < 1 (empty).
type rowCount struct{ fail *condition }

type rowCountArgs struct {
	Min *int64 `yaml:"min"`
	Max *int64 `yaml:"max"`
}

func parseRowCount(p *parseCtx) (checker, error) {
	var a rowCountArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := &condition{}
	if a.Min != nil {
		c.clauses = append(c.clauses, clause{op: "<", value: float64(*a.Min)})
	}
	if a.Max != nil {
		c.clauses = append(c.clauses, clause{op: ">", value: float64(*a.Max)})
	}
	if a.Min != nil && a.Max != nil && *a.Min > *a.Max {
		return nil, p.failf(p.argNode("max"), "row_count: max %d is below min %d", *a.Max, *a.Min)
	}
	if len(c.clauses) == 0 {
		c = mustCondition("< 1")
	}
	return rowCount{fail: c}, nil
}

func (c rowCount) info() kindInfo { return kindInfo{fail: c.fail} }

func (rowCount) plan(s *scan, sp *Spec, g *sqlb) planned {
	n := s.add(sp.Where, "count(*)", "")
	return planned{eval: func(v []any) outcome {
		rows := asInt(v[n])
		o := outcome{text: formatInt(rows) + " rows"}
		if rows == 1 {
			o.text = "1 row"
		}
		o.set(float64(rows))
		return o
	}}
}
