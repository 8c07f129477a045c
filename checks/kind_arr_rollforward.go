package checks

import (
	"context"
	"fmt"
)

// arr_rollforward: the ARR waterfall identity of revenue-models.md §5, on the target (an ARR
// waterfall model; or model: ref('…')). Keys: columns: {month, starting, new, expansion,
// reactivation, contraction, churned, fx_adjustment, ending} (defaults date_month,
// starting_arr, new_arr, expansion_arr, reactivation_arr, contraction_arr, churned_arr, none,
// ending_arr; "" drops a component), partition_by (columns of the grain besides the month,
// e.g. [tenant_id, currency]; default none), signed (default true: contraction and churned are
// stored ≤ 0 and added, as in the spec; false: stored ≥ 0 and subtracted) and tolerance
// (absolute, default 0.01). A row ties when starting + new + expansion + reactivation +
// contraction + churned (+ fx_adjustment) = ending, and — for every row but a partition's
// first — its starting equals the previous row's ending and the previous row is the month
// before (no missing month). NULL components count as 0. Observed = rows (months) that do not
// tie; rate = percent of rows; default: error if > 0. The sample shows the partition, the
// month, identity_gap (components − ending) and continuity_gap (starting − previous ending).
type arrRollforward struct {
	rel       *Target
	cols      arrColumns
	partition []string
	signed    bool
	tol       float64
}

type arrColumns struct {
	Month        string `yaml:"month"`
	Starting     string `yaml:"starting"`
	New          string `yaml:"new"`
	Expansion    string `yaml:"expansion"`
	Reactivation string `yaml:"reactivation"`
	Contraction  string `yaml:"contraction"`
	Churned      string `yaml:"churned"`
	FXAdjustment string `yaml:"fx_adjustment"`
	Ending       string `yaml:"ending"`
}

type arrArgs struct {
	Model       string      `yaml:"model"`
	Columns     *arrColumns `yaml:"columns"`
	PartitionBy []string    `yaml:"partition_by"`
	Signed      *bool       `yaml:"signed"`
	Tolerance   *float64    `yaml:"tolerance"`
}

func defaultARRColumns() arrColumns {
	return arrColumns{Month: "date_month", Starting: "starting_arr", New: "new_arr", Expansion: "expansion_arr",
		Reactivation: "reactivation_arr", Contraction: "contraction_arr", Churned: "churned_arr", Ending: "ending_arr"}
}

func parseARRRollforward(p *parseCtx) (checker, error) {
	var a arrArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := arrRollforward{cols: defaultARRColumns(), partition: a.PartitionBy, signed: a.Signed == nil || *a.Signed, tol: 0.01}
	if a.Columns != nil {
		// Keys written replace the defaults; "" removes a component.
		n := p.argNode("columns")
		given := map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			given[n.Content[i].Value] = n.Content[i+1].Value
		}
		set := func(key string, dst *string) {
			if v, ok := given[key]; ok {
				*dst = v
			}
		}
		set("month", &c.cols.Month)
		set("starting", &c.cols.Starting)
		set("new", &c.cols.New)
		set("expansion", &c.cols.Expansion)
		set("reactivation", &c.cols.Reactivation)
		set("contraction", &c.cols.Contraction)
		set("churned", &c.cols.Churned)
		set("fx_adjustment", &c.cols.FXAdjustment)
		set("ending", &c.cols.Ending)
		for _, k := range []struct{ key, v string }{{"month", c.cols.Month}, {"starting", c.cols.Starting}, {"ending", c.cols.Ending}} {
			if k.v == "" {
				return nil, p.failf(n, "arr_rollforward: columns: %s cannot be empty", k.key)
			}
		}
	}
	if a.Tolerance != nil {
		if *a.Tolerance < 0 {
			return nil, p.failf(p.argNode("tolerance"), "arr_rollforward: tolerance: must not be negative")
		}
		c.tol = *a.Tolerance
	}
	if a.Model != "" {
		t, err := p.ref("model", a.Model)
		if err != nil {
			return nil, err
		}
		c.rel = &t
	}
	return c, nil
}

func (arrRollforward) info() kindInfo { return kindInfo{rate: true} }

func (c arrRollforward) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	g := e.sql()
	rel := sp.Target
	if c.rel != nil {
		rel = *c.rel
	}
	z := func(col string) string { return "coalesce(" + g.ident(col) + ", 0)" }
	sum := z(c.cols.Starting)
	for _, col := range []string{c.cols.New, c.cols.Expansion, c.cols.Reactivation, c.cols.FXAdjustment} {
		if col != "" {
			sum += " + " + z(col)
		}
	}
	for _, col := range []string{c.cols.Contraction, c.cols.Churned} {
		if col == "" {
			continue
		}
		if c.signed {
			sum += " + " + z(col)
		} else {
			sum += " - " + z(col)
		}
	}
	month := g.ident(c.cols.Month)
	over := "OVER (ORDER BY " + month + ")"
	if len(c.partition) > 0 {
		over = "OVER (PARTITION BY " + join(g.idents(c.partition, "")) + " ORDER BY " + month + ")"
	}
	idGap, contGap := g.ident("identity_gap"), g.ident("continuity_gap")
	prevMonth := g.ident("_revops_prev_month")
	tol := g.lit(c.tol)
	w := "w AS (SELECT " + join(append(g.idents(c.partition, ""), month)) + ", " +
		"(" + sum + ") - " + z(c.cols.Ending) + " AS " + idGap + ", " +
		z(c.cols.Starting) + " - lag(" + z(c.cols.Ending) + ") " + over + " AS " + contGap + ", " +
		"lag(" + month + ") " + over + " AS " + prevMonth + " FROM " + g.rel(rel)
	if sp.Where != "" {
		w += " WHERE " + and(sp.Where)
	}
	w += ")"
	bad := "abs(" + idGap + ") > " + tol + " OR (" + prevMonth + " IS NOT NULL AND (abs(" + contGap + ") > " + tol +
		" OR " + prevMonth + " <> CAST(" + month + " - INTERVAL 1 MONTH AS DATE)))"
	with := "WITH " + w + ",\nd AS (SELECT *, (" + bad + ") AS " + g.ident("_revops_bad") + " FROM w)"
	shown := append(append([]string{}, c.partition...), c.cols.Month, "identity_gap", "continuity_gap")
	o, total, n, err := runCompare(ctx, e, sp, g, with, shown)
	if err != nil {
		return o, err
	}
	o.text = ofRows(n, total, "months") + fmt.Sprintf(" do not tie (tolerance %s)", formatNumber(c.tol))
	return o, nil
}
