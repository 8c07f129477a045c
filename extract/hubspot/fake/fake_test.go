package fake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	clock *fakeapi.Clock
	fake  *Server
	srv   *httptest.Server
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := fakeapi.NewClock(t0)
	opts.Clock = clock
	if opts.RateClock == nil {
		opts.RateClock = clock.Now
	}
	f := New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &harness{t: t, clock: clock, fake: f, srv: srv}
}

// call sends a request with the default token and returns the status, headers and body.
func (h *harness) call(method, path string, body any) (int, http.Header, map[string]any) {
	h.t.Helper()
	return h.callToken(DefaultToken, method, path, body)
}

func (h *harness) callToken(tok, method, path string, body any) (int, http.Header, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %q", method, path, data)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func (h *harness) put(typ string, recs ...Record) []string {
	h.t.Helper()
	ids, err := h.fake.Put(typ, recs...)
	if err != nil {
		h.t.Fatal(err)
	}
	return ids
}

func results(t *testing.T, body map[string]any) []map[string]any {
	t.Helper()
	raw, _ := body["results"].([]any)
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

func TestAuthFailuresUseHubSpotBodies(t *testing.T) {
	h := newHarness(t, Options{})
	oauth := h.fake.IssueOAuthToken(time.Minute)
	revoked := "pat-na1-revoked"
	h.fake.Tokens.Add(revoked)
	h.fake.RevokeToken(revoked)
	h.clock.Advance(2 * time.Minute)
	tests := []struct {
		name, token, category, message string
	}{
		{"missing", "", "INVALID_AUTHENTICATION", authHelp},
		{"unknown", "pat-na1-wrong", "INVALID_AUTHENTICATION", authHelp},
		{"revoked", revoked, "INVALID_AUTHENTICATION", authHelp},
		{"expired", oauth, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired 60 second(s) ago."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := h.callToken(tt.token, "GET", "/crm/v3/objects/contacts", nil)
			if status != 401 || body["status"] != "error" || body["category"] != tt.category || body["message"] != tt.message {
				t.Errorf("got %d %v", status, body)
			}
			if id, _ := body["correlationId"].(string); len(id) != 36 {
				t.Errorf("correlationId %q is not a UUID", id)
			}
		})
	}
	if status, _, _ := h.call("GET", "/crm/v3/objects/contacts", nil); status != 200 {
		t.Errorf("valid token: %d", status)
	}
}

func TestListPagesArchivedAndLinks(t *testing.T) {
	h := newHarness(t, Options{})
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, h.put("deals", Record{Properties: map[string]string{"dealname": "d", "amount": "10.50"}})...)
	}
	if err := h.fake.Archive("deals", ids[1]); err != nil {
		t.Fatal(err)
	}
	status, _, body := h.call("GET", "/crm/v3/objects/deals?limit=2&properties=amount,nosuchprop,closedate", nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	res := results(t, body)
	if len(res) != 2 || res[0]["id"] != ids[0] || res[1]["id"] != ids[2] {
		t.Fatalf("page 1: %v", res)
	}
	props := res[0]["properties"].(map[string]any)
	if props["amount"] != "10.50" || props["closedate"] != nil || len(props) != 2 {
		t.Errorf("properties %v: want amount as a string, closedate null, unknown names ignored", props)
	}
	next := body["paging"].(map[string]any)["next"].(map[string]any)
	link := next["link"].(string)
	if !strings.HasPrefix(link, h.srv.URL+"/crm/v3/objects/deals?") || !strings.Contains(link, "properties=amount") {
		t.Errorf("link %q is not on the request's host with its query", link)
	}
	_, _, body = h.call("GET", strings.TrimPrefix(link, h.srv.URL), nil)
	if res := results(t, body); len(res) != 2 || res[0]["id"] != ids[3] {
		t.Errorf("page 2 via link: %v", res)
	}
	_, _, body = h.call("GET", "/crm/v3/objects/0-3?archived=true", nil)
	res = results(t, body)
	if len(res) != 1 || res[0]["id"] != ids[1] || res[0]["archived"] != true || res[0]["archivedAt"] == nil {
		t.Errorf("archived=true: %v", res)
	}
	if _, ok := body["paging"]; ok {
		t.Error("the last page has paging")
	}
}

func TestSearchFiltersCapAndValidation(t *testing.T) {
	h := newHarness(t, Options{SearchPerSecond: -1})
	var recs []Record
	for i := 0; i < 10_150; i++ {
		recs = append(recs, Record{UpdatedAt: t0.Add(-time.Hour)})
	}
	ids := h.put("contacts", recs...)
	h.put("contacts", Record{UpdatedAt: t0.Add(-time.Minute)})
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	eq := map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]any{"propertyName": "lastmodifieddate", "operator": "EQ", "value": ms(t0.Add(-time.Hour))},
		map[string]any{"propertyName": "hs_object_id", "operator": "GT", "value": ids[10_000]},
	}}}, "sorts": []any{map[string]any{"propertyName": "hs_object_id", "direction": "ASCENDING"}}, "limit": 200}
	status, hdr, body := h.call("POST", "/crm/v3/objects/contacts/search", eq)
	if status != 200 || body["total"] != float64(149) {
		t.Fatalf("EQ + GT: %d total %v", status, body["total"])
	}
	if res := results(t, body); res[0]["id"] != ids[10_001] || res[148]["id"] != ids[10_149] {
		t.Errorf("sorted by id: first %v last %v", res[0]["id"], res[148]["id"])
	}
	if hdr.Get("X-HubSpot-RateLimit-Max") != "" {
		t.Error("search responses carry rate-limit headers")
	}
	all := map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]any{"propertyName": "lastmodifieddate", "operator": "GTE", "value": ms(t0.Add(-2 * time.Hour))}}}},
		"sorts": []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}}, "limit": 200, "after": "9900"}
	status, _, body = h.call("POST", "/crm/v3/objects/contacts/search", all)
	if status != 200 || len(results(t, body)) != 100 || body["total"] != float64(10_151) {
		t.Fatalf("after 9900: %d, %d results, total %v", status, len(results(t, body)), body["total"])
	}
	if after := body["paging"].(map[string]any)["next"].(map[string]any)["after"]; after != "10100" {
		t.Errorf("next after %v", after)
	}
	all["after"] = "10000"
	status, _, body = h.call("POST", "/crm/v3/objects/contacts/search", all)
	if status != 400 || body["category"] != "VALIDATION_ERROR" || body["status"] != "error" {
		t.Errorf("after 10000: %d %v", status, body)
	}
	bad := []struct {
		name string
		body map[string]any
		want string
	}{
		{"wrong modified property", map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
			map[string]any{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}}}}}, `Property "hs_lastmodifieddate" does not exist`},
		{"limit over 200", map[string]any{"limit": 201}, "limit"},
		{"two sorts", map[string]any{"sorts": []any{"createdate", "email"}}, "one sort"},
		{"long body", map[string]any{"properties": []string{strings.Repeat("x", 3000)}}, "3000"},
	}
	for _, tt := range bad {
		status, _, body := h.call("POST", "/crm/v3/objects/contacts/search", tt.body)
		if msg, _ := body["message"].(string); status != 400 || !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %d %v", tt.name, status, body)
		}
	}
}

func TestSearchIndexLagAndArchived(t *testing.T) {
	h := newHarness(t, Options{SearchLag: 30 * time.Second})
	ids := h.put("deals", Record{Properties: map[string]string{"dealname": "old"}, UpdatedAt: t0.Add(-time.Hour)})
	h.clock.Advance(time.Minute)
	if err := h.fake.Update("deals", ids[0], map[string]string{"dealname": "new"}); err != nil {
		t.Fatal(err)
	}
	search := map[string]any{"properties": []string{"dealname", "hs_lastmodifieddate"}}
	name := func() any {
		_, _, body := h.call("POST", "/crm/v3/objects/deals/search", search)
		res := results(t, body)
		if len(res) == 0 {
			return nil
		}
		return res[0]["properties"].(map[string]any)["dealname"]
	}
	if got := name(); got != "old" {
		t.Errorf("before the lag: %v, want the previous version", got)
	}
	h.clock.Advance(30 * time.Second)
	if got := name(); got != "new" {
		t.Errorf("after the lag: %v", got)
	}
	if err := h.fake.Archive("deals", ids[0]); err != nil {
		t.Fatal(err)
	}
	if got := name(); got != nil {
		t.Errorf("archived record found by search: %v", got)
	}
}

func TestRateLimits(t *testing.T) {
	h := newHarness(t, Options{TenSecondlyMax: 2, SearchPerSecond: 1})
	for i := 0; i < 2; i++ {
		status, hdr, _ := h.call("GET", "/crm/v3/owners", nil)
		if status != 200 || hdr.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" || hdr.Get("X-HubSpot-RateLimit-Max") != "2" {
			t.Fatalf("request %d: %d %v", i, status, hdr)
		}
	}
	status, hdr, body := h.call("GET", "/crm/v3/owners", nil)
	if status != 429 || body["policyName"] != "TEN_SECONDLY_ROLLING" || body["errorType"] != "RATE_LIMIT" ||
		body["message"] != "You have reached your ten_secondly_rolling limit." || hdr.Get("Retry-After") != "" {
		t.Errorf("third request: %d %v %v", status, body, hdr)
	}
	h.fake.SetRetryAfter(3 * time.Second)
	if _, hdr, _ = h.call("GET", "/crm/v3/owners", nil); hdr.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", hdr.Get("Retry-After"))
	}
	h.clock.Advance(10 * time.Second)
	if status, _, _ = h.call("GET", "/crm/v3/owners", nil); status != 200 {
		t.Errorf("after the window: %d", status)
	}
	h.call("POST", "/crm/v3/objects/deals/search", map[string]any{})
	status, hdr, body = h.call("POST", "/crm/v3/objects/deals/search", map[string]any{})
	if status != 429 || body["policyName"] != "SECONDLY" || hdr.Get("X-HubSpot-RateLimit-Max") != "" {
		t.Errorf("second search in a second: %d %v", status, body)
	}
}

func TestHistoryBatchReadAssociationsPipelines(t *testing.T) {
	h := newHarness(t, Options{})
	deal := h.put("deals", Record{Properties: map[string]string{"dealstage": "appointmentscheduled"}, CreatedAt: t0.Add(-time.Hour)})[0]
	if err := h.fake.Update("deals", deal, map[string]string{"dealstage": "closedwon"}); err != nil {
		t.Fatal(err)
	}
	co := h.put("companies", Record{Properties: map[string]string{"name": "Acme"}})[0]
	co2 := h.put("companies", Record{Properties: map[string]string{"name": "Beta"}})[0]
	for _, c := range []string{co, co2} {
		if err := h.fake.Associate("deals", deal, "companies", c); err != nil {
			t.Fatal(err)
		}
	}
	status, _, body := h.call("GET", "/crm/v3/objects/deals?propertiesWithHistory=dealstage&limit=100", nil)
	hist := results(t, body)[0]["propertiesWithHistory"].(map[string]any)["dealstage"].([]any)
	if status != 200 || len(hist) != 2 || hist[0].(map[string]any)["value"] != "closedwon" {
		t.Errorf("history (newest first): %v", hist)
	}
	status, _, body = h.call("POST", "/crm/v3/objects/deals/batch/read", map[string]any{
		"inputs": []any{map[string]any{"id": deal}, map[string]any{"id": "999999"}}, "properties": []string{"dealstage"}})
	if status != 207 || len(results(t, body)) != 1 || body["numErrors"] != float64(1) {
		t.Errorf("batch read with a missing id: %d %v", status, body)
	}
	status, _, body = h.call("POST", "/crm/v4/associations/deals/companies/batch/read", map[string]any{
		"inputs": []any{map[string]any{"id": deal}, map[string]any{"id": co}}})
	res := results(t, body)
	if status != 207 || len(res) != 1 {
		t.Fatalf("v4 batch: %d %v", status, body)
	}
	to := res[0]["to"].([]any)
	first := to[0].(map[string]any)["associationTypes"].([]any)[0].(map[string]any)
	second := to[1].(map[string]any)["associationTypes"].([]any)[0].(map[string]any)
	if first["typeId"] != float64(5) || first["label"] != "Primary" || second["typeId"] != float64(341) || second["label"] != nil {
		t.Errorf("association types: %v, %v", first, second)
	}
	_, _, body = h.call("GET", "/crm/v3/pipelines/deals", nil)
	stages := results(t, body)[0]["stages"].([]any)
	won := stages[5].(map[string]any)["metadata"].(map[string]any)
	if won["probability"] != "1.0" || won["isClosed"] != "true" {
		t.Errorf("closedwon metadata %v", won)
	}
}

func TestHookAndAdminEndpoints(t *testing.T) {
	h := newHarness(t, Options{})
	var ops []string
	h.fake.SetHook(func(r Request) { ops = append(ops, r.Op+":"+r.Object) })
	status, _, body := h.call("POST", "/__fake/hubspot/objects/contacts", map[string]any{
		"records": []any{map[string]any{"properties": map[string]string{"email": "a@x.io"}}}})
	if status != 200 {
		t.Fatalf("admin put: %d %v", status, body)
	}
	id := body["ids"].([]any)[0].(string)
	if status, _, _ = h.call("DELETE", "/__fake/hubspot/objects/contacts/"+id, nil); status != 204 {
		t.Errorf("admin archive: %d", status)
	}
	_, _, body = h.call("GET", "/__fake/hubspot/truth/contacts", nil)
	recs := body["records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["Archived"] != true {
		t.Errorf("truth: %v", body)
	}
	h.call("GET", "/crm/objects/2026-03/contacts?archived=true", nil)
	if len(ops) != 1 || ops[0] != "list:contacts" {
		t.Errorf("hook saw %v", ops)
	}
	if live, archived := h.fake.IDs("contacts"); len(live) != 0 || len(archived) != 1 || archived[0] != id {
		t.Errorf("IDs: live %v archived %v", live, archived)
	}
}
