package marketo

// leads.go: the leads stream — its columns from describe, bulk export windows on updatedAt (or
// createdAt), the REST path through lead changes, and deleted leads as tombstones.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
)

// leadPlan is how leads are read: the REST names asked for, and the columns they fill.
type leadPlan struct {
	fields []string        // REST names, in describe order
	cols   []column        // one per known-type field, then deleted, deleted_at, _extra
	index  map[string]int  // REST name → column
	extra  map[string]bool // REST names of fields whose dataType is unknown: they go to _extra
	schema *arrow.Schema
}

// Column positions of the synthesized lead columns, from the end.
const (
	leadDeletedFromEnd   = 3
	leadDeletedAtFromEnd = 2
	leadExtraFromEnd     = 1
)

// leadPlan reads leads/describe.json and plans the columns.
func (s *source) leadPlan(ctx context.Context) (*leadPlan, error) {
	env, err := s.client.get(ctx, "/rest/v1/leads/describe.json", nil)
	if err != nil {
		return nil, err
	}
	var items []struct {
		DataType string `json:"dataType"`
		Rest     *struct {
			Name string `json:"name"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(orEmpty(env.Result), &items); err != nil {
		return nil, fmt.Errorf("describe leads: decode: %w", err)
	}
	want := map[string]bool{}
	for _, f := range s.fields {
		want[strings.ToLower(f)] = true
	}
	for _, f := range []string{"id", "createdat", "updatedat"} {
		want[f] = want[f] || len(s.fields) > 0
	}
	p := &leadPlan{index: map[string]int{}, extra: map[string]bool{}}
	byCol := map[string]string{"deleted": "(deleted flag)", "deleted_at": "(deletion time)", "_extra": "(extra fields)"}
	found := map[string]bool{}
	for _, it := range items {
		if it.Rest == nil || it.Rest.Name == "" {
			continue
		}
		name := it.Rest.Name
		if len(s.fields) > 0 && !want[strings.ToLower(name)] {
			continue
		}
		found[strings.ToLower(name)] = true
		p.fields = append(p.fields, name)
		k, ok := kindOf(it.DataType)
		if !ok {
			p.extra[name] = true
			continue
		}
		col := snakeCase(name)
		if prev, dup := byCol[col]; dup {
			return nil, fmt.Errorf("lead fields %s and %s both map to column %s: list the fields to read in lead_fields without one of them", prev, name, col)
		}
		byCol[col] = name
		p.index[name] = len(p.cols)
		p.cols = append(p.cols, column{col, k})
	}
	var missing []string
	for _, f := range s.fields {
		if !found[strings.ToLower(f)] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("lead_fields: %s not a lead field of this subscription (GET /rest/v1/leads/describe.json lists the REST names)",
			strings.Join(missing, ", ")+map[bool]string{true: " is", false: " are"}[len(missing) == 1])
	}
	for _, need := range []string{"id", "updatedAt", "createdAt"} {
		if _, ok := p.index[need]; !ok {
			return nil, fmt.Errorf("describe leads: the subscription has no %s field of a known type", need)
		}
	}
	if p.cols[p.index["id"]].kind != kInt {
		return nil, fmt.Errorf("describe leads: id is not an integer field")
	}
	p.cols = append(p.cols, column{"deleted", kBool}, column{"deleted_at", kTimestamp}, column{"_extra", kJSON})
	p.schema = schemaOf(p.cols, "id")
	return p, nil
}

func (p *leadPlan) newRow() row {
	r := make(row, len(p.cols))
	r[len(r)-leadDeletedFromEnd] = false
	return r
}

// fromCSV converts a CSV record whose header is header.
func (p *leadPlan) fromCSV(header, rec []string) (row, error) {
	r := p.newRow()
	extra := map[string]string{}
	for i, name := range header {
		if i >= len(rec) {
			break
		}
		j, ok := p.index[name]
		if !ok {
			if rec[i] != "" {
				extra[name] = rec[i]
			}
			continue
		}
		v, err := parseText(p.cols[j].kind, rec[i])
		if err != nil {
			return nil, fmt.Errorf("lead %s: field %s: %w", rec[0], name, err)
		}
		r[j] = v
	}
	if len(extra) > 0 {
		b, _ := json.Marshal(extra)
		r[len(r)-leadExtraFromEnd] = string(b)
	}
	return r, nil
}

// fromJSON converts a lead of leads.json.
func (p *leadPlan) fromJSON(o map[string]json.RawMessage) (row, error) {
	r := p.newRow()
	extra := map[string]json.RawMessage{}
	for name, raw := range o {
		j, ok := p.index[name]
		if !ok {
			if string(raw) != "null" {
				extra[name] = raw
			}
			continue
		}
		v, err := parseJSON(p.cols[j].kind, raw)
		if err != nil {
			return nil, fmt.Errorf("lead %s: field %s: %w", o["id"], name, err)
		}
		r[j] = v
	}
	if len(extra) > 0 {
		b, err := json.Marshal(extra)
		if err != nil {
			return nil, err
		}
		r[len(r)-leadExtraFromEnd] = string(b)
	}
	return r, nil
}

// tombstone is the row of a deleted lead.
func (p *leadPlan) tombstone(id int64, at time.Time) row {
	r := make(row, len(p.cols))
	r[p.index["id"]] = id
	r[len(r)-leadDeletedFromEnd] = true
	r[len(r)-leadDeletedAtFromEnd] = at
	return r
}

// leadsReader is one Read of the leads stream.
type leadsReader struct {
	src  *source
	plan *leadPlan
	cur  *leadsCursor
	emit func(context.Context, extract.Batch) error
	// fetched holds the updatedAt of each lead read by id in this read (REST mode).
	fetched map[int64]time.Time
}

// readLeads runs (or resumes) a read: the leads phase, then the deletes phase. See doc.go.
func (s *source) readLeads(ctx context.Context, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	cur, err := decodeLeadsCursor(from)
	if err != nil {
		return err
	}
	plan, err := s.leadPlan(ctx)
	if err != nil {
		return err
	}
	r := &leadsReader{src: s, plan: plan, cur: cur, emit: emit, fetched: map[int64]time.Time{}}
	if cur.Run == nil {
		run := &leadsRun{Until: s.now().UTC().Truncate(time.Second), Phase: phaseLeads, Mode: modeBulkUpdated, Next: s.start}
		if cur.Since == nil {
			run.Full = true
		} else {
			run.Next = *cur.Since
		}
		if s.useBulk == "never" {
			run.Mode = modeREST
		}
		cur.Run = run
	}
	if cur.Run.Phase == phaseLeads {
		if err := r.leadsPhase(ctx); err != nil {
			return err
		}
		cur.Run.Phase = phaseDeletes
		d := s.start
		if cur.DeletedSince != nil {
			d = *cur.DeletedSince
		}
		cur.Run.DeletedNext = ptime(d)
	}
	if cur.Run.DeletedNext == nil {
		cur.Run.DeletedNext = ptime(s.start)
	}
	if err := r.deletesPhase(ctx); err != nil {
		return err
	}
	run := cur.Run
	since := run.Until.Add(-s.lookback)
	if run.Mode == modeREST {
		since = run.Next
	}
	if cur.Since != nil && cur.Since.After(since) {
		since = *cur.Since
	}
	cur.Since, cur.DeletedSince, cur.Run = ptime(since), run.DeletedNext, nil
	return r.flush(ctx, nil, true)
}

// flush emits rows with the current cursor.
func (r *leadsReader) flush(ctx context.Context, rows []row, final bool) error {
	return r.src.emitRows(ctx, r.emit, r.plan.schema, r.plan.cols, rows, r.cur.clone().encode(), final)
}

// leadsPhase reads the leads changed since the run's Next, by bulk windows or through lead
// changes, switching mode on 1035 (no updatedAt filter) and, with use_bulk auto, on a spent
// export quota.
func (r *leadsReader) leadsPhase(ctx context.Context) error {
	s, run := r.src, r.cur.Run
	for {
		if run.Mode == modeREST {
			return r.restLeads(ctx)
		}
		err := r.bulkLeads(ctx)
		var be *BulkError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &be) && be.Code == "1035" && run.Mode == modeBulkUpdated:
			// The subscription lacks the updatedAt filter: a full export on createdAt (on a full
			// read, or with use_bulk always), else the lead changes since the cursor.
			if run.Full || s.useBulk == "always" {
				run.Mode, run.Next = modeBulkCreated, s.start
			} else {
				run.Mode = modeREST
			}
		case errors.Is(err, ErrExportQuota) && s.useBulk == "auto":
			run.Mode = modeREST
		default:
			return err
		}
	}
}

// bulkLeads exports the windows from run.Next to run.Until, max_export_days each, one or more
// batches per window; the last batch of a window moves Next to its end.
func (r *leadsReader) bulkLeads(ctx context.Context) error {
	s, run := r.src, r.cur.Run
	field := "updatedAt"
	if run.Mode == modeBulkCreated {
		field = "createdAt"
	}
	for run.Next.Before(run.Until) {
		end := run.Next.Add(time.Duration(s.days) * 24 * time.Hour)
		if end.After(run.Until) {
			end = run.Until
		}
		body, _ := json.Marshal(map[string]any{"fields": r.plan.fields, "format": "CSV",
			"filter": map[string]any{field: map[string]string{"startAt": run.Next.UTC().Format(time.RFC3339), "endAt": end.UTC().Format(time.RFC3339)}}})
		data, err := s.export(ctx, "leads", body)
		if err != nil {
			return fmt.Errorf("export leads by %s from %s to %s: %w", field, run.Next.Format(time.RFC3339), end.Format(time.RFC3339), err)
		}
		if err := r.emitCSV(ctx, data, end); err != nil {
			return err
		}
	}
	return nil
}

// emitCSV parses an export file and emits its rows; the last batch moves Next to end.
func (r *leadsReader) emitCSV(ctx context.Context, data []byte, end time.Time) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		r.cur.Run.Next = end
		return r.flush(ctx, nil, false)
	}
	if err != nil {
		return fmt.Errorf("export file: header: %w", err)
	}
	header = slices.Clone(header)
	cr.FieldsPerRecord = len(header)
	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("export file: %w", err)
		}
		rw, err := r.plan.fromCSV(header, rec)
		if err != nil {
			return fmt.Errorf("export file: %w", err)
		}
		rows = append(rows, rw)
		if len(rows) == maxBatchRows {
			if err := r.flush(ctx, rows, false); err != nil { // the window is re-read on resume
				return err
			}
			rows = nil
		}
	}
	r.cur.Run.Next = end
	return r.flush(ctx, rows, false)
}

// restLeads scans the activities that record lead changes — New Lead, Change Data Value and
// Change Score — from run.Next, and reads the leads they name by id; each page is a batch whose
// cursor moves Next to the page's latest activity minus the lookback. (leadchanges.json would
// miss score changes, which Marketo records as Change Score, not Change Data Value.)
func (r *leadsReader) restLeads(ctx context.Context) error {
	s, run := r.src, r.cur.Run
	types, err := s.activityTypes(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, t := range types {
		switch strings.ToLower(t.Name) {
		case "new lead", nameChangeDataValue, nameChangeScore:
			ids = append(ids, strconv.Itoa(t.ID))
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("the subscription has no New Lead, Change Data Value or Change Score activity type: read leads with use_bulk: always")
	}
	var passMax time.Time
	err = s.scanChanges(ctx, "/rest/v1/activities.json", run.Next, url.Values{"activityTypeIds": {strings.Join(ids, ",")}},
		func(items []activity, pageMax time.Time) error {
			// A lead read earlier in this read already shows the changes dated up to its
			// updatedAt: read it again only for a later change.
			var ids []int64
			onPage := map[int64]bool{}
			for _, a := range items {
				if t, ok := r.fetched[a.leadID]; a.leadID == 0 || onPage[a.leadID] || (ok && !a.date.After(t)) {
					continue
				}
				onPage[a.leadID] = true
				ids = append(ids, a.leadID)
			}
			rows, err := r.leadsByID(ctx, ids)
			if err != nil {
				return err
			}
			for _, rw := range rows {
				if t, ok := rw[r.plan.index["updatedAt"]].(time.Time); ok {
					r.fetched[rw[r.plan.index["id"]].(int64)] = t
				}
			}
			if pageMax.After(passMax) {
				passMax = pageMax
			}
			if t := pageMax.Add(-s.lookback); len(items) > 0 && t.After(run.Next) {
				run.Next = t
			}
			if len(rows) == 0 {
				return nil
			}
			return r.flush(ctx, rows, false)
		})
	if err != nil {
		return err
	}
	if passMax.IsZero() {
		passMax = run.Until
	}
	if t := passMax.Add(-s.lookback); t.After(run.Next) {
		run.Next = t
	}
	return nil
}

// leadsByID reads leads by id, batch_size ids a call.
func (r *leadsReader) leadsByID(ctx context.Context, ids []int64) ([]row, error) {
	s := r.src
	var rows []row
	for len(ids) > 0 {
		chunk := ids[:min(s.batch, len(ids))]
		ids = ids[len(chunk):]
		vals := make([]string, len(chunk))
		for i, id := range chunk {
			vals[i] = strconv.FormatInt(id, 10)
		}
		q := url.Values{"filterType": {"id"}, "filterValues": {strings.Join(vals, ",")},
			"fields": {strings.Join(r.plan.fields, ",")}, "batchSize": {strconv.Itoa(s.batch)}}
		for {
			env, err := s.client.get(ctx, "/rest/v1/leads.json", q)
			if err != nil {
				return nil, fmt.Errorf("leads by id: %w", err)
			}
			var items []map[string]json.RawMessage
			if err := json.Unmarshal(orEmpty(env.Result), &items); err != nil {
				return nil, fmt.Errorf("leads by id: decode: %w", err)
			}
			for _, it := range items {
				rw, err := r.plan.fromJSON(it)
				if err != nil {
					return nil, err
				}
				rows = append(rows, rw)
			}
			if env.NextPageToken == "" || len(items) == 0 {
				break
			}
			q.Set("nextPageToken", env.NextPageToken)
		}
	}
	return rows, nil
}

// deletesPhase emits a tombstone per deleted lead from run.DeletedNext; each page is a batch
// whose cursor moves DeletedNext to the page's latest deletion minus the lookback.
func (r *leadsReader) deletesPhase(ctx context.Context) error {
	s, run := r.src, r.cur.Run
	var passMax time.Time
	err := s.scanChanges(ctx, "/rest/v1/activities/deletedleads.json", *run.DeletedNext, nil,
		func(items []activity, pageMax time.Time) error {
			rows := make([]row, 0, len(items))
			for _, a := range items {
				rows = append(rows, r.plan.tombstone(a.leadID, a.date))
			}
			if pageMax.After(passMax) {
				passMax = pageMax
			}
			if t := pageMax.Add(-s.lookback); len(items) > 0 && t.After(*run.DeletedNext) {
				run.DeletedNext = ptime(t)
			}
			if len(rows) == 0 {
				return nil
			}
			return r.flush(ctx, rows, false)
		})
	if err != nil {
		return err
	}
	if passMax.IsZero() {
		passMax = run.Until
	}
	if t := passMax.Add(-s.lookback); t.After(*run.DeletedNext) {
		run.DeletedNext = ptime(t)
	}
	return nil
}

// scanChanges pages an endpoint that takes paging tokens (activities, deletedleads) from
// since, calling page for each page (empty ones too) with its activities and their latest date.
func (s *source) scanChanges(ctx context.Context, path string, since time.Time, extra url.Values,
	page func([]activity, time.Time) error) error {
	env, err := s.client.get(ctx, "/rest/v1/activities/pagingtoken.json", url.Values{"sinceDatetime": {since.UTC().Format(time.RFC3339)}})
	if err != nil {
		return err
	}
	token := env.NextPageToken
	stuck := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := url.Values{"nextPageToken": {token}, "batchSize": {strconv.Itoa(s.batch)}}
		for k, v := range extra {
			q[k] = v
		}
		env, err := s.client.activityPage(ctx, path, q)
		if err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		items := env.items
		var pageMax time.Time
		for _, a := range items {
			if a.date.After(pageMax) {
				pageMax = a.date
			}
		}
		if err := page(items, pageMax); err != nil {
			return err
		}
		if !env.moreResult {
			return nil
		}
		switch {
		case env.nextPageToken == "":
			return fmt.Errorf("%s page %d: moreResult is true but there is no nextPageToken", path, n)
		case len(items) == 0 && env.nextPageToken == token:
			if stuck++; stuck > maxStuckPages {
				return fmt.Errorf("%s: %d empty pages in a row without progress", path, stuck)
			}
		default:
			stuck = 0
		}
		token = env.nextPageToken
	}
}
