package salesforce

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/extract"
)

// cursorVersion is the version of the cursor JSON this package writes and reads.
const cursorVersion = 1

// state is a stream's cursor, as JSON:
//
//	{"v":1,"object":"Account","field":"SystemModstamp","ts":"2025-01-15T10:22:03Z","id":"001…",
//	 "deleted_until":"2025-01-15T10:20:00Z"}
//
// (ts, id) is a keyset position: every record whose (stamp, Id) is at or before it has been
// emitted (an empty id means every record stamped before ts). deleted_until is where the
// last getDeleted reconciliation ended.
type state struct {
	V            int    `json:"v"`
	Object       string `json:"object"`
	Field        string `json:"field"`
	TS           string `json:"ts,omitempty"`
	ID           string `json:"id,omitempty"`
	DeletedUntil string `json:"deleted_until,omitempty"`
}

// position returns the keyset position (zero when the stream was never read).
func (s *state) position() (rowKey, error) {
	if s.TS == "" {
		return rowKey{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.TS)
	if err != nil {
		return rowKey{}, fmt.Errorf("ts %q: %w", s.TS, err)
	}
	return rowKey{ts: t.UTC(), id: s.ID}, nil
}

func (s *state) deletedUntil() (time.Time, error) {
	if s.DeletedUntil == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.DeletedUntil)
	if err != nil {
		return time.Time{}, fmt.Errorf("deleted_until %q: %w", s.DeletedUntil, err)
	}
	return t.UTC(), nil
}

// decodeState reads a cursor; nil means the stream was never read.
func decodeState(c extract.Cursor, object string) (*state, error) {
	if len(c) == 0 {
		return nil, nil
	}
	var s state
	if err := json.Unmarshal(c, &s); err != nil {
		return nil, err
	}
	if s.V != cursorVersion {
		return nil, fmt.Errorf("cursor version %d is not %d", s.V, cursorVersion)
	}
	if !strings.EqualFold(s.Object, object) {
		return nil, fmt.Errorf("cursor was written for object %s, not %s", s.Object, object)
	}
	return &s, nil
}

// encodeState writes a cursor for position pos.
func encodeState(object, field string, pos rowKey, deletedUntil time.Time) extract.Cursor {
	s := state{V: cursorVersion, Object: object, Field: field, ID: pos.id}
	if !pos.ts.IsZero() {
		s.TS = pos.ts.UTC().Format(time.RFC3339Nano)
	}
	if !deletedUntil.IsZero() {
		s.DeletedUntil = deletedUntil.UTC().Format(time.RFC3339Nano)
	}
	out, _ := json.Marshal(s) // a struct of strings always marshals
	return out
}
