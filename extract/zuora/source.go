package zuora

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// Defaults of the configuration.
const (
	DefaultBaseURL = "https://rest.zuora.com"
	// DefaultBatchSize is Zuora's maximum page of a ZOQL query.
	DefaultBatchSize = 2000
	// DefaultRequestsPerMinute leaves most of a tenant's 50,000 API requests per minute to
	// the tenant's other integrations.
	DefaultRequestsPerMinute = 1000
	DefaultTimeout           = 120 * time.Second
	DefaultMaxAttempts       = 8
	DefaultLookback          = 10 * time.Minute
)

// maxWindow bounds the UpdatedDate range of one query of an incremental read, so that a read
// after a long pause commits its progress window by window.
const maxWindow = 30 * 24 * time.Hour

// config is the source's YAML block.
type config struct {
	BaseURL           string              `yaml:"base_url"`
	ClientID          string              `yaml:"client_id,required"`
	ClientSecret      yamlx.Secret        `yaml:"client_secret,required"`
	EntityID          string              `yaml:"entity_id"`
	Objects           []string            `yaml:"objects"`
	Replace           []string            `yaml:"replace"`
	BatchSize         *int                `yaml:"batch_size"`
	RequestsPerMinute *int                `yaml:"requests_per_minute"`
	Timeout           *time.Duration      `yaml:"timeout"`
	MaxAttempts       *int                `yaml:"max_attempts"`
	Lookback          *time.Duration      `yaml:"lookback"`
	ExtraFields       map[string][]string `yaml:"extra_fields"`
}

// Options are what a configuration file cannot carry: tests and the demo set them.
type Options struct {
	// HTTP sends the requests (nil: a client with the configured timeout).
	HTTP *http.Client
	// Sleep replaces the retry backoff's waiting (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter replaces the limiter built from requests_per_minute.
	Limiter *httpretry.Limiter
	// Allocator allocates the Arrow memory of emitted batches (nil: memory.DefaultAllocator).
	Allocator memory.Allocator
	// Logger receives debug and warning logs (nil: discarded). Secrets are never logged.
	Logger *slog.Logger
}

// New builds a Zuora source from its configuration block: an extract.Factory. It validates
// everything and does no I/O.
func New(cfg extract.Config) (extract.Source, error) { return NewWith(Options{})(cfg) }

// The constructor is a Factory.
var _ extract.Factory = New

// NewWith returns a Factory that builds sources with opts.
func NewWith(opts Options) extract.Factory {
	return func(cfg extract.Config) (extract.Source, error) {
		if cfg.Decode == nil {
			return nil, fmt.Errorf("zuora source %s: no configuration decoder", cfg.Name)
		}
		var c config
		if err := cfg.Decode(&c); err != nil {
			return nil, fmt.Errorf("zuora source %s: %w", cfg.Name, err)
		}
		s, err := build(cfg, c, opts)
		if err != nil {
			return nil, fmt.Errorf("zuora source %s: %w", cfg.Name, err)
		}
		return s, nil
	}
}

var fieldNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// build validates c and assembles the source, reporting every problem at once.
func build(cfg extract.Config, c config, opts Options) (*source, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		bad("base_url %q is not your tenant's REST endpoint: use an http(s) URL without a path, e.g. "+
			"https://rest.zuora.com (US), https://rest.eu.zuora.com (EU) or https://rest.apisandbox.zuora.com (sandbox)", base)
	}
	base = strings.TrimSuffix(base, "/")

	switch id := c.ClientID; {
	case id == "":
		bad("client_id is empty: create an OAuth client for an API user in Zuora (Settings > Administration > " +
			"Manage Users > the user > OAuth Clients) and set client_id: ${ZUORA_CLIENT_ID}")
	case strings.ContainsAny(id, " \t\r\n"):
		bad("client_id contains white space")
	}
	switch secret := c.ClientSecret.Reveal(); {
	case secret == "":
		bad("client_secret is empty: set it to the OAuth client's secret, e.g. client_secret: ${ZUORA_CLIENT_SECRET}")
	case strings.ContainsAny(secret, " \t\r\n"):
		bad("client_secret contains white space")
	}
	if strings.ContainsAny(c.EntityID, " \t\r\n") {
		bad("entity_id contains white space: set the Zuora-Entity-Ids of the entity to read (multi-entity tenants only)")
	}

	defs := definitions()
	known := strings.Join(AllStreams(), ", ")
	objects := c.Objects
	if len(objects) == 0 {
		objects = AllStreams()
	}
	seen := map[string]bool{}
	for _, o := range objects {
		switch {
		case defs[o] == nil:
			bad("objects: unknown stream %q (known: %s)%s", o, known, yamlx.DidYouMean(o, AllStreams()))
		case seen[o]:
			bad("objects: %q is listed twice", o)
		}
		seen[o] = true
	}
	replace := map[string]bool{}
	for _, o := range catalogStreams() {
		replace[o] = true
	}
	for _, o := range c.Replace {
		switch {
		case defs[o] == nil:
			bad("replace: unknown stream %q (known: %s)%s", o, known, yamlx.DidYouMean(o, AllStreams()))
		case !seen[o]:
			bad("replace: %q is not among the configured objects; add it to objects or drop it here", o)
		}
		replace[o] = true
	}
	extra := map[string][]string{}
	for _, stream := range slices.Sorted(maps.Keys(c.ExtraFields)) {
		d := defs[stream]
		if d == nil {
			bad("extra_fields: unknown stream %q (known: %s)", stream, known)
			continue
		}
		for _, f := range c.ExtraFields[stream] {
			switch {
			case !fieldNamePattern.MatchString(f):
				bad("extra_fields: %s: %q is not a Zuora field name such as Region__c", stream, f)
			case slices.ContainsFunc(d.fields(), func(k string) bool { return strings.EqualFold(k, f) }):
				bad("extra_fields: %s: %s is already read into a column; list only other fields", stream, f)
			default:
				extra[stream] = append(extra[stream], f)
			}
		}
	}

	batch := intOr(c.BatchSize, DefaultBatchSize)
	if batch < 1 || batch > 2000 {
		bad("batch_size %d is out of range: a ZOQL query returns 1 to 2000 records per page", batch)
	}
	rpm := intOr(c.RequestsPerMinute, DefaultRequestsPerMinute)
	if rpm < 1 || rpm > 50000 {
		bad("requests_per_minute %d is out of range: use 1 to 50000 (a tenant's API limit, shared by its integrations)", rpm)
	}
	attempts := intOr(c.MaxAttempts, DefaultMaxAttempts)
	if attempts < 1 || attempts > 20 {
		bad("max_attempts %d is out of range: use 1 to 20", attempts)
	}
	timeout := DefaultTimeout
	if c.Timeout != nil {
		timeout = *c.Timeout
		if timeout <= 0 {
			bad("timeout %s must be positive, e.g. 120s", timeout)
		}
	}
	lookback := DefaultLookback
	if c.Lookback != nil {
		lookback = *c.Lookback
		if lookback < 0 || lookback > 24*time.Hour {
			bad("lookback %s is out of range: use 0s to 24h (default %s); it re-reads recent changes to catch late commits", lookback, DefaultLookback)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	limiter := opts.Limiter
	if limiter == nil {
		limiter = httpretry.NewLimiter(rpm, time.Minute)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log = log.With("source", cfg.Name)
	s := &source{
		name: cfg.Name,
		client: &client{base: base, clientID: c.ClientID, secret: c.ClientSecret, entity: c.EntityID, now: now, log: log,
			retry: &httpretry.Client{HTTP: hc, Classify: classify, MaxAttempts: attempts, BaseDelay: 500 * time.Millisecond,
				MaxDelay: 30 * time.Second, Sleep: opts.Sleep, Limiter: limiter,
				Retried: func(attempt int, reason string, d time.Duration) {
					log.Debug("zuora retry", "attempt", attempt, "reason", reason, "delay", d)
				}}},
		batch:    batch,
		lookback: lookback,
		now:      now,
		mem:      mem,
		log:      log,
		defs:     map[string]*streamDef{},
		replace:  replace,
		extra:    extra,
		dropped:  map[string]map[string]bool{},
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

// source is a configured Zuora tenant.
type source struct {
	name     string
	client   *client
	batch    int
	lookback time.Duration
	now      func() time.Time
	mem      memory.Allocator
	log      *slog.Logger
	order    []string
	defs     map[string]*streamDef
	replace  map[string]bool
	extra    map[string][]string

	mu sync.Mutex
	// dropped are fields the tenant rejected as invalid (object → lower-case field).
	dropped map[string]map[string]bool
}

// Streams lists the configured streams with their schemas.
func (s *source) Streams() []extract.Stream {
	out := make([]extract.Stream, 0, len(s.order))
	for _, name := range s.order {
		out = append(out, s.defs[name].stream(s.replace[name]))
	}
	return out
}

// selectFields is the select list of a stream: its columns' fields and its extra fields, less
// those the tenant rejected.
func (s *source) selectFields(d *streamDef) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, f := range append(d.fields(), s.extra[d.name]...) {
		if !s.dropped[d.object][strings.ToLower(f)] {
			out = append(out, f)
		}
	}
	return out
}

// drop records that the tenant has no field f on object; false when f is one the stream cannot
// do without (Id, UpdatedDate) or is not in the select list.
func (s *source) drop(d *streamDef, f string) bool {
	lf := strings.ToLower(f)
	if lf == strings.ToLower(fieldID) || lf == strings.ToLower(fieldUpdated) {
		return false
	}
	if !slices.ContainsFunc(s.selectFields(d), func(k string) bool { return strings.ToLower(k) == lf }) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped[d.object] == nil {
		s.dropped[d.object] = map[string]bool{}
	}
	s.dropped[d.object][lf] = true
	return true
}

// Read emits the stream's rows after from (see doc.go).
func (s *source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	d, ok := s.defs[stream]
	if !ok {
		return fmt.Errorf("zuora source %s: unknown stream %q (configured: %s)", s.name, stream, strings.Join(s.order, ", "))
	}
	cur, err := decodeCursor(from, d.object)
	if err != nil {
		return fmt.Errorf("zuora source %s: stream %s: %w", s.name, stream, err)
	}
	r := &reader{src: s, def: d, emitFn: emit, schema: arrowrow.Schema(d.cols), res: newResolver(s)}
	if err := r.run(ctx, cur); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return ctx.Err()
		}
		if r.emitErr != nil && errors.Is(err, r.emitErr) {
			return r.emitErr
		}
		return fmt.Errorf("zuora source %s: stream %s: %w", s.name, stream, err)
	}
	return nil
}
