package checks

import "fmt"

// range (alias accepted_range): keys min and/or max (numbers, or text such as dates, which
// the engine casts to the column's type) and inclusive (default true). Observed = non-NULL rows
// outside the range; rate = percent of all rows; default: error if > 0.
type rangeCheck struct {
	min, max  any
	inclusive bool
}

type rangeArgs struct {
	Min       any   `yaml:"min"`
	Max       any   `yaml:"max"`
	Inclusive *bool `yaml:"inclusive"`
}

func parseRange(p *parseCtx) (checker, error) {
	var a rangeArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	if a.Min == nil && a.Max == nil {
		return nil, p.failf(p.kindKey, "range: give min, max or both")
	}
	for _, x := range []struct {
		key string
		v   any
	}{{"min", a.Min}, {"max", a.Max}} {
		switch x.v.(type) {
		case nil, int, int64, float64, string:
		default:
			return nil, p.failf(p.argNode(x.key), "range: %s: expected a number or a text value such as a date", x.key)
		}
	}
	return rangeCheck{min: a.Min, max: a.Max, inclusive: a.Inclusive == nil || *a.Inclusive}, nil
}

func (rangeCheck) info() kindInfo { return kindInfo{rate: true} }

func (c rangeCheck) plan(s *scan, sp *Spec, g *sqlb) planned {
	col := g.ident(sp.Column)
	lo, hi := " < ", " > "
	open, close := "[", "]"
	if !c.inclusive {
		lo, hi = " <= ", " >= "
		open, close = "(", ")"
	}
	var out, beyond []string
	shownMin, shownMax := "-∞", "∞"
	if c.min != nil {
		out = append(out, col+lo+g.lit(c.min))
		beyond = append(beyond, "min("+col+")"+lo+g.lit(c.min))
		shownMin = scalarText(c.min)
	}
	if c.max != nil {
		out = append(out, col+hi+g.lit(c.max))
		beyond = append(beyond, "max("+col+")"+hi+g.lit(c.max))
		shownMax = scalarText(c.max)
	}
	pred := col + " IS NOT NULL AND (" + joinOr(out) + ")"
	// No row is outside the range when the column's min and max are inside it (or the column
	// has no values): engines read both from a table's statistics without a scan.
	bound := "coalesce(" + joinOr(beyond) + ", false)"
	return planRowsHow(s, sp, g, "", pred, "", bound, "rows", fmt.Sprintf("outside %s%s, %s%s", open, shownMin, shownMax, close), sampleKeys(sp, sp.Column))
}
