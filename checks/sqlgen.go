package checks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/warehouse"
)

// sqlb renders check SQL. Identifiers and literals go through the warehouse Dialect; the
// engine-specific functions (FILTER, struct_pack, regexp_matches, timezone) are DuckDB's and
// live here only, so another engine is one more set of these methods. A literal that cannot
// be rendered is kept as the first error (see err), so builders stay readable.
type sqlb struct {
	d   warehouse.Dialect
	err error
}

func newSQL(d warehouse.Dialect) *sqlb { return &sqlb{d: d} }

func (g *sqlb) ident(parts ...string) string { return g.d.QuoteIdent(parts...) }

func (g *sqlb) lit(v any) string {
	s, err := g.d.QuoteLiteral(v)
	if err != nil {
		if g.err == nil {
			g.err = err
		}
		return "NULL"
	}
	return s
}

// rel renders a target's relation.
func (g *sqlb) rel(t Target) string {
	if len(t.Relation) == 0 {
		if g.err == nil {
			g.err = fmt.Errorf("target %s has no relation", t.Name)
		}
		return "NULL"
	}
	return g.d.QuoteIdent(t.Relation...)
}

func (g *sqlb) lits(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = g.lit(v)
	}
	return strings.Join(parts, ", ")
}

func (g *sqlb) idents(cols []string, qualifier string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if qualifier != "" {
			out[i] = g.ident(qualifier, c)
		} else {
			out[i] = g.ident(c)
		}
	}
	return out
}

// filtered renders agg restricted to rows where pred holds ("" = all rows). Counting
// aggregates become count_if, which DuckDB evaluates faster than count(*) FILTER.
func filtered(agg, pred string) string {
	if pred == "" {
		return agg
	}
	if agg == "count(*)" {
		return "count_if(" + pred + ")"
	}
	return agg + " FILTER (WHERE " + pred + ")"
}

// and joins predicates, parenthesizing user-written ones.
func and(preds ...string) string {
	var parts []string
	for _, p := range preds {
		if p != "" {
			parts = append(parts, "("+p+")")
		}
	}
	return strings.Join(parts, " AND ")
}

// sampleAgg is an aggregate returning the n smallest rows of exprs (ordered by them, so
// samples are the same whichever way the rows were scanned) as a list of k0..kn structs.
func sampleAgg(exprs []string, n int) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = "k" + strconv.Itoa(i) + " := " + e
	}
	return "min(struct_pack(" + strings.Join(parts, ", ") + "), " + strconv.Itoa(n) + ")"
}

// tuple renders a row value for count(DISTINCT …) over columns: a row is never NULL, and
// NULL fields compare equal, as in GROUP BY.
func tuple(exprs []string) string { return "row(" + strings.Join(exprs, ", ") + ")" }

func join(parts []string) string { return strings.Join(parts, ", ") }

func joinAnd(preds []string) string { return strings.Join(preds, " AND ") }

func joinOr(preds []string) string { return strings.Join(preds, " OR ") }

func text(expr string) string { return "CAST(" + expr + " AS VARCHAR)" }

func (g *sqlb) regexMatch(expr, pattern string) string {
	return "regexp_matches(" + text(expr) + ", " + g.lit(pattern) + ")"
}

// tableRowsSQL renders a catalog query returning the estimated row count of the base table
// (not view) named by relation parts (name; schema, name; or database, schema, name): one
// row, or none. Names compare regardless of case, as DuckDB resolves identifiers.
func (g *sqlb) tableRowsSQL(parts []string) string {
	cols := []string{"database_name", "schema_name", "table_name"}
	defaults := []string{"current_database()", "current_schema()"}
	var preds []string
	for k, c := range cols {
		if p := len(parts) - len(cols) + k; p >= 0 {
			preds = append(preds, "lower("+c+") = lower("+g.lit(parts[p])+")")
		} else if k < len(defaults) && len(parts) == 1 {
			preds = append(preds, c+" = "+defaults[k])
		}
	}
	return "SELECT estimated_size FROM duckdb_tables() WHERE " + joinAnd(preds)
}

// localDate renders the calendar date of a timestamp column in a zone: a TIMESTAMPTZ is
// converted to the zone's wall clock first; a naive TIMESTAMP already is one; a DATE is itself.
func (g *sqlb) localDate(expr string, ct colType, zone string) string {
	switch ct {
	case colDate:
		return expr
	case colTimestampTZ:
		return "CAST(timezone(" + g.lit(zone) + ", " + expr + ") AS DATE)"
	}
	return "CAST(" + expr + " AS DATE)"
}

// sampleKeys are the columns shown for failing rows: the target's key columns, else the
// check's own columns.
func sampleKeys(sp *Spec, own ...string) []string {
	if len(sp.Target.KeyColumns) > 0 {
		return sp.Target.KeyColumns
	}
	var out []string
	for _, c := range own {
		if c != "" && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// scan computes the measures of many checks over one relation. Each measure is an aggregate
// restricted by its check's where filter and its own predicate; when every measure of a query
// shares one where filter it becomes the query's WHERE clause. Plain aggregates share one
// query; DISTINCT aggregates go to a second one, because an engine computes each of them with
// its own hash table anyway and (in DuckDB) a DISTINCT aggregate turns the whole query into a
// hash aggregate, slowing every other measure of the scan.
type scan struct {
	now      time.Time // the runner's now, for kinds that judge against it
	rel      string
	parts    []string // rel's name parts, for catalog lookups
	measures []measure
	index    map[measure]int
	owner    int           // the check registering measures (set by the runner)
	owners   map[int][]int // measure → checks that use it
}

type measure struct {
	agg, where, pred string
	// cols names the raw columns counted by a DISTINCT measure, joined by "\x00" (one for
	// unique, several for unique_combination); "" for every other measure.
	cols string
	// on names the raw column that alone decides where and pred of a count(*) measure, so it
	// may be computed from that column's value counts (profile.go); "" when it is not known.
	on string
	// bound is, for a count(*) measure without a where filter, an aggregate over the relation
	// that is false only when no row can satisfy pred — for a range check, whether the
	// column's min or max lies outside the range — so that a fused scan may prove the count 0
	// before the scan (bounds.go); "" for every other measure.
	bound string
}

func newScan(rel string, now time.Time) *scan {
	return &scan{rel: rel, now: now, index: map[measure]int{}, owners: map[int][]int{}}
}

// add registers a measure (deduplicated) and returns its position in the result row.
func (s *scan) add(where, agg, pred string) int {
	return s.addMeasure(measure{agg: agg, where: where, pred: pred})
}

// addOn registers a count(*) measure whose where filter and predicate depend on the raw
// column col alone.
func (s *scan) addOn(where, pred, col string) int {
	return s.addMeasure(measure{agg: "count(*)", where: where, pred: pred, on: col})
}

// addBounded registers a count(*) measure of the rows where pred holds, without a where
// filter, and its bound (see measure.bound).
func (s *scan) addBounded(pred, bound string) int {
	return s.addMeasure(measure{agg: "count(*)", pred: pred, bound: bound})
}

// addDistinct registers a count(DISTINCT …) measure of the raw columns cols, rendered as agg.
func (s *scan) addDistinct(where, agg string, cols []string) int {
	return s.addMeasure(measure{agg: agg, where: where, cols: strings.Join(cols, "\x00")})
}

func (s *scan) addMeasure(m measure) int {
	i, ok := s.index[m]
	if !ok {
		s.measures = append(s.measures, m)
		i = len(s.measures) - 1
		s.index[m] = i
	}
	if o := s.owners[i]; len(o) == 0 || o[len(o)-1] != s.owner {
		s.owners[i] = append(o, s.owner)
	}
	return i
}

func isDistinct(m measure) bool { return strings.Contains(m.agg, "(DISTINCT ") }

// render renders the aggregate query computing the measures idx, in that column order.
func (s *scan) render(idx []int) string {
	common, shared := s.measures[idx[0]].where, true
	for _, i := range idx[1:] {
		if s.measures[i].where != common {
			shared = false
			break
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for k, i := range idx {
		m := s.measures[i]
		if k > 0 {
			b.WriteString(",\n  ")
		}
		pred := m.pred
		if !shared {
			pred = and(m.where, m.pred)
		}
		b.WriteString(filtered(m.agg, pred))
		b.WriteString(" AS m" + strconv.Itoa(i))
	}
	b.WriteString("\nFROM " + s.rel)
	if shared && common != "" {
		b.WriteString("\nWHERE " + and(common))
	}
	return b.String()
}
