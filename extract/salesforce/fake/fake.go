// Package fake is a stateful, in-memory Salesforce org served over HTTP, faithful enough that
// the connector in package salesforce runs against it unchanged (the base URL is the only
// switch). It serves:
//
//   - POST /services/oauth2/token: client_credentials, refresh_token and JWT bearer grants
//     (RS256, checked against the client's registered public key), answering with an
//     instance_url that is the fake's own base URL;
//   - GET /services/data/: the API versions (no auth, not counted against limits);
//   - under /services/data/vNN.N/ (any version is accepted and echoed back):
//     query and queryAll (?q=SOQL) with nextRecordsUrl paging over a snapshot taken when the
//     query ran (ids fixed then, field values read when each page is served), the
//     Sforce-Query-Options batchSize hint, an LRU of 10 open query cursors with a 15-minute
//     idle TTL; sobjects, sobjects/X/describe (with If-Modified-Since), sobjects/X/deleted
//     (getDeleted), limits; Bulk API 2.0 query jobs (jobs/query: create, poll UploadComplete →
//     InProgress → JobComplete, CSV result pages with Sforce-Locator, "null" on the last, any
//     page re-readable, abort, delete, list).
//
// Every API response carries Sforce-Limit-Info: api-usage=N/M; past M the API answers 403
// REQUEST_LIMIT_EXCEEDED (TotalRequests) until the daily window rolls over on the clock.
// Errors use the real JSON-array envelope, e.g.
// [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]. Only the SOQL
// subset the connector emits is parsed (see soql.go); anything else is MALFORMED_QUERY,
// INVALID_FIELD or INVALID_TYPE with Salesforce's positioned messages.
//
// The Go API seeds and mutates data (Insert, Update, Delete, Undelete, HardDelete,
// EmptyRecycleBin, PurgeDeleteLog, SetStamp), extends the schema (AddField, AddObject),
// registers OAuth clients (AddClient), sets knobs (SetKnobs: page caps, QUERY_TIMEOUT, Bulk
// behaviour, limits), mutates data between pages (OnPage) and reads the ground truth (Truth).
// The same operations are exposed as admin endpoints under /__fake/salesforce/ (see admin.go),
// besides the shared fault injection of package fakeapi under /__fake/.
//
// Injected faults (fakeapi.Faults) use Salesforce's envelopes: a rate-limit fault alternates
// between 403 REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded." (a transient
// concurrency limit) and an edge proxy's 429 with Retry-After and an empty body; a server
// error alternates between 500 UNKNOWN_EXCEPTION (JSON) and a 503 HTML page.
package fake

import (
	"crypto/rsa"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// Knobs tune the fake's behaviour; the zero value of each field means its default.
type Knobs struct {
	// MaxPageRecords caps REST page sizes whatever batchSize asks, as large records do on the
	// real API (e.g. 1137 when 2000 are asked). Default 2000.
	MaxPageRecords int `json:"max_page_records,omitempty"`
	// QueryTimeoutAbove fails a REST query whose result (after LIMIT) holds more records than
	// this with 400 QUERY_TIMEOUT (0: never).
	QueryTimeoutAbove int `json:"query_timeout_above,omitempty"`
	// APIRequestsMax is the org's DailyApiRequests (default 1,000,000).
	APIRequestsMax int `json:"api_requests_max,omitempty"`
	// BulkInProgressPolls is how many status polls a Bulk job answers InProgress before
	// JobComplete (default 1).
	BulkInProgressPolls int `json:"bulk_in_progress_polls,omitempty"`
	// BulkPageRecords is the page size of Bulk results when maxRecords is not given
	// (default 10,000).
	BulkPageRecords int `json:"bulk_page_records,omitempty"`
	// BulkUnsupported lists objects Bulk refuses with INVALIDENTITY.
	BulkUnsupported []string `json:"bulk_unsupported,omitempty"`
	// BulkFail lists objects whose Bulk jobs end Failed.
	BulkFail []string `json:"bulk_fail,omitempty"`
	// SessionTimeout is an access token's lifetime on the clock (default 2h).
	SessionTimeout time.Duration `json:"session_timeout,omitempty"`
	// LocatorTTL is how long an idle query cursor lives (default 15m).
	LocatorTTL time.Duration `json:"locator_ttl,omitempty"`
	// MaxURLLength answers 414 to longer request URLs (default 16,384).
	MaxURLLength int `json:"max_url_length,omitempty"`
}

func (k Knobs) withDefaults() Knobs {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&k.MaxPageRecords, 2000)
	def(&k.APIRequestsMax, 1_000_000)
	def(&k.BulkInProgressPolls, 1)
	def(&k.BulkPageRecords, 10_000)
	def(&k.MaxURLLength, 16_384)
	if k.SessionTimeout <= 0 {
		k.SessionTimeout = 2 * time.Hour
	}
	if k.LocatorTTL <= 0 {
		k.LocatorTTL = 15 * time.Minute
	}
	return k
}

// Client is a connected app (or external client app) allowed to get tokens.
type Client struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret,omitempty"`
	// Username is the client's run-as user for client_credentials, and the only subject its
	// JWT assertions may name. Empty: client_credentials answers "no client credentials user
	// enabled".
	Username string `json:"username,omitempty"`
	// RefreshTokens are the refresh tokens this client may redeem.
	RefreshTokens []string `json:"refresh_tokens,omitempty"`
	// PublicKey verifies JWT bearer assertions; nil refuses the JWT grant. Over the admin
	// API it is given as PEM text in public_key_pem.
	PublicKey    *rsa.PublicKey `json:"-"`
	PublicKeyPEM string         `json:"public_key_pem,omitempty"`
}

// PageEvent describes the page about to be served, for OnPage hooks.
type PageEvent struct {
	Object string
	// Bulk is true for Bulk API result pages, false for REST query pages.
	Bulk bool
	// Page is the 1-based page number (2 for the first nextRecordsUrl); Offset the number of
	// rows before it. A page re-requested keeps its number.
	Page   int
	Offset int
}

// Options configure a fake org.
type Options struct {
	// Clock drives stamps, token expiry and limits; nil means a clock at 2026-01-15T12:00:00Z.
	Clock *fakeapi.Clock
	Knobs Knobs
	// Clients may get tokens (more can be added with AddClient).
	Clients []Client
	// OrgID is the 18-character org id in tokens and identity URLs (default 00DFK0000000001EAA).
	OrgID string
	// NoOpportunityHistory stops the fake from writing OpportunityHistory rows when an
	// opportunity's stage, amount, probability or close date changes (it does by default,
	// as Salesforce does).
	NoOpportunityHistory bool
	// Seed seeds locators and job ids (deterministic runs).
	Seed uint64
}

// Server is a fake Salesforce org. It is an http.Handler (through the embedded
// fakeapi.Server, which also answers the shared /__fake/ admin endpoints and injects faults).
// All methods are safe for concurrent use.
type Server struct {
	*fakeapi.Server

	mu        sync.Mutex
	clock     *fakeapi.Clock
	objects   map[string]*object // by lower-case name
	knobs     Knobs
	clients   map[string]Client
	cursors   map[string]*cursor
	lru       []string // cursor locators, least recently used first
	jobs      map[string]*job
	jobOrder  []string
	jobSeq    int
	usage     int
	usageFrom time.Time
	bulkJobs  int
	hook      func(PageEvent)
	rnd       *rand.Rand
	orgID     string
	started   time.Time
	history   bool
	faultTurn int
}

// New returns a fake org holding the standard objects (Account, Contact, Lead, Opportunity,
// OpportunityHistory, OpportunityLineItem, User, Task, Event, OpportunityStage), empty.
func New(opts Options) *Server {
	clock := opts.Clock
	if clock == nil {
		clock = fakeapi.NewClock(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	}
	s := &Server{
		clock:   clock,
		objects: map[string]*object{},
		knobs:   opts.Knobs.withDefaults(),
		clients: map[string]Client{},
		cursors: map[string]*cursor{},
		jobs:    map[string]*job{},
		rnd:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5f0e)),
		orgID:   opts.OrgID,
		started: clock.Now(),
		history: !opts.NoOpportunityHistory,
	}
	s.usageFrom = s.started
	if s.orgID == "" {
		s.orgID = "00DFK0000000001EAA"
	}
	for _, d := range standardObjects() {
		o, err := newObject(d, s.started)
		if err != nil {
			panic(err) // the built-in catalogue is valid
		}
		s.objects[strings.ToLower(d.name)] = o
	}
	for _, c := range opts.Clients {
		if err := s.AddClient(c); err != nil {
			panic(fmt.Sprintf("fake: client %s: %v", c.ID, err))
		}
	}
	s.Server = fakeapi.NewServer(s.routes(), clock, envelopes{s})
	s.adminRoutes()
	return s
}

// Clock returns the org's clock.
func (s *Server) Clock() *fakeapi.Clock { return s.clock }

// SetKnobs replaces the knobs (zero fields take their defaults).
func (s *Server) SetKnobs(k Knobs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs = k.withDefaults()
}

// Knobs returns the knobs in effect.
func (s *Server) Knobs() Knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.knobs
}

// AddClient registers (or replaces) an OAuth client.
func (s *Server) AddClient(c Client) error {
	if c.ID == "" {
		return fmt.Errorf("client_id is required")
	}
	if c.PublicKey == nil && c.PublicKeyPEM != "" {
		k, err := parsePublicKey(c.PublicKeyPEM)
		if err != nil {
			return err
		}
		c.PublicKey = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = c
	return nil
}

// OnPage registers fn to run before each REST page after the first (nextRecordsUrl requests)
// and each Bulk result page after the first, outside the org's lock, so it may call the Go
// API to mutate data mid-pagination, or advance the clock (time spent in fn counts as the
// cursor's idle time: past Knobs.LocatorTTL the page answers INVALID_QUERY_LOCATOR). nil
// removes the hook. With injected faults a page can be requested, and fn called, more than once.
func (s *Server) OnPage(fn func(PageEvent)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = fn
}

func (s *Server) runHook(ev PageEvent) {
	s.mu.Lock()
	fn := s.hook
	s.mu.Unlock()
	if fn != nil {
		fn(ev)
	}
}

// SetAPIUsage sets the requests used in the current daily window (e.g. near the limit).
func (s *Server) SetAPIUsage(used int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollUsage()
	s.usage = used
}

// APIUsage returns the requests used in the current daily window and the daily maximum.
func (s *Server) APIUsage() (used, max int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollUsage()
	return s.usage, s.knobs.APIRequestsMax
}

// rollUsage starts a new daily window when the clock has moved past the current one.
func (s *Server) rollUsage() {
	now := s.clock.Now()
	for !now.Before(s.usageFrom.Add(24 * time.Hour)) {
		s.usageFrom = s.usageFrom.Add(24 * time.Hour)
		s.usage, s.bulkJobs = 0, 0
	}
}

// now is the clock's time at second precision (SystemModstamp's).
func (s *Server) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

func (s *Server) object(name string) (*object, error) {
	o, ok := s.objects[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("fake: no object %q", name)
	}
	return o, nil
}

// Objects lists the org's object names, sorted.
func (s *Server) Objects() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, o := range s.objects {
		out = append(out, o.name)
	}
	slices.Sort(out)
	return out
}

// Describe returns an object's fields in describe order.
func (s *Server) Describe(name string) ([]Field, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(o.fields), nil
}

// AddField adds a field (e.g. a custom field Renewal_Date__c of type date) to an object;
// existing records hold null (false for a boolean).
func (s *Server) AddField(objectName string, f Field) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	if err := o.addField(f); err != nil {
		return fmt.Errorf("fake: %s: %w", o.name, err)
	}
	nf, _ := o.field(f.Name)
	for _, row := range o.rows {
		if nf.Type == "boolean" {
			row[nf.Name] = false
		} else if nf.Type != "address" && nf.Type != "location" && nf.Type != "base64" {
			row[nf.Name] = nil
		}
	}
	o.changed = s.clock.Now()
	return nil
}

// AddObject adds a custom object (its name must end in __c) with the standard fields Id,
// IsDeleted, Name, OwnerId, CreatedDate, CreatedById, LastModifiedDate, LastModifiedById,
// SystemModstamp, followed by fields.
func (s *Server) AddObject(name string, fields ...Field) error {
	if !strings.HasSuffix(name, "__c") {
		return fmt.Errorf("fake: custom object %q must end in __c", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.objects[strings.ToLower(name)]; dup {
		return fmt.Errorf("fake: object %s already exists", name)
	}
	d := objectDef{name: name, keyPrefix: "a0" + string(base62Digits[10+len(s.objects)%52]), custom: true}
	for _, spec := range []string{"Id:id", "IsDeleted:boolean", "Name:string", "OwnerId:reference>User",
		"CreatedDate:datetime", "CreatedById:reference>User", "LastModifiedDate:datetime",
		"LastModifiedById:reference>User", "SystemModstamp:datetime"} {
		d.fields = append(d.fields, parseFieldSpec(spec))
	}
	d.fields = append(d.fields, fields...)
	o, err := newObject(d, s.clock.Now())
	if err != nil {
		return fmt.Errorf("fake: %w", err)
	}
	s.objects[strings.ToLower(name)] = o
	return nil
}

// Insert adds a record and returns its Id (generated unless rec has one). CreatedDate,
// LastModifiedDate and SystemModstamp default to rec's SystemModstamp (or LastModifiedDate),
// else to the clock's now: give an old SystemModstamp to seed history or to model a record
// committed late with a stamp below a connector's cursor. Inserting an Opportunity writes an
// OpportunityHistory row (unless Options.NoOpportunityHistory).
func (s *Server) Insert(objectName string, rec Record) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return "", err
	}
	stamp, err := o.stampOf(rec, s.now())
	if err != nil {
		return "", fmt.Errorf("fake: %w", err)
	}
	id, err := o.insert(rec, stamp)
	if err != nil {
		return "", fmt.Errorf("fake: %w", err)
	}
	if o.name == "Opportunity" {
		s.writeHistory(o.rows[id], nil, stamp)
	}
	return id, nil
}

// Update changes fields of a live record and bumps LastModifiedDate and SystemModstamp to the
// clock's now (or to changes' SystemModstamp when given). Changing an Opportunity's StageName,
// Amount, Probability or CloseDate writes an OpportunityHistory row.
func (s *Server) Update(objectName, id string, changes Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	row, ok := o.rows[id]
	if !ok || row["IsDeleted"] == true {
		return fmt.Errorf("fake: %s %s does not exist or is deleted", o.name, id)
	}
	stamp, err := o.stampOf(changes, s.now())
	if err != nil {
		return fmt.Errorf("fake: %w", err)
	}
	before := cloneRecord(row)
	if err := o.setFields(row, changes); err != nil {
		for k := range row {
			row[k] = before[k]
		}
		return fmt.Errorf("fake: %w", err)
	}
	row["Id"] = id
	o.touch(row, stamp)
	if o.name == "Opportunity" {
		s.writeHistory(row, before, stamp)
	}
	return nil
}

func cloneRecord(r Record) Record {
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// writeHistory adds an OpportunityHistory row when opp is new (before nil) or its stage,
// amount, probability or close date changed.
func (s *Server) writeHistory(opp, before Record, stamp time.Time) {
	if !s.history {
		return
	}
	tracked := []string{"StageName", "Amount", "Probability", "CloseDate"}
	if before != nil && !slices.ContainsFunc(tracked, func(f string) bool { return opp[f] != before[f] }) {
		return
	}
	h := s.objects["opportunityhistory"]
	rec := Record{"OpportunityId": opp["Id"], "StageName": opp["StageName"], "Amount": opp["Amount"],
		"ExpectedRevenue": opp["ExpectedRevenue"], "CloseDate": opp["CloseDate"], "Probability": opp["Probability"],
		"ForecastCategory": opp["ForecastCategory"], "CreatedById": opp["LastModifiedById"]}
	if before != nil {
		rec["PrevAmount"], rec["PrevCloseDate"] = before["Amount"], before["CloseDate"]
	}
	_, _ = h.insert(rec, stamp)
}

// Delete moves a record to the recycle bin: IsDeleted becomes true, its stamps move to now, and
// only queryAll (and getDeleted) still see it. Deleting an Opportunity cascades to its line
// items and history rows. Objects without IsDeleted (User, OpportunityStage) cannot be deleted.
func (s *Server) Delete(objectName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	if !o.has("IsDeleted") {
		return fmt.Errorf("fake: %s records cannot be deleted (deactivate them instead)", o.name)
	}
	row, ok := o.rows[id]
	if !ok || row["IsDeleted"] == true {
		return fmt.Errorf("fake: %s %s does not exist or is already deleted", o.name, id)
	}
	now := s.now()
	o.softDelete(row, now)
	if o.name == "Opportunity" {
		for _, child := range []string{"opportunitylineitem", "opportunityhistory"} {
			c := s.objects[child]
			for _, r := range c.rows {
				if r["OpportunityId"] == id && r["IsDeleted"] != true {
					c.softDelete(r, now)
				}
			}
		}
	}
	return nil
}

// Undelete restores a record from the recycle bin (its stamps move to now).
func (s *Server) Undelete(objectName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	row, ok := o.rows[id]
	if !ok || row["IsDeleted"] != true {
		return fmt.Errorf("fake: %s %s is not in the recycle bin", o.name, id)
	}
	row["IsDeleted"] = false
	o.touch(row, s.now())
	return nil
}

// HardDelete removes a record at once, bypassing the recycle bin (as Bulk hardDelete does);
// getDeleted still reports it.
func (s *Server) HardDelete(objectName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	if _, ok := o.rows[id]; !ok {
		return fmt.Errorf("fake: %s %s does not exist", o.name, id)
	}
	delete(o.rows, id)
	o.deleteLog = append(o.deleteLog, deletion{id: id, at: s.now()})
	return nil
}

// EmptyRecycleBin physically removes deleted records of an object (the given ids, or all): they
// vanish from queryAll. The delete log that getDeleted reads keeps them. It returns how many
// records were removed.
func (s *Server) EmptyRecycleBin(objectName string, ids ...string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return 0, err
	}
	n := 0
	for id, row := range o.rows {
		if row["IsDeleted"] == true && (len(ids) == 0 || slices.Contains(ids, id)) {
			delete(o.rows, id)
			n++
		}
	}
	return n, nil
}

// PurgeDeleteLog drops the delete-log entries of an object up to through: getDeleted no longer
// reports them and its earliestDateAvailable moves to through, telling replicators that
// started before it to resynchronise.
func (s *Server) PurgeDeleteLog(objectName string, through time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	o.purgeLog(through.UTC())
	return nil
}

func (o *object) purgeLog(through time.Time) {
	o.deleteLog = slices.DeleteFunc(o.deleteLog, func(d deletion) bool { return !d.at.After(through) })
	if through.After(o.logFloor) {
		o.logFloor = through
	}
}

// SetStamp sets SystemModstamp (and LastModifiedDate) of the given records (all of the
// object's records when ids is empty) to stamp, e.g. to give thousands one timestamp.
func (s *Server) SetStamp(objectName string, stamp time.Time, ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return err
	}
	stamp = stamp.UTC().Truncate(time.Second)
	if len(ids) == 0 {
		for _, row := range o.rows {
			o.touch(row, stamp)
		}
		return nil
	}
	for _, id := range ids {
		row, ok := o.rows[id]
		if !ok {
			return fmt.Errorf("fake: %s %s does not exist", o.name, id)
		}
		o.touch(row, stamp)
	}
	return nil
}

// Get returns a copy of a record (live or in the recycle bin).
func (s *Server) Get(objectName, id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return nil, false
	}
	row, ok := o.rows[id]
	if !ok {
		return nil, false
	}
	return cloneRecord(row), true
}

// Truth returns an object's ground truth: live records and records in the recycle bin.
func (s *Server) Truth(objectName string) (Truth, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(objectName)
	if err != nil {
		return Truth{}, err
	}
	return o.truth(), nil
}

// envelopes renders injected faults in Salesforce's shapes.
type envelopes struct{ s *Server }

func (e envelopes) turn() int {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.s.faultTurn++
	return e.s.faultTurn
}

// RateLimited alternates a transient 403 REQUEST_LIMIT_EXCEEDED (concurrent long-running
// requests) with an edge proxy's 429 (empty body, Retry-After).
func (e envelopes) RateLimited(w http.ResponseWriter, r *http.Request) {
	if e.turn()%2 == 1 {
		writeError(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
		return
	}
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusTooManyRequests)
}

// ServerError alternates a 500 UNKNOWN_EXCEPTION envelope with a 503 HTML maintenance page.
func (e envelopes) ServerError(w http.ResponseWriter, r *http.Request) {
	if e.turn()%2 == 1 {
		writeError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION",
			"An unexpected error occurred. Please include this ErrorId if you contact support: 1427391837-83461 (-1286411337)")
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("<html><body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>"))
}
