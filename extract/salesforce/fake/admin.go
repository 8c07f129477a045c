package fake

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// Admin endpoints, besides fakeapi's (faults, clock, token expiry, stats, reset). JSON bodies;
// record values are JSON values (datetimes and dates as strings).
//
//	GET    /__fake/salesforce/knobs                          the Knobs in effect
//	PUT    /__fake/salesforce/knobs                          replace them
//	PUT    /__fake/salesforce/usage                          {"used": n}: requests used today
//	POST   /__fake/salesforce/clients                        register a Client (public_key_pem)
//	POST   /__fake/salesforce/objects                        {"name": "X__c", "fields": [Field]}
//	POST   /__fake/salesforce/objects/{object}/fields        add a Field
//	POST   /__fake/salesforce/objects/{object}/records       [Record, ...] → {"ids": [...]}
//	PATCH  /__fake/salesforce/objects/{object}/records/{id}  update fields (stamps bump)
//	DELETE /__fake/salesforce/objects/{object}/records/{id}  soft delete (?hard=true: no recycle bin)
//	POST   /__fake/salesforce/objects/{object}/undelete/{id} restore from the recycle bin
//	POST   /__fake/salesforce/objects/{object}/recyclebin/empty  {"ids": [...]} (empty: all)
//	POST   /__fake/salesforce/objects/{object}/deletelog/purge   {"through": RFC 3339}
//	POST   /__fake/salesforce/objects/{object}/stamp         {"stamp": RFC 3339, "ids": [...]}
//	GET    /__fake/salesforce/objects/{object}/truth         {"live": {id: Record}, "deleted": {id: Record}}
func (s *Server) adminRoutes() {
	s.HandleAdmin("GET /__fake/salesforce/knobs", func(w http.ResponseWriter, r *http.Request) {
		fakeapi.WriteJSON(w, http.StatusOK, s.Knobs())
	})
	s.HandleAdmin("PUT /__fake/salesforce/knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if decode(w, r, &k) {
			s.SetKnobs(k)
			fakeapi.WriteJSON(w, http.StatusOK, s.Knobs())
		}
	})
	s.HandleAdmin("PUT /__fake/salesforce/usage", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Used int `json:"used"`
		}
		if decode(w, r, &body) {
			s.SetAPIUsage(body.Used)
			w.WriteHeader(http.StatusNoContent)
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/clients", func(w http.ResponseWriter, r *http.Request) {
		var c Client
		if decode(w, r, &c) {
			reply(w, nil, s.AddClient(c))
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/objects", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Name   string  `json:"name"`
			Fields []Field `json:"fields"`
		}
		if decode(w, r, &body) {
			reply(w, nil, s.AddObject(body.Name, body.Fields...))
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/fields", func(w http.ResponseWriter, r *http.Request) {
		var f Field
		if decode(w, r, &f) {
			reply(w, nil, s.AddField(r.PathValue("object"), f))
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/records", func(w http.ResponseWriter, r *http.Request) {
		var recs []Record
		if !decode(w, r, &recs) {
			return
		}
		ids := []string{}
		for _, rec := range recs {
			id, err := s.Insert(r.PathValue("object"), rec)
			if err != nil {
				reply(w, nil, err)
				return
			}
			ids = append(ids, id)
		}
		reply(w, map[string]any{"ids": ids}, nil)
	})
	s.HandleAdmin("PATCH /__fake/salesforce/objects/{object}/records/{id}", func(w http.ResponseWriter, r *http.Request) {
		var rec Record
		if decode(w, r, &rec) {
			reply(w, nil, s.Update(r.PathValue("object"), r.PathValue("id"), rec))
		}
	})
	s.HandleAdmin("DELETE /__fake/salesforce/objects/{object}/records/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hard") == "true" {
			reply(w, nil, s.HardDelete(r.PathValue("object"), r.PathValue("id")))
			return
		}
		reply(w, nil, s.Delete(r.PathValue("object"), r.PathValue("id")))
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/undelete/{id}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, nil, s.Undelete(r.PathValue("object"), r.PathValue("id")))
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/recyclebin/empty", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			IDs []string `json:"ids"`
		}
		if decode(w, r, &body) {
			n, err := s.EmptyRecycleBin(r.PathValue("object"), body.IDs...)
			reply(w, map[string]int{"purged": n}, err)
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/deletelog/purge", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Through time.Time `json:"through"`
		}
		if decode(w, r, &body) {
			reply(w, nil, s.PurgeDeleteLog(r.PathValue("object"), body.Through))
		}
	})
	s.HandleAdmin("POST /__fake/salesforce/objects/{object}/stamp", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Stamp time.Time `json:"stamp"`
			IDs   []string  `json:"ids"`
		}
		if decode(w, r, &body) {
			reply(w, nil, s.SetStamp(r.PathValue("object"), body.Stamp, body.IDs...))
		}
	})
	s.HandleAdmin("GET /__fake/salesforce/objects/{object}/truth", func(w http.ResponseWriter, r *http.Request) {
		t, err := s.Truth(r.PathValue("object"))
		if err != nil {
			reply(w, nil, err)
			return
		}
		out := map[string]map[string]map[string]any{"live": {}, "deleted": {}}
		for kind, recs := range map[string]map[string]Record{"live": t.Live, "deleted": t.Deleted} {
			for id, rec := range recs {
				out[kind][id] = jsonRecord(rec)
			}
		}
		fakeapi.WriteJSON(w, http.StatusOK, out)
	})
}

// jsonRecord renders stored values for the admin API (times as RFC 3339).
func jsonRecord(rec Record) map[string]any {
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		if t, ok := v.(time.Time); ok {
			v = t.Format(time.RFC3339)
		}
		out[k] = v
	}
	return out
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "admin body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, body any, err error) {
	switch {
	case err != nil:
		fakeapi.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	case body == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		fakeapi.WriteJSON(w, http.StatusOK, body)
	}
}
