package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/extract"
)

// modProp is an object type's last-modified property: contacts have lastmodifieddate, every
// other type hs_lastmodifieddate (searching contacts on hs_lastmodifieddate is a classic bug).
func modProp(objType string) string {
	if objType == "contacts" {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

// createProp is an object type's creation property.
func createProp(objType string) string {
	if slices.Contains(engagementTypes(), objType) {
		return "hs_createdate"
	}
	return "createdate"
}

// Request size limits: HubSpot rejects a search body over 3,000 characters and fails on list URLs
// of about 16,000; beyond these the source reads ids first and the properties by batch read.
const (
	maxSearchProps = 2_500 // characters of property names in a search body (filters need the rest)
	maxListProps   = 12_000
	listPageSize   = 100
	batchSize      = 100
	historyBatch   = 50
	assocBatch     = 1_000
)

// objectReader reads one CRM object stream.
type objectReader struct {
	s     *source
	spec  objectSpec
	emit  func(context.Context, extract.Batch) error
	cur   *cursorState // mutated as pages are read; encoded into every batch
	plans map[string]*plan
	// held are pages converted and not yet emitted; ahead is the list read running a page
	// ahead, if any.
	held  heldPages
	ahead *listAhead
	// emitErr is emit's error, once it failed.
	emitErr error
}

// plan is how one object type is read.
type plan struct {
	props      []string // every property to read
	searchProp []string // properties in search requests
	listProps  []string // properties in list requests
	batch      bool     // read properties by batch read after each page
	// consumed are the properties that columns take (with the id, modified and created
	// properties); the others go to _extra.
	consumed map[string]bool
}

// readObjects reads a CRM object stream: for each object type, the window in progress (if the
// cursor holds one), then a new window up to now minus index_lag; then a final batch.
func (s *source) readObjects(ctx context.Context, stream string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	cur, err := decodeCursor(from)
	if err != nil {
		return err
	}
	r := &objectReader{s: s, spec: objectSpecOf(stream, s.cfg), emit: emit, cur: cur, plans: map[string]*plan{}}
	defer r.held.release()
	defer r.stopAhead()
	for _, obj := range r.spec.objects {
		p, err := r.plan(ctx, obj)
		if err != nil {
			return err
		}
		r.plans[obj] = p
	}
	if err := r.readAll(ctx); err != nil {
		// The pages converted before the failure are emitted with their cursor, as they would
		// have been one batch per page: the progress they make is kept.
		if r.emitErr == nil && ctx.Err() == nil {
			if ferr := r.flush(ctx); ferr != nil {
				return ferr
			}
		}
		return err
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rows := newRows(s.mem, schemaOf(r.spec.columns, r.spec.key), r.spec.columns)
	defer rows.release()
	return emitRecords(ctx, emit, rows.finish(), cur.encode(), true)
}

// readAll reads every object type of the stream: the window in progress (if the cursor holds
// one), then a new window up to now minus index_lag.
func (r *objectReader) readAll(ctx context.Context) error {
	cur := r.cur
	for _, obj := range r.spec.objects {
		st := cur.Objects[obj]
		if st == nil {
			st = &objState{}
			cur.Objects[obj] = st
		}
		resumed := st.Win != nil
		if !resumed {
			r.startWindow(st)
		}
		if err := r.drive(ctx, obj, st); err != nil {
			return err
		}
		if resumed { // catch up to now in the same run
			r.startWindow(st)
			if err := r.drive(ctx, obj, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// plan decides the properties of an object type and whether they fit in its requests.
func (r *objectReader) plan(ctx context.Context, obj string) (*plan, error) {
	mod := modProp(obj)
	p := &plan{consumed: map[string]bool{"hs_object_id": true, mod: true, createProp(obj): true}}
	for _, c := range r.spec.columns {
		if prop := c.property(obj); prop != "" {
			p.consumed[prop] = true
		}
	}
	if r.spec.history {
		p.props = []string{mod}
		p.batch = true
	} else {
		p.props = []string{mod, createProp(obj)}
		for _, c := range r.spec.columns {
			if prop := c.property(obj); prop != "" {
				p.props = append(p.props, prop)
			}
		}
		p.props = append(p.props, r.s.cfg.extra[obj]...)
		if r.s.cfg.all[obj] {
			names, err := r.s.api.propertyNames(ctx, obj)
			if err != nil {
				return nil, fmt.Errorf("list the properties of %s: %w", obj, err)
			}
			p.props = append(p.props, names...)
		}
	}
	slices.Sort(p.props)
	p.props = slices.Compact(p.props)
	size := len(strings.Join(p.props, `","`))
	p.batch = p.batch || size > maxSearchProps || size > maxListProps
	p.searchProp, p.listProps = p.props, p.props
	if p.batch {
		p.searchProp, p.listProps = []string{mod}, []string{mod}
	}
	return p, nil
}

// startWindow opens a window up to now minus index_lag: a full read through the list API when
// no window has completed yet, else a search from the watermark minus lookback.
func (r *objectReader) startWindow(st *objState) {
	ceiling := r.s.now().Add(-r.s.cfg.indexLag).UnixMilli()
	if st.Since == 0 {
		st.Win = &window{Phase: phaseList, Ceiling: ceiling}
		return
	}
	lo := st.Since - r.s.cfg.lookback.Milliseconds()
	st.Win = &window{Phase: phaseSearch, Ceiling: max(ceiling, st.Since), From: lo, FromIncl: true, ArchivedFrom: lo}
}

// drive runs the window to its end, one page at a time; each page's records are held with the
// cursor reached after it, and emitted in batches of whole pages (emitPage).
func (r *objectReader) drive(ctx context.Context, obj string, st *objState) error {
	for st.Win != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		var (
			recs []object
			err  error
		)
		archived := st.Win.Phase == phaseArchived
		switch st.Win.Phase {
		case phaseList, phaseArchived:
			recs, err = r.listStep(ctx, obj, st, archived)
		case phaseSearch:
			recs, err = r.searchStep(ctx, obj, st)
		case phaseTies:
			recs, err = r.tiesStep(ctx, obj, st)
		}
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			if err := r.emitPage(ctx, obj, recs, archived); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish ends the window's current pass: on to the archived records, or the window is done.
func (r *objectReader) finish(st *objState) {
	if st.Win.Phase != phaseArchived && !r.spec.history {
		st.Win.Phase, st.Win.After = phaseArchived, ""
		return
	}
	st.Since = max(st.Since, st.Win.Ceiling)
	st.Win = nil
}

// listStep reads one page of the list API (live or archived records).
func (r *objectReader) listStep(ctx context.Context, obj string, st *objState, archived bool) ([]object, error) {
	w := st.Win
	recs, next, err := r.listPage(ctx, obj, archived, w.After)
	if err != nil {
		what := "list"
		if archived {
			what = "list archived"
		}
		return nil, fmt.Errorf("%s %s after %q: %w", what, obj, w.After, err)
	}
	if archived && w.ArchivedFrom > 0 {
		kept := recs[:0]
		for _, rec := range recs {
			if at, err := epochMillis(rec.ArchivedAt); err != nil || at >= w.ArchivedFrom {
				kept = append(kept, rec)
			}
		}
		recs = kept
	}
	switch {
	case next == "":
		r.finish(st)
	case next == w.After:
		return nil, fmt.Errorf("list %s: HubSpot sent the same paging token %q again", obj, next)
	default:
		w.After = next
	}
	return recs, nil
}

func (r *objectReader) searchBody(obj string, filters []filter, sortBy string) searchBody {
	return searchBody{FilterGroups: []filterGroup{{Filters: filters}},
		Sorts: []sortRule{{PropertyName: sortBy, Direction: "ASCENDING"}}, Properties: r.plans[obj].searchProp,
		Limit: r.s.cfg.pageSize}
}

// searchStep reads the next records modified after From, up to Ceiling, sorted by their
// modified time. Every query starts at offset 0 (keyset paging), so the 10,000-result cap is
// never reached and records changing between pages cannot shift the pages. A full page holds
// back its last modified time, whose ties may continue past the page: the next query starts at
// it. A full page of one modified time switches to the ties phase.
func (r *objectReader) searchStep(ctx context.Context, obj string, st *objState) ([]object, error) {
	w, mod := st.Win, modProp(obj)
	op := "GT"
	if w.FromIncl {
		op = "GTE"
	}
	body := r.searchBody(obj, []filter{
		{PropertyName: mod, Operator: op, Value: strconv.FormatInt(w.From, 10)},
		{PropertyName: mod, Operator: "LTE", Value: strconv.FormatInt(w.Ceiling, 10)},
	}, mod)
	recs, more, err := r.s.api.searchPage(ctx, obj, body)
	if err != nil {
		return nil, fmt.Errorf("search %s modified %s %d: %w", obj, op, w.From, err)
	}
	if !more {
		r.finish(st)
		return recs, nil
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("search %s: HubSpot announced more results but sent none", obj)
	}
	mods := make([]int64, len(recs))
	last := int64(0)
	for i, rec := range recs {
		if mods[i], err = recordMod(rec, mod); err != nil {
			return nil, fmt.Errorf("search %s: %w", obj, err)
		}
		last = max(last, mods[i])
	}
	var keep []object
	for i, rec := range recs {
		if mods[i] < last {
			keep = append(keep, rec)
		}
	}
	if len(keep) == 0 {
		w.Phase, w.From, w.TieID = phaseTies, last, ""
		return nil, nil
	}
	w.From, w.FromIncl = last, true
	return keep, nil
}

// tiesStep reads the records modified exactly at From, by ascending hs_object_id after TieID:
// more than a page of records sharing one modified time cannot loop.
func (r *objectReader) tiesStep(ctx context.Context, obj string, st *objState) ([]object, error) {
	w, mod := st.Win, modProp(obj)
	filters := []filter{{PropertyName: mod, Operator: "EQ", Value: strconv.FormatInt(w.From, 10)}}
	if w.TieID != "" {
		filters = append(filters, filter{PropertyName: "hs_object_id", Operator: "GT", Value: w.TieID})
	}
	recs, more, err := r.s.api.searchPage(ctx, obj, r.searchBody(obj, filters, "hs_object_id"))
	if err != nil {
		return nil, fmt.Errorf("search %s modified at %d after id %q: %w", obj, w.From, w.TieID, err)
	}
	prev := w.TieID
	for _, rec := range recs {
		if greaterID(rec.ID, w.TieID) {
			w.TieID = rec.ID
		}
	}
	if !more {
		w.Phase, w.FromIncl, w.TieID = phaseSearch, false, ""
	} else if w.TieID == prev {
		return nil, fmt.Errorf("search %s: HubSpot announced more results but sent none after id %q", obj, prev)
	}
	return recs, nil
}

// greaterID compares decimal ids numerically ("" is the smallest).
func greaterID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// recordMod returns a record's last-modified time in epoch ms.
func recordMod(rec object, mod string) (int64, error) {
	v := rec.UpdatedAt
	if p := rec.Properties[mod]; p != nil && *p != "" {
		v = *p
	}
	ms, err := epochMillis(v)
	if err != nil {
		return 0, fmt.Errorf("record %s: %s: %w", rec.ID, mod, err)
	}
	return ms, nil
}

// emitPage completes a page (batch-read properties, associations), converts it and holds it
// with the cursor as it stands after the page; held pages are emitted as one batch once they
// reach batchRows rows (see flush).
func (r *objectReader) emitPage(ctx context.Context, obj string, recs []object, archived bool) error {
	recs, err := r.details(ctx, obj, recs, archived)
	if err != nil {
		return err
	}
	assoc := map[string]map[string]string{}
	if !archived {
		if assoc, err = r.associations(ctx, obj, recs); err != nil {
			return err
		}
	}
	rows := newRows(r.s.mem, schemaOf(r.spec.columns, r.spec.key), r.spec.columns)
	defer rows.release()
	for _, rec := range recs {
		if err := r.addRecord(rows, obj, rec, assoc); err != nil {
			return fmt.Errorf("%s %s: %w", obj, rec.ID, err)
		}
	}
	if rows.n == 0 {
		return nil
	}
	r.held.add(rows.finish(), r.cur.encode())
	if r.held.rows < r.s.batchRows {
		return nil
	}
	return r.flush(ctx)
}

// flush emits the held pages as one batch, with the cursor reached after the last of them.
func (r *objectReader) flush(ctx context.Context) error {
	if len(r.held.recs) == 0 {
		return nil
	}
	rec, err := r.held.take(r.s.mem)
	if err != nil {
		return err
	}
	if err := emitRecords(ctx, r.emit, rec, r.held.cursor, false); err != nil {
		r.emitErr = err
		return err
	}
	return nil
}

// details reads the page's properties (and the history of the stream's historyProps) by batch read when the plan says
// so. Records gone meanwhile (archived) are dropped: the archived phase emits them.
func (r *objectReader) details(ctx context.Context, obj string, recs []object, archived bool) ([]object, error) {
	p := r.plans[obj]
	if !p.batch || (archived && r.spec.history) {
		return recs, nil
	}
	var history []string
	size := batchSize
	if r.spec.history {
		history, size = r.spec.historyProps, historyBatch
	}
	out := make([]object, 0, len(recs))
	for chunk := range slices.Chunk(recs, size) {
		ids := make([]string, len(chunk))
		for i, rec := range chunk {
			ids[i] = rec.ID
		}
		got, err := r.s.api.batchRead(ctx, obj, ids, p.props, history, archived)
		if err != nil {
			return nil, fmt.Errorf("batch read %d %s: %w", len(ids), obj, err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// associations returns, per association column's object type, each record's associated id.
func (r *objectReader) associations(ctx context.Context, obj string, recs []object) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, c := range r.spec.columns {
		if c.from != fromAssoc || out[c.assoc] != nil {
			continue
		}
		out[c.assoc] = map[string]string{}
		for chunk := range slices.Chunk(recs, assocBatch) {
			ids := make([]string, len(chunk))
			for i, rec := range chunk {
				ids[i] = rec.ID
			}
			got, err := r.s.api.associations(ctx, obj, c.assoc, ids)
			if err != nil {
				return nil, fmt.Errorf("read %s→%s associations of %d records: %w", obj, c.assoc, len(ids), err)
			}
			for id, targets := range got {
				if to := pickAssociation(targets); to != "" {
					out[c.assoc][id] = to
				}
			}
		}
	}
	return out, nil
}

// pickAssociation chooses one associated record: the one labeled Primary (HubSpot's primary
// company of a contact or deal), else the smallest id.
func pickAssociation(targets []assocTarget) string {
	best, primary := "", false
	for _, t := range targets {
		id := string(t.ToObjectID)
		isPrimary := false
		for _, ty := range t.Types {
			isPrimary = isPrimary || (ty.Label != nil && strings.EqualFold(*ty.Label, "primary"))
		}
		switch {
		case isPrimary && !primary:
			best, primary = id, true
		case isPrimary == primary && (best == "" || greaterID(best, id)):
			best = id
		}
	}
	return best
}

// addRecord appends a record's row (or, for deal_stage_history, one row per dealstage change;
// for deal_property_history, one row per change of each history property).
func (r *objectReader) addRecord(rows *rows, obj string, rec object, assoc map[string]map[string]string) error {
	mod := modProp(obj)
	if r.spec.history {
		updated := optional(rec.UpdatedAt)
		if p := rec.Properties[mod]; p != nil && *p != "" {
			updated = p
		}
		if r.spec.byProperty {
			return addPropertyHistory(rows, rec, r.spec.historyProps, updated)
		}
		for _, h := range rec.PropertiesWithHistory["dealstage"] {
			cells := []*string{ptr(rec.ID), ptr(h.Value), ptr(h.Timestamp), optional(h.SourceType),
				optional(h.SourceID), optional(string(h.UpdatedByUserID)), updated}
			if err := rows.add(cells); err != nil {
				return err
			}
		}
		return nil
	}
	cells := make([]*string, len(r.spec.columns))
	for i, c := range r.spec.columns {
		switch c.from {
		case fromProp:
			if p := c.property(obj); p != "" {
				cells[i] = rec.Properties[p]
			}
		case fromID:
			cells[i] = ptr(rec.ID)
		case fromType:
			cells[i] = ptr(strings.TrimSuffix(obj, "s"))
		case fromCreated:
			cells[i] = firstSet(rec.Properties[createProp(obj)], rec.CreatedAt)
		case fromUpdated:
			cells[i] = firstSet(rec.Properties[mod], rec.UpdatedAt)
		case fromArchived:
			cells[i] = ptr(strconv.FormatBool(rec.Archived))
		case fromArchivedAt:
			cells[i] = optional(rec.ArchivedAt)
		case fromAssoc:
			if to, ok := assoc[c.assoc][rec.ID]; ok {
				cells[i] = ptr(to)
			}
		}
	}
	var extra map[string]*string
	consumed := r.plans[obj].consumed
	for k, v := range rec.Properties {
		if !consumed[k] {
			if extra == nil {
				extra = map[string]*string{}
			}
			extra[k] = v
		}
	}
	for i, c := range r.spec.columns {
		if c.from == fromExtra && len(extra) > 0 {
			b, err := json.Marshal(extra)
			if err != nil {
				return err
			}
			cells[i] = ptr(string(b))
		}
	}
	return rows.add(cells)
}

// firstSet is the property's value when set, else the fallback (nil when empty too).
func firstSet(p *string, fallback string) *string {
	if p != nil && *p != "" {
		return p
	}
	return optional(fallback)
}

// addPropertyHistory appends a deal's deal_property_history rows: one per change of each of
// props, keyed (deal_id, property, changed_at). HubSpot lists a property's changes newest
// first; of changes sharing a timestamp (to the millisecond), the first listed (the newest) is
// kept, so a page never holds a key twice. An empty value (the property cleared) is null.
func addPropertyHistory(rows *rows, rec object, props []string, updated *string) error {
	for _, p := range props {
		seen := map[int64]bool{}
		for _, h := range rec.PropertiesWithHistory[p] {
			at, err := epochMillis(h.Timestamp)
			if err != nil {
				return fmt.Errorf("%s history: %w", p, err)
			}
			if seen[at] {
				continue
			}
			seen[at] = true
			cells := []*string{ptr(rec.ID), ptr(p), ptr(h.Timestamp), optional(h.Value), optional(h.SourceType),
				optional(h.SourceID), optional(string(h.UpdatedByUserID)), updated}
			if err := rows.add(cells); err != nil {
				return err
			}
		}
	}
	return nil
}
