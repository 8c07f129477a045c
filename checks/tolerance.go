package checks

import (
	"fmt"
	"strings"
)

// tolerance says when two numbers agree: |a − b| ≤ absolute, or ≤ percent % of the larger of
// |a| and |b|; either suffices. With neither, they must be equal.
type tolerance struct {
	absolute, percent *float64
}

type toleranceArgs struct {
	Absolute *float64 `yaml:"absolute"`
	Percent  *float64 `yaml:"percent"`
}

func (p *parseCtx) tolerance(a *toleranceArgs) (tolerance, error) {
	if a == nil {
		return tolerance{}, nil
	}
	for _, v := range []*float64{a.Absolute, a.Percent} {
		if v != nil && *v < 0 {
			return tolerance{}, p.failf(p.argNode("tolerance"), "%s: tolerance: must not be negative", p.kind)
		}
	}
	return tolerance{absolute: a.Absolute, percent: a.Percent}, nil
}

// within renders the SQL predicate that l and r agree.
func (t tolerance) within(g *sqlb, l, r string) string {
	diff := "abs((" + l + ") - (" + r + "))"
	var ors []string
	if t.absolute != nil {
		ors = append(ors, diff+" <= "+g.lit(*t.absolute))
	}
	if t.percent != nil {
		ors = append(ors, diff+" <= "+g.lit(*t.percent/100)+" * greatest(abs("+l+"), abs("+r+"))")
	}
	if len(ors) == 0 {
		return diff + " = 0"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

func (t tolerance) String() string {
	var parts []string
	if t.absolute != nil {
		parts = append(parts, "|Δ| ≤ "+formatNumber(*t.absolute))
	}
	if t.percent != nil {
		parts = append(parts, fmt.Sprintf("|Δ| ≤ %s%%", formatNumber(*t.percent)))
	}
	if len(parts) == 0 {
		return "exact"
	}
	return strings.Join(parts, " or ")
}
