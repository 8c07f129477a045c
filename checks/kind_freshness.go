package checks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/state"
)

// freshness: how old the newest data is.
//
// Keys: column (the timestamp or date column; default: the column it is declared under),
// or source: extract (the end of the last successful extract of a source's stream, from
// _revops.run_streams); time_zone (IANA; for a naive TIMESTAMP or a DATE column, and for the
// calendar; default: the target's); warn_after / error_after (ages: "90m", "24h", "2d",
// "3 business days", or dbt's {count: 12, period: hour}); calendar: {weekdays: [mon, …],
// holidays: [YYYY-MM-DD, …]} (default Monday to Friday, no holidays); deadline:
// {business_day: N, after: month_end | quarter_end | year_end, fiscal_year_start_month: 1-12,
// expect: period_end | period_start}.
//
// Age form: observed = now − newest, in hours; or, when the thresholds are in business days,
// the business time elapsed in days (only the calendar's business days count, each by the part
// of it that elapsed). Default: warn/error when older than warn_after/error_after. An empty
// table (or no successful extract) is judged as infinitely old.
//
// Deadline form ("updated by business day 3 after month end"): the latest period whose
// deadline — the end of the N-th business day on or after the period's end — has passed must
// be covered: the newest value must be at or after the period's end (expect: period_end, the
// default: rows of the next period have arrived, so the closed period is complete) or at or
// after the period's start (expect: period_start: for tables with one row per period, keyed by
// its first day). Observed = business days since the deadline while the period is not
// covered, else 0; default: error if > 0.
//
// A naive TIMESTAMP (or DATE) column is read in time_zone; with none declared the check is not
// evaluated (never silently UTC). A TIMESTAMPTZ column needs a zone only for a calendar.
type freshness struct {
	column   string
	zone     string
	loc      *time.Location // nil when no zone is declared
	warn     *age
	fail     *age
	business bool
	cal      *calendar
	deadline *deadline
}

type freshnessArgs struct {
	Source     string        `yaml:"source"`
	TimeZone   string        `yaml:"time_zone"`
	WarnAfter  *yaml.Node    `yaml:"warn_after"`
	ErrorAfter *yaml.Node    `yaml:"error_after"`
	Calendar   *calendarArgs `yaml:"calendar"`
	Deadline   *deadlineArgs `yaml:"deadline"`
}

type calendarArgs struct {
	Weekdays []string `yaml:"weekdays"`
	Holidays []string `yaml:"holidays"`
}

type deadlineArgs struct {
	BusinessDay          int    `yaml:"business_day,required"`
	After                string `yaml:"after"`
	FiscalYearStartMonth int    `yaml:"fiscal_year_start_month"`
	Expect               string `yaml:"expect"`
}

type dbtAge struct {
	Count  float64 `yaml:"count,required"`
	Period string  `yaml:"period,required"`
}

// freshnessExtract is the source: extract form; it runs its own query.
type freshnessExtract struct{ f freshness }

func (f freshnessExtract) info() kindInfo { return f.f.info() }

func parseFreshness(p *parseCtx) (checker, error) {
	var a freshnessArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	f := freshness{column: p.column, zone: a.TimeZone}
	if f.zone == "" {
		f.zone = p.target.TimeZone
	}
	if f.zone != "" {
		loc, err := time.LoadLocation(f.zone)
		if err != nil {
			return nil, p.failf(p.argNode("time_zone"), "freshness: time_zone: unknown zone %q (write an IANA name such as America/New_York)", f.zone)
		}
		f.loc = loc
	}
	var err error
	if f.warn, err = p.age(a.WarnAfter, "warn_after"); err != nil {
		return nil, err
	}
	if f.fail, err = p.age(a.ErrorAfter, "error_after"); err != nil {
		return nil, err
	}
	if f.warn != nil && f.fail != nil && f.warn.business != f.fail.business {
		return nil, p.failf(a.ErrorAfter, "freshness: warn_after and error_after must both be in business days or both in clock time")
	}
	f.business = (f.warn != nil && f.warn.business) || (f.fail != nil && f.fail.business)
	if a.Calendar != nil {
		if f.cal, err = newCalendar(a.Calendar.Weekdays, a.Calendar.Holidays); err != nil {
			return nil, p.failf(p.argNode("calendar"), "freshness: calendar: %v", err)
		}
	}
	if a.Deadline != nil {
		if f.warn != nil || f.fail != nil {
			return nil, p.failf(p.argNode("deadline"), "freshness: give either deadline or warn_after/error_after, not both")
		}
		if f.deadline, err = newDeadline(*a.Deadline); err != nil {
			return nil, p.failf(p.argNode("deadline"), "freshness: deadline: %v", err)
		}
	} else if f.warn == nil && f.fail == nil {
		return nil, p.failf(p.kindKey, "freshness: give warn_after and/or error_after (e.g. error_after: 24h), or a deadline")
	}
	if f.business || f.deadline != nil {
		if f.cal == nil {
			f.cal = defaultCalendar()
		}
		if f.loc == nil {
			return nil, p.failf(p.kindKey, "freshness: business days are counted in a time zone; declare time_zone: (e.g. America/New_York)")
		}
	} else if a.Calendar != nil {
		return nil, p.failf(p.argNode("calendar"), "freshness: a calendar counts business days; write warn_after/error_after in business days (e.g. 2 business days) or give a deadline")
	}
	switch a.Source {
	case "":
		if f.column == "" {
			return nil, p.failf(p.kindKey, "freshness: give column: (the timestamp column), declare it under that column, or write source: extract")
		}
		return f, nil
	case "extract":
		if p.target.Kind != "source" {
			return nil, p.failf(p.argNode("source"), "freshness: source: extract applies to sources; %s is a %s", p.target.Name, targetKind(p.target))
		}
		if p.common.Column != "" {
			return nil, p.failf(p.argNode("column"), "freshness: give either column or source: extract, not both")
		}
		f.column = ""
		p.column = ""
		return freshnessExtract{f: f}, nil
	}
	return nil, p.failf(p.argNode("source"), "freshness: source: expected extract, got %q", a.Source)
}

// age reads a warn_after / error_after node.
func (p *parseCtx) age(n *yaml.Node, key string) (*age, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.MappingNode {
		var d dbtAge
		dec := yamlxDecoder(p.file)
		if err := dec.Decode(n, &d); err != nil {
			return nil, p.named(err)
		}
		period := strings.TrimSuffix(strings.ToLower(d.Period), "s")
		if period != "minute" && period != "hour" && period != "day" {
			return nil, p.failf(n, "freshness: %s: period: expected minute, hour or day, got %q", key, d.Period)
		}
		a, err := parseAge(fmt.Sprintf("%v %s", d.Count, period))
		if err != nil || a.value <= 0 {
			return nil, p.failf(n, "freshness: %s: count must be positive", key)
		}
		return &a, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, p.failf(n, "freshness: %s: expected an age such as 24h or 3 business days", key)
	}
	a, err := parseAge(n.Value)
	if err != nil {
		return nil, p.failf(n, "freshness: %s: %v", key, err)
	}
	if a.value <= 0 {
		return nil, p.failf(n, "freshness: %s: must be positive", key)
	}
	return &a, nil
}

func (f freshness) info() kindInfo {
	if f.deadline != nil {
		return kindInfo{fail: &condition{clauses: []clause{{op: ">", value: 0}}, text: "late for " + f.deadline.String()}}
	}
	info := kindInfo{}
	if f.warn != nil {
		info.warn = &condition{clauses: []clause{{op: ">", value: f.warn.value}}, text: "older than " + f.warn.text}
	}
	if f.fail != nil {
		info.error = &condition{clauses: []clause{{op: ">", value: f.fail.value}}, text: "older than " + f.fail.text}
	}
	return info
}

func (f freshness) plan(s *scan, sp *Spec, g *sqlb) planned {
	i := s.add(sp.Where, "max("+g.ident(f.column)+")", "")
	now, what := s.now, targetKind(sp.Target)
	return planned{eval: func(v []any) outcome { return f.judge(v[i], now, what) }}
}

// judge computes the outcome for the newest value (nil = none) at now.
func (f freshness) judge(newest any, now time.Time, what string) outcome {
	var o outcome
	var t time.Time
	switch x := newest.(type) {
	case nil:
		o.inf = true
		o.text = "no rows"
		if what == "extract" {
			o.text = "no successful extract recorded"
		}
		if f.deadline != nil {
			o.inf = false
			late := f.deadline.evaluate(nil, now, f.loc, f.cal)
			o.set(late.late)
			o.text = "no rows; " + late.text
		}
		return o
	case time.Time:
		t = x
	case localTime:
		if f.loc == nil {
			kind := "TIMESTAMP (without time zone)"
			if x.date {
				kind = "DATE"
			}
			o.err = fmt.Errorf("column %s is a %s: declare time_zone: on the check (or the time zone of the %s's column) so its values can be read as instants; revops never assumes UTC", f.column, kind, what)
			return o
		}
		t = localInstant(x.wall, f.loc)
	default:
		o.err = fmt.Errorf("column %s holds %T values, not timestamps or dates", f.column, newest)
		return o
	}
	shown := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if f.loc != nil {
		shown = t.In(f.loc).Format("2006-01-02 15:04:05 ") + f.zone
	}
	switch {
	case f.deadline != nil:
		late := f.deadline.evaluate(&t, now, f.loc, f.cal)
		o.set(late.late)
		o.text = late.text + " (newest " + shown + ")"
	case f.business:
		v := f.cal.businessDays(t, now, f.loc)
		o.set(v)
		o.text = ageText(v, true) + " (newest " + shown + ")"
	default:
		v := now.Sub(t).Hours()
		o.set(v)
		o.text = ageText(v, false) + " (newest " + shown + ")"
	}
	return o
}

func (f freshnessExtract) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	var o outcome
	src, stream, ok := strings.Cut(sp.Target.Name, ".")
	if !ok {
		return o, fmt.Errorf("source target %q is not named source.stream", sp.Target.Name)
	}
	g := e.sql()
	q := "SELECT max(ended_at) FROM " + g.ident(state.Schema, "run_streams") +
		" WHERE source = " + g.lit(src) + " AND stream = " + g.lit(stream) + " AND status = " + g.lit("success")
	if g.err != nil {
		return o, g.err
	}
	rs, err := e.query(ctx, &o, q)
	if err != nil {
		return o, fmt.Errorf("read the extract ledger: %w", err)
	}
	v, err := rs.one()
	if err != nil {
		return o, err
	}
	sqls := o.sql
	o = f.f.judge(v[0], e.now, "extract")
	o.sql = sqls
	return o, nil
}

// deadline is the fiscal form of freshness.
type deadline struct {
	businessDay int
	months      int // period length: 1, 3 or 12
	startMonth  time.Month
	after       string
	expectStart bool
}

func newDeadline(a deadlineArgs) (*deadline, error) {
	d := &deadline{businessDay: a.BusinessDay, months: 1, startMonth: time.January, after: a.After}
	if d.after == "" {
		d.after = "month_end"
	}
	switch d.after {
	case "month_end":
	case "quarter_end":
		d.months = 3
	case "year_end":
		d.months = 12
	default:
		return nil, fmt.Errorf("after: expected month_end, quarter_end or year_end, got %q", a.After)
	}
	if a.BusinessDay < 1 || a.BusinessDay > 15 {
		return nil, fmt.Errorf("business_day: expected 1 to 15, got %d", a.BusinessDay)
	}
	if a.FiscalYearStartMonth != 0 {
		if a.FiscalYearStartMonth < 1 || a.FiscalYearStartMonth > 12 {
			return nil, fmt.Errorf("fiscal_year_start_month: expected 1 to 12, got %d", a.FiscalYearStartMonth)
		}
		d.startMonth = time.Month(a.FiscalYearStartMonth)
	}
	switch a.Expect {
	case "", "period_end":
	case "period_start":
		d.expectStart = true
	default:
		return nil, fmt.Errorf("expect: expected period_end or period_start, got %q", a.Expect)
	}
	return d, nil
}

func (d *deadline) String() string {
	return fmt.Sprintf("business day %d after %s", d.businessDay, strings.ReplaceAll(d.after, "_", " "))
}

// periodStart is the first day of the period containing date c.
func (d *deadline) periodStart(c civil) civil {
	// months since the fiscal year's first month
	k := (int(c.m) - int(d.startMonth) + 12) % 12
	k -= k % d.months
	m := int(d.startMonth) + k
	y := c.y
	if m > 12 {
		m -= 12
	}
	if m > int(c.m) {
		y--
	}
	return civil{y, time.Month(m), 1}
}

func (d *deadline) shift(c civil, periods int) civil {
	t := time.Date(c.y, c.m+time.Month(periods*d.months), 1, 12, 0, 0, 0, time.UTC)
	return civilOf(t)
}

type lateness struct {
	late float64
	text string
}

// evaluate finds the latest period whose deadline has passed at now and whether newest covers it.
func (d *deadline) evaluate(newest *time.Time, now time.Time, loc *time.Location, cal *calendar) lateness {
	cur := d.periodStart(civilOf(now.In(loc)))
	// The period that ended at cur is due at the end of business day N on or after cur; if that
	// has not passed yet, the one before it is the latest due.
	end := cur
	due := cal.nthBusinessDay(end, d.businessDay).add(1).start(loc)
	if now.Before(due) {
		end = d.shift(cur, -1)
		due = cal.nthBusinessDay(end, d.businessDay).add(1).start(loc)
	}
	start := d.shift(end, -1)
	need := end
	if d.expectStart {
		need = start
	}
	period := d.periodName(start, end)
	dueDay := due.In(loc).AddDate(0, 0, -1).Format("2006-01-02")
	if newest != nil && !newest.Before(need.start(loc)) {
		return lateness{0, fmt.Sprintf("on time: %s is covered (due by the end of %s)", period, dueDay)}
	}
	late := cal.businessDays(due, now, loc)
	return lateness{late, fmt.Sprintf("%s not covered: no value at or after %s; due by the end of %s (%s), %s ago",
		period, need, dueDay, d.String(), ageText(late, true))}
}

func (d *deadline) periodName(start, end civil) string {
	if d.months == 1 {
		return fmt.Sprintf("month %04d-%02d", start.y, int(start.m))
	}
	return fmt.Sprintf("period %s – %s", start, end.add(-1))
}
