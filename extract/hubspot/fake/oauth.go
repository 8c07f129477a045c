package fake

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

// DefaultAccessTokenTTL is the life of an OAuth access token the token endpoint issues:
// HubSpot's expires_in of 1800 seconds.
const DefaultAccessTokenTTL = 30 * time.Minute

// OAuthApp is a public app registered with the fake: the client credentials and the refresh
// tokens (one per installed portal) its token endpoint accepts.
type OAuthApp struct {
	ClientID      string   `json:"clientId"`
	ClientSecret  string   `json:"clientSecret"`
	RefreshTokens []string `json:"refreshTokens"`
}

// AddOAuthApp registers a public app (replacing one with the same client id).
func (s *Server) AddOAuthApp(app OAuthApp) error {
	if app.ClientID == "" || app.ClientSecret == "" {
		return errors.New("fake: an OAuth app needs a client id and a client secret")
	}
	s.mu.Lock()
	s.apps[app.ClientID] = app
	s.mu.Unlock()
	return nil
}

// RevokeRefreshToken revokes a refresh token (the app uninstalled from the portal): the token
// endpoint refuses it from now on. Access tokens already issued stay valid until they expire.
func (s *Server) RevokeRefreshToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, app := range s.apps {
		app.RefreshTokens = slices.DeleteFunc(slices.Clone(app.RefreshTokens), func(t string) bool { return t == tok })
		s.apps[id] = app
	}
}

// TokenGrants returns how many access tokens the token endpoint has issued.
func (s *Server) TokenGrants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants
}

// writeOAuthError writes the token endpoint's error body, which differs from the CRM API's
// envelope: {"status": "BAD_REFRESH_TOKEN", "message": …, "correlationId": …} [I].
func (s *Server) writeOAuthError(w http.ResponseWriter, status, msg string) {
	fakeapi.WriteJSON(w, http.StatusBadRequest, map[string]string{"status": status, "message": msg, "correlationId": s.correlationID()})
}

// handleToken serves POST /oauth/v1/token with grant_type=refresh_token (form-encoded
// client_id, client_secret, refresh_token): a new access token valid for
// Options.AccessTokenTTL on the server's clock, and the same refresh token. It needs no
// bearer token and is not rate limited.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.writeError(w, http.StatusMethodNotAllowed, "VALIDATION_ERROR", "The token endpoint accepts POST only", nil)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeOAuthError(w, "BAD_REQUEST", "the body is not form-encoded")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "refresh_token" {
		s.writeOAuthError(w, "BAD_GRANT_TYPE", "missing or unsupported grant_type")
		return
	}
	s.mu.Lock()
	app, ok := s.apps[r.PostForm.Get("client_id")]
	ttl := s.opts.AccessTokenTTL
	s.mu.Unlock()
	switch {
	case !ok:
		s.writeOAuthError(w, "BAD_CLIENT_ID", "missing or unknown client id")
		return
	case r.PostForm.Get("client_secret") != app.ClientSecret:
		s.writeOAuthError(w, "BAD_CLIENT_SECRET", "missing or invalid client secret")
		return
	case !slices.Contains(app.RefreshTokens, r.PostForm.Get("refresh_token")):
		s.writeOAuthError(w, "BAD_REFRESH_TOKEN", "missing or unknown refresh token")
		return
	}
	tok := s.IssueOAuthToken(ttl)
	s.mu.Lock()
	s.grants++
	s.mu.Unlock()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "access_token": tok,
		"refresh_token": r.PostForm.Get("refresh_token"), "expires_in": int(ttl / time.Second)})
}
