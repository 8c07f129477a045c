// Package fakeapi is what every fake vendor server shares: an injectable clock, bearer tokens
// that expire on that clock, and fault injection driven through an admin API under /__fake/, a
// prefix no real vendor uses. Each fake (extract/<vendor>/fake) serves its vendor's real API
// surface and wraps it with a Server, which answers /__fake/* itself and passes every other
// request through the faults first.
//
// Admin endpoints (JSON bodies):
//
//	GET  /__fake/faults            the current Faults
//	PUT  /__fake/faults            replace them (unknown fields are an error)
//	GET  /__fake/clock             {"now": RFC 3339}
//	PUT  /__fake/clock             {"now": RFC 3339} or {"advance": "90s"}
//	POST /__fake/tokens/expire     expire every token issued so far
//	GET  /__fake/stats             {"requests": n, "faults": n, "by_path": {...}}
//	POST /__fake/reset             clear faults and stats (data and clock stay)
//
// A fake may add its own admin endpoints (mutations between pages, …) with Server.HandleAdmin;
// AdminBody and AdminGet build their handlers (see admin.go).
package fakeapi

import (
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Clock is a settable clock; the zero value is not usable, use NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Faults are the injected failures. Rates are shares of API requests in [0, 1], drawn from a
// random stream seeded with Seed, so a run with the same requests sees the same faults.
type Faults struct {
	// RateLimitRate answers with the vendor's rate-limit response (429 or its equivalent).
	RateLimitRate float64 `json:"rate_limit_rate"`
	// ServerErrorRate answers with a 5xx in the vendor's envelope.
	ServerErrorRate float64 `json:"server_error_rate"`
	// SlowRate delays the response by Slow.
	SlowRate float64       `json:"slow_rate"`
	Slow     time.Duration `json:"slow"`
	// HangRate holds the request until the client gives up (its context ends).
	HangRate float64 `json:"hang_rate"`
	// TruncateRate cuts the response body in half (after a 200 status and full headers).
	TruncateRate float64 `json:"truncate_rate"`
	// ExpireTokensEvery expires every issued token after each N API requests (0: never).
	ExpireTokensEvery int `json:"expire_tokens_every"`
	// Seed seeds the fault stream.
	Seed uint64 `json:"seed"`
	// Paths limits the faults to request paths that contain one of these substrings (empty: all).
	Paths []string `json:"paths,omitempty"`
}

// Envelopes renders a vendor's own responses for the injected faults.
type Envelopes interface {
	// RateLimited writes the vendor's rate-limit response, headers included.
	RateLimited(w http.ResponseWriter, r *http.Request)
	// ServerError writes the vendor's 5xx response.
	ServerError(w http.ResponseWriter, r *http.Request)
}

// Stats counts what the server saw.
type Stats struct {
	Requests int            `json:"requests"`
	Faults   int            `json:"faults"`
	ByPath   map[string]int `json:"by_path"`
}

// Server wraps a fake's API handler with the admin endpoints and the faults.
type Server struct {
	Clock  *Clock
	Tokens *Tokens

	api       http.Handler
	envelopes Envelopes
	admin     *http.ServeMux

	mu     sync.Mutex
	faults Faults
	rnd    *rand.Rand
	stats  Stats
}

// NewServer wraps api. The clock drives token expiry; envelopes render injected faults.
func NewServer(api http.Handler, clock *Clock, envelopes Envelopes) *Server {
	s := &Server{
		Clock:     clock,
		Tokens:    NewTokens(clock),
		api:       api,
		envelopes: envelopes,
		admin:     http.NewServeMux(),
		rnd:       rand.New(rand.NewPCG(0, 0)),
		stats:     Stats{ByPath: map[string]int{}},
	}
	s.admin.HandleFunc("GET /__fake/faults", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, s.Faults())
	})
	s.admin.HandleFunc("PUT /__fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if !decodeAdmin(w, r, &f) {
			return
		}
		s.SetFaults(f)
		WriteJSON(w, http.StatusOK, f)
	})
	s.admin.HandleFunc("GET /__fake/clock", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"now": s.Clock.Now().Format(time.RFC3339Nano)})
	})
	s.admin.HandleFunc("PUT /__fake/clock", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Now     *time.Time `json:"now"`
			Advance string     `json:"advance"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.Now != nil {
			s.Clock.Set(*body.Now)
		}
		if body.Advance != "" {
			d, err := time.ParseDuration(body.Advance)
			if err != nil {
				http.Error(w, "advance: "+err.Error(), http.StatusBadRequest)
				return
			}
			s.Clock.Advance(d)
		}
		WriteJSON(w, http.StatusOK, map[string]string{"now": s.Clock.Now().Format(time.RFC3339Nano)})
	})
	s.admin.HandleFunc("POST /__fake/tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		s.Tokens.ExpireAll()
		w.WriteHeader(http.StatusNoContent)
	})
	s.admin.HandleFunc("GET /__fake/stats", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, s.Stats())
	})
	s.admin.HandleFunc("POST /__fake/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	return s
}

// HandleAdmin registers a fake's own admin endpoint; pattern must start with a method and
// "/__fake/" (e.g. "POST /__fake/mutate").
func (s *Server) HandleAdmin(pattern string, h http.HandlerFunc) {
	if _, path, _ := strings.Cut(pattern, " "); !strings.HasPrefix(path, "/__fake/") {
		panic(fmt.Sprintf("fakeapi: admin pattern %q is not under /__fake/", pattern))
	}
	s.admin.HandleFunc(pattern, h)
}

// SetFaults replaces the faults and reseeds their random stream.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// Faults returns the current faults.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Requests: s.stats.Requests, Faults: s.stats.Faults, ByPath: map[string]int{}}
	for k, v := range s.stats.ByPath {
		out.ByPath[k] = v
	}
	return out
}

// Reset clears the faults and the counters.
func (s *Server) Reset() {
	s.SetFaults(Faults{})
	s.mu.Lock()
	s.stats = Stats{ByPath: map[string]int{}}
	s.mu.Unlock()
}

type fault int

const (
	noFault fault = iota
	faultRateLimit
	faultServerError
	faultHang
	faultTruncate
)

// draw counts the request and decides its fault (and its delay).
func (s *Server) draw(path string) (fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	s.stats.ByPath[path]++
	f := s.faults
	if f.ExpireTokensEvery > 0 && s.stats.Requests%f.ExpireTokensEvery == 0 {
		s.Tokens.ExpireAll()
	}
	if len(f.Paths) > 0 {
		match := false
		for _, p := range f.Paths {
			match = match || strings.Contains(path, p)
		}
		if !match {
			return noFault, 0
		}
	}
	var delay time.Duration
	if f.SlowRate > 0 && s.rnd.Float64() < f.SlowRate {
		delay = f.Slow
	}
	got := noFault
	switch x := s.rnd.Float64(); {
	case x < f.RateLimitRate:
		got = faultRateLimit
	case x < f.RateLimitRate+f.ServerErrorRate:
		got = faultServerError
	case x < f.RateLimitRate+f.ServerErrorRate+f.HangRate:
		got = faultHang
	case x < f.RateLimitRate+f.ServerErrorRate+f.HangRate+f.TruncateRate:
		got = faultTruncate
	}
	if got != noFault {
		s.stats.Faults++
	}
	return got, delay
}

// ServeHTTP answers admin requests, then API requests through the faults.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__fake/") {
		s.admin.ServeHTTP(w, r)
		return
	}
	f, delay := s.draw(r.URL.Path)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch f {
	case faultRateLimit:
		s.envelopes.RateLimited(w, r)
	case faultServerError:
		s.envelopes.ServerError(w, r)
	case faultHang:
		<-r.Context().Done()
	case faultTruncate:
		tw := &truncatingWriter{ResponseWriter: w}
		s.api.ServeHTTP(tw, r)
		tw.flush()
	default:
		s.api.ServeHTTP(w, r)
	}
}

// truncatingWriter buffers the body and sends its first half only, with the full length announced,
// so the client sees an unexpected EOF.
type truncatingWriter struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (t *truncatingWriter) WriteHeader(code int) { t.status = code }

func (t *truncatingWriter) Write(p []byte) (int, error) {
	t.body = append(t.body, p...)
	return len(p), nil
}

func (t *truncatingWriter) flush() {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.ResponseWriter.Header().Set("Content-Length", fmt.Sprint(len(t.body)))
	t.ResponseWriter.WriteHeader(t.status)
	_, _ = t.ResponseWriter.Write(t.body[:len(t.body)/2])
	if hj, ok := t.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}

// Tokens issues opaque bearer tokens that expire on the clock.
type Tokens struct {
	clock *Clock
	mu    sync.Mutex
	exp   map[string]time.Time
}

// NewTokens returns an empty token store on clock.
func NewTokens(clock *Clock) *Tokens { return &Tokens{clock: clock, exp: map[string]time.Time{}} }

// Issue returns a new token valid for ttl (0: until ExpireAll).
func (t *Tokens) Issue(ttl time.Duration) string {
	b := make([]byte, 16)
	_, _ = crand.Read(b)
	tok := hex.EncodeToString(b)
	t.mu.Lock()
	defer t.mu.Unlock()
	if ttl > 0 {
		t.exp[tok] = t.clock.Now().Add(ttl)
	} else {
		t.exp[tok] = time.Time{}
	}
	return tok
}

// Add registers a fixed token (a private-app token or an API key) that never expires by time.
func (t *Tokens) Add(tok string) {
	t.mu.Lock()
	t.exp[tok] = time.Time{}
	t.mu.Unlock()
}

// Check reports whether tok is known and whether it is still valid.
func (t *Tokens) Check(tok string) (known, valid bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.exp[tok]
	if !ok {
		return false, false
	}
	if exp.IsZero() {
		return true, true
	}
	return true, t.clock.Now().Before(exp)
}

// ExpireAll expires every issued token (fixed tokens added with Add stay valid).
func (t *Tokens) ExpireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for tok, exp := range t.exp {
		if !exp.IsZero() {
			t.exp[tok] = time.Unix(0, 0)
		}
	}
}

// Bearer returns the token of an "Authorization: Bearer <token>" header, or "".
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := DecodeStrict(r, v); err != nil {
		http.Error(w, "admin body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}
