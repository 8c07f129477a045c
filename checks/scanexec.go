package checks

// scanexec.go: how a scan's measures are computed.
//
// The plain measures (counts, count_if, min/max, samples) share one aggregate query. DISTINCT
// measures are the expensive ones — each is a hash table over the whole column — so they go to
// a second query run beside the plain one, and a fused scan avoids them where it can:
//
//   - bitmap: a unique check on an integer column counts its distinct values in a bitmap of
//     the column's [min, max] range (DuckDB's bitstring_agg: one bit per possible value, set
//     without hashing), when the range is small enough (see bitmapFits). The column's min and
//     max join the plain query, where they cost next to nothing, and the bitmap query runs
//     after it. Surrogate keys and auto-increment ids are the common case.
//   - implied: a unique combination that includes a column the same scan proves unique and
//     never NULL (under the same where filter) cannot repeat either, so its distinct count is
//     its row count and it needs no query at all; when the proof fails it is counted as usual.
//
//   - bounds: a range check whose column's min and max (statistics of a base table) lie
//     inside its range counts 0 without evaluating its predicate on any row (bounds.go).
//
// These are a fused scan's alone: the first two need what other measures of the same relation
// compute, and a scan of one check (Runner.Fuse off) stands for the way dbt tests run, so it
// issues the plain and the DISTINCT query only. Either kind of scan counts a text column with
// few values from its value counts where that pays (profile.go).

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/warehouse"
)

// Bitmap bounds: at most bitmapMaxBits bits (16 MiB per engine thread), and at most
// bitmapBitsPerRow bits per counted row, so a sparse column is hashed instead.
const (
	bitmapMaxBits    = 1 << 27
	bitmapMinBits    = 1 << 20
	bitmapBitsPerRow = 64
)

// bitmapFits says whether a bitmap of [lo, hi] is small enough for rows non-NULL values.
func bitmapFits(lo, hi, rows int64) bool {
	if hi < lo {
		return false
	}
	bits := uint64(hi) - uint64(lo) + 1 // two's complement: exact for any hi ≥ lo
	if bits == 0 || bits > bitmapMaxBits {
		return false
	}
	return bits <= max(bitmapMinBits, uint64(max(rows, 0))*bitmapBitsPerRow)
}

// bitmapType reports whether a column of type t can be counted in a bitmap: integers whose
// values fit int64.
func bitmapType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return true
	}
	return false
}

// ran is one query a scan issued and the measures it computed, in column order.
type ran struct {
	sql  string
	cols []int
}

// execute computes every measure of s (fused: with the shortcuts above) and returns their
// values, indexed like s.measures, and the queries that ran. Measures the shortcuts add
// (bounds) are appended to s.measures and owned by the checks that needed them.
func (s *scan) execute(ctx context.Context, wh warehouse.Warehouse, g *sqlb, fused bool) ([]any, []ran, error) {
	var plain, distinct []int
	for i, m := range s.measures {
		if isDistinct(m) {
			distinct = append(distinct, i)
		} else {
			plain = append(plain, i)
		}
	}
	// Profiles (profile.go) for big base tables; the column types the shortcuts need, from
	// one zero-row probe.
	var bitCand []int
	if fused {
		bitCand = s.bitmapCandidates(distinct)
	}
	profCols, profBy := s.profileCandidates(plain)
	var bounded []int
	if fused {
		bounded = s.boundCandidates(plain)
	}
	var catalog *ran
	var tableRows int64
	if len(profCols) > 0 || len(bounded) > 0 {
		owned := slices.Clone(bounded)
		for _, idx := range profBy {
			owned = append(owned, idx...)
		}
		tableRows, catalog = s.bigTable(ctx, wh, g, owned)
		if tableRows == 0 {
			profCols, bounded = nil, nil
		}
	}
	// Bounds (bounds.go): the measures proven 0 leave the plain query.
	zero, boundsRan := s.proveZero(ctx, wh, bounded)
	plain = slices.DeleteFunc(plain, func(i int) bool { return slices.Contains(zero, i) })
	var probeCols []string
	for _, i := range bitCand {
		probeCols = append(probeCols, s.measures[i].cols)
	}
	probeCols = append(probeCols, profCols...)
	types, probeSQL := s.probeTypes(ctx, wh, g, probeCols)
	profiled, sampled := s.planProfiles(ctx, wh, g, tableRows, profCols, profBy, types)
	if len(profiled) > 0 {
		drop := map[int]bool{}
		for _, c := range profiled {
			for _, i := range profBy[c] {
				drop[i] = true
			}
		}
		plain = slices.DeleteFunc(plain, func(i int) bool { return drop[i] })
	}
	bitmaps := map[int][2]int{} // bitmap measure → its min and max measures
	deferred := map[int]bool{}  // combinations that may be implied by a bitmap-counted column
	if fused {
		bitmaps = s.planBitmaps(g, bitCand, types)
		for m := range bitmaps {
			b := bitmaps[m]
			plain = append(plain, b[0], b[1])
		}
		slices.Sort(plain) // the same SQL text every run
		for _, i := range distinct {
			if _, ok := bitmaps[i]; ok {
				continue
			}
			if _, ok := s.impliedBy(i, bitmaps); ok {
				deferred[i] = true
			}
		}
	}
	var now []int // DISTINCT measures hashed right away, beside the plain query
	for _, i := range distinct {
		if _, ok := bitmaps[i]; !ok && !deferred[i] {
			now = append(now, i)
		}
	}
	vals := make([]any, len(s.measures))
	for _, i := range zero {
		vals[i] = int64(0)
	}
	// The queries in a fixed order (probes, bounds, plain, hashed, bitmap, profiles,
	// leftovers), whichever finishes first.
	const (
		stepCatalog = iota
		stepProbe
		stepSample
		stepBounds
		stepPlain
		stepHash
		stepBitmap
		stepProfile
		stepRest
		steps
	)
	slots := make([]*ran, steps)
	slots[stepCatalog], slots[stepSample], slots[stepBounds] = catalog, sampled, boundsRan
	// The probe belongs to the measures whose plan used a type it read.
	var probed []int
	for i := range bitmaps {
		probed = append(probed, i)
	}
	if sampled != nil {
		probed = append(probed, sampled.cols...)
	}
	if len(probed) > 0 {
		slices.Sort(probed)
		slots[stepProbe] = &ran{sql: probeSQL, cols: slices.Compact(probed)}
	}
	run := func(step int, idx []int, render func([]int) string) error {
		if len(idx) == 0 {
			return nil
		}
		sql := render(idx)
		rs, err := query(ctx, wh, sql)
		var row []any
		if err == nil {
			row, err = rs.one()
		}
		if err != nil {
			return err
		}
		for c, m := range idx {
			vals[m] = row[c] // each query writes its own measures
		}
		slots[step] = &ran{sql: sql, cols: idx} // each step writes its own slot
		return nil
	}
	var wg sync.WaitGroup
	var hashErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		hashErr = run(stepHash, now, s.render)
	}()
	err := run(stepPlain, plain, s.render)
	if err == nil && len(bitmaps) > 0 {
		err = s.runBitmaps(vals, bitmaps, deferred, g, func(idx []int, render func([]int) string) error {
			return run(stepBitmap, idx, render)
		})
	}
	var rest []int
	if err == nil && len(profiled) > 0 {
		sql, idx := s.renderProfiles(profiled, profBy, g)
		if run(stepProfile, idx, func([]int) string { return sql }) != nil {
			rest = append(rest, idx...) // evaluated row by row with the leftovers
		}
	}
	if err == nil && len(deferred) > 0 {
		for i := range deferred {
			if u, ok := s.impliedBy(i, bitmaps); ok && s.proven(vals, u, g) {
				total, _ := s.lookup(measure{agg: "count(*)", where: s.measures[i].where})
				vals[i] = vals[total]
			} else {
				rest = append(rest, i)
			}
		}
	}
	if err == nil && len(rest) > 0 {
		slices.Sort(rest)
		err = run(stepRest, rest, s.render)
	}
	wg.Wait()
	var done []ran
	for _, r := range slots {
		if r != nil {
			done = append(done, *r)
		}
	}
	return vals, done, errors.Join(err, hashErr)
}

// bitmapCandidates returns the single-column DISTINCT measures among distinct.
func (s *scan) bitmapCandidates(distinct []int) []int {
	var out []int
	for _, i := range distinct {
		if c := s.measures[i].cols; c != "" && !strings.Contains(c, "\x00") {
			out = append(out, i)
		}
	}
	return out
}

// probeTypes reads the types of cols (duplicates allowed) with a zero-row query. A failed
// probe returns no types: the plain query reports what is wrong with the relation.
func (s *scan) probeTypes(ctx context.Context, wh warehouse.Warehouse, g *sqlb, cols []string) (map[string]arrow.DataType, string) {
	var uniq []string
	for _, c := range cols {
		if !contains(uniq, c) {
			uniq = append(uniq, c)
		}
	}
	if len(uniq) == 0 {
		return nil, ""
	}
	sql := "SELECT " + join(g.idents(uniq, "")) + " FROM " + s.rel + " LIMIT 0"
	rs, err := query(ctx, wh, sql)
	if err != nil || len(rs.fields) != len(uniq) {
		return nil, sql
	}
	types := make(map[string]arrow.DataType, len(uniq))
	for k, f := range rs.fields {
		types[uniq[k]] = f.Type
	}
	return types, sql
}

// planBitmaps picks the candidates (single-column DISTINCT measures) of integer columns,
// adding their min and max to the scan.
func (s *scan) planBitmaps(g *sqlb, cand []int, types map[string]arrow.DataType) map[int][2]int {
	out := map[int][2]int{}
	for _, i := range cand {
		m := s.measures[i]
		if t, ok := types[m.cols]; !ok || !bitmapType(t) {
			continue
		}
		col := g.ident(m.cols)
		lo := s.addFor(i, measure{agg: "min(" + col + ")", where: m.where})
		hi := s.addFor(i, measure{agg: "max(" + col + ")", where: m.where})
		out[i] = [2]int{lo, hi}
	}
	return out
}

// addFor registers m on behalf of the checks that own measure i.
func (s *scan) addFor(i int, m measure) int {
	j := s.addMeasure(m)
	for _, o := range s.owners[i] {
		if !slices.Contains(s.owners[j], o) {
			s.owners[j] = append(s.owners[j], o)
		}
	}
	return j
}

// runBitmaps counts the bitmap measures whose bounds fit; a column without non-NULL values
// counts 0 distinct. A measure whose range is too wide, or whose bitmap query fails (a row
// written since the bounds were read), is hashed instead.
func (s *scan) runBitmaps(vals []any, bitmaps map[int][2]int, deferred map[int]bool, g *sqlb, run func([]int, func([]int) string) error) error {
	var idx []int
	bounds := map[int][2]int64{}
	for i, b := range bitmaps {
		lo, hi := vals[b[0]], vals[b[1]]
		if lo == nil || hi == nil {
			vals[i] = int64(0)
			continue
		}
		n, _ := s.lookup(measure{agg: "count(" + g.ident(s.measures[i].cols) + ")", where: s.measures[i].where})
		l, h := asInt(lo), asInt(hi)
		if n >= 0 && bitmapFits(l, h, asInt(vals[n])) {
			idx = append(idx, i)
			bounds[i] = [2]int64{l, h}
		} else {
			deferred[i] = true // hashed with the leftovers
		}
	}
	slices.Sort(idx)
	render := func(idx []int) string {
		parts := make([]string, len(idx))
		for k, i := range idx {
			m := s.measures[i]
			agg := "bitstring_agg(" + g.ident(m.cols) + ", " + strconv.FormatInt(bounds[i][0], 10) + ", " + strconv.FormatInt(bounds[i][1], 10) + ")"
			if m.where != "" {
				agg += " FILTER (WHERE " + and(m.where) + ")"
			}
			parts[k] = "coalesce(bit_count(" + agg + "), 0) AS m" + strconv.Itoa(i)
		}
		return "SELECT " + strings.Join(parts, ",\n  ") + "\nFROM " + s.rel
	}
	if err := run(idx, render); err != nil {
		for _, i := range idx {
			deferred[i] = true
		}
	}
	return nil
}

// impliedBy finds, for a combination measure i, a bitmap-counted column among its columns
// under the same where filter, returning that column's DISTINCT measure.
func (s *scan) impliedBy(i int, bitmaps map[int][2]int) (int, bool) {
	m := s.measures[i]
	if !strings.Contains(m.cols, "\x00") {
		return 0, false
	}
	for u := range bitmaps {
		um := s.measures[u]
		if um.where == m.where && contains(strings.Split(m.cols, "\x00"), um.cols) {
			return u, true
		}
	}
	return 0, false
}

// proven says whether the DISTINCT measure u shows its column unique and never NULL: its
// distinct count equals both its non-NULL count and the row count.
func (s *scan) proven(vals []any, u int, g *sqlb) bool {
	m := s.measures[u]
	if vals[u] == nil {
		return false
	}
	total, ok1 := s.lookup(measure{agg: "count(*)", where: m.where})
	n, ok2 := s.lookup(measure{agg: "count(" + g.ident(m.cols) + ")", where: m.where})
	if !ok1 || !ok2 || vals[total] == nil || vals[n] == nil {
		return false
	}
	d := asInt(vals[u])
	return d == asInt(vals[n]) && d == asInt(vals[total])
}

// lookup returns the position of a registered measure.
func (s *scan) lookup(m measure) (int, bool) {
	i, ok := s.index[m]
	if !ok {
		return -1, false
	}
	return i, true
}
