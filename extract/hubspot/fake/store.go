package fake

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Record is a CRM object as the Go API writes it.
type Record struct {
	// ID is the record id (a decimal number); "" assigns the next free id.
	ID string `json:"id,omitempty"`
	// Properties are the property values, as HubSpot stores them: strings. Datetime properties
	// may be given in any RFC 3339 form or as epoch milliseconds; they are stored as HubSpot
	// writes them (UTC, milliseconds, "Z"). The fake maintains hs_object_id, the creation
	// property and the last-modified property itself.
	Properties map[string]string `json:"properties,omitempty"`
	// CreatedAt is the creation time; zero means UpdatedAt, or the clock's now.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// UpdatedAt is the last-modified time; zero means the clock's now.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// History, when set, replaces the derived property history (propertiesWithHistory). By
	// default every property gets one entry at CreatedAt with its value.
	History map[string][]Change `json:"history,omitempty"`
}

// Change is one entry of a property's history.
type Change struct {
	Value           string    `json:"value"`
	Timestamp       time.Time `json:"timestamp"`
	SourceType      string    `json:"sourceType,omitempty"`
	SourceID        string    `json:"sourceId,omitempty"`
	UpdatedByUserID int64     `json:"updatedByUserId,omitempty"`
}

// TruthRecord is a record as the fake holds it (ground truth for tests).
type TruthRecord struct {
	ID         string
	Archived   bool
	ArchivedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Properties map[string]string
	History    map[string][]Change
}

// record is one stored object.
type record struct {
	id         int64
	props      map[string]string
	created    time.Time
	updated    time.Time
	archived   bool
	archivedAt time.Time
	history    map[string][]Change
	// index holds the search index's versions of the record, oldest first: a version becomes
	// searchable at its time (a mutation's time plus the index lag). A nil snapshot is "not in
	// the index" (archived).
	index []indexVersion
}

type indexVersion struct {
	at   time.Time
	snap *snapshot
}

// snapshot is what the search index returns for a record.
type snapshot struct {
	props   map[string]string
	num     map[string]float64 // datetime (epoch ms) and number properties, parsed once
	created time.Time
	updated time.Time
}

// indexed returns the record's searchable version at now, or nil.
func (r *record) indexed(now time.Time) *snapshot {
	last := -1
	for i, v := range r.index {
		if !v.at.After(now) {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	if last > 0 { // older versions can never be seen again
		r.index = r.index[last:]
	}
	return r.index[0].snap
}

// reindex queues the record's current state for the search index.
func (s *Server) reindex(t objectType, r *record, now time.Time) {
	if r.archived {
		r.index = append(r.index, indexVersion{at: now})
		return
	}
	snap := &snapshot{props: maps.Clone(r.props), num: map[string]float64{}, created: r.created, updated: r.updated}
	for k, v := range snap.props {
		if n, ok := numeric(s.props[t.name][k].typ, v); ok {
			snap.num[k] = n
		}
	}
	r.index = append(r.index, indexVersion{at: now.Add(s.opts.SearchLag), snap: snap})
}

func hsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// parseTime reads a datetime as HubSpot accepts it: RFC 3339, a date, or epoch milliseconds.
func parseTime(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) objectType(name string) (objectType, error) {
	t, ok := resolveType(s.types, name)
	if !ok {
		return objectType{}, fmt.Errorf("hubspot fake: unknown object type %q", name)
	}
	return t, nil
}

// normalize stores a value as HubSpot would: datetimes in UTC with milliseconds, and defines
// properties it has not seen as custom string properties.
func (s *Server) normalize(t objectType, name, value string) string {
	def, ok := s.props[t.name][name]
	if !ok {
		s.props[t.name][name] = propDef{name: name, typ: "string", fieldType: "text"}
		return value
	}
	if def.typ == "datetime" && value != "" {
		if ts, ok := parseTime(value); ok {
			return hsTime(ts)
		}
	}
	return value
}

// Put creates records, or replaces those whose id exists, and returns their ids.
func (s *Server) Put(objectType string, recs ...Record) ([]string, error) {
	t, err := s.objectType(objectType)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(recs))
	for _, in := range recs {
		id := s.nextID
		if in.ID != "" {
			var ok bool
			if id, ok = parseID(in.ID); !ok {
				return ids, fmt.Errorf("hubspot fake: put %s: id %q is not a positive number", t.name, in.ID)
			}
		}
		s.nextID = max(s.nextID, id+1)
		updated := in.UpdatedAt
		if updated.IsZero() {
			updated = now
		}
		created := in.CreatedAt
		if created.IsZero() {
			created = updated
		}
		r := &record{id: id, props: map[string]string{}, created: created.UTC(), updated: updated.UTC(), history: map[string][]Change{}}
		for k, v := range in.Properties {
			if v != "" {
				r.props[k] = s.normalize(t, k, v)
			}
		}
		r.props["hs_object_id"] = strconv.FormatInt(id, 10)
		r.props[t.createProp] = hsTime(r.created)
		r.props[t.modProp] = hsTime(r.updated)
		if in.History != nil {
			for k, hs := range in.History {
				r.history[k] = slices.Clone(hs)
			}
		} else {
			for k, v := range r.props {
				r.history[k] = []Change{{Value: v, Timestamp: r.created, SourceType: "CRM_UI"}}
			}
		}
		if old, ok := s.data[t.name][id]; ok {
			r.index = old.index
		}
		s.data[t.name][id] = r
		s.reindex(t, r, now)
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	return ids, nil
}

func (s *Server) lookup(t objectType, id string) (*record, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, fmt.Errorf("hubspot fake: %s id %q is not a positive number", t.name, id)
	}
	r, ok := s.data[t.name][n]
	if !ok {
		return nil, fmt.Errorf("hubspot fake: no %s with id %s", t.singular, id)
	}
	return r, nil
}

// Update changes properties of a live record at the clock's now, as a user editing it in
// HubSpot does: the last-modified property moves to now and each changed property's history
// gains an entry. An empty value clears the property.
func (s *Server) Update(objectType, id string, props map[string]string) error {
	return s.UpdateAt(objectType, id, s.Clock.Now(), props)
}

// UpdateAt is Update with an explicit modification time (a late commit: the stamp may lie
// before the clock's now). The record becomes searchable at the clock's now plus the index lag.
func (s *Server) UpdateAt(objectType, id string, at time.Time, props map[string]string) error {
	t, err := s.objectType(objectType)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(t, id)
	if err != nil {
		return err
	}
	if r.archived {
		return fmt.Errorf("hubspot fake: update %s %s: the record is archived", t.singular, id)
	}
	at = at.UTC()
	for k, v := range props {
		v = s.normalize(t, k, v)
		if old, ok := r.props[k]; ok && old == v || !ok && v == "" {
			continue
		}
		if v == "" {
			delete(r.props, k)
		} else {
			r.props[k] = v
		}
		r.history[k] = append(r.history[k], Change{Value: v, Timestamp: at, SourceType: "CRM_UI"})
	}
	r.updated = at
	r.props[t.modProp] = hsTime(at)
	s.reindex(t, r, now)
	return nil
}

// Touch sets the last-modified time of many records to one timestamp, as HubSpot's own batch
// jobs do (every contact stamped identically at month end). No ids means every live record.
func (s *Server) Touch(objectType string, at time.Time, ids ...string) error {
	t, err := s.objectType(objectType)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []*record
	if len(ids) == 0 {
		for _, r := range s.data[t.name] {
			if !r.archived {
				recs = append(recs, r)
			}
		}
	}
	for _, id := range ids {
		r, err := s.lookup(t, id)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	for _, r := range recs {
		r.updated = at.UTC()
		r.props[t.modProp] = hsTime(at)
		s.reindex(t, r, now)
	}
	return nil
}

// Archive deletes records as HubSpot does: they leave the search index at once and are listed
// only with archived=true, with archivedAt set to the clock's now.
func (s *Server) Archive(objectType string, ids ...string) error {
	t, err := s.objectType(objectType)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		r, err := s.lookup(t, id)
		if err != nil {
			return err
		}
		if r.archived {
			continue
		}
		r.archived, r.archivedAt = true, now
		s.reindex(t, r, now)
	}
	return nil
}

// Restore brings an archived record back (HubSpot allows it for 90 days); its last-modified
// time moves to now.
func (s *Server) Restore(objectType, id string) error {
	t, err := s.objectType(objectType)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(t, id)
	if err != nil {
		return err
	}
	r.archived, r.archivedAt = false, time.Time{}
	r.updated = now
	r.props[t.modProp] = hsTime(now)
	s.reindex(t, r, now)
	return nil
}

// Truth returns every record of a type, live and archived, sorted by numeric id: the ground
// truth a correct extraction reproduces.
func (s *Server) Truth(objectType string) []TruthRecord {
	t, err := s.objectType(objectType)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TruthRecord, 0, len(s.data[t.name]))
	for _, id := range s.sortedIDs(t.name) {
		r := s.data[t.name][id]
		h := make(map[string][]Change, len(r.history))
		for k, v := range r.history {
			h[k] = slices.Clone(v)
		}
		out = append(out, TruthRecord{ID: strconv.FormatInt(r.id, 10), Archived: r.archived, ArchivedAt: r.archivedAt,
			CreatedAt: r.created, UpdatedAt: r.updated, Properties: maps.Clone(r.props), History: h})
	}
	return out
}

// IDs returns the ids of a type's live and archived records, sorted (ground truth).
func (s *Server) IDs(objectType string) (live, archived []string) {
	for _, r := range s.Truth(objectType) {
		if r.Archived {
			archived = append(archived, r.ID)
		} else {
			live = append(live, r.ID)
		}
	}
	return live, archived
}

// sortedIDs returns a type's record ids in ascending order. The caller holds s.mu.
func (s *Server) sortedIDs(typ string) []int64 {
	ids := slices.Collect(maps.Keys(s.data[typ]))
	slices.Sort(ids)
	return ids
}

// Associate links two records both ways with HubSpot's default association types. A contact's
// or deal's first company link is its primary one (typeId 1 or 5, label "Primary"); later
// company links get the unlabeled types (279 and 341).
func (s *Server) Associate(fromType, fromID, toType, toID string) error {
	ft, err := s.objectType(fromType)
	if err != nil {
		return err
	}
	tt, err := s.objectType(toType)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(ft, fromID)
	if err != nil {
		return err
	}
	b, err := s.lookup(tt, toID)
	if err != nil {
		return err
	}
	key := assocKey{from: ft.name, id: a.id, to: tt.name}
	for _, e := range s.assoc[key] {
		if e.to == b.id {
			return nil
		}
	}
	fwd, _ := assocTypeID(s.types, ft.name, tt.name)
	back, _ := assocTypeID(s.types, tt.name, ft.name)
	// A contact's or deal's second company is unlabeled; so is the company's link back.
	unlabeled := map[int][2]int{1: {279, 280}, 2: {280, 279}, 5: {341, 342}, 6: {342, 341}}
	if u, ok := unlabeled[fwd]; ok {
		owner := key // the contact's or deal's side
		if ft.name == "companies" {
			owner = assocKey{from: tt.name, id: b.id, to: ft.name}
		}
		if len(s.assoc[owner]) > 0 {
			fwd, back = u[0], u[1]
		}
	}
	s.assoc[key] = append(s.assoc[key], assocEdge{to: b.id, typeID: fwd})
	rkey := assocKey{from: tt.name, id: b.id, to: ft.name}
	s.assoc[rkey] = append(s.assoc[rkey], assocEdge{to: a.id, typeID: back})
	return nil
}

// Associations returns the ids a record is associated with, in the order they were linked.
func (s *Server) Associations(fromType, fromID, toType string) []string {
	ft, err1 := s.objectType(fromType)
	tt, err2 := s.objectType(toType)
	id, ok := parseID(fromID)
	if err1 != nil || err2 != nil || !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.assoc[assocKey{from: ft.name, id: id, to: tt.name}] {
		out = append(out, strconv.FormatInt(e.to, 10))
	}
	return out
}

type assocKey struct {
	from string
	id   int64
	to   string
}

type assocEdge struct {
	to     int64
	typeID int
}
