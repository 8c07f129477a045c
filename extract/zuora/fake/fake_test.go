package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

type tfake struct {
	t     *testing.T
	srv   *Server
	url   string
	clock *fakeapi.Clock
	token string
}

func newT(t *testing.T, opts Options) *tfake {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &tfake{t: t, srv: s, url: hs.URL, clock: opts.Clock}
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

// login gets a token with the default client.
func (f *tfake) login() string {
	f.t.Helper()
	status, body := f.form("/oauth/token", url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
		"grant_type": {"client_credentials"}})
	if status != 200 {
		f.t.Fatalf("login: %d %v", status, body)
	}
	f.token = body["access_token"].(string)
	return f.token
}

func (f *tfake) form(path string, v url.Values) (int, map[string]any) {
	f.t.Helper()
	resp, err := http.PostForm(f.url+path, v)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		f.t.Fatalf("%s: %v: %s", path, err, b)
	}
	return resp.StatusCode, out
}

// post sends an authenticated JSON POST and decodes the answer (numbers kept exact).
func (f *tfake) post(path string, body any) (int, http.Header, map[string]any) {
	f.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, f.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		f.t.Fatalf("%s: %v: %s", path, err, raw)
	}
	return resp.StatusCode, resp.Header, out
}

func (f *tfake) query(q string, batch int) (int, map[string]any) {
	f.t.Helper()
	status, _, body := f.post("/v1/action/query", map[string]any{"queryString": q, "conf": map[string]int{"batchSize": batch}})
	return status, body
}

func (f *tfake) more(loc string) (int, map[string]any) {
	f.t.Helper()
	status, _, body := f.post("/v1/action/queryMore", map[string]any{"queryLocator": loc})
	return status, body
}

func records(body map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range body["records"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestOAuthAndAuthErrors(t *testing.T) {
	f := newT(t, Options{TokenTTL: 10 * time.Minute})
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"wrong secret", url.Values{"client_id": {DefaultClientID}, "client_secret": {"nope"}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"unknown client", url.Values{"client_id": {"x"}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"no grant", url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}, 400, "invalid_request"},
		{"other grant", url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"password"}}, 400, "unsupported_grant_type"},
	} {
		status, body := f.form("/oauth/token", tc.form)
		if status != tc.status || body["error"] != tc.code {
			t.Errorf("%s: %d %v", tc.name, status, body)
		}
	}
	_, body := f.form("/oauth/token", url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}})
	if body["token_type"] != "bearer" || body["expires_in"] != float64(599) || body["jti"] != body["access_token"] {
		t.Errorf("token response: %v", body)
	}

	// No token, a wrong token, then an expired one: 401 Authentication error.
	for _, tok := range []string{"", "deadbeef"} {
		f.token = tok
		status, _, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"})
		if status != 401 || body["message"] != "Authentication error" {
			t.Errorf("token %q: %d %v", tok, status, body)
		}
	}
	f.login()
	if status, _ := f.query("select Id from Account", 0); status != 200 {
		t.Fatalf("fresh token: %d", status)
	}
	f.clock.Advance(10 * time.Minute)
	if status, _, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"}); status != 401 || body["message"] != "Authentication error" {
		t.Errorf("expired token: %d %v", status, body)
	}
}

func TestQueryFaults(t *testing.T) {
	f := newT(t, Options{CustomFields: map[string][]string{ObjAccount: {"Region__c"}},
		HiddenFields: map[string][]string{ObjAccount: {"CrmId"}}})
	f.login()
	many := make([]string, 201)
	for i := range many {
		many[i] = fmt.Sprintf("Id = '%d'", i)
	}
	for _, tc := range []struct {
		q, code, msg string
	}{
		{"select Id, Foo from Account", "fns:INVALID_FIELD", "invalid field for query: Account.foo"},
		{"select Id, CrmId from Account", "fns:INVALID_FIELD", "invalid field for query: Account.crmid"},
		{"select Id from Widget", "fns:INVALID_TYPE", "Widget"},
		{"SELECT Id from Account", "fns:MALFORMED_QUERY", "lower case"},
		{"select * from Account", "fns:MALFORMED_QUERY", "wildcard"},
		{"select Id from Account where UpdatedDate >= 'yesterday'", "fns:INVALID_VALUE", "UpdatedDate"},
		{"select Id from Account where Name = 'x' AND Status = 'Active'", "fns:MALFORMED_QUERY", "lower case"},
		{"select Id from Account where " + strings.Join(many, " or "), "fns:MALFORMED_QUERY", "200"},
		{"select Id from Account where Name = 'x", "fns:MALFORMED_QUERY", "unterminated"},
	} {
		status, body := f.query(tc.q, 0)
		detail, _ := body["detail"].(map[string]any)
		if status != 400 || body["faultcode"] != tc.code || !strings.Contains(fmt.Sprint(body["faultstring"]), tc.msg) || detail == nil {
			t.Errorf("%.60s: %d %v", tc.q, status, body)
		}
	}
	if status, body := f.more("nope-0"); status != 400 || body["faultcode"] != "fns:INVALID_QUERY_LOCATOR" {
		t.Errorf("bad locator: %d %v", status, body)
	}
	// Custom fields are served like standard ones, case-insensitively.
	a := must[Account](t)(f.srv.CreateAccount(Account{Name: "Acme", Custom: map[string]string{"Region__c": "EMEA"}}))
	_, body := f.query("select Id, region__c from Account where Id = '"+a.ID+"'", 0)
	if recs := records(body); len(recs) != 1 || recs[0]["Region__c"] != "EMEA" {
		t.Errorf("custom field: %v", body)
	}
}

func TestPagingAndLocators(t *testing.T) {
	f := newT(t, Options{})
	f.login()
	for i := 0; i < 23; i++ {
		must[Account](t)(f.srv.CreateAccount(Account{Name: fmt.Sprint("a", i)}))
	}
	seen := map[string]bool{}
	status, body := f.query("select Id, Name from Account", 5)
	pages := 1
	var locs []string
	for status == 200 {
		recs := records(body)
		if len(recs) > 5 || body["size"] != json.Number(fmt.Sprint(len(recs))) {
			t.Fatalf("page %d: %v", pages, body)
		}
		for _, r := range recs {
			id := r["Id"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		if body["done"] == true {
			if _, ok := body["queryLocator"]; ok {
				t.Error("a done page has a locator")
			}
			break
		}
		loc := body["queryLocator"].(string)
		locs = append(locs, loc)
		status, body = f.more(loc)
		pages++
	}
	if len(seen) != 23 || pages != 5 {
		t.Fatalf("%d records in %d pages", len(seen), pages)
	}
	// The same locator gives the same page (a retried queryMore is safe).
	_, a := f.more(locs[1])
	_, b := f.more(locs[1])
	if fmt.Sprint(records(a)) != fmt.Sprint(records(b)) {
		t.Error("a locator asked twice gave two pages")
	}
	// Locators expire after 15 idle minutes.
	f.clock.Advance(16 * time.Minute)
	f.login()
	if status, body := f.more(locs[0]); status != 400 || body["faultcode"] != "fns:INVALID_QUERY_LOCATOR" {
		t.Errorf("expired locator: %d %v", status, body)
	}
}

func TestFiltersAndRendering(t *testing.T) {
	f := newT(t, Options{})
	f.login()
	t0 := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	a := must[Account](t)(f.srv.CreateAccount(Account{Name: "Acme", Balance: "12345678901234.123456789", CreatedDate: t0}))
	b := must[Account](t)(f.srv.CreateAccount(Account{Name: "Bolt", CreatedDate: t0.Add(time.Hour), CrmID: "006X"}))
	for _, tc := range []struct {
		where string
		want  []string
	}{
		{"UpdatedDate >= '2025-05-01T08:00:00+00:00' and UpdatedDate < '2025-05-01T09:00:00+00:00'", []string{a.ID}},
		{"UpdatedDate >= '2025-05-01T09:00:00Z'", []string{b.ID}},
		{"UpdatedDate >= '2025-05-01T01:00:00'", []string{b.ID}}, // no offset: the tenant's −08:00
		{"UpdatedDate <= '2025-05-01T01:00:00.000-07:00'", []string{a.ID}},
		{"Id = '" + a.ID + "' or Id = '" + b.ID + "'", []string{a.ID, b.ID}},
		{"CrmId = null", []string{a.ID}},
		{"CrmId != null and (Name = 'Bolt' or Name = 'x')", []string{b.ID}},
		{"Balance > 1000", []string{a.ID}},
	} {
		_, body := f.query("select Id from Account where "+tc.where, 0)
		var got []string
		for _, r := range records(body) {
			got = append(got, r["Id"].(string))
		}
		if fmt.Sprint(got) != fmt.Sprint(sorted(tc.want)) {
			t.Errorf("where %s: %v, want %v", tc.where, got, tc.want)
		}
	}
	// Rendering: canonical names, the tenant's offset, exact decimals, nulls left out.
	_, body := f.query("select id, balance, createddate, crmid, autopay from account where Id = '"+a.ID+"'", 0)
	r := records(body)[0]
	if r["CreatedDate"] != "2025-05-01T00:00:00.000-08:00" || r["Balance"] != json.Number("12345678901234.123456789") ||
		r["AutoPay"] != false {
		t.Errorf("record: %v", r)
	}
	if _, ok := r["CrmId"]; ok {
		t.Errorf("a null field is in the record: %v", r)
	}
}

func sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRateLimitPerMinute(t *testing.T) {
	f := newT(t, Options{RateLimitPerMinute: 3})
	f.login()
	for i := 0; i < 3; i++ {
		status, h, _ := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"})
		if status != 200 || h.Get("RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining-minute") != fmt.Sprint(2-i) {
			t.Fatalf("request %d: %d %v", i, status, h)
		}
	}
	status, h, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"})
	if status != 429 || h.Get("Retry-After") != "60" || h.Get("RateLimit-Remaining") != "0" || body["message"] != "API rate limit exceeded" {
		t.Fatalf("over the limit: %d %v %v", status, h, body)
	}
	f.clock.Advance(time.Minute)
	if status, _ := f.query("select Id from Account", 0); status != 200 {
		t.Errorf("next minute: %d", status)
	}
}

func TestInjectedAndScriptedEnvelopes(t *testing.T) {
	f := newT(t, Options{})
	f.login()
	f.srv.Script(Scripted{Path: "/v1/action/query", Status: 503, Times: 1})
	status, _, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"})
	reasons, _ := body["reasons"].([]any)
	if status != 503 || body["success"] != false || len(reasons) != 1 {
		t.Errorf("scripted 503: %d %v", status, body)
	}
	f.srv.Script(Scripted{Status: 429, RetryAfter: 7})
	if status, h, _ := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"}); status != 429 || h.Get("Retry-After") != "7" {
		t.Errorf("scripted 429: %d %v", status, h)
	}
	f.srv.SetFaults(fakeapi.Faults{RateLimitRate: 1})
	if status, h, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"}); status != 429 ||
		h.Get("Retry-After") == "" || body["message"] != "API rate limit exceeded" {
		t.Errorf("injected 429: %d %v %v", status, h, body)
	}
	f.srv.SetFaults(fakeapi.Faults{ServerErrorRate: 1})
	if status, _, body := f.post("/v1/action/query", map[string]any{"queryString": "select Id from Account"}); status != 500 || body["success"] != false {
		t.Errorf("injected 500: %d %v", status, body)
	}
}

func TestSegmentsAcrossVersions(t *testing.T) {
	f := newT(t, Options{})
	acc := must[Account](t)(f.srv.CreateAccount(Account{Name: "Acme", Currency: "EUR"}))
	sub := must[Subscription](t)(f.srv.Subscribe(NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01", TermMonths: 12,
		RatePlans: []RatePlanSpec{{Name: "Seats", Charges: []ChargeSpec{{Name: "Seats", Price: "10", Quantity: "10"}}},
			{Name: "Support", Charges: []ChargeSpec{{Name: "Support", Price: "300", BillingPeriod: "Quarter", ChargeModel: "Flat Fee Pricing"}}}}}))
	truth := f.srv.Truth()
	if len(truth.RatePlanCharges) != 2 {
		t.Fatalf("%d charges", len(truth.RatePlanCharges))
	}
	var seats string
	for _, c := range truth.RatePlanCharges {
		if c.Name == "Seats" {
			seats = c.ChargeNumber
			if c.MRR != "100" || c.TCV != "1200" || c.EffectiveEndDate != "2026-01-01" || !c.IsLastSegment {
				t.Errorf("segment 1: %+v", c)
			}
		} else if c.MRR != "100" {
			t.Errorf("quarterly flat fee: MRR %s", c.MRR)
		}
	}
	f.clock.Advance(time.Hour)
	v2 := must[Subscription](t)(f.srv.Amend(sub.Name, Amendment{EffectiveDate: "2025-04-01",
		Update: []ChargeUpdate{{ChargeNumber: seats, Quantity: "15"}}}))
	f.clock.Advance(time.Hour)
	v3 := must[Subscription](t)(f.srv.Cancel(sub.Name, "2025-09-01", time.Time{}))
	if v2.Version != 2 || v3.Version != 3 || v3.Status != "Cancelled" || v3.OriginalID != sub.ID || v3.PreviousSubscriptionID != v2.ID {
		t.Fatalf("versions: %+v %+v", v2, v3)
	}
	truth = f.srv.Truth()
	status := map[int]string{}
	for _, s := range truth.Subscriptions {
		status[s.Version] = s.Status
	}
	if status[1] != "Expired" || status[2] != "Expired" || status[3] != "Cancelled" {
		t.Errorf("statuses: %v", status)
	}
	plans := map[string]bool{}
	for _, rp := range truth.RatePlans {
		if rp.SubscriptionID == v3.ID {
			plans[rp.ID] = true
		}
	}
	var segs []RatePlanCharge
	for _, c := range truth.RatePlanCharges {
		if plans[c.RatePlanID] && c.ChargeNumber == seats {
			segs = append(segs, c)
		}
	}
	if len(segs) != 2 {
		t.Fatalf("latest version's seat segments: %+v", segs)
	}
	if segs[0].Segment > segs[1].Segment {
		segs[0], segs[1] = segs[1], segs[0]
	}
	s1, s2 := segs[0], segs[1]
	if s1.EffectiveStartDate != "2025-01-01" || s1.EffectiveEndDate != "2025-04-01" || s1.MRR != "100" || s1.IsLastSegment ||
		s2.EffectiveStartDate != "2025-04-01" || s2.EffectiveEndDate != "2025-09-01" || s2.MRR != "150" || s2.DMRC != "50" ||
		!s2.IsLastSegment || s2.Version != 2 || s1.OriginalID != s2.OriginalID || s2.TCV != "750" {
		t.Errorf("segments:\n%+v\n%+v", s1, s2)
	}
	// Errors leave the tenant as it was.
	before := len(f.srv.Truth().Subscriptions)
	if _, err := f.srv.Amend(sub.Name, Amendment{EffectiveDate: "2025-10-01", Update: []ChargeUpdate{{ChargeNumber: seats, Quantity: "1"}}}); err == nil {
		t.Error("amending a cancelled subscription")
	}
	if _, err := f.srv.Subscribe(NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01",
		RatePlans: []RatePlanSpec{{Charges: []ChargeSpec{{Price: "1,5"}}}}}); err == nil {
		t.Error("a bad price was accepted")
	}
	if after := len(f.srv.Truth().Subscriptions); after != before {
		t.Errorf("a failed call changed the tenant: %d → %d subscriptions", before, after)
	}
}

func TestLiveLocatorDropsRecordsUpdatedBetweenPages(t *testing.T) {
	for _, live := range []bool{false, true} {
		t.Run(fmt.Sprint("live=", live), func(t *testing.T) {
			f := newT(t, Options{LiveLocators: live})
			f.login()
			var ids []string
			for i := 0; i < 10; i++ {
				ids = append(ids, must[Account](t)(f.srv.CreateAccount(Account{Name: fmt.Sprint(i), CreatedDate: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})).ID)
			}
			var last string
			f.srv.OnPage(func(p Page) {
				if p.N == 2 {
					last = sorted(ids)[9]
					if err := f.srv.UpdateAccount(last, func(a *Account) { a.Name = "moved" }); err != nil {
						t.Error(err)
					}
				}
			})
			_, body := f.query("select Id, Name from Account where UpdatedDate < '2025-05-02T00:00:00Z'", 5)
			_, body2 := f.more(body["queryLocator"].(string))
			var names []string
			for _, r := range append(records(body), records(body2)...) {
				names = append(names, r["Name"].(string))
			}
			n := len(names)
			if live && n != 9 || !live && n != 10 || strings.Contains(fmt.Sprint(names), "moved") {
				t.Errorf("pages: %v", names)
			}
		})
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	run := func() (SeedResult, Truth) {
		f := newT(t, Options{})
		res := must[SeedResult](t)(f.srv.Seed(SeedOptions{Accounts: 25, Seed: 7}))
		return res, f.srv.Truth()
	}
	r1, t1 := run()
	r2, t2 := run()
	a, _ := json.Marshal(t1)
	b, _ := json.Marshal(t2)
	if string(a) != string(b) || r1 != r2 {
		t.Fatal("the same seed gave two tenants")
	}
	if r1.Accounts != 25 || r1.Subscriptions <= r1.Accounts/2 || r1.InvoiceItems == 0 || r1.Products != 3 {
		t.Errorf("seed: %+v", r1)
	}
	versions := 0
	for _, s := range t1.Subscriptions {
		versions = max(versions, s.Version)
	}
	if versions < 2 {
		t.Error("no subscription was amended or cancelled")
	}

	f := newT(t, Options{})
	must[SeedResult](t)(f.srv.Seed(SeedOptions{Accounts: 5, SharedUpdatedDate: true}))
	tr := f.srv.Truth()
	stamps := map[time.Time]bool{}
	for _, a := range tr.Accounts {
		stamps[a.UpdatedDate] = true
	}
	for _, c := range tr.RatePlanCharges {
		stamps[c.UpdatedDate] = true
	}
	if len(stamps) != 1 || !stamps[f.clock.Now()] {
		t.Errorf("shared UpdatedDate: %v", stamps)
	}
}

func TestAdminEndpoints(t *testing.T) {
	f := newT(t, Options{})
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := do("POST", "/__fake/zuora/seed", `{"accounts": 4, "seed": 1}`); status != 200 || !strings.Contains(body, `"accounts":4`) {
		t.Fatalf("seed: %d %s", status, body)
	}
	truth := f.srv.Truth()
	name := truth.Subscriptions[0].Name
	if status, body := do("POST", "/__fake/zuora/mutate", `{"op":"delete_subscription","name":"`+name+`"}`); status != 204 {
		t.Fatalf("mutate: %d %s", status, body)
	}
	if status, _ := do("POST", "/__fake/zuora/mutate", `{"op":"explode"}`); status != 400 {
		t.Error("an unknown op was accepted")
	}
	if status, _ := do("PUT", "/__fake/zuora/settings", `{"default_batch_size": 3, "live_locators": true}`); status != 204 {
		t.Error("settings")
	}
	if status, _ := do("PUT", "/__fake/zuora/settings", `{"default_batch_size": 3000}`); status != 400 {
		t.Error("a batch size over 2000 was accepted")
	}
	if status, _ := do("POST", "/__fake/zuora/script", `{"status": 200}`); status != 400 {
		t.Error("a 200 script was accepted")
	}
	status, body := do("GET", "/__fake/zuora/truth", "")
	var got Truth
	if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || strings.Contains(body, name) {
		t.Errorf("truth after deleting %s: %d %v", name, status, err)
	}
	f.login()
	_, page := f.query("select Id from Account", 0)
	if len(records(page)) != 3 {
		t.Errorf("default batch size 3: %v", page)
	}
}
