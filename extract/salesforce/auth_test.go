package salesforce

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce/fake"
)

var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
})

// Each grant logs in and reads; each refusal is an *AuthError with Salesforce's error code.
// Neither errors nor logs ever carry a credential.
func TestAuthGrants(t *testing.T) {
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(otherKey()))}))
	cases := []struct {
		name     string
		auth     m
		wantCode string // "" for success
	}{
		{"client_credentials", m{"grant": "client_credentials", "client_id": testClientID, "client_secret": testClientSecret}, ""},
		{"refresh_token", m{"grant": "refresh_token", "client_id": testClientID, "client_secret": testClientSecret, "refresh_token": testRefreshToken}, ""},
		{"refresh_token without secret", m{"grant": "refresh_token", "client_id": testClientID, "refresh_token": testRefreshToken}, ""},
		{"jwt", m{"grant": "jwt", "client_id": testClientID, "username": testUser, "private_key": privateKeyPEM()}, ""},
		{"wrong secret", m{"grant": "client_credentials", "client_id": testClientID, "client_secret": "not-" + testClientSecret}, "invalid_client"},
		{"unknown client", m{"grant": "client_credentials", "client_id": "nobody", "client_secret": testClientSecret}, "invalid_client_id"},
		{"no run-as user", m{"grant": "client_credentials", "client_id": "no-user-app", "client_secret": testClientSecret}, "invalid_grant"},
		{"revoked refresh token", m{"grant": "refresh_token", "client_id": testClientID, "refresh_token": "revoked-" + testRefreshToken}, "invalid_grant"},
		{"jwt signed by another key", m{"grant": "jwt", "client_id": testClientID, "username": testUser, "private_key": otherPEM}, "invalid_grant"},
		{"jwt for another user", m{"grant": "jwt", "client_id": testClientID, "username": "someone@else.test", "private_key": privateKeyPEM()}, "invalid_grant"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.org.AddClient(fake.Client{ID: "no-user-app", Secret: testClientSecret}); err != nil {
				t.Fatal(err)
			}
			e.accounts(3, func(int) time.Time { return t0.Add(-time.Hour) })
			var logs bytes.Buffer
			src, err := NewWithOptions(extract.Config{Name: "crm", Decode: decodeFrom(e.config(m{"auth": c.auth})), Now: e.clock.Now},
				Options{Allocator: e.mem, HTTPClient: e.srv.Client(), Sleep: noSleep, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			tb := newTable()
			res := e.read(src, "account", nil, tb, 0)
			if c.wantCode == "" {
				if res.err != nil {
					t.Fatalf("Read: %v", res.err)
				}
				assertTruth(t, tb, e.truth("Account"))
			} else {
				var ae *AuthError
				if !errors.As(res.err, &ae) || ae.Code != c.wantCode {
					t.Fatalf("Read = %v, want an AuthError %s", res.err, c.wantCode)
				}
			}
			for _, secret := range []string{testClientSecret, testRefreshToken, privateKeyPEM()[40:80], otherPEM[40:80]} {
				if res.err != nil && strings.Contains(res.err.Error(), secret) {
					t.Errorf("the error shows a credential: %v", res.err)
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the logs show a credential: %s", logs.String())
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The API is called on the instance_url the token endpoint returns, never on the login URL.
func TestUsesInstanceURL(t *testing.T) {
	e := newEnv(t)
	e.accounts(3, func(int) time.Time { return t0.Add(-time.Hour) })
	target, _ := url.Parse(e.srv.URL)
	var mu sync.Mutex
	var viaLogin []string
	login := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		mu.Lock()
		viaLogin = append(viaLogin, pr.In.URL.Path)
		mu.Unlock()
		pr.SetURL(target) // the fake sees its own host and answers with its own instance_url
	}})
	defer login.Close()
	cfg := e.config(m{"login_url": login.URL})
	src, err := NewWithOptions(extract.Config{Name: "crm", Decode: decodeFrom(cfg), Now: e.clock.Now},
		Options{Allocator: e.mem, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	tb := newTable()
	e.mustRead(src, "account", nil, tb)
	assertTruth(t, tb, e.truth("Account"))
	if len(viaLogin) != 1 || viaLogin[0] != "/services/oauth2/token" {
		t.Errorf("requests to the login URL = %v, want only the token request", viaLogin)
	}
}
