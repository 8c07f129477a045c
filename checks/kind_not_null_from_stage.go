package checks

import "fmt"

// not_null_from_stage: keys stage_column (required), stages (the ordered list of stages,
// required) and from (the first stage that requires the column, required; one of stages).
// Rows whose stage is from or a later stage of the list must have the column; rows in earlier
// stages, or in a stage not listed, are out of scope. Observed = in-scope rows where the
// column is NULL; rate = percent of the in-scope rows; default: error if > 0.
type notNullFromStage struct {
	stageColumn string
	required    []any // the stages from `from` on
	from        string
}

type notNullFromStageArgs struct {
	StageColumn string   `yaml:"stage_column,required"`
	Stages      []string `yaml:"stages,required"`
	From        string   `yaml:"from,required"`
}

func parseNotNullFromStage(p *parseCtx) (checker, error) {
	var a notNullFromStageArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	at := -1
	seen := map[string]bool{}
	for i, s := range a.Stages {
		if seen[s] {
			return nil, p.failf(p.argNode("stages"), "not_null_from_stage: stages: %q is listed twice", s)
		}
		seen[s] = true
		if s == a.From {
			at = i
		}
	}
	if at < 0 {
		return nil, p.failf(p.argNode("from"), "not_null_from_stage: from: %q is not one of the stages", a.From)
	}
	c := notNullFromStage{stageColumn: a.StageColumn, from: a.From}
	for _, s := range a.Stages[at:] {
		c.required = append(c.required, s)
	}
	return c, nil
}

func (notNullFromStage) info() kindInfo { return kindInfo{rate: true} }

func (c notNullFromStage) plan(s *scan, sp *Spec, g *sqlb) planned {
	scope := text(g.ident(c.stageColumn)) + " IN (" + g.lits(c.required) + ")"
	pred := g.ident(sp.Column) + " IS NULL"
	return planRows(s, sp, g, scope, pred, fmt.Sprintf("rows at or beyond stage %q", c.from), "have no "+sp.Column,
		sampleKeys(sp, c.stageColumn, sp.Column))
}
