package fake

// query.go: /v1/action/query and /v1/action/queryMore — evaluating a parsed ZOQL query, query
// locators, pages.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// locator is the state of one query's result set.
type locator struct {
	id       string
	query    string
	zq       *zquery
	rows     []map[string]any // snapshot mode: the rendered records
	ids      []string         // live mode: the ids that matched when the query ran
	batch    int
	lastUsed time.Time
}

func (l *locator) len() int {
	if l.ids != nil {
		return len(l.ids)
	}
	return len(l.rows)
}

// queryResponse is the body of a query or queryMore answer.
type queryResponse struct {
	Records      []map[string]any `json:"records"`
	Size         int              `json:"size"`
	Done         bool             `json:"done"`
	QueryLocator string           `json:"queryLocator,omitempty"`
}

// batchSize is the page size asked for, or the default; callers hold mu.
func (s *Server) batchSize(asked int) int {
	if asked <= 0 {
		return s.opts.DefaultBatchSize
	}
	return min(asked, MaxBatchSize)
}

// query runs a ZOQL query and returns its first page.
func (s *Server) query(q string, batch int) (*queryResponse, *fault) {
	s.mu.Lock()
	zq, f := s.parseQuery(q)
	hook := s.onPage
	s.mu.Unlock()
	if f != nil {
		return nil, f
	}
	if hook != nil {
		hook(Page{Object: zq.meta.name, Query: q, N: 1})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocators()
	s.numbers["locator"]++
	n := uint64(s.numbers["locator"])
	loc := &locator{id: fmt.Sprintf("%016x%016x", mix(n^0x10c), n), query: q, zq: zq, batch: s.batchSize(batch),
		lastUsed: s.Clock.Now()}
	live := s.opts.LiveLocators
	if live {
		loc.ids = []string{}
	}
	m := zq.meta
	for _, id := range s.st.ids(m.name) {
		obj := s.st.get(m.name, id)
		if zq.where != nil && !zq.where.match(m, obj) {
			continue
		}
		if live {
			loc.ids = append(loc.ids, id)
		} else {
			loc.rows = append(loc.rows, s.render(m, obj, zq.fields))
		}
	}
	resp := s.page(loc, 0, loc.batch)
	if !resp.Done {
		s.locators[loc.id] = loc
	}
	return resp, nil
}

// queryMore returns the page a locator points at.
func (s *Server) queryMore(l string, batch int) (*queryResponse, *fault) {
	invalid := &fault{code: "INVALID_QUERY_LOCATOR", msg: "invalid query locator: " + l}
	id, offText, ok := strings.Cut(l, "-")
	offset, err := strconv.Atoi(offText)
	if !ok || err != nil || offset < 0 {
		return nil, invalid
	}
	s.mu.Lock()
	s.pruneLocators()
	loc := s.locators[id]
	hook := s.onPage
	if loc == nil || offset > loc.len() {
		s.mu.Unlock()
		return nil, invalid
	}
	loc.lastUsed = s.Clock.Now()
	s.mu.Unlock()
	if hook != nil {
		hook(Page{Object: loc.zq.meta.name, Query: loc.query, Locator: l, N: offset/loc.batch + 1})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	size := loc.batch
	if batch > 0 {
		size = s.batchSize(batch)
	}
	return s.page(loc, offset, size), nil
}

// page renders the records of loc from offset; callers hold mu.
func (s *Server) page(loc *locator, offset, size int) *queryResponse {
	end := min(offset+size, loc.len())
	resp := &queryResponse{Records: []map[string]any{}}
	if loc.ids != nil {
		m := loc.zq.meta
		for _, id := range loc.ids[offset:end] {
			obj := s.st.get(m.name, id)
			if obj == nil || (loc.zq.where != nil && !loc.zq.where.match(m, obj)) {
				continue // deleted, or no longer matching
			}
			resp.Records = append(resp.Records, s.render(m, obj, loc.zq.fields))
		}
	} else {
		resp.Records = append(resp.Records, loc.rows[offset:end]...)
	}
	resp.Size = len(resp.Records)
	resp.Done = end >= loc.len()
	if !resp.Done {
		resp.QueryLocator = loc.id + "-" + strconv.Itoa(end)
	}
	return resp
}

// pruneLocators forgets the locators unused for LocatorTTL; callers hold mu.
func (s *Server) pruneLocators() {
	now := s.Clock.Now()
	for id, l := range s.locators {
		if now.Sub(l.lastUsed) > s.opts.LocatorTTL {
			delete(s.locators, id)
		}
	}
}
