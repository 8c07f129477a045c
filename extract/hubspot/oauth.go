package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/httpretry"
)

// defaultExpiresIn is the access token life assumed when the token endpoint names none
// (HubSpot's documented 1800 s).
const defaultExpiresIn = 30 * time.Minute

// oauthSession holds the access token of an OAuth public app and gets a new one from the
// refresh token before it expires, and when HubSpot rejects it (a token revoked early, or a
// clock that runs behind HubSpot's). It is shared by concurrent Reads: one refresh serves
// every request waiting on it.
type oauthSession struct {
	tokenURL string
	creds    *oauthSettings
	hc       *httpretry.Client // token requests: retried on 429, 5xx and network errors
	clock    func() time.Time

	mu      sync.Mutex
	refresh string // the refresh token (HubSpot may send a new one with each grant)
	access  string
	expires time.Time
}

func newOAuthSession(base *url.URL, creds *oauthSettings, hc *httpretry.Client, clock func() time.Time) *oauthSession {
	u := *base
	u.Path += tokenPath
	return &oauthSession{tokenURL: u.String(), creds: creds, hc: hc, clock: clock, refresh: creds.refreshToken.Reveal()}
}

// margin is how long before its expiry a token is replaced: a request sent just before the
// expiry must not arrive just after it.
func margin(life time.Duration) time.Duration { return min(5*time.Minute, life/4) }

// bearer returns a valid access token, refreshing it first when it expires within the margin.
func (o *oauthSession) bearer(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.access != "" && o.clock().Before(o.expires) {
		return o.access, nil
	}
	if err := o.grant(ctx); err != nil {
		return "", err
	}
	return o.access, nil
}

// renew replaces the access token after HubSpot rejected used with a 401, unless another
// request already replaced it.
func (o *oauthSession) renew(ctx context.Context, used string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.access != "" && o.access != used && o.clock().Before(o.expires) {
		return nil
	}
	o.access = ""
	return o.grant(ctx)
}

// tokenAnswer is the token endpoint's answer: the grant, or an error's status and message.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Status       string `json:"status"`
	Message      string `json:"message"`
}

// grant asks the token endpoint for an access token (o.mu held). Its errors carry HubSpot's
// status and message, never a credential.
func (o *oauthSession) grant(ctx context.Context) error {
	form := url.Values{"grant_type": {grantRefreshToken}, "client_id": {o.creds.clientID.Reveal()},
		"client_secret": {o.creds.clientSecret.Reveal()}, "refresh_token": {o.refresh}}
	body := form.Encode()
	resp, err := o.hc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.tokenURL, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "revops-hubspot")
		return req, nil
	})
	if err != nil {
		return fmt.Errorf("refresh the OAuth access token: %w", err)
	}
	var a tokenAnswer
	if err := json.Unmarshal(resp.Body, &a); err != nil || a.AccessToken == "" {
		return fmt.Errorf("refresh the OAuth access token: HubSpot's answer has no access_token (%d bytes)", len(resp.Body))
	}
	life := time.Duration(a.ExpiresIn) * time.Second
	if life <= 0 {
		life = defaultExpiresIn
	}
	o.access, o.expires = a.AccessToken, o.clock().Add(life-margin(life))
	if a.RefreshToken != "" {
		o.refresh = a.RefreshToken
	}
	return nil
}

// classifyToken decides what a token endpoint response means: 2xx is the grant; 429 and 5xx
// are retried; anything else (HubSpot answers 400 BAD_REFRESH_TOKEN, BAD_CLIENT_ID, … for
// credentials it refuses) fails with ErrUnauthorized, since retrying cannot help.
func classifyToken(r httpretry.Response) httpretry.Decision {
	switch {
	case r.Status >= 200 && r.Status < 300:
		return httpretry.Decision{}
	case r.Status == http.StatusTooManyRequests || r.Status >= 500:
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: fmt.Errorf("HubSpot's token endpoint answered %d", r.Status)}
	}
	var a tokenAnswer
	_ = json.Unmarshal(r.Body, &a)
	if a.Status == "" {
		a.Status = "error"
	}
	if a.Message == "" {
		a.Message = "no message"
	}
	return httpretry.Decision{Err: fmt.Errorf("HubSpot refused the refresh token: %d %s: %s (check auth.client_id, auth.client_secret and auth.refresh_token; the app may have been uninstalled from the portal): %w",
		r.Status, a.Status, a.Message, ErrUnauthorized)}
}
