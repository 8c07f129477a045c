package stripe

// read.go: one Read of one stream — the full listing, the events replay, child lists (items,
// lines) and emitting batches with their cursors.

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// event is a decoded Stripe event.
type event struct {
	id       string
	typ      string
	created  int64
	object   jobj
	previous jobj
}

// reader is the state of one Read.
type reader struct {
	src     *source
	def     *streamDef
	emit    func(context.Context, extract.Batch) error
	emitErr error
	start   time.Time
	schema  *arrow.Schema
	// children caches child lists fetched during the events replay: several events of one
	// invoice or subscription need its (current) lines or items once.
	children      map[string][]jobj
	cacheChildren bool
	// coupons caches the coupons fetched by id (their terms never change; nil: gone).
	coupons map[string]jobj
}

// maxCachedChildren bounds the children cache (events of one object are usually close).
const maxCachedChildren = 64

// run reads from cur: a full listing when there is no cursor, when the listing is unfinished or
// when the events since the cursor are no longer all retained; then the events.
func (r *reader) run(ctx context.Context, cur cursor) error {
	fresh := cursor{Mode: modeFull, Since: r.start.Add(-eventLag).Unix()}
	if cur.Mode == "" || r.gap(cur.Since) {
		cur = fresh
	}
	for attempt := 0; ; attempt++ {
		if cur.Mode == modeFull {
			if err := r.full(ctx, &cur); err != nil {
				return err
			}
			cur = cursor{Mode: modeEvents, Since: cur.Since}
		}
		err := r.events(ctx, cur)
		if attempt == 0 && isMissing(err, "starting_after") {
			// An event of the window expired while it was being paged: the replay has a hole.
			cur = fresh
			continue
		}
		return err
	}
}

// gap reports whether events created at since may have been dropped by Stripe's retention.
func (r *reader) gap(since int64) bool {
	return time.Unix(since, 0).Before(r.start.Add(-eventRetention + retentionMargin))
}

// full lists every object of the stream's passes, newest first, one page per batch.
func (r *reader) full(ctx context.Context, cur *cursor) error {
	passes := r.def.passes
	for cur.Pass < len(passes) {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := passes[cur.Pass]
		q := url.Values{}
		for k, vs := range p.params {
			q[k] = append([]string(nil), vs...)
		}
		if isClover(r.src.client.version) {
			for _, x := range p.cloverExpand {
				q.Add("expand[]", x)
			}
		}
		q.Set("limit", strconv.Itoa(r.src.pageSize))
		if cur.Lte != 0 {
			q.Set("created[lte]", strconv.FormatInt(cur.Lte, 10))
		}
		if cur.After != "" {
			q.Set("starting_after", cur.After)
		}
		objs, more, err := r.src.client.list(ctx, p.path, q)
		if cur.After != "" && isMissing(err, "starting_after") {
			// The last object emitted is gone (deleted, or no longer matching): list again from
			// its creation second. Objects of that second are read twice; the loader merges them.
			cur.Lte, cur.After, cur.AfterCreated = cur.AfterCreated, "", 0
			continue
		}
		if err != nil {
			return fmt.Errorf("full listing: %w", err)
		}
		m := meta{observed: r.src.now().Unix()}
		var rows []row
		for _, o := range objs {
			rs, err := r.def.fromList(ctx, r, cur.Pass, o, m)
			if err != nil {
				return fmt.Errorf("full listing: %s %v: %w", p.path, o["id"], err)
			}
			rows = append(rows, rs...)
		}
		if n := len(objs); n > 0 {
			cur.After, _ = objs[n-1]["id"].(string)
			cur.AfterCreated, _ = integer(objs[n-1]["created"]).(int64)
		}
		if !more || len(objs) == 0 {
			cur.Pass++
			cur.After, cur.AfterCreated, cur.Lte = "", 0, 0
		}
		next := *cur
		if cur.Pass >= len(passes) {
			next = cursor{Mode: modeEvents, Since: cur.Since}
		}
		if err := r.flush(ctx, rows, next, false); err != nil {
			return err
		}
	}
	return nil
}

// events replays the stream's events created at or after cur.Since, oldest first, one window
// of eventWindow at a time, then emits the final cursor.
func (r *reader) events(ctx context.Context, cur cursor) error {
	r.cacheChildren = true
	defer func() { r.cacheChildren, r.children = false, nil }()
	end := r.start.Unix()
	since := cur.Since
	window := int64(r.src.window / time.Second)
	for ws := since; ; ws += window {
		open := ws+window > end
		q := url.Values{}
		q.Set("limit", "100")
		q.Set("created[gte]", strconv.FormatInt(ws, 10))
		if !open {
			q.Set("created[lt]", strconv.FormatInt(ws+window, 10))
		}
		if r.def.eventType != "" {
			q.Set("type", r.def.eventType)
		}
		for _, t := range r.def.eventTypes {
			q.Add("types[]", t)
		}
		evs, err := r.listEvents(ctx, q)
		if err != nil {
			return err
		}
		for i := 0; i < len(evs); i += r.src.pageSize {
			chunk := evs[i:min(i+r.src.pageSize, len(evs))]
			var rows []row
			for _, ev := range chunk {
				rs, err := r.def.fromEvent(ctx, r, ev, meta{observed: ev.created})
				if err != nil {
					return fmt.Errorf("event %s (%s): %w", ev.id, ev.typ, err)
				}
				rows = append(rows, rs...)
			}
			next := cursor{Mode: modeEvents, Since: max(since, chunk[len(chunk)-1].created-int64(eventLag/time.Second))}
			if err := r.flush(ctx, rows, next, false); err != nil {
				return err
			}
		}
		if open {
			break
		}
	}
	final := cursor{Mode: modeEvents, Since: max(since, r.start.Add(-eventLag).Unix())}
	return r.flush(ctx, nil, final, true)
}

// listEvents lists every event matching q, all pages, and returns them oldest first.
func (r *reader) listEvents(ctx context.Context, q url.Values) ([]*event, error) {
	var out []*event
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		objs, more, err := r.src.client.list(ctx, "/v1/events", q)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		for _, o := range objs {
			ev := &event{created: -1}
			ev.id, _ = o["id"].(string)
			ev.typ, _ = o["type"].(string)
			if c, ok := integer(o["created"]).(int64); ok {
				ev.created = c
			}
			ev.object = sub(o, "data", "object")
			ev.previous = sub(o, "data", "previous_attributes")
			if ev.id == "" || ev.typ == "" || ev.created < 0 || ev.object == nil {
				return nil, fmt.Errorf("list events: malformed event %v", o["id"])
			}
			out = append(out, ev)
		}
		if !more || len(objs) == 0 {
			break
		}
		q.Set("starting_after", out[len(out)-1].id)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// listAll reads every page of a child list (subscription items, invoice lines). A
// starting_after object that vanished restarts the list (the caller dedupes nothing: rows are
// merged on the primary key).
func (r *reader) listAll(ctx context.Context, path string, q url.Values) ([]jobj, error) {
	var out []jobj
	restarts := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		objs, more, err := r.src.client.list(ctx, path, q)
		if isMissing(err, "starting_after") && restarts < 3 {
			restarts++
			out = nil
			q.Del("starting_after")
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
		if !more || len(objs) == 0 {
			return out, nil
		}
		id, _ := objs[len(objs)-1]["id"].(string)
		q.Set("starting_after", id)
	}
}

// childList returns a parent's embedded list (key) and, when it has more, the whole list read
// from its url. A parent that no longer exists leaves the embedded list.
func (r *reader) childList(ctx context.Context, parent jobj, key string, fetch bool, extra url.Values) ([]jobj, error) {
	list := sub(parent, key)
	var objs []jobj
	if data, ok := list["data"].([]any); ok {
		for _, x := range data {
			if o, ok := x.(jobj); ok {
				objs = append(objs, o)
			}
		}
	}
	if !fetch || list["has_more"] != true {
		return objs, nil
	}
	raw, _ := list["url"].(string)
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.IsAbs() {
		return nil, fmt.Errorf("%s %v: %s.url %q is not a relative API path", parent["object"], parent["id"], key, raw)
	}
	q := u.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	q.Set("limit", "100")
	cacheKey := u.Path + "?" + q.Encode()
	if all, ok := r.children[cacheKey]; ok {
		return all, nil
	}
	all, err := r.listAll(ctx, u.Path, q)
	if isMissing(err, "") && !isMissing(err, "starting_after") {
		return objs, nil // the parent was deleted meanwhile: the embedded part is all there is
	}
	if err != nil {
		return nil, fmt.Errorf("%s %v: %w", parent["object"], parent["id"], err)
	}
	if r.cacheChildren {
		if r.children == nil || len(r.children) >= maxCachedChildren {
			r.children = map[string][]jobj{}
		}
		r.children[cacheKey] = all
	}
	return all, nil
}

// subscriptionItems returns all items of a subscription object (with expanded discounts, and
// from clover on their coupons, when asked).
func (r *reader) subscriptionItems(ctx context.Context, s jobj, expandDiscounts bool) ([]jobj, error) {
	var extra url.Values
	if expandDiscounts {
		extra = url.Values{"expand[]": {"data.discounts"}}
		if isClover(r.src.client.version) {
			extra.Add("expand[]", "data.discounts.source.coupon")
		}
	}
	return r.childList(ctx, s, "items", true, extra)
}

// coupon returns the coupon with this id, fetched once per read (the terms the rows keep never
// change); nil when it no longer exists. Discounts from 2025-09-30.clover on name their coupon
// without embedding it, and an event's snapshot cannot be expanded.
func (r *reader) coupon(ctx context.Context, id string) (jobj, error) {
	if c, ok := r.coupons[id]; ok {
		return c, nil
	}
	path := "/v1/coupons/" + url.PathEscape(id)
	body, err := r.src.client.get(ctx, path, nil)
	var c jobj
	switch {
	case isMissing(err, ""): // deleted since
	case err != nil:
		return nil, err
	default:
		if c, err = arrowrow.DecodeObject(body); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	if r.coupons == nil {
		r.coupons = map[string]jobj{}
	}
	r.coupons[id] = c
	return c, nil
}

// invoiceLines returns the lines of an invoice object; fetch false keeps the embedded ones.
func (r *reader) invoiceLines(ctx context.Context, inv jobj, fetch bool) ([]jobj, error) {
	return r.childList(ctx, inv, "lines", fetch, nil)
}

// flush emits rows as one batch with cursor cur.
func (r *reader) flush(ctx context.Context, rows []row, cur cursor, final bool) error {
	if r.schema == nil {
		r.schema = arrowrow.Schema(r.def.cols)
	}
	rec, err := arrowrow.Build(r.src.mem, r.schema, r.def.cols, rows)
	if err != nil {
		return err
	}
	if err := r.emit(ctx, extract.Batch{Records: rec, Cursor: cur.encode(), Final: final}); err != nil {
		r.emitErr = err
		return err
	}
	return nil
}
