package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

var versionRE = regexp.MustCompile(`^v\d{2,3}\.\d$`)

// apiError is one element of Salesforce's error array.
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// writeError writes Salesforce's error envelope: a JSON array of one error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	fakeapi.WriteJSON(w, status, []apiError{{Message: msg, ErrorCode: code}})
}

func writeSOQLError(w http.ResponseWriter, err error) {
	var se *soqlError
	if errors.As(err, &se) {
		writeError(w, http.StatusBadRequest, se.code, se.msg)
		return
	}
	writeError(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
}

// baseURL is the request's own scheme and host: every absolute URL the fake returns.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// session is what an authenticated API request carries.
type session struct {
	version string
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", s.handleToken)
	mux.HandleFunc("GET /services/data/{$}", s.handleVersions)
	api := func(pattern string, h func(http.ResponseWriter, *http.Request, session)) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" /services/data/{version}"+path, s.authed(h))
	}
	api("GET /query", func(w http.ResponseWriter, r *http.Request, ss session) { s.handleQuery(w, r, ss, false) })
	api("GET /queryAll", func(w http.ResponseWriter, r *http.Request, ss session) { s.handleQuery(w, r, ss, true) })
	api("GET /query/{locator}", s.handleMore)
	api("GET /queryAll/{locator}", s.handleMore)
	api("GET /sobjects", s.handleSObjects)
	api("GET /sobjects/{$}", s.handleSObjects)
	api("GET /sobjects/{name}/describe", s.handleDescribe)
	api("GET /sobjects/{name}/describe/{$}", s.handleDescribe)
	api("GET /sobjects/{name}/deleted/{$}", s.handleDeleted)
	api("GET /sobjects/{name}/deleted", s.handleDeleted)
	api("GET /limits", s.handleLimits)
	api("GET /limits/{$}", s.handleLimits)
	api("POST /jobs/query", s.handleJobCreate)
	api("GET /jobs/query", s.handleJobList)
	api("GET /jobs/query/{id}", s.handleJobGet)
	api("PATCH /jobs/query/{id}", s.handleJobPatch)
	api("DELETE /jobs/query/{id}", s.handleJobDelete)
	api("GET /jobs/query/{id}/results", s.handleJobResults)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	})
	return mux
}

// authed checks the URL length, the version, the bearer token and the daily request limit,
// counts the request and sets Sforce-Limit-Info, then calls h.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		maxURL := s.knobs.MaxURLLength
		s.mu.Unlock()
		if len(r.URL.RequestURI()) > maxURL {
			http.Error(w, "414 Request-URI Too Long", http.StatusRequestURITooLong)
			return
		}
		version := r.PathValue("version")
		if !versionRE.MatchString(version) {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
			return
		}
		tok := fakeapi.Bearer(r)
		if _, after, ok := strings.Cut(tok, "!"); ok {
			tok = after
		}
		if known, valid := s.Tokens.Check(tok); tok == "" || !known || !valid {
			w.Header().Set("WWW-Authenticate", "Token")
			writeError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
			return
		}
		s.mu.Lock()
		s.rollUsage()
		s.usage++
		used, limit := s.usage, s.knobs.APIRequestsMax
		s.mu.Unlock()
		w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", min(used, limit), limit))
		if used > limit {
			writeError(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
			return
		}
		h(w, r, session{version: version})
	}
}

func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	labels := map[int]string{58: "Summer '23", 59: "Winter '24", 60: "Spring '24", 61: "Summer '24",
		62: "Winter '25", 63: "Spring '25", 64: "Summer '25", 65: "Winter '26", 66: "Spring '26"}
	var out []version
	for v := 58; v <= 66; v++ {
		out = append(out, version{Label: labels[v], URL: fmt.Sprintf("/services/data/v%d.0", v), Version: fmt.Sprintf("%d.0", v)})
	}
	fakeapi.WriteJSON(w, http.StatusOK, out)
}

// cursor is an open query result: the ids were fixed when the query ran; field values are
// read when each page is served.
type cursor struct {
	locator  string
	object   *object
	fields   []Field
	ids      []string
	all      bool
	version  string
	pageSize int
	total    int
	lastUsed time.Time
	pages    map[int]int // offset → page number
}

// pageSize reads the Sforce-Query-Options batchSize hint (200..2000, default 2000) and caps
// it with the MaxPageRecords knob.
func (s *Server) pageSize(r *http.Request) int {
	n := 2000
	for _, part := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			if b, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				n = min(max(b, 200), 2000)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return min(n, s.knobs.MaxPageRecords)
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request, ss session, all bool) {
	text := r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" {
		writeError(w, http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
		return
	}
	q, err := parseSOQL(text)
	if err != nil {
		writeSOQLError(w, err)
		return
	}
	size := s.pageSize(r)
	s.mu.Lock()
	b, err := bind(q, s.objects)
	if err != nil {
		s.mu.Unlock()
		writeSOQLError(w, err)
		return
	}
	_, ids := b.run(all)
	if limit := s.knobs.QueryTimeoutAbove; limit > 0 && len(ids) > limit && !q.count {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "QUERY_TIMEOUT", "Your query request was running for too long.")
		return
	}
	if q.count {
		s.mu.Unlock()
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"totalSize": len(ids), "done": true, "records": []any{}})
		return
	}
	c := &cursor{object: b.obj, fields: b.fields, ids: ids, all: all, version: ss.version, pageSize: size,
		total: len(ids), lastUsed: s.clock.Now(), pages: map[int]int{0: 1}}
	if len(ids) > size {
		s.openCursor(c)
	}
	body := s.renderPage(c, 0)
	s.mu.Unlock()
	writeBody(w, body)
}

// openCursor registers c, evicting the least recently used cursor beyond 10. Locked.
func (s *Server) openCursor(c *cursor) {
	c.locator = "01g" + s.randomChars(15)
	s.cursors[c.locator] = c
	s.lru = append(s.lru, c.locator)
	for len(s.lru) > 10 {
		delete(s.cursors, s.lru[0])
		s.lru = s.lru[1:]
	}
}

func (s *Server) randomChars(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = base62Digits[s.rnd.IntN(62)]
	}
	return string(b)
}

// handleMore serves a nextRecordsUrl: /query/{locator}-{offset}.
func (s *Server) handleMore(w http.ResponseWriter, r *http.Request, ss session) {
	loc, offText, ok := strings.Cut(r.PathValue("locator"), "-")
	offset, err := strconv.Atoi(offText)
	if !ok || err != nil || offset < 0 {
		writeError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	s.mu.Lock()
	c, ok := s.cursors[loc]
	if !ok || offset > len(c.ids) {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	page, seen := c.pages[offset]
	if !seen {
		page = len(c.pages) + 1
		c.pages[offset] = page
	}
	ev := PageEvent{Object: c.object.name, Page: page, Offset: offset}
	s.mu.Unlock()
	s.runHook(ev)

	s.mu.Lock()
	if _, still := s.cursors[loc]; !still || s.clock.Now().Sub(c.lastUsed) > s.knobs.LocatorTTL {
		s.closeCursor(loc) // evicted, or idle too long (time spent in the hook counts)
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	c.lastUsed = s.clock.Now()
	s.touchCursor(loc)
	body := s.renderPage(c, offset)
	s.mu.Unlock()
	writeBody(w, body)
}

func (s *Server) touchCursor(loc string) {
	if i := slices.Index(s.lru, loc); i >= 0 {
		s.lru = append(append(s.lru[:i:i], s.lru[i+1:]...), loc)
	}
}

func (s *Server) closeCursor(loc string) {
	delete(s.cursors, loc)
	if i := slices.Index(s.lru, loc); i >= 0 {
		s.lru = slices.Delete(s.lru, i, i+1)
	}
}

func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// renderPage renders the page of c at offset. Records purged since the query ran are skipped,
// and so are records deleted since then when the query was not queryAll. The cursor stays open
// after its last page (a page may be re-requested) until evicted or idle too long. Locked.
func (s *Server) renderPage(c *cursor, offset int) []byte {
	end := min(offset+c.pageSize, len(c.ids))
	var b bytes.Buffer
	done := end >= len(c.ids)
	fmt.Fprintf(&b, `{"totalSize":%d,"done":%t,`, c.total, done)
	if !done {
		fmt.Fprintf(&b, `"nextRecordsUrl":"/services/data/%s/query/%s-%d",`, c.version, c.locator, end)
	}
	b.WriteString(`"records":[`)
	first := true
	for _, id := range c.ids[offset:end] {
		row, ok := c.object.rows[id]
		if !ok || (!c.all && row["IsDeleted"] == true) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, `{"attributes":{"type":%q,"url":"/services/data/%s/sobjects/%s/%s"}`, c.object.name, c.version, c.object.name, id)
		for _, f := range c.fields {
			b.WriteByte(',')
			writeJSONString(&b, f.Name)
			b.WriteByte(':')
			b.WriteString(jsonValue(c.object, f, row))
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// jsonValue renders a field's value as the REST API does.
func jsonValue(o *object, f Field, row Record) string {
	if f.Type == "address" {
		return addressJSON(f, row)
	}
	switch v := row[f.Name].(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return javaDouble(v)
	case time.Time:
		if f.Type == "date" {
			return `"` + v.Format(time.DateOnly) + `"`
		}
		return `"` + v.UTC().Format(sfDatetime) + `"`
	case string:
		enc, _ := json.Marshal(v)
		return string(enc)
	}
	return "null"
}

// addressJSON renders a compound address from its component fields (BillingAddress from
// BillingStreet, BillingCity, …).
func addressJSON(f Field, row Record) string {
	prefix := strings.TrimSuffix(f.Name, "Address")
	parts := map[string]any{"geocodeAccuracy": nil, "latitude": nil, "longitude": nil}
	empty := true
	for _, c := range []string{"Street", "City", "State", "PostalCode", "Country"} {
		v := row[prefix+c]
		parts[strings.ToLower(c[:1])+c[1:]] = v
		empty = empty && v == nil
	}
	if empty {
		return "null"
	}
	enc, _ := json.Marshal(parts)
	return string(enc)
}

// javaDouble renders a double as Java's Double.toString does (Salesforce serializes doubles
// that way): 15000.0, 0.25, 1.5E7, 1.0E-4.
func javaDouble(f float64) string {
	if f == 0 {
		return "0.0"
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.5E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

func (s *Server) handleSObjects(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	var list []map[string]any
	for _, name := range s.sortedObjectNames() {
		o := s.objects[strings.ToLower(name)]
		base := "/services/data/" + ss.version + "/sobjects/" + o.name
		list = append(list, map[string]any{"name": o.name, "label": o.name, "keyPrefix": o.keyPrefix,
			"custom": o.custom, "queryable": true, "retrieveable": true, "replicateable": o.has("IsDeleted"),
			"deletable": o.has("IsDeleted"), "urls": map[string]string{"sobject": base, "describe": base + "/describe",
				"rowTemplate": base + "/{ID}"}})
	}
	s.mu.Unlock()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
}

func (s *Server) sortedObjectNames() []string {
	var out []string
	for _, o := range s.objects {
		out = append(out, o.name)
	}
	slices.Sort(out)
	return out
}

func (s *Server) handleDescribe(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	o, err := s.object(r.PathValue("name"))
	if err != nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !o.changed.Truncate(time.Second).After(t) {
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	fields := make([]map[string]any, len(o.fields))
	for i, f := range o.fields {
		fields[i] = describeField(f)
	}
	base := "/services/data/" + ss.version + "/sobjects/" + o.name
	out := map[string]any{"name": o.name, "label": o.name, "keyPrefix": o.keyPrefix, "custom": o.custom,
		"queryable": true, "retrieveable": true, "replicateable": o.has("IsDeleted"), "deletable": o.has("IsDeleted"),
		"fields": fields, "childRelationships": []any{}, "recordTypeInfos": []any{},
		"urls": map[string]string{"sobject": base, "describe": base + "/describe"}}
	changed := o.changed
	s.mu.Unlock()
	w.Header().Set("Last-Modified", changed.UTC().Format(http.TimeFormat))
	fakeapi.WriteJSON(w, http.StatusOK, out)
}

// handleDeleted is getDeleted: deletions logged in [start, end), both floored to the minute;
// latestDateCovered is the floored end, earliestDateAvailable the newest purged log entry.
func (s *Server) handleDeleted(w http.ResponseWriter, r *http.Request, ss session) {
	parse := func(key string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339, r.URL.Query().Get(key))
		return t.UTC().Truncate(time.Minute), err == nil
	}
	start, ok1 := parse("start")
	end, ok2 := parse("end")
	if !ok1 || !ok2 {
		writeError(w, http.StatusBadRequest, "INVALID_REPLICATION_DATE", "start and end must be dateTimes (2025-01-15T10:00:00Z, URL-encoded)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(r.PathValue("name"))
	if err != nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	now := s.clock.Now()
	switch {
	case !o.has("IsDeleted"):
		writeError(w, http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported for replication", o.name))
		return
	case !end.After(start):
		writeError(w, http.StatusBadRequest, "INVALID_REPLICATION_DATE", "endDate must chronologically follow the startDate")
		return
	case start.Before(now.Add(-30 * 24 * time.Hour)):
		writeError(w, http.StatusBadRequest, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
		return
	}
	o.purgeLog(now.Add(-15 * 24 * time.Hour).Truncate(time.Second)) // the log keeps 15 days
	type deleted struct {
		ID          string `json:"id"`
		DeletedDate string `json:"deletedDate"`
	}
	recs := []deleted{}
	for _, d := range o.deleteLog {
		if !d.at.Before(start) && d.at.Before(end) {
			recs = append(recs, deleted{ID: d.id, DeletedDate: d.at.Format(sfDatetime)})
		}
	}
	earliest := o.logFloor
	if earliest.IsZero() {
		earliest = s.started.Add(-30 * 24 * time.Hour)
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"deletedRecords": recs,
		"earliestDateAvailable": earliest.Format(sfDatetime), "latestDateCovered": end.Format(sfDatetime)})
}

func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	used, limit, bulk := s.usage, s.knobs.APIRequestsMax, s.bulkJobs
	s.mu.Unlock()
	lim := func(max, remaining int) map[string]int {
		return map[string]int{"Max": max, "Remaining": remaining}
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{
		"DailyApiRequests":              lim(limit, max(0, limit-used)),
		"DailyBulkV2QueryJobs":          lim(10000, max(0, 10000-bulk)),
		"DailyBulkV2QueryFileStorageMB": lim(976562, 976562),
		"ConcurrentPerOrgLongTxn":       lim(10, 10),
	})
}
