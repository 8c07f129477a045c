package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/httpretry"
)

// Options are the dependencies of a Source that do not come from its configuration; the zero
// value is ready for production (tests inject an allocator, an HTTP client and a sleeper).
type Options struct {
	// Allocator allocates Arrow memory (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// HTTPClient sends requests (default: a client with the configured timeout).
	HTTPClient *http.Client
	// Sleep waits between retries and Bulk polls (default: a timer honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	// BaseDelay and MaxDelay bound the retry backoff (defaults 500 ms and 60 s).
	BaseDelay, MaxDelay time.Duration
	// Logger receives progress and retry logs; credentials are never logged (default: none).
	Logger *slog.Logger
}

// Source reads Salesforce objects, one stream per object. It is safe for concurrent Reads of
// different streams; they share one session (access token).
type Source struct {
	name    string
	set     *settings
	opts    Options
	mem     memory.Allocator
	httpc   *http.Client
	limiter *httpretry.Limiter
	log     *slog.Logger
	now     func() time.Time
	exclude map[string][]string // by lower-case object name

	streams []streamSpec
	byName  map[string]streamSpec

	sess    session
	usageMu sync.Mutex
	used    int
	max     int
}

// streamSpec is one configured object.
type streamSpec struct {
	name    string
	object  string
	deleted bool // the stream declares is_deleted
}

// New builds a Salesforce source from its configuration block; it is an extract.Factory. It
// validates the whole configuration (reporting every problem, each naming its key) and does
// no I/O.
func New(cfg extract.Config) (extract.Source, error) {
	s, err := NewWithOptions(cfg, Options{})
	if err != nil {
		return nil, err
	}
	return s, nil
}

var _ extract.Factory = New

// NewWithOptions is New with injected dependencies.
func NewWithOptions(cfg extract.Config, opts Options) (*Source, error) {
	if cfg.Decode == nil {
		return nil, fmt.Errorf("salesforce source %s: no configuration decoder", cfg.Name)
	}
	var c Config
	if err := cfg.Decode(&c); err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", cfg.Name, err)
	}
	set, err := c.validate()
	exclude, exErr := c.validateExcludes(set)
	if err = errors.Join(err, exErr); err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", cfg.Name, err)
	}
	s := &Source{name: cfg.Name, set: set, opts: opts, mem: opts.Allocator, httpc: opts.HTTPClient,
		limiter: newLimiter(set.rps), log: opts.Logger, now: cfg.Now, exclude: exclude, byName: map[string]streamSpec{}}
	if s.mem == nil {
		s.mem = memory.DefaultAllocator
	}
	if s.httpc == nil {
		s.httpc = &http.Client{Timeout: set.timeout}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.log = s.log.With("source", cfg.Name)
	if s.now == nil {
		s.now = time.Now
	}
	for _, o := range set.objects {
		sp := streamSpec{name: streamName(o), object: o, deleted: !noIsDeleted(o)}
		s.streams = append(s.streams, sp)
		s.byName[sp.name] = sp
	}
	return s, nil
}

// validateExcludes checks exclude_fields against the configured objects.
func (c Config) validateExcludes(set *settings) (map[string][]string, error) {
	out := map[string][]string{}
	if set == nil {
		return out, nil
	}
	var errs []error
	known := map[string]bool{}
	for _, o := range set.objects {
		known[strings.ToLower(o)] = true
	}
	for obj, fields := range c.ExcludeFields {
		if !known[strings.ToLower(obj)] {
			errs = append(errs, fmt.Errorf("exclude_fields: %s is not one of the objects extracted", obj))
			continue
		}
		for _, f := range fields {
			switch f {
			case "Id", "IsDeleted", "SystemModstamp", "LastModifiedDate", "CreatedDate":
				errs = append(errs, fmt.Errorf("exclude_fields: %s.%s is needed to read incrementally and cannot be excluded", obj, f))
			}
		}
		out[strings.ToLower(obj)] = fields
	}
	return out, errors.Join(errs...)
}

// Streams lists one stream per configured object, named in snake_case (OpportunityLineItem →
// opportunity_line_item), keyed on id, with cursor field system_modstamp and, for objects with
// IsDeleted, the deleted field is_deleted. Schemas come from describe at read time.
func (s *Source) Streams() []extract.Stream {
	out := make([]extract.Stream, len(s.streams))
	for i, sp := range s.streams {
		out[i] = extract.Stream{Name: sp.name, PrimaryKey: []string{"id"}, CursorField: "system_modstamp"}
		if sp.deleted {
			out[i].DeletedField = "is_deleted"
		}
	}
	return out
}

// Read emits the records of one object changed since from (all of them when from is nil). See
// the package documentation for the windows, the cursor and the errors that stop a read.
func (s *Source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	sp, ok := s.byName[stream]
	if !ok {
		return fmt.Errorf("salesforce source %s: unknown stream %q", s.name, stream)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := decodeState(from, sp.object)
	if err != nil {
		return fmt.Errorf("salesforce source %s: stream %s: saved cursor is not valid (%w): run a full refresh of the stream", s.name, stream, err)
	}
	r := &reader{src: s, spec: sp, from: st, emitFn: emit, api: s.newAPI(), log: s.log.With("stream", stream)}
	if s.set.mode == ModeFiles {
		err = r.runFiles(ctx)
	} else {
		err = r.run(ctx)
	}
	switch {
	case r.emitErr != nil:
		return r.emitErr
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("salesforce source %s: stream %s: %w", s.name, stream, err)
	}
	return nil
}
