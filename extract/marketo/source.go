package marketo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// Stream names.
const (
	Leads         = "leads"
	Activities    = "activities"
	ActivityTypes = "activity_types"
	LeadLifecycle = "lead_lifecycle"
)

// AllStreams lists every stream, in the default order.
func AllStreams() []string { return []string{ActivityTypes, Leads, Activities, LeadLifecycle} }

// Defaults of the configuration.
const (
	// DefaultRequestsPer20s stays under Marketo's 100 calls per 20 s, which every API user of
	// the subscription shares.
	DefaultRequestsPer20s = 80
	// DefaultMaxConcurrency stays under Marketo's 10 concurrent calls, shared likewise.
	DefaultMaxConcurrency  = 5
	DefaultBatchSize       = 300
	DefaultDailyQuota      = 50000
	DefaultQuotaStop       = 0.8
	DefaultLookback        = 24 * time.Hour
	DefaultMaxExportDays   = 31
	DefaultStartDate       = "2006-01-01"
	DefaultUseBulk         = "auto"
	defaultLeadStatusField = "Lead Status"
	defaultScoreField      = "Lead Score"
)

// Bulk export timings.
const (
	pollFirst     = 5 * time.Second  // the first status poll after enqueue
	pollMax       = 60 * time.Second // polls slow down to this
	maxPollWait   = 6 * time.Hour    // a job not done by then fails the read
	queueWait     = 30 * time.Second // wait before enqueueing again on a full queue (1029)
	maxQueueWaits = 120              // one hour of a full queue fails the read
	maxRecreate   = 3                // exports re-created when a Completed file is missing
	downloadChunk = 8 << 20          // bytes per ranged file request
	maxBatchRows  = 5000             // rows per emitted batch of a bulk window or of activity pages
)

// config is the source's YAML block.
type config struct {
	BaseURL                string         `yaml:"base_url,required"`
	ClientID               yamlx.Secret   `yaml:"client_id,required"`
	ClientSecret           yamlx.Secret   `yaml:"client_secret,required"`
	Streams                []string       `yaml:"streams"`
	ActivityTypeIDs        []int          `yaml:"activity_type_ids"`
	LeadFields             []string       `yaml:"lead_fields"`
	BatchSize              *int           `yaml:"batch_size"`
	RequestsPer20s         *int           `yaml:"requests_per_20s"`
	MaxConcurrency         *int           `yaml:"max_concurrency"`
	DailyQuota             *int           `yaml:"daily_quota"`
	DailyQuotaStopFraction *float64       `yaml:"daily_quota_stop_fraction"`
	StartDate              string         `yaml:"start_date"`
	Lookback               *time.Duration `yaml:"lookback"`
	UseBulk                string         `yaml:"use_bulk"`
	MaxExportDays          *int           `yaml:"max_export_days"`
	Timeout                *time.Duration `yaml:"timeout"`
	MaxAttempts            *int           `yaml:"max_attempts"`
	MQL                    mqlConfig      `yaml:"mql"`
}

// mqlConfig is the mql block: which lifecycle changes mark a lead marketing-qualified.
type mqlConfig struct {
	LeadStatusField  string   `yaml:"lead_status_field"`
	LeadStatusValues []string `yaml:"lead_status_values"`
	ProgramStatuses  []string `yaml:"program_statuses"`
	RevenueStages    []string `yaml:"revenue_stages"`
	ScoreField       string   `yaml:"score_field"`
	ScoreThreshold   *int64   `yaml:"score_threshold"`
}

// mqlRules are the validated mql settings (values compared case-insensitively).
type mqlRules struct {
	statusField     string
	statusValues    []string
	programStatuses []string
	revenueStages   []string
	scoreField      string
	scoreThreshold  int64
}

// Options are what a configuration file cannot carry: tests and the demo set them.
type Options struct {
	// HTTP sends the requests (nil: a client with the configured timeout).
	HTTP *http.Client
	// Sleep replaces every wait — retry backoff, bulk status polls, a full export queue (tests
	// make it instant, or advance a fake clock).
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter replaces the limiter built from requests_per_20s.
	Limiter *httpretry.Limiter
	// Allocator allocates the Arrow memory of emitted batches (nil: memory.DefaultAllocator).
	Allocator memory.Allocator
}

// New builds a Marketo source from its configuration block: an extract.Factory. It validates
// everything and does no I/O.
func New(cfg extract.Config) (extract.Source, error) { return NewWith(Options{})(cfg) }

// The constructor is a Factory.
var _ extract.Factory = New

// NewWith returns a Factory that builds sources with opts.
func NewWith(opts Options) extract.Factory {
	return func(cfg extract.Config) (extract.Source, error) {
		if cfg.Decode == nil {
			return nil, fmt.Errorf("marketo source %s: no configuration decoder", cfg.Name)
		}
		var c config
		if err := cfg.Decode(&c); err != nil {
			return nil, fmt.Errorf("marketo source %s: %w", cfg.Name, err)
		}
		s, err := build(cfg, c, opts)
		if err != nil {
			return nil, fmt.Errorf("marketo source %s: %w", cfg.Name, err)
		}
		return s, nil
	}
}

// validFieldName reports whether s looks like a REST field name (a letter, then letters, digits
// or underscores).
func validFieldName(s string) bool {
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '_' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return s != ""
}

// build validates c and assembles the source, reporting every problem at once.
func build(cfg extract.Config, c config, opts Options) (*source, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	base := strings.TrimSuffix(c.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		(u.Path != "" && u.Path != "/") || !(u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname()))) {
		bad("base_url %q is not the REST host: use https://{munchkin id}.mktorest.com (Admin > Integration > Web Services), "+
			"without /rest or /identity; http is accepted only on a loopback host (a fake)", c.BaseURL)
	}
	for _, cred := range []struct {
		key string
		val yamlx.Secret
	}{{"client_id", c.ClientID}, {"client_secret", c.ClientSecret}} {
		switch v := cred.val.Reveal(); {
		case v == "":
			bad("%s is empty: copy it from Admin > Integration > LaunchPoint > View Details, e.g. %s: ${MARKETO_%s}",
				cred.key, cred.key, strings.ToUpper(cred.key))
		case strings.ContainsAny(v, " \t\r\n"):
			bad("%s contains white space", cred.key)
		}
	}

	streams := c.Streams
	if len(streams) == 0 {
		streams = AllStreams()
	}
	seen := map[string]bool{}
	for _, st := range streams {
		switch {
		case !slices.Contains(AllStreams(), st):
			bad("streams: unknown stream %q (known: %s)%s", st, strings.Join(AllStreams(), ", "), yamlx.DidYouMean(st, AllStreams()))
		case seen[st]:
			bad("streams: %q is listed twice", st)
		}
		seen[st] = true
	}
	seenIDs := map[int]bool{}
	for _, id := range c.ActivityTypeIDs {
		switch {
		case id <= 0:
			bad("activity_type_ids: %d is not an activity type id (GET /rest/v1/activities/types.json lists them)", id)
		case seenIDs[id]:
			bad("activity_type_ids: %d is listed twice", id)
		}
		seenIDs[id] = true
	}
	seenFields := map[string]bool{}
	for _, f := range c.LeadFields {
		switch {
		case !validFieldName(f):
			bad("lead_fields: %q is not a lead field's REST name such as leadStatus", f)
		case seenFields[strings.ToLower(f)]:
			bad("lead_fields: %q is listed twice", f)
		}
		seenFields[strings.ToLower(f)] = true
	}

	batch := intOr(c.BatchSize, DefaultBatchSize)
	if batch < 1 || batch > 300 {
		bad("batch_size %d is out of range: Marketo returns 1 to 300 records per call", batch)
	}
	rate := intOr(c.RequestsPer20s, DefaultRequestsPer20s)
	if rate < 0 || rate > 100 {
		bad("requests_per_20s %d is out of range: use 1 to 100 (Marketo allows 100 calls per 20 s for all API users together; default %d), "+
			"or 0 for no client-side pacing", rate, DefaultRequestsPer20s)
	}
	conc := intOr(c.MaxConcurrency, DefaultMaxConcurrency)
	if conc < 1 || conc > 10 {
		bad("max_concurrency %d is out of range: use 1 to 10 (Marketo allows 10 concurrent calls per subscription)", conc)
	}
	quota := intOr(c.DailyQuota, DefaultDailyQuota)
	if quota < 1 {
		bad("daily_quota %d must be positive: the subscription's daily API calls (50,000 unless you bought more)", quota)
	}
	fraction := DefaultQuotaStop
	if c.DailyQuotaStopFraction != nil {
		fraction = *c.DailyQuotaStopFraction
		if fraction < 0 || fraction > 1 {
			bad("daily_quota_stop_fraction %g is out of range: use 0 (never stop early) to 1, e.g. 0.8", fraction)
		}
	}
	startText := c.StartDate
	if startText == "" {
		startText = DefaultStartDate
	}
	start, err := parseStart(startText)
	switch {
	case err != nil:
		bad("start_date %q is not a date (2024-01-31) or an RFC 3339 time (2024-01-31T00:00:00Z)", startText)
	case start.After(now()):
		bad("start_date %s is in the future", startText)
	}
	lookback := DefaultLookback
	if c.Lookback != nil {
		lookback = *c.Lookback
		if lookback < 0 || lookback > 30*24*time.Hour {
			bad("lookback %s is out of range: use 0 to 720h (default 24h, tap-marketo's attribution window)", lookback)
		}
	}
	useBulk := c.UseBulk
	if useBulk == "" {
		useBulk = DefaultUseBulk
	}
	if useBulk != "auto" && useBulk != "always" && useBulk != "never" {
		bad("use_bulk %q must be auto, always or never", useBulk)
	}
	days := intOr(c.MaxExportDays, DefaultMaxExportDays)
	if days < 1 || days > 31 {
		bad("max_export_days %d is out of range: a bulk export window spans 1 to 31 days", days)
	}
	timeout := 60 * time.Second
	if c.Timeout != nil {
		timeout = *c.Timeout
		if timeout <= 0 {
			bad("timeout %s must be positive, e.g. 60s", timeout)
		}
	}
	attempts := intOr(c.MaxAttempts, 10)
	if attempts < 1 || attempts > 20 {
		bad("max_attempts %d is out of range: use 1 to 20", attempts)
	}
	rules, ruleErrs := mqlOf(c.MQL)
	errs = append(errs, ruleErrs...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	limiter := opts.Limiter
	if limiter == nil && rate > 0 { // 0: no client-side pacing (Marketo's 606 answers are backed off)
		limiter = newLimiter(rate, nil, nil)
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = httpretry.Sleep
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &source{
		name: cfg.Name,
		client: &client{base: base, id: c.ClientID, secret: c.ClientSecret, now: now, sleep: sleep,
			sem: make(chan struct{}, conc), quota: quota, fraction: fraction,
			retry: httpretry.Client{HTTP: hc, Classify: classify, MaxAttempts: attempts, BaseDelay: time.Second,
				MaxDelay: 30 * time.Second, Sleep: sleep, Limiter: limiter}},
		streams:   streams,
		typeIDs:   slices.Clone(c.ActivityTypeIDs),
		fields:    slices.Clone(c.LeadFields),
		batch:     batch,
		start:     start,
		lookback:  lookback,
		useBulk:   useBulk,
		days:      days,
		mql:       rules,
		now:       now,
		sleep:     sleep,
		mem:       mem,
		chunk:     downloadChunk,
		batchRows: maxBatchRows,
	}
	return s, nil
}

// mqlOf validates the mql block and fills in its defaults.
func mqlOf(c mqlConfig) (mqlRules, []error) {
	var errs []error
	r := mqlRules{statusField: c.LeadStatusField, statusValues: c.LeadStatusValues, programStatuses: c.ProgramStatuses,
		revenueStages: c.RevenueStages, scoreField: c.ScoreField}
	if r.statusField == "" {
		r.statusField = defaultLeadStatusField
	}
	if r.scoreField == "" {
		r.scoreField = defaultScoreField
	}
	if c.LeadStatusValues == nil {
		r.statusValues = []string{"MQL", "Marketing Qualified", "Marketing Qualified Lead"}
	}
	if c.RevenueStages == nil {
		r.revenueStages = []string{"MQL"}
	}
	if c.ScoreThreshold != nil {
		r.scoreThreshold = *c.ScoreThreshold
		if r.scoreThreshold < 0 {
			errs = append(errs, fmt.Errorf("mql.score_threshold %d must be 0 (off) or positive", r.scoreThreshold))
		}
	}
	for key, list := range map[string][]string{"lead_status_values": r.statusValues, "program_statuses": r.programStatuses, "revenue_stages": r.revenueStages} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				errs = append(errs, fmt.Errorf("mql.%s: a value is blank", key))
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return r, errs
}

func parseStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC().Truncate(time.Second), err
}

// newLimiter spaces requests at rate per 20 s in bursts of a fifth of it, so that any 20 s
// holds at most 1.2 × rate requests (96 at the default 80, under Marketo's 100). now and sleep
// replace the wall clock (nil keeps it).
func newLimiter(rate int, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) *httpretry.Limiter {
	burst := max(1, rate/5)
	return httpretry.NewLimiterClock(burst, 20*time.Second*time.Duration(burst)/time.Duration(rate), now, sleep)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func intOr(p *int, dflt int) int {
	if p == nil {
		return dflt
	}
	return *p
}

// source is a configured Marketo subscription.
type source struct {
	name     string
	client   *client
	streams  []string
	typeIDs  []int
	fields   []string
	batch    int
	start    time.Time
	lookback time.Duration
	useBulk  string
	days     int
	mql      mqlRules
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	mem      memory.Allocator
	chunk    int64 // bytes per ranged download request
	// batchRows: the rows of activity pages are emitted together once they reach this many.
	batchRows int
}

// Streams lists the configured streams. The leads schema comes from describe at read time, so
// it is nil here.
func (s *source) Streams() []extract.Stream {
	out := make([]extract.Stream, 0, len(s.streams))
	for _, name := range s.streams {
		switch name {
		case Leads:
			out = append(out, extract.Stream{Name: Leads, PrimaryKey: []string{"id"}, CursorField: "updated_at", DeletedField: "deleted"})
		case Activities:
			out = append(out, extract.Stream{Name: Activities, Schema: schemaOf(activityColumns(), "marketo_guid"),
				PrimaryKey: []string{"marketo_guid"}, CursorField: "activity_date"})
		case ActivityTypes:
			out = append(out, extract.Stream{Name: ActivityTypes, Schema: schemaOf(typeColumns(), "id"), PrimaryKey: []string{"id"}, Replace: true})
		case LeadLifecycle:
			out = append(out, extract.Stream{Name: LeadLifecycle, Schema: schemaOf(lifecycleColumns(), "marketo_guid"),
				PrimaryKey: []string{"marketo_guid"}, CursorField: "changed_at"})
		}
	}
	return out
}

// Read emits the stream's rows after from. See doc.go for each stream's strategy and cursor.
func (s *source) Read(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	if !slices.Contains(s.streams, stream) {
		return fmt.Errorf("marketo source %s: unknown stream %q (configured: %s)", s.name, stream, strings.Join(s.streams, ", "))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var emitErr error
	wrapped := func(ctx context.Context, b extract.Batch) error {
		if err := emit(ctx, b); err != nil {
			emitErr = err
			return err
		}
		return nil
	}
	var err error
	switch stream {
	case Leads:
		err = s.readLeads(ctx, from, wrapped)
	case Activities:
		err = s.readActivities(ctx, from, wrapped)
	case ActivityTypes:
		err = s.readActivityTypes(ctx, wrapped)
	case LeadLifecycle:
		err = s.readLifecycle(ctx, from, wrapped)
	}
	switch {
	case err == nil && ctx.Err() != nil:
		return ctx.Err() // canceled during the last emit
	case err == nil:
		return nil
	case emitErr != nil && errors.Is(err, emitErr):
		return emitErr
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ctx.Err()
	}
	return fmt.Errorf("marketo source %s: stream %s: %w", s.name, stream, err)
}

// emitRows builds a record batch of rows and emits it with cur; the receiver owns the batch.
func (s *source) emitRows(ctx context.Context, emit func(context.Context, extract.Batch) error, schema *arrow.Schema,
	cols []column, rows []row, cur extract.Cursor, final bool) error {
	rec, err := buildRecord(s.mem, schema, cols, rows)
	if err != nil {
		return err
	}
	return emit(ctx, extract.Batch{Records: rec, Cursor: cur, Final: final})
}
