package checks

// bounds.go: counts a fused scan proves 0 before it runs.
//
// A range check counts the rows whose value lies outside its range, evaluating the comparison
// on every row. When the column's min and max both lie inside the range no row can, and an
// engine knows a base table's min and max from the statistics it keeps per row group: DuckDB
// answers min() and max() of a table column without reading it. So before the plain query a
// fused scan of a big base table (the same catalog test as profile.go: a view would be computed
// twice) asks each such measure's bound (measure.bound) in one query, and leaves the measures
// whose bound is false out of the plain query, with the count 0. A range that data does break
// costs the tiny bounds query and is counted row by row as before; a failed bounds query just
// means every measure is counted. A scan of one check (Runner.Fuse off, the way dbt tests run)
// counts row by row.

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/warehouse"
)

// boundCandidates returns the measures among idx that have a bound.
func (s *scan) boundCandidates(idx []int) []int {
	var out []int
	for _, i := range idx {
		if s.measures[i].bound != "" {
			out = append(out, i)
		}
	}
	return out
}

// proveZero runs the bounds of the measures idx in one query and returns those it proves 0,
// and the query, owned by all of idx (nil when idx is empty or the query failed).
func (s *scan) proveZero(ctx context.Context, wh warehouse.Warehouse, idx []int) ([]int, *ran) {
	if len(idx) == 0 {
		return nil, nil
	}
	idx = slices.Sorted(slices.Values(idx)) // the same SQL text every run
	parts := make([]string, len(idx))
	for k, i := range idx {
		parts[k] = s.measures[i].bound + " AS b" + strconv.Itoa(i)
	}
	sql := "SELECT " + strings.Join(parts, ",\n  ") + "\nFROM " + s.rel
	rs, err := query(ctx, wh, sql)
	if err != nil {
		return nil, nil
	}
	row, err := rs.one()
	if err != nil || len(row) != len(idx) {
		return nil, nil
	}
	var zero []int
	for k, i := range idx {
		if b, ok := row[k].(bool); ok && !b {
			zero = append(zero, i)
		}
	}
	return zero, &ran{sql: sql, cols: idx}
}
