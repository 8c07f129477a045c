package fake

// bulk.go: Bulk Extract of leads and activities (/bulk/v1/{leads|activities}/export/…): jobs,
// their queue and limits, and the CSV files.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bulk job statuses.
const (
	statusCreated    = "Created"
	statusQueued     = "Queued"
	statusProcessing = "Processing"
	statusCompleted  = "Completed"
	statusFailed     = "Failed"
	statusCancelled  = "Cancelled"
)

// activityColumns are the columns of an activity export file.
func activityColumns() []string {
	return []string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
		"primaryAttributeValueId", "primaryAttributeValue", "attributes"}
}

type bulkJob struct {
	id          string
	kind        string // leads, activities, or "" for another user's job (Occupy)
	fields      []string
	filterField string
	start, end  time.Time
	typeIDs     []int
	status      string
	created     time.Time
	queued      time.Time
	started     time.Time
	finished    time.Time
	ticks       int
	file        []byte
	records     int
	checksum    string
	missing     bool
}

type bulkState struct {
	jobs  []*bulkJob // creation order
	seq   uint64
	bytes map[string]int64 // US Central day → file bytes completed
}

func newBulkState() *bulkState { return &bulkState{bytes: map[string]int64{}} }

func (b *bulkState) get(kind, id string) *bulkJob {
	for _, j := range b.jobs {
		if j.id == id && j.kind == kind {
			return j
		}
	}
	return nil
}

func (b *bulkState) newID() string {
	b.seq++
	x := b.seq*0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(x>>32), uint16(x>>16), uint16(x)&0xfff, b.seq&0xfff, b.seq)
}

// Occupy adds n queued export jobs of other API users; they go through the queue like the
// connector's own (and count against its limits).
func (s *Server) Occupy(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	for i := 0; i < n; i++ {
		s.bulk.jobs = append(s.bulk.jobs, &bulkJob{id: s.bulk.newID(), status: statusQueued, created: now, queued: now})
	}
}

// tick advances the queue by one step: processing jobs count down and complete, then queued jobs
// start while fewer than BulkMaxRunning process. Callers hold mu.
func (s *Server) tick() {
	now := s.Clock.Now()
	running := 0
	for _, j := range s.bulk.jobs {
		if j.status != statusProcessing {
			continue
		}
		j.ticks--
		if j.ticks > 0 {
			running++
			continue
		}
		s.complete(j, now)
	}
	for _, j := range s.bulk.jobs {
		if running >= s.knobs.BulkMaxRunning {
			break
		}
		if j.status == statusQueued {
			j.status, j.started, j.ticks = statusProcessing, now, s.knobs.BulkProcessingTicks
			running++
		}
	}
}

// complete writes the job's file from the data as it is now.
func (s *Server) complete(j *bulkJob, now time.Time) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	nul := s.knobs.CSVNulBytes
	write := func(rec []string) {
		if nul {
			for i, v := range rec {
				if len(v) > 1 && i%2 == 1 {
					rec[i] = v[:1] + "\x00" + v[1:]
				}
			}
		}
		_ = w.Write(rec)
	}
	in := func(t time.Time) bool { return !t.Before(j.start) && !t.After(j.end) }
	switch j.kind {
	case "leads":
		_ = w.Write(j.fields)
		var fs []Field
		for _, name := range j.fields {
			f, _ := s.st.field(name)
			fs = append(fs, f)
		}
		for _, id := range sortedKeys(s.st.leads) {
			l := s.st.leads[id]
			stamp := l.CreatedAt
			if j.filterField == "updatedAt" {
				stamp = l.UpdatedAt
			}
			if !in(stamp) {
				continue
			}
			rec := make([]string, len(fs))
			for i, f := range fs {
				if v := render(f, l.Value(f.Name)); v != nil {
					rec[i] = fmt.Sprint(v)
				}
			}
			write(rec)
			j.records++
		}
	case "activities":
		_ = w.Write(j.fields)
		for _, a := range s.st.log {
			if a.TypeID == TypeDeleteLead || !in(a.ActivityDate) || (len(j.typeIDs) > 0 && !slices.Contains(j.typeIDs, a.TypeID)) {
				continue
			}
			row := activityRow(a)
			rec := make([]string, len(j.fields))
			for i, c := range j.fields {
				rec[i] = row[c]
			}
			write(rec)
			j.records++
		}
	}
	w.Flush()
	j.file = buf.Bytes()
	sum := sha256.Sum256(j.file)
	j.checksum = hex.EncodeToString(sum[:])
	j.status, j.finished = statusCompleted, now
	s.bulk.bytes[s.dayKey()] += int64(len(j.file))
	if j.kind != "" && s.knobs.MissingFiles > 0 {
		s.knobs.MissingFiles--
		j.missing = true
	}
}

// activityRow renders an activity's export columns.
func activityRow(a *Activity) map[string]string {
	opt := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	attrs := map[string]any{}
	for _, at := range a.Attributes {
		if at.Value != nil && at.Value != "" {
			attrs[at.Name] = at.Value
		}
	}
	js, _ := json.Marshal(attrs)
	return map[string]string{"marketoGUID": a.MarketoGUID, "leadId": strconv.FormatInt(a.LeadID, 10),
		"activityDate": a.ActivityDate.UTC().Format(time.RFC3339), "activityTypeId": strconv.Itoa(a.TypeID),
		"campaignId": opt(a.CampaignID), "primaryAttributeValueId": opt(a.PrimaryAttributeValueID),
		"primaryAttributeValue": a.PrimaryAttributeValue, "attributes": string(js)}
}

func (j *bulkJob) statusJSON() map[string]any {
	m := map[string]any{"exportId": j.id, "format": "CSV", "status": j.status,
		"createdAt": j.created.UTC().Format(time.RFC3339)}
	stamp := func(k string, t time.Time) {
		if !t.IsZero() {
			m[k] = t.UTC().Format(time.RFC3339)
		}
	}
	stamp("queuedAt", j.queued)
	stamp("startedAt", j.started)
	stamp("finishedAt", j.finished)
	if j.status == statusCompleted {
		m["numberOfRecords"] = j.records
		m["fileSize"] = len(j.file)
		m["fileChecksum"] = j.checksum
	}
	return m
}

// bulkAnswer is what a bulk request gets: an envelope, or a file.
type bulkAnswer struct {
	result   any
	err      *apiError
	file     []byte
	modified time.Time
	notFound bool
}

// serveBulk routes an admitted bulk request.
func (s *Server) serveBulk(w http.ResponseWriter, r *http.Request) {
	a := s.routeBulk(r)
	switch {
	case a.err != nil:
		s.writeFailure(w, a.err)
	case a.notFound:
		s.countError("HTTP 404")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Not Found\n"))
	case a.file != nil:
		w.Header().Set("Content-Type", "text/csv")
		http.ServeContent(w, r, "", a.modified, bytes.NewReader(a.file))
	default:
		s.writeResult(w, a.result, nil)
	}
}

func (s *Server) routeBulk(r *http.Request) bulkAnswer {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/bulk/v1/"), "/")
	if len(parts) < 2 || (parts[0] != "leads" && parts[0] != "activities") {
		return bulkAnswer{err: errf("610", "Requested resource not found")}
	}
	kind := parts[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	now := s.Clock.Now()
	switch {
	case len(parts) == 2 && parts[1] == "export.json" && r.Method == http.MethodGet:
		return s.listJobs(kind, r.URL.Query().Get("status"), now)
	case len(parts) == 3 && parts[1] == "export" && parts[2] == "create.json" && r.Method == http.MethodPost:
		return s.createJob(kind, r, now)
	case len(parts) == 4 && parts[1] == "export":
		j := s.bulk.get(kind, parts[2])
		if j == nil {
			return bulkAnswer{err: errf("1003", "Export id %s not found", parts[2])}
		}
		switch {
		case parts[3] == "enqueue.json" && r.Method == http.MethodPost:
			return s.enqueue(j, now)
		case parts[3] == "status.json" && r.Method == http.MethodGet:
			return bulkAnswer{result: []any{j.statusJSON()}}
		case parts[3] == "cancel.json" && r.Method == http.MethodPost:
			if j.status == statusCreated || j.status == statusQueued || j.status == statusProcessing {
				j.status = statusCancelled
			}
			return bulkAnswer{result: []any{j.statusJSON()}}
		case parts[3] == "file.json" && r.Method == http.MethodGet:
			if j.status != statusCompleted || j.missing || now.Sub(j.finished) > 7*24*time.Hour {
				return bulkAnswer{notFound: true}
			}
			return bulkAnswer{file: j.file, modified: j.finished}
		}
	}
	return bulkAnswer{err: errf("610", "Requested resource not found")}
}

func (s *Server) listJobs(kind, statuses string, now time.Time) bulkAnswer {
	want := splitList(statuses)
	out := []any{}
	for _, j := range s.bulk.jobs {
		if j.kind == kind && now.Sub(j.created) <= 7*24*time.Hour && (len(want) == 0 || slices.Contains(want, j.status)) {
			out = append(out, j.statusJSON())
		}
	}
	return bulkAnswer{result: out}
}

// window reads one {"startAt","endAt"} filter.
func window(raw json.RawMessage, name string) (time.Time, time.Time, *apiError) {
	var win struct {
		StartAt string `json:"startAt"`
		EndAt   string `json:"endAt"`
	}
	if err := json.Unmarshal(raw, &win); err != nil {
		return time.Time{}, time.Time{}, errf("1003", "Invalid %s filter: %v", name, err)
	}
	start, ok1 := parseSince(win.StartAt)
	end, ok2 := parseSince(win.EndAt)
	switch {
	case !ok1 || !ok2:
		return time.Time{}, time.Time{}, errf("1003", "Invalid %s filter: startAt and endAt must be ISO 8601 datetimes", name)
	case end.Before(start):
		return time.Time{}, time.Time{}, errf("1003", "Invalid %s filter: endAt is before startAt", name)
	case end.Sub(start) > 31*24*time.Hour:
		return time.Time{}, time.Time{}, errf("1003", "Invalid %s filter: date range exceeds 31 days", name)
	}
	return start, end, nil
}

func (s *Server) createJob(kind string, r *http.Request, now time.Time) bulkAnswer {
	var body struct {
		Fields []string                   `json:"fields"`
		Format string                     `json:"format"`
		Filter map[string]json.RawMessage `json:"filter"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return bulkAnswer{err: errf("1003", "Invalid request body: %v", err)}
	}
	if body.Format != "" && body.Format != "CSV" {
		return bulkAnswer{err: errf("1003", "Format %s is not supported by the fake: use CSV", body.Format)}
	}
	j := &bulkJob{id: s.bulk.newID(), kind: kind, status: statusCreated, created: now}
	switch kind {
	case "leads":
		if len(body.Fields) == 0 {
			return bulkAnswer{err: errf("1003", "fields cannot be blank")}
		}
		for _, f := range body.Fields {
			if _, ok := s.st.field(f); !ok {
				return bulkAnswer{err: errf("1006", "Field '%s' not found", f)}
			}
		}
		j.fields = slices.Clone(body.Fields)
		if len(body.Filter) != 1 {
			return bulkAnswer{err: errf("1003", "Exactly one filter is required (createdAt or updatedAt)")}
		}
		for name, raw := range body.Filter {
			switch name {
			case "createdAt", "updatedAt":
			default:
				return bulkAnswer{err: errf("1003", "Filter type %s is not supported by the fake", name)}
			}
			if name == "updatedAt" && s.knobs.NoUpdatedAtFilter {
				return bulkAnswer{err: errf("1035", "Unsupported filter type for target subscription: updatedAt")}
			}
			start, end, e := window(raw, name)
			if e != nil {
				return bulkAnswer{err: e}
			}
			j.filterField, j.start, j.end = name, start, end
		}
	case "activities":
		j.fields = activityColumns()
		if len(body.Fields) > 0 {
			for _, f := range body.Fields {
				if !slices.Contains(activityColumns(), f) {
					return bulkAnswer{err: errf("1003", "Invalid activity export field '%s'", f)}
				}
			}
			j.fields = slices.Clone(body.Fields)
		}
		raw, ok := body.Filter["createdAt"]
		if !ok {
			return bulkAnswer{err: errf("1003", "A createdAt filter is required")}
		}
		start, end, e := window(raw, "createdAt")
		if e != nil {
			return bulkAnswer{err: e}
		}
		j.filterField, j.start, j.end = "createdAt", start, end
		for name, raw := range body.Filter {
			switch name {
			case "createdAt":
			case "activityTypeIds":
				if err := json.Unmarshal(raw, &j.typeIDs); err != nil {
					return bulkAnswer{err: errf("1003", "Invalid activityTypeIds: %v", err)}
				}
			default:
				return bulkAnswer{err: errf("1003", "Filter type %s is not supported by the fake", name)}
			}
		}
	}
	s.bulk.jobs = append(s.bulk.jobs, j)
	return bulkAnswer{result: []any{j.statusJSON()}}
}

func (s *Server) enqueue(j *bulkJob, now time.Time) bulkAnswer {
	if j.status != statusCreated {
		return bulkAnswer{err: errf("1003", "Export %s is %s, not Created", j.id, j.status)}
	}
	if used := s.bulk.bytes[s.dayKey()]; used >= s.knobs.ExportDailyQuotaBytes {
		return bulkAnswer{err: errf("1029", "Export daily quota %d MB exceeded", s.knobs.ExportDailyQuotaBytes>>20)}
	}
	queued := 0
	for _, o := range s.bulk.jobs {
		if o.status == statusQueued || o.status == statusProcessing {
			queued++
		}
	}
	if queued >= s.knobs.BulkMaxQueued {
		return bulkAnswer{err: errf("1029", "Too many jobs (%d) in queue", queued)}
	}
	j.status, j.queued = statusQueued, now
	return bulkAnswer{result: []any{j.statusJSON()}}
}
