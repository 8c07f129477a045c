package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/httpretry"
)

// New builds a HubSpot source from its configuration block. It validates everything and does no
// network I/O.
func New(cfg extract.Config) (extract.Source, error) {
	if cfg.Decode == nil {
		return nil, fmt.Errorf("hubspot source %s: no configuration decoder", cfg.Name)
	}
	var c config
	if err := cfg.Decode(&c); err != nil {
		return nil, fmt.Errorf("hubspot source %s: %w", cfg.Name, err)
	}
	set, err := validate(cfg.Name, c)
	if err != nil {
		return nil, err
	}
	s := &source{name: cfg.Name, cfg: set, now: cfg.Now, clock: time.Now, sleep: httpretry.Sleep,
		mem: memory.DefaultAllocator, http: &http.Client{Timeout: set.timeout}, batchRows: defaultBatchRows}
	if s.now == nil {
		s.now = time.Now
	}
	s.api = s.newClient()
	return s, nil
}

// The constructor is a Factory.
var _ extract.Factory = New

// source is the HubSpot source. Its fields are read-only after New (tests replace clock, sleep,
// mem and batchRows before the first Read); Read may run concurrently for different streams.
type source struct {
	name string
	cfg  *settings
	// now is the configuration's clock: windows end at now minus index_lag. It may stand still
	// (a demo's as-of date).
	now func() time.Time
	// clock and sleep pace requests (the limiters, backoff): the wall clock and a timer.
	clock func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	mem   memory.Allocator
	http  *http.Client
	api   *client
	// batchRows is how many rows of CRM object pages a batch gathers (1: a batch per page).
	batchRows int
}

// newClient builds the API client: every request waits on a limiter of requests_per_second
// (bucket of one, so at most 10·n+1 requests in any ten seconds), searches on one of
// search_requests_per_second (at most n+1 in any second). Both run on the source's clock.
func (s *source) newClient() *client {
	sleep := func(ctx context.Context, d time.Duration) error { return s.sleep(ctx, d) }
	clock := func() time.Time { return s.clock() }
	var general *httpretry.Limiter // requests_per_second 0: no client-side pacing
	if s.cfg.rps > 0 {
		general = httpretry.NewLimiterClock(1, time.Second/time.Duration(s.cfg.rps), clock, sleep)
	}
	search := httpretry.NewLimiterClock(1, time.Second/time.Duration(s.cfg.searchRPS), clock, sleep)
	mk := func(l *httpretry.Limiter) *httpretry.Client {
		return &httpretry.Client{HTTP: s.http, Classify: classify, Sleep: sleep, Limiter: l}
	}
	c := &client{base: s.cfg.base, token: s.cfg.token, hc: mk(general), searchHC: mk(search)}
	if s.cfg.oauth != nil {
		// Token requests go through no limiter: OAuth grants do not count against the API limits.
		tokenHC := &httpretry.Client{HTTP: s.http, Classify: classifyToken, Sleep: sleep}
		c.oauth = newOAuthSession(s.cfg.base, s.cfg.oauth, tokenHC, clock)
	}
	return c
}

// Streams lists the configured streams.
func (s *source) Streams() []extract.Stream {
	out := make([]extract.Stream, 0, len(s.cfg.streams))
	for _, name := range s.cfg.streams {
		cols, key := tableOf(name, s.cfg)
		st := extract.Stream{Name: name, Schema: schemaOf(cols, key), PrimaryKey: slices.Clone(key)}
		switch name {
		case streamOwners, streamPipelineStages:
			st.Replace = true
		case streamStageHistory, streamPropertyHistory:
			st.CursorField = "deal_updated_at"
		default:
			st.CursorField, st.DeletedField = "updated_at", "archived"
		}
		out = append(out, st)
	}
	return out
}

// tableOf returns a stream's columns and primary key.
func tableOf(name string, cfg *settings) ([]column, []string) {
	switch name {
	case streamOwners:
		return ownerColumns(), []string{"id"}
	case streamPipelineStages:
		return stageColumns(), []string{"pipeline_id", "stage_id"}
	}
	spec := objectSpecOf(name, cfg)
	return spec.columns, spec.key
}

// objectSpecOf describes a CRM object stream.
func objectSpecOf(name string, cfg *settings) objectSpec {
	switch name {
	case streamCompanies:
		return objectSpec{objects: []string{"companies"}, columns: companyColumns(), key: []string{"id"}}
	case streamContacts:
		return objectSpec{objects: []string{"contacts"}, columns: contactColumns(), key: []string{"id"}}
	case streamDeals:
		return objectSpec{objects: []string{"deals"}, columns: dealColumns(), key: []string{"id"}}
	case streamEngagements:
		return objectSpec{objects: slices.Clone(cfg.engagementTypes), columns: engagementColumns(), key: []string{"engagement_type", "id"}}
	case streamStageHistory:
		return objectSpec{objects: []string{"deals"}, columns: historyColumns(), key: []string{"deal_id", "changed_at", "stage"},
			history: true, historyProps: []string{"dealstage"}}
	case streamPropertyHistory:
		return objectSpec{objects: []string{"deals"}, columns: propertyHistoryColumns(), key: []string{"deal_id", "property", "changed_at"},
			history: true, historyProps: dealHistoryProps(), byProperty: true}
	}
	return objectSpec{}
}

// Read emits the batches of one stream after from.
func (s *source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	if !slices.Contains(s.cfg.streams, stream) {
		return fmt.Errorf("hubspot source %s: unknown stream %q (configured: %v)", s.name, stream, s.cfg.streams)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// emit's error is returned unchanged; any other failure after ctx ended is ctx.Err().
	var emitErr error
	tracked := func(ctx context.Context, b extract.Batch) error {
		emitErr = emit(ctx, b)
		return emitErr
	}
	var err error
	switch stream {
	case streamOwners:
		err = s.readOwners(ctx, tracked)
	case streamPipelineStages:
		err = s.readPipelines(ctx, tracked)
	default:
		err = s.readObjects(ctx, stream, from, tracked)
	}
	switch {
	case err == nil:
		return nil
	case emitErr != nil && errors.Is(err, emitErr):
		return emitErr
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("hubspot source %s: stream %s: %w", s.name, stream, err)
}

// emitRecords emits a batch, passing the records' ownership to emit.
func emitRecords(ctx context.Context, emit func(context.Context, extract.Batch) error, rec arrow.RecordBatch, cur extract.Cursor, final bool) error {
	return emit(ctx, extract.Batch{Records: rec, Cursor: cur, Final: final})
}
