package fake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// Pipeline is a deal pipeline.
type Pipeline struct {
	ID           string    `json:"id"`
	Label        string    `json:"label,omitempty"`
	DisplayOrder int       `json:"displayOrder,omitempty"`
	Archived     bool      `json:"archived,omitempty"`
	CreatedAt    time.Time `json:"createdAt,omitzero"`
	UpdatedAt    time.Time `json:"updatedAt,omitzero"`
	Stages       []Stage   `json:"stages,omitempty"`
}

// Stage is a pipeline stage. HubSpot renders Probability and IsClosed as strings in metadata.
type Stage struct {
	ID           string    `json:"id"`
	Label        string    `json:"label,omitempty"`
	DisplayOrder int       `json:"displayOrder,omitempty"`
	Probability  float64   `json:"probability,omitempty"`
	IsClosed     bool      `json:"isClosed,omitempty"`
	Archived     bool      `json:"archived,omitempty"`
	CreatedAt    time.Time `json:"createdAt,omitzero"`
	UpdatedAt    time.Time `json:"updatedAt,omitzero"`
}

// DefaultPipelines returns HubSpot's default "Sales Pipeline" with its seven stages, created at t.
func DefaultPipelines(t time.Time) []Pipeline {
	stage := func(i int, id, label string, p float64, closed bool) Stage {
		return Stage{ID: id, Label: label, DisplayOrder: i, Probability: p, IsClosed: closed, CreatedAt: t, UpdatedAt: t}
	}
	return []Pipeline{{
		ID: "default", Label: "Sales Pipeline", CreatedAt: t, UpdatedAt: t,
		Stages: []Stage{
			stage(0, "appointmentscheduled", "Appointment Scheduled", 0.2, false),
			stage(1, "qualifiedtobuy", "Qualified To Buy", 0.4, false),
			stage(2, "presentationscheduled", "Presentation Scheduled", 0.6, false),
			stage(3, "decisionmakerboughtin", "Decision Maker Bought-In", 0.8, false),
			stage(4, "contractsent", "Contract Sent", 0.9, false),
			stage(5, "closedwon", "Closed Won", 1.0, true),
			stage(6, "closedlost", "Closed Lost", 0.0, true),
		},
	}}
}

// SetPipelines replaces the deal pipelines.
func (s *Server) SetPipelines(ps ...Pipeline) {
	s.mu.Lock()
	s.pipelines = slices.Clone(ps)
	s.mu.Unlock()
}

type pipelineJSON struct {
	ID           string      `json:"id"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	Archived     bool        `json:"archived"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
	Stages       []stageJSON `json:"stages"`
}

type stageJSON struct {
	ID               string            `json:"id"`
	Label            string            `json:"label"`
	DisplayOrder     int               `json:"displayOrder"`
	Metadata         map[string]string `json:"metadata"`
	Archived         bool              `json:"archived"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
	WritePermissions string            `json:"writePermissions"`
}

func probability(p float64) string {
	v := strconv.FormatFloat(p, 'f', -1, 64)
	if !strings.Contains(v, ".") {
		v += ".0"
	}
	return v
}

// handlePipelines serves GET /crm/v3/pipelines/{type}: every deal pipeline, unpaged.
func (s *Server) handlePipelines(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	s.callHook("pipelines", typ, "")
	if typ != "deals" && typ != "0-3" && typ != "tickets" && typ != "0-5" {
		s.validation(w, fmt.Sprintf("Unable to infer object type from: %s", typ))
		return
	}
	out := []pipelineJSON{}
	if typ == "deals" || typ == "0-3" {
		s.mu.Lock()
		for _, p := range s.pipelines {
			pj := pipelineJSON{ID: p.ID, Label: p.Label, DisplayOrder: p.DisplayOrder, Archived: p.Archived,
				CreatedAt: hsTime(p.CreatedAt), UpdatedAt: hsTime(p.UpdatedAt), Stages: []stageJSON{}}
			for _, st := range p.Stages {
				pj.Stages = append(pj.Stages, stageJSON{ID: st.ID, Label: st.Label, DisplayOrder: st.DisplayOrder,
					Metadata: map[string]string{"isClosed": strconv.FormatBool(st.IsClosed), "probability": probability(st.Probability)},
					Archived: st.Archived, CreatedAt: hsTime(st.CreatedAt), UpdatedAt: hsTime(st.UpdatedAt),
					WritePermissions: "CRM_PERMISSIONS_ENFORCEMENT"})
			}
			out = append(out, pj)
		}
		s.mu.Unlock()
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"results": out})
}

// Owner is a HubSpot user who can own records.
type Owner struct {
	ID        string    `json:"id"`
	Email     string    `json:"email,omitempty"`
	FirstName string    `json:"firstName,omitempty"`
	LastName  string    `json:"lastName,omitempty"`
	UserID    int64     `json:"userId,omitempty"`
	Type      string    `json:"type,omitempty"` // PERSON (default) or QUEUE
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	Archived  bool      `json:"archived,omitempty"`
	Teams     []Team    `json:"teams,omitempty"`
}

// Team is an owner's team.
type Team struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// PutOwners creates or replaces owners; an empty ID assigns one. Zero times mean now.
func (s *Server) PutOwners(owners ...Owner) error {
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range owners {
		id := s.nextID
		if o.ID != "" {
			var ok bool
			if id, ok = parseID(o.ID); !ok {
				return fmt.Errorf("hubspot fake: owner id %q is not a positive number", o.ID)
			}
		}
		s.nextID = max(s.nextID, id+1)
		o.ID = strconv.FormatInt(id, 10)
		if o.Type == "" {
			o.Type = "PERSON"
		}
		if o.CreatedAt.IsZero() {
			o.CreatedAt = now
		}
		if o.UpdatedAt.IsZero() {
			o.UpdatedAt = now
		}
		o.Teams = slices.Clone(o.Teams)
		s.owners[id] = &o
	}
	return nil
}

// ArchiveOwner deactivates an owner: it is listed only with archived=true.
func (s *Server) ArchiveOwner(id string) error {
	n, _ := parseID(id)
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.owners[n]
	if !ok {
		return fmt.Errorf("hubspot fake: no owner with id %s", id)
	}
	o.Archived, o.UpdatedAt = true, now
	return nil
}

// Owners returns every owner, sorted by id (ground truth).
func (s *Server) Owners() []Owner {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.owners))
	for id := range s.owners {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Owner, len(ids))
	for i, id := range ids {
		out[i] = *s.owners[id]
		out[i].Teams = slices.Clone(out[i].Teams)
	}
	return out
}

type ownerJSON struct {
	ID                      string `json:"id"`
	Email                   string `json:"email,omitempty"`
	Type                    string `json:"type"`
	FirstName               string `json:"firstName,omitempty"`
	LastName                string `json:"lastName,omitempty"`
	UserID                  int64  `json:"userId,omitempty"`
	UserIDIncludingInactive int64  `json:"userIdIncludingInactive,omitempty"`
	CreatedAt               string `json:"createdAt"`
	UpdatedAt               string `json:"updatedAt"`
	Archived                bool   `json:"archived"`
	Teams                   []Team `json:"teams,omitempty"`
}

// handleOwners serves GET /crm/v3/owners: limit (default 100, at most 500), after, archived,
// email.
func (s *Server) handleOwners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after := q.Get("after")
	s.callHook("owners", "", after)
	limit, ok := parseLimit(q.Get("limit"), 100, 500)
	if !ok {
		s.validation(w, fmt.Sprintf("limit %q is not valid: it must be between 1 and 500", q.Get("limit")))
		return
	}
	start := int64(0)
	if after != "" {
		if start, ok = parseID(after); !ok {
			s.validation(w, fmt.Sprintf("after %q is not a valid paging cursor", after))
			return
		}
	}
	archived := q.Get("archived") == "true"
	email := q.Get("email")
	s.mu.Lock()
	ids := make([]int64, 0, len(s.owners))
	for id, o := range s.owners {
		if id >= start && o.Archived == archived && (email == "" || strings.EqualFold(email, o.Email)) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	results := []ownerJSON{}
	for _, id := range ids[:min(limit, len(ids))] {
		o := s.owners[id]
		results = append(results, ownerJSON{ID: o.ID, Email: o.Email, Type: o.Type, FirstName: o.FirstName,
			LastName: o.LastName, UserID: o.UserID, UserIDIncludingInactive: o.UserID,
			CreatedAt: hsTime(o.CreatedAt), UpdatedAt: hsTime(o.UpdatedAt), Archived: o.Archived, Teams: o.Teams})
	}
	s.mu.Unlock()
	body := map[string]any{"results": results}
	if len(ids) > limit {
		body["paging"] = nextPaging(r, strconv.FormatInt(ids[limit], 10))
	}
	fakeapi.WriteJSON(w, http.StatusOK, body)
}

// parseLimit reads a limit parameter: "" is def, values above hi are clamped to hi (HubSpot
// returns at most its maximum), and anything else invalid is reported.
func parseLimit(v string, def, hi int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, false
	}
	return min(n, hi), true
}
