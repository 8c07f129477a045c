package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// §7 row 1: 5,000 records share one SystemModstamp, spread over 3 pages. The keyset cursor
// (stamp, Id) loses nothing and duplicates nothing, even when the read is killed between
// pages and resumed from the last committed cursor.
func TestScenario01SharedStamp(t *testing.T) {
	e := newEnv(t)
	stamp := t0.Add(-time.Hour)
	ids := e.accounts(5000, func(int) time.Time { return stamp })
	src := e.source(m{"page_size": 2000})

	tb := newTable()
	full := e.mustRead(src, "account", nil, tb)
	if got := full.batches[:3]; got[0] != 2000 || got[1] != 2000 || got[2] != 1000 {
		t.Errorf("pages = %v, want 2000, 2000, 1000 first", full.batches)
	}
	if full.rows() != 5000 || unique(full.ids) != 5000 {
		t.Errorf("emitted %d rows (%d distinct), want 5000 once each", full.rows(), unique(full.ids))
	}
	assertTruth(t, tb, e.truth("Account"))

	// Kill after the first page: its cursor is (stamp, 2000th id); the rerun reads the other
	// 3,000 exactly (lookback 0), though every one of them has the cursor's stamp.
	tb = newTable()
	killed := e.read(src, "account", nil, tb, 2)
	if !errors.Is(killed.err, errKilled) {
		t.Fatalf("killed read returned %v, want emit's error unchanged", killed.err)
	}
	var st state
	if err := json.Unmarshal(killed.cursor, &st); err != nil {
		t.Fatal(err)
	}
	if st.TS != stamp.Format(time.RFC3339Nano) || st.ID != ids[1999] {
		t.Errorf("cursor after page 1 = %s, want ts %s and id %s", killed.cursor, stamp.Format(time.RFC3339), ids[1999])
	}
	rest := e.mustRead(src, "account", killed.cursor, tb)
	if rest.rows() != 3000 || unique(rest.ids) != 3000 {
		t.Errorf("rerun emitted %d rows (%d distinct), want the other 3000 once each", rest.rows(), unique(rest.ids))
	}
	assertTruth(t, tb, e.truth("Account"))
}

// §7 row 2: records updated mid-pagination move above the window's upper bound. The page
// shows their new values; the cursor never passes a record not yet emitted, so a kill right
// after that page loses nothing; the next window reads them again.
func TestScenario02UpdatedMidPagination(t *testing.T) {
	e := newEnv(t)
	ids := e.accounts(7000, func(i int) time.Time { return t0.Add(-3 * time.Hour).Add(time.Duration(i) * time.Second) })
	// Pages: 0–1999, 2000–3999, 4000–5999, 6000–6999. Before page 3 is served, update a record
	// of page 3 (its stamp moves to now, above the window) and one of page 1.
	e.org.OnPage(func(ev fake.PageEvent) {
		if ev.Object == "Account" && ev.Page == 3 {
			for _, id := range []string{ids[4500], ids[100]} {
				if err := e.org.Update("Account", id, fake.Record{"Name": "renamed " + id}); err != nil {
					t.Error(err)
				}
			}
		}
	})
	src := e.source(m{"page_size": 2000})
	tb := newTable()
	killed := e.read(src, "account", nil, tb, 4) // killed when page 4 is emitted
	if !errors.Is(killed.err, errKilled) {
		t.Fatalf("Read: %v", killed.err)
	}
	if got := tb.rows[ids[4500]]["name"]; got != "renamed "+ids[4500] {
		t.Errorf("record updated mid-pagination has name %v in its page, want its current value", got)
	}
	e.org.OnPage(nil)
	var st state
	_ = json.Unmarshal(killed.cursor, &st)
	if st.ID != ids[5999] {
		t.Errorf("cursor after page 3 = %s, want the last record of page 3 still in the window (%s)", killed.cursor, ids[5999])
	}
	rerun := e.mustRead(src, "account", killed.cursor, tb)
	if rerun.rows() < 1000 {
		t.Errorf("rerun emitted %d rows, want page 4's 1000 and more", rerun.rows())
	}
	e.clock.Advance(10 * time.Minute)
	e.mustRead(src, "account", rerun.cursor, tb)
	assertTruth(t, tb, e.truth("Account"))
}

// §7 row 3: a record committed late, with a stamp below the saved cursor, is caught by the
// lookback; a record committed late within the safety lag is caught because the window stops
// short of now. Without either, it is lost (the control case shows the scenario is real).
func TestScenario03LateCommit(t *testing.T) {
	cases := []struct {
		name      string
		lag, back string
		stampAgo  time.Duration // the late record's stamp, before the first run's now
		wantFound bool
	}{
		{"lookback catches a stamp below the cursor", "2m", "5m", 4 * time.Minute, true},
		{"safety lag catches a stamp after the window", "2m", "0s", time.Minute, true},
		{"neither: lost", "0s", "0s", 4 * time.Minute, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.accounts(50, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Minute) })
			src := e.source(m{"safety_lag": c.lag, "lookback": c.back})
			tb := newTable()
			first := e.mustRead(src, "account", nil, tb)
			late := e.insert("Account", fake.Record{"Name": "late", "SystemModstamp": t0.Add(-c.stampAgo)})[0]
			e.clock.Advance(10 * time.Minute)
			e.mustRead(src, "account", first.cursor, tb)
			_, found := tb.rows[late]
			if found != c.wantFound {
				t.Fatalf("late record found = %v, want %v", found, c.wantFound)
			}
			if c.wantFound {
				assertTruth(t, tb, e.truth("Account"))
			}
		})
	}
}

// §7 row 4: soft deletes arrive through queryAll with IsDeleted true; records purged from the
// recycle bin (or hard-deleted) before the next run are reconciled from getDeleted; a delete
// log that no longer reaches the previous run asks for a full refresh.
func TestScenario04SoftDelete(t *testing.T) {
	setup := func(t *testing.T) (*env, *Source, []string, *table, result) {
		e := newEnv(t)
		ids := e.accounts(30, func(i int) time.Time { return t0.Add(-2 * time.Hour).Add(time.Duration(i) * time.Minute) })
		src := e.source(m{"safety_lag": "1m", "lookback": "2m"})
		tb := newTable()
		first := e.mustRead(src, "account", nil, tb)
		e.clock.Advance(5 * time.Minute)
		return e, src, ids, tb, first
	}
	t.Run("deleted rows come with is_deleted", func(t *testing.T) {
		e, src, ids, tb, first := setup(t)
		if err := e.org.Delete("Account", ids[3]); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(5 * time.Minute)
		second := e.mustRead(src, "account", first.cursor, tb)
		if tb.rows[ids[3]]["is_deleted"] != "true" || tb.rows[ids[3]]["name"] == nil {
			t.Errorf("deleted row = %v, want is_deleted true with its data", tb.rows[ids[3]])
		}
		assertTruth(t, tb, e.truth("Account"))

		// Purged after it was seen: it stays deleted in the table and the run is clean.
		if n, _ := e.org.EmptyRecycleBin("Account"); n != 1 {
			t.Fatalf("purged %d records, want 1", n)
		}
		e.clock.Advance(5 * time.Minute)
		e.mustRead(src, "account", second.cursor, tb)
		if _, ok := e.truth("Account").Deleted[ids[3]]; ok {
			t.Fatal("the purged record is still in the recycle bin")
		}
		assertTruth(t, tb, e.truth("Account"))
	})
	t.Run("deleted and purged between runs: tombstone from getDeleted", func(t *testing.T) {
		e, src, ids, tb, first := setup(t)
		_ = e.org.Delete("Account", ids[5])
		_, _ = e.org.EmptyRecycleBin("Account")
		_ = e.org.HardDelete("Account", ids[6])
		_ = e.org.Delete("Account", ids[7])
		_ = e.org.Undelete("Account", ids[7]) // deleted then restored: stays live
		e.clock.Advance(5 * time.Minute)
		e.mustRead(src, "account", first.cursor, tb)
		for _, id := range ids[5:7] {
			if tb.rows[id]["is_deleted"] != "true" {
				t.Errorf("record %s deleted and gone upstream has is_deleted %v, want true", id, tb.rows[id]["is_deleted"])
			}
		}
		assertTruth(t, tb, e.truth("Account"))
	})
	t.Run("opportunity delete cascades to line items", func(t *testing.T) {
		e := newEnv(t)
		opp := e.insert("Opportunity", fake.Record{"Name": "Big deal", "StageName": "Prospecting", "Amount": 1000.0,
			"CloseDate": "2026-03-31", "SystemModstamp": t0.Add(-time.Hour)})[0]
		e.insert("OpportunityLineItem",
			fake.Record{"OpportunityId": opp, "Quantity": 2.0, "UnitPrice": 250.0, "TotalPrice": 500.0, "SystemModstamp": t0.Add(-time.Hour)},
			fake.Record{"OpportunityId": opp, "Quantity": 1.0, "UnitPrice": 500.0, "TotalPrice": 500.0, "SystemModstamp": t0.Add(-time.Hour)})
		src := e.source(m{"objects": []string{"Opportunity", "OpportunityLineItem", "OpportunityHistory"}, "safety_lag": "1m"})
		tables := map[string]*table{}
		cursors := map[string][]byte{}
		for _, s := range []string{"opportunity", "opportunity_line_item", "opportunity_history"} {
			tables[s] = newTable()
			cursors[s] = e.mustRead(src, s, nil, tables[s]).cursor
		}
		e.clock.Advance(5 * time.Minute)
		_ = e.org.Delete("Opportunity", opp)
		for _, o := range []string{"Opportunity", "OpportunityLineItem", "OpportunityHistory"} {
			_, _ = e.org.EmptyRecycleBin(o)
		}
		e.clock.Advance(5 * time.Minute)
		for s, o := range map[string]string{"opportunity": "Opportunity", "opportunity_line_item": "OpportunityLineItem", "opportunity_history": "OpportunityHistory"} {
			e.mustRead(src, s, cursors[s], tables[s])
			if len(tables[s].rows) == 0 {
				t.Errorf("%s: no rows", s)
			}
			for id, row := range tables[s].rows {
				if row["is_deleted"] != "true" {
					t.Errorf("%s %s: is_deleted %v after the cascade, want true", s, id, row["is_deleted"])
				}
			}
			assertTruth(t, tables[s], e.truth(o))
		}
	})
	t.Run("delete log purged: full refresh asked", func(t *testing.T) {
		e, src, ids, tb, first := setup(t)
		_ = e.org.Delete("Account", ids[9])
		_, _ = e.org.EmptyRecycleBin("Account")
		e.clock.Advance(5 * time.Minute)
		if err := e.org.PurgeDeleteLog("Account", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		res := e.read(src, "account", first.cursor, tb, 0)
		var rs *ResyncError
		if !errors.Is(res.err, ErrResync) || !errors.As(res.err, &rs) {
			t.Fatalf("Read = %v, want a ResyncError", res.err)
		}
		// Full refresh: the loader replaces the table with what one read from nil emits.
		tb = newTable()
		e.mustRead(src, "account", nil, tb)
		assertTruth(t, tb, e.truth("Account"))
	})
}

// §7 row 5: the session expires mid-run (401 INVALID_SESSION_ID on a nextRecordsUrl): the
// connector logs in once more and requests the same nextRecordsUrl again.
func TestScenario05SessionExpiredMidRun(t *testing.T) {
	e := newEnv(t)
	e.accounts(5000, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i%60) * time.Second) })
	e.org.OnPage(func(ev fake.PageEvent) {
		if ev.Page == 2 && !ev.Bulk {
			e.org.Tokens.ExpireAll()
		}
	})
	src := e.source(m{"page_size": 2000})
	tb := newTable()
	res := e.mustRead(src, "account", nil, tb)
	if res.rows() != 5000 || unique(res.ids) != 5000 {
		t.Errorf("emitted %d rows (%d distinct), want 5000 once each", res.rows(), unique(res.ids))
	}
	assertTruth(t, tb, e.truth("Account"))
	stats := e.org.Stats()
	if n := stats.ByPath["/services/oauth2/token"]; n != 2 {
		t.Errorf("token requests = %d, want 2 (login, then one re-login)", n)
	}
	if n := stats.ByPath["/services/data/v62.0/queryAll"]; n != 1 {
		t.Errorf("queries started = %d, want 1 (resumed from the same nextRecordsUrl)", n)
	}
	twice := 0
	for path, n := range stats.ByPath {
		if strings.Contains(path, "/query/01g") && n == 2 {
			twice++
		}
	}
	if twice != 1 {
		t.Errorf("locator requests = %v, want exactly one sent twice", stats.ByPath)
	}
}

// §7 row 6: 403 REQUEST_LIMIT_EXCEEDED stops the run cleanly with a typed error; the batches
// emitted before keep their cursor and the next day's run completes from it. api_reserve
// stops a run before Salesforce does.
func TestScenario06RequestLimitExceeded(t *testing.T) {
	e := newEnv(t)
	e.accounts(5000, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Second / 2) })
	// describe (1), query (2), page 2 (3), page 3 (4): the fourth request is refused.
	e.org.SetKnobs(fake.Knobs{APIRequestsMax: 3})
	src := e.source(m{"page_size": 2000})
	tb := newTable()
	res := e.read(src, "account", nil, tb, 0)
	var le *LimitError
	if !errors.Is(res.err, ErrRequestLimit) || !errors.As(res.err, &le) {
		t.Fatalf("Read = %v, want a LimitError", res.err)
	}
	if res.rows() != 4000 {
		t.Errorf("emitted %d rows before the limit, want 4000 (two pages)", res.rows())
	}
	if n := e.org.Stats().Requests; n != 5 {
		t.Errorf("requests = %d, want 5 (token, describe, query, page 2, refused page 3: no retry)", n)
	}
	e.clock.Advance(24 * time.Hour) // the daily window rolls over
	e.mustRead(src, "account", res.cursor, tb)
	assertTruth(t, tb, e.truth("Account"))

	t.Run("api_reserve", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(10, func(int) time.Time { return t0.Add(-time.Hour) })
		e.org.SetKnobs(fake.Knobs{APIRequestsMax: 100})
		e.org.SetAPIUsage(97)
		src := e.source(m{"api_reserve": 4})
		res := e.read(src, "account", nil, newTable(), 0)
		if !errors.As(res.err, &le) || le.Reserve != 4 {
			t.Fatalf("Read = %v, want a LimitError from the reserve", res.err)
		}
	})
}

// §7 row 7: QUERY_TIMEOUT narrows the window (halving it); a one-second window that still
// times out goes to Bulk, or fails when Bulk is off.
func TestScenario07QueryTimeout(t *testing.T) {
	t.Run("spread stamps: windows halve", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(6000, func(i int) time.Time { return t0.Add(-6 * 24 * time.Hour).Add(time.Duration(i) * 86 * time.Second) })
		e.org.SetKnobs(fake.Knobs{QueryTimeoutAbove: 1500})
		tb := newTable()
		res := e.mustRead(e.source(m{"bulk": "off"}), "account", nil, tb)
		if res.rows() != 6000 || unique(res.ids) != 6000 {
			t.Errorf("emitted %d rows (%d distinct), want 6000 once each", res.rows(), unique(res.ids))
		}
		assertTruth(t, tb, e.truth("Account"))
		if n := e.org.Stats().ByPath["/services/data/v62.0/queryAll"]; n < 6 {
			t.Errorf("%d queries, want several narrowed windows", n)
		}
	})
	t.Run("one stamp: Bulk", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(3000, func(int) time.Time { return t0.Add(-time.Hour) })
		e.org.SetKnobs(fake.Knobs{QueryTimeoutAbove: 1500})
		tb := newTable()
		res := e.mustRead(e.source(nil), "account", nil, tb)
		if res.rows() != 3000 || unique(res.ids) != 3000 {
			t.Errorf("emitted %d rows (%d distinct), want 3000 once each", res.rows(), unique(res.ids))
		}
		assertTruth(t, tb, e.truth("Account"))
		if n := e.org.Stats().ByPath["/services/data/v62.0/jobs/query"]; n != 1 {
			t.Errorf("%d Bulk jobs created, want 1", n)
		}
	})
	t.Run("one stamp, bulk off: error", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(3000, func(int) time.Time { return t0.Add(-time.Hour) })
		e.org.SetKnobs(fake.Knobs{QueryTimeoutAbove: 1500})
		res := e.read(e.source(m{"bulk": "off"}), "account", nil, newTable(), 0)
		if res.err == nil || !isCode(res.err, "QUERY_TIMEOUT") || !strings.Contains(res.err.Error(), "bulk") {
			t.Fatalf("Read = %v, want a QUERY_TIMEOUT error naming bulk", res.err)
		}
	})
}

// §7 row 8: Bulk API 2.0: the job is InProgress, then JobComplete; 3 result pages, the last
// with Sforce-Locator null; a page cut short is requested again. Every row arrives once.
func TestScenario08Bulk(t *testing.T) {
	e := newEnv(t)
	e.accounts(2500, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Second) })
	e.org.SetKnobs(fake.Knobs{BulkInProgressPolls: 3})
	e.org.SetFaults(fakeapi.Faults{TruncateRate: 0.5, Seed: 7, Paths: []string{"/results"}})
	tb := newTable()
	res := e.mustRead(e.source(m{"bulk": "always", "bulk_max_records": 1000}), "account", nil, tb)
	if res.rows() != 2500 || unique(res.ids) != 2500 {
		t.Errorf("emitted %d rows (%d distinct), want 2500 once each", res.rows(), unique(res.ids))
	}
	if got := res.batches[:3]; got[0] != 1000 || got[1] != 1000 || got[2] != 500 {
		t.Errorf("batches = %v, want the pages 1000, 1000, 500 first", res.batches)
	}
	assertTruth(t, tb, e.truth("Account"))
	stats := e.org.Stats()
	results, polls := 0, 0
	for path, n := range stats.ByPath {
		switch {
		case strings.HasSuffix(path, "/results"):
			results += n
		case strings.Contains(path, "/jobs/query/"):
			polls += n
		}
	}
	if results <= 3 || stats.Faults == 0 {
		t.Errorf("results requests = %d with %d faults, want a page re-requested", results, stats.Faults)
	}
	if polls < 4 {
		t.Errorf("job requests = %d, want 3 InProgress polls, JobComplete and the delete", polls)
	}

	t.Run("over bulk_threshold after the first REST page", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(4500, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i%600) * time.Second) })
		tb := newTable()
		res := e.mustRead(e.source(m{"bulk_threshold": 3000}), "account", nil, tb)
		if res.rows() != 4500 || unique(res.ids) != 4500 || res.batches[0] != 2000 {
			t.Errorf("emitted %d rows (%d distinct) in %v, want a REST page of 2000 then Bulk, each once", res.rows(), unique(res.ids), res.batches)
		}
		assertTruth(t, tb, e.truth("Account"))
	})
	t.Run("over bulk_threshold, Bulk refuses: REST goes on from page 2", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(4500, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i%600) * time.Second) })
		e.org.SetKnobs(fake.Knobs{BulkUnsupported: []string{"Account"}})
		tb := newTable()
		res := e.mustRead(e.source(m{"bulk_threshold": 3000}), "account", nil, tb)
		if fmt.Sprint(res.batches[:min(3, len(res.batches))]) != "[2000 2000 500]" || unique(res.ids) != 4500 {
			t.Errorf("emitted %d distinct rows in %v, want the three REST pages", unique(res.ids), res.batches)
		}
		if n := e.org.Stats().ByPath["/services/data/v62.0/queryAll"]; n != 1 {
			t.Errorf("queries started = %d, want 1 (REST resumed at nextRecordsUrl)", n)
		}
		assertTruth(t, tb, e.truth("Account"))
	})
	t.Run("failed job falls back to REST", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(300, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Second) })
		e.org.SetKnobs(fake.Knobs{BulkFail: []string{"Account"}})
		tb := newTable()
		e.mustRead(e.source(m{"bulk": "always"}), "account", nil, tb)
		assertTruth(t, tb, e.truth("Account"))
	})
	t.Run("unsupported object falls back to REST", func(t *testing.T) {
		e := newEnv(t)
		e.accounts(300, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Second) })
		e.org.SetKnobs(fake.Knobs{BulkUnsupported: []string{"Account"}})
		tb := newTable()
		e.mustRead(e.source(m{"bulk": "always"}), "account", nil, tb)
		assertTruth(t, tb, e.truth("Account"))
	})
}

// §7 row 9: batchSize is a hint: asked for 2,000, the server returns 1,137 per page; the
// connector follows nextRecordsUrl and never counts rows.
func TestScenario09PageSizeHint(t *testing.T) {
	e := newEnv(t)
	e.accounts(5000, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i%100) * time.Second) })
	e.org.SetKnobs(fake.Knobs{MaxPageRecords: 1137})
	tb := newTable()
	res := e.mustRead(e.source(m{"page_size": 2000}), "account", nil, tb)
	want := []int{1137, 1137, 1137, 1137, 452}
	for i, n := range want {
		if i >= len(res.batches) || res.batches[i] != n {
			t.Fatalf("batches = %v, want pages %v", res.batches, want)
		}
	}
	if res.rows() != 5000 || unique(res.ids) != 5000 {
		t.Errorf("emitted %d rows (%d distinct), want 5000 once each", res.rows(), unique(res.ids))
	}
	assertTruth(t, tb, e.truth("Account"))
}

// §7 row 10: User has no IsDeleted: the SELECT list comes from describe (selecting IsDeleted
// would fail with INVALID_FIELD), the stream declares no deleted field, and users are read
// with query, not queryAll. Custom fields come from describe too.
func TestScenario10SelectFromDescribe(t *testing.T) {
	e := newEnv(t)
	for i := range 5 {
		e.insert("User", fake.Record{"Username": "u" + string(rune('a'+i)) + "@acme.test", "LastName": "User", "IsActive": i%2 == 0})
	}
	if err := e.org.AddField("Account", fake.Field{Name: "Renewal_Date__c", Type: "date"}); err != nil {
		t.Fatal(err)
	}
	e.insert("Account", fake.Record{"Name": "Acme", "Renewal_Date__c": "2026-09-30"})
	e.clock.Advance(time.Minute)
	src := e.source(m{"objects": []string{"User", "Account"}})
	for _, s := range src.Streams() {
		if s.Name == "user" && s.DeletedField != "" {
			t.Errorf("user stream declares deleted field %q", s.DeletedField)
		}
	}
	users := newTable()
	e.mustRead(src, "user", nil, users)
	if _, ok := users.fields["is_deleted"]; ok {
		t.Error("user rows have an is_deleted column")
	}
	assertTruth(t, users, e.truth("User"))
	if n := e.org.Stats().ByPath["/services/data/v62.0/query"]; n != 1 {
		t.Errorf("User read with %d query calls, want 1 (not queryAll)", n)
	}
	accounts := newTable()
	e.mustRead(src, "account", nil, accounts)
	if f, ok := accounts.fields["renewal_date__c"]; !ok || f.Type.String() != "date32" {
		t.Errorf("renewal_date__c = %v, want a date32 column from describe", f)
	}
	assertTruth(t, accounts, e.truth("Account"))
}

// An expired query locator (INVALID_QUERY_LOCATOR: idle over 15 minutes, or evicted from the
// 10 open cursors) restarts the window after the last record emitted.
func TestExpiredLocatorRestartsWindow(t *testing.T) {
	e := newEnv(t)
	e.accounts(5000, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i%90) * time.Second) })
	e.org.OnPage(func(ev fake.PageEvent) {
		if ev.Page == 2 {
			e.clock.Advance(16 * time.Minute) // the next page's locator has expired
		}
	})
	src := e.source(m{"page_size": 2000})
	tb := newTable()
	res := e.mustRead(src, "account", nil, tb)
	if res.rows() != 5000 || unique(res.ids) != 5000 {
		t.Errorf("emitted %d rows (%d distinct), want 5000 once each", res.rows(), unique(res.ids))
	}
	if n := e.org.Stats().ByPath["/services/data/v62.0/queryAll"]; n < 2 {
		t.Errorf("%d queries, want the window restarted", n)
	}
	assertTruth(t, tb, e.truth("Account"))
}

// Read returns ctx.Err() promptly when ctx ends mid-read.
func TestReadCanceled(t *testing.T) {
	e := newEnv(t)
	e.accounts(3000, func(i int) time.Time { return t0.Add(-time.Hour) })
	ctx, cancel := context.WithCancel(context.Background())
	e.org.OnPage(func(fake.PageEvent) { cancel() })
	src := e.source(m{"page_size": 1000})
	err := src.Read(ctx, "account", nil, func(_ context.Context, b extract.Batch) error {
		b.Records.Release()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Read = %v, want context.Canceled", err)
	}
}

// Reads of several streams may run at once and share one session, through token expiry.
func TestConcurrentReads(t *testing.T) {
	e := newEnv(t)
	world(e)
	e.org.SetFaults(fakeapi.Faults{ExpireTokensEvery: 7, ServerErrorRate: 0.05, Seed: 3})
	src := e.source(m{"objects": []string{"Account", "Opportunity", "OpportunityHistory", "OpportunityLineItem", "User"}, "page_size": 300})
	var wg sync.WaitGroup
	tables := map[string]*table{}
	errs := make(chan error, len(worldStreams))
	for s := range worldStreams {
		tb := newTable()
		tables[s] = tb
		wg.Go(func() {
			var mu sync.Mutex
			err := src.Read(context.Background(), s, nil, func(_ context.Context, b extract.Batch) error {
				defer b.Records.Release()
				mu.Lock()
				defer mu.Unlock()
				tb.apply(t, b.Records)
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("%s: %w", s, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for s, o := range worldStreams {
		assertTruth(t, tables[s], e.truth(o))
	}
}

// An object the org lacks fails the read with a message naming it.
func TestUnknownObject(t *testing.T) {
	e := newEnv(t)
	res := e.read(e.source(m{"objects": []string{"Invoice__c"}}), "invoice__c", nil, newTable(), 0)
	if !isCode(res.err, "NOT_FOUND") || !strings.Contains(res.err.Error(), "Invoice__c") {
		t.Fatalf("Read = %v, want NOT_FOUND naming the object", res.err)
	}
	// Once the custom object exists, it reads like any other.
	if err := e.org.AddObject("Invoice__c", fake.Field{Name: "Amount__c", Type: "currency"}, fake.Field{Name: "Account__c", Type: "reference", ReferenceTo: []string{"Account"}}); err != nil {
		t.Fatal(err)
	}
	e.insert("Invoice__c", fake.Record{"Name": "INV-1", "Amount__c": 99.99}, fake.Record{"Name": "INV-2"})
	e.clock.Advance(time.Minute)
	tb := newTable()
	e.mustRead(e.source(m{"objects": []string{"Invoice__c"}}), "invoice__c", nil, tb)
	if _, ok := tb.fields["amount__c"]; !ok {
		t.Errorf("columns = %v, want amount__c", tb.fields)
	}
	assertTruth(t, tb, e.truth("Invoice__c"))
}
