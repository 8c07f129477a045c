package chargebee

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
	// DefaultRequestsPerMinute stays under the 150 requests a minute of Starter and test sites.
	DefaultRequestsPerMinute = 120
	DefaultPageSize          = 100
	DefaultMaxAttempts       = 10
	DefaultTimeout           = 60 * time.Second
	// DefaultOverlap re-reads the last second of updated_at: records of that second committed
	// after the previous read are caught; those already emitted are skipped.
	DefaultOverlap = time.Second
)

// config is the source's YAML block.
type config struct {
	Site              string         `yaml:"site"`
	BaseURL           string         `yaml:"base_url"`
	APIKey            yamlx.Secret   `yaml:"api_key,required"`
	Objects           []string       `yaml:"objects"`
	PageSize          *int           `yaml:"page_size"`
	RequestsPerMinute *int           `yaml:"requests_per_minute"`
	Timeout           *time.Duration `yaml:"timeout"`
	MaxAttempts       *int           `yaml:"max_attempts"`
	Overlap           *time.Duration `yaml:"overlap"`
	CurrencyExponents map[string]int `yaml:"currency_exponents"`
}

// Options are what a configuration file cannot carry: tests and the demo set them.
type Options struct {
	// HTTP sends the requests (nil: a client with the configured timeout).
	HTTP *http.Client
	// Sleep replaces the waiting of retries and of the rate limiter (tests make it instant, or
	// advance a fake clock). When it is set, the limiter reads the time from extract.Config.Now;
	// otherwise from the wall clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter replaces the limiter built from requests_per_minute.
	Limiter *httpretry.Limiter
	// Allocator allocates the Arrow memory of emitted batches (nil: memory.DefaultAllocator).
	Allocator memory.Allocator
}

// New builds a Chargebee source from its configuration block: an extract.Factory. It validates
// everything and does no I/O.
func New(cfg extract.Config) (extract.Source, error) { return NewWith(Options{})(cfg) }

// The constructor is a Factory.
var _ extract.Factory = New

// NewWith returns a Factory that builds sources with opts.
func NewWith(opts Options) extract.Factory {
	return func(cfg extract.Config) (extract.Source, error) {
		if cfg.Decode == nil {
			return nil, fmt.Errorf("chargebee source %s: no configuration decoder", cfg.Name)
		}
		var c config
		if err := cfg.Decode(&c); err != nil {
			return nil, fmt.Errorf("chargebee source %s: %w", cfg.Name, err)
		}
		s, err := build(cfg, c, opts)
		if err != nil {
			return nil, fmt.Errorf("chargebee source %s: %w", cfg.Name, err)
		}
		return s, nil
	}
}

var sitePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// baseURL validates site and base_url and returns the API root (no trailing slash).
func baseURL(c config, bad func(string, ...any)) string {
	site, base := strings.TrimSpace(c.Site), strings.TrimSpace(c.BaseURL)
	switch {
	case site != "" && base != "":
		bad("site and base_url are both set: set site (e.g. site: acme for https://acme.chargebee.com), or base_url for a proxy or a fake, not both")
		return ""
	case site == "" && base == "":
		bad("site is missing: set site to your Chargebee site name (site: acme for https://acme.chargebee.com; test sites end in -test), or base_url")
		return ""
	case site != "":
		if !sitePattern.MatchString(site) {
			hint := ""
			if strings.Contains(site, ".") || strings.Contains(site, "/") {
				hint = ": write only the site name, e.g. site: acme for https://acme.chargebee.com"
			}
			bad("site %q is not a Chargebee site name (lower-case letters, digits and dashes)%s", site, hint)
			return ""
		}
		return "https://" + site + ".chargebee.com"
	}
	u, err := url.Parse(base)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		bad("base_url %q is not an http(s) URL such as https://acme.chargebee.com", base)
	case u.User != nil:
		bad("base_url must not carry credentials: put the key in api_key")
	case u.RawQuery != "" || u.Fragment != "":
		bad("base_url %q must not have a query or fragment", base)
	case strings.Contains(strings.TrimSuffix(u.Path, "/"), "/api/v2"):
		bad("base_url %q includes /api/v2: leave it out (base_url: %s://%s)", base, u.Scheme, u.Host)
	default:
		return strings.TrimSuffix(base, "/")
	}
	return ""
}

// build validates c and assembles the source, reporting every problem at once.
func build(cfg extract.Config, c config, opts Options) (*source, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	base := baseURL(c, bad)
	key := c.APIKey.Reveal()
	switch {
	case key == "":
		bad("api_key is empty: set it to a full-access or read-only API key of the site, e.g. api_key: ${CHARGEBEE_API_KEY}")
	case strings.ContainsAny(key, " \t\r\n:"):
		bad("api_key contains white space or a colon: paste the key alone (it is sent as the Basic auth username)")
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
			bad("objects: unknown object %q (known: %s)%s", o, strings.Join(AllStreams(), ", "), yamlx.DidYouMean(o, AllStreams()))
		case seen[o]:
			bad("objects: %q is listed twice", o)
		}
		seen[o] = true
	}

	pageSize := intOr(c.PageSize, DefaultPageSize)
	if pageSize < 1 || pageSize > 100 {
		bad("page_size %d is out of range: Chargebee lists 1 to 100 records per page (default 100)", pageSize)
	}
	rpm := intOr(c.RequestsPerMinute, DefaultRequestsPerMinute)
	if rpm < 1 || rpm > 3500 {
		bad("requests_per_minute %d is out of range: use 1 to 3500 and stay under the site's plan limit (150 on Starter and test sites, 1000 Performance, 3500 Enterprise)", rpm)
	}
	attempts := intOr(c.MaxAttempts, DefaultMaxAttempts)
	if attempts < 1 || attempts > 20 {
		bad("max_attempts %d is out of range: use 1 to 20 (default %d)", attempts, DefaultMaxAttempts)
	}
	timeout := DefaultTimeout
	if c.Timeout != nil {
		timeout = *c.Timeout
		if timeout <= 0 {
			bad("timeout %s must be positive, e.g. 60s", timeout)
		}
	}
	overlap := DefaultOverlap
	if c.Overlap != nil {
		overlap = *c.Overlap
		if overlap < time.Second || overlap > time.Hour || overlap%time.Second != 0 {
			bad("overlap %s is out of range: use whole seconds from 1s to 1h (default 1s)", overlap)
		}
	}
	exps := exponents(defaultExponents())
	for _, cur := range slices.Sorted(maps.Keys(c.CurrencyExponents)) {
		x := c.CurrencyExponents[cur]
		if len(cur) != 3 || strings.ToUpper(cur) != cur || !isLetters(cur) {
			bad("currency_exponents: %q is not an upper-case ISO 4217 code such as USD", cur)
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
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	limiter := opts.Limiter
	switch {
	case limiter == nil && opts.Sleep != nil:
		limiter = newLimiter(rpm, now, opts.Sleep) // an injected clock and its sleep (tests)
	case limiter == nil:
		limiter = newLimiter(rpm, time.Now, nil) // a frozen cfg.Now must never stall the limiter
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	cl := &client{base: base + "/api/v2", key: c.APIKey}
	cl.retry = &httpretry.Client{HTTP: hc, Classify: cl.classify, MaxAttempts: attempts, BaseDelay: time.Second,
		MaxDelay: time.Minute, Sleep: opts.Sleep, Limiter: limiter}
	s := &source{
		name:      cfg.Name,
		client:    cl,
		pageSize:  pageSize,
		overlap:   int64(overlap / time.Second),
		exponents: exps,
		mem:       mem,
		defs:      map[string]*streamDef{},
	}
	for _, o := range objects {
		s.order = append(s.order, o)
		s.defs[o] = defs[o]
	}
	return s, nil
}

// newLimiter spaces requests to rpm a minute with bursts of a twelfth of it, so that no
// fixed minute (Chargebee counts per minute) sees more than 13/12 of rpm.
func newLimiter(rpm int, now func() time.Time, sleep func(context.Context, time.Duration) error) *httpretry.Limiter {
	burst := max(1, rpm/12)
	return httpretry.NewLimiterClock(burst, time.Minute*time.Duration(burst)/time.Duration(rpm), now, sleep)
}

func intOr(p *int, dflt int) int {
	if p == nil {
		return dflt
	}
	return *p
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// source is a configured Chargebee site.
type source struct {
	name      string
	client    *client
	pageSize  int
	overlap   int64 // seconds
	exponents exponents
	mem       memory.Allocator
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

// Read emits the stream's records changed since from, oldest change first, one page per batch.
// See doc.go.
func (s *source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	def, ok := s.defs[stream]
	if !ok {
		return fmt.Errorf("chargebee source %s: unknown stream %q (configured: %s)", s.name, stream, strings.Join(slices.Sorted(maps.Keys(s.defs)), ", "))
	}
	cur, err := decodeCursor(from)
	if err != nil {
		return fmt.Errorf("chargebee source %s: stream %s: %w", s.name, stream, err)
	}
	r := &reader{src: s, def: def, emit: emit}
	if err := r.run(ctx, cur); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return ctx.Err()
		}
		if r.emitErr != nil && errors.Is(err, r.emitErr) {
			return r.emitErr
		}
		return fmt.Errorf("chargebee source %s: stream %s: %w", s.name, stream, err)
	}
	return nil
}
