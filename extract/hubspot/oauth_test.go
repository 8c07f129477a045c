package hubspot

import (
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
)

// OAuth test credentials.
const (
	testClientID     = "5d1c0b3a-client-id-test"
	testClientSecret = "oauth-client-secret-value"
	testRefreshToken = "na1-refresh-token-value-0001"
)

// oauthVars define the credentials as environment variables, as a deployment would.
func oauthVars(refresh string) map[string]string {
	return map[string]string{"HS_CLIENT_ID": testClientID, "HS_CLIENT_SECRET": testClientSecret, "HS_REFRESH_TOKEN": refresh}
}

func oauthAuth() m {
	return m{"grant": "refresh_token", "client_id": "${HS_CLIENT_ID}", "client_secret": "${HS_CLIENT_SECRET}", "refresh_token": "${HS_REFRESH_TOKEN}"}
}

func newOAuthEnv(t *testing.T) *env {
	return newEnv(t, fake.Options{OAuthApps: []fake.OAuthApp{{ClientID: testClientID, ClientSecret: testClientSecret,
		RefreshTokens: []string{testRefreshToken}}}})
}

// oauthSource is a source of an OAuth public app over the env's fake.
func (e *env) oauthSource(refresh string, over m) *source {
	e.t.Helper()
	full := m{"base_url": e.srv.URL, "auth": oauthAuth()}
	maps.Copy(full, over)
	return e.build(full, oauthVars(refresh))
}

// An access token that expires mid-read, on HubSpot's side (401 EXPIRED_AUTHENTICATION) or on
// the clock (refreshed before it is sent), is refreshed, and the read emits exactly the rows of
// a clean read with a private-app token.
func TestOAuthRefreshMidRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		// expire runs before the 3rd API request is served (the request still passes).
		expire     func(e *env)
		wantGrants int
		want401    bool
	}{
		{"expired by the server", func(e *env) { e.fake.Tokens.ExpireAll() }, 2, true},
		{"expired on the clock", func(e *env) { e.clock.Advance(31 * time.Minute) }, 2, false},
		{"refreshed before expiry", func(e *env) { e.clock.Advance(26 * time.Minute) }, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newOAuthEnv(t)
			e.contacts(600, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Minute) })
			clean := e.read(e.source(nil), "contacts", nil)

			var served atomic.Int32
			e.fake.SetHook(func(fake.Request) {
				if served.Add(1) == 3 {
					tc.expire(e)
				}
			})
			var unauthorized atomic.Int32
			srv := httptest.NewServer(countStatus(e.fake, http.StatusUnauthorized, &unauthorized))
			t.Cleanup(srv.Close)
			got := e.read(e.oauthSource(testRefreshToken, m{"base_url": srv.URL}), "contacts", nil)
			if !reflect.DeepEqual(merge(keyOf("contacts"), got.rows), merge(keyOf("contacts"), clean.rows)) || len(got.rows) != len(clean.rows) {
				t.Errorf("OAuth read: %d rows, clean read: %d; they differ", len(got.rows), len(clean.rows))
			}
			if n := e.fake.TokenGrants(); n != tc.wantGrants {
				t.Errorf("%d token grants, want %d", n, tc.wantGrants)
			}
			if got401 := unauthorized.Load() > 0; got401 != tc.want401 {
				t.Errorf("401 answers: %d, want some: %v", unauthorized.Load(), tc.want401)
			}
		})
	}
}

// countStatus counts the responses of status that h writes.
func countStatus(h http.Handler, status int, n *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == status {
			n.Add(1)
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Credentials HubSpot refuses fail the read with ErrUnauthorized and HubSpot's reason, never
// with a credential in the message; a token rejected right after a refresh is refreshed once,
// then the read fails.
func TestOAuthRefusals(t *testing.T) {
	const wrongRefresh = "na1-wrong-refresh-token-9999"
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		setup  func(e *env) (base string)
		want   []string
		grants int  // token grants expected
		noRows bool // the read fails before any row

	}{
		{name: "wrong refresh token", vars: oauthVars(wrongRefresh), want: []string{"BAD_REFRESH_TOKEN", "auth.refresh_token"}, noRows: true},
		{name: "wrong client secret", vars: map[string]string{"HS_CLIENT_ID": testClientID, "HS_CLIENT_SECRET": "not-the-secret-value", "HS_REFRESH_TOKEN": testRefreshToken},
			want: []string{"BAD_CLIENT_SECRET"}, noRows: true},
		{name: "unknown client id", vars: map[string]string{"HS_CLIENT_ID": "unknown-client", "HS_CLIENT_SECRET": testClientSecret, "HS_REFRESH_TOKEN": testRefreshToken},
			want: []string{"BAD_CLIENT_ID"}, noRows: true},
		{name: "refresh token revoked mid-read", vars: oauthVars(testRefreshToken), setup: func(e *env) string {
			var served atomic.Int32
			e.fake.SetHook(func(fake.Request) {
				if served.Add(1) == 2 {
					e.fake.RevokeRefreshToken(testRefreshToken)
					e.fake.Tokens.ExpireAll()
				}
			})
			return e.srv.URL
		}, want: []string{"reauthenticate", "BAD_REFRESH_TOKEN"}, grants: 1},
		{name: "rejected after a refresh", vars: oauthVars(testRefreshToken), setup: func(e *env) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/crm/") { // a token HubSpot rejects whatever it is
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte(`{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`))
					return
				}
				e.fake.ServeHTTP(w, r)
			}))
			e.t.Cleanup(srv.Close)
			return srv.URL
		}, want: []string{"401 INVALID_AUTHENTICATION"}, grants: 2, noRows: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newOAuthEnv(t)
			e.contacts(300, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Minute) })
			base := e.srv.URL
			if tc.setup != nil {
				base = tc.setup(e)
			}
			res, err := e.readErr(e.build(m{"base_url": base, "auth": oauthAuth()}, tc.vars), "contacts", nil, -1)
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("error %v, want ErrUnauthorized", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, s := range []string{testClientSecret, testRefreshToken, wrongRefresh, "not-the-secret-value"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error reveals a credential: %v", err)
				}
			}
			if n := e.fake.TokenGrants(); n != tc.grants {
				t.Errorf("%d token grants, want %d", n, tc.grants)
			}
			if tc.noRows && len(res.rows) != 0 {
				t.Errorf("%d rows emitted without a token", len(res.rows))
			}
		})
	}
}

func TestOAuthConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  m
		want []string
	}{
		{"token and auth", m{"token": secret, "auth": oauthAuth()}, []string{"token and auth are both set"}},
		{"neither", m{}, []string{`missing required key "token"`, "auth"}},
		{"grant", m{"auth": m{"grant": "client_credentials", "client_id": "${HS_CLIENT_ID}", "client_secret": "${HS_CLIENT_SECRET}", "refresh_token": "${HS_REFRESH_TOKEN}"}},
			[]string{`auth.grant "client_credentials" must be refresh_token`}},
		{"missing refresh token", m{"auth": m{"grant": "refresh_token", "client_id": "${HS_CLIENT_ID}", "client_secret": "${HS_CLIENT_SECRET}"}},
			[]string{"auth.refresh_token is required"}},
		{"missing grant", m{"auth": m{"client_id": "${HS_CLIENT_ID}"}}, []string{"grant"}},
		{"secret with a newline", m{"auth": m{"grant": "refresh_token", "client_id": "${HS_CLIENT_ID}", "client_secret": "oauth-client-secret-value\nx", "refresh_token": "${HS_REFRESH_TOKEN}"}},
			[]string{"auth.client_secret contains whitespace"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(extract.Config{Name: "crm", Decode: decodeFrom(tc.cfg, oauthVars(testRefreshToken))})
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, s := range []string{testClientSecret, testRefreshToken, secret} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error reveals a credential: %v", err)
				}
			}
		})
	}
	if _, err := New(extract.Config{Name: "crm", Decode: decodeFrom(m{"auth": oauthAuth()}, oauthVars(testRefreshToken))}); err != nil {
		t.Errorf("a valid auth block: %v", err)
	}
}
