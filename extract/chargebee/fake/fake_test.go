package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

type tfake struct {
	t   *testing.T
	srv *Server
	url string
}

func newT(t *testing.T, opts Options) *tfake {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	if opts.RateLimitPerMinute == 0 {
		opts.RateLimitPerMinute = -1
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &tfake{t: t, srv: s, url: hs.URL}
}

// do sends a request with the given Authorization (nil: Basic with the default key).
func (f *tfake) do(method, path string, auth *string, body any) (int, http.Header, map[string]any) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.url+path, rd)
	if auth == nil {
		req.SetBasicAuth(DefaultAPIKey, "")
	} else if *auth != "" {
		req.Header.Set("Authorization", *auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(b)) > 0 && json.Unmarshal(b, &out) != nil {
		out = map[string]any{"_text": string(b)}
	}
	return resp.StatusCode, resp.Header, out
}

func (f *tfake) get(path string) (int, http.Header, map[string]any) {
	f.t.Helper()
	return f.do(http.MethodGet, path, nil, nil)
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// ids returns the ids of a list response's resources of type typ.
func ids(body map[string]any, typ string) []string {
	var out []string
	list, _ := body["list"].([]any)
	for _, el := range list {
		o := el.(map[string]any)[typ].(map[string]any)
		out = append(out, o["id"].(string))
	}
	return out
}

// checkError asserts Chargebee's error body.
func checkError(t *testing.T, what string, status int, body map[string]any, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus || body["api_error_code"] != wantCode || body["http_status_code"] != float64(wantStatus) ||
		body["message"] == nil || body["error_msg"] != body["message"] || body["error_code"] == nil {
		t.Errorf("%s: %d %v, want %d %s in Chargebee's error body", what, status, body, wantStatus, wantCode)
	}
}

func TestAuth(t *testing.T) {
	f := newT(t, Options{})
	basic := func(user, pass string) *string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(user, pass)
		h := req.Header.Get("Authorization")
		return &h
	}
	empty, bearer := "", "Bearer "+DefaultAPIKey
	for _, tc := range []struct {
		name   string
		auth   *string
		status int
	}{
		{"missing", &empty, 401},
		{"wrong key", basic("test_wrong", ""), 401},
		{"bearer is not Chargebee's scheme", &bearer, 401},
		{"key as username", basic(DefaultAPIKey, ""), 200},
		{"password ignored", basic(DefaultAPIKey, "x"), 200},
	} {
		status, hdr, body := f.do(http.MethodGet, "/api/v2/customers", tc.auth, nil)
		if tc.status == 401 {
			checkError(t, tc.name, status, body, 401, "api_authentication_failed")
			if hdr.Get("Www-Authenticate") == "" {
				t.Errorf("%s: no Www-Authenticate", tc.name)
			}
		} else if status != 200 {
			t.Errorf("%s: %d %v", tc.name, status, body)
		}
	}
}

func TestPagingAndOffsets(t *testing.T) {
	f := newT(t, Options{})
	now := f.srv.Clock.Now().Unix()
	var want []string
	for i := 0; i < 25; i++ { // all share one updated_at
		c := must[Customer](t)(f.srv.CreateCustomer(Customer{Email: fmt.Sprint("c", i, "@x")}))
		want = append(want, c.ID)
	}
	var got []string
	var offsets []string
	q := url.Values{"sort_by[asc]": {"updated_at"}}
	for page := 0; page < 10; page++ {
		status, _, body := f.get("/api/v2/customers?" + q.Encode())
		if status != 200 {
			t.Fatalf("page %d: %d %v", page, status, body)
		}
		got = append(got, ids(body, "customer")...)
		next, ok := body["next_offset"].(string)
		if !ok {
			break
		}
		var parts []string
		if json.Unmarshal([]byte(next), &parts) != nil || len(parts) != 2 || parts[0] != strconv.FormatInt(now*1000, 10) ||
			!strings.HasPrefix(parts[1], "2050") {
			t.Fatalf("next_offset %q is not [\"<updated_at ms>\",\"<internal id>\"]", next)
		}
		offsets = append(offsets, next)
		q.Set("offset", next)
	}
	if !reflect.DeepEqual(got, want) || len(offsets) != 2 {
		t.Fatalf("pages of the default limit 10: %v (offsets %v), want creation order %v", got, offsets, want)
	}

	// Anything but an offset this server issued for this list and sort is rejected.
	var parts []string
	_ = json.Unmarshal([]byte(offsets[0]), &parts)
	seq, _ := strconv.ParseInt(parts[1], 10, 64)
	for name, path := range map[string]string{
		"re-encoded with spaces": "/api/v2/customers?sort_by[asc]=updated_at&offset=" + url.QueryEscape(`["`+parts[0]+`", "`+parts[1]+`"]`),
		"tampered internal id":   "/api/v2/customers?sort_by[asc]=updated_at&offset=" + url.QueryEscape(fmt.Sprintf(`["%s","%d"]`, parts[0], seq+1)),
		"not JSON":               "/api/v2/customers?sort_by[asc]=updated_at&offset=10",
		"another list":           "/api/v2/subscriptions?sort_by[asc]=updated_at&offset=" + url.QueryEscape(offsets[0]),
		"another sort":           "/api/v2/customers?offset=" + url.QueryEscape(offsets[0]),
	} {
		status, _, body := f.get(path)
		checkError(t, name, status, body, 400, "invalid_request")
		if body["param"] != "offset" {
			t.Errorf("%s: param %v", name, body["param"])
		}
	}
	for _, limit := range []string{"0", "101", "x"} {
		status, _, body := f.get("/api/v2/customers?limit=" + limit)
		checkError(t, "limit "+limit, status, body, 400, "invalid_request")
	}
	status, _, body := f.get("/api/v2/customers?limit=100")
	if status != 200 || len(ids(body, "customer")) != 25 || body["next_offset"] != nil {
		t.Errorf("limit 100: %d, %d records, next_offset %v", status, len(ids(body, "customer")), body["next_offset"])
	}
}

func TestKeysetMovesChangedRecords(t *testing.T) {
	f := newT(t, Options{})
	var cs []Customer
	for i := 0; i < 6; i++ {
		cs = append(cs, must[Customer](t)(f.srv.CreateCustomer(Customer{Email: fmt.Sprint(i)})))
		f.srv.Clock.Advance(time.Second)
	}
	var pages []int
	f.srv.OnPage(func(p Page) {
		pages = append(pages, p.Number)
		if p.Number == 2 { // between pages 1 and 2: change a listed record and a later one, delete one
			must[Customer](t)(f.srv.UpdateCustomer(cs[0].ID, func(c *Customer) { c.Company = "moved" }))
			must[Customer](t)(f.srv.UpdateCustomer(cs[4].ID, func(c *Customer) { c.Company = "moved too" }))
			if err := f.srv.DeleteCustomer(cs[1].ID); err != nil {
				t.Error(err)
			}
		}
	})
	q := url.Values{"sort_by[asc]": {"updated_at"}, "limit": {"2"}, "include_deleted": {"true"}}
	var got []string
	for {
		_, _, body := f.get("/api/v2/customers?" + q.Encode())
		got = append(got, ids(body, "customer")...)
		next, ok := body["next_offset"].(string)
		if !ok {
			break
		}
		q.Set("offset", next)
	}
	// Page 1: c0 c1; then c2 c3 c5, and the changed c0 c1 c4 at the end (they share a second:
	// in internal-id order).
	want := []string{cs[0].ID, cs[1].ID, cs[2].ID, cs[3].ID, cs[5].ID, cs[0].ID, cs[1].ID, cs[4].ID}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listing: %v, want %v", got, want)
	}
	if !reflect.DeepEqual(pages, []int{1, 2, 3, 4}) {
		t.Errorf("page numbers: %v", pages)
	}
	// Without include_deleted the deleted customer is gone; with it, flagged.
	_, _, body := f.get("/api/v2/customers?limit=100")
	if len(ids(body, "customer")) != 5 {
		t.Errorf("live customers: %v", ids(body, "customer"))
	}
	_, _, body = f.get("/api/v2/customers?limit=100&include_deleted=true&id[is]=" + cs[1].ID)
	if l := body["list"].([]any); len(l) != 1 || l[0].(map[string]any)["customer"].(map[string]any)["deleted"] != true {
		t.Errorf("deleted customer: %v", body)
	}
}

func TestFilters(t *testing.T) {
	f := newT(t, Options{})
	if _, err := f.srv.Seed(SeedOptions{Customers: 30, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	tr := f.srv.Truth()
	mid := tr.Subscriptions[len(tr.Subscriptions)/2].UpdatedAt
	count := func(pred func(Subscription) bool) int {
		n := 0
		for _, s := range tr.Subscriptions {
			if pred(s) {
				n++
			}
		}
		return n
	}
	plan := tr.Subscriptions[0].Items[0].ItemPriceID
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"status[is]=active", count(func(s Subscription) bool { return s.Status == "active" })},
		{`status[in]=["in_trial","cancelled"]`, count(func(s Subscription) bool { return s.Status == "in_trial" || s.Status == "cancelled" })},
		{`status[not_in]=["active"]`, count(func(s Subscription) bool { return s.Status != "active" })},
		{fmt.Sprintf("updated_at[after]=%d", mid), count(func(s Subscription) bool { return s.UpdatedAt > mid })},
		{fmt.Sprintf("updated_at[before]=%d", mid), count(func(s Subscription) bool { return s.UpdatedAt < mid })},
		{fmt.Sprintf("updated_at[between]=[%d,%d]", mid, mid+86400), count(func(s Subscription) bool { return s.UpdatedAt >= mid && s.UpdatedAt <= mid+86400 })},
		{"item_price_id[is]=" + plan, count(func(s Subscription) bool {
			for _, it := range s.Items {
				if it.ItemPriceID == plan {
					return true
				}
			}
			return false
		})},
	} {
		q, _ := url.ParseQuery(tc.query)
		q.Set("limit", "100")
		status, _, body := f.get("/api/v2/subscriptions?" + q.Encode())
		if status != 200 || len(ids(body, "subscription")) != tc.want || tc.want == 0 {
			t.Errorf("%s: %d, %d subscriptions, want %d", tc.query, status, len(ids(body, "subscription")), tc.want)
		}
	}
	for _, bad := range []string{"plan_id[is]=x", "status[after]=1", "updated_at[between]=[2,1]", "status[in]=active",
		"sort_by[asc]=name", "bogus=1", "include_deleted=maybe"} {
		q, _ := url.ParseQuery(bad)
		status, _, body := f.get("/api/v2/subscriptions?" + q.Encode())
		checkError(t, bad, status, body, 400, "invalid_request")
	}
	// Each subscription element carries its customer.
	_, _, body := f.get("/api/v2/subscriptions?limit=1")
	el := body["list"].([]any)[0].(map[string]any)
	if el["customer"].(map[string]any)["id"] != el["subscription"].(map[string]any)["customer_id"] {
		t.Errorf("element: %v", el)
	}
}

func TestRateLimit(t *testing.T) {
	for _, tc := range []struct {
		mode RetryAfterMode
		want []bool // Retry-After present on the first, second, third 429
	}{
		{RetryAfterSometimes, []bool{true, false, true}},
		{RetryAfterAlways, []bool{true, true, true}},
		{RetryAfterNever, []bool{false, false, false}},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			f := newT(t, Options{RateLimitPerMinute: 3, RetryAfter: tc.mode})
			f.srv.Clock.Set(time.Date(2025, 6, 1, 0, 0, 20, 0, time.UTC))
			for i := 0; i < 3; i++ {
				if status, _, body := f.get("/api/v2/customers"); status != 200 {
					t.Fatalf("request %d: %d %v", i, status, body)
				}
			}
			for i, want := range tc.want {
				status, hdr, body := f.get("/api/v2/customers")
				checkError(t, "over the limit", status, body, 429, "api_request_limit_exceeded")
				if got := hdr.Get("Retry-After"); (got != "") != want || (want && got != "40") {
					t.Errorf("429 #%d: Retry-After %q, want present=%v (40 s left in the minute)", i+1, got, want)
				}
			}
			f.srv.Clock.Advance(40 * time.Second) // the next minute
			if status, _, _ := f.get("/api/v2/customers"); status != 200 {
				t.Errorf("next minute: %d", status)
			}
		})
	}
}

func TestInjectedFaultEnvelopes(t *testing.T) {
	f := newT(t, Options{})
	f.srv.SetFaults(fakeapi.Faults{RateLimitRate: 1})
	status, _, body := f.get("/api/v2/invoices")
	checkError(t, "injected 429", status, body, 429, "api_request_limit_exceeded")
	f.srv.SetFaults(fakeapi.Faults{ServerErrorRate: 1})
	status, _, body = f.get("/api/v2/invoices")
	checkError(t, "injected 500", status, body, 500, "internal_error")
	status, _, body = f.get("/api/v2/invoices")
	checkError(t, "injected 503", status, body, 503, "internal_temporary_error")
	f.srv.SetFaults(fakeapi.Faults{})
	if status, _, _ := f.get("/api/v2/invoices"); status != 200 {
		t.Errorf("after the faults: %d", status)
	}
	// Scripted responses, Product Catalog 1.0 endpoints and unknown paths.
	f.srv.Script(Scripted{Path: "/items", Status: 404})
	status, _, body = f.get("/api/v2/items")
	checkError(t, "scripted 404", status, body, 404, "resource_not_found")
	status, _, body = f.get("/api/v2/plans")
	checkError(t, "plans on a PC 2.0 site", status, body, 400, "configuration_incompatible")
	status, _, body = f.get("/api/v2/widgets")
	checkError(t, "unknown list", status, body, 404, "resource_not_found")
}

func TestMutationsStampAndCascade(t *testing.T) {
	f := newT(t, Options{})
	clock := f.srv.Clock
	fam := must[ItemFamily](t)(f.srv.CreateItemFamily(ItemFamily{Name: "Main"}))
	plan := must[Item](t)(f.srv.CreateItem(Item{Name: "Pro", ItemFamilyID: fam.ID}))
	addon := must[Item](t)(f.srv.CreateItem(Item{Name: "Seats", Type: "addon", ItemFamilyID: fam.ID}))
	monthly := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: plan.ID, CurrencyCode: "usd", Price: 3000}))
	yearly := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: addon.ID, CurrencyCode: "USD", Price: 12000, PeriodUnit: "year"}))
	if monthly.ID != "pro-USD-Monthly" || monthly.ItemType != "plan" || yearly.ItemType != "addon" {
		t.Errorf("item prices: %+v %+v", monthly, yearly)
	}
	cus := must[Customer](t)(f.srv.CreateCustomer(Customer{Email: "a@b", PreferredCurrencyCode: "usd"}))
	sub := must[Subscription](t)(f.srv.CreateSubscription(Subscription{CustomerID: cus.ID, Items: []SubscriptionItem{
		{ItemPriceID: monthly.ID, Quantity: 3}, {ItemPriceID: yearly.ID, Quantity: 2}},
		Discounts: []Discount{{Percentage: 10, IncludedInMRR: true}}}))
	// 3 × 3000 + 2 × 12000 / 12 = 11000, less 10 % = 9900.
	if sub.MRR != 9900 || sub.CurrencyCode != "USD" || sub.BillingPeriodUnit != "month" || sub.Items[1].Amount != 24000 {
		t.Errorf("subscription: %+v", sub)
	}
	clock.Advance(time.Minute)
	up := must[Subscription](t)(f.srv.UpdateSubscription(sub.ID, func(s *Subscription) {
		s.Items[0].Quantity = 5
		s.ID, s.CreatedAt = "hijack", 1 // ignored
	}))
	if up.ID != sub.ID || up.CreatedAt != sub.CreatedAt || up.UpdatedAt != clock.Now().Unix() ||
		up.ResourceVersion <= sub.ResourceVersion || up.MRR != 15300 {
		t.Errorf("update: %+v (was %+v)", up, sub)
	}
	if _, err := f.srv.CreateSubscription(Subscription{CustomerID: cus.ID, Items: []SubscriptionItem{{ItemPriceID: yearly.ID}}}); err == nil {
		t.Error("a subscription without a plan was accepted")
	}
	eur := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: addon.ID, CurrencyCode: "EUR", Price: 1}))
	if _, err := f.srv.UpdateSubscription(sub.ID, func(s *Subscription) {
		s.Items = append(s.Items, SubscriptionItem{ItemPriceID: eur.ID})
	}); err == nil {
		t.Error("an item price in another currency was accepted")
	}
	inv := must[Invoice](t)(f.srv.CreateInvoice(Invoice{CustomerID: cus.ID, SubscriptionID: sub.ID, LineItems: []LineItem{
		{EntityID: monthly.ID, UnitAmount: 3000, Quantity: 3, DiscountAmount: 900, IsTaxed: true, TaxAmount: 810}},
		Discounts: []InvoiceDiscount{{Amount: 100}}}))
	if inv.SubTotal != 9000 || inv.Total != 9000-900-100+810 || inv.AmountPaid != inv.Total || !inv.Recurring ||
		inv.LineItems[0].EntityType != "plan_item_price" || inv.CurrencyCode != "USD" || inv.ID != "1001" {
		t.Errorf("invoice: %+v", inv)
	}
	cn := must[CreditNote](t)(f.srv.CreateCreditNote(CreditNote{ReferenceInvoiceID: inv.ID, Total: 500}))
	if cn.ID != "CN-1" || cn.Status != "refund_due" || cn.AmountAvailable != 500 || cn.CustomerID != cus.ID {
		t.Errorf("credit note: %+v", cn)
	}

	clock.Advance(time.Minute)
	if err := f.srv.DeleteCustomer(cus.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.DeleteCustomer(cus.ID); err == nil {
		t.Error("deleting twice succeeded")
	}
	if _, err := f.srv.UpdateSubscription(sub.ID, func(*Subscription) {}); err == nil {
		t.Error("updating a deleted subscription succeeded")
	}
	if err := f.srv.DeleteItemPrice(eur.ID); err != nil {
		t.Fatal(err)
	}
	tr := f.srv.Truth()
	if !tr.Customers[0].Deleted || !tr.Subscriptions[0].Deleted || tr.Subscriptions[0].UpdatedAt != clock.Now().Unix() {
		t.Errorf("cascade: %+v %+v", tr.Customers[0], tr.Subscriptions[0])
	}
	for _, p := range tr.ItemPrices {
		if p.ID == eur.ID && (!p.Deleted || p.Status != "deleted") {
			t.Errorf("deleted item price: %+v", p)
		}
	}
	if status, _, body := f.get("/api/v2/customers/" + cus.ID); status != 404 {
		t.Errorf("retrieve a deleted customer: %d %v", status, body)
	}
	status, _, body := f.get("/api/v2/invoices/" + inv.ID)
	if status != 200 || body["invoice"].(map[string]any)["total"] != float64(inv.Total) {
		t.Errorf("retrieve an invoice: %d %v", status, body)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b := newT(t, Options{}), newT(t, Options{})
	ra := must[SeedResult](t)(a.srv.Seed(SeedOptions{Customers: 40, Seed: 3}))
	rb := must[SeedResult](t)(b.srv.Seed(SeedOptions{Customers: 40, Seed: 3}))
	ja, _ := json.Marshal(a.srv.Truth())
	jb, _ := json.Marshal(b.srv.Truth())
	if ra != rb || !bytes.Equal(ja, jb) {
		t.Fatal("the same seed gave different sites")
	}
	tr := a.srv.Truth()
	currencies, statuses := map[string]bool{}, map[string]bool{}
	for _, s := range tr.Subscriptions {
		currencies[s.CurrencyCode], statuses[s.Status] = true, true
	}
	if ra.Customers != 40 || ra.Subscriptions < 30 || ra.Invoices == 0 || ra.CreditNotes == 0 || len(currencies) != 4 ||
		!statuses["active"] || !statuses["in_trial"] || !statuses["cancelled"] {
		t.Errorf("seed: %+v, currencies %v, statuses %v", ra, currencies, statuses)
	}
	// BulkImport stamps everything with the clock's second.
	c := newT(t, Options{})
	must[SeedResult](t)(c.srv.Seed(SeedOptions{Customers: 10, BulkImport: true}))
	now := c.srv.Clock.Now().Unix()
	for _, cu := range c.srv.Truth().Customers {
		if cu.UpdatedAt != now {
			t.Fatalf("bulk import: customer stamped %d, want %d", cu.UpdatedAt, now)
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	f := newT(t, Options{})
	admin := func(method, path string, body any) (int, map[string]any) {
		status, _, out := f.do(method, path, new(string), body)
		return status, out
	}
	if status, out := admin("POST", "/__fake/chargebee/seed", map[string]any{"customers": 5, "seed": 1}); status != 200 || out["customers"] != float64(5) {
		t.Fatalf("seed: %d %v", status, out)
	}
	status, out := admin("GET", "/__fake/chargebee/truth", nil)
	custs, _ := out["customers"].([]any)
	if status != 200 || len(custs) != 5 {
		t.Fatalf("truth: %d %v", status, out)
	}
	id := custs[0].(map[string]any)["ID"].(string)
	if status, _ := admin("POST", "/__fake/chargebee/mutate", Mutation{Op: "delete_customer", ID: id}); status != 204 {
		t.Errorf("mutate: %d", status)
	}
	if status, _ := admin("POST", "/__fake/chargebee/mutate", Mutation{Op: "explode", ID: id}); status != 400 {
		t.Errorf("unknown op: %d", status)
	}
	if !f.srv.Truth().Customers[0].Deleted {
		t.Error("mutate did not delete")
	}
	if status, _ := admin("PUT", "/__fake/chargebee/drift", Drift{Kind: "customer", Add: map[string]any{"cf_tier": "gold"}, Hide: []string{"company"}}); status != 204 {
		t.Errorf("drift: %d", status)
	}
	_, _, body := f.get("/api/v2/customers?limit=1")
	c := body["list"].([]any)[0].(map[string]any)["customer"].(map[string]any)
	if c["cf_tier"] != "gold" || c["company"] != nil {
		t.Errorf("drifted customer: %v", c)
	}
	if status, _ := admin("POST", "/__fake/chargebee/script", Scripted{Path: "/customers", Status: 503, RetryAfter: 2}); status != 204 {
		t.Errorf("script: %d", status)
	}
	status, hdr, body := f.get("/api/v2/customers")
	checkError(t, "scripted 503", status, body, 503, "internal_error")
	if hdr.Get("Retry-After") != "2" {
		t.Errorf("scripted Retry-After: %q", hdr.Get("Retry-After"))
	}
	if status, _ := admin("PUT", "/__fake/chargebee/rate_limit", map[string]any{"per_minute": 1, "retry_after": "always"}); status != 200 {
		t.Errorf("rate_limit: %d", status)
	}
	f.get("/api/v2/customers")
	if status, hdr, _ := f.get("/api/v2/customers"); status != 429 || hdr.Get("Retry-After") == "" {
		t.Errorf("after rate_limit: %d %v", status, hdr)
	}
	if status, _ := admin("PUT", "/__fake/chargebee/rate_limit", map[string]any{"per_minute": 1, "retry_after": "often"}); status != 400 {
		t.Errorf("bad retry_after: %d", status)
	}
}
