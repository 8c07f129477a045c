package hubspot

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// seedPortal fills a fake with a small, deterministic portal: companies, contacts (some sharing
// a timestamp), deals with stage changes and company associations, calls and emails, owners.
func seedPortal(e *env) {
	e.t.Helper()
	base := t0.Add(-72 * time.Hour)
	var companies []fake.Record
	for i := 0; i < 40; i++ {
		companies = append(companies, fake.Record{UpdatedAt: base.Add(time.Duration(i) * time.Minute),
			Properties: map[string]string{"name": fmt.Sprintf("Co %d", i), "domain": fmt.Sprintf("co%d.io", i), "annualrevenue": "1000000"}})
	}
	cos := e.put("companies", companies...)
	var contacts []fake.Record
	for i := 0; i < 450; i++ {
		contacts = append(contacts, fake.Record{UpdatedAt: base.Add(time.Duration(i/7) * time.Minute),
			Properties: map[string]string{"firstname": fmt.Sprintf("p%d", i), "email": fmt.Sprintf("p%d@co.io", i),
				"lifecyclestage": "lead", "hs_lifecyclestage_lead_date": hsTime(base)}})
	}
	people := e.put("contacts", contacts...)
	var deals []fake.Record
	for i := 0; i < 130; i++ {
		deals = append(deals, fake.Record{UpdatedAt: base.Add(time.Duration(i) * time.Minute), CreatedAt: base.Add(-time.Hour),
			Properties: map[string]string{"dealname": fmt.Sprintf("deal %d", i), "amount": fmt.Sprintf("%d.50", 1000+i),
				"dealstage": "appointmentscheduled", "pipeline": "default", "closedate": "2026-04-30T00:00:00Z"}})
	}
	dealIDs := e.put("deals", deals...)
	for i, c := range people {
		must(e.t, e.fake.Associate("contacts", c, "companies", cos[i%len(cos)]))
	}
	for i, d := range dealIDs {
		must(e.t, e.fake.Associate("deals", d, "companies", cos[i%len(cos)]))
	}
	for i := 0; i < 60; i++ {
		typ := []string{"calls", "emails"}[i%2]
		id := e.put(typ, fake.Record{UpdatedAt: base.Add(time.Duration(i) * time.Minute),
			Properties: map[string]string{"hs_timestamp": hsTime(base.Add(time.Duration(i) * time.Hour)), "hs_call_title": "intro", "hs_email_subject": "hello"}})[0]
		must(e.t, e.fake.Associate(typ, id, "contacts", people[i]))
	}
	must(e.t, e.fake.PutOwners(fake.Owner{Email: "ae@co.io", FirstName: "A", LastName: "E", UserID: 7,
		Teams: []fake.Team{{ID: "1", Name: "West", Primary: true}}}, fake.Owner{Email: "old@co.io", UserID: 8}))
	owners := e.fake.Owners()
	must(e.t, e.fake.ArchiveOwner(owners[1].ID))
}

func hsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// mutate changes the portal between reads: updates, new records, archives, stage changes.
func mutate(e *env, round int) {
	e.t.Helper()
	for typ, n := range map[string]int{"contacts": 450, "deals": 130, "companies": 40} {
		truth := e.fake.Truth(typ)
		for i := round; i < n; i += 9 {
			if truth[i].Archived {
				continue
			}
			props := map[string]string{"firstname": fmt.Sprintf("r%d", round), "dealname": fmt.Sprintf("r%d", round),
				"name": fmt.Sprintf("r%d", round)}
			if typ == "deals" {
				props["dealstage"] = []string{"qualifiedtobuy", "contractsent", "closedwon"}[round%3]
				// Amounts and close dates change too (and an amount is sometimes cleared):
				// deal_property_history follows them.
				props["amount"] = fmt.Sprintf("%d.25", 2000+10*round+i)
				if i%4 == 1 {
					props["amount"] = ""
				}
				if i%2 == 0 {
					props["closedate"] = fmt.Sprintf("2026-%02d-15T00:00:00Z", 5+round)
				}
			}
			must(e.t, e.fake.Update(typ, truth[i].ID, props))
			e.clock.Advance(time.Second)
		}
	}
	e.contacts(25, func(i int) time.Time { return e.clock.Now() })
	// Many contacts stamped at one instant: more than a page of ties.
	var tied []string
	for i, c := range e.fake.Truth("contacts") {
		if i%5 == round && !c.Archived {
			tied = append(tied, c.ID)
		}
	}
	must(e.t, e.fake.Touch("contacts", e.clock.Now(), tied...))
	for _, typ := range []string{"contacts", "deals"} {
		truth := e.fake.Truth(typ)
		if !truth[round*3].Archived {
			must(e.t, e.fake.Archive(typ, truth[round*3].ID))
		}
	}
}

var portalStreams = []string{"companies", "contacts", "deals", "engagements", "owners", "deal_pipeline_stages", "deal_stage_history",
	"deal_property_history"}

// runAll reads every stream from the given cursors and returns the rows and the new cursors.
func runAll(e *env, s *source, cursors map[string]extract.Cursor) (map[string][]row, map[string]extract.Cursor) {
	e.t.Helper()
	rows, next := map[string][]row{}, map[string]extract.Cursor{}
	for _, st := range portalStreams {
		res := e.read(s, st, cursors[st])
		rows[st], next[st] = res.rows, res.cursor
		if res.finals != 1 {
			e.t.Errorf("%s: %d final batches", st, res.finals)
		}
	}
	return rows, next
}

func keyOf(stream string) []string {
	for _, st := range (&source{cfg: &settings{streams: portalStreams, engagementTypes: []string{"calls", "emails"}}}).Streams() {
		if st.Name == stream {
			return st.PrimaryKey
		}
	}
	return nil
}

// scenario runs the portal through three reads with mutations between them and returns each
// stream's merged rows.
func scenario(t *testing.T, faults *fakeapi.Faults) (map[string]map[string]row, *env) {
	e := newEnv(t, fake.Options{SearchLag: 10 * time.Second})
	seedPortal(e)
	s := e.source(m{"engagement_types": []any{"calls", "emails"}, "page_size": 50})
	if faults != nil {
		e.fake.SetFaults(*faults)
	}
	all := map[string][][]row{}
	var cursors map[string]extract.Cursor
	for round := 0; round < 3; round++ {
		var rows map[string][]row
		rows, cursors = runAll(e, s, cursors)
		for st, r := range rows {
			all[st] = append(all[st], r)
		}
		mutate(e, round)
		e.clock.Advance(10 * time.Minute)
	}
	rows, _ := runAll(e, s, cursors)
	merged := map[string]map[string]row{}
	for _, st := range portalStreams {
		merged[st] = merge(keyOf(st), append(all[st], rows[st])...)
	}
	e.fake.SetFaults(fakeapi.Faults{})
	return merged, e
}

// checkPortal compares every stream with the fake's ground truth.
func checkPortal(t *testing.T, e *env, merged map[string]map[string]row) {
	t.Helper()
	checkTruth(t, merged["contacts"], e.fake.Truth("contacts"), "firstname", "email")
	checkTruth(t, merged["deals"], e.fake.Truth("deals"), "dealname", "dealstage")
	checkTruth(t, merged["companies"], e.fake.Truth("companies"), "name")
	var history []string
	for _, d := range e.fake.Truth("deals") {
		if d.Archived {
			continue // its history stays as last read
		}
		for _, h := range d.History["dealstage"] {
			history = append(history, d.ID+"|"+h.Timestamp.Truncate(time.Millisecond).Format(time.RFC3339Nano)+"|"+h.Value)
		}
	}
	var got []string
	archived := map[string]bool{}
	for _, d := range e.fake.Truth("deals") {
		archived[d.ID] = d.Archived
	}
	for _, r := range merged["deal_stage_history"] {
		if !archived[r["deal_id"].(string)] {
			got = append(got, r["deal_id"].(string)+"|"+r["changed_at"].(time.Time).Format(time.RFC3339Nano)+"|"+r["stage"].(string))
		}
	}
	sort.Strings(history)
	sort.Strings(got)
	if !reflect.DeepEqual(got, history) {
		t.Errorf("deal_stage_history: %d rows, want %d", len(got), len(history))
	}
	checkPropertyHistory(t, e, merged["deal_property_history"])
	if n := len(merged["engagements"]); n != 60 {
		t.Errorf("engagements: %d rows, want 60", n)
	}
	if n := len(merged["owners"]); n != 2 {
		t.Errorf("owners: %d rows", n)
	}
	if n := len(merged["deal_pipeline_stages"]); n != 7 {
		t.Errorf("deal_pipeline_stages: %d rows", n)
	}
}

func TestPortalMatchesGroundTruth(t *testing.T) {
	merged, e := scenario(t, nil)
	checkPortal(t, e, merged)
	// Associations as columns.
	truth := e.fake.Truth("deals")
	r := merged["deals"][truth[1].ID]
	if want := e.fake.Associations("deals", truth[1].ID, "companies"); r["company_id"] != want[0] {
		t.Errorf("deal company_id %v, want %v", r["company_id"], want)
	}
	for _, r := range merged["engagements"] {
		if r["contact_id"] == nil || r["occurred_at"] == nil || (r["engagement_type"] != "call" && r["engagement_type"] != "email") {
			t.Errorf("engagement %v", r)
			break
		}
	}
}

// A run under injected faults (429s, 5xx, truncated bodies) ends with exactly what a clean run
// reads.
func TestFaultsDoNotChangeTheResult(t *testing.T) {
	clean, _ := scenario(t, nil)
	faulty, e := scenario(t, &fakeapi.Faults{RateLimitRate: 0.1, ServerErrorRate: 0.1, TruncateRate: 0.05, Seed: 42})
	checkPortal(t, e, faulty)
	if st := e.fake.Stats(); st.Faults < 20 {
		t.Errorf("only %d faults injected in %d requests", st.Faults, st.Requests)
	}
	for _, stream := range portalStreams {
		if len(clean[stream]) != len(faulty[stream]) {
			t.Errorf("%s: %d rows with faults, %d without", stream, len(faulty[stream]), len(clean[stream]))
			continue
		}
		if stream == "deal_stage_history" || stream == "deal_property_history" {
			continue // keyed by change times, which the clock stamped differently; checked above
		}
		for k, want := range clean[stream] {
			got := faulty[stream][k]
			for col, v := range want {
				if _, isTime := v.(time.Time); isTime {
					continue // the clock moves with the retries' waits, so stamps differ
				}
				if !reflect.DeepEqual(got[col], v) {
					t.Errorf("%s %s: %s = %v with faults, %v without", stream, k, col, got[col], v)
				}
			}
		}
	}
}

// A read killed after any batch and rerun from the last loaded cursor ends with exactly the
// ground truth: a cursor never points past a row not yet emitted, whether a batch is one page or
// gathers several.
func TestKillAndResume(t *testing.T) {
	for _, stream := range []string{"contacts", "deals", "deal_stage_history", "deal_property_history", "engagements"} {
		for _, tc := range []struct{ batchRows, killAt int }{{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 5}, {1, 8}, {100, 1}, {100, 2}, {100, 3}} {
			killAt := tc.killAt
			t.Run(fmt.Sprintf("%s/rows%d/batch%d", stream, tc.batchRows, killAt), func(t *testing.T) {
				e := newEnv(t, fake.Options{})
				seedPortal(e)
				s := e.source(m{"engagement_types": []any{"calls", "emails"}, "page_size": 40})
				s.batchRows = tc.batchRows
				key := keyOf(stream)
				var loaded [][]row
				var cursor extract.Cursor
				for round := 0; round < 2; round++ {
					// Each round's first read (full, then incremental) is killed; the rerun
					// starts from its last loaded cursor, after more changes.
					if round > 0 {
						mutate(e, 2*round)
						e.clock.Advance(10 * time.Minute)
					}
					res, err := e.readErr(s, stream, cursor, killAt)
					loaded = append(loaded, res.rows)
					if err == nil {
						t.Logf("round %d: the read ended in %d batches, before batch %d", round, res.batches, killAt)
					} else if !errors.Is(err, errKilled) {
						t.Fatalf("round %d: %v", round, err)
					}
					mutate(e, 2*round+1)
					e.clock.Advance(10 * time.Minute)
					res = e.read(s, stream, res.cursor)
					loaded = append(loaded, res.rows)
					cursor = res.cursor
				}
				merged := merge(key, loaded...)
				switch stream {
				case "contacts":
					checkTruth(t, merged, e.fake.Truth("contacts"), "firstname")
				case "deals":
					checkTruth(t, merged, e.fake.Truth("deals"), "dealname", "dealstage")
				case "engagements":
					if len(merged) != 60 {
						t.Errorf("%d engagements", len(merged))
					}
				case "deal_stage_history":
					want := 0
					for _, d := range e.fake.Truth("deals") {
						if !d.Archived {
							want += len(d.History["dealstage"])
						}
					}
					live := 0
					archived := map[string]bool{}
					for _, d := range e.fake.Truth("deals") {
						archived[d.ID] = d.Archived
					}
					for _, r := range merged {
						if !archived[r["deal_id"].(string)] {
							live++
						}
					}
					if live != want {
						t.Errorf("%d stage changes, want %d", live, want)
					}
				case "deal_property_history":
					checkPropertyHistory(t, e, merged)
				}
			})
		}
	}
}

// checkPropertyHistory asserts that deal_property_history's merged rows of live deals are the
// fake's history of dealstage, amount and closedate: the same (deal, property, time, value).
func checkPropertyHistory(t *testing.T, e *env, merged map[string]row) {
	t.Helper()
	archived := map[string]bool{}
	var want []string
	for _, d := range e.fake.Truth("deals") {
		archived[d.ID] = d.Archived
		if d.Archived {
			continue // its history stays as last read
		}
		for _, p := range []string{"dealstage", "amount", "closedate"} {
			for _, h := range d.History[p] {
				want = append(want, d.ID+"|"+p+"|"+h.Timestamp.Truncate(time.Millisecond).Format(time.RFC3339Nano)+"|"+h.Value)
			}
		}
	}
	var got []string
	for _, r := range merged {
		if archived[r["deal_id"].(string)] {
			continue
		}
		v := ""
		if r["value"] != nil {
			v = r["value"].(string)
		}
		got = append(got, r["deal_id"].(string)+"|"+r["property"].(string)+"|"+r["changed_at"].(time.Time).Format(time.RFC3339Nano)+"|"+v)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deal_property_history: %d rows, want %d", len(got), len(want))
		for i := 0; i < len(got) && i < len(want); i++ {
			if got[i] != want[i] {
				t.Errorf("first difference: got %s, want %s", got[i], want[i])
				break
			}
		}
	}
}

// deal_property_history: each read (full, then incremental after changes) holds every key once,
// and the merged rows are the fake's history of dealstage, amount and closedate.
func TestDealPropertyHistoryIncremental(t *testing.T) {
	e := newEnv(t, fake.Options{})
	seedPortal(e)
	s := e.source(m{"objects": []any{"deal_property_history"}, "page_size": 40})
	key := keyOf("deal_property_history")
	var loaded [][]row
	var cursor extract.Cursor
	for round := 0; round < 3; round++ {
		res := e.read(s, "deal_property_history", cursor)
		seen := map[string]bool{}
		for _, r := range res.rows {
			k := fmt.Sprint(r["deal_id"], "|", r["property"], "|", r["changed_at"])
			if seen[k] {
				t.Fatalf("round %d: key %s read twice", round, k)
			}
			seen[k] = true
		}
		if round > 0 && len(res.rows) == 0 {
			t.Errorf("round %d: the incremental read found no changes", round)
		}
		loaded = append(loaded, res.rows)
		cursor = res.cursor
		mutate(e, round)
		e.clock.Advance(10 * time.Minute)
	}
	loaded = append(loaded, e.read(s, "deal_property_history", cursor).rows)
	merged := merge(key, loaded...)
	checkPropertyHistory(t, e, merged)
	// A deal changed in round 0 has its amount's history: the seeded value, then the new one.
	d := e.fake.Truth("deals")[9]
	var amounts []string
	for _, r := range merged {
		if r["deal_id"] == d.ID && r["property"] == "amount" {
			amounts = append(amounts, r["changed_at"].(time.Time).Format(time.RFC3339)+"="+fmt.Sprint(r["value"]))
		}
	}
	sort.Strings(amounts)
	if len(amounts) < 2 || !strings.HasSuffix(amounts[0], "=1009.50") {
		t.Errorf("deal %s amount history %v", d.ID, amounts)
	}
}
