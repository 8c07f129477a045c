package fake

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &tfake{t: t, srv: s, url: hs.URL}
}

// get sends an authenticated GET and decodes the JSON body.
func (f *tfake) get(path string, hdr ...string) (int, http.Header, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.url+path, nil)
	req.Header.Set("Authorization", "Bearer sk_test_fake")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		f.t.Fatalf("GET %s: %v: %s", path, err, b)
	}
	return resp.StatusCode, resp.Header, out
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

func ids(t *testing.T, list map[string]any) []string {
	t.Helper()
	var out []string
	for _, o := range list["data"].([]any) {
		out = append(out, o.(map[string]any)["id"].(string))
	}
	return out
}

func TestAuth(t *testing.T) {
	f := newT(t, Options{})
	for _, tc := range []struct {
		name, auth string
		status     int
		msg        string
	}{
		{"missing", "", 401, "You did not provide an API key"},
		{"invalid", "Bearer sk_test_wrongkey1234", 401, "Invalid API Key provided: sk_test_****1234"},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte("sk_test_fake:")), 200, ""},
		{"bearer", "Bearer sk_test_fake", 200, ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, f.url+"/v1/customers", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, b)
		}
		if tc.status == 401 {
			var env struct {
				Error map[string]any `json:"error"`
			}
			if json.Unmarshal(b, &env) != nil || env.Error["type"] != "invalid_request_error" {
				t.Errorf("%s: envelope %s", tc.name, b)
			}
			if resp.Header.Get("Request-Id") == "" {
				t.Errorf("%s: no Request-Id", tc.name)
			}
		}
	}
}

func TestListPagingAndCursorMissing(t *testing.T) {
	f := newT(t, Options{})
	now := f.srv.Clock.Now().Unix()
	var want []string
	for i := 0; i < 25; i++ {
		// Pairs of customers share a second: the order is by created, then creation order.
		c := must[Customer](t)(f.srv.CreateCustomer(Customer{Name: "c", Created: now - int64(100-i/2)}))
		want = append([]string{c.ID}, want...)
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		q := "/v1/customers?limit=10"
		if after != "" {
			q += "&starting_after=" + after
		}
		st, _, body := f.get(q)
		if st != 200 {
			t.Fatalf("%d %v", st, body)
		}
		page := ids(t, body)
		got = append(got, page...)
		if body["url"] != "/v1/customers" {
			t.Errorf("url %v", body["url"])
		}
		if body["has_more"] != true {
			if pages != 2 {
				t.Errorf("pages %d", pages)
			}
			break
		}
		after = page[len(page)-1]
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("order:\n got %v\nwant %v", got, want)
	}
	// ending_before returns the page before, still newest first.
	_, _, body := f.get("/v1/customers?limit=3&ending_before=" + want[5])
	if strings.Join(ids(t, body), ",") != strings.Join(want[2:5], ",") {
		t.Errorf("ending_before: %v", ids(t, body))
	}
	// The cursor object deleted: resource_missing on starting_after.
	if err := f.srv.DeleteCustomer(want[9]); err != nil {
		t.Fatal(err)
	}
	st, hdr, body := f.get("/v1/customers?limit=10&starting_after=" + want[9])
	e := body["error"].(map[string]any)
	if st != 400 || e["code"] != "resource_missing" || e["param"] != "starting_after" || hdr.Get("Stripe-Should-Retry") != "false" {
		t.Errorf("%d %v %v", st, body, hdr)
	}
	// A deleted customer is still retrievable as a stub.
	_, _, body = f.get("/v1/customers/" + want[9])
	if body["deleted"] != true {
		t.Errorf("deleted stub: %v", body)
	}
	// created[lte] restarts the window.
	_, _, body = f.get("/v1/customers?limit=100&created[lte]=" + jsonNum(now-95))
	if n := len(ids(t, body)); n != 12 {
		t.Errorf("created[lte]: %d", n)
	}
	st, _, body = f.get("/v1/customers?bogus=1")
	if st != 400 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "unknown parameter: bogus") {
		t.Errorf("unknown param: %d %v", st, body)
	}
	st, _, _ = f.get("/v1/customers?limit=101")
	if st != 400 {
		t.Errorf("limit 101: %d", st)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func seedSub(t *testing.T, s *Server) (Subscription, Invoice) {
	t.Helper()
	c := must[Customer](t)(s.CreateCustomer(Customer{Name: "Acme", Currency: "usd"}))
	p := must[Product](t)(s.CreateProduct(Product{Name: "Pro"}))
	pr := must[Price](t)(s.CreatePrice(Price{Product: p.ID, Currency: "usd", UnitAmount: 2000}))
	sub := must[Subscription](t)(s.CreateSubscription(Subscription{Customer: c.ID, Items: []SubscriptionItem{{Price: pr.ID, Quantity: 3}}}))
	var lines []InvoiceLine
	for i := 0; i < 13; i++ {
		lines = append(lines, InvoiceLine{Price: pr.ID, Quantity: 1, Subscription: sub.ID, SubscriptionItem: sub.Items[0].ID})
	}
	in := must[Invoice](t)(s.CreateInvoice(Invoice{Customer: c.ID, Subscription: sub.ID, Lines: lines}))
	return sub, in
}

func TestVersionShapes(t *testing.T) {
	f := newT(t, Options{})
	sub, in := seedSub(t, f.srv)
	_, _, basil := f.get("/v1/subscriptions/"+sub.ID, "Stripe-Version", VersionBasil)
	_, _, old := f.get("/v1/subscriptions/"+sub.ID, "Stripe-Version", VersionAcacia)
	if _, ok := basil["current_period_start"]; ok {
		t.Error("basil subscription has current_period_start")
	}
	item := basil["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
	if item["current_period_start"] == nil || old["current_period_start"] != item["current_period_start"] {
		t.Errorf("periods: basil item %v, old sub %v", item["current_period_start"], old["current_period_start"])
	}
	_, _, lines := f.get("/v1/invoices/"+in.ID+"/lines?limit=5", "Stripe-Version", VersionBasil)
	l := lines["data"].([]any)[0].(map[string]any)
	if l["pricing"] == nil || l["parent"] == nil || l["price"] != nil {
		t.Errorf("basil line: %v", l)
	}
	_, _, inv := f.get("/v1/invoices/"+in.ID, "Stripe-Version", VersionAcacia)
	if inv["subscription"] != sub.ID || inv["lines"].(map[string]any)["has_more"] != true {
		t.Errorf("old invoice: %v", inv)
	}
	st, _, _ := f.get("/v1/customers", "Stripe-Version", "not-a-version")
	if st != 400 {
		t.Errorf("bad version: %d", st)
	}
	// expand
	_, _, exp := f.get("/v1/subscriptions?status=all&expand[]=data.customer&expand[]=data.items.data.price.product")
	s0 := exp["data"].([]any)[0].(map[string]any)
	if _, ok := s0["customer"].(map[string]any); !ok {
		t.Errorf("customer not expanded: %v", s0["customer"])
	}
	pr := s0["items"].(map[string]any)["data"].([]any)[0].(map[string]any)["price"].(map[string]any)
	if _, ok := pr["product"].(map[string]any); !ok {
		t.Errorf("product not expanded: %v", pr["product"])
	}
}

// TestDiscountShapes: a discount embeds its coupon before clover, and names it in source from
// clover on (expandable, also through an unexpanded discount id).
func TestDiscountShapes(t *testing.T) {
	f := newT(t, Options{})
	sub, _ := seedSub(t, f.srv)
	co := must[Coupon](t)(f.srv.CreateCoupon(Coupon{Name: "10%", PercentOff: 10}))
	d := must[Discount](t)(f.srv.AddDiscount(Discount{Coupon: co.ID, Subscription: sub.ID}))
	discount := func(version, expand string) map[string]any {
		t.Helper()
		_, _, s := f.get("/v1/subscriptions/"+sub.ID+"?expand[]="+expand, "Stripe-Version", version)
		ds, _ := s["discounts"].([]any)
		if len(ds) != 1 {
			t.Fatalf("%s: discounts %v", version, s["discounts"])
		}
		return ds[0].(map[string]any)
	}
	basil := discount(VersionBasil, "discounts")
	if c, _ := basil["coupon"].(map[string]any); c["id"] != co.ID || basil["source"] != nil {
		t.Errorf("basil discount: %v", basil)
	}
	clover := discount(VersionClover, "discounts")
	if src, _ := clover["source"].(map[string]any); src["type"] != "coupon" || src["coupon"] != co.ID || clover["coupon"] != nil {
		t.Errorf("clover discount: %v", clover)
	}
	expanded := discount(VersionClover, "discounts.source.coupon")
	if c, _ := expanded["source"].(map[string]any)["coupon"].(map[string]any); c["id"] != co.ID || expanded["id"] != d.ID {
		t.Errorf("clover discount with its coupon expanded: %v", expanded)
	}
}

func TestEventsRetentionAndShouldRetry(t *testing.T) {
	f := newT(t, Options{})
	seedSub(t, f.srv)
	_, _, body := f.get("/v1/events?limit=100")
	n := len(ids(t, body))
	if n < 5 {
		t.Fatalf("events: %d", n)
	}
	f.srv.Clock.Advance(31 * 24 * time.Hour)
	c := must[Customer](t)(f.srv.CreateCustomer(Customer{Name: "late"}))
	_ = f.srv.UpdateCustomer(c.ID, func(c *Customer) { c.Email = "x@example.com" })
	_, _, body = f.get("/v1/events?limit=100&types[]=customer.created&types[]=customer.updated")
	evs := body["data"].([]any)
	if len(evs) != 2 {
		t.Fatalf("after retention: %d", len(evs))
	}
	upd := evs[0].(map[string]any)
	prev := upd["data"].(map[string]any)["previous_attributes"].(map[string]any)
	if upd["type"] != "customer.updated" || len(prev) != 1 || prev["email"] != nil {
		t.Errorf("updated event: %v", upd)
	}
	f.srv.Script(Scripted{Path: "/v1/customers", Status: 500, ShouldRetry: "false"})
	st, hdr, _ := f.get("/v1/customers")
	if st != 500 || hdr.Get("Stripe-Should-Retry") != "false" {
		t.Errorf("scripted: %d %v", st, hdr)
	}
	f.srv.SetFaults(fakeapi.Faults{RateLimitRate: 1})
	st, hdr, body = f.get("/v1/customers")
	if st != 429 || hdr.Get("Stripe-Should-Retry") != "true" || body["error"].(map[string]any)["code"] != "rate_limit" {
		t.Errorf("rate limit: %d %v %v", st, hdr, body)
	}
}

func TestSeedDeterministic(t *testing.T) {
	a, b := newT(t, Options{}), newT(t, Options{})
	ra := must[SeedResult](t)(a.srv.Seed(SeedOptions{Customers: 30, Seed: 7}))
	rb := must[SeedResult](t)(b.srv.Seed(SeedOptions{Customers: 30, Seed: 7}))
	if ra != rb || ra.Subscriptions == 0 || ra.Invoices == 0 {
		t.Fatalf("%+v %+v", ra, rb)
	}
	ja, _ := json.Marshal(a.srv.State())
	jb, _ := json.Marshal(b.srv.State())
	if string(ja) != string(jb) {
		t.Error("seeded states differ")
	}
}

func TestAdminEndpoints(t *testing.T) {
	f := newT(t, Options{})
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := do("POST", "/__fake/stripe/seed", `{"customers": 5, "seed": 1}`); st != 200 || !strings.Contains(body, `"customers":5`) {
		t.Fatalf("seed: %d %s", st, body)
	}
	var state State
	st, body := do("GET", "/__fake/stripe/state", "")
	if st != 200 || json.Unmarshal([]byte(body), &state) != nil || len(state.Customers) != 5 {
		t.Fatalf("state: %d %s", st, body)
	}
	if st, body := do("POST", "/__fake/stripe/mutate", `{"op":"delete_customer","id":"`+state.Customers[0].ID+`"}`); st != 204 {
		t.Fatalf("mutate: %d %s", st, body)
	}
	if st, _ := do("POST", "/__fake/stripe/mutate", `{"op":"explode","id":"x"}`); st != 400 {
		t.Errorf("unknown op: %d", st)
	}
	if len(f.srv.State().DeletedCustomers) != 1 {
		t.Error("customer not deleted")
	}
	if st, _ := do("PUT", "/__fake/stripe/version", `{"api_version":"2024-06-20"}`); st != 200 {
		t.Errorf("version: %d", st)
	}
	_, _, sub := f.get("/v1/subscriptions?limit=1&status=all")
	if _, ok := sub["data"].([]any)[0].(map[string]any)["current_period_start"]; !ok {
		t.Error("the account version did not switch to the pre-basil shape")
	}
	if st, _ := do("POST", "/__fake/stripe/script", `{"path":"/v1/prices","status":503,"should_retry":"true"}`); st != 204 {
		t.Errorf("script: %d", st)
	}
	if st, hdr, _ := f.get("/v1/prices"); st != 503 || hdr.Get("Stripe-Should-Retry") != "true" {
		t.Errorf("scripted: %d", st)
	}
	if st, _ := do("POST", "/__fake/stripe/script", `{"status":200}`); st != 400 {
		t.Errorf("script 200 accepted: %d", st)
	}
}
