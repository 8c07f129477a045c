package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/revops/revops/internal/fakeapi"
)

// objectJSON is a CRM object as the v3 API renders it.
type objectJSON struct {
	ID                    string                     `json:"id"`
	Properties            map[string]*string         `json:"properties"`
	PropertiesWithHistory map[string][]historyJSON   `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                     `json:"createdAt"`
	UpdatedAt             string                     `json:"updatedAt"`
	Archived              bool                       `json:"archived"`
	ArchivedAt            string                     `json:"archivedAt,omitempty"`
	Associations          map[string]assocResultJSON `json:"associations,omitempty"`
}

type historyJSON struct {
	Value           string `json:"value"`
	Timestamp       string `json:"timestamp"`
	SourceType      string `json:"sourceType"`
	SourceID        string `json:"sourceId,omitempty"`
	UpdatedByUserID int64  `json:"updatedByUserId,omitempty"`
}

type assocResultJSON struct {
	Results []assocRefJSON `json:"results"`
}

type assocRefJSON struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// render renders a record (its current state, or a search snapshot) with the requested
// properties: none requested means the type's defaults; unknown names are ignored; known
// properties without a value are null. The caller holds s.mu.
func (s *Server) render(t objectType, r *record, snap *snapshot, props, history, assocs []string) objectJSON {
	values, created, updated := r.props, r.created, r.updated
	if snap != nil {
		values, created, updated = snap.props, snap.created, snap.updated
	}
	if len(props) == 0 {
		props = t.defaults
	}
	o := objectJSON{ID: strconv.FormatInt(r.id, 10), Properties: map[string]*string{},
		CreatedAt: hsTime(created), UpdatedAt: hsTime(updated), Archived: r.archived}
	if r.archived {
		o.ArchivedAt = hsTime(r.archivedAt)
	}
	for _, p := range props {
		if _, known := s.props[t.name][p]; !known {
			continue
		}
		if v, ok := values[p]; ok {
			o.Properties[p] = &v
		} else {
			o.Properties[p] = nil
		}
	}
	for _, p := range history {
		if _, known := s.props[t.name][p]; !known {
			continue
		}
		if o.PropertiesWithHistory == nil {
			o.PropertiesWithHistory = map[string][]historyJSON{}
		}
		hs := []historyJSON{}
		changes := r.history[p]
		for i := len(changes) - 1; i >= 0; i-- { // newest first, as HubSpot lists them
			c := changes[i]
			src := c.SourceType
			if src == "" {
				src = "CRM_UI"
			}
			hs = append(hs, historyJSON{Value: c.Value, Timestamp: hsTime(c.Timestamp), SourceType: src,
				SourceID: c.SourceID, UpdatedByUserID: c.UpdatedByUserID})
		}
		o.PropertiesWithHistory[p] = hs
	}
	for _, a := range assocs {
		to, ok := resolveType(s.types, a)
		if !ok {
			continue
		}
		edges := s.assoc[assocKey{from: t.name, id: r.id, to: to.name}]
		if len(edges) == 0 {
			continue
		}
		if o.Associations == nil {
			o.Associations = map[string]assocResultJSON{}
		}
		res := assocResultJSON{Results: []assocRefJSON{}}
		for _, e := range edges {
			_, name := assocTypeID(s.types, t.name, to.name)
			if e.typeID == 279 || e.typeID == 280 || e.typeID == 341 || e.typeID == 342 {
				name += "_unlabeled"
			}
			res.Results = append(res.Results, assocRefJSON{ID: strconv.FormatInt(e.to, 10), Type: name})
		}
		o.Associations[to.name] = res
	}
	return o
}

// splitList reads a repeated and/or comma-separated query parameter.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// typeOf resolves the path's object type or writes HubSpot's 400.
func (s *Server) typeOf(w http.ResponseWriter, r *http.Request) (objectType, bool) {
	t, ok := resolveType(s.types, r.PathValue("type"))
	if !ok {
		s.validation(w, "Unable to infer object type from: "+r.PathValue("type"))
	}
	return t, ok
}

// nextPaging builds paging.next: the after token and a link on the request's own host with the
// request's query, after replaced.
func nextPaging(r *http.Request, after string) map[string]any {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	q.Set("after", after)
	link := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return map[string]any{"next": map[string]string{"after": after, "link": link.String()}}
}

// handleList serves GET /crm/v3/objects/{type}: records in id order, limit (default 10, at
// most 100; at most 50 with propertiesWithHistory [I]), after (the next id), properties,
// propertiesWithHistory, associations, archived (true lists only archived records).
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	after := q.Get("after")
	s.callHook("list", t.name, after)
	history := splitList(q["propertiesWithHistory"])
	hi := 100
	if len(history) > 0 {
		hi = 50
	}
	limit, ok := parseLimit(q.Get("limit"), 10, hi)
	if !ok {
		s.validation(w, fmt.Sprintf("limit %q is not valid", q.Get("limit")))
		return
	}
	start := int64(0)
	if after != "" {
		if start, ok = parseID(after); !ok {
			s.validation(w, fmt.Sprintf("after %q is not a valid paging cursor", after))
			return
		}
	}
	archived := q.Get("archived") == "true"
	props, assocs := splitList(q["properties"]), splitList(q["associations"])
	s.mu.Lock()
	var ids []int64
	for _, id := range s.sortedIDs(t.name) {
		if id >= start && s.data[t.name][id].archived == archived {
			ids = append(ids, id)
		}
	}
	results := []objectJSON{}
	for _, id := range ids[:min(limit, len(ids))] {
		results = append(results, s.render(t, s.data[t.name][id], nil, props, history, assocs))
	}
	s.mu.Unlock()
	body := map[string]any{"results": results}
	if len(ids) > limit {
		body["paging"] = nextPaging(r, strconv.FormatInt(ids[limit-1]+1, 10))
	}
	fakeapi.WriteJSON(w, http.StatusOK, body)
}

func (s *Server) notFound(w http.ResponseWriter, id string) {
	s.writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
		func(b *errorBody) { b.Context = map[string][]string{"id": {id}} })
}

// handleGet serves GET /crm/v3/objects/{type}/{id}.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	s.callHook("get", t.name, "")
	q := r.URL.Query()
	id, _ := parseID(r.PathValue("id"))
	s.mu.Lock()
	rec, found := s.data[t.name][id]
	if !found || rec.archived != (q.Get("archived") == "true") {
		s.mu.Unlock()
		s.notFound(w, r.PathValue("id"))
		return
	}
	o := s.render(t, rec, nil, splitList(q["properties"]), splitList(q["propertiesWithHistory"]), splitList(q["associations"]))
	s.mu.Unlock()
	fakeapi.WriteJSON(w, http.StatusOK, o)
}

type batchReadRequest struct {
	Inputs                []struct{ ID string } `json:"inputs"`
	Properties            []string              `json:"properties"`
	PropertiesWithHistory []string              `json:"propertiesWithHistory"`
}

type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
}

// handleBatchRead serves POST /crm/v3/objects/{type}/batch/read (at most 100 inputs;
// archived=true reads archived records). Ids not found make a 207 with errors.
func (s *Server) handleBatchRead(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	s.callHook("batch_read", t.name, "")
	var req batchReadRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.validation(w, "Invalid input JSON on line 1: "+err.Error())
		return
	}
	if len(req.Inputs) > 100 {
		s.validation(w, fmt.Sprintf("Too many inputs: %d; the limit is 100", len(req.Inputs)))
		return
	}
	archived := r.URL.Query().Get("archived") == "true"
	started := hsTime(s.Clock.Now())
	s.mu.Lock()
	results := []objectJSON{}
	var missing []string
	for _, in := range req.Inputs {
		id, _ := parseID(in.ID)
		rec, found := s.data[t.name][id]
		if !found || rec.archived != archived {
			missing = append(missing, in.ID)
			continue
		}
		results = append(results, s.render(t, rec, nil, req.Properties, req.PropertiesWithHistory, nil))
	}
	s.mu.Unlock()
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": started}
	status := http.StatusOK
	if len(missing) > 0 {
		status = http.StatusMultiStatus
		body["numErrors"] = 1
		body["errors"] = []batchError{{Status: "error", Category: "OBJECT_NOT_FOUND",
			Message: fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", strings.ToUpper(t.singular)),
			Context: map[string][]string{"ids": missing}}}
	}
	fakeapi.WriteJSON(w, status, body)
}

type propertyJSON struct {
	Name            string `json:"name"`
	Label           string `json:"label"`
	Type            string `json:"type"`
	FieldType       string `json:"fieldType"`
	Description     string `json:"description"`
	GroupName       string `json:"groupName"`
	Options         []any  `json:"options"`
	DisplayOrder    int    `json:"displayOrder"`
	Calculated      bool   `json:"calculated"`
	ExternalOptions bool   `json:"externalOptions"`
	HasUniqueValue  bool   `json:"hasUniqueValue"`
	Hidden          bool   `json:"hidden"`
	HubspotDefined  bool   `json:"hubspotDefined"`
	FormField       bool   `json:"formField"`
}

// handleProperties serves GET /crm/v3/properties/{type}: every property definition.
func (s *Server) handleProperties(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	s.callHook("properties", t.name, "")
	builtin := map[string]bool{}
	for _, p := range t.props {
		builtin[p.name] = true
	}
	s.mu.Lock()
	results := []propertyJSON{}
	for _, p := range s.props[t.name] {
		results = append(results, propertyJSON{Name: p.name, Label: p.name, Type: p.typ, FieldType: p.fieldType,
			GroupName: t.singular + "information", Options: []any{}, DisplayOrder: -1, HubspotDefined: builtin[p.name],
			FormField: !builtin[p.name]})
	}
	s.mu.Unlock()
	sort.Slice(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"results": results})
}

type assocTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

type assocToJSON struct {
	ToObjectID       int64           `json:"toObjectId"`
	AssociationTypes []assocTypeJSON `json:"associationTypes"`
}

func assocTo(e assocEdge) assocToJSON {
	var label *string
	if e.typeID == 1 || e.typeID == 2 || e.typeID == 5 || e.typeID == 6 {
		p := "Primary"
		label = &p
	}
	return assocToJSON{ToObjectID: e.to, AssociationTypes: []assocTypeJSON{{Category: "HUBSPOT_DEFINED", TypeID: e.typeID, Label: label}}}
}

// handleAssocGet serves GET /crm/v4/objects/{type}/{id}/associations/{to} (limit ≤ 500, after).
func (s *Server) handleAssocGet(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	to, ok := resolveType(s.types, r.PathValue("to"))
	if !ok {
		s.validation(w, "Unable to infer object type from: "+r.PathValue("to"))
		return
	}
	q := r.URL.Query()
	s.callHook("associations", t.name, q.Get("after"))
	limit, ok := parseLimit(q.Get("limit"), 500, 500)
	start, _ := strconv.Atoi(q.Get("after"))
	id, _ := parseID(r.PathValue("id"))
	if !ok || start < 0 {
		s.validation(w, "invalid limit or after")
		return
	}
	s.mu.Lock()
	edges := slices.Clone(s.assoc[assocKey{from: t.name, id: id, to: to.name}])
	s.mu.Unlock()
	results := []assocToJSON{}
	for _, e := range edges[min(start, len(edges)):min(start+limit, len(edges))] {
		results = append(results, assocTo(e))
	}
	body := map[string]any{"results": results}
	if start+limit < len(edges) {
		body["paging"] = nextPaging(r, strconv.Itoa(start+limit))
	}
	fakeapi.WriteJSON(w, http.StatusOK, body)
}

// handleAssocBatch serves POST /crm/v4/associations/{type}/{to}/batch/read (at most 1,000
// inputs). Ids without associations come back as errors in a 207 [C][I].
func (s *Server) handleAssocBatch(w http.ResponseWriter, r *http.Request) {
	t, ok := s.typeOf(w, r)
	if !ok {
		return
	}
	to, ok := resolveType(s.types, r.PathValue("to"))
	if !ok {
		s.validation(w, "Unable to infer object type from: "+r.PathValue("to"))
		return
	}
	s.callHook("associations", t.name, "")
	var req batchReadRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.validation(w, "Invalid input JSON on line 1: "+err.Error())
		return
	}
	if len(req.Inputs) > 1000 {
		s.validation(w, fmt.Sprintf("Too many inputs: %d; the limit is 1000", len(req.Inputs)))
		return
	}
	type result struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To []assocToJSON `json:"to"`
	}
	started := hsTime(s.Clock.Now())
	results := []result{}
	var errs []batchError
	s.mu.Lock()
	for _, in := range req.Inputs {
		id, _ := parseID(in.ID)
		edges := s.assoc[assocKey{from: t.name, id: id, to: to.name}]
		if len(edges) == 0 {
			errs = append(errs, batchError{Status: "error", Category: "OBJECT_NOT_FOUND",
				SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
				Message:     fmt.Sprintf("No %s is associated with %s %s.", to.name, t.singular, in.ID),
				Context:     map[string][]string{"fromObjectId": {in.ID}}})
			continue
		}
		var res result
		res.From.ID = in.ID
		for _, e := range edges {
			res.To = append(res.To, assocTo(e))
		}
		results = append(results, res)
	}
	s.mu.Unlock()
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": started}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusMultiStatus
		body["numErrors"] = len(errs)
		body["errors"] = errs
	}
	fakeapi.WriteJSON(w, status, body)
}
