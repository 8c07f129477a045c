package zuora

// Auth, rate limits, server errors, fault injection and kills, against the fake.

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/extract/zuora/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/httpretry"
)

// TestTokenExpiryMidRun: every token is expired between two pages; the connector logs in again
// and resumes from the same locator. A token past its expires_in is renewed before use.
func TestTokenExpiryMidRun(t *testing.T) {
	e, _ := seeded(t, fake.Options{TokenTTL: 2 * time.Hour}, 10, 3)
	var expired atomic.Int32
	e.fake.OnPage(func(p fake.Page) {
		if p.N == 2 && expired.Add(1) <= 2 {
			e.fake.Tokens.ExpireAll()
		}
	})
	src := e.source("batch_size: 5\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w)
	if n := e.fake.Stats().ByPath["/oauth/token"]; n != 3 {
		t.Errorf("%d logins, want 3 (the first and one per expiry)", n)
	}
	// Two hours later the token is past its expires_in: a new one is fetched up front.
	e.fake.OnPage(nil)
	e.clock.Advance(3 * time.Hour)
	before := e.fake.Stats().ByPath["/v1/action/query"]
	bs, err := e.read(src, Accounts, w.cursors[Accounts], 0)
	noErr(t, err)
	w.load(streamOf(src, Accounts), bs)
	if n := e.fake.Stats().ByPath["/oauth/token"]; n != 4 {
		t.Errorf("%d logins after the token's lifetime", n)
	}
	if n := e.fake.Stats().ByPath["/v1/action/query"] - before; n != 1 {
		t.Errorf("%d queries: the expired token was sent first", n)
	}
	// Wrong credentials are final and say so, without the secret.
	bad := newEnv(t, fake.Options{Clients: map[string]string{"other": "secret"}})
	_, err = bad.read(bad.source("objects: [accounts]\n"), Accounts, nil, 0)
	if !errors.Is(err, ErrUnauthorized) || len(bad.waits()) != 0 {
		t.Errorf("wrong credentials: %v (waits %v)", err, bad.waits())
	}
	if err != nil && strings.Contains(err.Error(), fake.DefaultClientSecret) {
		t.Errorf("the error shows the secret: %v", err)
	}
}

// TestRetryAfterAndServerErrors: 429s wait their Retry-After (or RateLimit-Reset), 5xx are
// retried with backoff — on the query, queryMore and token endpoints — and the data is whole;
// retries run out after max_attempts; a 400 fault is not retried.
func TestRetryAfterAndServerErrors(t *testing.T) {
	e, _ := seeded(t, fake.Options{}, 8, 4)
	src := e.source("batch_size: 3\nobjects: [accounts]\n")
	e.fake.Script(fake.Scripted{Path: "/oauth/token", Status: 502})
	e.fake.Script(fake.Scripted{Path: "/v1/action/query", Status: 429, RetryAfter: 7, Times: 2})
	e.fake.Script(fake.Scripted{Path: "/v1/action/queryMore", Status: 503, Times: 2})
	e.fake.Script(fake.Scripted{Path: "/v1/action/queryMore", Status: 429}) // no Retry-After: RateLimit-Reset 1
	w := newWarehouse()
	e.sync(src, w)
	e.check(w, Accounts)
	waits := e.waits()
	sevens, ones := 0, 0
	for _, d := range waits {
		switch d {
		case 7 * time.Second:
			sevens++
		case time.Second:
			ones++
		}
	}
	if len(waits) != 6 || sevens != 2 || ones != 1 {
		t.Errorf("waits %v: want 6, two of 7 s (Retry-After) and one of 1 s (RateLimit-Reset)", waits)
	}

	few := e.source("objects: [accounts]\nmax_attempts: 3\n")
	before := e.fake.Stats().ByPath["/v1/action/query"]
	e.fake.Script(fake.Scripted{Path: "/v1/action/query", Status: 500, Times: 3})
	_, err := e.read(few, Accounts, nil, 0)
	if !errors.Is(err, httpretry.ErrExhausted) {
		t.Errorf("500 three times with max_attempts 3: %v", err)
	}
	if n := e.fake.Stats().ByPath["/v1/action/query"] - before; n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	e.fake.Script(fake.Scripted{Path: "/v1/action/query", Status: 400,
		Body: `{"faultcode":"fns:MALFORMED_QUERY","faultstring":"You have an error in your ZOQL syntax"}`})
	n := len(e.waits())
	_, err = e.read(few, Accounts, nil, 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.FaultCode != "MALFORMED_QUERY" || ae.Status != 400 || len(e.waits()) != n {
		t.Errorf("a 400 fault: %v (waits %d → %d)", err, n, len(e.waits()))
	}
}

// TestRateLimitPerMinute: the fake allows 4 requests a minute; the reads wait out the 429s
// (Retry-After: the rest of the minute) and finish whole.
func TestRateLimitPerMinute(t *testing.T) {
	e, _ := seeded(t, fake.Options{RateLimitPerMinute: 4}, 10, 5)
	src := e.source("batch_size: 2\nobjects: [accounts, contacts, invoices]\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w, Accounts, Contacts, Invoices)
	if len(e.waits()) < 3 {
		t.Errorf("only %d waits under a 4/minute limit", len(e.waits()))
	}
	for _, d := range e.waits() {
		if d <= 0 || d > time.Minute {
			t.Errorf("wait %s is not the rest of a minute", d)
		}
	}
}

// TestExpiredLocatorRestartsWindow: a locator idle for 16 minutes is gone; the window's query
// runs again and the table is whole.
func TestExpiredLocatorRestartsWindow(t *testing.T) {
	e, _ := seeded(t, fake.Options{}, 12, 6)
	var q queries
	var once atomic.Bool
	e.fake.OnPage(func(p fake.Page) {
		q.add(p)
		if p.Object == "Account" && p.N == 2 && once.CompareAndSwap(false, true) {
			e.clock.Advance(16 * time.Minute)
		}
	})
	src := e.source("batch_size: 5\nobjects: [accounts]\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w, Accounts)
	if got := q.first("Account"); len(got) != 2 || got[0] != got[1] {
		t.Errorf("account queries: %v", got)
	}
}

// TestFaultsEqualFaultFree: 429s, 5xx and cut-short bodies on 13 % of the requests and a token
// expiry every 17 requests change nothing in what is loaded, over a first and a second run.
func TestFaultsEqualFaultFree(t *testing.T) {
	run := func(faults bool) (string, fakeapi.Stats) {
		e, _ := seeded(t, fake.Options{}, 25, 7)
		e.frozen = true // retry waits must not move the clock: both runs stamp the same times
		if faults {
			e.fake.SetFaults(fakeapi.Faults{RateLimitRate: 0.05, ServerErrorRate: 0.05, TruncateRate: 0.03,
				ExpireTokensEvery: 17, Seed: 9})
		}
		src := e.source("batch_size: 6\n")
		w := newWarehouse()
		e.sync(src, w)
		e.clock.Advance(time.Hour)
		mutate(t, e, 1)
		e.clock.Advance(time.Hour)
		e.sync(src, w)
		e.check(w)
		b, _ := json.Marshal(w.tables)
		return string(b), e.fake.Stats()
	}
	clean, _ := run(false)
	faulty, stats := run(true)
	if stats.Faults < 15 || stats.ByPath["/oauth/token"] < 5 {
		t.Fatalf("too few faults injected: %+v", stats)
	}
	if clean != faulty {
		t.Error("the run with faults loaded different rows than the run without")
	}
}

// TestKillAndResume: a run killed at any batch (emit cancels the read) and resumed from the
// last cursor it emitted ends with exactly the tenant — in a first read and in an incremental
// one.
func TestKillAndResume(t *testing.T) {
	for _, stream := range []string{Accounts, RatePlanCharges, InvoiceItems, Products} {
		t.Run(stream, func(t *testing.T) {
			e, _ := seeded(t, fake.Options{}, 12, 8)
			src := e.source("batch_size: 4\nobjects: [" + stream + "]\n")
			st := streamOf(src, stream)
			clean, err := e.read(src, stream, nil, 0)
			noErr(t, err)
			for _, k := range killPoints(len(clean)) {
				w := newWarehouse()
				bs, err := e.read(src, stream, nil, k)
				if !isCanceled(err) {
					t.Fatalf("kill at %d: %v", k, err)
				}
				w.load(st, bs)
				rest, err := e.read(src, stream, w.cursors[stream], 0)
				noErr(t, err)
				w.load(st, rest)
				e.check(w, stream)
			}

			e.clock.Advance(time.Hour)
			mutate(t, e, 2)
			e.clock.Advance(time.Minute)
			base := newWarehouse()
			base.load(st, clean)
			all, err := e.read(src, stream, base.cursors[stream], 0)
			noErr(t, err)
			if len(all) < 2 && stream != Products {
				t.Fatalf("the incremental read has %d batches", len(all))
			}
			for _, k := range killPoints(len(all)) {
				w := newWarehouse()
				w.load(st, clean)
				bs, err := e.read(src, stream, w.cursors[stream], k)
				if !isCanceled(err) {
					t.Fatalf("kill at %d: %v", k, err)
				}
				w.load(st, bs)
				rest, err := e.read(src, stream, w.cursors[stream], 0)
				noErr(t, err)
				w.load(st, rest)
				e.check(w, stream)
			}
		})
	}
}

// TestConcurrentReads: the runner may read several streams at once; they share one login and
// each loads whole. The tenant's records all share one UpdatedDate.
func TestConcurrentReads(t *testing.T) {
	e := newEnv(t, fake.Options{})
	must[fake.SeedResult](t)(e.fake.Seed(fake.SeedOptions{Accounts: 15, Seed: 11, SharedUpdatedDate: true}))
	e.clock.Advance(time.Second)
	src := e.source("batch_size: 9\n")
	streams := src.Streams()
	results := make([][]batch, len(streams))
	errs := make([]error, len(streams))
	var wg sync.WaitGroup
	for i, st := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.read(src, st.Name, nil, 0)
		}()
	}
	wg.Wait()
	w := newWarehouse()
	for i, st := range streams {
		noErr(t, errs[i])
		w.load(st, results[i])
	}
	e.check(w)
	if n := e.fake.Stats().ByPath["/oauth/token"]; n != 1 {
		t.Errorf("%d logins for concurrent reads, want 1", n)
	}
}
