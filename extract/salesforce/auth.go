package salesforce

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/httpretry"
)

// session is the current access token and the instance URL it is valid on. Reads of several
// streams share it; a refresh by one is seen by all.
type session struct {
	mu       sync.Mutex
	token    string
	instance string
	gen      int // incremented by each login
}

// current returns the token, the instance URL and the generation.
func (s *session) current() (token, instance string, gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.instance, s.gen
}

// ensure logs in when there is no token yet.
func (src *Source) ensureSession(ctx context.Context) error {
	src.sess.mu.Lock()
	defer src.sess.mu.Unlock()
	if src.sess.token != "" {
		return nil
	}
	return src.loginLocked(ctx)
}

// relogin gets a new token, unless another read already replaced the token of generation gen.
func (src *Source) relogin(ctx context.Context, gen int) error {
	src.sess.mu.Lock()
	defer src.sess.mu.Unlock()
	if src.sess.gen != gen && src.sess.token != "" {
		return nil
	}
	return src.loginLocked(ctx)
}

// tokenResponse is the token endpoint's answer; unknown keys are ignored.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
}

// loginLocked runs the configured grant against {login_url}/services/oauth2/token.
func (src *Source) loginLocked(ctx context.Context) error {
	set := src.set
	form := url.Values{}
	switch set.grant {
	case GrantClientCredentials:
		form.Set("grant_type", "client_credentials")
		form.Set("client_id", set.clientID)
		form.Set("client_secret", set.clientSecret)
	case GrantRefreshToken:
		form.Set("grant_type", "refresh_token")
		form.Set("client_id", set.clientID)
		if set.clientSecret != "" {
			form.Set("client_secret", set.clientSecret)
		}
		form.Set("refresh_token", set.refreshToken)
	case GrantJWT:
		assertion, err := src.assertion()
		if err != nil {
			return err
		}
		form.Set("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
		form.Set("assertion", assertion)
	}
	body := form.Encode()
	endpoint := set.loginURL + "/services/oauth2/token"
	hc := src.retryClient(func(r httpretry.Response) httpretry.Decision {
		if r.Status >= 200 && r.Status < 300 {
			if !json.Valid(r.Body) {
				return httpretry.Decision{Retry: true}
			}
			return httpretry.Decision{}
		}
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(r.Body, &e) == nil && e.Error != "" && r.Status < 500 && r.Status != http.StatusTooManyRequests {
			return httpretry.Decision{Err: &AuthError{Grant: set.grant, Status: r.Status, Code: e.Error, Description: e.Description}}
		}
		d := src.classify(r) // not an OAuth error: an edge proxy's or the API's response
		if d.Reauth {
			return httpretry.Decision{Err: &AuthError{Grant: set.grant, Status: r.Status, Code: "unauthorized", Description: strings.TrimSpace(firstBytes(r.Body, 200))}}
		}
		return d
	})
	resp, err := hc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return fmt.Errorf("salesforce login at %s: %w", endpoint, err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return fmt.Errorf("salesforce login at %s: decode token response: %w", endpoint, err)
	}
	inst, err := url.Parse(tr.InstanceURL)
	if tr.AccessToken == "" || err != nil || (inst.Scheme != "https" && inst.Scheme != "http") || inst.Host == "" {
		return fmt.Errorf("salesforce login at %s: the token response lacks an access_token or a valid instance_url", endpoint)
	}
	src.sess.token = tr.AccessToken
	src.sess.instance = strings.TrimSuffix(tr.InstanceURL, "/")
	src.sess.gen++
	src.log.Info("salesforce login", "grant", set.grant, "instance", src.sess.instance)
	return nil
}

// assertion builds the RS256-signed JWT of the JWT bearer grant: iss = client_id,
// sub = username, aud = audience, exp = now + 3 minutes.
func (src *Source) assertion() (string, error) {
	set := src.set
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{"iss": set.clientID, "sub": set.username, "aud": set.audience,
		"exp": src.now().Add(3 * time.Minute).Unix()})
	if err != nil {
		return "", err
	}
	signing := header + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, set.privateKey, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("salesforce login: sign JWT assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

func firstBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
