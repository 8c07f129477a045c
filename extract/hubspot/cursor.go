package hubspot

import (
	"encoding/json"
	"fmt"

	"github.com/revops/revops/extract"
)

// cursorVersion is written into every cursor; another version is rejected.
const cursorVersion = 1

// cursorState is a CRM object stream's cursor: one state per HubSpot object type it reads
// (one, or one per engagement type).
type cursorState struct {
	V       int                  `json:"v"`
	Objects map[string]*objState `json:"objects"`
}

// objState is the progress of one object type.
//
// Since is the watermark (epoch ms): every change with a last-modified time at or before it, and
// every archive before the window that completed it, has been emitted. 0 means no window has
// completed, so the next one is a full read through the list API.
//
// Win, when set, is a window in progress; a cursor never points past a record not yet emitted.
type objState struct {
	Since int64   `json:"since,omitempty"`
	Win   *window `json:"window,omitempty"`
}

// Window phases.
const (
	phaseList     = "list"     // full read: GET /objects, after paging
	phaseSearch   = "search"   // incremental: search with modified > From (≥ when FromIncl)
	phaseTies     = "ties"     // records with modified = From and hs_object_id > TieID
	phaseArchived = "archived" // GET /objects?archived=true, archivedAt ≥ ArchivedFrom
)

// window is one pass over the changes up to Ceiling.
type window struct {
	Phase string `json:"phase"`
	// Ceiling (epoch ms) bounds the search, and is the watermark the window commits: the run's
	// start minus index_lag, so every change up to it is already searchable.
	Ceiling int64 `json:"ceiling"`
	// ArchivedFrom (epoch ms) is the oldest archivedAt the archived phase emits (0: all).
	ArchivedFrom int64 `json:"archived_from,omitempty"`
	// After is the list API's paging token (list and archived phases).
	After string `json:"after,omitempty"`
	// From (epoch ms) is the search's lower bound on the last-modified time: every record
	// modified before it (at or before it when FromIncl is false) has been emitted.
	From     int64 `json:"from,omitempty"`
	FromIncl bool  `json:"from_inclusive,omitempty"`
	// TieID is the largest id emitted at From (ties phase).
	TieID string `json:"tie_id,omitempty"`
}

func decodeCursor(from extract.Cursor) (*cursorState, error) {
	c := &cursorState{V: cursorVersion, Objects: map[string]*objState{}}
	if len(from) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(from, c); err != nil {
		return nil, fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream to reset it", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("saved cursor has version %d, this source writes %d: run a full refresh of the stream", c.V, cursorVersion)
	}
	if c.Objects == nil {
		c.Objects = map[string]*objState{}
	}
	for obj, st := range c.Objects {
		if st == nil {
			c.Objects[obj] = &objState{}
		} else if w := st.Win; w != nil && w.Phase != phaseList && w.Phase != phaseSearch && w.Phase != phaseTies && w.Phase != phaseArchived {
			return nil, fmt.Errorf("saved cursor has an unknown phase %q for %s: run a full refresh of the stream", w.Phase, obj)
		}
	}
	return c, nil
}

func (c *cursorState) encode() extract.Cursor {
	b, err := json.Marshal(c)
	if err != nil { // plain structs of strings and numbers: cannot happen
		panic(fmt.Sprintf("hubspot: encode cursor: %v", err))
	}
	return b
}
