package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/jsonpage"
)

// maxQueryURL is the longest query URL sent; Salesforce refuses URLs of about 16 K.
const maxQueryURL = 16000

// reader is one Read of one stream.
type reader struct {
	src    *Source
	spec   streamSpec
	from   *state
	emitFn func(context.Context, extract.Batch) error
	api    *api
	log    *slog.Logger
	p      *plan

	// progress is the committed-safe position: every record at or before it was emitted.
	progress rowKey
	// windowPos is the last in-window key emitted by the current window (restart point).
	windowPos rowKey
	// batchUntil is the deleted_until that batches carry until reconciliation is done.
	batchUntil time.Time
	// pending are deletions reported by getDeleted not yet seen in this read (id → when).
	pending    map[string]time.Time
	lastCursor extract.Cursor
	rows       int
	batches    int
	emitErr    error
	// sc reads the records of REST pages.
	sc jsonpage.Scanner
}

// queryPage is one REST query response.
type queryPage struct {
	TotalSize      int                          `json:"totalSize"`
	Done           bool                         `json:"done"`
	NextRecordsURL string                       `json:"nextRecordsUrl"`
	Records        []map[string]json.RawMessage `json:"records"`
}

func (r *reader) run(ctx context.Context) error {
	set := r.src.set
	var d describeResult
	if err := r.api.getJSON(ctx, r.src.dataPath("/sobjects/"+url.PathEscape(r.spec.object)+"/describe"), nil, &d); err != nil {
		if isCode(err, "NOT_FOUND") {
			return fmt.Errorf("describe %s: the org has no such object, or the integration user cannot see it (check objects): %w", r.spec.object, err)
		}
		return fmt.Errorf("describe %s: %w", r.spec.object, err)
	}
	p, err := newPlan(d, r.src.exclude[strings.ToLower(r.spec.object)], r.spec.deleted)
	if err != nil {
		return err
	}
	r.p = p
	var pos rowKey
	var until time.Time
	if r.from != nil {
		if r.from.Field != "" && r.from.Field != p.stampField {
			return fmt.Errorf("saved cursor is on %s, but %s's cursor field is now %s: run a full refresh of the stream", r.from.Field, p.object, p.stampField)
		}
		if pos, err = r.from.position(); err != nil {
			return fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream", err)
		}
		if until, err = r.from.deletedUntil(); err != nil {
			return fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream", err)
		}
	}
	now := r.src.now().UTC()
	hi := now.Add(-set.safetyLag).Truncate(time.Second)
	r.progress = pos
	start := pos
	if !pos.isZero() && set.lookback > 0 {
		start = rowKey{ts: pos.ts.Add(-set.lookback).Truncate(time.Second)}
	}

	// Deletions to reconcile: asked before the windows are read, so that the windows can
	// tell which deleted records they saw (with their data) and which are gone.
	r.batchUntil = until
	newUntil := hi
	var resync error
	switch {
	case r.from == nil || pos.isZero():
		r.batchUntil = hi // a full read sees every record that exists
	case !set.reconcile || !p.hasDeleted || !d.Replicateable:
	default:
		since := until
		if since.IsZero() {
			since = start.ts
		}
		var rs *ResyncError
		newUntil, rs, err = r.deletions(ctx, since, hi, now)
		if err != nil {
			return err
		}
		if rs != nil {
			resync = rs
		}
	}

	r.log.Debug("salesforce read", "object", p.object, "from", start.ts, "to", hi, "pending_deletes", len(r.pending))
	if start.isZero() || start.ts.Before(hi) {
		if err := r.readRange(ctx, start, hi); err != nil {
			return err
		}
	}
	r.advance(rowKey{ts: hi})
	if resync != nil {
		newUntil = r.batchUntil
	}
	if err := r.finish(ctx, newUntil); err != nil {
		return err
	}
	r.log.Info("salesforce stream read", "object", p.object, "rows", r.rows, "batches", r.batches)
	return resync
}

// advance moves progress forward to k (never backward).
func (r *reader) advance(k rowKey) {
	if r.progress.less(k) {
		r.progress = k
	}
}

// cursor is the cursor batches carry now.
func (r *reader) cursor() extract.Cursor {
	return encodeState(r.p.object, r.p.stampField, r.progress, r.batchUntil)
}

// emit sends a batch; emit's own error is kept to be returned unchanged by Read.
func (r *reader) emit(ctx context.Context, b extract.Batch) error {
	if err := r.emitFn(ctx, b); err != nil {
		r.emitErr = err
		return err
	}
	r.lastCursor = b.Cursor
	r.batches++
	return nil
}

// finish emits the tombstones of records deleted and gone, with the final cursor.
func (r *reader) finish(ctx context.Context, until time.Time) error {
	b := newBuilder(r.src.mem, r.p)
	defer b.release()
	ids := make([]string, 0, len(r.pending))
	for id := range r.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		b.appendTombstone(id, r.pending[id])
	}
	r.batchUntil = until
	c := r.cursor()
	if b.n == 0 && bytes.Equal(c, r.lastCursor) {
		return nil
	}
	r.rows += b.n
	return r.emit(ctx, extract.Batch{Records: b.finish(), Cursor: c, Final: true})
}

// readRange reads the records with key after start and stamp before hi, one window at a
// time: the whole range at first; on QUERY_TIMEOUT the window halves (down to one second,
// then Bulk), and after each window that succeeds it doubles again.
func (r *reader) readRange(ctx context.Context, start rowKey, hi time.Time) error {
	cur := start
	var width time.Duration // 0: up to hi
	restarts := 0
	for {
		whi := hi
		if width > 0 && cur.ts.Add(width).Before(hi) {
			whi = cur.ts.Add(width)
		}
		err := r.readWindow(ctx, cur, whi)
		switch {
		case err == nil:
		case isCode(err, "QUERY_TIMEOUT"):
			if cur.less(r.windowPos) {
				cur = r.windowPos
			}
			if cur.ts.IsZero() {
				first, ok, err := r.firstStamp(ctx, hi)
				if err != nil || !ok {
					return err
				}
				cur, whi = rowKey{ts: first}, hi
			}
			width = (whi.Sub(cur.ts) / 2).Truncate(time.Second)
			if width < time.Second {
				next := cur.ts.Truncate(time.Second).Add(time.Second)
				if next.After(hi) {
					next = hi
				}
				r.log.Warn("salesforce QUERY_TIMEOUT on a one-second window: using the Bulk API", "object", r.p.object, "at", cur.ts)
				if err := r.bulkOnly(ctx, cur, next, err); err != nil {
					return err
				}
				r.advance(rowKey{ts: next})
				if !next.Before(hi) {
					return nil
				}
				cur, width = rowKey{ts: next}, time.Second
				continue
			}
			r.log.Warn("salesforce QUERY_TIMEOUT: narrowing the window", "object", r.p.object, "from", cur.ts, "width", width)
			continue
		case isCode(err, "INVALID_QUERY_LOCATOR") && restarts < 5:
			restarts++
			r.log.Warn("salesforce query locator expired: restarting the window", "object", r.p.object, "after", r.windowPos.ts)
			if cur.less(r.windowPos) {
				cur = r.windowPos
			}
			continue
		default:
			return err
		}
		r.advance(rowKey{ts: whi})
		if !whi.Before(hi) {
			return nil
		}
		cur = rowKey{ts: whi}
		if width > 0 {
			width *= 2
		}
	}
}

// bulkOnly reads a window that REST cannot: through Bulk, or fails with cause.
func (r *reader) bulkOnly(ctx context.Context, lo rowKey, whi time.Time, cause error) error {
	if r.src.set.bulk == BulkOff {
		return fmt.Errorf("query %s: a one-second window still times out and bulk is off (set bulk: auto): %w", r.p.object, cause)
	}
	handled, err := r.bulkWindow(ctx, lo, whi)
	if err != nil {
		return err
	}
	if !handled {
		return fmt.Errorf("query %s: a one-second window times out and the Bulk API refused the object: %w", r.p.object, cause)
	}
	return nil
}

// endpoint is queryAll for objects with IsDeleted (deleted records arrive with IsDeleted true),
// query for the others.
func (r *reader) endpoint() string {
	if r.p.hasDeleted {
		return "/queryAll"
	}
	return "/query"
}

// readWindow reads the records with key after lo and stamp before whi through REST (or Bulk,
// when configured or when the window holds more than bulk_threshold records), emitting a batch
// per page.
func (r *reader) readWindow(ctx context.Context, lo rowKey, whi time.Time) error {
	r.windowPos = lo
	if r.src.set.bulk == BulkAlways {
		handled, err := r.bulkWindow(ctx, lo, whi)
		if err != nil || handled {
			return err
		}
	}
	q := r.p.query(lo, whi, true, -1)
	target := r.src.dataPath(r.endpoint() + "?" + url.Values{"q": {q}}.Encode())
	if len(target) > maxQueryURL {
		return fmt.Errorf("query %s: the SELECT list makes a %d-character URL, over Salesforce's limit: leave fields out with exclude_fields", r.p.object, len(target))
	}
	header := map[string]string{"Sforce-Query-Options": "batchSize=" + strconv.Itoa(r.src.set.pageSize)}
	// Pages are fetched one ahead: nextRecordsUrl is known once a page's paging fields are read,
	// so page n+1 is on its way while page n is decoded and emitted.
	fetch := func(ctx context.Context, at pageAt) (restPage, pageAt, bool, error) {
		pg, err := r.fetchPage(ctx, at.target, header)
		if err != nil {
			return pg, at, false, fmt.Errorf("query %s (page %d): %w", r.p.object, at.page, err)
		}
		more := !pg.done && pg.next != ""
		// A first page that sends the window to Bulk is the last one fetched ahead: the loop
		// below decides whether REST goes on.
		return pg, pageAt{target: pg.next, page: at.page + 1}, more && !r.overBulkThreshold(at.page, pg), nil
	}
	pages := jsonpage.Prefetch(ctx, pageAt{target: target, page: 1}, fetch)
	defer func() { pages.Stop() }()
	for page := 1; ; page++ {
		pg, ok, err := pages.Next()
		if err != nil || !ok {
			return err
		}
		if err := r.emitPage(ctx, pg.records, whi); err != nil {
			return err
		}
		if !pg.done && pg.next != "" && r.overBulkThreshold(page, pg) {
			pages.Stop()
			r.log.Info("salesforce window over bulk_threshold: using the Bulk API", "object", r.p.object, "records", pg.totalSize)
			handled, err := r.bulkWindow(ctx, r.windowPos, whi)
			if err != nil || handled {
				return err
			}
			pages = jsonpage.Prefetch(ctx, pageAt{target: pg.next, page: page + 1}, fetch)
		}
	}
}

// pageAt is a REST page to fetch: its URL and its number in the window.
type pageAt struct {
	target string
	page   int
}

// overBulkThreshold reports whether the first page of a window announces more records than
// bulk_threshold, with bulk auto: the rest of the window is read through Bulk.
func (r *reader) overBulkThreshold(page int, pg restPage) bool {
	return page == 1 && r.src.set.bulk == BulkAuto && pg.totalSize > r.src.set.bulkThreshold
}

// emitPage emits one REST page (its records array's JSON). Progress moves to the last record
// stamped before whi: records stamped at or after it were updated after the query ran (the page
// shows current values), so their place in the order is unknown; they are emitted now and read
// again by a later window.
func (r *reader) emitPage(ctx context.Context, records []byte, whi time.Time) error {
	b := newBuilder(r.src.mem, r.p)
	defer b.release()
	err := b.appendRecords(&r.sc, records, func(k rowKey) {
		r.seen(k.id)
		if k.ts.Before(whi) && r.windowPos.less(k) {
			r.windowPos = k
		}
	})
	if err != nil {
		return fmt.Errorf("query %s: %w", r.p.object, err)
	}
	if b.n == 0 {
		return nil
	}
	r.advance(r.windowPos)
	r.rows += b.n
	return r.emit(ctx, extract.Batch{Records: b.finish(), Cursor: r.cursor()})
}

// seen drops a record from the deletions to reconcile: this read has its current state.
func (r *reader) seen(id string) {
	if len(r.pending) > 0 {
		delete(r.pending, id)
	}
}

// firstStamp returns the smallest stamp before hi (ok false when there is none).
func (r *reader) firstStamp(ctx context.Context, hi time.Time) (time.Time, bool, error) {
	q := "SELECT Id, " + r.p.stampField + " FROM " + r.p.object + " WHERE " + r.p.stampField + " < " + soqlDatetime(hi) +
		" ORDER BY " + r.p.stampField + " ASC, Id ASC LIMIT 1"
	var qp queryPage
	if err := r.api.getJSON(ctx, r.src.dataPath(r.endpoint()+"?"+url.Values{"q": {q}}.Encode()), nil, &qp); err != nil {
		return time.Time{}, false, fmt.Errorf("query %s's first %s: %w", r.p.object, r.p.stampField, err)
	}
	if len(qp.Records) == 0 {
		return time.Time{}, false, nil
	}
	var text string
	if err := json.Unmarshal(qp.Records[0][r.p.stampField], &text); err != nil {
		return time.Time{}, false, fmt.Errorf("query %s's first %s: %w", r.p.object, r.p.stampField, err)
	}
	t, err := parseDatetime(text)
	return t, err == nil, err
}

// query renders the SOQL of a window: records after lo in (stamp, Id) order and stamped
// before hi, optionally ordered (REST) and limited.
func (p *plan) query(lo rowKey, hi time.Time, ordered bool, limit int) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(p.selects, ", "))
	b.WriteString(" FROM ")
	b.WriteString(p.object)
	b.WriteString(" WHERE ")
	f := p.stampField
	switch {
	case lo.isZero():
	case lo.id == "":
		fmt.Fprintf(&b, "%s >= %s AND ", f, soqlDatetime(lo.ts))
	default:
		t := soqlDatetime(lo.ts)
		fmt.Fprintf(&b, "(%s > %s OR (%s = %s AND Id > %s)) AND ", f, t, f, t, soqlString(lo.id))
	}
	fmt.Fprintf(&b, "%s < %s", f, soqlDatetime(hi))
	if ordered {
		fmt.Fprintf(&b, " ORDER BY %s ASC, Id ASC", f)
	}
	if limit >= 0 {
		fmt.Fprintf(&b, " LIMIT %d", limit)
	}
	return b.String()
}

// soqlDatetime renders an unquoted SOQL datetime literal in UTC.
func soqlDatetime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/int(time.Millisecond) != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// soqlString renders a quoted SOQL string literal.
func soqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s) + "'"
}

// deletions asks getDeleted for the records deleted in [since, hi) and keeps them as pending.
// It returns the next deleted_until, and a *ResyncError (not a failure: the read goes on) when
// the delete log no longer reaches back to since.
func (r *reader) deletions(ctx context.Context, since, hi, now time.Time) (time.Time, *ResyncError, error) {
	if !hi.Truncate(time.Minute).After(since.Truncate(time.Minute)) {
		return since, nil, nil // less than a minute since the last reconciliation
	}
	if now.Sub(since) > 29*24*time.Hour {
		return since, &ResyncError{Object: r.p.object, Since: since, EarliestAvailable: now.Add(-29 * 24 * time.Hour)}, nil
	}
	v := url.Values{"start": {since.UTC().Format(time.RFC3339)}, "end": {hi.UTC().Format(time.RFC3339)}}
	var resp struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable string `json:"earliestDateAvailable"`
		LatestDateCovered     string `json:"latestDateCovered"`
	}
	target := r.src.dataPath("/sobjects/" + url.PathEscape(r.p.object) + "/deleted/?" + v.Encode())
	if err := r.api.getJSON(ctx, target, nil, &resp); err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			r.log.Warn("salesforce getDeleted failed: deletions are reconciled by queryAll only this run", "object", r.p.object, "err", err)
			return since, nil, nil
		}
		return since, nil, fmt.Errorf("get deleted %s records: %w", r.p.object, err)
	}
	if earliest, err := parseDatetime(resp.EarliestDateAvailable); err == nil && earliest.After(since) {
		return since, &ResyncError{Object: r.p.object, Since: since, EarliestAvailable: earliest}, nil
	}
	r.pending = make(map[string]time.Time, len(resp.DeletedRecords))
	for _, d := range resp.DeletedRecords {
		at, err := parseDatetime(d.DeletedDate)
		if err != nil {
			at = hi
		}
		r.pending[d.ID] = at
	}
	covered, err := parseDatetime(resp.LatestDateCovered)
	if err != nil || covered.After(hi) {
		covered = hi.Truncate(time.Minute)
	}
	return covered, nil, nil
}
