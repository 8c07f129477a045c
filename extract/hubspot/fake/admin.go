package fake

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// adminRoutes registers the HubSpot fake's own admin endpoints (the Go API over HTTP, for the
// demo and for clients in other processes). Bodies are JSON; unknown fields are an error.
//
//	POST   /__fake/hubspot/objects/{type}               {"records":[Record…]} → {"ids":[…]}
//	PATCH  /__fake/hubspot/objects/{type}/{id}          {"properties":{…}, "at": RFC 3339 (optional)}
//	DELETE /__fake/hubspot/objects/{type}/{id}          archive
//	POST   /__fake/hubspot/objects/{type}/{id}/restore  restore an archived record
//	POST   /__fake/hubspot/objects/{type}/touch         {"at": RFC 3339, "ids": […]} (no ids: all live)
//	POST   /__fake/hubspot/associations                 {"fromType","fromId","toType","toId"}
//	GET    /__fake/hubspot/truth/{type}                 every record, live and archived
//	PUT    /__fake/hubspot/owners                       {"owners":[Owner…]}
//	PUT    /__fake/hubspot/pipelines                    {"pipelines":[Pipeline…]}
//	PUT    /__fake/hubspot/settings                     {"searchLag","retryAfter","searchPerSecond","tenSecondlyMax","dailyMax"}
//	GET    /__fake/hubspot/searches                     the search requests received
//	POST   /__fake/hubspot/oauth/apps                   {"clientId","clientSecret","refreshTokens":[…]}
//	POST   /__fake/hubspot/oauth/revoke                 {"refreshToken"}: the token endpoint refuses it
//
// fakeapi's POST /__fake/tokens/expire expires every OAuth access token issued so far (the
// private-app token stays valid).
func (s *Server) adminRoutes() {
	s.HandleAdmin("POST /__fake/hubspot/objects/{type}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Records []Record `json:"records"`
		}
		if !decode(w, r, &body) {
			return
		}
		ids, err := s.Put(r.PathValue("type"), body.Records...)
		if !adminErr(w, err) {
			fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"ids": ids})
		}
	})
	s.HandleAdmin("PATCH /__fake/hubspot/objects/{type}/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Properties map[string]string `json:"properties"`
			At         *time.Time        `json:"at"`
		}
		if !decode(w, r, &body) {
			return
		}
		at := s.Clock.Now()
		if body.At != nil {
			at = *body.At
		}
		noContent(w, s.UpdateAt(r.PathValue("type"), r.PathValue("id"), at, body.Properties))
	})
	s.HandleAdmin("DELETE /__fake/hubspot/objects/{type}/{id}", func(w http.ResponseWriter, r *http.Request) {
		noContent(w, s.Archive(r.PathValue("type"), r.PathValue("id")))
	})
	s.HandleAdmin("POST /__fake/hubspot/objects/{type}/{id}/restore", func(w http.ResponseWriter, r *http.Request) {
		noContent(w, s.Restore(r.PathValue("type"), r.PathValue("id")))
	})
	s.HandleAdmin("POST /__fake/hubspot/objects/{type}/touch", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			At  time.Time `json:"at"`
			IDs []string  `json:"ids"`
		}
		if decode(w, r, &body) {
			noContent(w, s.Touch(r.PathValue("type"), body.At, body.IDs...))
		}
	})
	s.HandleAdmin("POST /__fake/hubspot/associations", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			FromType string `json:"fromType"`
			FromID   string `json:"fromId"`
			ToType   string `json:"toType"`
			ToID     string `json:"toId"`
		}
		if decode(w, r, &body) {
			noContent(w, s.Associate(body.FromType, body.FromID, body.ToType, body.ToID))
		}
	})
	s.HandleAdmin("GET /__fake/hubspot/truth/{type}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.objectType(r.PathValue("type")); adminErr(w, err) {
			return
		}
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"records": s.Truth(r.PathValue("type"))})
	})
	s.HandleAdmin("PUT /__fake/hubspot/owners", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Owners []Owner `json:"owners"`
		}
		if decode(w, r, &body) {
			noContent(w, s.PutOwners(body.Owners...))
		}
	})
	s.HandleAdmin("PUT /__fake/hubspot/pipelines", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Pipelines []Pipeline `json:"pipelines"`
		}
		if decode(w, r, &body) {
			s.SetPipelines(body.Pipelines...)
			w.WriteHeader(http.StatusNoContent)
		}
	})
	s.HandleAdmin("PUT /__fake/hubspot/settings", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			SearchLag       *string `json:"searchLag"`
			RetryAfter      *string `json:"retryAfter"`
			SearchPerSecond *int    `json:"searchPerSecond"`
			TenSecondlyMax  *int    `json:"tenSecondlyMax"`
			DailyMax        *int    `json:"dailyMax"`
		}
		if !decode(w, r, &body) {
			return
		}
		for _, d := range []struct {
			v   *string
			set func(time.Duration)
		}{{body.SearchLag, s.SetSearchLag}, {body.RetryAfter, s.SetRetryAfter}} {
			if d.v == nil {
				continue
			}
			dur, err := time.ParseDuration(*d.v)
			if adminErr(w, err) {
				return
			}
			d.set(dur)
		}
		if body.SearchPerSecond != nil || body.TenSecondlyMax != nil || body.DailyMax != nil {
			s.mu.Lock()
			o := s.opts
			s.mu.Unlock()
			pick := func(p *int, cur int) int {
				if p != nil {
					return *p
				}
				return cur
			}
			s.SetLimits(pick(body.SearchPerSecond, o.SearchPerSecond), pick(body.TenSecondlyMax, o.TenSecondlyMax), pick(body.DailyMax, o.DailyMax))
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("GET /__fake/hubspot/searches", func(w http.ResponseWriter, r *http.Request) {
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"searches": s.Searches()})
	})
	s.HandleAdmin("POST /__fake/hubspot/oauth/apps", func(w http.ResponseWriter, r *http.Request) {
		var app OAuthApp
		if decode(w, r, &app) {
			noContent(w, s.AddOAuthApp(app))
		}
	})
	s.HandleAdmin("POST /__fake/hubspot/oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RefreshToken string `json:"refreshToken"`
		}
		if decode(w, r, &body) {
			s.RevokeRefreshToken(body.RefreshToken)
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "admin body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

// adminErr writes err as a 400 and reports whether there was one.
func adminErr(w http.ResponseWriter, err error) bool {
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	return false
}

func noContent(w http.ResponseWriter, err error) {
	if !adminErr(w, err) {
		w.WriteHeader(http.StatusNoContent)
	}
}
