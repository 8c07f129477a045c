package fake

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

var t0 = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	s     *Server
	srv   *httptest.Server
	token string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(t0)
	}
	opts.Clients = append(opts.Clients, Client{ID: "cid", Secret: "csecret", Username: "int@acme.test", RefreshTokens: []string{"rtok"}})
	h := &harness{t: t, s: New(opts)}
	h.srv = httptest.NewServer(h.s)
	t.Cleanup(h.srv.Close)
	h.login()
	return h
}

func (h *harness) login() {
	h.token = ""
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	h.form("/services/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}}, 200, &tok)
	h.token = tok.AccessToken
}

// call sends a request and returns the response with its body read.
func (h *harness) call(method, path string, body []byte, header map[string]string) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (h *harness) get(path string, wantStatus int, v any) *http.Response {
	h.t.Helper()
	resp, body := h.call(http.MethodGet, path, nil, nil)
	if resp.StatusCode != wantStatus {
		h.t.Fatalf("GET %s = %d %s, want %d", path, resp.StatusCode, body, wantStatus)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			h.t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	return resp
}

func (h *harness) form(path string, f url.Values, wantStatus int, v any) {
	h.t.Helper()
	resp, body := h.call(http.MethodPost, path, []byte(f.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != wantStatus {
		h.t.Fatalf("POST %s = %d %s, want %d", path, resp.StatusCode, body, wantStatus)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			h.t.Fatal(err)
		}
	}
}

func q(soql string) string { return "/services/data/v62.0/query?q=" + url.QueryEscape(soql) }

// page is a REST query response.
type page struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func TestSOQLErrors(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		soql, code, msg string
	}{
		{"SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"},
		{"SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Industry = 'c'", "MALFORMED_QUERY", "unexpected token: 'OR'"},
		{"SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY", "unexpected token: 'GROUP'"},
		{"SELECT Id FROM Account WHERE SystemModstamp > 2025-01-15 10:00:00Z", "MALFORMED_QUERY", "ERROR at Row:1:Column:"},
		{"SELECT Id, Foo FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c'"},
		{"SELECT Id, IsDeleted FROM User", "INVALID_FIELD", "No such column 'IsDeleted' on entity 'User'"},
		{"SELECT Id, Account.Name FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Account'"},
		{"SELECT Id FROM Foo", "INVALID_TYPE", "sObject type 'Foo' is not supported."},
		{"SELECT Id FROM Account WHERE SystemModstamp > 2025-01-15", "INVALID_FIELD", "must be of type dateTime and should not be enclosed in quotes"},
		{"SELECT Id FROM Opportunity WHERE CloseDate > 2025-01-15T00:00:00Z", "INVALID_FIELD", "must be of type date"},
		{"SELECT Id FROM Account WHERE Name > 5", "INVALID_FIELD", "must be of type string and should be enclosed in quotes"},
		{"SELECT Id FROM Account LIMIT 10 OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"},
	}
	for _, c := range cases {
		resp, body := h.call(http.MethodGet, q(c.soql), nil, nil)
		var errs []apiError
		if resp.StatusCode != 400 || json.Unmarshal(body, &errs) != nil || len(errs) != 1 || errs[0].ErrorCode != c.code || !strings.Contains(errs[0].Message, c.msg) {
			t.Errorf("%s\n = %d %s\nwant 400 %s with %q", c.soql, resp.StatusCode, body, c.code, c.msg)
		}
	}
}

func TestAuthEnvelopes(t *testing.T) {
	h := newHarness(t, Options{})
	h.token = "00DFK0000000001!not-a-token"
	resp, body := h.call(http.MethodGet, "/services/data/v62.0/limits", nil, nil)
	if resp.StatusCode != 401 || strings.TrimSpace(string(body)) != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` {
		t.Errorf("bad token = %d %s", resp.StatusCode, body)
	}
	h.token = ""
	if resp, _ := h.call(http.MethodGet, "/services/data/v62.0/limits", nil, nil); resp.StatusCode != 401 {
		t.Errorf("no token = %d", resp.StatusCode)
	}
	// The versions list needs no token.
	var versions []map[string]string
	h.get("/services/data/", 200, &versions)
	if len(versions) == 0 || versions[len(versions)-1]["url"] != "/services/data/v66.0" {
		t.Errorf("versions = %v", versions)
	}
}

func TestTokenEndpoint(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 1024)
	h := newHarness(t, Options{Clients: []Client{{ID: "jwt-app", Username: "int@acme.test", PublicKey: &key.PublicKey},
		{ID: "no-user", Secret: "s"}}})
	jwt := func(claims map[string]any) string {
		enc := base64.RawURLEncoding
		c, _ := json.Marshal(claims)
		signing := enc.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + enc.EncodeToString(c)
		d := sha256.Sum256([]byte(signing))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		return signing + "." + enc.EncodeToString(sig)
	}
	exp := t0.Add(2 * time.Minute).Unix()
	cases := []struct {
		form       url.Values
		code, desc string // "" for success
	}{
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}}, "", ""},
		{url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "refresh_token": {"rtok"}}, "", ""},
		{url.Values{"grant_type": {jwtGrant}, "assertion": {jwt(map[string]any{"iss": "jwt-app", "sub": "int@acme.test", "aud": "https://login.salesforce.com", "exp": exp})}}, "", ""},
		{url.Values{"client_id": {"cid"}}, "invalid_request", "grant type is missing"},
		{url.Values{"grant_type": {"password"}}, "unsupported_grant_type", "grant type not supported"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"csecret"}}, "invalid_client_id", "client identifier invalid"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"wrong"}}, "invalid_client", "invalid client credentials"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"no-user"}, "client_secret": {"s"}}, "invalid_grant", "no client credentials user enabled"},
		{url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "refresh_token": {"old"}}, "invalid_grant", "expired access/refresh token"},
		{url.Values{"grant_type": {jwtGrant}, "assertion": {"a.b"}}, "invalid_grant", "invalid assertion"},
		{url.Values{"grant_type": {jwtGrant}, "assertion": {jwt(map[string]any{"iss": "jwt-app", "sub": "other@acme.test", "aud": "https://login.salesforce.com", "exp": exp})}}, "invalid_grant", "user hasn't approved this consumer"},
		{url.Values{"grant_type": {jwtGrant}, "assertion": {jwt(map[string]any{"iss": "jwt-app", "sub": "int@acme.test", "aud": "https://evil.example", "exp": exp})}}, "invalid_grant", "audience is invalid"},
		{url.Values{"grant_type": {jwtGrant}, "assertion": {jwt(map[string]any{"iss": "jwt-app", "sub": "int@acme.test", "aud": "https://login.salesforce.com", "exp": t0.Add(-time.Minute).Unix()})}}, "invalid_grant", "expired"},
	}
	for _, c := range cases {
		resp, body := h.call(http.MethodPost, "/services/oauth2/token", []byte(c.form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		var raw map[string]any
		_ = json.Unmarshal(body, &raw)
		if c.code == "" {
			if resp.StatusCode != 200 || raw["instance_url"] != h.srv.URL || !strings.HasPrefix(raw["access_token"].(string), "00DFK0000000001!") ||
				raw["issued_at"] != fmt.Sprint(t0.UnixMilli()) || raw["refresh_token"] != nil || raw["expires_in"] != nil {
				t.Errorf("%v = %d %s", c.form, resp.StatusCode, body)
			}
			continue
		}
		if resp.StatusCode != 400 || raw["error"] != c.code || !strings.Contains(fmt.Sprint(raw["error_description"]), c.desc) {
			t.Errorf("%v = %d %s, want %s / %s", c.form, resp.StatusCode, body, c.code, c.desc)
		}
	}
}

func TestQueryPagingSnapshot(t *testing.T) {
	h := newHarness(t, Options{Knobs: Knobs{MaxPageRecords: 1137}})
	for i := range 2500 {
		if _, err := h.s.Insert("Account", Record{"Name": fmt.Sprintf("A%04d", i), "AnnualRevenue": 1.5e7, "NumberOfEmployees": i,
			"SystemModstamp": t0.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	var p page
	resp := h.get("/services/data/v61.0/queryAll?q="+url.QueryEscape("SELECT Id, Name, AnnualRevenue, SystemModstamp FROM Account ORDER BY SystemModstamp, Id"), 200, &p)
	if resp.Header.Get("Sforce-Limit-Info") != "api-usage=1/1000000" {
		t.Errorf("Sforce-Limit-Info = %q", resp.Header.Get("Sforce-Limit-Info"))
	}
	if p.TotalSize != 2500 || p.Done || len(p.Records) != 1137 || !regexp.MustCompile(`^/services/data/v61\.0/query/01g[0-9A-Za-z]{15}-1137$`).MatchString(p.NextRecordsURL) {
		t.Fatalf("first page: total %d done %v records %d next %q", p.TotalSize, p.Done, len(p.Records), p.NextRecordsURL)
	}
	r0 := p.Records[0]
	attrs := r0["attributes"].(map[string]any)
	if attrs["type"] != "Account" || attrs["url"] != "/services/data/v61.0/sobjects/Account/"+r0["Id"].(string) ||
		r0["SystemModstamp"] != t0.Add(-time.Hour).Format("2006-01-02T15:04:05.000+0000") {
		t.Errorf("record = %v", r0)
	}
	_, raw := h.call(http.MethodGet, "/services/data/v61.0/query?q="+url.QueryEscape("SELECT AnnualRevenue FROM Account LIMIT 1"), nil, nil)
	if !strings.Contains(string(raw), `"AnnualRevenue":1.5E7`) {
		t.Errorf("a double renders as %s, want Java's 1.5E7", raw)
	}
	// Mutations after the query: values are current, membership is the snapshot's.
	last := p.Records[1136]["Id"].(string)
	var p2 page
	h.get(p.NextRecordsURL, 200, &p2)
	victim := p2.Records[0]["Id"].(string)
	_ = h.s.Update("Account", victim, Record{"Name": "changed"})
	_, _ = h.s.Insert("Account", Record{"Name": "new"})
	var again page
	h.get(p.NextRecordsURL, 200, &again) // a page can be re-requested
	if again.Records[0]["Name"] != "changed" || again.TotalSize != 2500 || again.Records[0]["Id"] == last {
		t.Errorf("re-requested page: %v, total %d", again.Records[0], again.TotalSize)
	}
	var p3 page
	h.get(again.NextRecordsURL, 200, &p3)
	if !p3.Done || len(p3.Records) != 2500-2*1137 || p3.NextRecordsURL != "" {
		t.Errorf("last page: done %v, %d records, next %q", p3.Done, len(p3.Records), p3.NextRecordsURL)
	}
	// batchSize hint below the cap; COUNT().
	var small page
	_ = h.s.SetStamp("Account", t0.Add(-30*time.Minute))
	resp, body := h.call(http.MethodGet, q("SELECT Id FROM Account"), nil, map[string]string{"Sforce-Query-Options": "batchSize=300"})
	_ = json.Unmarshal(body, &small)
	if resp.StatusCode != 200 || len(small.Records) != 300 {
		t.Errorf("batchSize=300 gave %d records", len(small.Records))
	}
	var count page
	h.get(q("SELECT COUNT() FROM Account WHERE SystemModstamp >= 2026-01-15T11:30:00Z AND Name != 'new'"), 200, &count)
	if count.TotalSize != 2500 || !count.Done {
		t.Errorf("COUNT() = %+v", count)
	}
}

func TestLocatorLRUAndTTL(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 250 {
		_, _ = h.s.Insert("Contact", Record{"LastName": fmt.Sprint(i)})
	}
	open := func() string {
		var p page
		resp, body := h.call(http.MethodGet, q("SELECT Id FROM Contact"), nil, map[string]string{"Sforce-Query-Options": "batchSize=200"})
		if resp.StatusCode != 200 || json.Unmarshal(body, &p) != nil || p.NextRecordsURL == "" {
			t.Fatalf("query: %d %s", resp.StatusCode, body)
		}
		return p.NextRecordsURL
	}
	first := open()
	for range 10 {
		open()
	}
	resp, body := h.call(http.MethodGet, first, nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "INVALID_QUERY_LOCATOR") {
		t.Errorf("11th cursor did not evict the first: %d %s", resp.StatusCode, body)
	}
	idle := open()
	h.s.Clock().Advance(16 * time.Minute)
	if resp, _ := h.call(http.MethodGet, idle, nil, nil); resp.StatusCode != 400 {
		t.Errorf("a cursor idle 16 minutes answered %d", resp.StatusCode)
	}
}

func TestBulkJob(t *testing.T) {
	h := newHarness(t, Options{Knobs: Knobs{BulkInProgressPolls: 2}})
	for i := range 25 {
		_, _ = h.s.Insert("Account", Record{"Name": fmt.Sprintf("A,%02d", i), "AnnualRevenue": float64(i)})
	}
	id0 := h.s.objects["account"].sortedIDs()[0]
	_ = h.s.Delete("Account", id0)
	body, _ := json.Marshal(map[string]string{"operation": "queryAll", "query": "SELECT Id, Name, AnnualRevenue, IsDeleted, SystemModstamp FROM Account"})
	resp, raw := h.call(http.MethodPost, "/services/data/v62.0/jobs/query", body, map[string]string{"Content-Type": "application/json"})
	var job map[string]any
	_ = json.Unmarshal(raw, &job)
	if resp.StatusCode != 200 || job["state"] != "UploadComplete" || job["object"] != "Account" || !strings.Contains(string(raw), `"apiVersion":62.0`) {
		t.Fatalf("create = %d %s", resp.StatusCode, raw)
	}
	jobPath := "/services/data/v62.0/jobs/query/" + job["id"].(string)
	if resp, raw := h.call(http.MethodGet, jobPath+"/results", nil, nil); resp.StatusCode != 412 || !strings.Contains(string(raw), "JOB_NOT_COMPLETE") {
		t.Errorf("results before completion = %d %s", resp.StatusCode, raw)
	}
	var states []string
	for range 4 {
		var j map[string]any
		h.get(jobPath, 200, &j)
		states = append(states, j["state"].(string))
	}
	if strings.Join(states, ",") != "InProgress,InProgress,JobComplete,JobComplete" {
		t.Errorf("states = %v", states)
	}
	if resp, _ := h.call(http.MethodGet, strings.Replace(jobPath, "v62.0", "v61.0", 1)+"/results", nil, nil); resp.StatusCode != 409 {
		t.Errorf("results with another version = %d, want 409", resp.StatusCode)
	}
	var rows [][]string
	locator, pages := "", 0
	for {
		path := jobPath + "/results?maxRecords=10"
		if locator != "" {
			path += "&locator=" + locator
		}
		resp, raw := h.call(http.MethodGet, path, nil, nil)
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if resp.StatusCode != 200 || err != nil || strings.Join(recs[0], ",") != "Id,Name,AnnualRevenue,IsDeleted,SystemModstamp" ||
			resp.Header.Get("Sforce-NumberOfRecords") != fmt.Sprint(len(recs)-1) {
			t.Fatalf("page %d = %d %s", pages, resp.StatusCode, raw)
		}
		rows = append(rows, recs[1:]...)
		pages++
		if locator = resp.Header.Get("Sforce-Locator"); locator == "null" {
			break
		}
	}
	if pages != 3 || len(rows) != 25 || rows[0][3] != "true" || !strings.HasSuffix(rows[0][4], ".000Z") || rows[1][1] != "A,01" {
		t.Errorf("%d pages, rows %v", pages, rows[:2])
	}
	if resp, _ := h.call(http.MethodDelete, jobPath, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete = %d", resp.StatusCode)
	}
	h.s.SetKnobs(Knobs{BulkUnsupported: []string{"Account"}})
	if resp, raw := h.call(http.MethodPost, "/services/data/v62.0/jobs/query", body, nil); resp.StatusCode != 400 || !strings.Contains(string(raw), "INVALIDENTITY") {
		t.Errorf("unsupported object = %d %s", resp.StatusCode, raw)
	}
}

func TestLimits(t *testing.T) {
	h := newHarness(t, Options{Knobs: Knobs{APIRequestsMax: 3}})
	for i := 1; i <= 4; i++ {
		resp, body := h.call(http.MethodGet, "/services/data/v62.0/limits", nil, nil)
		if i <= 3 && (resp.StatusCode != 200 || resp.Header.Get("Sforce-Limit-Info") != fmt.Sprintf("api-usage=%d/3", i)) {
			t.Errorf("request %d = %d %q", i, resp.StatusCode, resp.Header.Get("Sforce-Limit-Info"))
		}
		if i == 4 && (resp.StatusCode != 403 || strings.TrimSpace(string(body)) != `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`) {
			t.Errorf("request over the limit = %d %s", resp.StatusCode, body)
		}
	}
	h.s.Clock().Advance(24 * time.Hour)
	if resp, _ := h.call(http.MethodGet, "/services/data/v62.0/limits", nil, nil); resp.StatusCode != 401 {
		t.Errorf("a token past the session timeout answered %d", resp.StatusCode)
	}
	h.login()
	var lim map[string]map[string]int
	h.get("/services/data/v62.0/limits", 200, &lim)
	if lim["DailyApiRequests"]["Max"] != 3 || lim["DailyApiRequests"]["Remaining"] != 2 {
		t.Errorf("limits = %v", lim)
	}
}

func TestGetDeleted(t *testing.T) {
	h := newHarness(t, Options{})
	id, _ := h.s.Insert("Account", Record{"Name": "x"})
	h.s.Clock().Advance(time.Minute)
	_ = h.s.Delete("Account", id)
	_, _ = h.s.EmptyRecycleBin("Account")
	h.s.Clock().Advance(5 * time.Minute)
	var out struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable, LatestDateCovered string
	}
	path := "/services/data/v62.0/sobjects/Account/deleted/?" + url.Values{"start": {t0.Format(time.RFC3339)}, "end": {t0.Add(5 * time.Minute).Format(time.RFC3339)}}.Encode()
	h.get(path, 200, &out)
	if len(out.DeletedRecords) != 1 || out.DeletedRecords[0].ID != id || out.LatestDateCovered != "2026-01-15T12:05:00.000+0000" {
		t.Errorf("getDeleted = %+v", out)
	}
	if resp, _ := h.call(http.MethodGet, "/services/data/v62.0/sobjects/User/deleted/?start=2026-01-15T00:00:00Z&end=2026-01-15T12:00:00Z", nil, nil); resp.StatusCode != 400 {
		t.Errorf("getDeleted on User = %d", resp.StatusCode)
	}
	_ = h.s.PurgeDeleteLog("Account", t0.Add(3*time.Minute))
	h.get(path, 200, &out)
	if out.EarliestDateAvailable != "2026-01-15T12:03:00.000+0000" || len(out.DeletedRecords) != 0 {
		t.Errorf("after purge: %+v", out)
	}
}

func TestOpportunityHistoryAndCascade(t *testing.T) {
	s := New(Options{Clock: fakeapi.NewClock(t0)})
	opp, err := s.Insert("Opportunity", Record{"Name": "D", "StageName": "Prospecting", "Amount": 100, "CloseDate": "2026-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	li, _ := s.Insert("OpportunityLineItem", Record{"OpportunityId": opp, "Quantity": 1})
	s.Clock().Advance(time.Hour)
	_ = s.Update("Opportunity", opp, Record{"Name": "renamed"}) // untracked field: no history
	_ = s.Update("Opportunity", opp, Record{"StageName": "Closed Won", "Amount": 250})
	tr, _ := s.Truth("OpportunityHistory")
	if len(tr.Live) != 2 {
		t.Fatalf("history rows = %d, want 2", len(tr.Live))
	}
	for _, h := range tr.Live {
		if h["StageName"] == "Closed Won" && (h["PrevAmount"] != 100.0 || h["Amount"] != 250.0 || !h["SystemModstamp"].(time.Time).Equal(t0.Add(time.Hour))) {
			t.Errorf("history row = %v", h)
		}
	}
	if err := s.Delete("Opportunity", opp); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Get("OpportunityLineItem", li); r["IsDeleted"] != true {
		t.Errorf("line item after the opportunity's delete = %v", r)
	}
	if err := s.Delete("User", "005"); err == nil {
		t.Error("deleting a User succeeded")
	}
	if _, err := s.Insert("Account", Record{"Nope": 1}); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestAdminEndpoints(t *testing.T) {
	h := newHarness(t, Options{})
	h.token = ""
	resp, body := h.call(http.MethodPost, "/__fake/salesforce/objects/Account/records", []byte(`[{"Name":"A","AnnualRevenue":12.5,"SystemModstamp":"2026-01-15T11:00:00Z"},{"Name":"B"}]`), nil)
	var ids struct{ IDs []string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &ids) != nil || len(ids.IDs) != 2 {
		t.Fatalf("insert = %d %s", resp.StatusCode, body)
	}
	if resp, body := h.call(http.MethodPatch, "/__fake/salesforce/objects/Account/records/"+ids.IDs[0], []byte(`{"Name":"A2"}`), nil); resp.StatusCode != 204 {
		t.Errorf("update = %d %s", resp.StatusCode, body)
	}
	if resp, _ := h.call(http.MethodDelete, "/__fake/salesforce/objects/Account/records/"+ids.IDs[1], nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete = %d", resp.StatusCode)
	}
	var truth map[string]map[string]map[string]any
	h.get("/__fake/salesforce/objects/Account/truth", 200, &truth)
	if truth["live"][ids.IDs[0]]["Name"] != "A2" || truth["deleted"][ids.IDs[1]] == nil {
		t.Errorf("truth = %v", truth)
	}
	if resp, body := h.call(http.MethodPut, "/__fake/salesforce/knobs", []byte(`{"max_page_records":500}`), nil); resp.StatusCode != 200 || h.s.Knobs().MaxPageRecords != 500 {
		t.Errorf("knobs = %d %s", resp.StatusCode, body)
	}
	if resp, body := h.call(http.MethodPost, "/__fake/salesforce/objects/Account/fields", []byte(`{"name":"Tier__c","type":"picklist"}`), nil); resp.StatusCode != 204 {
		t.Errorf("add field = %d %s", resp.StatusCode, body)
	}
	if f, _ := h.s.Describe("Account"); f[len(f)-1].Name != "Tier__c" || !f[len(f)-1].Custom {
		t.Errorf("describe after add = %v", f[len(f)-1])
	}
}

func TestIDsAndDoubles(t *testing.T) {
	if got := "001A0000006Vm9r" + idSuffix("001A0000006Vm9r"); got != "001A0000006Vm9rIAC" {
		t.Errorf("18-character id = %s", got)
	}
	for f, want := range map[float64]string{15000: "15000.0", 0.25: "0.25", 1.5e7: "1.5E7", 1e-4: "1.0E-4", 0: "0.0", -2.5e9: "-2.5E9", 1234567.5: "1234567.5"} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestSOQLEvaluation(t *testing.T) {
	h := newHarness(t, Options{})
	var ids []string
	for i, rev := range []any{300.0, nil, 100.0, 200.0} {
		id, _ := h.s.Insert("Account", Record{"Name": fmt.Sprintf("N%d", i), "AnnualRevenue": rev, "SystemModstamp": t0.Add(time.Duration(i) * time.Second)})
		ids = append(ids, id)
	}
	names := func(soql string) string {
		var p page
		h.get(q(soql), 200, &p)
		var out []string
		for _, r := range p.Records {
			out = append(out, fmt.Sprint(r["Name"]))
		}
		return strings.Join(out, ",")
	}
	cases := map[string]string{
		"SELECT Name FROM Account ORDER BY AnnualRevenue":                                                                                                                         "N1,N2,N3,N0",
		"SELECT Name FROM Account ORDER BY AnnualRevenue DESC":                                                                                                                    "N0,N3,N2,N1",
		"SELECT Name FROM Account ORDER BY AnnualRevenue ASC NULLS LAST":                                                                                                          "N2,N3,N0,N1",
		"SELECT Name FROM Account WHERE AnnualRevenue = null":                                                                                                                     "N1",
		"SELECT Name FROM Account WHERE AnnualRevenue != null ORDER BY Name DESC LIMIT 2 OFFSET 1":                                                                                "N2,N0",
		"SELECT Name FROM Account WHERE Id IN ('" + ids[0] + "', '" + ids[3] + "') ORDER BY Name":                                                                                 "N0,N3",
		"SELECT Name FROM Account WHERE Id NOT IN ('" + ids[0] + "') AND AnnualRevenue < 250 ORDER BY Name":                                                                       "N2,N3",
		"SELECT Name FROM Account WHERE NOT (Name = 'N0' OR Name = 'N1') ORDER BY Name":                                                                                           "N2,N3",
		"select name from account where systemmodstamp >= 2026-01-15T12:00:01.000+00:00 and SystemModstamp < 2026-01-15T12:00:03Z order by systemmodstamp":                        "N1,N2",
		"SELECT Name FROM Account WHERE (SystemModstamp > 2026-01-15T12:00:01Z OR (SystemModstamp = 2026-01-15T12:00:01Z AND Id > '" + ids[1] + "')) ORDER BY SystemModstamp, Id": "N2,N3",
	}
	for soql, want := range cases {
		if got := names(soql); got != want {
			t.Errorf("%s\n = %s, want %s", soql, got, want)
		}
	}
}
