// Package fake is a stateful, in-memory fake of the Chargebee API v2 (Product Catalog 2.0) for
// tests and demos: customers, item families, items, item prices, coupons, subscriptions with
// their items, coupons and discounts, invoices and credit notes with line items, served over
// HTTP with Chargebee's list envelope, offset paging, filters, auth, rate limit and error
// bodies.
//
// Serve it with httptest.NewServer(fake.New(opts)) and point a client at its URL: the base URL
// (https://{site}.chargebee.com in production) is the only switch. Seed and change it with the
// Go API (CreateCustomer, UpdateSubscription, DeleteInvoice, Seed, …): every change sets the
// resource's updated_at to the fake's clock and gives it a fresh resource_version. The clock
// only moves when a test moves it, so everything created or changed in between shares one
// updated_at (the main cursor pitfall); a create with a non-zero UpdatedAt backdates its stamp
// (a late commit). ChangeSubscription changes a subscription mid-term with proration, as
// Chargebee does: an increase is invoiced for the rest of the term, a decrease credited by a
// credit note of reason subscription_change (no invoice line).
//
// # API surface
//
//	GET /api/v2/customers, /api/v2/subscriptions, /api/v2/invoices, /api/v2/credit_notes,
//	    /api/v2/items, /api/v2/item_prices, /api/v2/item_families, /api/v2/coupons       lists
//	GET /api/v2/{resource}/{id}                                                          retrieve
//	GET /api/v2/plans, /api/v2/addons   400 configuration_incompatible (a Product Catalog 2.0
//	                                    site rejects the 1.0 API)
//
// Lists answer {"list":[{"<type>":{…}, …}], "next_offset":"…"}: each element wraps the resource
// under its type name (subscriptions also carry their "customer"). They take
//
//   - limit: 1 to 100, default 10;
//   - offset: the previous page's next_offset, passed back verbatim. next_offset is an opaque
//     JSON-array string, ["<sort value in ms>","<internal id>"] (e.g.
//     "[\"1605782940000\",\"205000000019\"]"): a keyset, so a resource changed between pages
//     moves to its new place in the order and is listed again later, and nothing shifts. An
//     offset this server did not issue for the same path and sort (tampered, re-encoded, or
//     from another list) is a 400 invalid_request on param offset. The last page has no
//     next_offset;
//   - sort_by[asc] or sort_by[desc]: updated_at, created_at (date for invoices and credit
//     notes); without it, newest created first;
//   - include_deleted=true: deleted resources too, with "deleted": true;
//   - filters field[op]=value with Chargebee's operators: is, is_not, starts_with, in, not_in
//     (values a JSON array: ["active","in_trial"]) on strings and enums; after, before, on,
//     between ([from,to], inclusive) on timestamps (unix seconds); is on booleans. Which
//     fields each list filters on is in list.go; anything else is a 400.
//
// Timestamps are unix seconds; amounts are integers in the currency's minor unit.
//
// Auth: HTTP Basic with the API key as the username (the password is ignored, clients send an
// empty one). A missing or unknown key is a 401 api_authentication_failed. Errors use
// Chargebee's body {"message","type","api_error_code","param","error_code","error_msg",
// "http_status_code"}.
//
// Rate limit: RateLimitPerMinute API requests per minute of the fake clock (default 150, a
// test site's); over it a 429 api_request_limit_exceeded, with Retry-After (the seconds left in
// the minute) depending on Options.RetryAfter (by default every other 429 has one).
//
// # Test controls
//
// The Server embeds a fakeapi.Server: /__fake/faults, /__fake/clock, /__fake/stats,
// /__fake/reset (see internal/fakeapi), whose injected faults use Chargebee's envelopes: 429
// api_request_limit_exceeded (Retry-After as above) and 500 internal_error or 503
// internal_temporary_error, in turn. Its own admin endpoints:
//
//	GET  /__fake/chargebee/truth       the ground truth (Truth) as JSON
//	POST /__fake/chargebee/seed        SeedOptions as JSON: generate a site
//	PUT  /__fake/chargebee/rate_limit  {"per_minute": n, "retry_after": "always|never|sometimes"}
//	POST /__fake/chargebee/script      a Scripted error response (one-off 500s, 404s, …)
//	POST /__fake/chargebee/mutate      {"op": "delete_customer", "id": "…"} (see Mutation)
//	PUT  /__fake/chargebee/drift       {"kind": "customer", "add": {"cf_tier": "gold"},
//	                                    "hide": ["company"]} schema drift (SetDrift)
//
// OnPage installs a hook that runs before each list request is answered (after auth and the
// rate limit): tests use it to create, update or delete resources between pages.
package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// DefaultAPIKey is the key a fake accepts when Options.APIKeys is empty.
const DefaultAPIKey = "test_fake_key"

// DefaultRateLimit is a test site's limit: API requests per minute.
const DefaultRateLimit = 150

// RetryAfterMode says which 429 responses carry a Retry-After header.
type RetryAfterMode string

// Retry-After modes.
const (
	RetryAfterSometimes RetryAfterMode = "sometimes" // every other 429 (the default)
	RetryAfterAlways    RetryAfterMode = "always"
	RetryAfterNever     RetryAfterMode = "never"
)

// Options configure a Server.
type Options struct {
	// Clock is the fake's time (stamps, the rate-limit minute); nil means a clock at
	// 2025-06-01T00:00:00Z.
	Clock *fakeapi.Clock
	// APIKeys are the accepted API keys; empty means {DefaultAPIKey}.
	APIKeys []string
	// RateLimitPerMinute is the API requests allowed per minute of the clock: 0 means
	// DefaultRateLimit, a negative value no limit.
	RateLimitPerMinute int
	// RetryAfter says which 429s carry Retry-After ("" means RetryAfterSometimes).
	RetryAfter RetryAfterMode
}

// Page describes a list request to an OnPage hook.
type Page struct {
	// Resource is the list's path segment ("subscriptions").
	Resource string
	Query    url.Values
	// Offset is the offset sent ("" on a first page).
	Offset string
	// Number is the page's number in its listing: 1 for a first page, n+1 for the offset of
	// page n.
	Number int
}

// Scripted is a canned error response for the next matching API requests, ahead of the data
// (and of the rate limit).
type Scripted struct {
	// Path matches request paths that contain it ("" matches every API request).
	Path string `json:"path"`
	// Status is the HTTP status (4xx or 5xx).
	Status int `json:"status"`
	// APIErrorCode, Type, Param and Message fill the body (defaults by status).
	APIErrorCode string `json:"api_error_code"`
	Type         string `json:"type"`
	Param        string `json:"param"`
	Message      string `json:"message"`
	// RetryAfter, when positive, sets Retry-After in seconds.
	RetryAfter int `json:"retry_after"`
	// Times is how many requests get this response (default 1).
	Times int `json:"times"`
}

// issued is an offset this server handed out.
type issued struct {
	path string
	sort string
	page int
}

// maxIssued bounds the offsets remembered (the oldest are forgotten first).
const maxIssued = 200_000

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	opts Options

	mu      sync.Mutex
	st      *store
	hook    func(Page)
	scripts []*Scripted
	// rate limit
	limit      int
	retryAfter RetryAfterMode
	window     int64
	used       int
	throttled  int
	// injected 5xx, to alternate 500 and 503
	serverErrors int
	offsets      map[string]issued
	offsetOrder  []string
	// schema drift: attributes added to, or hidden from, every render of a kind
	added  map[string]map[string]any
	hidden map[string]map[string]bool
}

// New returns an empty fake.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	if len(opts.APIKeys) == 0 {
		opts.APIKeys = []string{DefaultAPIKey}
	}
	s := &Server{opts: opts, st: newStore(), offsets: map[string]issued{},
		added: map[string]map[string]any{}, hidden: map[string]map[string]bool{}}
	s.setRateLimit(opts.RateLimitPerMinute, opts.RetryAfter)
	s.Server = fakeapi.NewServer(http.HandlerFunc(s.serveAPI), opts.Clock, envelopes{s})
	for _, k := range opts.APIKeys {
		s.Tokens.Add(k)
	}
	s.registerAdmin()
	return s
}

func (s *Server) setRateLimit(perMinute int, mode RetryAfterMode) {
	if perMinute == 0 {
		perMinute = DefaultRateLimit
	}
	if mode == "" {
		mode = RetryAfterSometimes
	}
	s.limit, s.retryAfter = perMinute, mode
}

// SetRateLimit changes the rate limit (see Options.RateLimitPerMinute and RetryAfter).
func (s *Server) SetRateLimit(perMinute int, mode RetryAfterMode) {
	s.mu.Lock()
	s.setRateLimit(perMinute, mode)
	s.mu.Unlock()
}

// OnPage installs h, called before each list request is answered (nil removes it). h may call
// the Server's Go API; it must not block on the request's own response.
func (s *Server) OnPage(h func(Page)) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// Script queues a canned error response (see Scripted).
func (s *Server) Script(sc Scripted) {
	if sc.Times <= 0 {
		sc.Times = 1
	}
	s.mu.Lock()
	s.scripts = append(s.scripts, &sc)
	s.mu.Unlock()
}

// SetDrift makes every render of kind ("customer", "subscription", "subscription_item",
// "line_item", …) carry the attributes of add and lack those of hide: schema drift. A nil
// value in add removes an addition.
func (s *Server) SetDrift(kind string, add map[string]any, hide []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.added[kind] == nil {
		s.added[kind] = map[string]any{}
	}
	for k, v := range add {
		if v == nil {
			delete(s.added[kind], k)
		} else {
			s.added[kind][k] = v
		}
	}
	if s.hidden[kind] == nil {
		s.hidden[kind] = map[string]bool{}
	}
	for _, k := range hide {
		s.hidden[kind][k] = true
	}
}

// apiError is Chargebee's error body.
type apiError struct {
	status       int
	Message      string
	Type         string
	APIErrorCode string
	Param        string
	ErrorCode    string
}

func (e *apiError) body() map[string]any {
	b := map[string]any{"message": e.Message, "api_error_code": e.APIErrorCode, "error_msg": e.Message,
		"http_status_code": e.status}
	if e.Type != "" {
		b["type"] = e.Type
	}
	if e.Param != "" {
		b["param"] = e.Param
	}
	b["error_code"] = e.ErrorCode
	if e.ErrorCode == "" {
		b["error_code"] = e.APIErrorCode
	}
	return b
}

func invalidParam(param, format string, args ...any) *apiError {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + " : " + msg
	}
	return &apiError{status: http.StatusBadRequest, Type: "invalid_request", APIErrorCode: "invalid_request",
		Param: param, ErrorCode: "param_invalid_value", Message: msg}
}

func notFoundErr(what string) *apiError {
	return &apiError{status: http.StatusNotFound, Type: "invalid_request", APIErrorCode: "resource_not_found",
		ErrorCode: "referenced_resource_not_found", Message: what + " not found"}
}

func writeError(w http.ResponseWriter, e *apiError) {
	fakeapi.WriteJSON(w, e.status, e.body())
}

// envelopes render the injected faults as Chargebee does.
type envelopes struct{ s *Server }

func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	e.s.mu.Lock()
	after := e.s.retryAfterLocked()
	e.s.mu.Unlock()
	e.s.writeThrottled(w, after)
}

func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	e.s.mu.Lock()
	e.s.serverErrors++
	n := e.s.serverErrors
	e.s.mu.Unlock()
	if n%2 == 1 {
		writeError(w, &apiError{status: http.StatusInternalServerError, APIErrorCode: "internal_error",
			Message: "Sorry, something went wrong when trying to process the request."})
		return
	}
	writeError(w, &apiError{status: http.StatusServiceUnavailable, APIErrorCode: "internal_temporary_error",
		Message: "Sorry, a temporary error occurred. Please try the request again."})
}

// retryAfterLocked counts a 429 and returns its Retry-After in seconds (0: none): what is
// left of the clock's minute. Callers hold mu.
func (s *Server) retryAfterLocked() int {
	s.throttled++
	switch {
	case s.retryAfter == RetryAfterNever, s.retryAfter == RetryAfterSometimes && s.throttled%2 == 0:
		return 0
	}
	return int(60 - s.Clock.Now().Unix()%60)
}

func (s *Server) writeThrottled(w http.ResponseWriter, after int) {
	if after > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(after))
	}
	writeError(w, &apiError{status: http.StatusTooManyRequests, APIErrorCode: "api_request_limit_exceeded",
		Message: "Sorry, access has been blocked temporarily due to request count exceeding acceptable limits. Please try after some time."})
}

// authenticate checks HTTP Basic auth (the key as username).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	key, _, ok := r.BasicAuth()
	fail := func(code, msg string) bool {
		w.Header().Set("Www-Authenticate", `Basic realm="Chargebee"`)
		writeError(w, &apiError{status: http.StatusUnauthorized, APIErrorCode: "api_authentication_failed",
			ErrorCode: code, Message: msg})
		return false
	}
	if !ok || key == "" {
		return fail("api_authentication_failed", "Sorry, authentication failed. Authorization header not present or not in the Basic scheme with the API key as username.")
	}
	if known, valid := s.Tokens.Check(key); !known || !valid {
		return fail("api_authentication_invalid_key", "Sorry, authentication failed. Invalid api key.")
	}
	return true
}

// admit applies the rate limit: it counts the request in the clock's minute, or answers 429.
func (s *Server) admit(w http.ResponseWriter) bool {
	s.mu.Lock()
	if s.limit < 0 {
		s.mu.Unlock()
		return true
	}
	if win := s.Clock.Now().Unix() / 60; win != s.window {
		s.window, s.used = win, 0
	}
	if s.used >= s.limit {
		after := s.retryAfterLocked()
		s.mu.Unlock()
		s.writeThrottled(w, after)
		return false
	}
	s.used++
	s.mu.Unlock()
	return true
}

// serveAPI answers one API request (after the faults of fakeapi.Server).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "api" || parts[1] != "v2" {
		writeError(w, notFoundErr("Sorry, the URL "+r.URL.Path+" was"))
		return
	}
	if !s.authenticate(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, Type: "invalid_request", APIErrorCode: "invalid_request",
			Message: "This fake serves GET requests only."})
		return
	}
	s.mu.Lock()
	sc := s.takeScript(r.URL.Path)
	s.mu.Unlock()
	if sc != nil {
		s.writeScripted(w, sc)
		return
	}
	if !s.admit(w) {
		return
	}
	res := parts[2]
	q := r.URL.Query()
	switch {
	case len(parts) == 3 && (res == "plans" || res == "addons"):
		writeError(w, &apiError{status: http.StatusBadRequest, Type: "invalid_request", APIErrorCode: "configuration_incompatible",
			ErrorCode: "configuration_incompatible",
			Message:   "The API endpoint is incompatible with the product catalog version. You are calling product catalog 1.0 API endpoint but you are using product catalog 2.0"})
	case len(parts) == 3:
		spec, ok := listSpecs()[res]
		if !ok {
			writeError(w, notFoundErr("Sorry, the URL "+r.URL.Path+" was"))
			return
		}
		s.serveList(w, r.URL.Path, res, spec, q)
	case len(parts) == 4:
		spec, ok := listSpecs()[res]
		if !ok {
			writeError(w, notFoundErr("Sorry, the URL "+r.URL.Path+" was"))
			return
		}
		s.mu.Lock()
		body, err := s.retrieve(spec, parts[3])
		s.mu.Unlock()
		if err != nil {
			writeError(w, err)
			return
		}
		fakeapi.WriteJSON(w, http.StatusOK, body)
	default:
		writeError(w, notFoundErr("Sorry, the URL "+r.URL.Path+" was"))
	}
}

// serveList runs the OnPage hook, then answers the list request.
func (s *Server) serveList(w http.ResponseWriter, path, res string, spec listSpec, q url.Values) {
	s.mu.Lock()
	hook := s.hook
	page := Page{Resource: res, Query: q, Offset: q.Get("offset"), Number: 1}
	if off, ok := s.offsets[page.Offset]; ok && page.Offset != "" {
		page.Number = off.page + 1
	}
	s.mu.Unlock()
	if hook != nil {
		hook(page)
	}
	s.mu.Lock()
	body, err := s.list(path, spec, q, page.Number)
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
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

func (s *Server) writeScripted(w http.ResponseWriter, sc *Scripted) {
	e := &apiError{status: sc.Status, Type: sc.Type, APIErrorCode: sc.APIErrorCode, Param: sc.Param, Message: sc.Message}
	if e.APIErrorCode == "" {
		switch {
		case sc.Status == http.StatusTooManyRequests:
			e.APIErrorCode = "api_request_limit_exceeded"
		case sc.Status == http.StatusUnauthorized:
			e.APIErrorCode = "api_authentication_failed"
		case sc.Status == http.StatusForbidden:
			e.APIErrorCode = "api_authorization_failed"
		case sc.Status == http.StatusNotFound:
			e.APIErrorCode, e.Type = "resource_not_found", "invalid_request"
		case sc.Status >= 500:
			e.APIErrorCode = "internal_error"
		default:
			e.APIErrorCode, e.Type = "invalid_request", "invalid_request"
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(sc.Status)
	}
	if sc.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(sc.RetryAfter))
	}
	writeError(w, e)
}
