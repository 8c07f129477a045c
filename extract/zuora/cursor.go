package zuora

// cursor.go: a stream's position, as JSON:
//
//	{"v":1,"object":"RatePlanCharge","since":"2025-06-01T12:00:00Z"}
//
// since is a watermark on UpdatedDate: every record updated before it has been emitted (in the
// state it had then, or a later one). A cursor without since means "from the beginning".
// The next read starts at since minus the lookback (see doc.go).

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/extract"
)

// cursorVersion is written into every cursor; a cursor of another version means a full read.
const cursorVersion = 1

type cursor struct {
	V      int    `json:"v"`
	Object string `json:"object"`
	Since  string `json:"since,omitempty"`
}

// since returns the watermark (zero: none).
func (c cursor) since() (time.Time, error) {
	if c.Since == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, c.Since)
	if err != nil {
		return time.Time{}, fmt.Errorf("cursor since %q: %w", c.Since, err)
	}
	return t.UTC(), nil
}

// decodeCursor reads a saved cursor for object; nil, or a cursor of another version, is the
// beginning.
func decodeCursor(raw extract.Cursor, object string) (cursor, error) {
	var c cursor
	if len(raw) == 0 {
		return cursor{V: cursorVersion, Object: object}, nil
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return cursor{}, fmt.Errorf("decode cursor %q: %w", raw, err)
	}
	if c.V != cursorVersion {
		return cursor{V: cursorVersion, Object: object}, nil
	}
	if !strings.EqualFold(c.Object, object) {
		return cursor{}, fmt.Errorf("the cursor was written for object %s, not %s: run a full refresh of the stream", c.Object, object)
	}
	if _, err := c.since(); err != nil {
		return cursor{}, fmt.Errorf("the cursor is not valid (%w): run a full refresh of the stream", err)
	}
	return c, nil
}

// at returns a cursor for object with watermark t.
func at(object string, t time.Time) cursor {
	c := cursor{V: cursorVersion, Object: object}
	if !t.IsZero() {
		c.Since = t.UTC().Format(time.RFC3339Nano)
	}
	return c
}

func (c cursor) encode() extract.Cursor {
	c.V = cursorVersion
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return b
}
