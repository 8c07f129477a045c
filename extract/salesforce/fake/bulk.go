package fake

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// job is a Bulk API 2.0 query job. Its result is materialized when it completes.
type job struct {
	id          string
	operation   string
	object      *object
	query       *bound
	version     string
	state       string
	delimiter   string
	lineEnding  string
	created     time.Time
	modified    time.Time
	polls       int
	errorMsg    string
	header      []string
	rows        [][]string
	resultPages map[int]int // offset → page number
}

var delimiters = map[string]rune{"COMMA": ',', "TAB": '\t', "PIPE": '|', "SEMICOLON": ';', "CARET": '^', "BACKQUOTE": '`'}

func (s *Server) jobJSON(j *job, detail bool) map[string]any {
	out := map[string]any{"id": j.id, "operation": j.operation, "object": j.object.name,
		"createdById": "005FK0000000001AAA", "createdDate": j.created.Format(sfDatetime),
		"systemModstamp": j.modified.Format(sfDatetime), "state": j.state, "concurrencyMode": "Parallel",
		"contentType": "CSV", "apiVersion": json.Number(strings.TrimPrefix(j.version, "v")),
		"lineEnding": j.lineEnding, "columnDelimiter": j.delimiter}
	if detail {
		out["jobType"] = "V2Query"
		out["numberRecordsProcessed"] = len(j.rows)
		out["retries"] = 0
		out["totalProcessingTime"] = 334
		if j.errorMsg != "" {
			out["errorMessage"] = j.errorMsg
		}
	}
	return out
}

func (s *Server) handleJobCreate(w http.ResponseWriter, r *http.Request, ss session) {
	var req struct {
		Operation       string `json:"operation"`
		Query           string `json:"query"`
		ContentType     string `json:"contentType"`
		ColumnDelimiter string `json:"columnDelimiter"`
		LineEnding      string `json:"lineEnding"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "Unable to parse the request body: "+err.Error())
		return
	}
	if req.Operation != "query" && req.Operation != "queryAll" {
		writeError(w, http.StatusBadRequest, "INVALIDJOB", fmt.Sprintf("Invalid operation: %q; use query or queryAll", req.Operation))
		return
	}
	if req.ContentType == "" {
		req.ContentType = "CSV"
	}
	if req.ColumnDelimiter == "" {
		req.ColumnDelimiter = "COMMA"
	}
	if req.LineEnding == "" {
		req.LineEnding = "LF"
	}
	if _, ok := delimiters[req.ColumnDelimiter]; !ok || req.ContentType != "CSV" || (req.LineEnding != "LF" && req.LineEnding != "CRLF") {
		writeError(w, http.StatusBadRequest, "INVALIDJOB", "contentType must be CSV, columnDelimiter one of BACKQUOTE, CARET, COMMA, PIPE, SEMICOLON, TAB, lineEnding LF or CRLF")
		return
	}
	q, err := parseSOQL(req.Query)
	if err != nil {
		writeSOQLError(w, err)
		return
	}
	if q.count || q.hasOffset {
		writeError(w, http.StatusBadRequest, "API_ERROR", "Implementation restriction: aggregate queries and OFFSET are not supported by Bulk API 2.0")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := bind(q, s.objects)
	if err != nil {
		writeSOQLError(w, err)
		return
	}
	if slices.ContainsFunc(s.knobs.BulkUnsupported, func(n string) bool { return strings.EqualFold(n, b.obj.name) }) {
		writeError(w, http.StatusBadRequest, "INVALIDENTITY", fmt.Sprintf("Entity '%s' is not supported by the Bulk API.", b.obj.name))
		return
	}
	for _, f := range b.fields {
		if f.Type == "address" || f.Type == "location" {
			writeError(w, http.StatusBadRequest, "API_ERROR", "Selecting compound data not supported in Bulk Query")
			return
		}
	}
	if s.bulkJobs >= 10000 {
		writeError(w, http.StatusBadRequest, "LIMIT_EXCEEDED", "Daily limit of Bulk API 2.0 query jobs exceeded")
		return
	}
	s.bulkJobs++
	s.jobSeq++
	id := "750FK" + base62(uint64(s.jobSeq), 10)
	id += idSuffix(id)
	now := s.clock.Now()
	j := &job{id: id, operation: req.Operation, object: b.obj, query: b, version: ss.version, state: "UploadComplete",
		delimiter: req.ColumnDelimiter, lineEnding: req.LineEnding, created: now, modified: now, resultPages: map[int]int{}}
	s.jobs[id] = j
	s.jobOrder = append(s.jobOrder, id)
	fakeapi.WriteJSON(w, http.StatusOK, s.jobJSON(j, false))
}

// advance moves a job along UploadComplete → InProgress → JobComplete (or Failed) as it is
// polled, materializing its result when it completes. Locked.
func (s *Server) advance(j *job) {
	switch j.state {
	case "UploadComplete":
		j.state = "InProgress"
	case "InProgress":
		j.polls++
		if j.polls < s.knobs.BulkInProgressPolls {
			return
		}
		if slices.ContainsFunc(s.knobs.BulkFail, func(n string) bool { return strings.EqualFold(n, j.object.name) }) {
			j.state, j.errorMsg = "Failed", "InternalServerError : retry the job or use the REST API"
		} else {
			s.materialize(j)
			j.state = "JobComplete"
		}
	default:
		return
	}
	j.modified = s.clock.Now()
}

func (s *Server) materialize(j *job) {
	_, ids := j.query.run(j.operation == "queryAll")
	for _, f := range j.query.fields {
		j.header = append(j.header, f.Name)
	}
	for _, id := range ids {
		row := j.object.rows[id]
		rec := make([]string, len(j.query.fields))
		for i, f := range j.query.fields {
			rec[i] = csvValue(f, row[f.Name])
		}
		j.rows = append(j.rows, rec)
	}
}

// csvValue renders a value as Bulk CSV does: null is an empty field, datetimes end in Z.
func csvValue(f Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if f.Type == "date" {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case string:
		return x
	}
	return ""
}

func (s *Server) findJob(w http.ResponseWriter, r *http.Request) *job {
	j, ok := s.jobs[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return nil
	}
	return j
}

func (s *Server) handleJobGet(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.findJob(w, r)
	if j == nil {
		return
	}
	s.advance(j)
	fakeapi.WriteJSON(w, http.StatusOK, s.jobJSON(j, true))
}

func (s *Server) handleJobList(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := []map[string]any{}
	for _, id := range s.jobOrder {
		recs = append(recs, s.jobJSON(s.jobs[id], false))
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"done": true, "records": recs, "nextRecordsUrl": nil})
}

func (s *Server) handleJobPatch(w http.ResponseWriter, r *http.Request, ss session) {
	var req struct {
		State string `json:"state"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.State != "Aborted" {
		writeError(w, http.StatusBadRequest, "INVALIDJOBSTATE", `the only state change allowed is {"state":"Aborted"}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.findJob(w, r)
	if j == nil {
		return
	}
	if j.state == "JobComplete" || j.state == "Failed" {
		writeError(w, http.StatusBadRequest, "INVALIDJOBSTATE", "Job is already "+j.state)
		return
	}
	j.state, j.modified = "Aborted", s.clock.Now()
	fakeapi.WriteJSON(w, http.StatusOK, s.jobJSON(j, false))
}

func (s *Server) handleJobDelete(w http.ResponseWriter, r *http.Request, ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.findJob(w, r)
	if j == nil {
		return
	}
	delete(s.jobs, j.id)
	s.jobOrder = slices.DeleteFunc(s.jobOrder, func(id string) bool { return id == j.id })
	w.WriteHeader(http.StatusNoContent)
}

// handleJobResults serves one CSV page: a header row, then up to maxRecords rows from the
// locator's offset; Sforce-Locator names the next page, "null" after the last.
func (s *Server) handleJobResults(w http.ResponseWriter, r *http.Request, ss session) {
	offset := 0
	if loc := r.URL.Query().Get("locator"); loc != "" {
		raw, err := base64.RawStdEncoding.DecodeString(loc)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "INVALIDLOCATOR", "The locator is not valid: "+loc)
			return
		}
		offset = n
	}
	s.mu.Lock()
	j := s.findJob(w, r)
	if j == nil {
		s.mu.Unlock()
		return
	}
	size := s.knobs.BulkPageRecords
	if m := r.URL.Query().Get("maxRecords"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n <= 0 {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "INVALIDPARAMETER", "maxRecords must be a positive integer")
			return
		}
		size = n
	}
	switch {
	case j.version != ss.version:
		s.mu.Unlock()
		writeError(w, http.StatusConflict, "INVALIDJOBSTATE", fmt.Sprintf("Job %s was created with API version %s: get its results with that version", j.id, j.version))
		return
	case j.state != "JobComplete":
		s.mu.Unlock()
		writeError(w, http.StatusPreconditionFailed, "JOB_NOT_COMPLETE", "Job is not complete: its state is "+j.state)
		return
	case offset > len(j.rows):
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALIDLOCATOR", "The locator is past the end of the results")
		return
	}
	page, seen := j.resultPages[offset]
	if !seen {
		page = len(j.resultPages) + 1
		j.resultPages[offset] = page
	}
	ev := PageEvent{Object: j.object.name, Bulk: true, Page: page, Offset: offset}
	s.mu.Unlock()
	if offset > 0 {
		s.runHook(ev)
	}

	s.mu.Lock()
	end := min(offset+size, len(j.rows))
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Comma = delimiters[j.delimiter]
	cw.UseCRLF = j.lineEnding == "CRLF"
	_ = cw.Write(j.header)
	_ = cw.WriteAll(j.rows[offset:end])
	next := "null"
	if end < len(j.rows) {
		next = base64.RawStdEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Sforce-NumberOfRecords", strconv.Itoa(end-offset))
	w.Header().Set("Sforce-Locator", next)
	body := buf.Bytes()
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = z.Bytes()
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
