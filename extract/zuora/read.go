package zuora

// read.go: one Read of one stream — building the ZOQL, the UpdatedDate windows, paging with
// query locators, turning records into rows and emitting batches with their cursors.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// maxRestarts bounds how often one window's query starts over after its locator expired.
const maxRestarts = 3

// reader is the state of one Read.
type reader struct {
	src     *source
	def     *streamDef
	emitFn  func(context.Context, extract.Batch) error
	emitErr error
	schema  *arrow.Schema
	res     *resolver
	rows    int
}

// zoqlTime renders an instant as a ZOQL datetime literal with an explicit offset.
func zoqlTime(t time.Time) string { return "'" + t.UTC().Format("2006-01-02T15:04:05-07:00") + "'" }

// zoqlString renders a ZOQL string literal.
func zoqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// run reads from cur. A stream read in full (Replace) lists every record; an incremental one
// lists the records updated in [since − lookback, now), in windows of at most maxWindow, or
// every record updated before now when there is no watermark yet.
func (r *reader) run(ctx context.Context, cur cursor) error {
	hi := r.src.now().UTC().Truncate(time.Second)
	obj := r.def.object
	if r.src.replace[r.def.name] {
		return r.window(ctx, time.Time{}, time.Time{}, at(obj, hi), at(obj, hi), true)
	}
	since, err := cur.since()
	if err != nil {
		return err
	}
	if since.IsZero() {
		return r.window(ctx, time.Time{}, hi, cur, at(obj, hi), true)
	}
	lo := since.Add(-r.src.lookback)
	if !lo.Before(hi) {
		return r.emit(ctx, nil, cur, true) // nothing can have changed since the watermark
	}
	resume := cur
	for wlo := lo; wlo.Before(hi); {
		whi := wlo.Add(maxWindow)
		if whi.After(hi) {
			whi = hi
		}
		done := at(obj, whi)
		if err := r.window(ctx, wlo, whi, resume, done, !whi.Before(hi)); err != nil {
			return err
		}
		resume, wlo = done, whi
	}
	r.src.log.Debug("zuora stream read", "stream", r.def.name, "rows", r.rows, "from", lo, "to", hi)
	return nil
}

// window reads the records updated in [lo, hi) (an unset bound is open), page by page. The
// pages' batches carry resume, which re-reads the whole window; the last page carries done.
func (r *reader) window(ctx context.Context, lo, hi time.Time, resume, done cursor, final bool) error {
	for restarts := 0; ; restarts++ {
		err := r.pages(ctx, lo, hi, resume, done, final)
		if isFault(err, "INVALID_QUERY_LOCATOR") && restarts < maxRestarts {
			// The locator expired (15 minutes idle) or was lost: run the window's query again.
			// Rows already emitted are emitted again; the loader merges them.
			r.src.log.Warn("zuora query locator invalid; restarting the window", "stream", r.def.name, "error", err)
			continue
		}
		return err
	}
}

// pages runs the window's query and emits its pages.
func (r *reader) pages(ctx context.Context, lo, hi time.Time, resume, done cursor, final bool) error {
	var conds []string
	if !lo.IsZero() {
		conds = append(conds, fieldUpdated+" >= "+zoqlTime(lo))
	}
	if !hi.IsZero() {
		conds = append(conds, fieldUpdated+" < "+zoqlTime(hi))
	}
	page, err := r.firstPage(ctx, conds)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for {
		rows, err := r.toRows(ctx, page.Records)
		if err != nil {
			return err
		}
		if page.Done {
			return r.emit(ctx, rows, done, final)
		}
		if len(rows) > 0 {
			if err := r.emit(ctx, rows, resume, false); err != nil {
				return err
			}
		}
		if seen[page.QueryLocator] {
			return fmt.Errorf("zuora sent query locator %q twice", page.QueryLocator)
		}
		seen[page.QueryLocator] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		if page, err = r.src.client.queryMore(ctx, page.QueryLocator, r.src.batch); err != nil {
			return fmt.Errorf("%s: queryMore: %w", r.def.object, err)
		}
	}
}

// firstPage runs the stream's query with conds. A field the tenant does not have
// (fns:INVALID_FIELD: an older WSDL version, a feature that is off) is dropped from the select
// list, with a warning, and the query sent again; its column stays NULL.
func (r *reader) firstPage(ctx context.Context, conds []string) (*queryResult, error) {
	for {
		fields := r.src.selectFields(r.def)
		q := "select " + strings.Join(fields, ", ") + " from " + r.def.object
		if len(conds) > 0 {
			q += " where " + strings.Join(conds, " and ")
		}
		page, err := r.src.client.query(ctx, q, r.src.batch)
		if isFault(err, "INVALID_FIELD") {
			if f := invalidField(err); f != "" && r.src.drop(r.def, f) {
				r.src.log.Warn("zuora tenant has no such field; its column stays empty", "object", r.def.object, "field", f)
				continue
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: query: %w", r.def.object, err)
		}
		return page, nil
	}
}

// invalidField reads the field out of "invalid field for query: Account.crmid".
func invalidField(err error) string {
	var msg string
	if ae := asAPIError(err); ae != nil {
		msg = ae.Message
	}
	i := strings.LastIndex(msg, ":")
	if i < 0 {
		return ""
	}
	ref := strings.TrimSpace(msg[i+1:])
	if j := strings.LastIndex(ref, "."); j >= 0 {
		ref = ref[j+1:]
	}
	if !fieldNamePattern.MatchString(ref) {
		return ""
	}
	return ref
}

// toRows converts a page's records into rows (lookups included).
func (r *reader) toRows(ctx context.Context, records []json.RawMessage) ([]row, error) {
	rows := make([]row, 0, len(records))
	cols := r.def.cols
	extraIdx := r.def.index("_extra")
	for i, raw := range records {
		rec, err := decodeRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("%s record %d: %w", r.def.object, i, err)
		}
		byLower := make(map[string]string, len(rec))
		for k := range rec {
			byLower[strings.ToLower(k)] = k
		}
		out := make(row, len(cols))
		for j, c := range cols {
			if c.field == "" {
				continue
			}
			key, ok := byLower[strings.ToLower(c.field)]
			if !ok {
				continue // Zuora leaves null fields out
			}
			v, err := convert(c.kind, rec[key])
			if err != nil {
				return nil, fmt.Errorf("%s %v: field %s: %w", r.def.object, rec[byLower["id"]], c.field, err)
			}
			out[j] = v
			delete(rec, key)
		}
		if out[0] == nil {
			return nil, fmt.Errorf("%s record %d has no Id", r.def.object, i)
		}
		if len(rec) > 0 {
			b, err := json.Marshal(rec)
			if err != nil {
				return nil, fmt.Errorf("%s %v: _extra: %w", r.def.object, out[0], err)
			}
			out[extraIdx] = string(b)
		}
		rows = append(rows, out)
	}
	if err := r.res.resolve(ctx, r.def, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// emit sends rows as one batch with cursor cur; emit's own error is kept to be returned
// unchanged by Read.
func (r *reader) emit(ctx context.Context, rows []row, cur cursor, final bool) error {
	rec, err := arrowrow.Build(r.src.mem, r.schema, r.def.cols, rows)
	if err != nil {
		return err
	}
	r.rows += len(rows)
	if err := r.emitFn(ctx, extract.Batch{Records: rec, Cursor: cur.encode(), Final: final}); err != nil {
		r.emitErr = err
		return err
	}
	return nil
}
