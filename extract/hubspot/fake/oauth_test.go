package fake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// token posts a refresh_token grant and returns the status and the decoded body.
func (h *harness) token(form url.Values) (int, map[string]any) {
	h.t.Helper()
	resp, err := http.PostForm(h.srv.URL+"/oauth/v1/token", form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, body
}

// The token endpoint grants access tokens that expire on the fake clock (or through
// /__fake/tokens/expire), and refuses bad client credentials and refresh tokens.
func TestOAuthTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{AccessTokenTTL: 10 * time.Minute})
	if err := h.fake.AddOAuthApp(OAuthApp{ClientID: "cid", ClientSecret: "csecret", RefreshTokens: []string{"rt-1"}}); err != nil {
		t.Fatal(err)
	}
	good := url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "client_secret": {"csecret"}, "refresh_token": {"rt-1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range good {
			f[key] = vals
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status string
	}{
		{"grant type", with("grant_type", "authorization_code"), "BAD_GRANT_TYPE"},
		{"client id", with("client_id", "other"), "BAD_CLIENT_ID"},
		{"client secret", with("client_secret", "wrong"), "BAD_CLIENT_SECRET"},
		{"refresh token", with("refresh_token", "rt-2"), "BAD_REFRESH_TOKEN"},
	} {
		if code, body := h.token(tc.form); code != http.StatusBadRequest || body["status"] != tc.status {
			t.Errorf("%s: %d %v, want 400 %s", tc.name, code, body, tc.status)
		}
	}

	code, body := h.token(good)
	if code != http.StatusOK || body["expires_in"] != float64(600) || body["refresh_token"] != "rt-1" || body["token_type"] != "bearer" {
		t.Fatalf("grant: %d %v", code, body)
	}
	tok := body["access_token"].(string)
	if code, _, _ := h.callToken(tok, "GET", "/crm/v3/objects/deals", nil); code != http.StatusOK {
		t.Errorf("fresh token: %d", code)
	}
	h.clock.Advance(11 * time.Minute)
	if code, _, b := h.callToken(tok, "GET", "/crm/v3/objects/deals", nil); code != http.StatusUnauthorized || b["category"] != "EXPIRED_AUTHENTICATION" {
		t.Errorf("token after its TTL: %d %v", code, b)
	}
	_, body = h.token(good)
	tok = body["access_token"].(string)
	resp, err := http.Post(h.srv.URL+"/__fake/tokens/expire", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _, b := h.callToken(tok, "GET", "/crm/v3/objects/deals", nil); code != http.StatusUnauthorized || b["category"] != "EXPIRED_AUTHENTICATION" {
		t.Errorf("token after /__fake/tokens/expire: %d %v", code, b)
	}
	if code, _, _ := h.call("GET", "/crm/v3/objects/deals", nil); code != http.StatusOK {
		t.Errorf("the private-app token after /__fake/tokens/expire: %d", code)
	}
	resp, err = http.Post(h.srv.URL+"/__fake/hubspot/oauth/revoke", "application/json", strings.NewReader(`{"refreshToken":"rt-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, body := h.token(good); code != http.StatusBadRequest || body["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("revoked refresh token: %d %v", code, body)
	}
	if n := h.fake.TokenGrants(); n != 2 {
		t.Errorf("%d grants, want 2", n)
	}
}
