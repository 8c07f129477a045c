package chargebee

// The cursor scenarios of the vendor spec (§5, §7 row 25) against the fake, over HTTP.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/extract/chargebee/fake"
	"github.com/revops/revops/internal/fakeapi"
)

var offsetShape = regexp.MustCompile(`^\["\d+","\d+"\]$`)

// customers creates n customers without moving the clock: they share one updated_at.
func (e *env) customers(n int, prefix string) []fake.Customer {
	e.t.Helper()
	var out []fake.Customer
	for i := 0; i < n; i++ {
		out = append(out, must[fake.Customer](e.t)(e.fake.CreateCustomer(fake.Customer{
			Email: fmt.Sprintf("%s%d@example.com", prefix, i), PreferredCurrencyCode: "USD", PromotionalCredits: int64(i)})))
	}
	return out
}

// tamper is a transport that re-encodes every offset it forwards (same JSON, with a space).
type tamper struct{ next http.RoundTripper }

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	if off := q.Get("offset"); off != "" {
		var parts []string
		if json.Unmarshal([]byte(off), &parts) == nil && len(parts) == 2 {
			q.Set("offset", `["`+parts[0]+`", "`+parts[1]+`"]`)
			r = r.Clone(r.Context())
			r.URL.RawQuery = q.Encode()
		}
	}
	return t.next.RoundTrip(r)
}

// TestScenario25NextOffsetPassedBackVerbatim: next_offset is a JSON-array string; the connector
// sends it back unchanged (the fake only accepts offsets it issued), and a client that
// re-encodes it fails with Chargebee's 400.
func TestScenario25NextOffsetPassedBackVerbatim(t *testing.T) {
	e := newEnv(t, fake.Options{})
	for i := 0; i < 5; i++ {
		e.customers(50, fmt.Sprint("s", i))
		e.clock.Advance(time.Second)
	}
	var rec requests
	e.fake.OnPage(rec.add)
	src := e.source("objects: [customers]\n")
	w := newWarehouse(t)
	e.sync(src, w)
	e.check(w, true, Customers)
	pages := rec.of("customers")
	if len(pages) != 3 {
		t.Fatalf("%d list requests for 250 customers in pages of 100, want 3", len(pages))
	}
	for i, p := range pages {
		q := p.Query
		if q.Get("limit") != "100" || q.Get("sort_by[asc]") != "updated_at" || q.Get("include_deleted") != "true" ||
			q.Get("updated_at[after]") != "" || p.Number != i+1 {
			t.Errorf("request %d: %v", i, q)
		}
		if (i == 0) != (p.Offset == "") || (i > 0 && !offsetShape.MatchString(p.Offset)) {
			t.Errorf("request %d: offset %q", i, p.Offset)
		}
	}

	// The same read through a transport that re-encodes the offset: the fake refuses it and
	// the error names the parameter; a 400 is not retried.
	f := NewWith(Options{HTTP: &http.Client{Transport: tamper{http.DefaultTransport}}, Sleep: e.sleep, Allocator: e.mem})
	bad := must[*source](t)(func() (*source, error) {
		s, err := f(extractConfig(e.url, "objects: [customers]\n", e.clock))
		if err != nil {
			return nil, err
		}
		return s.(*source), nil
	}())
	before := e.fake.Stats().Requests
	_, err := e.read(bad, Customers, nil, 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Param != "offset" || ae.APIErrorCode != "invalid_request" {
		t.Fatalf("re-encoded offset: %v", err)
	}
	if n := e.fake.Stats().Requests - before; n != 2 {
		t.Errorf("%d requests, want 2 (page 1, then the refused page 2 once)", n)
	}
}

// TestEqualUpdatedAtAcrossPages: 250 customers share one updated_at across three pages; a run
// killed after each page resumes without loss or duplicates; customers created later in the
// same second are picked up by the overlap, and nothing already loaded is read again.
func TestEqualUpdatedAtAcrossPages(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.customers(250, "same")
	src := e.source("objects: [customers]\n")
	st := src.Streams()[0]
	for _, k := range []int{1, 2} {
		w := newWarehouse(t)
		bs, err := e.read(src, Customers, nil, k)
		if !errors.Is(err, context.Canceled) || len(bs) != k {
			t.Fatalf("kill after %d: %d batches, %v", k, len(bs), err)
		}
		w.load(st, bs)
		e.sync(src, w)
		e.check(w, true, Customers)
		if w.rows != 250 {
			t.Errorf("kill after %d: %d rows loaded, want 250 exactly once each", k, w.rows)
		}
	}
	w := newWarehouse(t)
	e.sync(src, w)
	// A rerun in the same second: nothing new.
	before := w.rows
	e.sync(src, w)
	if w.rows != before {
		t.Errorf("a rerun loaded %d rows again", w.rows-before)
	}
	// Five more customers committed in that same second after the run: the overlap finds
	// exactly them.
	late := e.customers(5, "late")
	e.sync(src, w)
	if got := w.rows - before; got != 5 {
		t.Errorf("late customers of the same second: %d rows, want 5", got)
	}
	for _, c := range late {
		if w.tables[Customers][c.ID] == nil {
			t.Errorf("late customer %s missing", c.ID)
		}
	}
	// A customer changed again within that same second: a new resource_version, read again.
	before = w.rows
	must[fake.Customer](t)(e.fake.UpdateCustomer(late[0].ID, func(c *fake.Customer) { c.Company = "same second" }))
	e.sync(src, w)
	if got := w.rows - before; got != 1 || w.tables[Customers][late[0].ID]["company"] != "same second" {
		t.Errorf("a change within the same second: %d rows, %v", got, w.tables[Customers][late[0].ID])
	}
	e.check(w, true, Customers)
	var cur cursor
	noErr(t, json.Unmarshal(w.cursors[Customers], &cur))
	if cur.UpdatedAt != e.clock.Now().Unix() || len(cur.Seen) != 255 {
		t.Errorf("cursor: updated_at %d, %d seen", cur.UpdatedAt, len(cur.Seen))
	}
}

// TestChangesBetweenPages: records updated, deleted and created while a listing is paged are
// all in its result (a changed record moves to the end and is read again); a second run then
// reads nothing.
func TestChangesBetweenPages(t *testing.T) {
	for _, stream := range []string{Customers, Subscriptions, SubscriptionItems, Invoices, InvoiceLineItems} {
		t.Run(stream, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			e.seed(30, fake.SeedOptions{})
			e.clock.Advance(time.Hour)
			src := e.source("page_size: 5\nobjects: [" + stream + "]\n")
			st := src.Streams()[0]
			tr := e.fake.Truth()
			done := false
			e.fake.OnPage(func(p fake.Page) {
				if p.Number != 3 || done {
					return
				}
				done = true
				e.clock.Advance(time.Second)
				switch p.Resource {
				case "customers":
					// Oldest first: Customers[...] sorted by id; pick by updated_at instead.
					first, last := oldestNewest(tr.Customers, func(c fake.Customer) int64 { return c.UpdatedAt })
					must[fake.Customer](t)(e.fake.UpdateCustomer(tr.Customers[first].ID, func(c *fake.Customer) { c.Company = "moved" }))
					must[fake.Customer](t)(e.fake.UpdateCustomer(tr.Customers[last].ID, func(c *fake.Customer) { c.Company = "late" }))
					noErr(t, e.fake.DeleteCustomer(tr.Customers[(first+1)%len(tr.Customers)].ID))
					e.customers(1, "new")
				case "subscriptions":
					first, last := oldestNewest(tr.Subscriptions, func(s fake.Subscription) int64 { return s.UpdatedAt })
					must[fake.Subscription](t)(e.fake.UpdateSubscription(tr.Subscriptions[first].ID, func(s *fake.Subscription) {
						s.Items = s.Items[:1] // an addon removed, or a quantity change
						s.Items[0].Quantity += 7
					}))
					must[fake.Subscription](t)(e.fake.CancelSubscription(tr.Subscriptions[last].ID, "other"))
					noErr(t, e.fake.DeleteSubscription(tr.Subscriptions[(first+1)%len(tr.Subscriptions)].ID))
				case "invoices":
					first, last := oldestNewest(tr.Invoices, func(in fake.Invoice) int64 { return in.UpdatedAt })
					must[fake.Invoice](t)(e.fake.VoidInvoice(tr.Invoices[first].ID))
					must[fake.Invoice](t)(e.fake.UpdateInvoice(tr.Invoices[last].ID, func(in *fake.Invoice) {
						in.LineItems = append(in.LineItems, fake.LineItem{Description: "late fee", UnitAmount: 500})
					}))
					noErr(t, e.fake.DeleteInvoice(tr.Invoices[(first+1)%len(tr.Invoices)].ID))
				}
			})
			w := newWarehouse(t)
			bs, err := e.read(src, stream, nil, 0)
			noErr(t, err)
			if !done {
				t.Fatal("the listing had fewer than three pages")
			}
			w.load(st, bs)
			e.check(w, true, stream)
			e.fake.OnPage(nil)
			before := w.rows
			e.sync(src, w)
			if w.rows != before {
				t.Errorf("the second run loaded %d rows again", w.rows-before)
			}
			e.check(w, true, stream)
		})
	}
}

// oldestNewest returns the indexes of the records with the lowest and highest stamp.
func oldestNewest[T any](recs []T, stamp func(T) int64) (lo, hi int) {
	for i, r := range recs {
		if stamp(r) < stamp(recs[lo]) {
			lo = i
		}
		if stamp(r) >= stamp(recs[hi]) {
			hi = i
		}
	}
	return lo, hi
}

// mutate changes records of every kind, as a day of billing would.
func (e *env) mutate(round int) {
	t := e.t
	t.Helper()
	f := e.fake
	tr := f.Truth()
	pick := func(n int) int { return (round*7 + 3) % n }
	var live []fake.Subscription
	for _, s := range tr.Subscriptions {
		if !s.Deleted && (s.Status == "active" || s.Status == "in_trial") {
			live = append(live, s)
		}
	}
	var customers []fake.Customer
	for _, c := range tr.Customers {
		if !c.Deleted {
			customers = append(customers, c)
		}
	}
	must[fake.Customer](t)(f.UpdateCustomer(customers[pick(len(customers))].ID, func(c *fake.Customer) {
		c.Email = fmt.Sprintf("new%d@example.com", round)
	}))
	a, b := live[pick(len(live))], live[(pick(len(live))+1)%len(live)]
	must[fake.Subscription](t)(f.UpdateSubscription(a.ID, func(s *fake.Subscription) {
		s.Items[0].Quantity += 5
		s.Discounts = append(s.Discounts, fake.Discount{Percentage: 15, IncludedInMRR: true, DurationType: "one_time"})
	}))
	must[fake.Subscription](t)(f.UpdateSubscription(b.ID, func(s *fake.Subscription) {
		s.Items = s.Items[:1]
		s.Coupons = append(s.Coupons[:0:0], fake.AppliedCoupon{CouponID: "SAVE20"})
	}))
	must[fake.Subscription](t)(f.CancelSubscription(live[(pick(len(live))+2)%len(live)].ID, "other"))
	for _, in := range tr.Invoices {
		if !in.Deleted && in.Status == "payment_due" {
			must[fake.Invoice](t)(f.UpdateInvoice(in.ID, func(in *fake.Invoice) { in.Status = "paid" }))
			break
		}
	}
	must[fake.Invoice](t)(f.CreateInvoice(fake.Invoice{CustomerID: a.CustomerID, SubscriptionID: a.ID,
		LineItems: []fake.LineItem{{EntityID: a.Items[0].ItemPriceID, UnitAmount: a.Items[0].UnitPrice, Quantity: a.Items[0].Quantity + 5}}}))
	for _, p := range tr.ItemPrices {
		if p.Status == "active" && p.ItemType == "charge" {
			must[fake.ItemPrice](t)(f.UpdateItemPrice(p.ID, func(p *fake.ItemPrice) { p.Status = "archived" }))
			break
		}
	}
	c := must[fake.Coupon](t)(f.CreateCoupon(fake.Coupon{Name: fmt.Sprintf("Flash %d", round), DiscountPercentage: 50}))
	noErr(t, f.DeleteCoupon(c.ID))
	if len(tr.CreditNotes) > 0 {
		must[fake.CreditNote](t)(f.UpdateCreditNote(tr.CreditNotes[0].ID, func(cn *fake.CreditNote) { cn.Status = "voided" }))
	}
}

// touch changes n customers, n live subscriptions and n invoices.
func (e *env) touch(n int) {
	e.t.Helper()
	tr := e.fake.Truth()
	for i, k := 0, 0; i < len(tr.Customers) && k < n; i++ {
		if !tr.Customers[i].Deleted {
			must[fake.Customer](e.t)(e.fake.UpdateCustomer(tr.Customers[i].ID, func(c *fake.Customer) { c.NetTermDays += 15 }))
			k++
		}
	}
	for i, k := 0, 0; i < len(tr.Subscriptions) && k < n; i++ {
		if s := tr.Subscriptions[i]; !s.Deleted && s.Status != "cancelled" {
			must[fake.Subscription](e.t)(e.fake.UpdateSubscription(s.ID, func(s *fake.Subscription) { s.Items[0].Quantity++ }))
			k++
		}
	}
	for i, k := 0, 0; i < len(tr.Invoices) && k < n; i++ {
		if !tr.Invoices[i].Deleted {
			must[fake.Invoice](e.t)(e.fake.UpdateInvoice(tr.Invoices[i].ID, func(in *fake.Invoice) { in.DueDate = in.Date + 30*86400 }))
			k++
		}
	}
}

// TestIncrementalSecondRun: the second run asks for updated_at[after] = the last updated_at
// − overlap, reads only what changed and ends equal to the ground truth.
func TestIncrementalSecondRun(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(25, fake.SeedOptions{})
	src := e.source("")
	w := newWarehouse(t)
	e.sync(src, w)
	e.check(w, true)
	first := map[string]int64{}
	for stream, c := range w.cursors {
		var cur cursor
		noErr(t, json.Unmarshal(c, &cur))
		first[stream] = cur.UpdatedAt
	}

	e.clock.Advance(time.Hour)
	e.mutate(1)
	e.clock.Advance(time.Second)
	var rec requests
	e.fake.OnPage(rec.add)
	perStream := map[string]int{}
	for _, st := range src.Streams() {
		before := w.rows
		bs, err := e.read(src, st.Name, w.cursors[st.Name], 0)
		noErr(t, err)
		w.load(st, bs)
		perStream[st.Name] = w.rows - before
	}
	e.check(w, true)
	for _, p := range rec.all {
		q := p.Query
		after, _ := strconv.ParseInt(q.Get("updated_at[after]"), 10, 64)
		if q.Get("sort_by[asc]") != "updated_at" || q.Get("include_deleted") != "true" || after == 0 {
			t.Errorf("%s: %v", p.Resource, q)
		}
	}
	for _, name := range []string{Customers, Subscriptions, Invoices, Coupons, ItemPrices, CreditNotes} {
		var after string
		for _, p := range rec.all {
			if "/"+p.Resource == definitions()[name].path {
				after = p.Query.Get("updated_at[after]")
			}
		}
		if want := strconv.FormatInt(first[name]-1, 10); after != want {
			t.Errorf("%s: updated_at[after]=%s, want %s (the first run's last updated_at − 1 s)", name, after, want)
		}
	}
	// Only the changes: one customer; three subscriptions (two changed, one cancelled); one
	// coupon (created and deleted); one archived item price; one voided credit note.
	for stream, want := range map[string]int{Customers: 1, Subscriptions: 3, Coupons: 1, ItemPrices: 1, CreditNotes: 1} {
		if perStream[stream] != want {
			t.Errorf("%s: %d rows in the second run, want %d", stream, perStream[stream], want)
		}
	}
}

// TestDeletesFlagged: deletions of every kind arrive as rows with deleted = true, in an
// incremental run and in a first full read (include_deleted=true); a deleted subscription's
// items are deleted too.
func TestDeletesFlagged(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(15, fake.SeedOptions{})
	src := e.source("")
	w := newWarehouse(t)
	e.sync(src, w)
	e.clock.Advance(time.Hour)
	tr := e.fake.Truth()
	var withSub string
	for _, s := range tr.Subscriptions {
		if !s.Deleted {
			withSub = s.CustomerID
			break
		}
	}
	noErr(t, e.fake.DeleteCustomer(withSub)) // and its subscriptions
	noErr(t, e.fake.DeleteInvoice(tr.Invoices[0].ID))
	noErr(t, e.fake.DeleteCreditNote(tr.CreditNotes[0].ID))
	noErr(t, e.fake.DeleteCoupon("WELCOME10"))
	tmpItem := must[fake.Item](t)(e.fake.CreateItem(fake.Item{Name: "Temp", ItemFamilyID: tr.ItemFamilies[0].ID}))
	tmpPrice := must[fake.ItemPrice](t)(e.fake.CreateItemPrice(fake.ItemPrice{ItemID: tmpItem.ID, CurrencyCode: "USD", Price: 1}))
	noErr(t, e.fake.DeleteItemPrice(tmpPrice.ID))
	noErr(t, e.fake.DeleteItem(tmpItem.ID))
	e.clock.Advance(time.Second)
	e.sync(src, w)
	e.check(w, true)
	deletedSubs := 0
	for _, s := range e.fake.Truth().Subscriptions {
		if s.CustomerID == withSub {
			deletedSubs++
			if r := w.tables[Subscriptions][s.ID]; r == nil || r["deleted"] != true {
				t.Errorf("subscription %s of the deleted customer: %v", s.ID, r)
			}
			for _, it := range s.Items {
				if r := w.tables[SubscriptionItems][s.ID+"/"+it.ItemPriceID]; r == nil || r["deleted"] != true {
					t.Errorf("item %s of a deleted subscription: %v", it.ItemPriceID, r)
				}
			}
		}
	}
	if deletedSubs == 0 || w.tables[ItemPrices][tmpPrice.ID]["deleted"] != true || w.tables[Coupons]["WELCOME10"]["deleted"] != true {
		t.Errorf("deletes: %d subscriptions, item price %v, coupon %v", deletedSubs, w.tables[ItemPrices][tmpPrice.ID],
			w.tables[Coupons]["WELCOME10"])
	}
	// A first read of the site now sees the deleted records too, flagged.
	w2 := newWarehouse(t)
	e.sync(src, w2)
	e.check(w2, true)
}

// TestRateLimited429: over the site's limit the fake answers 429 api_request_limit_exceeded,
// with Retry-After (waited exactly) or without (backoff until the minute turns); the read
// ends equal to the ground truth either way.
func TestRateLimited429(t *testing.T) {
	for _, tc := range []struct {
		mode fake.RetryAfterMode
	}{{fake.RetryAfterAlways}, {fake.RetryAfterNever}, {fake.RetryAfterSometimes}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			e := newEnv(t, fake.Options{RateLimitPerMinute: 4, RetryAfter: tc.mode})
			e.clock.Set(time.Date(2025, 6, 1, 12, 0, 30, 0, time.UTC))
			for i := 0; i < 15; i++ {
				e.customers(1, fmt.Sprint("rl", i))
				e.clock.Advance(time.Second)
			}
			src := e.source("page_size: 2\nobjects: [customers]\n")
			w := newWarehouse(t)
			e.sync(src, w) // 8 pages; 4 fit in each minute
			e.check(w, true, Customers)
			waits := e.waits()
			if len(waits) == 0 {
				t.Fatal("no 429 was waited for")
			}
			for _, d := range waits {
				if d <= 0 || d > time.Minute {
					t.Errorf("wait %s", d)
				}
			}
			if tc.mode == fake.RetryAfterAlways {
				// The first 429 comes at 12:00:45 (15 s advanced): Retry-After is the 15 s left.
				if waits[0] != 15*time.Second {
					t.Errorf("first wait %s, want Retry-After's 15s (waits %v)", waits[0], waits)
				}
			}
			if tc.mode == fake.RetryAfterNever && len(waits) < 3 {
				t.Errorf("without Retry-After, the backoff should take several tries to reach the next minute: %v", waits)
			}
		})
	}
}

// TestRequestsPerMinuteStaysUnderLimit: with the default requests_per_minute (120) the
// connector's own limiter keeps a long read under a test site's 150 a minute: no 429 at all.
func TestRequestsPerMinuteStaysUnderLimit(t *testing.T) {
	e := newEnv(t, fake.Options{RateLimitPerMinute: 150})
	e.customers(320, "rpm")
	var rec requests
	e.fake.OnPage(rec.add) // sees the requests the rate limit let through
	src := e.sourceWith("page_size: 1\nobjects: [customers]\n", nil)
	start := e.clock.Now()
	w := newWarehouse(t)
	e.sync(src, w)
	e.check(w, true, Customers)
	pages := len(rec.of("customers"))
	if got := e.fake.Stats().Requests; pages != 320 || got != pages {
		t.Errorf("%d requests for %d pages: some were refused with 429", got, pages)
	}
	if took := e.clock.Now().Sub(start); took < 2*time.Minute {
		t.Errorf("320 requests took %s of fake time, want about 320/120 minutes", took)
	}
}

// TestFaultsEqualFaultFree: with 10 % of the requests failing (429 and 500/503 in Chargebee's
// bodies, with and without Retry-After) a full read emits the same batches, row for row and
// cursor for cursor, as without faults.
func TestFaultsEqualFaultFree(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(30, fake.SeedOptions{})
	src := e.source("page_size: 2\n")
	readAll := func() map[string][]batch {
		out := map[string][]batch{}
		for _, st := range src.Streams() {
			bs, err := e.read(src, st.Name, nil, 0)
			noErr(t, err)
			out[st.Name] = bs
		}
		return out
	}
	clean := readAll()
	e.fake.SetFaults(fakeapi.Faults{RateLimitRate: 0.05, ServerErrorRate: 0.05, Seed: 11})
	faulty := readAll()
	if n := e.fake.Stats().Faults; n < 10 {
		t.Fatalf("only %d faults injected", n)
	}
	for stream, bs := range clean {
		if !reflect.DeepEqual(bs, faulty[stream]) {
			t.Errorf("%s: the run with faults emitted other batches than the run without", stream)
		}
	}
	w := newWarehouse(t)
	for _, st := range src.Streams() {
		w.load(st, faulty[st.Name])
	}
	e.check(w, true)
}

// TestKillAndResume: a run whose context is cancelled from emit after k batches stops at once;
// resumed from the last cursor it emitted, the merged tables equal the uninterrupted run's,
// with no version loaded twice — for a first read and for an incremental one.
func TestKillAndResume(t *testing.T) {
	for _, stream := range []string{Customers, Subscriptions, SubscriptionItems, SubscriptionDiscounts, InvoiceLineItems} {
		t.Run(stream, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			e.seed(15, fake.SeedOptions{})
			src := e.source("page_size: 3\nobjects: [" + stream + "]\n")
			st := src.Streams()[0]
			clean := newWarehouse(t)
			all, err := e.read(src, stream, nil, 0)
			noErr(t, err)
			clean.load(st, all)
			for _, k := range killPoints(len(all) - 1) {
				w := newWarehouse(t)
				bs, err := e.read(src, stream, nil, k)
				if !errors.Is(err, context.Canceled) || len(bs) != k {
					t.Fatalf("kill after %d: %d batches, %v", k, len(bs), err)
				}
				w.load(st, bs)
				rest, err := e.read(src, stream, w.cursors[stream], 0)
				noErr(t, err)
				w.load(st, rest)
				if !reflect.DeepEqual(w.tables, clean.tables) {
					t.Fatalf("kill after %d: the resumed tables differ from the uninterrupted run's", k)
				}
			}
			// Incremental: changes, a kill mid-run, more changes, the resume.
			e.clock.Advance(time.Hour)
			e.mutate(1)
			e.mutate(2)
			e.touch(6)
			e.clock.Advance(time.Second)
			from := clean.cursors[stream]
			inc, err := e.read(src, stream, from, 0)
			noErr(t, err)
			if len(inc) < 2 {
				t.Fatalf("the incremental read has %d batches", len(inc))
			}
			w := newWarehouse(t)
			w.load(st, all)
			bs, err := e.read(src, stream, from, 1)
			if !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			w.load(st, bs)
			e.clock.Advance(time.Minute)
			e.mutate(3)
			e.clock.Advance(time.Second)
			rest, err := e.read(src, stream, w.cursors[stream], 0)
			noErr(t, err)
			w.load(st, rest)
			e.check(w, true, stream)
		})
	}
}

// killPoints are the batches a kill test stops after: the first ones, some in the middle, the
// last but one.
func killPoints(n int) []int {
	seen := map[int]bool{}
	var out []int
	for _, k := range []int{1, 2, n / 2, n} {
		if k >= 1 && k <= n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
