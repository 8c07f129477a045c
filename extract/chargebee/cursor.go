package chargebee

// cursor.go: a stream's position. Chargebee lists are read in updated_at order (sort_by[asc]
// =updated_at, include_deleted=true), so a position is the highest updated_at emitted. The
// next read asks for updated_at[after]=UpdatedAt−overlap: it re-reads the last overlap seconds,
// where records committed late (or in the same second, after the previous read) may hide, and
// skips the records of that window it already emitted — those in Seen with the same
// resource_version.

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/revops/revops/extract"
)

// cursorVersion is written into every cursor; another version starts the stream over.
const cursorVersion = 1

// maxSeen bounds the records a cursor remembers. Forgetting one is safe: it is only emitted
// again (the loader merges it), never lost.
const maxSeen = 10_000

type cursor struct {
	V int `json:"v"`
	// UpdatedAt is the highest updated_at emitted (unix seconds); 0 means none.
	UpdatedAt int64 `json:"updated_at,omitempty"`
	// Seen maps the id of each record emitted with an updated_at inside the overlap window
	// (UpdatedAt−overlap, UpdatedAt] to its [updated_at, resource_version].
	Seen map[string][2]int64 `json:"seen,omitempty"`
}

func decodeCursor(c extract.Cursor) (cursor, error) {
	var cur cursor
	if len(c) == 0 {
		return cur, nil
	}
	if err := json.Unmarshal(c, &cur); err != nil {
		return cursor{}, fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream to reset it", err)
	}
	if cur.V != cursorVersion {
		return cursor{}, nil // written by another version of the connector: start over
	}
	if cur.UpdatedAt < 0 {
		return cursor{}, fmt.Errorf("saved cursor has a negative updated_at %d: run a full refresh of the stream to reset it", cur.UpdatedAt)
	}
	return cur, nil
}

// emitted reports whether this version of record id was already emitted.
func (c *cursor) emitted(id string, version int64) bool {
	prev, ok := c.Seen[id]
	return ok && prev[1] >= version
}

// note records that a record was emitted.
func (c *cursor) note(id string, updatedAt, version int64) {
	if c.Seen == nil {
		c.Seen = map[string][2]int64{}
	}
	c.Seen[id] = [2]int64{updatedAt, version}
	c.UpdatedAt = max(c.UpdatedAt, updatedAt)
}

// prune forgets the records the next read will not see again (updated_at at or before
// UpdatedAt−overlap), then the oldest beyond maxSeen.
func (c *cursor) prune(overlap int64) {
	for id, s := range c.Seen {
		if s[0] <= c.UpdatedAt-overlap {
			delete(c.Seen, id)
		}
	}
	if len(c.Seen) <= maxSeen {
		return
	}
	ids := make([]string, 0, len(c.Seen))
	for id := range c.Seen {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := c.Seen[ids[i]], c.Seen[ids[j]]
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids[:len(ids)-maxSeen] {
		delete(c.Seen, id)
	}
}

func (c cursor) encode() extract.Cursor {
	c.V = cursorVersion
	b, _ := json.Marshal(c)
	return b
}
