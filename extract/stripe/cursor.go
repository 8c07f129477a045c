package stripe

// cursor.go: a stream's position. A stream is either listing everything (mode full: which pass,
// which page) or replaying events (mode events). Both carry Since: every event created at or
// after Since is replayed on the next events read. Replaying an event twice is harmless —
// events are applied oldest first and each carries its object's full state — so Since only
// needs to be at or before the first event not yet applied.

import (
	"encoding/json"
	"fmt"

	"github.com/revops/revops/extract"
)

const (
	modeFull   = "full"
	modeEvents = "events"
)

// cursorVersion is written into every cursor; another version is a full re-sync.
const cursorVersion = 1

type cursor struct {
	V    int    `json:"v"`
	Mode string `json:"mode"`
	// Since is unix seconds: events created at or after it are (re)applied.
	Since int64 `json:"since"`
	// Full listing: the pass, the last object emitted (the next page's starting_after) and its
	// created time, and the created[lte] bound of a listing restarted after that object
	// disappeared.
	Pass         int    `json:"pass,omitempty"`
	After        string `json:"after,omitempty"`
	AfterCreated int64  `json:"after_created,omitempty"`
	Lte          int64  `json:"lte,omitempty"`
}

func decodeCursor(c extract.Cursor) (cursor, error) {
	var cur cursor
	if len(c) == 0 {
		return cur, nil
	}
	if err := json.Unmarshal(c, &cur); err != nil {
		return cursor{}, fmt.Errorf("decode cursor %q: %w", c, err)
	}
	switch {
	case cur.V != cursorVersion:
		return cursor{}, nil // written by another version of the connector: start over
	case cur.Mode != modeFull && cur.Mode != modeEvents:
		return cursor{}, fmt.Errorf("decode cursor %q: unknown mode %q", c, cur.Mode)
	}
	return cur, nil
}

func (c cursor) encode() extract.Cursor {
	c.V = cursorVersion
	b, _ := json.Marshal(c)
	return b
}
