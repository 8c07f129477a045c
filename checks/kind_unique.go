package checks

import "strconv"

// unique: observed = the number of non-NULL rows whose value repeats an earlier row's
// (count(col) − count(DISTINCT col)); NULLs are never duplicates; rate = percent of all rows;
// default: error if > 0. The sample lists the keys of every row holding a repeated value.
type unique struct{}

func parseUnique(p *parseCtx) (checker, error) { return unique{}, p.decode(&noArgs{}) }

func (unique) info() kindInfo { return kindInfo{rate: true} }

func (unique) plan(s *scan, sp *Spec, g *sqlb) planned {
	col := g.ident(sp.Column)
	return planDistinct(s, sp, "count("+col+")", "count(DISTINCT "+col+")", []string{sp.Column}, "repeat another row's "+sp.Column)
}

func (unique) sampleSQL(sp *Spec, g *sqlb) (string, []string) {
	return duplicateSampleSQL(sp, g, []string{sp.Column}, true), sampleKeys(sp, sp.Column)
}

// planDistinct plans observed = count − distinct over the where-filtered rows.
// cols are the raw columns distinct counts.
func planDistinct(s *scan, sp *Spec, count, distinct string, cols []string, verb string) planned {
	total := s.add(sp.Where, "count(*)", "")
	n := s.add(sp.Where, count, "")
	d := s.addDistinct(sp.Where, distinct, cols)
	return planned{eval: func(v []any) outcome {
		dups, t := asInt(v[n])-asInt(v[d]), asInt(v[total])
		o := outcome{failing: dups, text: ofRows(dups, t, "rows") + " " + verb}
		o.set(float64(dups))
		o.setRate(dups, t)
		return o
	}}
}

// duplicateSampleSQL lists the keys of rows whose cols repeat in another row (NULLs equal
// unless skipNulls), ordered by the keys.
func duplicateSampleSQL(sp *Spec, g *sqlb, cols []string, skipNulls bool) string {
	keys := sampleKeys(sp, cols...)
	rel := g.rel(sp.Target)
	inner := g.idents(cols, "")
	var notNull []string
	match := make([]string, len(cols))
	for i, c := range cols {
		match[i] = g.ident("t", c) + " IS NOT DISTINCT FROM " + g.ident("d", c)
		if skipNulls {
			notNull = append(notNull, g.ident(c)+" IS NOT NULL")
		}
	}
	innerWhere := and(append([]string{sp.Where}, notNull...)...)
	dup := "SELECT " + join(inner) + " FROM " + rel
	if innerWhere != "" {
		dup += " WHERE " + innerWhere
	}
	dup += " GROUP BY " + join(inner) + " HAVING count(*) > 1"
	q := "SELECT " + join(g.idents(keys, "t")) + "\nFROM " + rel + " AS t\nWHERE " +
		and(sp.Where, "EXISTS (SELECT 1 FROM ("+dup+") AS d WHERE "+joinAnd(match)+")") +
		"\nORDER BY " + join(g.idents(keys, "t")) + "\nLIMIT " + strconv.Itoa(sp.Sample)
	return q
}
