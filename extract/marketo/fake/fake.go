// Package fake is a stateful, in-memory Marketo (Adobe Marketo Engage) subscription served over
// HTTP, faithful enough that the connector in package marketo runs against it unchanged: every
// absolute URL is built from the fake's own base URL, and identity and REST share one host as on
// https://{munchkin}.mktorest.com. It serves:
//
//   - GET or POST /identity/oauth/token?grant_type=client_credentials&client_id=&client_secret=
//     (query or form): {"access_token","token_type":"bearer","expires_in","scope"}. expires_in is
//     the remaining life of the current token: calling again before expiry returns the same token
//     with less time left; a new token lives Knobs.TokenTTL (3,600 s) on the fake clock. Bad
//     credentials get 401 {"error":"unauthorized","error_description":"Bad client credentials"}.
//   - REST under /rest/v1/ with "Authorization: Bearer <token>" only (an access_token query
//     parameter is ignored, as Marketo removed it):
//     leads/describe.json (fields with rest.name, dataType, length); leads.json (filterType on
//     id, email or another describe field but not createdAt/updatedAt, filterValues ≤ 300,
//     fields, batchSize ≤ 300, a position-based nextPageToken; a POST with _method=GET and the
//     query in a form body is the same call, for URLs over 8 KB, which get 414);
//     activities/types.json; activities/pagingtoken.json?sinceDatetime=; activities.json
//     (nextPageToken, activityTypeIds ≤ 10, batchSize ≤ 300, leadIds): each call scans the next
//     Knobs.ScanSize (300) activities of all types from the token's position and then filters,
//     so a page can be empty while moreResult is true; the returned token is the scan's position
//     (date-based: an activity added later with an earlier activityDate is behind it);
//     activities/deletedleads.json and activities/leadchanges.json (fields required: Change Data
//     Value activities of those fields, and New Lead activities) with the same tokens;
//     stats/usage.json (today's calls, by the US Central day).
//   - Bulk extract under /bulk/v1/{leads|activities}/export/ (no /rest prefix): create.json
//     (leads: fields and one createdAt or updatedAt filter; activities: a createdAt filter and
//     optional activityTypeIds; windows of at most 31 days), {exportId}/enqueue.json,
//     status.json (Created, Queued, Processing, Completed with numberOfRecords, fileSize and a
//     sha256 fileChecksum, Failed, Cancelled), file.json (text/csv with CRLF line ends, Range
//     requests answered 206), cancel.json, and export.json?status= (the jobs of the last 7 days).
//     At most 2 jobs process at once and 10 are queued (1029); the files of a US Central day add
//     up to Knobs.ExportDailyQuotaBytes (500 MB), past which enqueue answers 1029 "Export daily
//     quota exceeded". Jobs advance one step per bulk request (Knobs.BulkProcessingTicks).
//
// Errors come as Marketo sends them: HTTP 200 with {"requestId","success":false,"errors":
// [{"code":"601","message":…}]}, code a string — 600/601/602 (no, invalid, expired token), 603,
// 606 (more than Knobs.RatePer20s (100) calls in 20 s of the fake clock), 607 (the daily quota,
// Knobs.DailyQuota (50,000) calls, reset at midnight US Central), 701/704/1003/1006 (bad input), 610,
// 615 (more than Knobs.MaxConcurrent (10) requests in flight), 1029 and 1035 (the updatedAt lead
// filter when Knobs.NoUpdatedAtFilter). Calls answered 600/601/602/604 do not count against the
// quota, nor do the rejected 606/607/615 ones.
//
// # Test controls
//
// The Go API seeds and mutates the database — AddLead, UpdateLead, DeleteLead, AddActivity,
// ChangeScore, ChangeProgramStatus, ChangeRevenueStage, AddField (schema drift),
// AddActivityType — and reads it back (Truth). Mutations record the activities Marketo records:
// New Lead (12) for a new lead, Change Data Value (13) per changed field, Change Score (22),
// Change Status in Progression (104), Change Revenue Stage (101) and Delete Lead (37, served by
// deletedleads.json only). SetKnobs tunes behaviour (scan size, N empty activity pages in a row,
// limits, bulk quirks such as a Completed export whose file 404s), Script queues error
// responses ("606 then 602 then 607"), OnPage runs a hook before each paged request, SetUsage
// sets today's call count and Occupy fills the bulk queue with other users' jobs.
//
// The Server embeds a fakeapi.Server (/__fake/faults, /__fake/clock, /__fake/tokens/expire,
// /__fake/stats, /__fake/reset). Injected faults use Marketo's envelopes: a rate-limit fault
// answers 606 or 615 (alternately) in a 200 body; a server error answers, in turn, 611 and 608
// in a 200 body, an HTTP 502 page, and 604 in a 200 body. The fake's own admin endpoints are
// under /__fake/marketo/ (see admin.go).
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the quota day is the US Central day, whatever the host's zone database

	"github.com/revops/revops/internal/fakeapi"
)

// Knobs tune the fake; the zero value of each field means its default.
type Knobs struct {
	// TokenTTL is a new access token's life (default 3600 s).
	TokenTTL time.Duration `json:"token_ttl,omitempty"`
	// ScanSize is how many activities (of all types) one activities.json call scans (300).
	ScanSize int `json:"scan_size,omitempty"`
	// EmptyPages makes the next N activities.json calls answer no result with moreResult true
	// and an unchanged token (counted down as served).
	EmptyPages int `json:"empty_pages,omitempty"`
	// RatePer20s is the calls allowed in any 20 s of the fake clock (100; negative: no limit).
	RatePer20s int `json:"rate_per_20s,omitempty"`
	// DailyQuota is the calls allowed per US Central day (50,000).
	DailyQuota int `json:"daily_quota,omitempty"`
	// MaxConcurrent is the requests allowed in flight (10).
	MaxConcurrent int `json:"max_concurrent,omitempty"`
	// MaxURLLength answers 414 to longer request URLs (8,192).
	MaxURLLength int `json:"max_url_length,omitempty"`
	// NoUpdatedAtFilter: the subscription lacks the updatedAt bulk lead filter (1035).
	NoUpdatedAtFilter bool `json:"no_updated_at_filter,omitempty"`
	// BulkProcessingTicks is how many bulk requests a job stays Processing (2).
	BulkProcessingTicks int `json:"bulk_processing_ticks,omitempty"`
	// BulkMaxRunning and BulkMaxQueued are the bulk queue limits (2 and 10).
	BulkMaxRunning int `json:"bulk_max_running,omitempty"`
	BulkMaxQueued  int `json:"bulk_max_queued,omitempty"`
	// ExportDailyQuotaBytes is the bulk file bytes allowed per US Central day (500 MB).
	ExportDailyQuotaBytes int64 `json:"export_daily_quota_bytes,omitempty"`
	// MissingFiles makes the files of the next N exports that complete answer 404 although
	// their status is Completed (counted down as exports complete).
	MissingFiles int `json:"missing_files,omitempty"`
	// CSVNulBytes adds NUL bytes inside the values of bulk CSV files, as real files sometimes
	// carry (with the CRLF line ends they always have).
	CSVNulBytes bool `json:"csv_nul_bytes,omitempty"`
}

func (k Knobs) withDefaults() Knobs {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if k.TokenTTL <= 0 {
		k.TokenTTL = time.Hour
	}
	def(&k.ScanSize, 300)
	def(&k.RatePer20s, 100)
	def(&k.DailyQuota, 50000)
	def(&k.MaxConcurrent, 10)
	def(&k.MaxURLLength, 8192)
	def(&k.BulkProcessingTicks, 2)
	def(&k.BulkMaxRunning, 2)
	def(&k.BulkMaxQueued, 10)
	if k.ExportDailyQuotaBytes <= 0 {
		k.ExportDailyQuotaBytes = 500 << 20
	}
	return k
}

// Options configure a fake subscription.
type Options struct {
	// Clock drives stamps, tokens, limits and quotas; nil means a clock at 2025-06-01T00:00:00Z.
	Clock *fakeapi.Clock
	// ClientID and ClientSecret are the API user's credentials (default "revops-client" and
	// "revops-secret").
	ClientID, ClientSecret string
	// Scope is the token's scope (default "apis@revops.example").
	Scope string
	Knobs Knobs
}

// Scripted is an error answer for the next API requests whose path contains Path ("" matches
// every REST and bulk request; the identity endpoint is never scripted).
type Scripted struct {
	Path string `json:"path"`
	// Code is the Marketo error code answered in a 200 body (e.g. "606"); with HTTPStatus set
	// instead, that HTTP status is answered with a small HTML page (e.g. 502).
	Code       string `json:"code"`
	Message    string `json:"message,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	// Times is how many requests get this answer (default 1).
	Times int `json:"times,omitempty"`
}

// PageEvent describes a paged request about to be served, for OnPage hooks.
type PageEvent struct {
	// Path is the request path, e.g. /rest/v1/activities.json.
	Path string
	// Page counts the requests to Path that carry a nextPageToken, this one included.
	Page int
	// Token is the request's nextPageToken.
	Token string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	opts    Options
	central *time.Location

	mu       sync.Mutex
	knobs    Knobs
	st       *store
	token    string
	tokenExp time.Time
	inflight int
	calls    []time.Time    // counted calls of the last 20 s
	usage    map[string]int // US Central date → counted calls
	scripts  []*Scripted
	onPage   func(PageEvent)
	pages    map[string]int
	requests uint64
	faultSeq [2]int
	bulk     *bulkState
	errCount map[string]int // error codes answered (HTTP statuses as "HTTP 502")
}

// New returns a fake subscription with the standard fields and activity types and no leads.
func New(opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	if opts.ClientID == "" {
		opts.ClientID = "revops-client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "revops-secret"
	}
	if opts.Scope == "" {
		opts.Scope = "apis@revops.example"
	}
	central, err := time.LoadLocation("America/Chicago")
	if err != nil {
		central = time.FixedZone("CST", -6*3600)
	}
	s := &Server{opts: opts, central: central, knobs: opts.Knobs.withDefaults(), st: newStore(),
		usage: map[string]int{}, pages: map[string]int{}, bulk: newBulkState(), errCount: map[string]int{}}
	s.Server = fakeapi.NewServer(http.HandlerFunc(s.serve), opts.Clock, envelopes{s})
	s.registerAdmin()
	return s
}

// SetKnobs replaces the knobs (zero fields take their defaults).
func (s *Server) SetKnobs(k Knobs) {
	s.mu.Lock()
	s.knobs = k.withDefaults()
	s.mu.Unlock()
}

// Knobs returns the current knobs, defaults filled in.
func (s *Server) Knobs() Knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.knobs
}

// Script queues an error answer (see Scripted); several queued answers are served in order.
func (s *Server) Script(sc Scripted) {
	if sc.Times <= 0 {
		sc.Times = 1
	}
	s.mu.Lock()
	s.scripts = append(s.scripts, &sc)
	s.mu.Unlock()
}

// ScriptCodes queues one answer per code for requests whose path contains path, in order:
// ScriptCodes("activities.json", "606", "602", "607").
func (s *Server) ScriptCodes(path string, codes ...string) {
	for _, c := range codes {
		s.Script(Scripted{Path: path, Code: c})
	}
}

// OnPage registers fn to run before each request that carries a nextPageToken (activities,
// deleted leads, lead changes, leads pages after the first), outside the fake's lock, so that
// it may mutate data or move the clock. nil removes it. A retried page runs fn again.
func (s *Server) OnPage(fn func(PageEvent)) {
	s.mu.Lock()
	s.onPage = fn
	s.mu.Unlock()
}

// SetUsage sets the calls counted today (US Central day of the clock).
func (s *Server) SetUsage(calls int) {
	s.mu.Lock()
	s.usage[s.dayKey()] = calls
	s.mu.Unlock()
}

// Usage returns the calls counted today.
func (s *Server) Usage() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage[s.dayKey()]
}

// dayKey is the clock's US Central date; callers hold mu (or need not).
func (s *Server) dayKey() string { return s.Clock.Now().In(s.central).Format(time.DateOnly) }

// Truth returns the ground truth (a deep copy).
func (s *Server) Truth() Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.truth()
}

// AddLead adds a lead and records its New Lead activity at CreatedAt. ID 0 takes the next id;
// CreatedAt zero is now; UpdatedAt zero (or before CreatedAt) is CreatedAt. Fields must name
// describe fields (AddField adds custom ones); values are normalized (see Lead.Fields).
func (s *Server) AddLead(l Lead) (Lead, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.addLead(l, s.Clock.Now())
}

// UpdateLead sets fields (REST name → value; nil clears) at time at (zero: now), records a
// Change Data Value activity per field whose value changes, and moves updatedAt to at.
func (s *Server) UpdateLead(id int64, at time.Time, changes map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.IsZero() {
		at = s.Clock.Now()
	}
	return s.st.updateLead(id, at, changes, "Changed via API")
}

// DeleteLead deletes a lead at time at (zero: now) and records its Delete Lead activity (served
// by deletedleads.json). Lead ids are never reused.
func (s *Server) DeleteLead(id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.IsZero() {
		at = s.Clock.Now()
	}
	return s.st.deleteLead(id, at)
}

// AddActivity appends an activity of an existing type for a live lead and returns it with its
// id and GUID. ActivityDate zero is now; an earlier date inserts it behind tokens already past
// that date (a late-arriving activity). Adding activities in date order is fastest (an append);
// an earlier date costs a copy of the log's tail.
func (s *Server) AddActivity(a Activity) (Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.types[a.TypeID]; !ok {
		return Activity{}, fmt.Errorf("marketo fake: no activity type %d", a.TypeID)
	}
	if a.TypeID == TypeDeleteLead {
		return Activity{}, fmt.Errorf("marketo fake: use DeleteLead to delete a lead")
	}
	if s.st.leads[a.LeadID] == nil {
		return Activity{}, fmt.Errorf("marketo fake: no live lead %d", a.LeadID)
	}
	if a.ActivityDate.IsZero() {
		a.ActivityDate = s.Clock.Now()
	}
	a.field = ""
	return s.st.addActivity(a.clone()).clone(), nil
}

// ChangeScore sets the score field (a REST name such as leadScore) of a lead to score at time
// at (zero: now), recording a Change Score activity (attributes Change Value, New Value, Old
// Value, Reason) and moving updatedAt.
func (s *Server) ChangeScore(leadID int64, at time.Time, field string, score int64, reason string) (Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.leads[leadID]
	if l == nil {
		return Activity{}, fmt.Errorf("marketo fake: no live lead %d", leadID)
	}
	f, ok := s.st.field(field)
	if !ok || (f.DataType != "score" && f.DataType != "integer") {
		return Activity{}, fmt.Errorf("marketo fake: %q is not a score field", field)
	}
	if at.IsZero() {
		at = s.Clock.Now()
	}
	at = at.UTC().Truncate(time.Second)
	old, _ := l.Value(field).(int64)
	l.set(field, score)
	if at.After(l.UpdatedAt) {
		l.UpdatedAt = at
	}
	a := s.st.addActivity(Activity{LeadID: leadID, ActivityDate: at, TypeID: TypeChangeScore,
		PrimaryAttributeValueID: int64(f.ID), PrimaryAttributeValue: f.DisplayName,
		Attributes: []Attribute{{"Change Value", fmt.Sprintf("%+d", score-old)}, {"New Value", score},
			{"Old Value", old}, {"Reason", reason}}})
	return a.clone(), nil
}

// ChangeProgramStatus records a Change Status in Progression activity: the lead's status in a
// program (primary attribute: the program's id and name) moves to status at time at.
func (s *Server) ChangeProgramStatus(leadID int64, at time.Time, programID int64, program, status, reason string) (Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.leads[leadID] == nil {
		return Activity{}, fmt.Errorf("marketo fake: no live lead %d", leadID)
	}
	if at.IsZero() {
		at = s.Clock.Now()
	}
	key := fmt.Sprint(leadID, "/", programID)
	old := s.st.progStatus[key]
	s.st.progStatus[key] = status
	attrs := []Attribute{{"New Status", status}, {"Old Status", old}, {"Reason", reason}, {"Success", false}}
	a := s.st.addActivity(Activity{LeadID: leadID, ActivityDate: at, TypeID: TypeChangeStatusInProgression,
		PrimaryAttributeValueID: programID, PrimaryAttributeValue: program, Attributes: attrs})
	return a.clone(), nil
}

// ChangeRevenueStage records a Change Revenue Stage activity: the lead's stage in a revenue
// model (primary attribute: the model's id and name) moves to stage at time at.
func (s *Server) ChangeRevenueStage(leadID int64, at time.Time, modelID int64, model, stage string) (Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.leads[leadID] == nil {
		return Activity{}, fmt.Errorf("marketo fake: no live lead %d", leadID)
	}
	if at.IsZero() {
		at = s.Clock.Now()
	}
	key := fmt.Sprint(leadID, "/", modelID)
	old := s.st.revStage[key]
	s.st.revStage[key] = stage
	a := s.st.addActivity(Activity{LeadID: leadID, ActivityDate: at, TypeID: TypeChangeRevenueStage,
		PrimaryAttributeValueID: modelID, PrimaryAttributeValue: model,
		Attributes: []Attribute{{"New Stage", stage}, {"Old Stage", old}, {"Reason", "Revenue cycle model"}}})
	return a.clone(), nil
}

// AddField adds a lead field to describe (schema drift); ID 0 takes the next id. Existing
// leads have no value for it.
func (s *Server) AddField(f Field) (Field, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Name == "" || f.DataType == "" {
		return Field{}, fmt.Errorf("marketo fake: a field needs a name and a dataType")
	}
	if _, dup := s.st.field(f.Name); dup {
		return Field{}, fmt.Errorf("marketo fake: field %s exists", f.Name)
	}
	if f.ID == 0 {
		for _, g := range s.st.fields {
			f.ID = max(f.ID, g.ID)
		}
		f.ID++
	}
	if f.DisplayName == "" {
		f.DisplayName = f.Name
	}
	s.st.fields = append(s.st.fields, f)
	return f, nil
}

// AddActivityType adds or replaces an activity type.
func (s *Server) AddActivityType(t ActivityType) error {
	if t.ID <= 0 || t.Name == "" {
		return fmt.Errorf("marketo fake: an activity type needs a positive id and a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.types[t.ID] = t
	return nil
}

// apiError is one entry of Marketo's errors[].
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + " " + e.Message }

func errf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// requestID returns a Marketo-looking request id ("e42b#14272d07d78").
func (s *Server) requestID() string {
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	x := n*0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D
	return fmt.Sprintf("%04x#%011x", x>>48, n+0x14272d07000)
}

// ErrorsServed returns how many times each error was answered: Marketo codes ("606") and HTTP
// error pages ("HTTP 502"), injected faults included.
func (s *Server) ErrorsServed() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.errCount))
	for k, v := range s.errCount {
		out[k] = v
	}
	return out
}

func (s *Server) countError(code string) {
	s.mu.Lock()
	s.errCount[code]++
	s.mu.Unlock()
}

// writeFailure writes an error envelope with HTTP 200.
func (s *Server) writeFailure(w http.ResponseWriter, e *apiError) {
	s.countError(e.Code)
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"requestId": s.requestID(), "success": false,
		"errors": []*apiError{e}})
}

// writeResult writes a success envelope; extra adds top-level members (nextPageToken, …).
func (s *Server) writeResult(w http.ResponseWriter, result any, extra map[string]any) {
	body := map[string]any{"requestId": s.requestID(), "success": true}
	if result != nil {
		body["result"] = result
	}
	for k, v := range extra {
		body[k] = v
	}
	fakeapi.WriteJSON(w, http.StatusOK, body)
}

func (s *Server) writeHTML(w http.ResponseWriter, status int) {
	s.countError(fmt.Sprintf("HTTP %d", status))
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status,
		http.StatusText(status), http.StatusText(status))
}

// envelopes render injected faults as Marketo does.
type envelopes struct{ s *Server }

// next counts the faults of one kind (0: rate limits, 1: server errors).
func (e envelopes) next(kind int) int {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.s.faultSeq[kind]++
	return e.s.faultSeq[kind]
}

func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	if e.next(0)%2 == 1 {
		e.s.writeFailure(w, errf("606", "Max rate limit '100' exceeded with in '20' secs"))
		return
	}
	e.s.writeFailure(w, errf("615", "Concurrent access limit reached"))
}

func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	switch e.next(1) % 4 {
	case 1:
		e.s.writeFailure(w, errf("611", "System error"))
	case 2:
		e.s.writeFailure(w, errf("608", "API Temporarily Unavailable"))
	case 3:
		e.s.writeHTML(w, http.StatusBadGateway)
	default:
		e.s.writeFailure(w, errf("604", "Request time-out"))
	}
}

// serve answers one request that passed fakeapi's faults.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/identity/oauth/token" {
		s.identity(w, r)
		return
	}
	s.mu.Lock()
	maxURL := s.knobs.MaxURLLength
	s.mu.Unlock()
	if len(r.URL.RequestURI()) > maxURL {
		s.writeHTML(w, http.StatusRequestURITooLong)
		return
	}
	if sc := s.takeScript(r.URL.Path); sc != nil {
		if sc.HTTPStatus != 0 {
			s.writeHTML(w, sc.HTTPStatus)
			return
		}
		msg := sc.Message
		if msg == "" {
			msg = defaultMessage(sc.Code)
		}
		s.writeFailure(w, errf(sc.Code, "%s", msg))
		return
	}
	if e := s.authorize(r); e != nil {
		s.writeFailure(w, e)
		return
	}
	release, e := s.admit()
	if e != nil {
		s.writeFailure(w, e)
		return
	}
	defer release()
	switch {
	case strings.HasPrefix(r.URL.Path, "/rest/v1/"):
		s.serveREST(w, r)
	case strings.HasPrefix(r.URL.Path, "/bulk/v1/"):
		s.serveBulk(w, r)
	default:
		http.NotFound(w, r)
	}
}

// defaultMessage is Marketo's message for a code.
func defaultMessage(code string) string {
	switch code {
	case "502":
		return "Bad Gateway"
	case "600":
		return "Access token not specified"
	case "601":
		return "Access token invalid"
	case "602":
		return "Access token expired"
	case "603":
		return "Access denied"
	case "604":
		return "Request time-out"
	case "606":
		return "Max rate limit '100' exceeded with in '20' secs"
	case "607":
		return "Daily quota reached"
	case "608":
		return "API Temporarily Unavailable"
	case "610":
		return "Requested resource not found"
	case "611":
		return "System error"
	case "615":
		return "Concurrent access limit reached"
	case "1029":
		return "Too many jobs in queue"
	case "1035":
		return "Unsupported filter type for target subscription: updatedAt"
	}
	return "Error " + code
}

func (s *Server) takeScript(path string) *Scripted {
	s.mu.Lock()
	defer s.mu.Unlock()
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

// authorize checks the bearer token: 600 none, 601 unknown, 602 expired.
func (s *Server) authorize(r *http.Request) *apiError {
	tok := fakeapi.Bearer(r)
	if tok == "" {
		return errf("600", "Access token not specified")
	}
	known, valid := s.Tokens.Check(tok)
	switch {
	case !known:
		return errf("601", "Access token invalid")
	case !valid:
		return errf("602", "Access token expired")
	}
	return nil
}

// admit applies the concurrency limit, the 20-second rate and the daily quota, and counts the
// call. release must be called when the request is answered.
func (s *Server) admit() (release func(), e *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.knobs
	if s.inflight >= k.MaxConcurrent {
		return nil, errf("615", "Concurrent access limit reached")
	}
	now := s.Clock.Now()
	keep := s.calls[:0]
	for _, t := range s.calls {
		if now.Sub(t) < 20*time.Second && !t.After(now) {
			keep = append(keep, t)
		}
	}
	s.calls = keep
	if k.RatePer20s > 0 && len(s.calls) >= k.RatePer20s {
		return nil, errf("606", "Max rate limit '%d' exceeded with in '20' secs", k.RatePer20s)
	}
	day := s.dayKey()
	if s.usage[day] >= k.DailyQuota {
		return nil, errf("607", "Daily quota reached")
	}
	s.calls = append(s.calls, now)
	s.usage[day]++
	s.inflight++
	return func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}, nil
}

// identity answers /identity/oauth/token.
func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		fakeapi.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method_not_allowed"})
		return
	}
	if err := r.ParseForm(); err != nil {
		fakeapi.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	if gt := r.Form.Get("grant_type"); gt != "client_credentials" {
		fakeapi.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type",
			"error_description": fmt.Sprintf("Unsupported grant type: %s", gt)})
		return
	}
	if r.Form.Get("client_id") != s.opts.ClientID || r.Form.Get("client_secret") != s.opts.ClientSecret {
		fakeapi.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized",
			"error_description": "Bad client credentials"})
		return
	}
	s.mu.Lock()
	now := s.Clock.Now()
	if _, valid := s.Tokens.Check(s.token); s.token == "" || !valid || !now.Before(s.tokenExp) {
		ttl := s.knobs.TokenTTL
		s.token = s.Tokens.Issue(ttl)
		s.tokenExp = now.Add(ttl)
	}
	tok, left := s.token, int64(s.tokenExp.Sub(now)/time.Second)
	s.mu.Unlock()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": left, "scope": s.opts.Scope})
}

// decodeStrict decodes an admin body, rejecting unknown fields.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(v)
}
