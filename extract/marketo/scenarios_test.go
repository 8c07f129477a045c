package marketo

// Scenarios 17–19 of the vendor spec's checklist (§7), incremental reads, deletes, token expiry,
// faults and kills, against the fake over HTTP.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/extract/marketo/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// TestScenario17ErrorSequence: a 200 body with 606, then 602, then (later) 607: the source
// backs off, re-authenticates, then stops cleanly with a typed error; the batches emitted before
// carry cursors from which the next day's run completes the stream exactly.
func TestScenario17ErrorSequence(t *testing.T) {
	e := newEnv(t, fake.Knobs{ScanSize: 60})
	e.world(40, 17)
	src := e.source("streams: [activities]\nbatch_size: 60\n")
	st := streamOf(src, Activities)
	e.fake.ScriptCodes("/rest/v1/activities.json", "606", "602")
	e.fake.OnPage(func(p fake.PageEvent) {
		if p.Path == "/rest/v1/activities.json" && p.Page == 3 {
			e.fake.ScriptCodes("/rest/v1/activities.json", "607")
		}
	})
	bs, err := e.read(src, Activities, nil, 0)
	var qe *QuotaError
	if !errors.Is(err, ErrDailyQuota) || !errors.As(err, &qe) || qe.Code != "607" {
		t.Fatalf("read: %v, want a 607 QuotaError", err)
	}
	// June: US Central is UTC-5, so the quota resets at 05:00 UTC.
	if want := time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC); !qe.ResetAt.Equal(want) {
		t.Errorf("reset at %s, want %s", qe.ResetAt.UTC(), want)
	}
	served := e.fake.ErrorsServed()
	if served["606"] != 1 || served["602"] != 1 || served["607"] != 1 {
		t.Errorf("errors served: %v", served)
	}
	if e.sleeps.Load() < 1 {
		t.Error("no backoff after 606")
	}
	if n := e.count("/identity/oauth/token"); n != 2 {
		t.Errorf("%d identity calls, want 2 (the first token, then after 602)", n)
	}
	if len(bs) != 3 || bs[len(bs)-1].final {
		t.Fatalf("%d batches before the stop (final %v), want the 3 pages served", len(bs), len(bs) > 0 && bs[len(bs)-1].final)
	}
	w := newWarehouse()
	w.load(st, bs)
	e.clock.Set(qe.ResetAt.Add(time.Minute)) // the next day
	rest, err := e.read(src, Activities, w.cursors[Activities], 0)
	if err != nil {
		t.Fatal(err)
	}
	noDuplicateKeys(t, st, rest)
	w.load(st, rest)
	e.checkTruth(w, Activities)

	// The quota itself, and the source's own stop at daily_quota_stop_fraction.
	for _, tc := range []struct {
		name     string
		usage    int
		wantCode string
	}{
		{"607 when the day's quota is spent", 50000, "607"},
		{"stop at 80% of daily_quota", 40000, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, fake.Knobs{})
			e.world(5, 1)
			e.fake.SetUsage(tc.usage)
			bs, err := e.read(e.source(""), Leads, nil, 0)
			var qe *QuotaError
			if !errors.As(err, &qe) || qe.Code != tc.wantCode || len(bs) != 0 {
				t.Fatalf("read: %v (%d batches), want a QuotaError with code %q", err, len(bs), tc.wantCode)
			}
		})
	}
}

// TestScenario18EmptyPages: five injected empty pages with moreResult true in a row, and the
// empty pages of a scan that filters rare types out of many others: paging goes on to the end.
func TestScenario18EmptyPages(t *testing.T) {
	e := newEnv(t, fake.Knobs{ScanSize: 25, EmptyPages: 5})
	e.world(40, 18)
	src := e.source("streams: [activities]\nactivity_type_ids: [12, 22]\n")
	st := streamOf(src, Activities)
	bs, err := e.read(src, Activities, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	noDuplicateKeys(t, st, bs)
	w := newWarehouse()
	w.load(st, bs)
	equalTables(t, Activities, w.tables[Activities], expectedActivities(e.fake.Truth(), 12, 22))
	withRows := len(bs) - 1 // the final batch has none
	if calls := e.count("/rest/v1/activities.json"); calls < withRows+5+1 || e.fake.Knobs().EmptyPages != 0 {
		t.Errorf("%d activities calls for %d pages with rows: the empty pages were not all paged", calls, withRows)
	}
}

// TestScenario19BulkExports: a Completed export whose file 404s is created again; 1035 falls
// back to createdAt exports or lead changes; a full queue (1029) is waited out; a spent export
// quota falls back to REST (auto) or stops (always); files with NUL bytes, CRLF, cut-short
// downloads and small ranged chunks are read exactly.
func TestScenario19BulkExports(t *testing.T) {
	for _, tc := range []struct {
		name   string
		knobs  fake.Knobs
		yaml   string
		faults fakeapi.Faults
		occupy int
		chunk  int64
		// check inspects the first read; second, when set, runs an incremental read after a
		// mutation and inspects it.
		check  func(t *testing.T, e *env, err error)
		second func(t *testing.T, e *env, createsBefore int)
	}{
		{name: "completed file 404s once", knobs: fake.Knobs{MissingFiles: 1}, check: func(t *testing.T, e *env, err error) {
			// five 31-day windows from 2025-01-01, one created twice
			if n := e.count("/bulk/v1/leads/export/create.json"); n != 6 || e.fake.ErrorsServed()["HTTP 404"] != 1 {
				t.Errorf("%d exports created, 404s %v", n, e.fake.ErrorsServed())
			}
		}},
		{name: "1035 full read by createdAt, then lead changes", knobs: fake.Knobs{NoUpdatedAtFilter: true},
			check: func(t *testing.T, e *env, err error) {
				if e.fake.ErrorsServed()["1035"] != 1 {
					t.Errorf("errors: %v", e.fake.ErrorsServed())
				}
			},
			second: func(t *testing.T, e *env, before int) {
				if n := e.count("/bulk/v1/leads/export/create.json") - before; n != 1 || e.count("/rest/v1/leads.json") == 0 {
					t.Errorf("incremental read: %d creates (want the one refused), %d leads.json calls", n, e.count("/rest/v1/leads.json"))
				}
			}},
		{name: "1035 with use_bulk always re-exports by createdAt", knobs: fake.Knobs{NoUpdatedAtFilter: true}, yaml: "use_bulk: always\n",
			second: func(t *testing.T, e *env, before int) {
				if n := e.count("/bulk/v1/leads/export/create.json") - before; n != 6 || e.count("/rest/v1/leads.json") != 0 {
					t.Errorf("incremental read: %d creates, want 1 refused + 5 createdAt windows", n)
				}
			}},
		{name: "1029 full queue is waited out", occupy: 10, check: func(t *testing.T, e *env, err error) {
			if e.fake.ErrorsServed()["1029"] == 0 {
				t.Error("the queue was never full")
			}
		}},
		{name: "export quota falls back to REST", knobs: fake.Knobs{ExportDailyQuotaBytes: 1}, check: func(t *testing.T, e *env, err error) {
			if e.fake.ErrorsServed()["1029"] != 1 || e.count("/rest/v1/leads.json") == 0 {
				t.Errorf("errors %v, %d leads.json calls", e.fake.ErrorsServed(), e.count("/rest/v1/leads.json"))
			}
		}},
		{name: "export quota stops with use_bulk always", knobs: fake.Knobs{ExportDailyQuotaBytes: 1}, yaml: "use_bulk: always\n",
			check: func(t *testing.T, e *env, err error) {
				if !errors.Is(err, ErrExportQuota) {
					t.Errorf("read: %v, want ErrExportQuota", err)
				}
			}},
		{name: "NUL bytes, cut-short and ranged downloads", knobs: fake.Knobs{CSVNulBytes: true}, chunk: 700,
			faults: fakeapi.Faults{TruncateRate: 0.3, Seed: 5, Paths: []string{"/file.json"}}, check: func(t *testing.T, e *env, err error) {
				// five exports of files over 700 bytes, each read in ranged chunks, some retried
				if e.fake.Stats().Faults == 0 || e.countSuffix("/file.json") < 15 {
					t.Errorf("faults %d, file requests %d", e.fake.Stats().Faults, e.countSuffix("/file.json"))
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.knobs)
			e.world(60, 19)
			e.fake.Occupy(tc.occupy)
			e.fake.SetFaults(tc.faults)
			src := e.source("streams: [leads]\n" + tc.yaml)
			if tc.chunk > 0 {
				src.chunk = tc.chunk
			}
			st := streamOf(src, Leads)
			bs, err := e.read(src, Leads, nil, 0)
			if tc.check != nil {
				tc.check(t, e, err)
			}
			if errors.Is(err, ErrExportQuota) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			noDuplicateKeys(t, st, bs)
			w := newWarehouse()
			w.load(st, bs)
			e.checkTruth(w, Leads)
			if tc.second == nil {
				return
			}
			before := e.count("/bulk/v1/leads/export/create.json")
			e.clock.Advance(time.Hour)
			e.mutate(1)
			e.clock.Advance(time.Hour)
			e.sync(src, w, Leads)
			tc.second(t, e, before)
			e.checkTruth(w, Leads)
		})
	}
}

// TestIncrementalReadsOnlyChanges: after a full sync, the next read of each stream emits the
// changes only (lookback 0: plus the activities of the boundary second).
func TestIncrementalReadsOnlyChanges(t *testing.T) {
	for _, mode := range []string{"auto", "never"} {
		t.Run("use_bulk "+mode, func(t *testing.T) {
			e := newEnv(t, fake.Knobs{})
			e.world(45, 4)
			src := e.source("lookback: 0s\nuse_bulk: " + mode + "\n")
			w := newWarehouse()
			e.sync(src, w)
			e.checkTruth(w, AllStreams()...)
			// Each group of ten types (by id) re-reads the second of its latest activity.
			group := map[int]int{}
			for i, at := range e.fake.Truth().ActivityTypes {
				group[at.ID] = i / 10
			}
			last := map[int]time.Time{}
			for _, a := range e.fake.Truth().Activities {
				last[group[a.TypeID]] = a.ActivityDate
			}

			e.clock.Advance(2 * time.Hour)
			before := e.fake.Truth()
			e.mutate(1)
			after := e.fake.Truth()
			e.clock.Advance(time.Hour)
			changed := map[int64]bool{}
			old := map[int64]fake.Lead{}
			for _, l := range before.Leads {
				old[l.ID] = l
			}
			for _, l := range after.Leads {
				if o, ok := old[l.ID]; !ok || !o.UpdatedAt.Equal(l.UpdatedAt) {
					changed[l.ID] = true
				}
			}
			// In REST mode the lead-change scan re-reads its boundary second (lookback 0).
			var boundary time.Time
			for _, a := range before.Activities {
				if a.TypeID == fake.TypeNewLead || a.TypeID == fake.TypeChangeDataValue || a.TypeID == fake.TypeChangeScore {
					boundary = a.ActivityDate
				}
			}
			atBoundary := map[int64]bool{}
			for _, a := range before.Activities {
				if mode == "never" && a.ActivityDate.Equal(boundary) {
					atBoundary[a.LeadID] = true
				}
			}
			newActs := map[string]bool{}
			for _, a := range after.Activities[len(before.Activities):] {
				newActs[a.MarketoGUID] = true
			}

			bs, err := e.read(src, Leads, w.cursors[Leads], 0)
			if err != nil {
				t.Fatal(err)
			}
			live, dead := map[int64]bool{}, 0
			for _, b := range bs {
				for _, r := range b.rows {
					if r["deleted"] == true {
						dead++
					} else {
						live[r["id"].(int64)] = true
					}
				}
			}
			for id := range live {
				if atBoundary[id] && !changed[id] {
					delete(live, id)
				}
			}
			if fmt.Sprint(live) != fmt.Sprint(changed) || dead < 1 || dead > 2 {
				t.Errorf("second leads read: live rows %v, want %v; %d tombstones (the new deletion, and the boundary one)", live, changed, dead)
			}
			w.load(streamOf(src, Leads), bs)

			bs, err = e.read(src, Activities, w.cursors[Activities], 0)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, b := range bs {
				for _, r := range b.rows {
					got[r["marketo_guid"].(string)] = true
					g := group[int(r["activity_type_id"].(int64))]
					if !newActs[r["marketo_guid"].(string)] && r["activity_date"] != last[g].Format(time.RFC3339) {
						t.Errorf("second activities read re-emitted %v", r)
					}
				}
			}
			for g := range newActs {
				if !got[g] {
					t.Errorf("new activity %s not read", g)
				}
			}
			w.load(streamOf(src, Activities), bs)
			e.sync(src, w, ActivityTypes, LeadLifecycle)
			e.checkTruth(w, AllStreams()...)
		})
	}
}

// TestDeletesCaptured: a loaded lead deleted upstream, and one created and deleted between two
// runs, become tombstones (deleted = true, deleted_at) on the next read.
func TestDeletesCaptured(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	e.world(20, 5)
	src := e.source("streams: [leads]\n")
	w := newWarehouse()
	e.sync(src, w)
	e.checkTruth(w, Leads)
	victim := e.fake.Truth().Leads[3].ID
	e.clock.Advance(time.Hour)
	brief, err := e.fake.AddLead(fake.Lead{Email: "brief@example.com"})
	e.must(err)
	e.clock.Advance(time.Minute)
	e.must(e.fake.DeleteLead(victim, time.Time{}))
	e.must(e.fake.DeleteLead(brief.ID, time.Time{}))
	e.clock.Advance(time.Hour)
	e.sync(src, w)
	e.checkTruth(w, Leads)
	for _, id := range []int64{victim, brief.ID} {
		if r := w.tables[Leads][fmt.Sprint(id)]; r["deleted"] != true || r["deleted_at"] == nil {
			t.Errorf("lead %d: %v", id, r)
		}
	}
}

// TestTokenExpiryMidRun: tokens that live 40 s expire many times during a run (refreshed 15 s
// early), and every token is revoked once mid-pagination (602, then a new token).
func TestTokenExpiryMidRun(t *testing.T) {
	e := newEnv(t, fake.Knobs{TokenTTL: 40 * time.Second})
	e.world(40, 6)
	e.fake.OnPage(func(p fake.PageEvent) {
		if p.Path == "/rest/v1/activities.json" && p.Page == 2 {
			e.fake.Tokens.ExpireAll()
		}
	})
	src := e.source("batch_size: 50\n")
	w := newWarehouse()
	e.sync(src, w)
	e.checkTruth(w, AllStreams()...)
	if n := e.count("/identity/oauth/token"); n < 4 || e.fake.ErrorsServed()["602"] < 1 {
		t.Errorf("%d identity calls, errors %v", n, e.fake.ErrorsServed())
	}
}

// TestFaultsEqualFaultFree: 606/615, 611/608/502/604 envelopes, cut-short bodies and expired
// tokens on a share of the requests change nothing in what is loaded, over a full and an
// incremental sync of every stream.
func TestFaultsEqualFaultFree(t *testing.T) {
	run := func(faults fakeapi.Faults) (*env, map[string]map[string]rowMap) {
		e := newEnv(t, fake.Knobs{ScanSize: 30})
		e.world(50, 7)
		e.fake.SetFaults(faults)
		src := e.source("batch_size: 30\nmax_export_days: 15\n")
		w := newWarehouse()
		e.sync(src, w)
		// Fixed times (retries move the fake clock), so that both runs see the same changes.
		if now := e.clock.Now(); now.After(t0.Add(6 * time.Hour)) {
			t.Fatalf("the first sync took until %s", now)
		}
		e.clock.Set(t0.Add(6 * time.Hour))
		e.mutate(2)
		e.clock.Set(t0.Add(7 * time.Hour))
		e.sync(src, w)
		e.checkTruth(w, AllStreams()...)
		return e, w.tables
	}
	clean, cleanTables := run(fakeapi.Faults{})
	if n := len(clean.fake.ErrorsServed()); n != 0 {
		t.Errorf("fault-free run: errors served %v", clean.fake.ErrorsServed())
	}
	faulty, faultyTables := run(fakeapi.Faults{RateLimitRate: 0.05, ServerErrorRate: 0.05, TruncateRate: 0.03, ExpireTokensEvery: 9, Seed: 11})
	if n := faulty.fake.Stats().Faults; n < 15 {
		t.Fatalf("only %d faults injected", n)
	}
	t.Logf("%d faults in %d requests; errors served %v", faulty.fake.Stats().Faults, faulty.fake.Stats().Requests, faulty.fake.ErrorsServed())
	a, _ := json.Marshal(cleanTables)
	b, _ := json.Marshal(faultyTables)
	if string(a) != string(b) {
		t.Error("the run with faults loaded different rows than the run without")
	}
}

// TestKillAndRerun: a read killed after k batches (the context is canceled from emit, the
// batch is lost) and rerun from the last loaded cursor ends with exactly the truth — for a first
// read and an incremental one, for every stream and lead mode.
func TestKillAndRerun(t *testing.T) {
	for _, tc := range []struct{ stream, yaml string }{
		{Leads, "max_export_days: 20\n"},
		{Leads, "use_bulk: never\nbatch_size: 7\n"},
		{Activities, "batch_size: 40\n"},
		{LeadLifecycle, "batch_size: 40\n"},
	} {
		t.Run(tc.stream+" "+tc.yaml, func(t *testing.T) {
			e := newEnv(t, fake.Knobs{ScanSize: 40})
			e.world(30, 8)
			src := e.source("streams: [" + tc.stream + "]\n" + tc.yaml)
			st := streamOf(src, tc.stream)
			killRuns := func(base *warehouse) {
				t.Helper()
				from := base.cursors[tc.stream]
				all, err := e.read(src, tc.stream, from, 0)
				if err != nil {
					t.Fatal(err)
				}
				noDuplicateKeys(t, st, all)
				for _, k := range killPoints(len(all)) {
					w := base.clone()
					bs, err := e.read(src, tc.stream, from, k)
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("kill at batch %d: %v, want context.Canceled", k, err)
					}
					w.load(st, bs)
					rest, err := e.read(src, tc.stream, w.cursors[tc.stream], 0)
					if err != nil {
						t.Fatalf("rerun after a kill at batch %d: %v", k, err)
					}
					w.load(st, rest)
					e.checkTruth(w, tc.stream)
				}
				base.load(st, all)
			}
			w := newWarehouse()
			killRuns(w)
			e.clock.Advance(time.Hour)
			e.mutate(3)
			e.clock.Advance(time.Hour)
			killRuns(w)
			e.checkTruth(w, tc.stream)
		})
	}
}

// killPoints are the batches a kill test fails at: the first ones, some in the middle, the last.
func killPoints(n int) []int {
	seen := map[int]bool{}
	var out []int
	for _, k := range []int{1, 2, n / 2, n - 1, n} {
		if k >= 1 && k <= n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (w *warehouse) clone() *warehouse {
	out := newWarehouse()
	for name, tab := range w.tables {
		out.tables[name] = map[string]rowMap{}
		for k, r := range tab {
			out.tables[name][k] = r
		}
	}
	for k, c := range w.cursors {
		out.cursors[k] = c
	}
	return out
}

// TestLimiterStaysUnderTheRate: hundreds of quick calls paced by requests_per_20s (on the fake
// clock) never meet the fake's 100-calls-per-20-s limit; without the limiter they do, and the
// 606 answers are retried until the read completes.
func TestLimiterStaysUnderTheRate(t *testing.T) {
	for _, paced := range []bool{true, false} {
		t.Run(fmt.Sprint("paced ", paced), func(t *testing.T) {
			e := newEnv(t, fake.Knobs{ScanSize: 5})
			e.world(60, 9)
			src := e.source("streams: [activities]\nbatch_size: 5\n")
			if !paced {
				src.client.retry.Limiter = nil
			}
			w := newWarehouse()
			e.sync(src, w)
			e.checkTruth(w, Activities)
			n606, calls := e.fake.ErrorsServed()["606"], e.count("/rest/v1/activities.json")
			if calls < 150 || (paced && n606 != 0) || (!paced && n606 == 0) {
				t.Errorf("%d calls, 606 served %d times", calls, n606)
			}
		})
	}
}
