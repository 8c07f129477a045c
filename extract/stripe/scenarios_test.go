package stripe

// Scenarios 20–24 of the vendor spec's checklist (§7), against the fake.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/extract/stripe/fake"
)

// catalog creates one product with a monthly USD price.
func (e *env) catalog() fake.Price {
	p := must[fake.Product](e.t)(e.fake.CreateProduct(fake.Product{Name: "Seats", Created: e.clock.Now().Unix() - 86400*200}))
	return must[fake.Price](e.t)(e.fake.CreatePrice(fake.Price{Product: p.ID, Currency: "usd", UnitAmount: 1500,
		Created: p.Created}))
}

// subscriptions creates n subscriptions over n/5 customers; groups of three share a second.
func (e *env) subscriptions(n int, price fake.Price) []fake.Subscription {
	base := e.clock.Now().Unix() - 86400*100
	var custs []fake.Customer
	for i := 0; i < (n+4)/5; i++ {
		custs = append(custs, must[fake.Customer](e.t)(e.fake.CreateCustomer(fake.Customer{Name: fmt.Sprint("c", i),
			Currency: "usd", Created: base})))
	}
	var out []fake.Subscription
	for i := 0; i < n; i++ {
		out = append(out, must[fake.Subscription](e.t)(e.fake.CreateSubscription(fake.Subscription{
			Customer: custs[i/5].ID, Created: base + int64(i/3), Items: []fake.SubscriptionItem{{Price: price.ID, Quantity: int64(i%7 + 1)}}})))
	}
	return out
}

// requests records the API requests the fake receives.
type requests struct {
	mu  sync.Mutex
	all []fake.Request
}

func (r *requests) add(q fake.Request) {
	r.mu.Lock()
	r.all = append(r.all, q)
	r.mu.Unlock()
}

func (r *requests) to(path string) []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []url.Values
	for _, q := range r.all {
		if q.Path == path {
			out = append(out, q.Query)
		}
	}
	return out
}

// TestScenario20PagingNewestFirstWithInsert: 250 subscriptions in pages of 100 are listed in
// three pages, newest first; one created during paging does not shift the pages and arrives
// through the events replay.
func TestScenario20PagingNewestFirstWithInsert(t *testing.T) {
	e := newEnv(t, fake.Options{})
	price := e.catalog()
	subs := e.subscriptions(250, price)
	var rec requests
	var added string
	e.fake.OnRequest(func(q fake.Request) {
		rec.add(q)
		if q.Path == "/v1/subscriptions" && q.Query.Get("starting_after") != "" && added == "" {
			s := must[fake.Subscription](t)(e.fake.CreateSubscription(fake.Subscription{Customer: subs[0].Customer,
				Items: []fake.SubscriptionItem{{Price: price.ID, Quantity: 9}}}))
			added = s.ID
		}
	})
	src := e.source("objects: [subscriptions, subscription_items]\n")
	w := newWarehouse()
	bs, err := e.read(src, Subscriptions, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	lists := rec.to("/v1/subscriptions")
	if len(lists) != 3 || lists[0].Get("status") != "all" || lists[0].Get("limit") != "100" {
		t.Fatalf("listing requests: %v", lists)
	}
	// The first three batches are the three pages: 250 distinct subscriptions, newest first.
	seen := map[string]bool{}
	last := int64(1 << 62)
	n := 0
	for _, b := range bs[:3] {
		for _, r := range b.rows {
			id, created := r["id"].(string), r["created"].(int64)
			if seen[id] || created > last || id == added {
				t.Fatalf("listing: %s (created %d after %d, seen %v)", id, created, last, seen[id])
			}
			seen[id], last = true, created
			n++
		}
	}
	if n != 250 {
		t.Fatalf("listing returned %d subscriptions", n)
	}
	w.load(src.Streams()[0], bs)
	if w.tables[Subscriptions][added] == nil {
		t.Fatalf("the subscription created during paging (%s) was not picked up by the events window", added)
	}
	e.sync(src, w) // subscription_items too
	e.check(w, false, Subscriptions, SubscriptionItems)
	if len(w.live(Subscriptions)) != 251 {
		t.Errorf("%d subscriptions", len(w.live(Subscriptions)))
	}
}

// TestScenario21CursorObjectGone: the starting_after object is deleted between pages
// (resource_missing): the listing restarts from created[lte] and loses nothing. A subscription
// canceled between pages stays listed (status=all).
func TestScenario21CursorObjectGone(t *testing.T) {
	e := newEnv(t, fake.Options{})
	price := e.catalog()
	subs := e.subscriptions(250, price)
	for i := 0; i < 200; i++ { // 250 customers: three pages
		must[fake.Customer](t)(e.fake.CreateCustomer(fake.Customer{Name: fmt.Sprint("x", i), Created: e.clock.Now().Unix() - 86400 - int64(i/4)}))
	}
	// Draft invoices, ten per second, so that a restart re-reads a shared second.
	base := e.clock.Now().Unix() - 86400*50
	for i := 0; i < 230; i++ {
		must[fake.Invoice](t)(e.fake.CreateInvoice(fake.Invoice{Customer: subs[i%len(subs)].Customer, Status: "draft",
			Created: base + int64(i/10), Lines: []fake.InvoiceLine{{Price: price.ID, Quantity: 1}}}))
	}
	var rec requests
	deleted := map[string]bool{}
	canceled := ""
	e.fake.OnRequest(func(q fake.Request) {
		rec.add(q)
		after := q.Query.Get("starting_after")
		switch {
		case after == "" || deleted[after]:
		case q.Path == "/v1/customers" && len(deleted) == 0:
			deleted[after] = true
			if err := e.fake.DeleteCustomer(after); err != nil {
				t.Error(err)
			}
		case q.Path == "/v1/invoices" && !deleted["inv"]:
			deleted["inv"], deleted[after] = true, true
			if err := e.fake.DeleteInvoice(after); err != nil {
				t.Error(err)
			}
		case q.Path == "/v1/subscriptions" && canceled == "":
			canceled = after
			if err := e.fake.CancelSubscription(after); err != nil {
				t.Error(err)
			}
		}
	})
	e.clock.Advance(time.Second)
	src := e.source("objects: [customers, subscriptions, invoices]\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w, false, Customers, Subscriptions, Invoices)
	restarted := func(path string) bool {
		for _, q := range rec.to(path) {
			if q.Get("created[lte]") != "" && q.Get("starting_after") == "" {
				return true
			}
		}
		return false
	}
	if !restarted("/v1/customers") || !restarted("/v1/invoices") {
		t.Errorf("no created[lte] restart: customers %v, invoices %v", rec.to("/v1/customers"), rec.to("/v1/invoices"))
	}
	if restarted("/v1/subscriptions") {
		t.Error("a canceled subscription broke the status=all listing")
	}
	if s := w.tables[Subscriptions][canceled]; s == nil || s["status"] != "canceled" {
		t.Errorf("canceled subscription: %v", s)
	}
}

// TestScenario22InvoiceLinesHasMore: an invoice embeds 10 lines; the rest are paged from
// /v1/invoices/{id}/lines, in the listing and in the events replay.
func TestScenario22InvoiceLinesHasMore(t *testing.T) {
	e := newEnv(t, fake.Options{})
	price := e.catalog()
	subs := e.subscriptions(5, price)
	mk := func(n int, status string) fake.Invoice {
		var lines []fake.InvoiceLine
		for i := 0; i < n; i++ {
			lines = append(lines, fake.InvoiceLine{Amount: int64(i + 1), Description: fmt.Sprint("line ", i)})
		}
		return must[fake.Invoice](t)(e.fake.CreateInvoice(fake.Invoice{Customer: subs[0].Customer, Subscription: subs[0].ID,
			Status: status, Currency: "usd", Lines: lines}))
	}
	big := mk(230, "paid")
	small := mk(3, "paid")
	src := e.source("objects: [invoices, invoice_lines]\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w, false, Invoices, InvoiceLines)
	// 230 lines, 100 a page: three requests in the listing, three more for the replay of its
	// recent events (created, finalized, paid: fetched once).
	if n := e.countPath("/v1/invoices/" + big.ID + "/lines"); n != 6 {
		t.Errorf("lines of the long invoice: %d requests, want 6", n)
	}
	if n := e.countPath("/v1/invoices/" + small.ID + "/lines"); n != 0 {
		t.Errorf("lines of the short invoice: %d requests", n)
	}
	// A draft that grows past the embedded lines, seen only through events.
	e.clock.Advance(time.Hour)
	draft := mk(8, "draft")
	noErr(t, e.fake.UpdateInvoice(draft.ID, func(in *fake.Invoice) {
		for i := 0; i < 20; i++ {
			in.Lines = append(in.Lines, fake.InvoiceLine{Amount: 7, Description: "added"})
		}
	}))
	e.clock.Advance(time.Minute)
	e.sync(src, w)
	e.check(w, false, Invoices, InvoiceLines)
	if got := len(w.live(InvoiceLines)); got != 230+3+28 {
		t.Errorf("%d lines", got)
	}
}

// TestScenario23EventsGap: a cursor older than the 30-day event retention forces a full
// re-sync; a cursor within it replays events only.
func TestScenario23EventsGap(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.world(20)
	src := e.source("")
	w := newWarehouse()
	e.sync(src, w)
	listed := e.countPath("/v1/customers")

	// 20 days later: events only.
	e.clock.Advance(20 * 24 * time.Hour)
	st := e.fake.State()
	noErr(t, e.fake.UpdateCustomer(st.Customers[0].ID, func(c *fake.Customer) { c.Name = "renamed" }))
	e.sync(src, w)
	e.check(w, false)
	if n := e.countPath("/v1/customers"); n != listed {
		t.Fatalf("a 20-day-old cursor re-listed customers")
	}

	// Changes, then 31 days of silence: their events are gone when the next sync runs.
	e.clock.Advance(time.Hour)
	noErr(t, e.fake.UpdateCustomer(st.Customers[1].ID, func(c *fake.Customer) { c.Email = "gap@example.com" }))
	noErr(t, e.fake.UpdateSubscription(st.Subscriptions[0].ID, func(s *fake.Subscription) { s.Items[0].Quantity = 99 }))
	nc := must[fake.Customer](t)(e.fake.CreateCustomer(fake.Customer{Name: "during the gap", Currency: "usd"}))
	e.clock.Advance(31 * 24 * time.Hour)
	var rec requests
	e.fake.OnRequest(rec.add)
	e.sync(src, w)
	e.check(w, true)
	if len(rec.to("/v1/customers")) == 0 {
		t.Fatal("a cursor past the retention did not re-list customers")
	}
	if w.tables[Customers][nc.ID] == nil || w.tables[Customers][st.Customers[1].ID]["email"] != "gap@example.com" {
		t.Error("changes made during the gap are missing")
	}
	for _, q := range rec.to("/v1/events") {
		gte := q.Get("created[gte]")
		var since int64
		fmt.Sscan(gte, &since)
		if time.Unix(since, 0).Before(e.clock.Now().Add(-30 * 24 * time.Hour)) {
			t.Errorf("asked for events older than the retention: created[gte]=%s", gte)
		}
	}
}

// TestScenario24ShouldRetry: a 429 with Stripe-Should-Retry: true is retried; a 500 with
// Stripe-Should-Retry: false is not; a 500 without the header is.
func TestScenario24ShouldRetry(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.world(5)
	src := e.source("objects: [customers]\n")

	e.fake.Script(fake.Scripted{Path: "/v1/customers", Status: 429, Code: "rate_limit", ShouldRetry: "true", Times: 2})
	e.fake.Script(fake.Scripted{Path: "/v1/events", Status: 500})
	if _, err := e.read(src, Customers, nil, 0); err != nil {
		t.Fatalf("429 with Should-Retry true: %v", err)
	}
	if e.sleeps.Load() != 3 {
		t.Errorf("%d retry waits, want 3", e.sleeps.Load())
	}

	before := e.countPath("/v1/customers")
	e.fake.Script(fake.Scripted{Path: "/v1/customers", Status: 500, ShouldRetry: "false", Message: "boom"})
	_, err := e.read(src, Customers, nil, 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 500 || ae.Message != "boom" {
		t.Fatalf("500 with Should-Retry false: %v", err)
	}
	if n := e.countPath("/v1/customers") - before; n != 1 {
		t.Errorf("the 500 with Should-Retry false was sent %d times", n)
	}

	// A 409 lock_timeout without the header is retried; a 400 is not.
	e.fake.Script(fake.Scripted{Path: "/v1/customers", Status: 409, Code: "lock_timeout"})
	if _, err := e.read(src, Customers, nil, 0); err != nil {
		t.Errorf("409: %v", err)
	}
	e.fake.Script(fake.Scripted{Path: "/v1/customers", Status: 400, Message: "bad"})
	if _, err := e.read(src, Customers, nil, 0); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("400: %v", err)
	}
}

// TestFaultsEqualFaultFree: 429s, 5xx (Should-Retry true) and truncated bodies on 15% of the
// requests change nothing in what is loaded.
func TestFaultsEqualFaultFree(t *testing.T) {
	run := func(faults bool) (map[string]map[string]rowMap, int) {
		e := newEnv(t, fake.Options{})
		e.world(30)
		if faults {
			e.fake.SetFaults(faultsOf(0.05, 0.05, 0.05, 3))
		}
		src := e.source("page_size: 4\n")
		w := newWarehouse()
		e.sync(src, w)
		e.clock.Advance(time.Hour)
		e.mutate(1)
		e.sync(src, w)
		e.check(w, false)
		return w.tables, e.fake.Stats().Faults
	}
	clean, _ := run(false)
	faulty, injected := run(true)
	if injected < 10 {
		t.Fatalf("only %d faults injected", injected)
	}
	a, _ := json.Marshal(clean)
	b, _ := json.Marshal(faulty)
	if string(a) != string(b) {
		t.Error("the run with faults loaded different rows than the run without")
	}
}

// TestKillAndRerun: a run killed after any batch, rerun from the last cursor it emitted, ends
// with exactly the ground truth — in the listing and in the events replay.
func TestKillAndRerun(t *testing.T) {
	for _, stream := range []string{Customers, SubscriptionItems, InvoiceLines, Discounts} {
		t.Run(stream, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			e.world(12)
			src := e.source("page_size: 3\nobjects: [" + stream + "]\n")
			st := src.Streams()[0]
			// Phase 1: the full listing, killed at batch k for every k.
			clean, err := e.read(src, stream, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range killPoints(len(clean)) {
				w := newWarehouse()
				bs, err := e.read(src, stream, nil, k)
				if !errors.Is(err, errCrash) {
					t.Fatalf("kill at %d: %v", k, err)
				}
				w.load(st, bs)
				rest, err := e.read(src, stream, w.cursors[stream], 0)
				if err != nil {
					t.Fatal(err)
				}
				w.load(st, rest)
				e.check(w, false, stream)
			}
			// Phase 2: the events replay, killed at every batch.
			w := newWarehouse()
			w.load(st, clean)
			e.clock.Advance(time.Hour)
			e.mutate(1)
			e.mutate(2)
			e.clock.Advance(time.Minute)
			from := w.cursors[stream]
			all, err := e.read(src, stream, from, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range killPoints(len(all)) {
				w2 := newWarehouse()
				w2.load(st, clean)
				bs, err := e.read(src, stream, from, k)
				if !errors.Is(err, errCrash) {
					t.Fatalf("kill at %d: %v", k, err)
				}
				w2.load(st, bs)
				rest, err := e.read(src, stream, w2.cursors[stream], 0)
				if err != nil {
					t.Fatal(err)
				}
				w2.load(st, rest)
				e.check(w2, false, stream)
			}
		})
	}
}

// killPoints are the batches a kill test fails at: the first ones, some in the middle, the last.
func killPoints(n int) []int {
	seen := map[int]bool{}
	var out []int
	for _, k := range []int{1, 2, 3, n / 4, n / 2, 3 * n / 4, n - 1, n} {
		if k >= 1 && k <= n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
