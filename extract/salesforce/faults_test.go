package salesforce

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// world seeds the same data into any org: ids are deterministic, so two orgs seeded alike
// hold equal records.
func world(e *env) {
	e.t.Helper()
	base := t0.Add(-48 * time.Hour)
	accounts := e.accounts(1500, func(i int) time.Time {
		if i < 600 {
			return base // a bulk update: 600 accounts share one stamp
		}
		return base.Add(time.Duration(i) * 37 * time.Second)
	})
	for i := range 300 {
		opp := e.insert("Opportunity", fake.Record{"AccountId": accounts[0], "Name": fmt.Sprintf("Deal %d", i),
			"StageName": "Prospecting", "Amount": float64(1000 + i), "CloseDate": "2026-06-30", "Probability": 10.0,
			"SystemModstamp": base.Add(time.Duration(i) * time.Minute)})[0]
		e.insert("OpportunityLineItem", fake.Record{"OpportunityId": opp, "Quantity": 3.0, "UnitPrice": 99.5,
			"TotalPrice": 298.5, "ServiceDate": "2026-02-01", "SystemModstamp": base.Add(time.Duration(i) * time.Minute)})
	}
	for i := range 40 {
		e.insert("User", fake.Record{"Username": fmt.Sprintf("user%d@acme.test", i), "LastName": "User", "IsActive": true,
			"SystemModstamp": base.Add(time.Duration(i) * time.Hour)})
	}
}

// churn changes the world between runs: updates (opportunity stage changes write history),
// deletes, a purge, late and new records.
func churn(e *env) {
	e.t.Helper()
	n := 0
	for _, id := range sortedKeys(e.truth("Account").Live) {
		switch {
		case n%50 == 0:
			_ = e.org.Delete("Account", id)
		case n%7 == 0:
			_ = e.org.Update("Account", id, fake.Record{"Industry": "Changed", "AnnualRevenue": 12345.67})
		}
		n++
	}
	n = 0
	for _, id := range sortedKeys(e.truth("Opportunity").Live) {
		if n%10 == 0 {
			_ = e.org.Update("Opportunity", id, fake.Record{"StageName": "Closed Won", "IsWon": true, "Amount": 5000.0})
		}
		if n%97 == 0 {
			_ = e.org.Delete("Opportunity", id)
		}
		n++
	}
	_, _ = e.org.EmptyRecycleBin("Opportunity")
	e.insert("Account", fake.Record{"Name": "late", "SystemModstamp": e.clock.Now().Add(-3 * time.Minute)})
	e.insert("Account", fake.Record{"Name": "new"})
}

func sortedKeys(recs map[string]fake.Record) []string {
	return slices.Sorted(maps.Keys(recs))
}

var worldStreams = map[string]string{"account": "Account", "opportunity": "Opportunity",
	"opportunity_history": "OpportunityHistory", "opportunity_line_item": "OpportunityLineItem", "user": "User"}

// runWorld reads every stream of the world twice, with churn between, and returns the tables.
func runWorld(t *testing.T, faults *fakeapi.Faults) map[string]*table {
	e := newEnv(t)
	world(e)
	if faults != nil {
		e.org.SetFaults(*faults)
	}
	src := e.source(m{"objects": []string{"Account", "Opportunity", "OpportunityHistory", "OpportunityLineItem", "User"},
		"safety_lag": "1m", "lookback": "5m", "page_size": 200})
	tables := map[string]*table{}
	cursors := map[string]extract.Cursor{}
	streams := slices.Sorted(maps.Keys(worldStreams)) // a fixed order: the same faults every run
	for _, s := range streams {
		tables[s] = newTable()
		cursors[s] = e.mustRead(src, s, nil, tables[s]).cursor
	}
	e.clock.Advance(10 * time.Minute)
	churn(e)
	e.clock.Advance(10 * time.Minute)
	for _, s := range streams {
		e.mustRead(src, s, cursors[s], tables[s])
		assertTruth(t, tables[s], e.truth(worldStreams[s]))
	}
	if st := e.org.Stats(); faults != nil {
		t.Logf("%d requests, %d faults injected", st.Requests, st.Faults)
		if st.Faults < 5 {
			t.Errorf("only %d faults injected", st.Faults)
		}
	}
	return tables
}

// Faults (429 and 403 concurrency limits, 500 and 503 pages, bodies cut short, tokens expiring
// every few requests) change nothing in the result: it equals the fault-free run's, which
// equals the ground truth.
func TestFaultInjectedRunEqualsCleanRun(t *testing.T) {
	clean := runWorld(t, nil)
	faulty := runWorld(t, &fakeapi.Faults{RateLimitRate: 0.1, ServerErrorRate: 0.1, TruncateRate: 0.05,
		ExpireTokensEvery: 11, Seed: 42})
	for s := range worldStreams {
		if !reflect.DeepEqual(clean[s].rows, faulty[s].rows) {
			t.Errorf("%s: the run with faults differs from the clean run (%d vs %d rows)", s, len(faulty[s].rows), len(clean[s].rows))
		}
	}
}

// A read killed at any batch and rerun from the last committed cursor, with changes upstream
// in between, ends with exactly the ground truth.
func TestKillAndRerunFromLastCursor(t *testing.T) {
	for kill := 1; kill <= 6; kill++ {
		t.Run(fmt.Sprintf("killed at batch %d", kill), func(t *testing.T) {
			e := newEnv(t)
			base := t0.Add(-time.Hour)
			ids := e.accounts(1400, func(i int) time.Time { return base.Add(time.Duration(i/350) * time.Second) })
			src := e.source(m{"page_size": 200, "safety_lag": "1m", "lookback": "2m"})
			tb := newTable()
			first := e.read(src, "account", nil, tb, kill)
			if !errors.Is(first.err, errKilled) {
				t.Fatalf("Read = %v, want the kill", first.err)
			}
			e.clock.Advance(3 * time.Minute)
			_ = e.org.Update("Account", ids[1300], fake.Record{"Name": "moved"})
			_ = e.org.Delete("Account", ids[10])
			_ = e.org.SetStamp("Account", base, ids[1000]) // re-stamped into the past
			e.insert("Account", fake.Record{"Name": "new", "SystemModstamp": base})
			e.clock.Advance(3 * time.Minute)
			second := e.mustRead(src, "account", first.cursor, tb)
			e.clock.Advance(3 * time.Minute)
			e.mustRead(src, "account", second.cursor, tb)
			assertTruth(t, tb, e.truth("Account"))
		})
	}
}

// Retries wait the server's Retry-After when it names one, else an exponential backoff with
// jitter; requests_per_second spaces requests.
func TestRetryDelays(t *testing.T) {
	e := newEnv(t)
	e.accounts(10, func(int) time.Time { return t0.Add(-time.Hour) })
	e.org.SetFaults(fakeapi.Faults{RateLimitRate: 0.6, ServerErrorRate: 0.3, Seed: 5, Paths: []string{"/queryAll"}})
	var mu sync.Mutex
	var waits []time.Duration
	src, err := NewWithOptions(extract.Config{Name: "crm", Decode: decodeFrom(e.config(m{"requests_per_second": 1000, "max_attempts": 30})), Now: e.clock.Now},
		Options{Allocator: e.mem, HTTPClient: e.srv.Client(), BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second,
			Sleep: func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				return ctx.Err()
			}})
	if err != nil {
		t.Fatal(err)
	}
	tb := newTable()
	e.mustRead(src, "account", nil, tb)
	assertTruth(t, tb, e.truth("Account"))
	retryAfter, backoff := 0, 0
	for _, d := range waits {
		switch {
		case d == time.Second:
			retryAfter++ // the edge proxy's 429 says Retry-After: 1
		case d >= 50*time.Millisecond && d <= time.Second:
			backoff++
		default:
			t.Errorf("waited %s", d)
		}
	}
	if retryAfter == 0 || backoff == 0 {
		t.Errorf("waits = %v, want both Retry-After and backoff delays", waits)
	}
}
