package stripe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// Defaults of the configuration.
const (
	DefaultBaseURL    = "https://api.stripe.com"
	DefaultAPIVersion = "2025-03-31.basil"
	// DefaultRequestsPerSecond stays under Stripe's 25 requests/s of test mode and per endpoint.
	DefaultRequestsPerSecond = 20
	DefaultPageSize          = 100
)

// Internal timings (see doc.go).
const (
	eventRetention = 30 * 24 * time.Hour
	// retentionMargin: a cursor this close to the retention edge is already treated as a gap.
	retentionMargin = time.Hour
	// eventLag is how far before the last event applied (or the read's start) the next events
	// read begins: it covers clock skew and events that become listable late.
	eventLag = 5 * time.Minute
	// eventWindow bounds the events held in memory at once.
	eventWindow = 24 * time.Hour
)

// config is the source's YAML block.
type config struct {
	BaseURL           string         `yaml:"base_url"`
	APIKey            yamlx.Secret   `yaml:"api_key,required"`
	APIVersion        string         `yaml:"api_version"`
	Objects           []string       `yaml:"objects"`
	PageSize          *int           `yaml:"page_size"`
	RequestsPerSecond *int           `yaml:"requests_per_second"`
	Timeout           *time.Duration `yaml:"timeout"`
	MaxAttempts       *int           `yaml:"max_attempts"`
	CurrencyExponents map[string]int `yaml:"currency_exponents"`
}

// Options are what a configuration file cannot carry: tests and the demo set them.
type Options struct {
	// HTTP sends the requests (nil: a client with the configured timeout).
	HTTP *http.Client
	// Sleep replaces the retry backoff's waiting (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter replaces the limiter built from requests_per_second.
	Limiter *httpretry.Limiter
	// Allocator allocates the Arrow memory of emitted batches (nil: memory.DefaultAllocator).
	Allocator memory.Allocator
}

// New builds a Stripe source from its configuration block: an extract.Factory. It validates
// everything and does no I/O.
func New(cfg extract.Config) (extract.Source, error) { return NewWith(Options{})(cfg) }

// The constructor is a Factory.
var _ extract.Factory = New

// NewWith returns a Factory that builds sources with opts.
func NewWith(opts Options) extract.Factory {
	return func(cfg extract.Config) (extract.Source, error) {
		if cfg.Decode == nil {
			return nil, fmt.Errorf("stripe source %s: no configuration decoder", cfg.Name)
		}
		var c config
		if err := cfg.Decode(&c); err != nil {
			return nil, fmt.Errorf("stripe source %s: %w", cfg.Name, err)
		}
		s, err := build(cfg, c, opts)
		if err != nil {
			return nil, fmt.Errorf("stripe source %s: %w", cfg.Name, err)
		}
		return s, nil
	}
}

var versionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)

// build validates c and assembles the source, reporting every problem at once.
func build(cfg extract.Config, c config, opts Options) (*source, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		bad("base_url %q is not an http(s) URL without query, e.g. %s", base, DefaultBaseURL)
	}
	base = strings.TrimSuffix(base, "/")

	key := c.APIKey.Reveal()
	switch {
	case key == "":
		bad("api_key is empty: set it to a secret (sk_…) or restricted (rk_…) key, e.g. api_key: ${STRIPE_API_KEY}")
	case strings.HasPrefix(key, "pk_"):
		bad("api_key is a publishable key (pk_…), which cannot read data: use a secret (sk_…) or restricted (rk_…) key")
	case strings.ContainsAny(key, " \t\r\n"):
		bad("api_key contains white space")
	}

	version := c.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	if !versionPattern.MatchString(version) {
		bad("api_version %q is not a Stripe API version such as %s", version, DefaultAPIVersion)
	}

	defs := definitions()
	objects := c.Objects
	if len(objects) == 0 {
		objects = AllStreams()
	}
	seen := map[string]bool{}
	for _, o := range objects {
		switch {
		case defs[o] == nil:
			bad("objects: unknown object %q (known: %s)", o, strings.Join(AllStreams(), ", "))
		case seen[o]:
			bad("objects: %q is listed twice", o)
		}
		seen[o] = true
	}

	pageSize := intOr(c.PageSize, DefaultPageSize)
	if pageSize < 1 || pageSize > 100 {
		bad("page_size %d is out of range: Stripe lists 1 to 100 objects per page", pageSize)
	}
	rps := intOr(c.RequestsPerSecond, DefaultRequestsPerSecond)
	if rps < 0 || rps > 100 {
		bad("requests_per_second %d is out of range: use 1 to 100 (Stripe allows 25/s in test mode, 100/s live), or 0 for no client-side pacing", rps)
	}
	attempts := intOr(c.MaxAttempts, 8)
	if attempts < 1 || attempts > 20 {
		bad("max_attempts %d is out of range: use 1 to 20", attempts)
	}
	timeout := 60 * time.Second
	if c.Timeout != nil {
		timeout = *c.Timeout
		if timeout <= 0 {
			bad("timeout %s must be positive, e.g. 60s", timeout)
		}
	}
	exps := exponents(defaultExponents())
	for _, cur := range slices.Sorted(maps.Keys(c.CurrencyExponents)) {
		x := c.CurrencyExponents[cur]
		if len(cur) != 3 || strings.ToLower(cur) != cur || !isLetters(cur) {
			bad("currency_exponents: %q is not a lower-case ISO 4217 code such as usd", cur)
		}
		if x < 0 || x > 4 {
			bad("currency_exponents: %s: exponent %d is out of range 0 to 4", cur, x)
		}
		exps[cur] = x
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	limiter := opts.Limiter
	if limiter == nil && rps > 0 {
		limiter = httpretry.NewLimiter(rps, time.Second)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &source{
		name: cfg.Name,
		client: &client{base: base, key: c.APIKey, version: version, retry: &httpretry.Client{
			HTTP: hc, Classify: classify, MaxAttempts: attempts, BaseDelay: 500 * time.Millisecond,
			MaxDelay: 5 * time.Second, Sleep: opts.Sleep, Limiter: limiter,
		}},
		pageSize:  pageSize,
		exponents: exps,
		now:       now,
		mem:       mem,
		window:    eventWindow,
		defs:      map[string]*streamDef{},
	}
	for _, o := range objects {
		s.order = append(s.order, o)
		s.defs[o] = defs[o]
	}
	return s, nil
}

func intOr(p *int, dflt int) int {
	if p == nil {
		return dflt
	}
	return *p
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// source is a configured Stripe account.
type source struct {
	name      string
	client    *client
	pageSize  int
	exponents exponents
	now       func() time.Time
	mem       memory.Allocator
	window    time.Duration
	order     []string
	defs      map[string]*streamDef
}

// Streams lists the configured streams with their schemas.
func (s *source) Streams() []extract.Stream {
	out := make([]extract.Stream, 0, len(s.order))
	for _, name := range s.order {
		out = append(out, s.defs[name].stream())
	}
	return out
}

// Read emits the stream's rows after from: a full listing first (resumable page by page), then
// the events since the listing began. See doc.go.
func (s *source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	def, ok := s.defs[stream]
	if !ok {
		return fmt.Errorf("stripe source %s: unknown stream %q (configured: %s)", s.name, stream, strings.Join(slices.Sorted(maps.Keys(s.defs)), ", "))
	}
	cur, err := decodeCursor(from)
	if err != nil {
		return fmt.Errorf("stripe source %s: stream %s: %w", s.name, stream, err)
	}
	r := &reader{src: s, def: def, emit: emit, start: s.now()}
	if err := r.run(ctx, cur); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return ctx.Err()
		}
		if r.emitErr != nil && errors.Is(err, r.emitErr) {
			return r.emitErr
		}
		return fmt.Errorf("stripe source %s: stream %s: %w", s.name, stream, err)
	}
	return nil
}
