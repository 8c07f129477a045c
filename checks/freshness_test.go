package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse/duckdb"
)

func ny(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var eventsTarget = Target{Kind: "source", Name: "crm.events", Relation: []string{"crm", "events"}, KeyColumns: []string{"id"}, TimeZone: "America/New_York"}

func eventsTable(t *testing.T, values string) *duckdb.Warehouse {
	wh := openDB(t)
	mustExec(t, wh, `CREATE SCHEMA crm`,
		`CREATE TABLE crm.events (id INTEGER, updated_at TIMESTAMP, created_at TIMESTAMPTZ, day DATE)`)
	if values != "" {
		mustExec(t, wh, `INSERT INTO crm.events VALUES `+values)
	}
	return wh
}

func TestFreshnessTimeZones(t *testing.T) {
	cases := []struct {
		name   string
		rows   string
		target Target
		yaml   string
		now    time.Time
		want   want
	}{
		{
			// 01:30 on the day clocks spring forward is 01:30 EST = 06:30 UTC; a day later
			// (02:30 EDT) is 24 hours, not the 25 of wall clocks nor the 29 of "naive is UTC".
			name: "naive New York across spring forward", rows: `(1, '2026-03-08 01:30', NULL, NULL), (2, '2026-03-07 12:00', NULL, NULL)`,
			target: eventsTarget, yaml: `- freshness: {column: updated_at, warn_after: 23h, error_after: 2d}`,
			now:  time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC),
			want: want{status: StatusWarn, observed: 24, rate: -1, text: "24 hours (newest 2026-03-08 01:30:00 America/New_York)"},
		},
		{
			// 01:30 on the day clocks fall back happens twice; it is read as the later, standard-time 06:30 UTC.
			name: "naive New York ambiguous hour", rows: `(1, '2026-11-01 01:30', NULL, NULL)`,
			target: eventsTarget, yaml: `- freshness: {column: updated_at, error_after: 6h}`,
			now:  time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
			want: want{status: StatusPass, observed: 5.5, rate: -1, text: "5.50 hours (newest 2026-11-01 01:30:00 America/New_York)"},
		},
		{
			name: "check time_zone overrides the target's", rows: `(1, '2026-07-15 00:00', NULL, NULL)`,
			target: eventsTarget, yaml: `- freshness: {column: updated_at, time_zone: Asia/Tokyo, error_after: 12h}`,
			now:  time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
			want: want{status: StatusFail, observed: 21, rate: -1},
		},
		{
			name: "timestamptz needs no zone", rows: `(1, NULL, '2026-07-15 00:00:00+00', NULL)`,
			target: Target{Name: "crm.events", Relation: []string{"crm", "events"}}, yaml: `- freshness: {column: created_at, error_after: {count: 6, period: hour}}`,
			now:  time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
			want: want{status: StatusFail, observed: 12, rate: -1, text: "12 hours (newest 2026-07-15 00:00:00 UTC)"},
		},
		{
			name: "date column in the zone", rows: `(1, NULL, NULL, '2026-07-14')`,
			target: eventsTarget, yaml: `- freshness: {column: day, warn_after: 1d, error_after: 36h}`,
			now:  time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
			want: want{status: StatusWarn, observed: 32, rate: -1},
		},
		{
			name: "declared under the column", rows: `(1, '2026-07-15 07:00', NULL, NULL)`,
			target: eventsTarget, yaml: `- freshness: {error_after: 90m, where: "id = 1"}`,
			now:  time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
			want: want{status: StatusPass, observed: 1, rate: -1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wh := eventsTable(t, c.rows)
			col := ""
			if strings.Contains(c.name, "under the column") {
				col = "updated_at"
			}
			check(t, runOne(t, wh, c.now, c.yaml, c.target, col), c.want)
		})
	}
}

func TestFreshnessNaiveWithoutZone(t *testing.T) {
	wh := eventsTable(t, `(1, '2026-07-15 00:00', NULL, NULL)`)
	noZone := Target{Kind: "source", Name: "crm.events", Relation: []string{"crm", "events"}}
	r := runOne(t, wh, testNow, `- freshness: {column: updated_at, error_after: 24h}`, noZone, "")
	if r.Status != StatusError || r.Observed != nil || !strings.Contains(r.Error, "declare time_zone") || !strings.Contains(r.Error, "never assumes UTC") {
		t.Fatalf("got status %s error %q", r.Status, r.Error)
	}
}

func TestFreshnessEmptyTable(t *testing.T) {
	wh := eventsTable(t, "")
	r := runOne(t, wh, testNow, `- freshness: {column: updated_at, warn_after: 1h}`, eventsTarget, "")
	if r.Status != StatusWarn || r.Observed != nil || r.ObservedText != "no rows" {
		t.Fatalf("got %s %v %q %q", r.Status, deref(r.Observed), r.ObservedText, r.Error)
	}
	r = runOne(t, wh, testNow, `- freshness: {column: updated_at, error_after: 1h}`, eventsTarget, "")
	if r.Status != StatusFail {
		t.Fatalf("got %s", r.Status)
	}
}

func TestFreshnessBusinessDays(t *testing.T) {
	// Thursday 24 December 2026, 18:00 in New York; Friday the 25th is a holiday.
	wh := eventsTable(t, `(1, '2026-12-24 18:00', NULL, NULL)`)
	cal := `calendar: {weekdays: [mon, tue, wed, thu, fri], holidays: [2026-12-25]}`
	cases := []struct {
		name string
		now  time.Time
		yaml string
		want want
	}{
		// Thu 18:00-24:00 (0.25) + Mon 00:00-09:00 (0.375): the holiday and the weekend do not count.
		{"monday morning", ny(t, "2026-12-28 09:00"), `- freshness: {column: updated_at, warn_after: 1 business day, error_after: 2 business days, ` + cal + `}`,
			want{status: StatusPass, observed: 0.625, rate: -1, text: "0.63 business days"}},
		// + all of Monday + half of Tuesday.
		{"tuesday noon", ny(t, "2026-12-29 12:00"), `- freshness: {column: updated_at, warn_after: 1 business day, error_after: 2 business days, ` + cal + `}`,
			want{status: StatusWarn, observed: 1.75, rate: -1}},
		// Without the holiday, Friday counts too.
		{"no holiday", ny(t, "2026-12-29 12:00"), `- freshness: {column: updated_at, error_after: 2 business days}`,
			want{status: StatusFail, observed: 2.75, rate: -1}},
		// Clock time counts the weekend: 4 days and 18 hours.
		{"clock time", ny(t, "2026-12-29 12:00"), `- freshness: {column: updated_at, error_after: 5d}`,
			want{status: StatusPass, observed: 4*24 + 18, rate: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOne(t, wh, c.now, c.yaml, eventsTarget, ""), c.want)
		})
	}
}

func TestFreshnessDeadline(t *testing.T) {
	// November 2026 starts on a Sunday: business day 3 is Wednesday the 4th, so October is due
	// by midnight starting Thursday the 5th (05:00 UTC, after the fall-back).
	now := ny(t, "2026-11-05 15:00")
	dl := `deadline: {business_day: 3, after: month_end}`
	cases := []struct {
		name, rows, yaml string
		want             want
	}{
		{"late", `(1, '2026-10-31 23:00', NULL, NULL)`, `- freshness: {column: updated_at, ` + dl + `}`,
			want{status: StatusFail, observed: 0.625, rate: -1, text: "month 2026-10 not covered"}},
		{"on time", `(1, '2026-11-01 08:00', NULL, NULL)`, `- freshness: {column: updated_at, ` + dl + `}`,
			want{status: StatusPass, observed: 0, rate: -1, text: "on time: month 2026-10 is covered (due by the end of 2026-11-04)"}},
		// With election day a holiday, business day 3 is Thursday the 5th: October is not due
		// yet, September is, and it is covered.
		{"holiday moves the deadline", `(1, '2026-10-31 23:00', NULL, NULL)`,
			`- freshness: {column: updated_at, deadline: {business_day: 3}, calendar: {holidays: [2026-11-03]}}`,
			want{status: StatusPass, observed: 0, rate: -1, text: "month 2026-09 is covered"}},
		{"period start, late", `(1, NULL, NULL, '2026-09-01')`,
			`- freshness: {column: day, deadline: {business_day: 3, expect: period_start}, severity: warn}`,
			want{status: StatusWarn, observed: 0.625, rate: -1}},
		{"period start, on time", `(1, NULL, NULL, '2026-10-01')`,
			`- freshness: {column: day, deadline: {business_day: 3, expect: period_start}}`,
			want{status: StatusPass, observed: 0, rate: -1}},
		// Fiscal quarters starting in February: Nov-Jan is the current one, Aug-Oct was due by
		// business day 3 of November.
		{"fiscal quarter", `(1, '2026-10-20 10:00', NULL, NULL)`,
			`- freshness: {column: updated_at, deadline: {business_day: 3, after: quarter_end, fiscal_year_start_month: 2}}`,
			want{status: StatusFail, observed: 0.625, rate: -1, text: "period 2026-08-01 – 2026-10-31 not covered"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wh := eventsTable(t, c.rows)
			check(t, runOne(t, wh, now, c.yaml, eventsTarget, ""), c.want)
		})
	}
}

func TestFreshnessOfExtract(t *testing.T) {
	wh := openDB(t)
	ctx := context.Background()
	st := state.New(wh)
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	ok := time.Date(2026, 7, 15, 3, 0, 0, 0, time.UTC)
	for _, r := range []state.StreamResult{
		{RunID: "r1", Source: "crm", Stream: "accounts", Table: "crm.accounts", Status: "success", StartedAt: ok.Add(-time.Hour), EndedAt: ok},
		{RunID: "r2", Source: "crm", Stream: "accounts", Table: "crm.accounts", Status: "error", StartedAt: ok, EndedAt: ok.Add(6 * time.Hour)},
		{RunID: "r2", Source: "crm", Stream: "contacts", Table: "crm.contacts", Status: "success", StartedAt: ok, EndedAt: ok.Add(8 * time.Hour)},
	} {
		if err := st.RecordStream(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	accounts := Target{Kind: "source", Name: "crm.accounts", Relation: []string{"crm", "accounts"}}
	check(t, runOne(t, wh, testNow, `- freshness: {source: extract, warn_after: 6h, error_after: 12h}`, accounts, ""),
		want{status: StatusWarn, observed: 9, rate: -1})
	leads := Target{Kind: "source", Name: "crm.leads", Relation: []string{"crm", "leads"}}
	r := runOne(t, wh, testNow, `- freshness: {source: extract, error_after: 12h}`, leads, "")
	if r.Status != StatusFail || r.ObservedText != "no successful extract recorded" {
		t.Fatalf("got %s %q %q", r.Status, r.ObservedText, r.Error)
	}
}

func TestLocalInstant(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	cases := []struct{ wall, want string }{
		{"2026-07-01 12:00", "2026-07-01T16:00:00Z"},
		{"2026-01-01 12:00", "2026-01-01T17:00:00Z"},
		{"2026-11-01 01:30", "2026-11-01T06:30:00Z"}, // twice: the later
		{"2026-03-08 02:30", "2026-03-08T07:30:00Z"}, // never: read with the offset before the change (= 03:30 EDT)
	}
	for _, c := range cases {
		w, _ := time.Parse("2006-01-02 15:04", c.wall)
		if got := localInstant(w, loc).UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("%s: got %s, want %s", c.wall, got, c.want)
		}
	}
}
