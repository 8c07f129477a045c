package main

// extract.go: connector throughput against the fakes. Each fake runs in its own process
// (`revops-bench -serve-fake VENDOR:ROWS`), seeded with ROWS records of one object, so that
// neither its memory nor its CPU counts against what is measured. Two clients read the same
// pages from it:
//
//   - the limit: a plain net/http client in this process that fetches every page the vendor's
//     paging hands out (following nextRecordsUrl, starting_after, after or Marketo's
//     nextPageToken) and decodes only the paging fields and the record count, the bodies going
//     nowhere;
//   - revops: `revops extract` of that one stream into a fresh DuckDB file, in its own process
//     (its peak RSS is reported: streaming, not buffering, keeps it flat as rows grow).
//
// Client-side pacing is off on both sides (requests_per_second: 0, Marketo's requests_per_20s:
// 0): the fakes do not limit.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	hsfake "github.com/revops/revops/extract/hubspot/fake"
	mkfake "github.com/revops/revops/extract/marketo/fake"
	sffake "github.com/revops/revops/extract/salesforce/fake"
	stfake "github.com/revops/revops/extract/stripe/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// extractCase is one connector benchmark.
type extractCase struct {
	// vendor names the fake; schema.stream is the table the stream loads into.
	vendor, schema, stream string
	rows                   int
	// source is the revops.yaml source block for the fake at base (a URL).
	source func(base string) string
	// raw fetches every page with a plain client and returns the records read.
	raw func(ctx context.Context, base string) (int, error)
}

const (
	benchSFClient = "bench"
	benchSFSecret = "bench-secret"
	benchStripe   = "sk_test_bench"
	benchMKClient = "bench"
	benchMKSecret = "bench-secret"
)

// benchMKTypes are the activity types the Marketo case reads (one group of at most ten, so that
// one paging-token pass reads them all): Visit Webpage, Fill Out Form, New Lead.
const benchMKTypes = "1, 2, 12"

func (b *bench) extractCases() []extractCase {
	opps := b.extractRows
	// The HubSpot and Stripe fakes list by scanning their whole store per page: 20,000 records
	// keep their side from dominating what is measured.
	small := min(max(b.extractRows/50, 1000), 20000)
	// The Marketo fake finds a paging token's place by binary search: its side stays cheap.
	activities := min(max(b.extractRows/5, 1000), 200000)
	cases := []extractCase{
		{vendor: "salesforce", schema: "crm", stream: "opportunity", rows: opps, raw: rawSalesforce, source: func(base string) string {
			return fmt.Sprintf(`  - name: crm
    type: salesforce
    login_url: %s
    objects: [Opportunity]
    bulk: off
    auth: {grant: client_credentials, client_id: %s, client_secret: %s}
`, base, benchSFClient, benchSFSecret)
		}},
		{vendor: "hubspot", schema: "marketing", stream: "contacts", rows: small, raw: rawHubSpot, source: func(base string) string {
			return fmt.Sprintf(`  - name: marketing
    type: hubspot
    base_url: %s
    token: %s
    objects: [contacts]
    requests_per_second: 0
`, base, hsfake.DefaultToken)
		}},
		{vendor: "stripe", schema: "billing", stream: "customers", rows: small, raw: rawStripe, source: func(base string) string {
			return fmt.Sprintf(`  - name: billing
    type: stripe
    base_url: %s
    api_key: %s
    objects: [customers]
    requests_per_second: 0
`, base, benchStripe)
		}},
		{vendor: "marketo", schema: "marketing", stream: "activities", rows: activities, raw: rawMarketo, source: func(base string) string {
			return fmt.Sprintf(`  - name: marketing
    type: marketo
    base_url: %s
    client_id: %s
    client_secret: %s
    streams: [activities]
    activity_type_ids: [%s]
    requests_per_20s: 0
`, base, benchMKClient, benchMKSecret, benchMKTypes)
		}},
	}
	var out []extractCase
	for _, c := range cases {
		if b.extractVendors == "" || slices.Contains(strings.Split(b.extractVendors, ","), c.vendor) {
			out = append(out, c)
		}
	}
	return out
}

func (b *bench) extractBench(ctx context.Context) ([]Result, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.stdout, "extract from the fakes (each in its own process; best of %d)\n\n", b.repeat)
	fmt.Fprintf(b.stdout, "%-11s %-12s %10s %14s %14s %7s %11s\n", "vendor", "stream", "rows", "revops rows/s", "raw rows/s", "ratio", "revops RSS")
	var results []Result
	for _, c := range b.extractCases() {
		rs, err := b.extractOne(ctx, self, c)
		if err != nil {
			return nil, fmt.Errorf("extract %s: %w", c.vendor, err)
		}
		results = append(results, rs...)
	}
	fmt.Fprintln(b.stdout)
	return results, nil
}

func (b *bench) extractOne(ctx context.Context, self string, c extractCase) ([]Result, error) {
	srv := exec.CommandContext(ctx, self, "-serve-fake", fmt.Sprintf("%s:%d", c.vendor, c.rows))
	srv.Stderr = b.stderr
	stdin, err := srv.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := srv.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		stdin.Close() // the fake exits when its stdin closes
		srv.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("the fake did not start: %w", err)
	}
	base := strings.TrimSpace(line)

	var rawBest time.Duration
	for i := 0; i < b.repeat; i++ {
		start := time.Now()
		n, err := c.raw(ctx, base)
		if err != nil {
			return nil, fmt.Errorf("raw fetch: %w", err)
		}
		if n != c.rows {
			return nil, fmt.Errorf("raw fetch read %d records, the fake holds %d", n, c.rows)
		}
		if d := time.Since(start); i == 0 || d < rawBest {
			rawBest = d
		}
	}

	dir, err := filepath.Abs(filepath.Join(b.work, "extract-"+c.vendor))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	project := "version: 1\nwarehouse: {type: duckdb, path: bench.duckdb}\nsources:\n" + c.source(base)
	if err := os.WriteFile(filepath.Join(dir, "revops.yaml"), []byte(project), 0o644); err != nil {
		return nil, err
	}
	var loaded int
	m, err := b.best(func(db string) *exec.Cmd {
		return exec.CommandContext(ctx, b.revops, "extract", "--project", dir, "--log-format", "json", "--log-level", "warn")
	}, dir)
	if err != nil {
		return nil, err
	}
	// One more run, kept, to verify the table holds every row once.
	if out, err := exec.CommandContext(ctx, b.revops, "extract", "--project", dir, "--log-level", "warn").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("extract: %w\n%s", err, out)
	}
	q := fmt.Sprintf("select count(distinct id) from %s.%s", c.schema, c.stream)
	out, err := exec.CommandContext(ctx, b.revops, "query", "--project", dir, "--output", "csv", q).Output()
	if err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if loaded, err = strconv.Atoi(lines[len(lines)-1]); err != nil || loaded != c.rows {
		return nil, fmt.Errorf("revops loaded %q distinct rows, the fake holds %d", out, c.rows)
	}
	os.Remove(filepath.Join(dir, "bench.duckdb"))
	os.Remove(filepath.Join(dir, "bench.duckdb.wal"))

	revopsRate := float64(c.rows) / m.seconds
	rawRate := float64(c.rows) / rawBest.Seconds()
	ratio := revopsRate / rawRate
	fmt.Fprintf(b.stdout, "%-11s %-12s %10d %14.0f %14.0f %7.2f %8.0f MiB\n", c.vendor, c.stream, c.rows, revopsRate, rawRate, ratio, m.rssMiB)
	name := "extract_" + c.vendor + "_" + c.stream
	return []Result{
		{Name: name + "_rows_per_s", Value: round(revopsRate), Unit: "rows/s", Baseline: round(rawRate), Ratio: round2(ratio), Target: 0.6, Rows: int64(c.rows)},
		{Name: name + "_peak_rss", Value: round(m.rssMiB), Unit: "MiB", Target: 500, Rows: int64(c.rows)},
	}, nil
}

// serveFake is the -serve-fake mode: seed one fake with rows records, print its base URL and
// serve until stdin closes.
func serveFake(spec string, stdout io.Writer, stdin io.Reader) error {
	vendor, n, _ := strings.Cut(spec, ":")
	rows, err := strconv.Atoi(n)
	if err != nil || rows < 1 {
		return fmt.Errorf("-serve-fake wants VENDOR:ROWS, got %q", spec)
	}
	now := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	clock := fakeapi.NewClock(now)
	var h http.Handler
	switch vendor {
	case "salesforce":
		f := sffake.New(sffake.Options{Clock: clock, NoOpportunityHistory: true, Seed: 1,
			Clients: []sffake.Client{{ID: benchSFClient, Secret: benchSFSecret, Username: "bench@example.com"}}})
		for i := range rows {
			// A thousand records share each stamp, as a mass update leaves them.
			stamp := now.Add(-time.Duration(rows-i) / 1000 * time.Second)
			if _, err := f.Insert("Opportunity", sffake.Record{"Name": fmt.Sprintf("Deal %d", i),
				"AccountId": fmt.Sprintf("001Bn%013d", i%50000), "StageName": []string{"Prospecting", "Proposal", "Closed Won"}[i%3],
				"Amount": float64(i%100000) + 0.5, "Probability": i % 100, "CloseDate": now.AddDate(0, 0, i%365).Format(time.DateOnly),
				"Type": "New Business", "IsClosed": i%3 == 2, "IsWon": i%3 == 2, "ForecastCategory": "Pipeline",
				"OwnerId": fmt.Sprintf("005Bn%013d", i%200), "SystemModstamp": stamp}); err != nil {
				return err
			}
		}
		h = f
	case "hubspot":
		f := hsfake.New(hsfake.Options{Clock: clock, TenSecondlyMax: -1, SearchPerSecond: -1, DailyMax: -1})
		recs := make([]hsfake.Record, 0, 1000)
		for i := range rows {
			at := now.Add(-time.Duration(rows-i) * time.Second)
			recs = append(recs, hsfake.Record{CreatedAt: at, UpdatedAt: at, Properties: map[string]string{
				"email": fmt.Sprintf("person%d@company%d.example", i, i%5000), "firstname": "Pat", "lastname": fmt.Sprintf("Lee %d", i),
				"lifecyclestage": "lead", "company": fmt.Sprintf("Company %d", i%5000)}})
			if len(recs) == cap(recs) || i == rows-1 {
				if _, err := f.Put("contacts", recs...); err != nil {
					return err
				}
				recs = recs[:0]
			}
		}
		h = f
	case "stripe":
		f := stfake.New(stfake.Options{Clock: clock, APIKeys: []string{benchStripe}})
		for i := range rows {
			if _, err := f.CreateCustomer(stfake.Customer{Email: fmt.Sprintf("billing@company%d.example", i),
				Name: fmt.Sprintf("Company %d", i), Currency: "usd", Created: now.Add(-time.Duration(rows-i) * time.Second).Unix(),
				Metadata: map[string]string{"crm_account_id": fmt.Sprintf("001Bn%013d", i)}}); err != nil {
				return err
			}
		}
		h = f
	case "marketo":
		f, err := seedMarketo(clock, now, rows)
		if err != nil {
			return err
		}
		h = f
	default:
		return fmt.Errorf("-serve-fake: unknown vendor %q (salesforce, hubspot, stripe, marketo)", vendor)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	io.Copy(io.Discard, stdin) // until the benchmark closes our stdin
	return srv.Close()
}

// getJSON fetches url with a bearer token and decodes the paging fields into v.
func getJSON(ctx context.Context, hc *http.Client, rawURL, token string, header map[string]string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", rawURL, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}

// rawSalesforce logs in, reads Opportunity's fields from describe and pages through queryAll of
// every field, ordered as the connector orders its windows, 2,000 records a page.
func rawSalesforce(ctx context.Context, base string) (int, error) {
	hc := &http.Client{Timeout: time.Minute}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {benchSFClient}, "client_secret": {benchSFSecret}}
	resp, err := hc.PostForm(base+"/services/oauth2/token", form)
	if err != nil {
		return 0, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return 0, fmt.Errorf("token: %v", err)
	}
	api := tok.InstanceURL + "/services/data/v62.0"
	var desc struct {
		Fields []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"fields"`
	}
	if err := getJSON(ctx, hc, api+"/sobjects/Opportunity/describe", tok.AccessToken, nil, &desc); err != nil {
		return 0, err
	}
	var fields []string
	for _, f := range desc.Fields {
		if f.Type != "address" && f.Type != "location" && f.Type != "base64" {
			fields = append(fields, f.Name)
		}
	}
	next := api + "/queryAll?q=" + url.QueryEscape("SELECT "+strings.Join(fields, ", ")+" FROM Opportunity ORDER BY SystemModstamp, Id")
	n := 0
	for next != "" {
		var page struct {
			Records        []json.RawMessage `json:"records"`
			NextRecordsURL string            `json:"nextRecordsUrl"`
			Done           bool              `json:"done"`
		}
		if err := getJSON(ctx, hc, next, tok.AccessToken, map[string]string{"Sforce-Query-Options": "batchSize=2000"}, &page); err != nil {
			return n, err
		}
		n += len(page.Records)
		next = ""
		if !page.Done {
			next = tok.InstanceURL + page.NextRecordsURL
		}
	}
	return n, nil
}

// rawHubSpot fetches what the connector's first read fetches: the contacts list, 100 a page,
// with the properties it asks for, each page's company associations through the v4 batch API,
// then the archived contacts.
func rawHubSpot(ctx context.Context, base string) (int, error) {
	hc := &http.Client{Timeout: time.Minute}
	props := []string{"email", "firstname", "lastname", "jobtitle", "lifecyclestage", "hs_lead_status",
		"hubspot_owner_id", "associatedcompanyid", "hs_analytics_source", "hs_analytics_first_timestamp", "country",
		"createdate", "lastmodifieddate"}
	for _, st := range []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
		"customer", "evangelist", "other"} {
		props = append(props, "hs_lifecyclestage_"+st+"_date")
	}
	n := 0
	for _, archived := range []bool{false, true} {
		after := ""
		for {
			u := fmt.Sprintf("%s/crm/v3/objects/contacts?limit=100&archived=%t&properties=%s", base, archived,
				url.QueryEscape(strings.Join(props, ",")))
			if after != "" {
				u += "&after=" + url.QueryEscape(after)
			}
			var page struct {
				Results []struct {
					ID string `json:"id"`
				} `json:"results"`
				Paging *struct {
					Next struct {
						After string `json:"after"`
					} `json:"next"`
				} `json:"paging"`
			}
			if err := getJSON(ctx, hc, u, hsfake.DefaultToken, nil, &page); err != nil {
				return n, err
			}
			n += len(page.Results)
			if len(page.Results) > 0 && !archived {
				var in strings.Builder
				in.WriteString(`{"inputs":[`)
				for i, r := range page.Results {
					if i > 0 {
						in.WriteByte(',')
					}
					fmt.Fprintf(&in, `{"id":%q}`, r.ID)
				}
				in.WriteString("]}")
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/crm/v4/associations/contacts/companies/batch/read", strings.NewReader(in.String()))
				if err != nil {
					return n, err
				}
				req.Header.Set("Authorization", "Bearer "+hsfake.DefaultToken)
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					return n, err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode >= 300 {
					return n, fmt.Errorf("associations: %s %v", resp.Status, err)
				}
			}
			if page.Paging == nil || page.Paging.Next.After == "" {
				break
			}
			after = page.Paging.Next.After
		}
	}
	return n, nil
}

// rawStripe pages through the customers list, 100 a page, newest first.
func rawStripe(ctx context.Context, base string) (int, error) {
	hc := &http.Client{Timeout: time.Minute}
	n, last := 0, ""
	for {
		u := base + "/v1/customers?limit=100"
		if last != "" {
			u += "&starting_after=" + url.QueryEscape(last)
		}
		var page struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			HasMore bool `json:"has_more"`
		}
		if err := getJSON(ctx, hc, u, benchStripe, map[string]string{"Stripe-Version": "2025-03-31.basil"}, &page); err != nil {
			return n, err
		}
		n += len(page.Data)
		if !page.HasMore || len(page.Data) == 0 {
			return n, nil
		}
		last = page.Data[len(page.Data)-1].ID
	}
}

// seedMarketo is a Marketo fake whose activity log holds rows activities of the benchmark's
// types, ten to a second: a lead (and its New Lead activity) for every twentieth, then web
// visits and form fills of those leads, with their usual attributes.
func seedMarketo(clock *fakeapi.Clock, now time.Time, rows int) (*mkfake.Server, error) {
	f := mkfake.New(mkfake.Options{Clock: clock, ClientID: benchMKClient, ClientSecret: benchMKSecret,
		Knobs: mkfake.Knobs{RatePer20s: -1, DailyQuota: 1 << 30}})
	at := func(i int) time.Time { return now.Add(-time.Duration(rows-i) * 100 * time.Millisecond) }
	leads := max(rows/20, 1)
	for i := range leads {
		if _, err := f.AddLead(mkfake.Lead{Email: fmt.Sprintf("person%d@company%d.example", i, i%5000), FirstName: "Pat",
			LastName: fmt.Sprintf("Lee %d", i), Company: fmt.Sprintf("Company %d", i%5000), LeadSource: "Web",
			LeadStatus: "Open", CreatedAt: at(i)}); err != nil {
			return nil, err
		}
	}
	for i := leads; i < rows; i++ {
		a := mkfake.Activity{LeadID: int64(i%leads) + 1, ActivityDate: at(i), TypeID: mkfake.TypeVisitWebpage,
			PrimaryAttributeValueID: int64(i % 40), PrimaryAttributeValue: fmt.Sprintf("www.example.com/page-%d", i%40),
			Attributes: []mkfake.Attribute{{Name: "Client IP Address", Value: fmt.Sprintf("10.0.%d.%d", i%250, i%200)},
				{Name: "User Agent", Value: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"},
				{Name: "Webpage URL", Value: fmt.Sprintf("/page-%d", i%40)}, {Name: "Query Parameters", Value: "utm_source=newsletter"}}}
		if i%4 == 0 {
			a.TypeID, a.PrimaryAttributeValueID, a.PrimaryAttributeValue = mkfake.TypeFillOutForm, 1001, "Contact Us"
			a.Attributes = []mkfake.Attribute{{Name: "Client IP Address", Value: fmt.Sprintf("10.0.%d.%d", i%250, i%200)},
				{Name: "Form Fields", Value: `{"Email":"x@example.com","Company":"Example"}`}, {Name: "Webpage ID", Value: 71}}
		}
		if _, err := f.AddActivity(a); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// rawMarketo fetches what the connector's read of activities fetches: a token, the activity
// types, a paging token at the connector's default start_date, then activities.json of the
// benchmark's types, 300 a page, with each page's nextPageToken while moreResult is true (empty
// pages included).
func rawMarketo(ctx context.Context, base string) (int, error) {
	hc := &http.Client{Timeout: time.Minute}
	q := url.Values{"grant_type": {"client_credentials"}, "client_id": {benchMKClient}, "client_secret": {benchMKSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/identity/oauth/token?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return 0, fmt.Errorf("token: %v", err)
	}
	type page struct {
		Success       bool              `json:"success"`
		Result        []json.RawMessage `json:"result"`
		NextPageToken string            `json:"nextPageToken"`
		MoreResult    bool              `json:"moreResult"`
	}
	var types page
	if err := getJSON(ctx, hc, base+"/rest/v1/activities/types.json", tok.AccessToken, nil, &types); err != nil || !types.Success {
		return 0, fmt.Errorf("activity types: %v", err)
	}
	var pt page
	if err := getJSON(ctx, hc, base+"/rest/v1/activities/pagingtoken.json?sinceDatetime=2006-01-01T00%3A00%3A00Z",
		tok.AccessToken, nil, &pt); err != nil || pt.NextPageToken == "" {
		return 0, fmt.Errorf("paging token: %v", err)
	}
	ids := url.QueryEscape(strings.ReplaceAll(benchMKTypes, " ", ""))
	n, token := 0, pt.NextPageToken
	for {
		var p page
		u := base + "/rest/v1/activities.json?activityTypeIds=" + ids + "&batchSize=300&nextPageToken=" + url.QueryEscape(token)
		if err := getJSON(ctx, hc, u, tok.AccessToken, nil, &p); err != nil {
			return n, err
		}
		if !p.Success {
			return n, fmt.Errorf("activities: success false")
		}
		n += len(p.Result)
		if !p.MoreResult {
			return n, nil
		}
		token = p.NextPageToken
	}
}
