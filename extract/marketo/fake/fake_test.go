package fake

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	fake  *Server
	url   string
	clock *fakeapi.Clock
	token string
}

func newHarness(t *testing.T, k Knobs) *harness {
	t.Helper()
	clock := fakeapi.NewClock(t0)
	f := New(Options{Clock: clock, Knobs: k})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	h := &harness{t: t, fake: f, url: srv.URL, clock: clock}
	h.login()
	return h
}

// login gets the current token.
func (h *harness) login() {
	h.t.Helper()
	_, body := h.do("GET", "/identity/oauth/token?grant_type=client_credentials&client_id=revops-client&client_secret=revops-secret", "", nil, nil)
	h.token, _ = body["access_token"].(string)
	if h.token == "" {
		h.t.Fatalf("no token: %v", body)
	}
}

// do sends a request and decodes a JSON body (nil for other bodies).
func (h *harness) do(method, path, token string, body []byte, hdr http.Header) (*http.Response, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &m); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	} else {
		m = map[string]any{"_raw": string(raw)}
	}
	return resp, m
}

func (h *harness) get(path string) map[string]any {
	h.t.Helper()
	_, m := h.do("GET", path, h.token, nil, nil)
	return m
}

func (h *harness) post(path string, body any) map[string]any {
	h.t.Helper()
	b, _ := json.Marshal(body)
	_, m := h.do("POST", path, h.token, b, http.Header{"Content-Type": {"application/json"}})
	return m
}

func errCode(m map[string]any) string {
	if m["success"] == true {
		return ""
	}
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		return "?"
	}
	c, _ := errs[0].(map[string]any)["code"].(string)
	return c
}

func results(m map[string]any) []map[string]any {
	list, _ := m["result"].([]any)
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func (h *harness) lead(l Lead) Lead {
	h.t.Helper()
	got, err := h.fake.AddLead(l)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

func TestIdentityReturnsTheSameTokenUntilExpiry(t *testing.T) {
	h := newHarness(t, Knobs{})
	path := "/identity/oauth/token?grant_type=client_credentials&client_id=revops-client&client_secret=revops-secret"
	h.clock.Advance(100 * time.Second)
	_, m := h.do("POST", path, "", nil, nil)
	if m["access_token"] != h.token || m["expires_in"] != float64(3500) || m["token_type"] != "bearer" || m["scope"] != "apis@revops.example" {
		t.Fatalf("second call: %v", m)
	}
	// Form parameters work too.
	form := "grant_type=client_credentials&client_id=revops-client&client_secret=revops-secret"
	_, m = h.do("POST", "/identity/oauth/token", "", []byte(form), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if m["access_token"] != h.token {
		t.Fatalf("form call: %v", m)
	}
	h.clock.Advance(3500 * time.Second)
	if c := errCode(h.get("/rest/v1/leads/describe.json")); c != "602" {
		t.Fatalf("expired token: code %q", c)
	}
	_, m = h.do("GET", path, "", nil, nil)
	if m["access_token"] == h.token || m["expires_in"] != float64(3600) {
		t.Fatalf("after expiry: %v", m)
	}
	resp, m := h.do("GET", strings.Replace(path, "revops-secret", "wrong", 1), "", nil, nil)
	if resp.StatusCode != 401 || m["error"] != "unauthorized" || m["error_description"] != "Bad client credentials" {
		t.Fatalf("bad credentials: %d %v", resp.StatusCode, m)
	}
}

func TestAuthErrorsAreEnvelopesInHTTP200(t *testing.T) {
	h := newHarness(t, Knobs{})
	for _, tc := range []struct {
		name, token, query, want string
	}{
		{"no token", "", "", "600"},
		{"query token is not accepted", "", "?access_token=" + h.token, "600"},
		{"unknown token", "nope", "", "601"},
		{"valid", h.token, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, m := h.do("GET", "/rest/v1/leads/describe.json"+tc.query, tc.token, nil, nil)
			if resp.StatusCode != 200 || errCode(m) != tc.want || m["requestId"] == nil {
				t.Fatalf("%d %v, want code %q", resp.StatusCode, m, tc.want)
			}
		})
	}
}

func TestLimitsRateQuotaAndConcurrency(t *testing.T) {
	h := newHarness(t, Knobs{RatePer20s: 5, DailyQuota: 8})
	codes := func(n int) string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, errCode(h.get("/rest/v1/stats/usage.json")))
		}
		return strings.Join(out, ",")
	}
	if got := codes(6); got != ",,,,,606" {
		t.Fatalf("rate: %s", got)
	}
	h.clock.Advance(20 * time.Second)
	if got := codes(4); got != ",,,607" {
		t.Fatalf("quota: %s", got)
	}
	if n := h.fake.Usage(); n != 8 {
		t.Fatalf("usage %d", n)
	}
	// Midnight US Central (05:00 UTC in June) resets the quota.
	h.clock.Set(time.Date(2025, 6, 2, 4, 59, 0, 0, time.UTC))
	h.login()
	if got := codes(1); got != "607" {
		t.Fatalf("before midnight CT: %s", got)
	}
	h.clock.Set(time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC))
	m := h.get("/rest/v1/stats/usage.json")
	if errCode(m) != "" || results(m)[0]["total"] != float64(1) || results(m)[0]["date"] != "2025-06-02" {
		t.Fatalf("after midnight CT: %v", m)
	}

	// 615: one request held in a hook while another arrives.
	h2 := newHarness(t, Knobs{MaxConcurrent: 1})
	h2.lead(Lead{Email: "a@x.io"})
	hold, release := make(chan struct{}), make(chan struct{})
	h2.fake.OnPage(func(PageEvent) { close(hold); <-release })
	tok := h2.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2025-01-01")["nextPageToken"].(string)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h2.get("/rest/v1/activities.json?activityTypeIds=12&nextPageToken=" + tok)
	}()
	<-hold
	got := errCode(h2.get("/rest/v1/leads/describe.json"))
	close(release)
	wg.Wait()
	if got != "615" {
		t.Fatalf("concurrency: %q", got)
	}
}

func TestLeadsFilterPagingAndLongURLs(t *testing.T) {
	h := newHarness(t, Knobs{})
	var ids []string
	for i := 0; i < 5; i++ {
		l := h.lead(Lead{Email: fmt.Sprintf("u%d@x.io", i), FirstName: "U", Fields: map[string]any{"annualRevenue": "1250.5", "leadScore": 7}})
		ids = append(ids, fmt.Sprint(l.ID))
	}
	q := "/rest/v1/leads.json?filterType=id&fields=id,email,annualRevenue,leadScore,createdAt&batchSize=2&filterValues=" + strings.Join(ids, ",")
	var got []string
	m := h.get(q)
	for page := 0; ; page++ {
		for _, r := range results(m) {
			got = append(got, fmt.Sprint(r["id"]))
			if r["annualRevenue"] != 1250.5 || r["leadScore"] != float64(7) || r["createdAt"] != "2025-06-01T12:00:00Z" {
				t.Fatalf("lead: %v", r)
			}
		}
		tok, _ := m["nextPageToken"].(string)
		if tok == "" {
			break
		}
		if page == 0 {
			// Position-based: a lead deleted before the next page shifts the rest.
			if err := h.fake.DeleteLead(1, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		m = h.get(q + "&nextPageToken=" + url.QueryEscape(tok))
	}
	if strings.Join(got, ",") != "1,2,4,5" {
		t.Fatalf("pages: %v (lead 3 shifted onto page 1 and was skipped)", got)
	}
	for _, tc := range []struct{ q, want string }{
		{"filterType=updatedAt&filterValues=1", "1003"},
		{"filterType=id&filterValues=1&batchSize=301", "1003"},
		{"filterType=id&filterValues=1&fields=nope", "1006"},
		{"filterValues=1", "701"},
		{"filterType=email&filterValues=U2@X.IO", ""},
	} {
		if c := errCode(h.get("/rest/v1/leads.json?" + tc.q)); c != tc.want {
			t.Errorf("%s: code %q, want %q", tc.q, c, tc.want)
		}
	}
	// Over 8 KB of URL: 414; the same query as a POST with _method=GET works.
	long := "filterType=id&fields=id&filterValues=" + strings.Repeat("2,", 4500) + "2"
	resp, _ := h.do("GET", "/rest/v1/leads.json?"+long, h.token, nil, nil)
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Fatalf("long GET: %d", resp.StatusCode)
	}
	_, m = h.do("POST", "/rest/v1/leads.json?_method=GET", h.token, []byte("filterType=id&fields=id&filterValues=2,3"),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if len(results(m)) != 2 {
		t.Fatalf("POST _method=GET: %v", m)
	}
}

// TestActivityPagingScansAllTypes: each call scans ScanSize activities of every type from the
// token's position; filtered pages can be empty while moreResult is true; the EmptyPages knob
// adds empty pages that do not move the token; an activity dated behind the token is not seen.
func TestActivityPagingScansAllTypes(t *testing.T) {
	h := newHarness(t, Knobs{ScanSize: 4})
	l := h.lead(Lead{Email: "a@x.io", CreatedAt: t0.Add(-time.Hour)}) // New Lead at -1h
	for i := 0; i < 10; i++ {
		if _, err := h.fake.AddActivity(Activity{LeadID: l.ID, TypeID: TypeVisitWebpage, ActivityDate: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.fake.UpdateLead(l.ID, t0.Add(30*time.Minute), map[string]any{"leadStatus": "MQL"}); err != nil {
		t.Fatal(err)
	}
	tok := h.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2025-06-01T06:00:00-05:00")["nextPageToken"].(string)
	type page struct {
		n    int
		more bool
	}
	var pages []page
	var types []any
	for {
		m := h.get("/rest/v1/activities.json?activityTypeIds=12,13&nextPageToken=" + url.QueryEscape(tok))
		if errCode(m) != "" {
			t.Fatal(m)
		}
		rs := results(m)
		for _, r := range rs {
			types = append(types, r["activityTypeId"])
		}
		if _, has := m["result"]; len(rs) == 0 && has {
			t.Fatal("an empty page carries a result member")
		}
		pages = append(pages, page{len(rs), m["moreResult"] == true})
		tok = m["nextPageToken"].(string)
		if m["moreResult"] != true {
			break
		}
	}
	// 12 activities (New Lead at 11:00 — since is 11:00Z —, 10 visits, 1 change): pages of 4.
	if fmt.Sprint(pages) != "[{1 true} {0 true} {1 false}]" || fmt.Sprint(types) != "[12 13]" {
		t.Fatalf("pages %v, types %v", pages, types)
	}
	// The last token is the end of the log: a later activity appears from it, an earlier-dated
	// one (late arrival) does not.
	if _, err := h.fake.AddActivity(Activity{LeadID: l.ID, TypeID: TypeFillOutForm, ActivityDate: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.AddActivity(Activity{LeadID: l.ID, TypeID: TypeFillOutForm, ActivityDate: t0.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	m := h.get("/rest/v1/activities.json?activityTypeIds=2&nextPageToken=" + url.QueryEscape(tok))
	if rs := results(m); len(rs) != 1 || rs[0]["activityDate"] != "2025-06-01T13:00:00Z" {
		t.Fatalf("after the end: %v", m)
	}
	h.fake.SetKnobs(Knobs{ScanSize: 4, EmptyPages: 2})
	for i := 0; i < 3; i++ {
		m = h.get("/rest/v1/activities.json?activityTypeIds=2&nextPageToken=" + url.QueryEscape(tok))
		if want := i < 2; (len(results(m)) == 0) != want || (m["nextPageToken"] == tok) != want {
			t.Fatalf("empty page %d: %v", i, m)
		}
	}
	for _, q := range []string{"activityTypeIds=1,2,3,6,10,11,12,13,22,101,104", "activityTypeIds=", "activityTypeIds=999", "activityTypeIds=1&batchSize=0"} {
		if c := errCode(h.get("/rest/v1/activities.json?" + q + "&nextPageToken=" + url.QueryEscape(tok))); c == "" {
			t.Errorf("%s: accepted", q)
		}
	}
	if c := errCode(h.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=yesterday")); c != "704" {
		t.Errorf("bad sinceDatetime: %q", c)
	}
}

func TestDeletedLeadsAndLeadChanges(t *testing.T) {
	h := newHarness(t, Knobs{})
	a := h.lead(Lead{Email: "a@x.io", LeadStatus: "New"})
	b := h.lead(Lead{Email: "b@x.io"})
	h.clock.Advance(time.Minute)
	if err := h.fake.UpdateLead(a.ID, time.Time{}, map[string]any{"leadStatus": "MQL", "title": "CTO"}); err != nil {
		t.Fatal(err)
	}
	if err := h.fake.DeleteLead(b.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	tok := h.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2025-06-01")["nextPageToken"].(string)
	m := h.get("/rest/v1/activities/leadchanges.json?fields=leadStatus&nextPageToken=" + url.QueryEscape(tok))
	var got []string
	for _, r := range results(m) {
		got = append(got, fmt.Sprint(r["leadId"], ":", r["activityTypeId"], ":", r["fields"]))
	}
	want := fmt.Sprintf("[%d:12:<nil> %d:12:<nil> %d:13:[map[id:8 name:leadStatus newValue:MQL oldValue:New]]]", a.ID, b.ID, a.ID)
	if fmt.Sprint(got) != want {
		t.Fatalf("lead changes: %v\nwant %s", got, want)
	}
	if c := errCode(h.get("/rest/v1/activities/leadchanges.json?nextPageToken=" + url.QueryEscape(tok))); c != "701" {
		t.Fatalf("leadchanges without fields: %q", c)
	}
	m = h.get("/rest/v1/activities/deletedleads.json?nextPageToken=" + url.QueryEscape(tok))
	if rs := results(m); len(rs) != 1 || rs[0]["leadId"] != float64(b.ID) || rs[0]["activityTypeId"] != float64(37) {
		t.Fatalf("deleted leads: %v", m)
	}
	tr := h.fake.Truth()
	if len(tr.Leads) != 1 || tr.Leads[0].LeadStatus != "MQL" || !tr.Leads[0].UpdatedAt.Equal(t0.Add(time.Minute)) ||
		len(tr.Deleted) != 1 || tr.Deleted[0].LeadID != b.ID {
		t.Fatalf("truth: %+v", tr)
	}
	for _, a := range tr.Activities {
		if a.TypeID == TypeDeleteLead {
			t.Fatal("truth lists a Delete Lead activity")
		}
	}
	if _, err := h.fake.AddLead(Lead{ID: b.ID}); err == nil {
		t.Fatal("a deleted lead's id was reused")
	}
}

// exportJob runs a bulk export to completion and returns the final status.
func (h *harness) exportJob(kind string, body any) (string, map[string]any) {
	h.t.Helper()
	m := h.post("/bulk/v1/"+kind+"/export/create.json", body)
	if errCode(m) != "" {
		h.t.Fatalf("create: %v", m)
	}
	id := results(m)[0]["exportId"].(string)
	if c := errCode(h.post("/bulk/v1/"+kind+"/export/"+id+"/enqueue.json", nil)); c != "" {
		h.t.Fatalf("enqueue: %s", c)
	}
	for i := 0; i < 10; i++ {
		st := results(h.get("/bulk/v1/" + kind + "/export/" + id + "/status.json"))[0]
		if st["status"] == "Completed" {
			return id, st
		}
	}
	h.t.Fatal("export did not complete")
	return "", nil
}

func TestBulkExportLifecycleRangeAndLimits(t *testing.T) {
	h := newHarness(t, Knobs{CSVNulBytes: true})
	for i := 0; i < 3; i++ {
		h.lead(Lead{Email: fmt.Sprintf("u%d@x.io", i), FirstName: "Ann\nMarie", CreatedAt: t0.Add(-time.Duration(i) * 24 * time.Hour)})
	}
	win := func(f string, from, to time.Time) map[string]any {
		return map[string]any{f: map[string]string{"startAt": from.Format(time.RFC3339), "endAt": to.Format(time.RFC3339)}}
	}
	id, st := h.exportJob("leads", map[string]any{"fields": []string{"id", "firstName", "updatedAt"}, "format": "CSV",
		"filter": win("updatedAt", t0.Add(-36*time.Hour), t0)})
	resp, m := h.do("GET", "/bulk/v1/leads/export/"+id+"/file.json", h.token, nil, nil)
	file := m["_raw"].(string)
	sum := sha256.Sum256([]byte(file))
	if resp.Header.Get("Content-Type") != "text/csv" || st["numberOfRecords"] != float64(2) || st["fileSize"] != float64(len(file)) ||
		st["fileChecksum"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("status %v for file %q", st, file)
	}
	clean := strings.NewReplacer("\r", "", "\x00", "").Replace(file)
	if !strings.Contains(file, "\r\n") || !strings.Contains(file, "\x00") ||
		clean != "id,firstName,updatedAt\n1,\"Ann\nMarie\",2025-06-01T12:00:00Z\n2,\"Ann\nMarie\",2025-05-31T12:00:00Z\n" {
		t.Fatalf("file %q", file)
	}
	resp, m = h.do("GET", "/bulk/v1/leads/export/"+id+"/file.json", h.token, nil, http.Header{"Range": {"bytes=0-9"}})
	if resp.StatusCode != http.StatusPartialContent || m["_raw"] != file[:10] {
		t.Fatalf("range: %d %q", resp.StatusCode, m["_raw"])
	}

	// Activities: the documented columns, attributes as a JSON string.
	_, st = h.exportJob("activities", map[string]any{"format": "CSV", "filter": map[string]any{
		"createdAt": map[string]string{"startAt": "2025-05-01T00:00:00Z", "endAt": "2025-06-01T00:00:00Z"}, "activityTypeIds": []int{12}}})
	_, m = h.do("GET", "/bulk/v1/activities/export/"+st["exportId"].(string)+"/file.json", h.token, nil, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.NewReplacer("\r", "", "\x00", "").Replace(m["_raw"].(string)))).ReadAll()
	if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes" ||
		strings.Join(recs[1], "|") != `1003|3|2025-05-30T12:00:00Z|12||3|Ann
Marie|{"Lead Source":"Web","Source Type":"New lead"}` {
		t.Fatalf("activity file: %q %v", recs, err)
	}

	for _, tc := range []struct {
		name  string
		knobs Knobs
		body  any
		want  string
	}{
		{"window over 31 days", Knobs{}, map[string]any{"fields": []string{"id"}, "filter": win("createdAt", t0.Add(-32*24*time.Hour), t0)}, "1003"},
		{"unknown field", Knobs{}, map[string]any{"fields": []string{"nope"}, "filter": win("createdAt", t0.Add(-time.Hour), t0)}, "1006"},
		{"no updatedAt filter", Knobs{NoUpdatedAtFilter: true}, map[string]any{"fields": []string{"id"}, "filter": win("updatedAt", t0.Add(-time.Hour), t0)}, "1035"},
		{"createdAt without the capability", Knobs{NoUpdatedAtFilter: true}, map[string]any{"fields": []string{"id"}, "filter": win("createdAt", t0.Add(-time.Hour), t0)}, ""},
	} {
		h.fake.SetKnobs(tc.knobs)
		if c := errCode(h.post("/bulk/v1/leads/export/create.json", tc.body)); c != tc.want {
			t.Errorf("%s: code %q, want %q", tc.name, c, tc.want)
		}
	}

	// The queue: 10 queued or processing jobs refuse an enqueue with 1029; they drain.
	h.fake.SetKnobs(Knobs{})
	h.fake.Occupy(10)
	body := map[string]any{"fields": []string{"id"}, "filter": win("createdAt", t0.Add(-time.Hour), t0)}
	id = results(h.post("/bulk/v1/leads/export/create.json", body))[0]["exportId"].(string)
	m = h.post("/bulk/v1/leads/export/"+id+"/enqueue.json", nil)
	if errCode(m) != "1029" {
		t.Fatalf("full queue: %v", m)
	}
	for i := 0; i < 20 && errCode(m) == "1029"; i++ {
		m = h.post("/bulk/v1/leads/export/"+id+"/enqueue.json", nil)
	}
	if errCode(m) != "" {
		t.Fatalf("the queue never drained: %v", m)
	}
	if st := results(h.post("/bulk/v1/leads/export/"+id+"/cancel.json", nil))[0]; st["status"] != "Cancelled" {
		t.Fatalf("cancel: %v", st)
	}

	// The daily export quota, and a Completed export whose file is missing.
	h.fake.SetKnobs(Knobs{ExportDailyQuotaBytes: 1, MissingFiles: 1})
	id = results(h.post("/bulk/v1/leads/export/create.json", body))[0]["exportId"].(string)
	if m := h.post("/bulk/v1/leads/export/"+id+"/enqueue.json", nil); errCode(m) != "1029" || !strings.Contains(fmt.Sprint(m["errors"]), "quota") {
		t.Fatalf("export quota: %v", m)
	}
	h.fake.SetKnobs(Knobs{MissingFiles: 1})
	id, _ = h.exportJob("leads", body)
	if resp, _ := h.do("GET", "/bulk/v1/leads/export/"+id+"/file.json", h.token, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("missing file: %d", resp.StatusCode)
	}
	id, _ = h.exportJob("leads", body)
	if resp, _ := h.do("GET", "/bulk/v1/leads/export/"+id+"/file.json", h.token, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the next export's file: %d", resp.StatusCode)
	}
	if list := results(h.get("/bulk/v1/leads/export.json?status=Completed")); len(list) != 3 {
		t.Fatalf("completed exports: %d", len(list))
	}
}

func TestScriptsFaultsAndAdmin(t *testing.T) {
	h := newHarness(t, Knobs{})
	h.fake.ScriptCodes("describe", "606", "602", "607")
	h.fake.Script(Scripted{Path: "describe", HTTPStatus: 502})
	var got []string
	for i := 0; i < 5; i++ {
		resp, m := h.do("GET", "/rest/v1/leads/describe.json", h.token, nil, nil)
		got = append(got, fmt.Sprint(resp.StatusCode, ":", errCode(m)))
	}
	if strings.Join(got, " ") != "200:606 200:602 200:607 502:? 200:" {
		t.Fatalf("scripted: %v", got)
	}
	// Injected faults use Marketo's envelopes.
	h.fake.SetFaults(fakeapi.Faults{RateLimitRate: 1, Paths: []string{"/rest/"}})
	a, b := errCode(h.get("/rest/v1/leads/describe.json")), errCode(h.get("/rest/v1/leads/describe.json"))
	h.fake.SetFaults(fakeapi.Faults{ServerErrorRate: 1, Paths: []string{"/rest/"}})
	var se []string
	for i := 0; i < 4; i++ {
		resp, m := h.do("GET", "/rest/v1/leads/describe.json", h.token, nil, nil)
		se = append(se, fmt.Sprint(resp.StatusCode, ":", errCode(m)))
	}
	if a != "606" || b != "615" || strings.Join(se, " ") != "200:611 200:608 502:? 200:604" {
		t.Fatalf("rate limit faults %s %s, server errors %v", a, b, se)
	}
	if n := h.fake.ErrorsServed()["606"]; n != 2 {
		t.Fatalf("606 served %d times", n)
	}
	h.fake.SetFaults(fakeapi.Faults{})

	// Admin endpoints.
	admin := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := admin("POST", "/__fake/marketo/leads", `{"leads":[{"email":"a@x.io","fields":{"leadScore":12}}]}`); code != 200 || !strings.Contains(body, `"id":1`) {
		t.Fatalf("add lead: %d %s", code, body)
	}
	if code, _ := admin("PATCH", "/__fake/marketo/leads/1", `{"changes":{"leadStatus":"MQL"}}`); code != 204 {
		t.Fatalf("update: %d", code)
	}
	if code, _ := admin("POST", "/__fake/marketo/fields", `{"name":"tier__c","dataType":"string"}`); code != 200 {
		t.Fatalf("field: %d", code)
	}
	if code, _ := admin("PUT", "/__fake/marketo/knobs", `{"scan_size":7,"bogus":1}`); code != 400 {
		t.Fatalf("unknown knob accepted: %d", code)
	}
	if code, _ := admin("PUT", "/__fake/marketo/knobs", `{"scan_size":7}`); code != 200 || h.fake.Knobs().ScanSize != 7 {
		t.Fatalf("knobs: %d %+v", code, h.fake.Knobs())
	}
	if code, _ := admin("DELETE", "/__fake/marketo/leads/1", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	code, body := admin("GET", "/__fake/marketo/truth", "")
	var tr Truth
	if err := json.Unmarshal([]byte(body), &tr); err != nil || code != 200 || len(tr.Deleted) != 1 || len(tr.Leads) != 0 ||
		tr.Fields[len(tr.Fields)-1].Name != "tier__c" {
		t.Fatalf("truth: %d %v %s", code, err, body)
	}
}

func TestSeedValidation(t *testing.T) {
	h := newHarness(t, Knobs{})
	for _, tc := range []struct {
		name string
		lead Lead
	}{
		{"unknown field", Lead{Fields: map[string]any{"nope": 1}}},
		{"standard field in Fields", Lead{Fields: map[string]any{"email": "x"}}},
		{"wrong type", Lead{Fields: map[string]any{"leadScore": "high"}}},
		{"bad currency", Lead{Fields: map[string]any{"annualRevenue": "1e9"}}},
	} {
		if _, err := h.fake.AddLead(tc.lead); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	l := h.lead(Lead{Fields: map[string]any{"dateOfBirth": "1990-02-03", "unsubscribed": true, "numberOfEmployees": 40.0}})
	if l.Value("dateOfBirth") != time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC) || l.Value("numberOfEmployees") != int64(40) {
		t.Fatalf("normalized: %+v", l)
	}
	if err := h.fake.UpdateLead(l.ID, time.Time{}, map[string]any{"createdAt": t0}); err == nil {
		t.Error("a read-only field was updated")
	}
	if _, err := h.fake.AddActivity(Activity{LeadID: 999, TypeID: TypeVisitWebpage}); err == nil {
		t.Error("an activity of an unknown lead was added")
	}
}
