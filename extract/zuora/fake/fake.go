// Package fake is a stateful, in-memory fake of the Zuora Billing REST API for tests and demos:
// accounts, contacts, the product catalog, subscriptions with their versions, rate plans and
// piecewise rate plan charge segments, invoices and invoice items, served through Zuora's
// OAuth token endpoint and its ZOQL actions (query and queryMore), with Zuora's envelopes,
// rate-limit headers and auth errors.
//
// Serve it with httptest.NewServer(fake.New(opts)) and point a client at its URL: it returns no
// absolute URLs, so the base URL is the only switch between the fake and rest.zuora.com (or
// rest.eu.zuora.com, rest.apisandbox.zuora.com, …). Seed it with Seed or the Go API
// (CreateAccount, Subscribe, Amend, Cancel, CreateInvoice, …); every write stamps CreatedDate
// and UpdatedDate with the fake's clock (or the times the caller sets, to stage late commits
// and shared stamps). Truth returns the ground truth.
//
// # API surface
//
//	POST /oauth/token          form client_id, client_secret, grant_type=client_credentials →
//	                           {"access_token","token_type":"bearer","expires_in","scope","jti"}.
//	                           Tokens expire on the fake clock (TokenTTL, default 3600 s). A
//	                           wrong client is 401 {"error":"invalid_client",…}; a missing or
//	                           other grant type is 400 invalid_request / unsupported_grant_type.
//	POST /v1/action/query      {"queryString": ZOQL, "conf": {"batchSize": 1–2000}} →
//	                           {"records":[…],"size":n,"done":bool,"queryLocator":"…"}
//	POST /v1/action/queryMore  {"queryLocator": "…", "conf": {"batchSize": n}} → the next page
//
// The ZOQL subset is in zoql.go. Records come in id order, which is unrelated to time (ZOQL
// has no order by), carry canonical field names, and leave null fields out. Datetimes are in
// the tenant's time zone (TimeZone, default UTC−08:00) with milliseconds; dates are
// YYYY-MM-DD; decimals are JSON numbers with their exact text (DecimalsAsStrings sends
// strings). batchSize defaults to 2000 and is capped there. size is the number of records in
// the response.
//
// A queryLocator is "<id>-<offset>": asking for the same locator twice returns the same page,
// so a retried queryMore is safe. Locators expire after LocatorTTL (default 15 minutes) of
// inactivity on the clock (fns:INVALID_QUERY_LOCATOR). By default a query's result is a
// snapshot taken when it ran, as Zuora stores query results; with LiveLocators, each page
// re-reads its records and drops those deleted or no longer matching the where clause (the
// page is then short, so batch size is only a hint).
//
// Errors of the action calls are Zuora's fault envelope, with HTTP 400 (FaultStatus):
//
//	{"faultcode":"fns:INVALID_FIELD","faultstring":"invalid field for query: Account.foo",
//	 "detail":{"MalformedQueryFault":{"FaultCode":"INVALID_FIELD","FaultMessage":"…"}}}
//
// with the codes INVALID_FIELD, INVALID_TYPE (unknown object; the wording is inferred),
// INVALID_VALUE, MALFORMED_QUERY and INVALID_QUERY_LOCATOR. Other errors use the REST envelope
// {"success":false,"reasons":[{"code":…,"message":…}]}. A missing, unknown or expired token is
// 401 {"message":"Authentication error"}. Every /v1 response carries RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset and the older X-RateLimit-Limit-minute and
// X-RateLimit-Remaining-minute; past RateLimitPerMinute requests in a clock minute the answer
// is 429 {"message":"API rate limit exceeded"} with Retry-After (seconds to the next minute).
// Where Zuora's exact wording is not documented (the 401, 429 and INVALID_TYPE bodies, the
// OAuth errors, FaultStatus), the fake's choice is marked so and is configurable or easy to
// script.
//
// # Test controls
//
// The Server embeds a fakeapi.Server: /__fake/faults, /__fake/clock, /__fake/tokens/expire,
// /__fake/stats and /__fake/reset (see internal/fakeapi), with the 429 and 500 above as the
// injected faults. Its own admin endpoints:
//
//	GET  /__fake/zuora/truth     the ground truth (Truth) as JSON
//	POST /__fake/zuora/seed      SeedOptions → SeedResult: generate a tenant
//	POST /__fake/zuora/script    a Scripted response (one-off 429s, 500s, 401s, …)
//	POST /__fake/zuora/mutate    a Mutation: {"op":"cancel_subscription","name":"A-S…","date":"…"}
//	PUT  /__fake/zuora/settings  Settings: batch size, live locators, rate limit per minute
//
// OnPage installs a hook that runs before every query and queryMore page is computed: tests use
// it to amend, cancel, update or delete records between pages, or to expire tokens.
//
// Zuora does not hard-delete subscriptions: amendments and cancellations create versions. The
// fake's Delete* calls remove records outright (a deleted account takes its contacts,
// subscriptions and invoices along; a deleted subscription all its versions), and deleted
// records simply vanish from queries, as in Zuora.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// Default credentials of the fake's OAuth client.
const (
	DefaultClientID     = "fake-client-id"
	DefaultClientSecret = "fake-client-secret"
)

// MaxBatchSize is Zuora's cap on records per query page.
const MaxBatchSize = 2000

// Options configure a Server.
type Options struct {
	// Clock is the fake's time (stamps, token expiry, locator expiry, rate-limit minutes); nil
	// means a clock at 2025-06-01T00:00:00Z.
	Clock *fakeapi.Clock
	// Clients maps the accepted OAuth client ids to their secrets (default DefaultClientID →
	// DefaultClientSecret).
	Clients map[string]string
	// TokenTTL is how long an access token lives (default 3600 s).
	TokenTTL time.Duration
	// TimeZone is the tenant's time zone, in which datetimes are rendered and offset-less
	// literals are read (default a fixed UTC−08:00, Zuora's default Pacific time).
	TimeZone *time.Location
	// DefaultBatchSize is the page size of a query without conf.batchSize (default 2000).
	DefaultBatchSize int
	// LiveLocators makes queryMore pages re-read their records (see the package comment).
	LiveLocators bool
	// LocatorTTL is how long an unused queryLocator lives (default 15 minutes).
	LocatorTTL time.Duration
	// DecimalsAsStrings renders decimal fields as JSON strings instead of numbers.
	DecimalsAsStrings bool
	// RateLimitPerMinute, when positive, answers 429 past that many /v1 requests in a clock
	// minute.
	RateLimitPerMinute int
	// FaultStatus is the HTTP status of the action calls' faults (default 400; Zuora sent 500
	// for some of them in the past).
	FaultStatus int
	// CustomFields are the tenant's custom fields per object (e.g. {"Account": ["Region__c"]}).
	CustomFields map[string][]string
	// HiddenFields are standard fields this tenant does not have (an older WSDL version, a
	// feature that is off): selecting one is fns:INVALID_FIELD.
	HiddenFields map[string][]string
}

// Settings are the knobs tests and the admin endpoint change while the fake runs; a nil
// field keeps its value.
type Settings struct {
	DefaultBatchSize   *int  `json:"default_batch_size,omitempty"`
	LiveLocators       *bool `json:"live_locators,omitempty"`
	RateLimitPerMinute *int  `json:"rate_limit_per_minute,omitempty"`
}

// Page describes a query page about to be served, to an OnPage hook.
type Page struct {
	// Object is the queried object (canonical name).
	Object string
	// Query is the ZOQL of the query the page belongs to.
	Query string
	// Locator is the queryLocator asked for; "" for the first page (/v1/action/query).
	Locator string
	// N is the page number: 1 for the first page, 2 for the next, …
	N int
}

// Scripted is a canned response for the next matching requests, ahead of auth and data.
type Scripted struct {
	// Path matches request paths that contain it ("" matches every API request).
	Path string `json:"path"`
	// Status is the HTTP status (429, 500, 503, 401, …).
	Status int `json:"status"`
	// Body is the raw response body; "" gives the status's usual Zuora body.
	Body string `json:"body,omitempty"`
	// RetryAfter, when positive, sets Retry-After in seconds.
	RetryAfter int `json:"retry_after,omitempty"`
	// Times is how many requests get this response (default 1).
	Times int `json:"times,omitempty"`
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	mu       sync.Mutex
	opts     Options
	st       *store
	locators map[string]*locator
	onPage   func(Page)
	scripts  []*Scripted
	minute   time.Time // the current rate-limit minute
	inMinute int       // /v1 requests in it
	reqSeq   uint64
	numbers  map[string]int // counters of generated numbers (accounts, subscriptions, …)
}

// New returns an empty fake.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	if len(opts.Clients) == 0 {
		opts.Clients = map[string]string{DefaultClientID: DefaultClientSecret}
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.FixedZone("PST", -8*3600)
	}
	if opts.DefaultBatchSize <= 0 || opts.DefaultBatchSize > MaxBatchSize {
		opts.DefaultBatchSize = MaxBatchSize
	}
	if opts.LocatorTTL <= 0 {
		opts.LocatorTTL = 15 * time.Minute
	}
	if opts.FaultStatus == 0 {
		opts.FaultStatus = http.StatusBadRequest
	}
	s := &Server{opts: opts, st: newStore(), locators: map[string]*locator{}, numbers: map[string]int{}}
	s.Server = fakeapi.NewServer(http.HandlerFunc(s.serveAPI), opts.Clock, envelopes{s})
	s.registerAdmin()
	return s
}

// OnPage installs h, called before each query page is computed (nil removes it). h may call the
// Server's Go API.
func (s *Server) OnPage(h func(Page)) {
	s.mu.Lock()
	s.onPage = h
	s.mu.Unlock()
}

// Script queues a canned response (see Scripted).
func (s *Server) Script(sc Scripted) {
	if sc.Times <= 0 {
		sc.Times = 1
	}
	s.mu.Lock()
	s.scripts = append(s.scripts, &sc)
	s.mu.Unlock()
}

// Apply changes the running fake's Settings.
func (s *Server) Apply(set Settings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if set.DefaultBatchSize != nil {
		if n := *set.DefaultBatchSize; n < 1 || n > MaxBatchSize {
			return fmt.Errorf("zuora fake: default_batch_size %d is not in 1..%d", n, MaxBatchSize)
		}
		s.opts.DefaultBatchSize = *set.DefaultBatchSize
	}
	if set.LiveLocators != nil {
		s.opts.LiveLocators = *set.LiveLocators
	}
	if set.RateLimitPerMinute != nil {
		if *set.RateLimitPerMinute < 0 {
			return fmt.Errorf("zuora fake: rate_limit_per_minute must not be negative")
		}
		s.opts.RateLimitPerMinute = *set.RateLimitPerMinute
	}
	return nil
}

// now is the clock's time at Zuora's precision (seconds).
func (s *Server) now() time.Time { return s.Clock.Now().Truncate(time.Second).UTC() }

// writeFault writes the action calls' fault envelope.
func (s *Server) writeFault(w http.ResponseWriter, f *fault) {
	detail := "MalformedQueryFault"
	if f.code == "INVALID_QUERY_LOCATOR" {
		detail = "InvalidQueryLocatorFault"
	}
	s.mu.Lock()
	status := s.opts.FaultStatus
	s.mu.Unlock()
	fakeapi.WriteJSON(w, status, map[string]any{
		"faultcode":   "fns:" + f.code,
		"faultstring": f.msg,
		"detail":      map[string]any{detail: map[string]string{"FaultCode": f.code, "FaultMessage": f.msg}},
	})
}

// restError writes Zuora's REST error envelope.
func restError(w http.ResponseWriter, status int, code int, msg string) {
	fakeapi.WriteJSON(w, status, map[string]any{
		"success": false,
		"reasons": []map[string]any{{"code": code, "message": msg}},
	})
}

// envelopes render the injected faults as Zuora does.
type envelopes struct{ s *Server }

func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	e.s.rateHeaders(w, 0, 1)
	fakeapi.WriteJSON(w, http.StatusTooManyRequests, map[string]string{"message": "API rate limit exceeded"})
}

func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	restError(w, http.StatusInternalServerError, 50000000, "An unexpected error occurred. Please try again later.")
}

// rateHeaders sets the rate-limit headers.
func (s *Server) rateHeaders(w http.ResponseWriter, remaining, reset int) {
	s.mu.Lock()
	limit := s.opts.RateLimitPerMinute
	s.mu.Unlock()
	if limit <= 0 {
		limit = 50000 // Zuora's API requests per minute per tenant
	}
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
	h.Set("RateLimit-Reset", strconv.Itoa(reset))
	h.Set("X-RateLimit-Limit-minute", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining-minute", strconv.Itoa(max(remaining, 0)))
}

// countRequest counts a /v1 request in the clock minute; it returns the requests left and the
// seconds to the next minute, and whether this request is over the limit.
func (s *Server) countRequest() (remaining, reset int, over bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	m := now.Truncate(time.Minute)
	if !m.Equal(s.minute) {
		s.minute, s.inMinute = m, 0
	}
	s.inMinute++
	reset = int((m.Add(time.Minute).Sub(now) + time.Second - 1) / time.Second)
	limit := s.opts.RateLimitPerMinute
	if limit <= 0 {
		return 50000 - s.inMinute, max(reset, 1), false
	}
	return limit - s.inMinute, max(reset, 1), s.inMinute > limit
}

// serveAPI answers one API request (after the faults of fakeapi.Server).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqSeq++
	w.Header().Set("Zuora-Request-Id", fmt.Sprintf("%08x-%04x-4000-8000-%012x", mix(s.reqSeq)>>32, s.reqSeq&0xffff, s.reqSeq))
	sc := s.takeScript(r.URL.Path)
	s.mu.Unlock()
	if sc != nil {
		s.writeScripted(w, sc)
		return
	}
	if r.URL.Path == "/oauth/token" {
		s.serveToken(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		restError(w, http.StatusNotFound, 50000040, "No route matches "+r.URL.Path)
		return
	}
	if tok := fakeapi.Bearer(r); tok == "" {
		fakeapi.WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "Authentication error"})
		return
	} else if known, valid := s.Tokens.Check(tok); !known || !valid {
		fakeapi.WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "Authentication error"})
		return
	}
	remaining, reset, over := s.countRequest()
	s.rateHeaders(w, remaining, reset)
	if over {
		w.Header().Set("Retry-After", strconv.Itoa(reset))
		fakeapi.WriteJSON(w, http.StatusTooManyRequests, map[string]string{"message": "API rate limit exceeded"})
		return
	}
	switch r.URL.Path {
	case "/v1/action/query", "/v1/action/queryMore":
	default:
		restError(w, http.StatusNotFound, 50000040, "This fake serves /v1/action/query and /v1/action/queryMore only, not "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		restError(w, http.StatusMethodNotAllowed, 50000005, "Method "+r.Method+" is not allowed; use POST")
		return
	}
	var body struct {
		QueryString  string `json:"queryString"`
		QueryLocator string `json:"queryLocator"`
		Conf         struct {
			BatchSize int `json:"batchSize"`
		} `json:"conf"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		restError(w, http.StatusBadRequest, 50000020, "Malformed request body: "+err.Error())
		return
	}
	var resp *queryResponse
	var f *fault
	if r.URL.Path == "/v1/action/query" {
		resp, f = s.query(body.QueryString, body.Conf.BatchSize)
	} else {
		resp, f = s.queryMore(body.QueryLocator, body.Conf.BatchSize)
	}
	if f != nil {
		s.writeFault(w, f)
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, resp)
}

// serveToken is the OAuth 2.0 client-credentials token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		fakeapi.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost {
		oauthErr(http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		oauthErr(http.StatusBadRequest, "invalid_request", "Missing grant type")
		return
	default:
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+gt)
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	s.mu.Lock()
	want, ok := s.opts.Clients[id]
	ttl := s.opts.TokenTTL
	s.mu.Unlock()
	if !ok || secret != want || id == "" {
		oauthErr(http.StatusUnauthorized, "invalid_client", "Bad client credentials")
		return
	}
	tok := s.Tokens.Issue(ttl)
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int(ttl/time.Second) - 1,
		"scope":        "entity.fa4d2b3c-0000-4000-8000-000000000001 platform.write service.genesis.read service.usage.read tenant.9999",
		"jti":          tok,
	})
}

// takeScript pops the first scripted response matching path; callers hold mu.
func (s *Server) takeScript(path string) *Scripted {
	for i, sc := range s.scripts {
		if sc.Path == "" || strings.Contains(path, sc.Path) {
			out := *sc
			sc.Times--
			if sc.Times <= 0 {
				s.scripts = append(s.scripts[:i], s.scripts[i+1:]...)
			}
			return &out
		}
	}
	return nil
}

func (s *Server) writeScripted(w http.ResponseWriter, sc *Scripted) {
	if sc.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(sc.RetryAfter))
	}
	if sc.Body != "" {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(sc.Status)
		_, _ = w.Write([]byte(sc.Body))
		return
	}
	switch {
	case sc.Status == http.StatusTooManyRequests:
		s.rateHeaders(w, 0, max(sc.RetryAfter, 1))
		fakeapi.WriteJSON(w, sc.Status, map[string]string{"message": "API rate limit exceeded"})
	case sc.Status == http.StatusUnauthorized:
		fakeapi.WriteJSON(w, sc.Status, map[string]string{"message": "Authentication error"})
	default:
		restError(w, sc.Status, 50000000+sc.Status, http.StatusText(sc.Status))
	}
}
