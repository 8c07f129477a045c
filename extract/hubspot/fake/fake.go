package fake

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// DefaultToken is the private-app token a Server accepts unless Options.Token names another.
const DefaultToken = "pat-na1-00000000-0000-4000-8000-000000000000"

// Options configure a Server. The zero value is usable: HubSpot's default rate limits, no
// search index lag, a clock standing at 2026-01-01.
type Options struct {
	// Clock is the server's notion of now: record timestamps, archive times, token expiry and
	// search index visibility follow it. nil means a clock standing at 2026-01-01T00:00:00Z.
	Clock *fakeapi.Clock
	// Token is the private-app token the server accepts (default DefaultToken). Tokens issued
	// with IssueOAuthToken are accepted too, until they expire.
	Token string
	// SearchLag is the search index lag: a record changed at t is searchable from t+SearchLag;
	// until then search returns its previous version (or nothing, for a new record).
	SearchLag time.Duration
	// SearchPerSecond caps search requests per rolling second (429 SECONDLY beyond it);
	// 0 means HubSpot's 5, a negative value disables the cap.
	SearchPerSecond int
	// TenSecondlyMax caps other API requests per rolling 10 s (429 TEN_SECONDLY_ROLLING);
	// 0 means 100 (a private app on a Free or Starter portal), negative disables it.
	TenSecondlyMax int
	// DailyMax caps API requests per UTC day (429 DAILY); 0 means 250,000, negative disables it.
	DailyMax int
	// RetryAfter, when positive, adds a Retry-After header (whole seconds, rounded up) to 429
	// responses other than DAILY. HubSpot does not always send one: the default is none.
	RetryAfter time.Duration
	// RateClock reads the time that rate limits are measured on; nil means the wall clock.
	// Tests that drive the client's sleeps from Clock pass Clock.Now.
	RateClock func() time.Time
	// PortalID appears in 429 group names (default 1512050).
	PortalID int
	// OAuthApps are the public apps whose refresh tokens POST /oauth/v1/token accepts.
	OAuthApps []OAuthApp
	// AccessTokenTTL is the life of the access tokens the token endpoint issues, on Clock
	// (default DefaultAccessTokenTTL, HubSpot's 1800 s). POST /__fake/tokens/expire expires
	// them early.
	AccessTokenTTL time.Duration
	// Seed scrambles the order of search results that tie on the sort property (HubSpot does
	// not specify it), so that a client relying on it fails deterministically.
	Seed uint64
}

// Request describes an API request to the page hook.
type Request struct {
	// Op is list, get, search, batch_read, associations, owners, pipelines or properties.
	Op string
	// Object is the object type's plural name, when the request names one.
	Object string
	// After is the paging position the request asks for ("" on a first page).
	After string
	// Seq counts the API requests the hook has seen, from 1.
	Seq int
}

// SearchCall is one search request as the server received it (for tests to assert on).
type SearchCall struct {
	Object  string
	Request SearchRequest
	Status  int
}

// Server is a stateful, in-memory HubSpot CRM API. It is an http.Handler (through the embedded
// fakeapi.Server, which adds the /__fake/ admin API and fault injection); its methods are the
// Go API to seed and mutate data. All methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	types map[string]objectType
	mux   *http.ServeMux

	mu        sync.Mutex
	opts      Options
	data      map[string]map[int64]*record
	props     map[string]map[string]propDef
	assoc     map[assocKey][]assocEdge
	owners    map[int64]*Owner
	pipelines []Pipeline
	nextID    int64
	hook      func(Request)
	seq       int
	searches  []SearchCall
	rate      rateState
	corr      uint64
	revoked   map[string]bool
	oauth     map[string]time.Time
	apps      map[string]OAuthApp // by client id
	grants    int
}

// New returns a Server holding the default deal pipeline and no records.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.RateClock == nil {
		opts.RateClock = time.Now
	}
	if opts.PortalID == 0 {
		opts.PortalID = 1512050
	}
	opts.SearchPerSecond = orDefault(opts.SearchPerSecond, 5)
	opts.TenSecondlyMax = orDefault(opts.TenSecondlyMax, 100)
	opts.DailyMax = orDefault(opts.DailyMax, 250_000)
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = DefaultAccessTokenTTL
	}
	s := &Server{
		types:   objectTypes(),
		mux:     http.NewServeMux(),
		opts:    opts,
		data:    map[string]map[int64]*record{},
		props:   map[string]map[string]propDef{},
		assoc:   map[assocKey][]assocEdge{},
		owners:  map[int64]*Owner{},
		nextID:  1001,
		revoked: map[string]bool{},
		oauth:   map[string]time.Time{},
		apps:    map[string]OAuthApp{},
	}
	for _, app := range opts.OAuthApps {
		s.apps[app.ClientID] = app
	}
	for name, t := range s.types {
		s.data[name] = map[int64]*record{}
		s.props[name] = map[string]propDef{}
		for _, p := range t.props {
			s.props[name][p.name] = p
		}
	}
	s.Server = fakeapi.NewServer(http.HandlerFunc(s.serveAPI), opts.Clock, envelopes{s})
	s.Tokens.Add(opts.Token)
	s.pipelines = DefaultPipelines(time.Date(2019, 10, 30, 3, 30, 17, 883e6, time.UTC))
	s.routes()
	s.adminRoutes()
	return s
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /crm/v3/objects/{type}", s.handleList)
	s.mux.HandleFunc("GET /crm/v3/objects/{type}/{id}", s.handleGet)
	s.mux.HandleFunc("POST /crm/v3/objects/{type}/search", s.handleSearch)
	s.mux.HandleFunc("POST /crm/v3/objects/{type}/batch/read", s.handleBatchRead)
	// HubSpot's date-versioned paths (e.g. /crm/objects/2026-03/deals) serve the same objects.
	s.mux.HandleFunc("GET /crm/objects/{version}/{type}", s.handleList)
	s.mux.HandleFunc("GET /crm/objects/{version}/{type}/{id}", s.handleGet)
	s.mux.HandleFunc("POST /crm/objects/{version}/{type}/search", s.handleSearch)
	s.mux.HandleFunc("POST /crm/objects/{version}/{type}/batch/read", s.handleBatchRead)
	s.mux.HandleFunc("GET /crm/v3/properties/{type}", s.handleProperties)
	s.mux.HandleFunc("GET /crm/v3/pipelines/{type}", s.handlePipelines)
	s.mux.HandleFunc("GET /crm/v3/owners", s.handleOwners)
	s.mux.HandleFunc("GET /crm/v3/owners/", s.handleOwners)
	s.mux.HandleFunc("GET /crm/v4/objects/{type}/{id}/associations/{to}", s.handleAssocGet)
	s.mux.HandleFunc("POST /crm/v4/associations/{type}/{to}/batch/read", s.handleAssocBatch)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Resource not found: "+r.Method+" "+r.URL.Path, nil)
	})
}

// SetHook installs a function called before each API request is served (nil removes it). It
// runs outside the server's lock, so it may mutate data: the request then sees the change.
func (s *Server) SetHook(h func(Request)) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

func (s *Server) callHook(op, object, after string) {
	s.mu.Lock()
	h := s.hook
	s.seq++
	req := Request{Op: op, Object: object, After: after, Seq: s.seq}
	s.mu.Unlock()
	if h != nil {
		h(req)
	}
}

// SetSearchLag changes the search index lag for changes made from now on.
func (s *Server) SetSearchLag(d time.Duration) {
	s.mu.Lock()
	s.opts.SearchLag = d
	s.mu.Unlock()
}

// SetRetryAfter changes the Retry-After sent with 429 responses (0: none).
func (s *Server) SetRetryAfter(d time.Duration) {
	s.mu.Lock()
	s.opts.RetryAfter = d
	s.mu.Unlock()
}

// SetLimits changes the rate limits (the values of Options: 0 default, negative off).
func (s *Server) SetLimits(searchPerSecond, tenSecondlyMax, dailyMax int) {
	s.mu.Lock()
	s.opts.SearchPerSecond = orDefault(searchPerSecond, 5)
	s.opts.TenSecondlyMax = orDefault(tenSecondlyMax, 100)
	s.opts.DailyMax = orDefault(dailyMax, 250_000)
	s.rate = rateState{}
	s.mu.Unlock()
}

// Searches returns the search requests received so far.
func (s *Server) Searches() []SearchCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SearchCall(nil), s.searches...)
}

// IssueOAuthToken returns an OAuth access token valid for ttl on the server's clock; after that
// the server answers 401 EXPIRED_AUTHENTICATION.
func (s *Server) IssueOAuthToken(ttl time.Duration) string {
	tok := s.Tokens.Issue(ttl)
	s.mu.Lock()
	s.oauth[tok] = s.Clock.Now().Add(ttl)
	s.mu.Unlock()
	return tok
}

// RevokeToken revokes a token (a private-app token rotated in HubSpot's settings).
func (s *Server) RevokeToken(tok string) {
	s.mu.Lock()
	s.revoked[tok] = true
	s.mu.Unlock()
}

// serveAPI authenticates, applies the rate limits, and routes.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/v1/token" { // no bearer token: this is where one comes from
		s.handleToken(w, r)
		return
	}
	if !s.authenticate(w, r) {
		return
	}
	if !s.admit(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

const authHelp = "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"

// authenticate checks the bearer token and writes HubSpot's 401 when it is missing, unknown,
// revoked or expired.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	tok := fakeapi.Bearer(r)
	s.mu.Lock()
	revoked := s.revoked[tok]
	exp, isOAuth := s.oauth[tok]
	s.mu.Unlock()
	if tok == "" || revoked {
		s.writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", authHelp, nil)
		return false
	}
	known, valid := s.Tokens.Check(tok)
	switch {
	case !known:
		s.writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", authHelp, nil)
		return false
	case !valid:
		now := s.Clock.Now()
		if !isOAuth || exp.After(now) { // expired early through /__fake/tokens/expire
			exp = now
		}
		ago := int(now.Sub(exp).Seconds())
		s.writeError(w, http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			fmt.Sprintf("The OAuth token used to make this call expired %d second(s) ago.", ago),
			func(b *errorBody) { b.Context = map[string][]string{"expire time": {hsTime(exp)}} })
		return false
	}
	return true
}

// rateState counts accepted requests for the rate limits.
type rateState struct {
	general []time.Time // non-search requests in the last 10 s
	search  []time.Time // search requests in the last second
	day     string
	daily   int
}

func isSearch(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/search")
}

// admit applies the daily, ten-secondly and search limits, sets the X-HubSpot-RateLimit-*
// headers (not on search, which HubSpot is reported not to send them on), and writes the 429.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	search := isSearch(r)
	s.mu.Lock()
	now := s.opts.RateClock()
	o := s.opts
	st := &s.rate
	if day := now.UTC().Format(time.DateOnly); day != st.day {
		st.day, st.daily = day, 0
	}
	st.general = prune(st.general, now.Add(-10*time.Second))
	st.search = prune(st.search, now.Add(-time.Second))
	policy := ""
	switch {
	case o.DailyMax > 0 && st.daily >= o.DailyMax:
		policy = "DAILY"
	case search && o.SearchPerSecond > 0 && len(st.search) >= o.SearchPerSecond:
		policy = "SECONDLY"
	case !search && o.TenSecondlyMax > 0 && len(st.general) >= o.TenSecondlyMax:
		policy = "TEN_SECONDLY_ROLLING"
	}
	if policy == "" {
		st.daily++
		if search {
			st.search = append(st.search, now)
		} else {
			st.general = append(st.general, now)
		}
	}
	remaining, dailyLeft := o.TenSecondlyMax-len(st.general), o.DailyMax-st.daily
	s.mu.Unlock()
	if !search {
		s.rateHeaders(w.Header(), o, max(remaining, 0), max(dailyLeft, 0))
	}
	if policy != "" {
		s.writeRateLimited(w, policy)
		return false
	}
	return true
}

func prune(ts []time.Time, after time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(after) {
		i++
	}
	return ts[i:]
}

func (s *Server) rateHeaders(h http.Header, o Options, remaining, dailyLeft int) {
	if o.DailyMax > 0 {
		h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(o.DailyMax))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(dailyLeft))
	}
	if o.TenSecondlyMax > 0 {
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(o.TenSecondlyMax))
		h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-HubSpot-RateLimit-Secondly", strconv.Itoa(max(o.TenSecondlyMax/10, 1)))
		h.Set("X-HubSpot-RateLimit-Secondly-Remaining", strconv.Itoa(min(remaining, max(o.TenSecondlyMax/10, 1))))
	}
}

// rateLimitBody is HubSpot's 429 body.
type rateLimitBody struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	ErrorType     string `json:"errorType"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
	GroupName     string `json:"groupName"`
}

func (s *Server) writeRateLimited(w http.ResponseWriter, policy string) {
	s.mu.Lock()
	retry, portal := s.opts.RetryAfter, s.opts.PortalID
	s.mu.Unlock()
	group := map[string]string{
		"TEN_SECONDLY_ROLLING": "publicapi:private_app-api-calls-ten-secondly",
		"SECONDLY":             "publicapi:private_app-api-calls-search-secondly",
		"DAILY":                "publicapi:private_app-api-calls-daily",
	}[policy]
	if retry > 0 && policy != "DAILY" {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	}
	fakeapi.WriteJSON(w, http.StatusTooManyRequests, rateLimitBody{
		Status:        "error",
		Message:       "You have reached your " + strings.ToLower(policy) + " limit.",
		ErrorType:     "RATE_LIMIT",
		CorrelationID: s.correlationID(),
		PolicyName:    policy,
		GroupName:     fmt.Sprintf("%s:%d:%d", group, 26892217, portal),
	})
}

// envelopes renders injected faults the way HubSpot answers.
type envelopes struct{ s *Server }

// RateLimited writes a 429: SECONDLY on search, else TEN_SECONDLY_ROLLING with the rate
// headers (Remaining 0).
func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	if isSearch(r) {
		e.s.writeRateLimited(w, "SECONDLY")
		return
	}
	e.s.mu.Lock()
	o := e.s.opts
	e.s.mu.Unlock()
	e.s.rateHeaders(w.Header(), o, 0, max(o.DailyMax/2, 0))
	e.s.writeRateLimited(w, "TEN_SECONDLY_ROLLING")
}

// ServerError writes a 502 in HubSpot's error envelope [I: HubSpot's edge sometimes sends HTML].
func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	e.s.writeError(w, http.StatusBadGateway, "INTERNAL_ERROR", "Bad Gateway", nil)
}

// errorBody is HubSpot's error envelope.
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Context       map[string][]string `json:"context,omitempty"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
}

type errorDetail struct {
	Message string `json:"message"`
	In      string `json:"in,omitempty"`
	Code    string `json:"code,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, status int, category, msg string, edit func(*errorBody)) {
	b := errorBody{Status: "error", Message: msg, CorrelationID: s.correlationID(), Category: category}
	if edit != nil {
		edit(&b)
	}
	fakeapi.WriteJSON(w, status, b)
}

// validation writes a 400 VALIDATION_ERROR.
func (s *Server) validation(w http.ResponseWriter, msg string) {
	s.writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
}

// correlationID returns a UUID-shaped id, sequential so that runs are reproducible.
func (s *Server) correlationID() string {
	s.mu.Lock()
	s.corr++
	n := s.corr
	s.mu.Unlock()
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
}
