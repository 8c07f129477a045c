package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/internal/fakeapi"
)

// Search limits HubSpot documents.
const (
	searchMaxResults = 10_000
	searchMaxLimit   = 200
	searchMaxBody    = 3_000
	maxFilterGroups  = 5
	maxGroupFilters  = 6
	maxFilters       = 18
)

// SearchRequest is the body of POST /crm/v3/objects/{type}/search. Numbers given where HubSpot
// takes strings (after, filter values) are read as their text.
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups,omitempty"`
	Sorts        []Sort        `json:"sorts,omitempty"`
	Query        string        `json:"query,omitempty"`
	Properties   []string      `json:"properties,omitempty"`
	Limit        int           `json:"limit,omitempty"`
	After        string        `json:"after,omitempty"`
}

// FilterGroup is a set of filters that must all hold; groups are OR'd.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Filter is one search condition.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	HighValue    string   `json:"highValue,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// Sort is a search sort rule (HubSpot allows one).
type Sort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// text is a JSON string, number or boolean read as text.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		*t = text(v)
	case nil:
		*t = ""
	default:
		*t = text(bytes.TrimSpace(b))
	}
	return nil
}

// wireSearch is the request as sent: values may be numbers, sorts may be plain names.
type wireSearch struct {
	FilterGroups []struct {
		Filters []struct {
			PropertyName string `json:"propertyName"`
			Operator     string `json:"operator"`
			Value        text   `json:"value"`
			HighValue    text   `json:"highValue"`
			Values       []text `json:"values"`
		} `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Query      string            `json:"query"`
	Properties []string          `json:"properties"`
	Limit      *int              `json:"limit"`
	After      text              `json:"after"`
}

func (ws wireSearch) request() (SearchRequest, error) {
	req := SearchRequest{Query: ws.Query, Properties: ws.Properties, After: string(ws.After), Limit: 10}
	if ws.Limit != nil {
		req.Limit = *ws.Limit
	}
	for _, g := range ws.FilterGroups {
		var fg FilterGroup
		for _, f := range g.Filters {
			vals := make([]string, len(f.Values))
			for i, v := range f.Values {
				vals[i] = string(v)
			}
			fg.Filters = append(fg.Filters, Filter{PropertyName: f.PropertyName, Operator: f.Operator,
				Value: string(f.Value), HighValue: string(f.HighValue), Values: vals})
		}
		req.FilterGroups = append(req.FilterGroups, fg)
	}
	for _, raw := range ws.Sorts {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			dir := "ASCENDING"
			if n, ok := strings.CutPrefix(name, "-"); ok {
				name, dir = n, "DESCENDING"
			}
			req.Sorts = append(req.Sorts, Sort{PropertyName: name, Direction: dir})
			continue
		}
		var s Sort
		if err := json.Unmarshal(raw, &s); err != nil {
			return req, fmt.Errorf("sorts: %w", err)
		}
		if s.Direction == "" {
			s.Direction = "ASCENDING"
		}
		req.Sorts = append(req.Sorts, s)
	}
	return req, nil
}

// handleSearch serves POST /crm/v3/objects/{type}/search over the search index: records
// changed less than the index lag ago show their previous version, archived records never
// appear, at most 10,000 results are reachable (after ≥ 10000 is a 400), and results that tie
// on the sort property come in an unspecified (seeded) order.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.validation(w, "could not read the request body")
		return
	}
	var ws wireSearch
	if err := json.Unmarshal(body, &ws); err != nil {
		s.validation(w, "Invalid input JSON on line 1: "+err.Error())
		return
	}
	req, err := ws.request()
	if err != nil {
		s.validation(w, "Invalid input JSON: "+err.Error())
		return
	}
	s.callHook("search", t.name, req.After)
	status, resp, msg := s.search(t, req, len(body))
	s.mu.Lock()
	s.searches = append(s.searches, SearchCall{Object: t.name, Request: req, Status: status})
	s.mu.Unlock()
	if status != http.StatusOK {
		s.validation(w, msg)
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, resp)
}

type searchResponse struct {
	Total   int            `json:"total"`
	Results []objectJSON   `json:"results"`
	Paging  map[string]any `json:"paging,omitempty"`
}

// search runs a validated query; a non-200 status comes with the 400's message.
func (s *Server) search(t objectType, req SearchRequest, bodyLen int) (int, searchResponse, string) {
	bad := func(format string, args ...any) (int, searchResponse, string) {
		return http.StatusBadRequest, searchResponse{}, fmt.Sprintf(format, args...)
	}
	if bodyLen > searchMaxBody {
		return bad("The request body is %d characters long; the maximum is %d.", bodyLen, searchMaxBody)
	}
	if req.Limit < 0 || req.Limit > searchMaxLimit {
		return bad("limit must be between 0 and %d; got %d", searchMaxLimit, req.Limit)
	}
	after := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			return bad("after %q is not a valid paging offset", req.After)
		}
		after = n
	}
	if after >= searchMaxResults { // [I] the message; the status and category are documented
		return bad("Paging beyond %d results is not supported: after is %d. Narrow the query with filters.", searchMaxResults, after)
	}
	if len(req.Sorts) > 1 {
		return bad("Only one sort is supported; got %d.", len(req.Sorts))
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.validateFilters(t, req); msg != "" {
		return bad("%s", msg)
	}
	// Sort keys are computed once per hit: a search over ten thousand records sorts fast.
	type hit struct {
		rec  *record
		snap *snapshot
		has  bool    // the sort property has a value
		num  float64 // its value, for datetime and number properties
		text string  // its value otherwise (lower-cased unless case-sensitive)
		tie  uint64
	}
	var hits []hit
	groups := s.prepare(t, req.FilterGroups)
	var srt Sort
	typ := ""
	if len(req.Sorts) > 0 {
		srt = req.Sorts[0]
		typ = s.props[t.name][srt.PropertyName].typ
	}
	for _, rec := range s.data[t.name] {
		snap := rec.indexed(now)
		if snap == nil || !matches(snap, groups) {
			continue
		}
		h := hit{rec: rec, snap: snap, tie: scramble(s.opts.Seed, rec.id)}
		if srt.PropertyName != "" {
			var v string
			v, h.has = snap.props[srt.PropertyName]
			h.num = snap.num[srt.PropertyName]
			h.text = v
			if typ != "enumeration" && typ != "bool" {
				h.text = strings.ToLower(v)
			}
		}
		hits = append(hits, h)
	}
	numericSort := typ == "datetime" || typ == "date" || typ == "number"
	desc := strings.EqualFold(srt.Direction, "DESCENDING")
	slices.SortFunc(hits, func(a, b hit) int {
		if srt.PropertyName == "" {
			if c := a.snap.created.Compare(b.snap.created); c != 0 {
				return c
			}
			return cmpInt(a.rec.id, b.rec.id)
		}
		var c int
		switch {
		case a.has != b.has: // records without a value sort last
			if a.has {
				return -1
			}
			return 1
		case numericSort:
			c = cmpFloat(a.num, b.num)
		default:
			c = strings.Compare(a.text, b.text)
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmpUint(a.tie, b.tie)
	})
	end := min(after+req.Limit, len(hits), searchMaxResults)
	resp := searchResponse{Total: len(hits), Results: []objectJSON{}}
	for _, h := range hits[min(after, len(hits)):max(end, min(after, len(hits)))] {
		resp.Results = append(resp.Results, s.render(t, h.rec, h.snap, req.Properties, nil, nil))
	}
	if after+req.Limit < len(hits) && req.Limit > 0 {
		resp.Paging = map[string]any{"next": map[string]string{"after": strconv.Itoa(after + req.Limit)}}
	}
	return http.StatusOK, resp, ""
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// scramble is splitmix64 of id under seed: a stable order that is not the id order.
func scramble(seed uint64, id int64) uint64 {
	z := seed + uint64(id)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func knownOperator(op string) bool {
	switch op {
	case "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY",
		"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		return true
	}
	return false
}

// validateFilters checks the filter limits, property names and operators. The caller holds s.mu.
func (s *Server) validateFilters(t objectType, req SearchRequest) string {
	if len(req.FilterGroups) > maxFilterGroups {
		return fmt.Sprintf("Too many filter groups: %d; the limit is %d.", len(req.FilterGroups), maxFilterGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) > maxGroupFilters {
			return fmt.Sprintf("Too many filters in a filter group: %d; the limit is %d.", len(g.Filters), maxGroupFilters)
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if _, ok := s.props[t.name][f.PropertyName]; !ok {
				return fmt.Sprintf("Property %q does not exist", f.PropertyName)
			}
			if !knownOperator(f.Operator) {
				return fmt.Sprintf("Unknown operator %q for property %q", f.Operator, f.PropertyName)
			}
		}
	}
	if total > maxFilters {
		return fmt.Sprintf("Too many filters: %d; the limit is %d.", total, maxFilters)
	}
	for _, srt := range req.Sorts {
		if _, ok := s.props[t.name][srt.PropertyName]; !ok {
			return fmt.Sprintf("Property %q does not exist", srt.PropertyName)
		}
	}
	return ""
}

// numeric parses a value of a datetime (to epoch ms) or number property.
func numeric(typ, v string) (float64, bool) {
	switch typ {
	case "datetime", "date":
		if t, ok := parseTime(v); ok {
			return float64(t.UnixMilli()), true
		}
	case "number":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

// cond is a filter with its values parsed once for the property's type.
type cond struct {
	Filter
	typ  string
	vals []operand // Value, HighValue, then Values
}

type operand struct {
	text string
	num  float64
	ok   bool // num is valid (numeric and datetime properties)
}

func (s *Server) prepare(t objectType, groups []FilterGroup) [][]cond {
	out := make([][]cond, len(groups))
	for i, g := range groups {
		for _, f := range g.Filters {
			c := cond{Filter: f, typ: s.props[t.name][f.PropertyName].typ}
			for _, v := range append([]string{f.Value, f.HighValue}, f.Values...) {
				n, ok := numeric(c.typ, v)
				c.vals = append(c.vals, operand{text: v, num: n, ok: ok})
			}
			out[i] = append(out[i], c)
		}
	}
	return out
}

// matches evaluates the filter groups (OR of ANDs) on a snapshot.
func matches(snap *snapshot, groups [][]cond) bool {
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		all := true
		for _, c := range g {
			if !holds(snap, c) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func holds(snap *snapshot, c cond) bool {
	v, has := snap.props[c.PropertyName]
	cmp := func(o operand) (int, bool) { return compare(c.typ, v, snap.num, c.PropertyName, o) }
	switch c.Operator {
	case "HAS_PROPERTY":
		return has
	case "NOT_HAS_PROPERTY":
		return !has
	case "NEQ":
		n, ok := cmp(c.vals[0])
		return !has || !ok || n != 0
	case "IN", "NOT_IN":
		in := false
		for _, o := range c.vals[2:] {
			if n, ok := cmp(o); has && ok && n == 0 {
				in = true
			}
		}
		return in == (c.Operator == "IN")
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		tok := strings.ToLower(strings.Trim(c.Value, "*"))
		return (has && strings.Contains(strings.ToLower(v), tok)) == (c.Operator == "CONTAINS_TOKEN")
	}
	if !has {
		return false
	}
	n, ok := cmp(c.vals[0])
	if !ok {
		return false
	}
	switch c.Operator {
	case "EQ":
		return n == 0
	case "LT":
		return n < 0
	case "LTE":
		return n <= 0
	case "GT":
		return n > 0
	case "GTE":
		return n >= 0
	case "BETWEEN":
		hi, ok := cmp(c.vals[1])
		return ok && n >= 0 && hi <= 0
	}
	return false
}

// compare compares a stored value with an operand by the property's type: datetimes as
// instants (filter values in epoch milliseconds or ISO 8601), numbers numerically, strings
// case-insensitively (enumerations and booleans case-sensitively).
func compare(typ, stored string, nums map[string]float64, prop string, o operand) (int, bool) {
	switch typ {
	case "datetime", "date", "number":
		a, ok := nums[prop]
		if !ok || !o.ok {
			return 0, false
		}
		return cmpFloat(a, o.num), true
	case "enumeration", "bool":
		return strings.Compare(stored, o.text), true
	}
	return strings.Compare(strings.ToLower(stored), strings.ToLower(o.text)), true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
