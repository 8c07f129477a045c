package checks

// profile.go: predicates on a column with few distinct values, evaluated once per value.
//
// A counting measure whose where filter and predicate depend on one text column alone
// (measure.on: set by accepted_values and regex checks that have no where filter) can be
// computed from the column's value counts, SELECT col, count(*) … GROUP BY col, as the sum of
// the counts of the values the predicate holds for. When the column has few distinct values
// that is much cheaper than evaluating the predicate on every row: a regular expression or a
// long IN list runs once per value, and DuckDB counts a dictionary-compressed column without
// decompressing it. The counts are exact whatever the plan; only the speed depends on it.
//
// Whether a column has few values is estimated before the scan from a system sample of the
// relation (whole vectors, the rest skipped) of about profileSampleRows rows and at least 1%:
// the column is profiled when the sample holds at least profileMinSample rows and at most
// profileMaxValues distinct values, and its values repeat (distinct ≤ rows/profileMinRepeat).
// Values the sample misses are rare ones, so a column that passes has at most about
// rows/sample (≤ 100) times the sample's distinct values: a hash table of thousands of
// entries, not millions. Only base tables of at least profileMinRows rows (the catalog's
// estimate) are sampled: sampling a view would compute the whole view, and smaller tables gain
// too little to be worth the probe. The plan is the same for a fused scan and for a scan of
// one check.

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/warehouse"
)

const (
	profileMinRows    = 1 << 20
	profileSampleRows = 100_000
	profileMinSample  = 8192
	profileMaxValues  = 1000
	profileMinRepeat  = 16
)

// profileType reports whether a column of type t is profiled: text, where predicates are
// dear (numbers and dates compare in a few instructions per row).
func profileType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// profileCandidates returns the columns that measures among idx depend on alone, in first-use
// order, with those measures.
func (s *scan) profileCandidates(idx []int) ([]string, map[string][]int) {
	var cols []string
	by := map[string][]int{}
	for _, i := range idx {
		if c := s.measures[i].on; c != "" {
			if _, ok := by[c]; !ok {
				cols = append(cols, c)
			}
			by[c] = append(by[c], i)
		}
	}
	return cols, by
}

// bigTable returns the catalog's estimate of the rows of the scan's relation when it is a base
// table of at least profileMinRows rows (else 0), and the catalog query it ran, owned by the
// measures owned (the candidates of profiles and bounds).
func (s *scan) bigTable(ctx context.Context, wh warehouse.Warehouse, g *sqlb, owned []int) (int64, *ran) {
	if len(s.parts) == 0 {
		return 0, nil
	}
	owned = slices.Sorted(slices.Values(owned))
	sql := g.tableRowsSQL(s.parts)
	rs, err := query(ctx, wh, sql)
	if err != nil {
		return 0, nil // the plain query reports what is wrong with the relation
	}
	r := &ran{sql: sql, cols: owned}
	if len(rs.data) != 1 || rs.data[0][0] == nil {
		return 0, r // a view, or not found
	}
	if n := asInt(rs.data[0][0]); n >= profileMinRows {
		return n, r
	}
	return 0, r
}

// planProfiles decides which candidate columns (of the given types) are profiled from a
// sample; it returns them and the sample query, owned by their measures. A failed sample just
// means no profile.
func (s *scan) planProfiles(ctx context.Context, wh warehouse.Warehouse, g *sqlb, rows int64, cols []string, by map[string][]int, types map[string]arrow.DataType) ([]string, *ran) {
	var text []string
	var owned []int
	for _, c := range cols {
		if t, ok := types[c]; ok && profileType(t) {
			text = append(text, c)
			owned = append(owned, by[c]...)
		}
	}
	if len(text) == 0 || rows <= 0 {
		return nil, nil
	}
	slices.Sort(owned)
	pct := min(100, max(1, float64(profileSampleRows)*100/float64(rows)))
	parts := []string{"count(*)"}
	for _, c := range text {
		parts = append(parts, "approx_count_distinct("+g.ident(c)+")")
	}
	sql := "SELECT " + join(parts) + " FROM " + s.rel + " USING SAMPLE " + strconv.FormatFloat(pct, 'f', 4, 64) + " PERCENT (system)"
	rs, err := query(ctx, wh, sql)
	if err != nil {
		return nil, nil
	}
	done := &ran{sql: sql, cols: owned}
	row, err := rs.one()
	if err != nil {
		return nil, done
	}
	n := asInt(row[0])
	if n < profileMinSample {
		return nil, done
	}
	var out []string
	for k, c := range text {
		if d := asInt(row[k+1]); d <= profileMaxValues && d <= n/profileMinRepeat {
			out = append(out, c)
		}
	}
	return out, done
}

// renderProfiles renders the query computing the measures of the profiled columns: per
// column, its value counts and, over them, each measure as the sum of the counts of the values
// its predicate holds for. It returns the query and the measures in column order.
func (s *scan) renderProfiles(cols []string, by map[string][]int, g *sqlb) (string, []int) {
	var idx []int
	var subs []string
	for k, c := range cols {
		col := g.ident(c)
		n := g.ident("_revops_n")
		var aggs []string
		for _, i := range by[c] {
			m := s.measures[i]
			agg := "sum(" + n + ")"
			if p := and(m.where, m.pred); p != "" {
				agg += " FILTER (WHERE " + p + ")"
			}
			aggs = append(aggs, "CAST(coalesce("+agg+", 0) AS BIGINT) AS m"+strconv.Itoa(i))
			idx = append(idx, i)
		}
		subs = append(subs, "(SELECT "+strings.Join(aggs, ", ")+"\n  FROM (SELECT "+col+", count(*) AS "+n+" FROM "+s.rel+" GROUP BY "+col+")) AS p"+strconv.Itoa(k))
	}
	return "SELECT * FROM " + strings.Join(subs, "\nCROSS JOIN "), idx
}
