package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// condition is one or more clauses joined by "or": "> 0", ">= 5%", "< 1000 or > 2000000".
type condition struct {
	clauses []clause
	// text, when set, renders the condition for people instead of its clauses ("older than 24h").
	text string
}

type clause struct {
	op      string // > >= < <= == !=
	value   float64
	percent bool // compare with the rate (percent of the kind's denominator), not the count
}

func mustCondition(s string) *condition {
	c, err := parseCondition(s)
	if err != nil {
		panic(err)
	}
	return c
}

// parseCondition reads "OP NUMBER[%]" clauses joined by "or".
func parseCondition(s string) (*condition, error) {
	parts := splitOr(s)
	c := &condition{}
	for _, part := range parts {
		cl, err := parseClause(part)
		if err != nil {
			return nil, err
		}
		c.clauses = append(c.clauses, cl)
	}
	return c, nil
}

func splitOr(s string) []string {
	var out []string
	rest := s
	for {
		i := strings.Index(strings.ToLower(rest), " or ")
		if i < 0 {
			return append(out, rest)
		}
		out = append(out, rest[:i])
		rest = rest[i+4:]
	}
}

func parseClause(s string) (clause, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return clause{}, fmt.Errorf("empty condition; write an operator and a number, e.g. \"> 0\" or \">= 5%%\"")
	}
	var op string
	for _, o := range []string{">=", "<=", "==", "!=", ">", "<", "="} {
		if strings.HasPrefix(t, o) {
			op = o
			break
		}
	}
	if op == "" {
		return clause{}, fmt.Errorf("condition %q has no operator; write one of > >= < <= == != before the number, e.g. \"> %s\"", s, t)
	}
	num := strings.TrimSpace(t[len(op):])
	if op == "=" {
		op = "=="
	}
	cl := clause{op: op}
	if n, ok := strings.CutSuffix(num, "%"); ok {
		cl.percent = true
		num = strings.TrimSpace(n)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return clause{}, fmt.Errorf("condition %q: %q is not a number", s, num)
	}
	cl.value = v
	return cl, nil
}

func (c *condition) hasPercent() bool {
	for _, cl := range c.clauses {
		if cl.percent {
			return true
		}
	}
	return false
}

// met reports whether any clause holds for the observed value; percent clauses compare
// rate (nil: the clause cannot hold).
func (c *condition) met(observed float64, rate *float64) bool {
	if c == nil {
		return false
	}
	for _, cl := range c.clauses {
		v := observed
		if cl.percent {
			if rate == nil {
				continue
			}
			v = *rate
		}
		if compare(v, cl.op, cl.value) {
			return true
		}
	}
	return false
}

func compare(v float64, op string, x float64) bool {
	switch op {
	case ">":
		return v > x
	case ">=":
		return v >= x
	case "<":
		return v < x
	case "<=":
		return v <= x
	case "==":
		return v == x
	case "!=":
		return v != x
	}
	return false
}

func (c *condition) String() string {
	if c == nil {
		return ""
	}
	if c.text != "" {
		return c.text
	}
	parts := make([]string, len(c.clauses))
	for i, cl := range c.clauses {
		parts[i] = cl.op + " " + strconv.FormatFloat(cl.value, 'f', -1, 64)
		if cl.percent {
			parts[i] += "%"
		}
	}
	return strings.Join(parts, " or ")
}

// thresholdText renders the conditions as they apply under the severity.
func thresholdText(sev Severity, warn, fail *condition) string {
	if sev == SeverityWarn {
		var parts []string
		for _, c := range []*condition{warn, fail} {
			if c != nil && !contains(parts, c.String()) {
				parts = append(parts, c.String())
			}
		}
		if len(parts) == 0 {
			return "never fails"
		}
		return "warn if " + strings.Join(parts, " or ")
	}
	var parts []string
	if warn != nil && (fail == nil || warn.String() != fail.String()) {
		parts = append(parts, "warn if "+warn.String())
	}
	if fail != nil {
		parts = append(parts, "error if "+fail.String())
	}
	if len(parts) == 0 {
		return "never fails"
	}
	return strings.Join(parts, ", ")
}
