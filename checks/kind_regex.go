package checks

import "regexp"

// regex: key pattern (required; RE2 syntax, matched anywhere in the value: anchor it with ^
// and $ to match the whole value). Observed = non-NULL rows whose text does not match; rate =
// percent of all rows; default: error if > 0.
type regex struct{ pattern string }

type regexArgs struct {
	Pattern string `yaml:"pattern,required"`
}

func parseRegex(p *parseCtx) (checker, error) {
	var a regexArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	if _, err := regexp.Compile(a.Pattern); err != nil {
		return nil, p.failf(p.argNode("pattern"), "regex: pattern: %v", err)
	}
	return regex{pattern: a.Pattern}, nil
}

func (regex) info() kindInfo { return kindInfo{rate: true} }

func (c regex) plan(s *scan, sp *Spec, g *sqlb) planned {
	col := g.ident(sp.Column)
	pred := col + " IS NOT NULL AND NOT " + g.regexMatch(col, c.pattern)
	return planRowsOn(s, sp, g, "", pred, sp.Column, "rows", "don't match "+cut(c.pattern, 40), sampleKeys(sp, sp.Column))
}
