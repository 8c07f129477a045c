package marketo

// cursor.go: the streams' positions. Times are RFC 3339 UTC strings with whole seconds, the
// precision of Marketo's datetimes and paging tokens.

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/revops/revops/extract"
)

// cursorVersion is written into every cursor; another version is rejected with advice.
const cursorVersion = 1

// activityCursor is the position of an activity stream (activities, lead_lifecycle): per
// activity type id, the time from which the next read asks for a paging token. Every activity of
// that type dated before it has been emitted (late arrivals aside: see lookback).
type activityCursor struct {
	V     int               `json:"v"`
	Since map[int]time.Time `json:"since"`
}

func decodeActivityCursor(from extract.Cursor) (*activityCursor, error) {
	c := &activityCursor{V: cursorVersion, Since: map[int]time.Time{}}
	if len(from) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(from, c); err != nil {
		return nil, fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream to reset it", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("saved cursor has version %d, this source writes %d: run a full refresh of the stream", c.V, cursorVersion)
	}
	if c.Since == nil {
		c.Since = map[int]time.Time{}
	}
	return c, nil
}

func (c *activityCursor) encode() extract.Cursor {
	out := activityCursor{V: cursorVersion, Since: map[int]time.Time{}}
	for id, t := range c.Since {
		out.Since[id] = t.UTC()
	}
	b, _ := json.Marshal(out)
	return b
}

// Lead read modes.
const (
	modeBulkUpdated = "bulk_updated" // bulk exports filtered on updatedAt, from Next to Until
	modeBulkCreated = "bulk_created" // bulk exports filtered on createdAt (a full export)
	modeREST        = "rest"         // leadchanges.json from Next, then leads.json by id
)

// Lead read phases.
const (
	phaseLeads   = "leads"
	phaseDeletes = "deletes"
)

// leadsCursor is the position of the leads stream.
//
// Since: every lead change before it has been emitted ("" on the first read: a full read).
// DeletedSince: every deletion before it has been emitted as a tombstone.
// Run: a read in progress, resumed by the next Read when set.
type leadsCursor struct {
	V            int        `json:"v"`
	Since        *time.Time `json:"since,omitempty"`
	DeletedSince *time.Time `json:"deleted_since,omitempty"`
	Run          *leadsRun  `json:"run,omitempty"`
}

// leadsRun is a read in progress. Until bounds its bulk windows (the read's start); Next is
// the start of the next window (bulk modes) or of the lead-changes scan (rest); DeletedNext is
// the start of the deleted-leads scan (phase deletes).
type leadsRun struct {
	Until       time.Time  `json:"until"`
	Full        bool       `json:"full,omitempty"`
	Mode        string     `json:"mode"`
	Phase       string     `json:"phase"`
	Next        time.Time  `json:"next"`
	DeletedNext *time.Time `json:"deleted_next,omitempty"`
}

func decodeLeadsCursor(from extract.Cursor) (*leadsCursor, error) {
	c := &leadsCursor{V: cursorVersion}
	if len(from) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(from, c); err != nil {
		return nil, fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream to reset it", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("saved cursor has version %d, this source writes %d: run a full refresh of the stream", c.V, cursorVersion)
	}
	if r := c.Run; r != nil {
		okMode := r.Mode == modeBulkUpdated || r.Mode == modeBulkCreated || r.Mode == modeREST
		if !okMode || (r.Phase != phaseLeads && r.Phase != phaseDeletes) {
			return nil, fmt.Errorf("saved cursor has an unknown mode %q or phase %q: run a full refresh of the stream", r.Mode, r.Phase)
		}
	}
	return c, nil
}

func (c *leadsCursor) encode() extract.Cursor {
	c.V = cursorVersion
	b, _ := json.Marshal(c)
	return b
}

// clone copies c deeply (cursors are emitted while the read goes on).
func (c *leadsCursor) clone() *leadsCursor {
	out := *c
	if c.Run != nil {
		r := *c.Run
		out.Run = &r
	}
	return &out
}

func ptime(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}
