// Package fake is a stateful, in-memory fake of the Stripe API for tests and demos: customers,
// products, prices, coupons, discounts, subscriptions with items, invoices with lines, credit
// notes and the event log, served over HTTP with Stripe's paging, filters, expansion, version
// shapes, auth and error envelopes.
//
// Serve it with httptest.NewServer(fake.New(opts)) and point a client at its URL: every URL it
// returns is relative, so the base URL is the only switch between the fake and api.stripe.com.
// Seed and mutate it with the Go API (CreateCustomer, UpdateSubscription, DeleteInvoice, …); every
// mutation appends the event Stripe would record, stamped with the fake's clock and rendered in
// the account's API version of that moment (SetAPIVersion). Events older than the retention
// (30 days on the clock) disappear from /v1/events.
//
// # API surface
//
//	GET /v1/customers, /v1/products, /v1/prices, /v1/coupons, /v1/subscriptions,
//	    /v1/subscription_items?subscription=, /v1/invoices, /v1/invoices/{id}/lines,
//	    /v1/credit_notes, /v1/events                       lists
//	GET /v1/{customers|products|prices|coupons|subscriptions|subscription_items|invoices|
//	    credit_notes|events}/{id}                          retrieve
//
// Lists take limit (1–100, default 10), starting_after, ending_before, created (an integer or
// created[gt|gte|lt|lte]), expand[] (up to 4 levels) and each endpoint's filters; anything else
// is a 400 "Received unknown parameter". They answer {"object":"list","url","has_more","data"},
// newest first by created, then by creation order. A starting_after or ending_before object that
// is gone, or no longer matches the filters, is a 400 resource_missing with that param, as in
// Stripe. /v1/subscriptions hides canceled subscriptions unless status=all (or canceled);
// /v1/prices lists active prices unless active=false.
//
// Auth: "Authorization: Bearer <key>" or Basic with the key as username; a missing or unknown key
// gets Stripe's 401 body. Stripe-Version selects the shape (see VersionBasil, VersionClover);
// without it the account's version applies. Every response has a Request-Id; errors carry
// Stripe-Should-Retry.
//
// # Test controls
//
// The Server embeds a fakeapi.Server: /__fake/faults, /__fake/clock, /__fake/stats (see
// internal/fakeapi), with Stripe's 429 rate_limit and 500 api_error envelopes (Should-Retry
// true). Its own admin endpoints:
//
//	GET  /__fake/stripe/state     the ground truth (State) as JSON
//	POST /__fake/stripe/seed      {"customers": n, "seed": s, …} (SeedOptions) generate a world
//	PUT  /__fake/stripe/version   {"api_version": "2024-06-20"} the account's version
//	POST /__fake/stripe/script    a Scripted response (one-off 500s, 429s, …)
//	POST /__fake/stripe/mutate    {"op": "delete_customer", "id": "cus_…"} (see Mutation)
//
// OnRequest installs a hook that runs before each API request: tests use it to create, update or
// delete objects between the pages of a listing.
package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// Options configure a Server.
type Options struct {
	// Clock is the fake's time (creation stamps, event times, retention); nil means a clock at
	// 2025-06-01T00:00:00Z.
	Clock *fakeapi.Clock
	// APIKeys are the accepted secret keys; empty means {"sk_test_fake"}.
	APIKeys []string
	// APIVersion is the account's default API version: the shape of responses to requests
	// without Stripe-Version and of events recorded from now on. Default DefaultVersion.
	APIVersion string
	// EmbedLimit is how many items a subscription, and lines an invoice, embed before
	// has_more is true (default 10).
	EmbedLimit int
	// EventRetention is how long events stay listed (default 30 days).
	EventRetention time.Duration
}

// Request describes an API request to an OnRequest hook.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// N counts the API requests to Path so far, this one included.
	N int
}

// Scripted is a canned error response for the next matching API requests, ahead of the data.
type Scripted struct {
	// Path matches request paths that contain it ("" matches every API request).
	Path string `json:"path"`
	// Status is the HTTP status (e.g. 500, 429, 409).
	Status int `json:"status"`
	// Type and Code fill the error envelope (defaults: api_error for 5xx, else
	// invalid_request_error; Code empty).
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// ShouldRetry sets the Stripe-Should-Retry header: "true", "false" or "" (absent).
	ShouldRetry string `json:"should_retry"`
	// RetryAfter, when positive, sets Retry-After in seconds.
	RetryAfter int `json:"retry_after"`
	// Times is how many requests get this response (default 1).
	Times int `json:"times"`
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	opts Options

	mu       sync.Mutex
	st       *store
	version  string
	counts   map[string]int
	scripts  []*Scripted
	hook     func(Request)
	requests uint64
}

// New returns an empty fake.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	if len(opts.APIKeys) == 0 {
		opts.APIKeys = []string{"sk_test_fake"}
	}
	if opts.APIVersion == "" {
		opts.APIVersion = DefaultVersion
	}
	if opts.EmbedLimit <= 0 {
		opts.EmbedLimit = 10
	}
	if opts.EventRetention <= 0 {
		opts.EventRetention = 30 * 24 * time.Hour
	}
	s := &Server{opts: opts, st: newStore(), version: opts.APIVersion, counts: map[string]int{}}
	s.Server = fakeapi.NewServer(http.HandlerFunc(s.serveAPI), opts.Clock, envelopes{s})
	for _, k := range opts.APIKeys {
		s.Tokens.Add(k)
	}
	s.registerAdmin()
	return s
}

// SetAPIVersion sets the account's default API version (see Options.APIVersion).
func (s *Server) SetAPIVersion(v string) {
	s.mu.Lock()
	s.version = v
	s.mu.Unlock()
}

// OnRequest installs h, called before each API request is served (nil removes it). h may call
// the Server's Go API; it must not block on the request's own response.
func (s *Server) OnRequest(h func(Request)) {
	s.mu.Lock()
	s.hook = h
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

// now is the clock's time in unix seconds.
func (s *Server) now() int64 { return s.Clock.Now().Unix() }

// apiError is Stripe's error object.
type apiError struct {
	Type    string `json:"type"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Param   string `json:"param,omitempty"`
	DocURL  string `json:"doc_url,omitempty"`
	status  int
}

func (e *apiError) Error() string { return e.Message }

func invalid(param, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, Type: "invalid_request_error", Param: param,
		Message: fmt.Sprintf(format, args...)}
}

func missing(status int, param, kind, id string) *apiError {
	return &apiError{status: status, Type: "invalid_request_error", Code: "resource_missing", Param: param,
		Message: fmt.Sprintf("No such %s: '%s'", strings.ReplaceAll(kind, "_", " "), id),
		DocURL:  "https://stripe.com/docs/error-codes/resource-missing"}
}

// writeError writes Stripe's error envelope; shouldRetry "" leaves the header out.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError, shouldRetry string) {
	h := w.Header()
	h.Set("Request-Id", s.requestID(r))
	if shouldRetry != "" {
		h.Set("Stripe-Should-Retry", shouldRetry)
	}
	fakeapi.WriteJSON(w, e.status, map[string]any{"error": e})
}

// requestID returns the request's id, set once per request.
func (s *Server) requestID(r *http.Request) string {
	if id := r.Header.Get("X-Fake-Request-Id"); id != "" {
		return id
	}
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	id := "req_" + scramble(n, 7, 7, idAlphabet)
	r.Header.Set("X-Fake-Request-Id", id)
	return id
}

// envelopes render the injected faults as Stripe does.
type envelopes struct{ s *Server }

func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	e.s.writeError(w, r, &apiError{status: http.StatusTooManyRequests, Type: "invalid_request_error",
		Code:    "rate_limit",
		Message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
		DocURL:  "https://stripe.com/docs/error-codes/rate-limit"}, "true")
}

func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	e.s.writeError(w, r, &apiError{status: http.StatusInternalServerError, Type: "api_error",
		Message: "An unknown error occurred"}, "true")
}

var versionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)

// authenticate checks the key and returns the request's API version.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := fakeapi.Bearer(r)
	if key == "" {
		if user, _, ok := r.BasicAuth(); ok {
			key = user
		}
	}
	if key == "" {
		w.Header().Set("Www-Authenticate", `Basic realm="Stripe"`)
		s.writeError(w, r, &apiError{status: http.StatusUnauthorized, Type: "invalid_request_error",
			Message: "You did not provide an API key. You need to provide your API key in the Authorization header, " +
				"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication " +
				"for details, or we can help at https://support.stripe.com/."}, "false")
		return "", false
	}
	if known, valid := s.Tokens.Check(key); !known || !valid {
		w.Header().Set("Www-Authenticate", `Basic realm="Stripe"`)
		s.writeError(w, r, &apiError{status: http.StatusUnauthorized, Type: "invalid_request_error",
			Message: "Invalid API Key provided: " + maskKey(key)}, "false")
		return "", false
	}
	v := r.Header.Get("Stripe-Version")
	if v == "" {
		s.mu.Lock()
		v = s.version
		s.mu.Unlock()
		return v, true
	}
	if !versionRE.MatchString(v) {
		s.writeError(w, r, invalid("", "Invalid Stripe API version: %s", v), "false")
		return "", false
	}
	return v, true
}

// maskKey shows a key as Stripe does in its 401: the prefix, stars, the last four characters.
func maskKey(k string) string {
	prefix := ""
	if i := strings.LastIndex(k, "_"); i >= 0 && i < len(k)-4 {
		prefix = k[:i+1]
	}
	if len(k) <= 4 {
		return strings.Repeat("*", len(k))
	}
	return prefix + "****" + k[len(k)-4:]
}

// serveAPI answers one API request (after the faults of fakeapi.Server).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Request-Id", s.requestID(r))
	if r.Method != http.MethodGet {
		s.writeError(w, r, &apiError{status: http.StatusNotFound, Type: "invalid_request_error",
			Message: fmt.Sprintf("Unrecognized request URL (%s: %s). This fake serves GET requests only.", r.Method, r.URL.Path)}, "false")
		return
	}
	version, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.counts[r.URL.Path]++
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), N: s.counts[r.URL.Path]}
	hook := s.hook
	sc := s.takeScript(r.URL.Path)
	s.mu.Unlock()
	if hook != nil {
		hook(req)
	}
	if sc != nil {
		s.writeScripted(w, r, sc)
		return
	}
	s.mu.Lock()
	s.pruneEvents()
	body, err := s.route(r, version)
	s.mu.Unlock()
	if err != nil {
		s.writeError(w, r, err, "false")
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, body)
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

func (s *Server) writeScripted(w http.ResponseWriter, r *http.Request, sc *Scripted) {
	e := &apiError{status: sc.Status, Type: sc.Type, Code: sc.Code, Message: sc.Message}
	if e.Type == "" {
		e.Type = "invalid_request_error"
		if sc.Status >= 500 {
			e.Type = "api_error"
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(sc.Status)
	}
	if sc.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(sc.RetryAfter))
	}
	s.writeError(w, r, e, sc.ShouldRetry)
}

// route answers an authenticated GET; callers hold mu.
func (s *Server) route(r *http.Request, version string) (any, *apiError) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v1" {
		return nil, unrecognized(r)
	}
	q := r.URL.Query()
	rd := s.renderer(version)
	res := parts[1]
	switch {
	case len(parts) == 2:
		l, ok := listSpecFor(res)
		if !ok {
			return nil, unrecognized(r)
		}
		return s.list(rd, r.URL.Path, q, l)
	case len(parts) == 3:
		return s.retrieve(rd, res, parts[2], q)
	case len(parts) == 4 && res == "invoices" && parts[3] == "lines":
		return s.listLines(rd, r.URL.Path, parts[2], q)
	}
	return nil, unrecognized(r)
}

func unrecognized(r *http.Request) *apiError {
	return &apiError{status: http.StatusNotFound, Type: "invalid_request_error",
		Message: fmt.Sprintf("Unrecognized request URL (GET: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", r.URL.Path)}
}
