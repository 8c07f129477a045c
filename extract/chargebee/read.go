package chargebee

// read.go: one Read of one stream — the list requests in updated_at order, next_offset passed
// back verbatim, skipping what the cursor says was emitted, and one batch per page.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// reader is the state of one Read.
type reader struct {
	src     *source
	def     *streamDef
	emit    func(context.Context, extract.Batch) error
	emitErr error
	schema  *arrow.Schema
}

// run lists the stream's records changed since cur, page by page, and emits each page.
func (r *reader) run(ctx context.Context, cur cursor) error {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(r.src.pageSize))
	q.Set("sort_by[asc]", "updated_at")
	q.Set("include_deleted", "true")
	if cur.UpdatedAt > 0 {
		q.Set("updated_at[after]", strconv.FormatInt(max(0, cur.UpdatedAt-r.src.overlap), 10))
	}
	offset := ""
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if offset != "" {
			q.Set("offset", offset) // verbatim: next_offset is opaque
		}
		recs, next, err := r.src.client.list(ctx, r.def.path, r.def.typ, q)
		if err != nil {
			return fmt.Errorf("list %s page %d: %w", r.def.path, page, r.hint(err))
		}
		var rows []row
		for i, rec := range recs {
			id, at, version, err := identity(rec)
			if err != nil {
				return fmt.Errorf("list %s page %d: record %d: %w", r.def.path, page, i, err)
			}
			if cur.emitted(id, version) {
				continue
			}
			rows = append(rows, r.def.rowsOf(r, rec)...)
			cur.note(id, at, version)
		}
		cur.prune(r.src.overlap)
		final := next == ""
		if err := r.flush(ctx, rows, cur, final); err != nil {
			return err
		}
		if final {
			return nil
		}
		if next == offset {
			return fmt.Errorf("list %s page %d: next_offset %q did not advance", r.def.path, page, next)
		}
		offset = next
	}
}

// identity reads a record's id, updated_at and version (resource_version, or updated_at in
// milliseconds where a resource has none).
func identity(rec jobj) (id string, updatedAt, version int64, err error) {
	id, _ = rec["id"].(string)
	at, ok := integer(rec["updated_at"]).(int64)
	if id == "" || !ok {
		return "", 0, 0, fmt.Errorf("no id or updated_at: cannot be read incrementally")
	}
	version, ok = integer(rec["resource_version"]).(int64)
	if !ok {
		version = at * 1000
	}
	return id, at, version, nil
}

// hint adds what to do to the errors a configuration causes.
func (r *reader) hint(err error) error {
	var ae *APIError
	switch {
	case errors.Is(err, ErrUnauthorized):
		return fmt.Errorf("%w (check api_key: use a full-access or read-only API key of this site that may read %s)", err, r.def.name)
	case errors.As(err, &ae) && ae.APIErrorCode == "configuration_incompatible":
		return fmt.Errorf("%w (the site's product catalog version does not serve %s: remove %s from objects)", err, r.def.path, r.def.name)
	case errors.As(err, &ae) && ae.Status == 404:
		return fmt.Errorf("%w (no %s on this site: check site or base_url)", err, r.def.path)
	}
	return err
}

// flush emits rows as one batch with cursor cur.
func (r *reader) flush(ctx context.Context, rows []row, cur cursor, final bool) error {
	if r.schema == nil {
		r.schema = arrowrow.Schema(r.def.all)
	}
	rec, err := arrowrow.Build(r.src.mem, r.schema, r.def.all, rows)
	if err != nil {
		return err
	}
	if err := r.emit(ctx, extract.Batch{Records: rec, Cursor: cur.encode(), Final: final}); err != nil {
		r.emitErr = err
		return err
	}
	return nil
}
