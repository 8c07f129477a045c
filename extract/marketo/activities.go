package marketo

// activities.go: the activity_types, activities and lead_lifecycle streams, and the paging-token
// scan they share.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

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

// activity is a decoded activity of activities.json.
type activity struct {
	raw    map[string]json.RawMessage
	guid   string
	id     int64
	leadID int64
	date   time.Time
	typeID int
	attrs  map[string]json.RawMessage // name → value
}

func decodeActivity(raw map[string]json.RawMessage) (*activity, error) {
	a := &activity{raw: raw, attrs: map[string]json.RawMessage{}}
	_ = json.Unmarshal(raw["marketoGUID"], &a.guid)
	_ = json.Unmarshal(raw["id"], &a.id)
	if a.guid == "" && a.id != 0 {
		a.guid = strconv.FormatInt(a.id, 10) // older subscriptions: the id is the key
	}
	var date string
	_ = json.Unmarshal(raw["activityDate"], &date)
	_ = json.Unmarshal(raw["leadId"], &a.leadID)
	_ = json.Unmarshal(raw["activityTypeId"], &a.typeID)
	t, err := parseTime(date)
	if a.guid == "" || err != nil || a.typeID == 0 {
		return nil, fmt.Errorf("malformed activity (id %s, marketoGUID %s, activityDate %q)", raw["id"], raw["marketoGUID"], date)
	}
	a.date = t
	var attrs []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	}
	if len(raw["attributes"]) > 0 && string(raw["attributes"]) != "null" {
		if err := json.Unmarshal(raw["attributes"], &attrs); err != nil {
			return nil, fmt.Errorf("activity %s: attributes: %w", a.guid, err)
		}
	}
	for _, at := range attrs {
		a.attrs[at.Name] = at.Value
	}
	return a, nil
}

// attrText is an attribute's value as text (a JSON string's content, or the JSON itself).
func (a *activity) attrText(names ...string) any {
	for _, n := range names {
		raw, ok := a.attrs[n]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return nonEmpty(s)
		}
		return string(raw)
	}
	return nil
}

func (a *activity) text(key string) any {
	v, _ := parseJSON(kString, a.raw[key])
	return v
}

func (a *activity) integer(key string) any {
	v, _ := parseJSON(kInt, a.raw[key])
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
	toRow := func(a *activity) (row, error) {
		attrs := "{}"
		if len(a.attrs) > 0 {
			b, err := json.Marshal(a.attrs)
			if err != nil {
				return nil, fmt.Errorf("activity %s: attributes: %w", a.guid, err)
			}
			attrs = string(b)
		}
		return row{a.guid, nonZero(a.id), a.leadID, a.date, int64(a.typeID), nonEmpty(names[a.typeID]),
			a.integer("campaignId"), a.integer("primaryAttributeValueId"), a.text("primaryAttributeValue"), attrs,
			extraOf(a.raw, "id", "marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
				"primaryAttributeValueId", "primaryAttributeValue", "attributes")}, nil
	}
	return s.scan(ctx, cur, ids, activityColumns(), schemaOf(activityColumns(), "marketo_guid"), toRow, emit)
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
		subject := a.text("primaryAttributeValue")
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
	return s.scan(ctx, cur, ids, lifecycleColumns(), schemaOf(lifecycleColumns(), "marketo_guid"), toRow, emit)
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
// from a paging token minted at its earliest cursor, page by page while moreResult is true — empty pages included. Each page with rows is
// one batch; its cursor moves the group's types to the page's latest activityDate minus the
// lookback. At the end of a group its types move to the latest activityDate seen (or, when the
// group saw none, the read's start) minus the lookback. toRow returns nil to skip an activity.
func (s *source) scan(ctx context.Context, cur *activityCursor, ids []int, cols []column, schema *arrow.Schema,
	toRow func(*activity) (row, error), emit func(context.Context, extract.Batch) error) error {
	start := s.now().UTC().Truncate(time.Second)
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
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			q := url.Values{"nextPageToken": {token}, "activityTypeIds": {strings.Join(idList, ",")}, "batchSize": {strconv.Itoa(s.batch)}}
			env, err := s.client.get(ctx, "/rest/v1/activities.json", q)
			if err != nil {
				return fmt.Errorf("activities of types %s, page %d: %w", strings.Join(idList, ","), page, err)
			}
			var items []map[string]json.RawMessage
			if err := json.Unmarshal(orEmpty(env.Result), &items); err != nil {
				return fmt.Errorf("activities page %d: decode: %w", page, err)
			}
			var rows []row
			var pageMax time.Time
			for _, it := range items {
				a, err := decodeActivity(it)
				if err != nil {
					return fmt.Errorf("activities page %d: %w", page, err)
				}
				if a.date.After(pageMax) {
					pageMax = a.date
				}
				r, err := toRow(a)
				if err != nil {
					return err
				}
				if r != nil {
					rows = append(rows, r)
				}
			}
			if pageMax.After(passMax) {
				passMax = pageMax
			}
			if len(items) > 0 {
				advance(group, pageMax)
			}
			if len(rows) > 0 {
				if err := s.emitRows(ctx, emit, schema, cols, rows, cur.encode(), false); err != nil {
					return err
				}
			}
			if !env.MoreResult {
				break
			}
			switch {
			case env.NextPageToken == "":
				return fmt.Errorf("activities page %d: moreResult is true but there is no nextPageToken", page)
			case len(items) == 0 && env.NextPageToken == token:
				if stuck++; stuck > maxStuckPages {
					return fmt.Errorf("activities: %d empty pages in a row without progress", stuck)
				}
			default:
				stuck = 0
			}
			token = env.NextPageToken
		}
		if passMax.IsZero() {
			passMax = start
		}
		advance(group, passMax)
	}
	return s.emitRows(ctx, emit, schema, cols, nil, cur.encode(), true)
}
