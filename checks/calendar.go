package checks

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// calendar says which local dates are business days: listed weekdays that are not holidays.
type calendar struct {
	weekdays [7]bool
	holidays map[civil]bool
}

// civil is a calendar date.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

func (c civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, int(c.m), c.d) }

// add returns the date n days later.
func (c civil) add(n int) civil { return civilOf(time.Date(c.y, c.m, c.d+n, 12, 0, 0, 0, time.UTC)) }

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.m != o.m {
		return c.m < o.m
	}
	return c.d < o.d
}

// start is the instant the date begins in loc.
func (c civil) start(loc *time.Location) time.Time {
	return localInstant(time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC), loc)
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// defaultCalendar is Monday to Friday without holidays.
func defaultCalendar() *calendar {
	c := &calendar{holidays: map[civil]bool{}}
	for d := time.Monday; d <= time.Friday; d++ {
		c.weekdays[d] = true
	}
	return c
}

// newCalendar reads weekday names (mon … sun, or full names) and holiday dates (YYYY-MM-DD).
func newCalendar(weekdays, holidays []string) (*calendar, error) {
	c := defaultCalendar()
	if len(weekdays) > 0 {
		c.weekdays = [7]bool{}
		for _, w := range weekdays {
			k := strings.ToLower(strings.TrimSpace(w))
			if len(k) > 3 {
				k = k[:3]
			}
			d, ok := weekdayNames[k]
			if !ok {
				return nil, fmt.Errorf("weekdays: %q is not a weekday (mon, tue, wed, thu, fri, sat, sun)", w)
			}
			c.weekdays[d] = true
		}
	}
	for _, h := range holidays {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(h))
		if err != nil {
			return nil, fmt.Errorf("holidays: %q is not a date (YYYY-MM-DD)", h)
		}
		c.holidays[civilOf(t)] = true
	}
	any := false
	for _, w := range c.weekdays {
		any = any || w
	}
	if !any {
		return nil, fmt.Errorf("weekdays: list at least one business day")
	}
	return c, nil
}

func (c *calendar) isBusinessDay(d civil) bool { return c.weekdays[d.weekday()] && !c.holidays[d] }

// businessDays is the business time from one instant to another, in days, in loc: each
// business day counts the part of [from, to) it contains, divided by its length (so a 23-hour
// DST day counts fully, and weekends and holidays count nothing). Negative when to < from.
func (c *calendar) businessDays(from, to time.Time, loc *time.Location) float64 {
	if to.Before(from) {
		return -c.businessDays(to, from, loc)
	}
	total := 0.0
	last := civilOf(to.In(loc))
	for d := civilOf(from.In(loc)); !last.before(d); d = d.add(1) {
		if !c.isBusinessDay(d) {
			continue
		}
		start, end := d.start(loc), d.add(1).start(loc)
		lo, hi := maxTime(start, from), minTime(end, to)
		if hi.After(lo) {
			total += hi.Sub(lo).Seconds() / end.Sub(start).Seconds()
		}
	}
	return total
}

// nthBusinessDay is the n-th business day (n ≥ 1) on or after date d.
func (c *calendar) nthBusinessDay(d civil, n int) civil {
	for k := 0; ; d = d.add(1) {
		if c.isBusinessDay(d) {
			k++
			if k == n {
				return d
			}
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// localInstant reads a wall-clock time (held in a UTC time.Time) as local time in loc. A time
// that occurs twice (the hour clocks fall back) is read as the later, standard-time instant,
// as the file source does; a time that does not occur (the hour clocks spring forward) is read
// with the offset in effect before the change (02:30 becomes 03:30 daylight time).
func localInstant(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	guess := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	var best time.Time
	found := false
	// The offsets in effect half a day either side cover any transition near the time.
	_, before := guess.Add(-12 * time.Hour).Zone()
	_, after := guess.Add(12 * time.Hour).Zone()
	for _, off := range []int{before, after} {
		cand := naive.Add(-time.Duration(off) * time.Second)
		if _, co := cand.In(loc).Zone(); co == off && (!found || cand.After(best)) {
			best, found = cand, true
		}
	}
	if !found { // in the gap: the offset before the change
		best = naive.Add(-time.Duration(before) * time.Second)
	}
	return best.In(loc)
}

// age is one warn_after / error_after threshold.
type age struct {
	value    float64 // hours, or business days when business
	business bool
	text     string // as written, e.g. "24h", "3 business days"
}

var ageRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*(business\s+days?|bd|days?|d|hours?|hrs?|h|minutes?|mins?|m)$`)

// parseAge reads "24h", "90m", "2d", "1.5 days", "3 business days" (and Go durations such as
// "1h30m").
func parseAge(s string) (age, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if m := ageRE.FindStringSubmatch(t); m != nil {
		n, _ := strconv.ParseFloat(m[1], 64)
		unit := m[2]
		switch {
		case strings.HasPrefix(unit, "business") || unit == "bd":
			return age{value: n, business: true, text: s}, nil
		case strings.HasPrefix(unit, "d"):
			return age{value: n * 24, text: s}, nil
		case strings.HasPrefix(unit, "h"):
			return age{value: n, text: s}, nil
		default:
			return age{value: n / 60, text: s}, nil
		}
	}
	if d, err := time.ParseDuration(t); err == nil && d > 0 {
		return age{value: d.Hours(), text: s}, nil
	}
	return age{}, fmt.Errorf("%q is not an age; write e.g. 90m, 24h, 2d or 3 business days", s)
}

// ageInHours formats hours for people.
func ageText(v float64, business bool) string {
	unit := "hours"
	if business {
		unit = "business days"
	}
	if math.Abs(v-1) < 1e-9 {
		unit = strings.TrimSuffix(unit, "s")
	}
	return formatNumber(round2(v)) + " " + unit
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
