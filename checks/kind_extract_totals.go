package checks

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/revops/revops/state"
)

// extract_totals (sources only): compares the rows loaded (count(*) of the table, after the
// where filter) with the latest total the connector recorded for the stream in
// _revops.source_totals (see RecordSourceTotal). Keys: source and stream (default: the
// target's name, source.stream). Observed = |loaded − total| rows; rate = that difference in
// percent of the total; default: error if > 0 (write error_if: "> 0.5%" for a tolerance). With
// no total recorded the check is not evaluated.
type extractTotals struct{ source, stream string }

type extractTotalsArgs struct {
	Source string `yaml:"source"`
	Stream string `yaml:"stream"`
}

func parseExtractTotals(p *parseCtx) (checker, error) {
	var a extractTotalsArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	if p.target.Kind != "source" && (a.Source == "" || a.Stream == "") {
		return nil, p.failf(p.kindKey, "extract_totals compares a source's loaded rows with the connector's totals; %s is a %s (give source: and stream: to compare anyway)", p.target.Name, targetKind(p.target))
	}
	src, stream, _ := strings.Cut(p.target.Name, ".")
	setIf(&src, a.Source)
	setIf(&stream, a.Stream)
	if src == "" || stream == "" {
		return nil, p.failf(p.kindKey, "extract_totals: cannot tell the source and stream of %q; give source: and stream:", p.target.Name)
	}
	return extractTotals{source: src, stream: stream}, nil
}

func (extractTotals) info() kindInfo { return kindInfo{rate: true} }

func (c extractTotals) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	g := e.sql()
	loaded := "SELECT count(*) AS loaded FROM " + g.rel(sp.Target)
	if sp.Where != "" {
		loaded += " WHERE " + and(sp.Where)
	}
	latest := "SELECT total, observed_at FROM " + g.ident(state.Schema, "source_totals") + " WHERE source = " + g.lit(c.source) +
		" AND stream = " + g.lit(c.stream) + " ORDER BY observed_at DESC LIMIT 1"
	q := "SELECT l.loaded, t.total, t.observed_at FROM (" + loaded + ") AS l LEFT JOIN (" + latest + ") AS t ON TRUE"
	if g.err != nil {
		return o, g.err
	}
	v, err := e.queryOne(ctx, &o, q)
	if err != nil {
		return o, err
	}
	if v[1] == nil {
		return o, fmt.Errorf("no total recorded for %s.%s in %s.source_totals (the connector records it during extract)", c.source, c.stream, state.Schema)
	}
	n, total := asInt(v[0]), asInt(v[1])
	diff := int64(math.Abs(float64(n - total)))
	o.set(float64(diff))
	o.setRate(diff, total)
	o.failing = diff
	at := ""
	if t, ok := v[2].(time.Time); ok {
		at = " at " + t.UTC().Format("2006-01-02 15:04 UTC")
	}
	o.text = fmt.Sprintf("%s rows loaded, %s reported by the source%s: %s apart (%s)", formatInt(n), formatInt(total), at, formatInt(diff), formatPct(*o.rate))
	return o, nil
}
