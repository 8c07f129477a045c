package hubspot

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/jsonpage"
)

// defaultBatchRows is how many rows of converted pages an object stream holds before it emits
// them as one batch. HubSpot pages are small (100 records a list page, at most 200 a search
// page), and each batch costs the loader about as much as thousands of rows.
const defaultBatchRows = 2000

// heldPages are converted pages not yet emitted, and the cursor reached after the last of them.
type heldPages struct {
	recs   []arrow.RecordBatch
	rows   int
	cursor extract.Cursor
}

func (h *heldPages) add(rec arrow.RecordBatch, cursor extract.Cursor) {
	h.recs = append(h.recs, rec)
	h.rows += int(rec.NumRows())
	h.cursor = cursor
}

// take returns the held pages as one record batch (owned by the caller) and empties h.
func (h *heldPages) take(mem memory.Allocator) (arrow.RecordBatch, error) {
	defer h.release()
	if len(h.recs) == 1 {
		rec := h.recs[0]
		rec.Retain()
		return rec, nil
	}
	schema := h.recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	parts := make([]arrow.Array, len(h.recs))
	for i := range cols {
		for j, rec := range h.recs {
			parts[j] = rec.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("join %d pages' column %s: %w", len(h.recs), schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, int64(h.rows)), nil
}

// release frees the held pages.
func (h *heldPages) release() {
	for _, rec := range h.recs {
		rec.Release()
	}
	h.recs, h.rows = h.recs[:0], 0
}

// listAhead is a list read (live or archived records of one object type) running a page ahead
// of the reader: the paging token of the next page is in each answer, so it is fetched while
// the reader completes, converts and emits the current one.
type listAhead struct {
	obj      string
	archived bool
	after    string // the paging token of the page pages hands out next
	pages    *jsonpage.Pages[listPage]
}

// listPage is one answer of the list API.
type listPage struct {
	recs []object
	next string
}

// listPage returns the list page of an object type after a paging token, and the next token.
func (r *objectReader) listPage(ctx context.Context, obj string, archived bool, after string) ([]object, string, error) {
	la := r.ahead
	if la == nil || la.obj != obj || la.archived != archived || la.after != after {
		r.stopAhead()
		props, limit := r.plans[obj].listProps, min(r.s.cfg.pageSize, listPageSize)
		fetch := func(ctx context.Context, after string) (listPage, string, bool, error) {
			recs, next, err := r.s.api.list(ctx, obj, archived, props, limit, after)
			if err != nil {
				return listPage{}, "", false, err
			}
			// The reader stops at the last page, and at a token sent twice.
			return listPage{recs: recs, next: next}, next, next != "" && next != after, nil
		}
		la = &listAhead{obj: obj, archived: archived, after: after, pages: jsonpage.Prefetch(ctx, after, fetch)}
		r.ahead = la
	}
	pg, ok, err := la.pages.Next()
	if err != nil || !ok {
		r.stopAhead()
		if err == nil {
			err = fmt.Errorf("the list ended before the page after %q", after)
		}
		return nil, "", err
	}
	la.after = pg.next
	if pg.next == "" || pg.next == after {
		r.stopAhead() // it fetched its last page
	}
	return pg.recs, pg.next, nil
}

// stopAhead stops the list read running ahead, if any.
func (r *objectReader) stopAhead() {
	if r.ahead != nil {
		r.ahead.pages.Stop()
		r.ahead = nil
	}
}
