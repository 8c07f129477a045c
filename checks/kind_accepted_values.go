package checks

import (
	"fmt"
	"strconv"
	"strings"
)

// accepted_values: keys values (a list, required) and quote (default true: values are
// compared as text with the column cast to text; false: values must be numbers or booleans and
// are compared as such). Observed = non-NULL rows whose value is not in the list; rate =
// percent of all rows; default: error if > 0.
type acceptedValues struct {
	values []any
	quote  bool
}

type acceptedValuesArgs struct {
	Values []any `yaml:"values,required"`
	Quote  *bool `yaml:"quote"`
}

func parseAcceptedValues(p *parseCtx) (checker, error) {
	var a acceptedValuesArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := acceptedValues{quote: a.Quote == nil || *a.Quote}
	n := p.argNode("values")
	if len(a.Values) == 0 {
		return nil, p.failf(n, "accepted_values: values: list at least one value")
	}
	for i, v := range a.Values {
		at := n
		if i < len(n.Content) {
			at = n.Content[i]
		}
		switch x := v.(type) {
		case nil:
			return nil, p.failf(at, "accepted_values: values[%d]: null is not a value; NULLs are not checked here (use not_null)", i)
		case string:
			if !c.quote {
				return nil, p.failf(at, "accepted_values: values[%d]: %q is text, but quote: false compares numbers and booleans only", i, x)
			}
			c.values = append(c.values, x)
		case int, int64, float64, bool:
			if c.quote {
				c.values = append(c.values, scalarText(x))
			} else {
				c.values = append(c.values, x)
			}
		default:
			return nil, p.failf(at, "accepted_values: values[%d]: expected a string, number or boolean", i)
		}
	}
	return c, nil
}

func scalarText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (acceptedValues) info() kindInfo { return kindInfo{rate: true} }

func (c acceptedValues) plan(s *scan, sp *Spec, g *sqlb) planned {
	col := g.ident(sp.Column)
	expr := col
	if c.quote {
		expr = text(col)
	}
	pred := col + " IS NOT NULL AND " + expr + " NOT IN (" + g.lits(c.values) + ")"
	shown := make([]string, len(c.values))
	for i, v := range c.values {
		shown[i] = scalarText(v)
	}
	list := strings.Join(shown, ", ")
	return planRowsOn(s, sp, g, "", pred, sp.Column, "rows", "not in ["+cut(list, 60)+"]", sampleKeys(sp, sp.Column))
}
