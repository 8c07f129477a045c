package zuora

// lookup.go: derived columns. ZOQL has no joins, and some objects lack what a model needs on
// every row (a rate plan charge knows its rate plan, not its subscription, account or
// currency). A stream's hops fill such columns by looking up the related records by id,
// 199 ids per query ("Id = 'a' or Id = 'b' …", under ZOQL's 200 conditions), with a cache per
// Read. The relations looked up never change once a record exists (a charge's rate plan, a
// rate plan's subscription version, a subscription's account, an account's currency once it
// has transactions), so a cached value cannot go stale within a read, nor a loaded one later.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// lookupChunk is how many ids one lookup query asks for.
const lookupChunk = 199

// maxCached bounds each lookup cache; past it the cache starts over.
const maxCached = 200_000

// resolver fills derived columns.
type resolver struct {
	src   *source
	cache map[string]map[string]string // "Object.Field" → id → value ("": none)
}

func newResolver(src *source) *resolver {
	return &resolver{src: src, cache: map[string]map[string]string{}}
}

func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// resolve fills the hop columns of rows, hop by hop (a hop may read a column an earlier hop
// filled).
func (r *resolver) resolve(ctx context.Context, d *streamDef, rows []row) error {
	for _, h := range d.hops {
		from, to := d.index(h.from), d.index(h.col)
		key := h.object + "." + h.field
		m := r.cache[key]
		if m == nil || len(m) > maxCached {
			m = map[string]string{}
			r.cache[key] = m
		}
		var missing []string
		want := map[string]bool{}
		for _, rw := range rows {
			if id, ok := rw[from].(string); ok && id != "" {
				if _, cached := m[id]; !cached && !want[id] {
					want[id] = true
					missing = append(missing, id)
				}
			}
		}
		sort.Strings(missing)
		for i := 0; i < len(missing); i += lookupChunk {
			if err := r.fetch(ctx, h, missing[i:min(i+lookupChunk, len(missing))], m); err != nil {
				return fmt.Errorf("look up %s of %s: %w", h.col, d.name, err)
			}
		}
		for _, rw := range rows {
			rw[to] = nil
			if id, ok := rw[from].(string); ok && m[id] != "" {
				rw[to] = m[id]
			}
		}
	}
	return nil
}

// fetch reads field of the records with ids into m ("" for ids not found).
func (r *resolver) fetch(ctx context.Context, h hop, ids []string, m map[string]string) error {
	conds := make([]string, len(ids))
	for i, id := range ids {
		conds[i] = fieldID + " = " + zoqlString(id)
	}
	for _, id := range ids {
		m[id] = ""
	}
	q := fmt.Sprintf("select %s, %s from %s where %s", fieldID, h.field, h.object, strings.Join(conds, " or "))
	page, err := r.src.client.query(ctx, q, r.src.batch)
	for {
		if err != nil {
			return err
		}
		for _, raw := range page.Records {
			rec, err := decodeRecord(raw)
			if err != nil {
				return err
			}
			id, _ := convert(kString, rec[fieldID])
			v, err := convert(kString, rec[h.field])
			if err != nil {
				return err
			}
			if s, ok := id.(string); ok {
				if text, ok := v.(string); ok {
					m[s] = text
				}
			}
		}
		if page.Done {
			return nil
		}
		page, err = r.src.client.queryMore(ctx, page.QueryLocator, r.src.batch)
	}
}
