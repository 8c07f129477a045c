package fake

// admin.go: the Marketo fake's own admin endpoints (the Go API over HTTP, for the demo and for
// clients in other processes). Bodies are JSON; unknown fields are an error.
//
//	GET    /__fake/marketo/truth            the ground truth (Truth)
//	GET    /__fake/marketo/knobs            the knobs, defaults filled in
//	PUT    /__fake/marketo/knobs            replace the knobs (Knobs)
//	POST   /__fake/marketo/script           queue an error answer (Scripted)
//	POST   /__fake/marketo/leads            {"leads":[Lead…]} → {"leads":[Lead…]} with ids
//	PATCH  /__fake/marketo/leads/{id}       {"changes":{"leadStatus":"MQL"}, "at": RFC 3339 (optional)}
//	DELETE /__fake/marketo/leads/{id}       delete a lead now
//	POST   /__fake/marketo/activities       {"activities":[Activity…]} → {"activities":[…]}
//	POST   /__fake/marketo/fields           a Field (schema drift)
//	PUT    /__fake/marketo/usage            {"calls": n} today's counted calls
//	POST   /__fake/marketo/occupy           {"jobs": n} other users' bulk jobs

import (
	"net/http"
	"strconv"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

func (s *Server) registerAdmin() {
	bad := func(w http.ResponseWriter, err error) bool {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return true
		}
		return false
	}
	s.HandleAdmin("GET /__fake/marketo/truth", func(w http.ResponseWriter, r *http.Request) {
		fakeapi.WriteJSON(w, http.StatusOK, s.Truth())
	})
	s.HandleAdmin("GET /__fake/marketo/knobs", func(w http.ResponseWriter, r *http.Request) {
		fakeapi.WriteJSON(w, http.StatusOK, s.Knobs())
	})
	s.HandleAdmin("PUT /__fake/marketo/knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if bad(w, decodeStrict(r, &k)) {
			return
		}
		s.SetKnobs(k)
		fakeapi.WriteJSON(w, http.StatusOK, s.Knobs())
	})
	s.HandleAdmin("POST /__fake/marketo/script", func(w http.ResponseWriter, r *http.Request) {
		var sc Scripted
		if bad(w, decodeStrict(r, &sc)) {
			return
		}
		s.Script(sc)
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("POST /__fake/marketo/leads", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Leads []Lead `json:"leads"`
		}
		if bad(w, decodeStrict(r, &body)) {
			return
		}
		out := []Lead{}
		for _, l := range body.Leads {
			got, err := s.AddLead(l)
			if bad(w, err) {
				return
			}
			out = append(out, got)
		}
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"leads": out})
	})
	s.HandleAdmin("PATCH /__fake/marketo/leads/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if bad(w, err) {
			return
		}
		var body struct {
			Changes map[string]any `json:"changes"`
			At      *time.Time     `json:"at"`
		}
		if bad(w, decodeStrict(r, &body)) {
			return
		}
		var at time.Time
		if body.At != nil {
			at = *body.At
		}
		if bad(w, s.UpdateLead(id, at, body.Changes)) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("DELETE /__fake/marketo/leads/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if bad(w, err) || bad(w, s.DeleteLead(id, time.Time{})) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("POST /__fake/marketo/activities", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Activities []Activity `json:"activities"`
		}
		if bad(w, decodeStrict(r, &body)) {
			return
		}
		out := []Activity{}
		for _, a := range body.Activities {
			got, err := s.AddActivity(a)
			if bad(w, err) {
				return
			}
			out = append(out, got)
		}
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"activities": out})
	})
	s.HandleAdmin("POST /__fake/marketo/fields", func(w http.ResponseWriter, r *http.Request) {
		var f Field
		if bad(w, decodeStrict(r, &f)) {
			return
		}
		got, err := s.AddField(f)
		if bad(w, err) {
			return
		}
		fakeapi.WriteJSON(w, http.StatusOK, got)
	})
	s.HandleAdmin("PUT /__fake/marketo/usage", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Calls int `json:"calls"`
		}
		if bad(w, decodeStrict(r, &body)) {
			return
		}
		s.SetUsage(body.Calls)
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("POST /__fake/marketo/occupy", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Jobs int `json:"jobs"`
		}
		if bad(w, decodeStrict(r, &body)) {
			return
		}
		s.Occupy(body.Jobs)
		w.WriteHeader(http.StatusNoContent)
	})
}
