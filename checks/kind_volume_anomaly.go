package checks

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/state"
)

// volume_anomaly: rows per day against the same season's history.
//
// Two histories: history: table (the default) counts the table's rows per day of a timestamp
// or date column; history: runs (sources only) reads the run ledger instead — the rows the
// stream's successful extract runs loaded per day (_revops.run_streams; measure: loaded, the
// default, counts rows read, inserted only the new ones), so an incremental stream whose daily
// change volume collapses or explodes is caught whatever its columns. In the run history a day
// without a successful run is no data, not zero rows: it is left out of the history, and the
// check is skipped when the last complete day had no run (a freshness check catches that).
//
// Keys: column (history: table; the timestamp or date column that places a row in a day;
// default: the column it is declared under), source and stream (history: runs; default: the
// target's name, source.stream), time_zone (days are local dates there; default the target's;
// required), bucket (day), seasonality (day_of_week, the default: compare with the same
// weekday of previous weeks; day_of_month: the same day of previous months, skipping months
// without it; none: the previous days), lookback (history buckets, default 8), min_history
// (fewest history buckets to judge, default 4; with fewer the check is skipped) and method
// (percent, the default, or zscore).
//
// Only complete buckets count: the last complete bucket is yesterday in time_zone (today is
// still filling). Its row count is compared with the mean of the history buckets; history
// before the first day with any row is not history (a new table is not an anomaly). Observed =
// the absolute deviation: percent: |actual − mean| / mean × 100 (100 when the mean is 0 and
// rows arrived); zscore: |actual − mean| / standard deviation (floored at 1 row). Default:
// percent: warn if > 25, error if > 50; zscore: warn if > 2, error if > 3.
type volumeAnomaly struct {
	runs           bool   // history: runs
	source, stream string // history: runs
	inserted       bool   // measure: inserted
	column         string
	zone           string
	loc            *time.Location
	seasonality    string
	lookback       int
	minHistory     int
	zscore         bool
}

type volumeArgs struct {
	History     string `yaml:"history"`
	Source      string `yaml:"source"`
	Stream      string `yaml:"stream"`
	Measure     string `yaml:"measure"`
	TimeZone    string `yaml:"time_zone"`
	Bucket      string `yaml:"bucket"`
	Seasonality string `yaml:"seasonality"`
	Lookback    *int   `yaml:"lookback"`
	MinHistory  *int   `yaml:"min_history"`
	Method      string `yaml:"method"`
}

func parseVolumeAnomaly(p *parseCtx) (checker, error) {
	var a volumeArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := volumeAnomaly{column: p.column, zone: a.TimeZone, seasonality: a.Seasonality, lookback: 8, minHistory: 4}
	switch a.History {
	case "", "table":
		if c.column == "" {
			return nil, p.failf(p.kindKey, "volume_anomaly: give column: (the timestamp or date that places a row in a day), or declare it under that column; or history: runs to judge the rows each extract run loaded")
		}
		if a.Source != "" || a.Stream != "" || a.Measure != "" {
			return nil, p.failf(p.kindKey, "volume_anomaly: source, stream and measure go with history: runs")
		}
	case "runs":
		c.runs = true
		if p.target.Kind != "source" && (a.Source == "" || a.Stream == "") {
			return nil, p.failf(p.argNode("history"), "volume_anomaly: history: runs reads a source stream's extract runs; %s is a %s (give source: and stream:)", p.target.Name, targetKind(p.target))
		}
		c.source, c.stream, _ = strings.Cut(p.target.Name, ".")
		setIf(&c.source, a.Source)
		setIf(&c.stream, a.Stream)
		switch a.Measure {
		case "", "loaded":
		case "inserted":
			c.inserted = true
		default:
			return nil, p.failf(p.argNode("measure"), "volume_anomaly: measure: expected loaded or inserted, got %q", a.Measure)
		}
	default:
		return nil, p.failf(p.argNode("history"), "volume_anomaly: history: expected table or runs, got %q", a.History)
	}
	if c.zone == "" {
		c.zone = p.target.TimeZone
	}
	if c.zone == "" {
		return nil, p.failf(p.kindKey, "volume_anomaly: days are counted in a time zone; declare time_zone: (e.g. America/New_York)")
	}
	loc, err := time.LoadLocation(c.zone)
	if err != nil {
		return nil, p.failf(p.argNode("time_zone"), "volume_anomaly: time_zone: unknown zone %q", c.zone)
	}
	c.loc = loc
	if a.Bucket != "" && a.Bucket != "day" {
		return nil, p.failf(p.argNode("bucket"), "volume_anomaly: bucket: only day is supported, got %q", a.Bucket)
	}
	switch c.seasonality {
	case "":
		c.seasonality = "day_of_week"
	case "day_of_week", "day_of_month", "none":
	default:
		return nil, p.failf(p.argNode("seasonality"), "volume_anomaly: seasonality: expected day_of_week, day_of_month or none, got %q", a.Seasonality)
	}
	if a.Lookback != nil {
		if *a.Lookback < 1 || *a.Lookback > 366 {
			return nil, p.failf(p.argNode("lookback"), "volume_anomaly: lookback: expected 1 to 366 buckets")
		}
		c.lookback = *a.Lookback
	}
	c.minHistory = min(c.minHistory, c.lookback)
	if a.MinHistory != nil {
		if *a.MinHistory < 1 || *a.MinHistory > c.lookback {
			return nil, p.failf(p.argNode("min_history"), "volume_anomaly: min_history: expected 1 to lookback (%d)", c.lookback)
		}
		c.minHistory = *a.MinHistory
	}
	switch a.Method {
	case "", "percent":
	case "zscore":
		c.zscore = true
	default:
		return nil, p.failf(p.argNode("method"), "volume_anomaly: method: expected percent or zscore, got %q", a.Method)
	}
	return c, nil
}

func (c volumeAnomaly) info() kindInfo {
	if c.zscore {
		return kindInfo{warn: mustCondition("> 2"), error: mustCondition("> 3")}
	}
	return kindInfo{percent: true, warn: mustCondition("> 25%"), error: mustCondition("> 50%")}
}

// colType classifies a column for time handling.
type colType int

const (
	colOther colType = iota
	colDate
	colTimestamp   // naive
	colTimestampTZ // an instant
)

func classify(t arrow.DataType) colType {
	switch x := t.(type) {
	case *arrow.Date32Type, *arrow.Date64Type:
		return colDate
	case *arrow.TimestampType:
		if x.TimeZone == "" {
			return colTimestamp
		}
		return colTimestampTZ
	}
	return colOther
}

// history lists the buckets to compare the last complete one with, newest first.
func (c volumeAnomaly) history(last civil) []civil {
	var out []civil
	switch c.seasonality {
	case "day_of_week":
		for k := 1; k <= c.lookback; k++ {
			out = append(out, last.add(-7*k))
		}
	case "day_of_month":
		for k := 1; k <= c.lookback; k++ {
			t := time.Date(last.y, last.m-time.Month(k), 1, 12, 0, 0, 0, time.UTC)
			if d := time.Date(t.Year(), t.Month(), last.d, 12, 0, 0, 0, time.UTC); d.Month() == t.Month() {
				out = append(out, civilOf(d))
			}
		}
	default:
		for k := 1; k <= c.lookback; k++ {
			out = append(out, last.add(-k))
		}
	}
	return out
}

func (c volumeAnomaly) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	last := civilOf(e.now.In(c.loc)).add(-1)
	hist := c.history(last)
	earliest := last
	for _, h := range hist {
		if h.before(earliest) {
			earliest = h
		}
	}
	var counts map[civil]int64
	var first civil
	var ok bool
	var err error
	if c.runs {
		counts, first, ok, err = c.countRuns(ctx, e, &o, earliest, last)
	} else {
		counts, first, ok, err = c.countTable(ctx, e, sp, &o, earliest, last)
	}
	if err != nil || !ok {
		return o, err
	}
	if last.before(first) {
		o.skipped = fmt.Sprintf("no complete day yet (first %s on %s)", c.unitOf(), first)
		return o, nil
	}
	if _, ran := counts[last]; c.runs && !ran {
		o.skipped = fmt.Sprintf("no successful run of %s.%s on %s", c.source, c.stream, last)
		return o, nil
	}
	return c.judge(o, counts, first, last, hist)
}

func (c volumeAnomaly) unitOf() string {
	if c.runs {
		return "run"
	}
	return "rows"
}

// countRuns sums the rows the stream's successful runs loaded per local day of their end,
// from earliest to last; first is the day of the stream's first successful run (ok false,
// with o skipped, when it has none).
func (c volumeAnomaly) countRuns(ctx context.Context, e *env, o *outcome, earliest, last civil) (map[civil]int64, civil, bool, error) {
	g := e.sql()
	measure := "rows_staged"
	if c.inserted {
		measure = "rows_inserted"
	}
	runs := g.ident(state.Schema, "run_streams")
	day := g.localDate("ended_at", colTimestampTZ, c.zone)
	match := "source = " + g.lit(c.source) + " AND stream = " + g.lit(c.stream) + " AND status = 'success'"
	q := "SELECT " + day + " AS day, sum(" + g.ident(measure) + ") AS n FROM " + runs + " WHERE " + match +
		" AND ended_at >= " + g.lit(earliest.start(c.loc)) + " AND ended_at < " + g.lit(last.add(1).start(c.loc)) + " GROUP BY 1"
	fq := "SELECT min(" + day + ") FROM " + runs + " WHERE " + match
	if g.err != nil {
		return nil, civil{}, false, g.err
	}
	counts, first, ok, err := dayCounts(ctx, e, o, q, fq, fmt.Sprintf("no successful run of %s.%s yet", c.source, c.stream))
	if err != nil {
		err = fmt.Errorf("read the run history (%s.run_streams; revops run and extract write it): %w", state.Schema, err)
	}
	return counts, first, ok, err
}

// countTable counts the table's rows per local day of the column, from earliest to last;
// first is the day of its first row (ok false, with o skipped, when it has none).
func (c volumeAnomaly) countTable(ctx context.Context, e *env, sp *Spec, o *outcome, earliest, last civil) (map[civil]int64, civil, bool, error) {
	g := e.sql()
	rel, col := g.rel(sp.Target), g.ident(c.column)
	probe, err := e.query(ctx, o, "SELECT "+col+" FROM "+rel+" LIMIT 0")
	if err != nil {
		return nil, civil{}, false, err
	}
	ct := classify(probe.fields[0].Type)
	if ct == colOther {
		return nil, civil{}, false, fmt.Errorf("column %s is %s, not a timestamp or date", c.column, probe.fields[0].Type)
	}
	// Rows whose local date is in [earliest, last]: bounds on the column itself, so the engine
	// can prune; an instant column compares with instants, a naive one with wall-clock text.
	var lo, hi string
	if ct == colTimestampTZ {
		lo, hi = g.lit(earliest.start(c.loc)), g.lit(last.add(1).start(c.loc))
	} else {
		lo, hi = "CAST("+g.lit(earliest.String())+" AS DATE)", "CAST("+g.lit(last.add(1).String())+" AS DATE)"
	}
	day := g.localDate(col, ct, c.zone)
	q := "SELECT " + day + " AS day, count(*) AS n FROM " + rel + " WHERE " + and(sp.Where, col+" >= "+lo+" AND "+col+" < "+hi) + " GROUP BY 1"
	fq := "SELECT min(" + day + ") FROM " + rel
	if sp.Where != "" {
		fq += " WHERE " + and(sp.Where)
	}
	if g.err != nil {
		return nil, civil{}, false, g.err
	}
	return dayCounts(ctx, e, o, q, fq, "no rows yet")
}

// dayCounts runs q (day, n rows) and fq (the first day) for countTable and countRuns; with no
// first day, o is skipped for the reason none.
func dayCounts(ctx context.Context, e *env, o *outcome, q, fq, none string) (map[civil]int64, civil, bool, error) {
	rs, err := e.query(ctx, o, q)
	if err != nil {
		return nil, civil{}, false, err
	}
	counts := map[civil]int64{}
	for _, r := range rs.data {
		if d, ok := r[0].(localTime); ok {
			counts[civilOf(d.wall)] = asInt(r[1])
		}
	}
	frs, err := e.query(ctx, o, fq)
	if err != nil {
		return nil, civil{}, false, err
	}
	fv, err := frs.one()
	if err != nil {
		return nil, civil{}, false, err
	}
	firstDay, ok := fv[0].(localTime)
	if !ok {
		o.skipped = none
		return nil, civil{}, false, nil
	}
	return counts, civilOf(firstDay.wall), true, nil
}

// judge compares the last complete day's count with the mean of its history buckets (days
// from first on; in the run history, only days with a run).
func (c volumeAnomaly) judge(o outcome, counts map[civil]int64, first, last civil, hist []civil) (outcome, error) {
	var xs []float64
	for _, h := range hist {
		if n, ran := counts[h]; !h.before(first) && (ran || !c.runs) {
			xs = append(xs, float64(n))
		}
	}
	if len(xs) < c.minHistory {
		o.skipped = fmt.Sprintf("not enough history: %d of the %d %s buckets needed", len(xs), c.minHistory, c.seasonality)
		return o, nil
	}
	actual := float64(counts[last])
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var dev float64
	if c.zscore {
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		sd := 0.0
		if len(xs) > 1 {
			sd = math.Sqrt(ss / float64(len(xs)-1))
		}
		dev = math.Abs(actual-mean) / math.Max(sd, 1)
	} else {
		switch {
		case mean > 0:
			dev = math.Abs(actual-mean) / mean * 100
		case actual > 0:
			dev = 100
		}
	}
	o.set(dev)
	dir := "above"
	if actual < mean {
		dir = "below"
	}
	var baseline string
	switch c.seasonality {
	case "day_of_week":
		baseline = fmt.Sprintf("mean of %d previous %ss", len(xs), last.weekday())
	case "day_of_month":
		baseline = fmt.Sprintf("mean of the %d%s of %d previous months", last.d, ordinal(last.d), len(xs))
	default:
		baseline = fmt.Sprintf("mean of %d previous days", len(xs))
	}
	amount := formatPct(round2(dev))
	if c.zscore {
		amount = formatNumber(round2(dev)) + " standard deviations"
	}
	what := "rows"
	if c.runs {
		what = "rows loaded"
		if c.inserted {
			what = "rows inserted"
		}
	}
	o.text = fmt.Sprintf("%s %s on %s (%s), %s %s the baseline of %s (%s)",
		formatInt(int64(actual)), what, last, last.weekday().String()[:3], amount, dir, formatNumber(round2(mean)), baseline)
	return o, nil
}

func ordinal(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}
