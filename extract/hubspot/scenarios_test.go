package hubspot

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/extract/hubspot/fake"
)

// Tests of the HubSpot scenarios of the vendor spec's §7 (rows 11 to 16), against the fake.

// checkSearches fails on any search the fake rejected or that paged to the 10,000 cap.
func checkSearches(t *testing.T, calls []fake.SearchCall) {
	t.Helper()
	for _, c := range calls {
		after, _ := strconv.Atoi(c.Request.After)
		if c.Status != http.StatusOK || after+c.Request.Limit > 10_000 {
			t.Errorf("search %s: status %d after %q limit %d", c.Object, c.Status, c.Request.After, c.Request.Limit)
		}
	}
}

// Row 11: 12,000 contacts modified in one window. The source pages by keyset (each query
// restarts at the last modified time seen), so no query reaches the 10,000-result cap, and the
// merged rows are exactly the portal's contacts.
func TestScenario11TwelveThousandContactsInOneWindow(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.contacts(30, func(i int) time.Time { return t0.Add(-48*time.Hour + time.Duration(i)*time.Minute) })
	s := e.source(m{"objects": []any{"contacts"}})
	first := e.read(s, "contacts", nil)
	if len(first.rows) != 30 {
		t.Fatalf("full read: %d rows", len(first.rows))
	}

	e.clock.Advance(time.Hour)
	// Three contacts per millisecond, so ties straddle page boundaries.
	e.contacts(12_000, func(i int) time.Time { return t0.Add(20*time.Minute + time.Duration(i/3)*time.Millisecond) })
	e.clock.Advance(10 * time.Minute)
	second := e.read(s, "contacts", first.cursor)

	checkTruth(t, merge([]string{"id"}, first.rows, second.rows), e.fake.Truth("contacts"), "firstname", "email")
	if n := len(second.rows); n < 12_000 || n > 12_000+200 {
		t.Errorf("incremental read emitted %d rows for 12,000 changes", n)
	}
	calls := e.fake.Searches()
	checkSearches(t, calls)
	if len(calls) < 60 || len(calls) > 70 {
		t.Errorf("%d searches for 12,000 contacts at 200 a page", len(calls))
	}
}

// Row 12: 10,500 contacts with one identical lastmodifieddate (a portal-wide batch update). A
// page of one timestamp switches to hs_object_id keyset paging within it: the read ends, with
// every contact.
func TestScenario12TenThousandFiveHundredIdenticalTimestamps(t *testing.T) {
	e := newEnv(t, fake.Options{})
	s := e.source(m{"objects": []any{"contacts"}})
	first := e.read(s, "contacts", nil)

	e.clock.Advance(time.Hour)
	e.contacts(10_500, func(i int) time.Time { return t0.Add(-24*time.Hour + time.Duration(i)*time.Second) })
	stamp := t0.Add(30 * time.Minute)
	must(t, e.fake.Touch("contacts", stamp)) // every contact, one timestamp
	e.contacts(5, func(i int) time.Time { return stamp.Add(time.Duration(i+1) * time.Second) })
	e.clock.Advance(10 * time.Minute)
	second := e.read(s, "contacts", first.cursor)

	checkTruth(t, merge([]string{"id"}, first.rows, second.rows), e.fake.Truth("contacts"), "firstname")
	if n := len(second.rows); n < 10_505 || n > 10_505+200 {
		t.Errorf("incremental read emitted %d rows for 10,505 changes", n)
	}
	calls := e.fake.Searches()
	checkSearches(t, calls)
	ties := 0
	for _, c := range calls {
		for _, f := range c.Request.FilterGroups[0].Filters {
			if f.PropertyName == "hs_object_id" && f.Operator == "GT" {
				ties++
			}
		}
	}
	if ties < 52 {
		t.Errorf("%d searches paged by hs_object_id within the timestamp, want ≥ 52", ties)
	}
}

// Row 13: a record updated at t is searchable only from t+30 s. A read right after the update
// misses it; the ceiling (now − index_lag) or the lookback brings it in on a later read. With
// neither, the change is lost — the fake does reproduce the trap.
func TestScenario13SearchIndexLag(t *testing.T) {
	tests := []struct {
		name     string
		indexLag string
		lookback string
		caught   bool
	}{
		{"ceiling catches it", "60s", "0s", true},
		{"lookback catches it", "0s", "5m", true},
		{"neither: lost", "0s", "0s", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fake.Options{SearchLag: 30 * time.Second})
			ids := e.contacts(20, func(i int) time.Time { return t0.Add(-time.Hour + time.Duration(i)*time.Second) })
			s := e.source(m{"objects": []any{"contacts"}, "index_lag": tt.indexLag, "lookback": tt.lookback})
			e.clock.Advance(2 * time.Minute) // let the seeded records reach the index
			first := e.read(s, "contacts", nil)

			e.clock.Advance(10 * time.Minute)
			must(t, e.fake.Update("contacts", ids[3], map[string]string{"firstname": "renamed"}))
			e.clock.Advance(5 * time.Second)
			second := e.read(s, "contacts", first.cursor)
			for _, r := range second.rows {
				if r["id"] == ids[3] && r["firstname"] == "renamed" {
					t.Errorf("the change was emitted before it was searchable")
				}
			}
			e.clock.Advance(2 * time.Minute)
			third := e.read(s, "contacts", second.cursor)

			merged := merge([]string{"id"}, first.rows, second.rows, third.rows)
			if tt.caught {
				checkTruth(t, merged, e.fake.Truth("contacts"), "firstname")
			} else if merged[ids[3]]["firstname"] == "renamed" {
				t.Errorf("without ceiling or lookback the late change was still read: the fake lost its lag")
			}
		})
	}
}

// Row 14: 429 TEN_SECONDLY_ROLLING without Retry-After (wait the interval header), with
// Retry-After (wait that), and 429 SECONDLY on search (wait a second); DAILY stops the read.
func TestScenario14RateLimits(t *testing.T) {
	tests := []struct {
		name       string
		opts       fake.Options
		cfg        m
		retryAfter time.Duration
		wantSleep  time.Duration
	}{
		{"ten-secondly, interval header", fake.Options{TenSecondlyMax: 4}, m{}, 0, 10 * time.Second},
		{"ten-secondly, Retry-After", fake.Options{TenSecondlyMax: 4}, m{}, 3 * time.Second, 3 * time.Second},
		{"secondly on search", fake.Options{SearchPerSecond: 2}, m{"page_size": 20}, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			e.fake.SetRetryAfter(tt.retryAfter)
			e.contacts(300, func(i int) time.Time { return t0.Add(-48*time.Hour + time.Duration(i)*time.Second) })
			cfg := m{"objects": []any{"contacts"}}
			for k, v := range tt.cfg {
				cfg[k] = v
			}
			s := e.source(cfg)
			first := e.read(s, "contacts", nil)
			e.clock.Advance(time.Hour)
			e.contacts(300, func(i int) time.Time { return t0.Add(30*time.Minute + time.Duration(i)*time.Second) })
			e.clock.Advance(time.Hour)
			second := e.read(s, "contacts", first.cursor)
			checkTruth(t, merge([]string{"id"}, first.rows, second.rows), e.fake.Truth("contacts"), "firstname")
			limited := 0
			for _, d := range e.takeSleeps() {
				if d == tt.wantSleep {
					limited++
				}
			}
			if limited == 0 {
				t.Errorf("no wait of %s after a 429", tt.wantSleep)
			}
		})
	}

	t.Run("daily stops", func(t *testing.T) {
		e := newEnv(t, fake.Options{DailyMax: 2})
		s := e.source(m{"objects": []any{"owners"}})
		e.read(s, "owners", nil) // two requests: active and archived owners
		_, err := e.readErr(s, "owners", nil, -1)
		if !errors.Is(err, ErrDailyLimit) {
			t.Fatalf("error %v, want ErrDailyLimit", err)
		}
		if n := e.fake.Stats().Requests; n != 3 {
			t.Errorf("%d requests: a DAILY 429 must not be retried", n)
		}
	})
}

// Row 15: an archived deal leaves search; it is read only through the list API's archived=true
// and emitted with archived = true (the loader keeps it as a soft delete).
func TestScenario15ArchivedDeal(t *testing.T) {
	e := newEnv(t, fake.Options{})
	var recs []fake.Record
	for i := 0; i < 5; i++ {
		recs = append(recs, fake.Record{UpdatedAt: t0.Add(-time.Hour), Properties: map[string]string{"dealname": "d" + strconv.Itoa(i), "amount": "100.00"}})
	}
	ids := e.put("deals", recs...)
	must(t, e.fake.Archive("deals", ids[0])) // archived before the first read
	s := e.source(m{"objects": []any{"deals"}})
	first := e.read(s, "deals", nil)
	e.clock.Advance(time.Hour)
	must(t, e.fake.Archive("deals", ids[2]))
	e.clock.Advance(time.Hour)
	second := e.read(s, "deals", first.cursor)

	merged := merge([]string{"id"}, first.rows, second.rows)
	checkTruth(t, merged, e.fake.Truth("deals"), "dealname")
	for _, id := range []string{ids[0], ids[2]} {
		r := merged[id]
		if r["archived"] != true || r["archived_at"] == nil {
			t.Errorf("deal %s: archived %v archived_at %v", id, r["archived"], r["archived_at"])
		}
	}
	// The second read re-reads archives within its lookback (ids[0]); it reads no live deal.
	for _, r := range second.rows {
		if r["archived"] != true {
			t.Errorf("second read emitted live deal %v: nothing changed", r["id"])
		}
	}
	if merge([]string{"id"}, second.rows)[ids[2]] == nil {
		t.Errorf("second read missed the newly archived deal")
	}
	for _, c := range e.fake.Searches() {
		if c.Status != http.StatusOK {
			t.Errorf("search status %d", c.Status)
		}
	}
}

// Row 16: contacts are searched on lastmodifieddate, companies, deals and engagements on
// hs_lastmodifieddate (the fake rejects the other name with HubSpot's 400).
func TestScenario16ModifiedPropertyPerObject(t *testing.T) {
	e := newEnv(t, fake.Options{})
	at := func(i int) time.Time { return t0.Add(-time.Hour) }
	e.contacts(3, at)
	e.put("deals", fake.Record{UpdatedAt: t0.Add(-time.Hour)})
	e.put("companies", fake.Record{UpdatedAt: t0.Add(-time.Hour)})
	e.put("calls", fake.Record{UpdatedAt: t0.Add(-time.Hour)})
	s := e.source(m{"objects": []any{"contacts", "deals", "companies", "engagements"}, "engagement_types": []any{"calls"}})
	want := map[string]string{"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate",
		"companies": "hs_lastmodifieddate", "calls": "hs_lastmodifieddate"}
	for _, stream := range []string{"contacts", "deals", "companies", "engagements"} {
		first := e.read(s, stream, nil)
		e.clock.Advance(time.Hour)
		e.read(s, stream, first.cursor)
	}
	seen := map[string]bool{}
	for _, c := range e.fake.Searches() {
		if c.Status != http.StatusOK {
			t.Errorf("search %s: status %d", c.Object, c.Status)
		}
		for _, f := range c.Request.FilterGroups[0].Filters {
			if f.PropertyName != "hs_object_id" && f.PropertyName != want[c.Object] {
				t.Errorf("search %s filters on %s, want %s", c.Object, f.PropertyName, want[c.Object])
			}
		}
		if p := c.Request.Sorts[0].PropertyName; p != "hs_object_id" && p != want[c.Object] {
			t.Errorf("search %s sorts on %s", c.Object, p)
		}
		seen[c.Object] = true
	}
	if len(seen) != 4 {
		t.Errorf("searched %v, want every object type", seen)
	}
}

// Records change between pages (the fake's hook runs before each request): some already read
// move to a later modified time, some not yet read are archived, new ones appear. Nothing is
// lost: after one more read, the merged rows equal the ground truth.
func TestMutationsBetweenPages(t *testing.T) {
	for _, full := range []bool{true, false} {
		name := map[bool]string{true: "full read", false: "incremental read"}[full]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, fake.Options{SearchLag: 5 * time.Second})
			ids := e.contacts(600, func(i int) time.Time { return t0.Add(-5*time.Hour + time.Duration(i/4)*time.Second) })
			s := e.source(m{"objects": []any{"contacts"}, "page_size": 50})
			var loaded [][]row
			var cursor []byte
			if !full {
				res := e.read(s, "contacts", nil)
				loaded, cursor = append(loaded, res.rows), res.cursor
				must(t, e.fake.Touch("contacts", t0.Add(30*time.Minute), ids[:300]...))
				e.clock.Advance(time.Hour)
			}
			pages := 0
			e.fake.SetHook(func(r fake.Request) {
				if r.Op != "list" && r.Op != "search" {
					return
				}
				pages++
				must(t, e.fake.Update("contacts", ids[pages*7%300], map[string]string{"firstname": "moved"}))
				must(t, e.fake.Archive("contacts", ids[599-pages]))
				e.contacts(1, func(int) time.Time { return e.clock.Now() })
			})
			res := e.read(s, "contacts", cursor)
			e.fake.SetHook(nil)
			loaded = append(loaded, res.rows)
			e.clock.Advance(10 * time.Minute)
			res = e.read(s, "contacts", res.cursor)
			loaded = append(loaded, res.rows)
			checkTruth(t, merge([]string{"id"}, loaded...), e.fake.Truth("contacts"), "firstname")
			if pages < 5 {
				t.Errorf("only %d pages saw mutations", pages)
			}
		})
	}
}
