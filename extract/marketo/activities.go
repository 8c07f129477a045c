package marketo

// activities.go: the activity_types, activities and lead_lifecycle streams, and the paging-token
// scan they share.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/extract"
)

// maxStuckPages bounds the empty pages in a row that leave the paging token unchanged.
const maxStuckPages = 100

// typeColumns are the activity_types columns.
func typeColumns() []column {
	return []column{
		{"id", kInt}, {"name", kString}, {"description", kString}, {"primary_attribute_name", kString},
		{"primary_attribute_data_type", kString}, {"attributes", kJSON}, {"_extra", kJSON},
	}
}

// activityColumns are the activities columns.
func activityColumns() []column {
	return []column{
		{"marketo_guid", kString}, {"id", kInt}, {"lead_id", kInt}, {"activity_date", kTimestamp},
		{"activity_type_id", kInt}, {"activity_type_name", kString}, {"campaign_id", kInt},
		{"primary_attribute_value_id", kInt}, {"primary_attribute_value", kString}, {"attributes", kJSON},
		{"_extra", kJSON},
	}
}

// lifecycleColumns are the lead_lifecycle columns.
func lifecycleColumns() []column {
	return []column{
		{"marketo_guid", kString}, {"lead_id", kInt}, {"changed_at", kTimestamp}, {"activity_type_id", kInt},
		{"activity_type_name", kString}, {"subject", kString}, {"old_value", kString}, {"new_value", kString},
		{"reason", kString}, {"is_mql", kBool},
	}
}

// Lifecycle activity type names (matched case-insensitively against types.json).
const (
	nameChangeDataValue    = "change data value"
	nameChangeScore        = "change score"
	nameChangeProgStatus   = "change status in progression"
	nameChangeRevenueStage = "change revenue stage"
	nameChangeRevenueManul = "change revenue stage manually"
)

// activityType is an entry of activities/types.json.
type activityType struct {
	ID   int
	Name string
	raw  map[string]json.RawMessage
}

// activityTypes reads activities/types.json.
func (s *source) activityTypes(ctx context.Context) ([]activityType, error) {
	env, err := s.client.get(ctx, "/rest/v1/activities/types.json", nil)
	if err != nil {
		return nil, err
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(orEmpty(env.Result), &items); err != nil {
		return nil, fmt.Errorf("activity types: decode: %w", err)
	}
	out := make([]activityType, 0, len(items))
	for _, it := range items {
		var t activityType
		if err := json.Unmarshal(it["id"], &t.ID); err != nil || t.ID <= 0 {
			return nil, fmt.Errorf("activity types: an entry has no valid id: %s", it["id"])
		}
		_ = json.Unmarshal(it["name"], &t.Name)
		t.raw = it
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("[]")
	}
	return raw
}

// readActivityTypes emits every activity type (a Replace stream) in one final batch.
func (s *source) readActivityTypes(ctx context.Context, emit func(context.Context, extract.Batch) error) error {
	types, err := s.activityTypes(ctx)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(types))
	for _, t := range types {
		var prim struct {
			Name     string `json:"name"`
			DataType string `json:"dataType"`
		}
		_ = json.Unmarshal(t.raw["primaryAttribute"], &prim)
		desc, _ := parseJSON(kString, t.raw["description"])
		attrs, _ := parseJSON(kJSON, t.raw["attributes"])
		rows = append(rows, row{int64(t.ID), t.Name, desc, nonEmpty(prim.Name), nonEmpty(prim.DataType), attrs,
			extraOf(t.raw, "id", "name", "description", "primaryAttribute", "attributes")})
	}
	return s.emitRows(ctx, emit, schemaOf(typeColumns(), "id"), typeColumns(), rows, extract.Cursor(`{"v":1}`), true)
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// extraOf renders the members of o not consumed (and not null) as a JSON object; nil when none.
func extraOf(o map[string]json.RawMessage, consumed ...string) any {
	rest := map[string]json.RawMessage{}
	for k, v := range o {
		if !slices.Contains(consumed, k) && string(v) != "null" {
			rest[k] = v
		}
	}
	if len(rest) == 0 {
		return nil
	}
	b, err := json.Marshal(rest)
	if err != nil {
		return nil
	}
	return string(b)
}

// readAhead requests pages one at a time, the next while the caller converts and emits the
// last, so that waiting for Marketo and loading overlap. Requests never overlap one another, and
// the caller (the Read) still emits synchronously, in order. close cancels a request under way
// and waits for it, so that no request outlives the Read.
type readAhead struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan pageResult // the request under way; nil when none
}

type pageResult struct {
	page *activityPage
	err  error
}

func newReadAhead(ctx context.Context) *readAhead {
	ctx, cancel := context.WithCancel(ctx)
	return &readAhead{ctx: ctx, cancel: cancel}
}

// start sends a request in the background; the previous one must have been awaited.
func (r *readAhead) start(fetch func(context.Context) (*activityPage, error)) {
	ch := make(chan pageResult, 1)
	r.ch = ch
	go func() {
		p, err := fetch(r.ctx)
		ch <- pageResult{p, err}
	}()
}

// wait returns the answer of the request under way.
func (r *readAhead) wait() (*activityPage, error) {
	if r.ch == nil {
		return nil, errors.New("no page was requested")
	}
	res := <-r.ch
	r.ch = nil
	return res.page, res.err
}

func (r *readAhead) close() {
	r.cancel()
	if r.ch != nil {
		<-r.ch
		r.ch = nil
	}
}

// intValue and textValue convert a raw JSON member of an activity (nil when absent).
func intValue(raw []byte) any {
	if len(raw) > 0 && raw[0] >= '0' && raw[0] <= '9' {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return n
		}
	}
	v, _ := parseJSON(kInt, raw)
	return v
}

func textValue(raw []byte) any {
	if len(raw) >= 2 && raw[0] == '"' && plainString(raw) {
		return nonEmpty(string(raw[1 : len(raw)-1]))
	}
	v, _ := parseJSON(kString, raw)
	return v
}

// readActivities emits the activities of the configured types (default: every type).
func (s *source) readActivities(ctx context.Context, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	cur, err := decodeActivityCursor(from)
	if err != nil {
		return err
	}
	types, err := s.activityTypes(ctx)
	if err != nil {
		return err
	}
	names := map[int]string{}
	var ids []int
	for _, t := range types {
		names[t.ID] = t.Name
		ids = append(ids, t.ID)
	}
	if len(s.typeIDs) > 0 {
		for _, id := range s.typeIDs {
			if _, ok := names[id]; !ok {
				return fmt.Errorf("activity_type_ids: %d is not an activity type of this subscription (GET /rest/v1/activities/types.json)", id)
			}
		}
		ids = slices.Clone(s.typeIDs)
	}
	return s.scan(ctx, cur, ids, newActivitiesSink(s.mem, names), emit)
}

func nonZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// readLifecycle emits the lead lifecycle changes: Change Data Value of the lead status field,
// Change Score, Change Status in Progression and Change Revenue Stage (…Manually), each with
// is_mql per the mql rules (see doc.go).
func (s *source) readLifecycle(ctx context.Context, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	cur, err := decodeActivityCursor(from)
	if err != nil {
		return err
	}
	types, err := s.activityTypes(ctx)
	if err != nil {
		return err
	}
	kinds := map[int]string{}
	names := map[int]string{}
	var ids []int
	for _, t := range types {
		switch n := strings.ToLower(strings.TrimSpace(t.Name)); n {
		case nameChangeDataValue, nameChangeScore, nameChangeProgStatus, nameChangeRevenueStage, nameChangeRevenueManul:
			kinds[t.ID], names[t.ID] = n, t.Name
			ids = append(ids, t.ID)
		}
	}
	toRow := func(a *activity) (row, error) {
		subject := textValue(a.primaryValue)
		subj, _ := subject.(string)
		newV := a.attrText("New Value", "New Status", "New Stage")
		oldV := a.attrText("Old Value", "Old Status", "Old Stage")
		isMQL := false
		switch kinds[a.typeID] {
		case nameChangeDataValue:
			if !strings.EqualFold(subj, s.mql.statusField) {
				return nil, nil // another field's change: not lifecycle
			}
			isMQL = inFold(newV, s.mql.statusValues)
		case nameChangeScore:
			if t := s.mql.scoreThreshold; t > 0 && strings.EqualFold(subj, s.mql.scoreField) {
				o, n := number(oldV), number(newV)
				isMQL = n != nil && *n >= float64(t) && (o == nil || *o < float64(t))
			}
		case nameChangeProgStatus:
			isMQL = inFold(newV, s.mql.programStatuses)
		case nameChangeRevenueStage, nameChangeRevenueManul:
			isMQL = inFold(newV, s.mql.revenueStages)
		}
		return row{a.guid, a.leadID, a.date, int64(a.typeID), nonEmpty(names[a.typeID]), subject, oldV, newV,
			a.attrText("Reason"), isMQL}, nil
	}
	return s.scan(ctx, cur, ids, &rowSink{mem: s.mem, schema: schemaOf(lifecycleColumns(), "marketo_guid"), cols: lifecycleColumns(),
		toRow: toRow}, emit)
}

func inFold(v any, list []string) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(x)) {
			return true
		}
	}
	return false
}

func number(v any) *float64 {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return nil
	}
	return &f
}

// scan reads the activities of types ids after the cursor: the types in groups of at most ten
// (by id, so that the groups and their cursors stay the same from read to read), each group
// from a paging token minted at its earliest cursor, page by page while moreResult is true —
// empty pages included. Each page moves the group's types to its latest activityDate minus the
// lookback; the rows of consecutive pages are emitted together once they reach s.batchRows
// (and before an error is returned), with the cursor after their last page. At the end of a
// group its types move to the latest activityDate seen (or, when the group saw none, the read's
// start) minus the lookback. sink turns the activities into rows.
func (s *source) scan(ctx context.Context, cur *activityCursor, ids []int, sink activitySink,
	emit func(context.Context, extract.Batch) error) (err error) {
	start := s.now().UTC().Truncate(time.Second)
	defer sink.release()
	// The sink holds the rows of the pages read since the last batch; cur already covers them.
	flush := func(final bool) error {
		if sink.rows() == 0 && !final {
			return nil
		}
		rec, err := sink.take()
		if err != nil {
			return err
		}
		return emit(ctx, extract.Batch{Records: rec, Cursor: cur.encode(), Final: final})
	}
	defer func() {
		// Keep the progress made before an API error (a spent quota stops the read cleanly).
		if err != nil && sink.rows() > 0 && ctx.Err() == nil {
			if ferr := flush(false); ferr != nil {
				err = ferr
			}
		}
	}()
	since := func(id int) time.Time {
		if t, ok := cur.Since[id]; ok {
			return t
		}
		return s.start
	}
	advance := func(group []int, to time.Time) {
		for _, id := range group {
			if t := to.Add(-s.lookback).Truncate(time.Second); t.After(since(id)) {
				cur.Since[id] = t
			} else {
				cur.Since[id] = since(id)
			}
		}
	}
	ids = slices.Clone(ids)
	slices.Sort(ids) // the same groups every read, so that a group's types share their cursor
	for len(ids) > 0 {
		group := ids[:min(10, len(ids))]
		ids = ids[len(group):]
		from := since(group[0])
		for _, id := range group[1:] {
			if t := since(id); t.Before(from) {
				from = t
			}
		}
		env, err := s.client.get(ctx, "/rest/v1/activities/pagingtoken.json", url.Values{"sinceDatetime": {from.UTC().Format(time.RFC3339)}})
		if err != nil {
			return err
		}
		token := env.NextPageToken
		if token == "" {
			return fmt.Errorf("pagingtoken.json returned no nextPageToken")
		}
		idList := make([]string, len(group))
		for i, id := range group {
			idList[i] = strconv.Itoa(id)
		}
		var passMax time.Time
		stuck := 0
		pages := newReadAhead(ctx)
		defer pages.close()
		request := func(token string) func(context.Context) (*activityPage, error) {
			q := url.Values{"nextPageToken": {token}, "activityTypeIds": {strings.Join(idList, ",")}, "batchSize": {strconv.Itoa(s.batch)}}
			return func(ctx context.Context) (*activityPage, error) {
				return s.client.activityPage(ctx, "/rest/v1/activities.json", q)
			}
		}
		pages.start(request(token))
		for page := 1; ; page++ {
			env, err := pages.wait()
			if err != nil {
				return fmt.Errorf("activities of types %s, page %d: %w", strings.Join(idList, ","), page, err)
			}
			if env.moreResult && env.nextPageToken != "" {
				pages.start(request(env.nextPageToken)) // read ahead while this page is loaded
			}
			items := env.items
			var pageMax time.Time
			for i := range items {
				a := &items[i]
				if a.date.After(pageMax) {
					pageMax = a.date
				}
				if err := sink.add(a); err != nil {
					return err
				}
			}
			if pageMax.After(passMax) {
				passMax = pageMax
			}
			if len(items) > 0 {
				advance(group, pageMax)
			}
			if sink.rows() >= s.batchRows {
				if err := flush(false); err != nil {
					return err
				}
			}
			if !env.moreResult {
				break
			}
			switch {
			case env.nextPageToken == "":
				return fmt.Errorf("activities page %d: moreResult is true but there is no nextPageToken", page)
			case len(items) == 0 && env.nextPageToken == token:
				if stuck++; stuck > maxStuckPages {
					return fmt.Errorf("activities: %d empty pages in a row without progress", stuck)
				}
			default:
				stuck = 0
			}
			token = env.nextPageToken
		}
		pages.close()
		if passMax.IsZero() {
			passMax = start
		}
		advance(group, passMax)
	}
	return flush(true)
}
