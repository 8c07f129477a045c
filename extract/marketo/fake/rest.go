package fake

// rest.go: the REST endpoints under /rest/v1/ — describe, leads, activity types, paging tokens,
// activities, deleted leads, lead changes and usage.

import (
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// serveREST routes an admitted REST request.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Query().Get("_method") != "GET" {
		s.writeFailure(w, errf("1003", "This endpoint is read-only in the fake: use GET, or POST with _method=GET"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.writeFailure(w, errf("1003", "Unsupported method %s", r.Method))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeFailure(w, errf("1003", "Invalid request: %v", err))
		return
	}
	q := r.Form
	if tok := q.Get("nextPageToken"); tok != "" {
		s.mu.Lock()
		s.pages[r.URL.Path]++
		ev, hook := PageEvent{Path: r.URL.Path, Page: s.pages[r.URL.Path], Token: tok}, s.onPage
		s.mu.Unlock()
		if hook != nil {
			hook(ev)
		}
	}
	result, extra, e := s.routeREST(r.URL.Path, q)
	if e != nil {
		s.writeFailure(w, e)
		return
	}
	s.writeResult(w, result, extra)
}

// routeREST computes a REST answer under the lock.
func (s *Server) routeREST(path string, q map[string][]string) (result any, extra map[string]any, e *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch strings.TrimPrefix(path, "/rest/v1/") {
	case "leads/describe.json", "leads/describe2.json":
		result = s.describe()
	case "leads.json":
		result, extra, e = s.leads(q)
	case "activities/types.json":
		result = s.activityTypes()
	case "activities/pagingtoken.json":
		extra, e = s.pagingToken(q)
	case "activities.json":
		result, extra, e = s.activities(q)
	case "activities/deletedleads.json":
		result, extra, e = s.deletedLeads(q)
	case "activities/leadchanges.json":
		result, extra, e = s.leadChanges(q)
	case "stats/usage.json":
		n := s.usage[s.dayKey()]
		result = []map[string]any{{"date": s.dayKey(), "total": n,
			"users": []map[string]any{{"userId": s.opts.ClientID + "@" + strings.TrimPrefix(s.opts.Scope, "apis@"), "count": n}}}}
	default:
		e = errf("610", "Requested resource not found")
	}
	return result, extra, e
}

func (s *Server) describe() []map[string]any {
	out := make([]map[string]any, 0, len(s.st.fields))
	for _, f := range s.st.fields {
		m := map[string]any{"id": f.ID, "displayName": f.DisplayName, "dataType": f.DataType,
			"rest": map[string]any{"name": f.Name, "readOnly": f.ReadOnly},
			"soap": map[string]any{"name": strings.ToUpper(f.Name[:1]) + f.Name[1:], "readOnly": f.ReadOnly}}
		if f.Length > 0 {
			m["length"] = f.Length
		}
		out = append(out, m)
	}
	return out
}

// jsonValue renders a field value in a REST response.
func jsonValue(f Field, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if f.DataType == "date" {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339)
	case string:
		if f.DataType == "currency" {
			return json.Number(x)
		}
	}
	return v
}

func batchSize(q map[string][]string) (int, *apiError) {
	v := first(q, "batchSize")
	if v == "" {
		return 300, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 300 {
		return 0, errf("1003", "Invalid batchSize '%s': use 1 to 300", v)
	}
	return n, nil
}

func first(q map[string][]string, k string) string {
	if vs := q[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// leads answers leads.json: leads whose filterType field equals one of filterValues, by id.
func (s *Server) leads(q map[string][]string) (any, map[string]any, *apiError) {
	ft := first(q, "filterType")
	if ft == "" {
		return nil, nil, errf("701", "filterType cannot be blank")
	}
	ff, ok := s.st.field(ft)
	if !ok || ft == "createdAt" || ft == "updatedAt" {
		return nil, nil, errf("1003", "Invalid filterType '%s'", ft)
	}
	values := splitList(first(q, "filterValues"))
	if len(values) == 0 {
		return nil, nil, errf("701", "filterValues cannot be blank")
	}
	if len(values) > 300 {
		return nil, nil, errf("1003", "Too many filterValues: %d (at most 300)", len(values))
	}
	fields := splitList(first(q, "fields"))
	if len(fields) == 0 {
		fields = []string{"id", "email", "updatedAt", "createdAt", "firstName", "lastName"}
	}
	var fs []Field
	for _, name := range fields {
		f, ok := s.st.field(name)
		if !ok {
			return nil, nil, errf("1006", "Field '%s' not found", name)
		}
		fs = append(fs, f)
	}
	n, e := batchSize(q)
	if e != nil {
		return nil, nil, e
	}
	offset := 0
	if tok := first(q, "nextPageToken"); tok != "" {
		var err error
		if offset, err = decodeOffset(tok); err != nil {
			return nil, nil, errf("1003", "Invalid nextPageToken")
		}
	}
	want := map[string]bool{}
	for _, v := range values {
		want[strings.ToLower(v)] = true
	}
	var matches []*Lead
	for _, id := range sortedKeys(s.st.leads) {
		l := s.st.leads[id]
		if v := l.Value(ft); v != nil && want[strings.ToLower(fmt.Sprint(render(ff, v)))] {
			matches = append(matches, l)
		}
	}
	result := []map[string]any{}
	for i := offset; i < len(matches) && i < offset+n; i++ {
		m := map[string]any{}
		for _, f := range fs {
			m[f.Name] = jsonValue(f, matches[i].Value(f.Name))
		}
		result = append(result, m)
	}
	var extra map[string]any
	if offset+n < len(matches) {
		extra = map[string]any{"nextPageToken": encodeOffset(offset + n)}
	}
	return result, extra, nil
}

// tokenEncoding encodes activity paging tokens (base32 without padding, as Marketo's look);
// offsetEncoding encodes leads.json position tokens.
func tokenEncoding() *base32.Encoding  { return base32.StdEncoding.WithPadding(base32.NoPadding) }
func offsetEncoding() *base32.Encoding { return base32.StdEncoding }

func encodeOffset(n int) string {
	return offsetEncoding().EncodeToString([]byte("position:" + strconv.Itoa(n)))
}

func decodeOffset(tok string) (int, error) {
	b, err := offsetEncoding().DecodeString(tok)
	if err != nil {
		return 0, err
	}
	v, ok := strings.CutPrefix(string(b), "position:")
	if !ok {
		return 0, fmt.Errorf("not a leads token")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad offset")
	}
	return n, nil
}

// position is a place in the activity log: every activity at or before (at, id) is behind it.
type position struct {
	at time.Time
	id int64
}

const tokenTime = "2006-01-02T15:04:05.000-0700"

// encodeToken renders a position as Marketo's date-based token (base32 of "date,id").
func encodeToken(p position) string {
	return tokenEncoding().EncodeToString([]byte(p.at.UTC().Format(tokenTime) + "," + strconv.FormatInt(p.id, 10)))
}

func decodeToken(tok string) (position, error) {
	b, err := tokenEncoding().DecodeString(tok)
	if err != nil {
		return position{}, err
	}
	ds, ids, ok := strings.Cut(string(b), ",")
	if !ok {
		return position{}, fmt.Errorf("no id")
	}
	t, err := time.Parse(tokenTime, ds)
	if err != nil {
		return position{}, err
	}
	id, err := strconv.ParseInt(ids, 10, 64)
	if err != nil {
		return position{}, err
	}
	return position{at: t.UTC(), id: id}, nil
}

// parseSince reads sinceDatetime: ISO 8601 with Z or an offset, or a date.
func parseSince(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Server) activityTypes() []ActivityType {
	out := make([]ActivityType, 0, len(s.st.types))
	for _, id := range sortedKeys(s.st.types) {
		out = append(out, s.st.types[id])
	}
	return out
}

func (s *Server) pagingToken(q map[string][]string) (map[string]any, *apiError) {
	v := first(q, "sinceDatetime")
	if v == "" {
		return nil, errf("701", "sinceDatetime cannot be blank")
	}
	t, ok := parseSince(v)
	if !ok {
		return nil, errf("704", "Invalid date format for sinceDatetime '%s'", v)
	}
	// Everything strictly before t is behind the position; ids are positive.
	return map[string]any{"nextPageToken": encodeToken(position{at: t, id: 0})}, nil
}

// scan walks at most limit activities of the log after pos, keeping those that match, up to
// batch of them; it returns them, the position reached and whether the log goes on.
func (s *Server) scan(pos position, limit, batch int, match func(*Activity) bool) ([]*Activity, position, bool) {
	log := s.st.log
	i := sort.Search(len(log), func(i int) bool { return after(log[i], pos.at, pos.id) })
	var out []*Activity
	for n := 0; i < len(log) && n < limit && len(out) < batch; i, n = i+1, n+1 {
		a := log[i]
		pos = position{at: a.ActivityDate, id: a.ID}
		if match(a) {
			out = append(out, a)
		}
	}
	return out, pos, i < len(log)
}

// tokenParams reads nextPageToken and batchSize.
func tokenParams(q map[string][]string) (position, int, *apiError) {
	tok := first(q, "nextPageToken")
	if tok == "" {
		return position{}, 0, errf("701", "nextPageToken cannot be blank")
	}
	pos, err := decodeToken(tok)
	if err != nil {
		return position{}, 0, errf("1003", "Invalid nextPageToken")
	}
	n, e := batchSize(q)
	return pos, n, e
}

func activityJSON(a *Activity) map[string]any {
	m := map[string]any{"id": a.ID, "marketoGUID": a.MarketoGUID, "leadId": a.LeadID,
		"activityDate": a.ActivityDate.UTC().Format(time.RFC3339), "activityTypeId": a.TypeID, "campaignId": nil}
	if a.CampaignID != 0 {
		m["campaignId"] = a.CampaignID
	}
	if a.PrimaryAttributeValueID != 0 {
		m["primaryAttributeValueId"] = a.PrimaryAttributeValueID
	}
	if a.PrimaryAttributeValue != "" {
		m["primaryAttributeValue"] = a.PrimaryAttributeValue
	}
	attrs := []Attribute{}
	for _, at := range a.Attributes {
		if at.Value != nil && at.Value != "" {
			attrs = append(attrs, at)
		}
	}
	m["attributes"] = attrs
	return m
}

func pageBody(list []*Activity, pos position, more bool, render func(*Activity) map[string]any) (any, map[string]any) {
	extra := map[string]any{"nextPageToken": encodeToken(pos), "moreResult": more}
	if len(list) == 0 {
		return nil, extra // Marketo leaves result out of an empty page
	}
	out := make([]map[string]any, len(list))
	for i, a := range list {
		out[i] = render(a)
	}
	return out, extra
}

// activities answers activities.json.
func (s *Server) activities(q map[string][]string) (any, map[string]any, *apiError) {
	pos, n, e := tokenParams(q)
	if e != nil {
		return nil, nil, e
	}
	idsText := splitList(first(q, "activityTypeIds"))
	if len(idsText) == 0 {
		return nil, nil, errf("701", "activityTypeIds cannot be blank")
	}
	if len(idsText) > 10 {
		return nil, nil, errf("1003", "Too many activityTypeIds: %d (at most 10)", len(idsText))
	}
	types := map[int]bool{}
	for _, t := range idsText {
		id, err := strconv.Atoi(t)
		if err != nil {
			return nil, nil, errf("1003", "Invalid activityTypeIds '%s'", t)
		}
		if _, ok := s.st.types[id]; !ok {
			return nil, nil, errf("1003", "Invalid activity type id %d", id)
		}
		types[id] = true
	}
	leads := map[int64]bool{}
	if lt := splitList(first(q, "leadIds")); len(lt) > 0 {
		if len(lt) > 30 {
			return nil, nil, errf("1003", "Too many leadIds: %d (at most 30)", len(lt))
		}
		for _, v := range lt {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, nil, errf("1003", "Invalid leadIds '%s'", v)
			}
			leads[id] = true
		}
	}
	if s.knobs.EmptyPages > 0 {
		s.knobs.EmptyPages--
		return nil, map[string]any{"nextPageToken": first(q, "nextPageToken"), "moreResult": true}, nil
	}
	list, pos, more := s.scan(pos, s.knobs.ScanSize, n, func(a *Activity) bool {
		return a.TypeID != TypeDeleteLead && types[a.TypeID] && (len(leads) == 0 || leads[a.LeadID])
	})
	result, extra := pageBody(list, pos, more, activityJSON)
	return result, extra, nil
}

// deletedLeads answers activities/deletedleads.json.
func (s *Server) deletedLeads(q map[string][]string) (any, map[string]any, *apiError) {
	pos, n, e := tokenParams(q)
	if e != nil {
		return nil, nil, e
	}
	list, pos, more := s.scan(pos, s.knobs.ScanSize, n, func(a *Activity) bool { return a.TypeID == TypeDeleteLead })
	result, extra := pageBody(list, pos, more, activityJSON)
	return result, extra, nil
}

// leadChanges answers activities/leadchanges.json: New Lead activities and the Change Data
// Value activities of the fields asked for.
func (s *Server) leadChanges(q map[string][]string) (any, map[string]any, *apiError) {
	pos, n, e := tokenParams(q)
	if e != nil {
		return nil, nil, e
	}
	fields := splitList(first(q, "fields"))
	if len(fields) == 0 {
		return nil, nil, errf("701", "fields cannot be blank")
	}
	for _, f := range fields {
		if _, ok := s.st.field(f); !ok {
			return nil, nil, errf("1006", "Field '%s' not found", f)
		}
	}
	list, pos, more := s.scan(pos, s.knobs.ScanSize, n, func(a *Activity) bool {
		return a.TypeID == TypeNewLead || (a.TypeID == TypeChangeDataValue && slices.Contains(fields, a.field))
	})
	result, extra := pageBody(list, pos, more, func(a *Activity) map[string]any {
		m := activityJSON(a)
		if a.TypeID == TypeChangeDataValue {
			m["fields"] = []map[string]any{{"id": a.PrimaryAttributeValueID, "name": a.field,
				"newValue": a.Attr("New Value"), "oldValue": a.Attr("Old Value")}}
		}
		return m
	})
	return result, extra, nil
}
