package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/jsonpage"
	"github.com/revops/revops/internal/yamlx"
)

// ErrUnauthorized is wrapped by the error of a request HubSpot rejected for its credentials
// (401): a wrong, revoked or expired token. Retrying does not help.
var ErrUnauthorized = errors.New("hubspot rejected the credentials")

// ErrDailyLimit is wrapped by the error of a request refused because the portal's daily request
// limit is spent (429 DAILY); it resets at midnight in the portal's time zone.
var ErrDailyLimit = errors.New("hubspot daily request limit reached")

// APIError is an error answer from HubSpot, from its error envelope. It never holds the token.
type APIError struct {
	Status        int
	Category      string // VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES, RATE_LIMIT, …
	Policy        string // for 429: TEN_SECONDLY_ROLLING, SECONDLY or DAILY
	Message       string
	CorrelationID string
}

func (e *APIError) Error() string {
	cat := e.Category
	if e.Policy != "" {
		cat += " " + e.Policy
	}
	msg := fmt.Sprintf("HubSpot answered %d %s: %s", e.Status, cat, e.Message)
	if e.CorrelationID != "" {
		msg += " (correlationId " + e.CorrelationID + ")"
	}
	return msg
}

// Unwrap lets errors.Is find ErrUnauthorized and ErrDailyLimit.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized:
		return ErrUnauthorized
	case e.Policy == "DAILY":
		return ErrDailyLimit
	}
	return nil
}

// apiError reads HubSpot's envelope from a response body.
func apiError(r httpretry.Response) *APIError {
	var b struct {
		Message       string `json:"message"`
		Category      string `json:"category"`
		ErrorType     string `json:"errorType"`
		PolicyName    string `json:"policyName"`
		CorrelationID string `json:"correlationId"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Message == "" {
		text := r.Body
		if len(text) > 200 {
			text = text[:200]
		}
		b.Message = fmt.Sprintf("%q", text)
	}
	if b.Category == "" {
		b.Category = b.ErrorType
	}
	return &APIError{Status: r.Status, Category: b.Category, Policy: b.PolicyName, Message: b.Message, CorrelationID: b.CorrelationID}
}

// classify decides what a HubSpot response means for the retry loop:
//   - 2xx (200, and 207 for batch reads with some ids missing) whose body is not complete JSON
//     is retried (a cut connection can end a body early without an error);
//   - 429 is retried after Retry-After when sent, else after one second for SECONDLY (the
//     search limit), else after X-HubSpot-RateLimit-Interval-Milliseconds or ten seconds for
//     TEN_SECONDLY_ROLLING; DAILY fails at once (ErrDailyLimit);
//   - 5xx is retried with backoff (Retry-After when sent), except 530, which HubSpot's edge sends
//     for a malformed token;
//   - 401 asks for new credentials (an OAuth public app refreshes its access token and resends,
//     once); with a private-app token, or after that, it fails with an APIError wrapping
//     ErrUnauthorized;
//   - everything else fails with an APIError.
func classify(r httpretry.Response) httpretry.Decision {
	switch {
	case r.Status >= 200 && r.Status < 300:
		if !jsonpage.Valid(r.Body) {
			return httpretry.Decision{Retry: true, Err: fmt.Errorf("HubSpot sent an incomplete JSON body (%d bytes)", len(r.Body))}
		}
		return httpretry.Decision{}
	case r.Status == http.StatusTooManyRequests:
		e := apiError(r)
		if e.Policy == "DAILY" {
			return httpretry.Decision{Err: e}
		}
		return httpretry.Decision{Retry: true, After: rateLimitDelay(e.Policy, r.Header), Err: e}
	case r.Status == 530:
		e := apiError(r)
		e.Message = "HubSpot's edge answered 530, which it does for a malformed token: check the token (" + e.Message + ")"
		return httpretry.Decision{Err: e}
	case r.Status >= 500:
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: apiError(r)}
	case r.Status == http.StatusUnauthorized:
		return httpretry.Decision{Reauth: true, Err: apiError(r)}
	}
	return httpretry.Decision{Err: apiError(r)}
}

// rateLimitDelay is how long to wait after a 429 of a policy.
func rateLimitDelay(policy string, h http.Header) time.Duration {
	if d := httpretry.RetryAfter(h); d > 0 {
		return d
	}
	if policy == "SECONDLY" {
		return time.Second
	}
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	if policy == "TEN_SECONDLY_ROLLING" {
		return 10 * time.Second
	}
	return 0 // the client's backoff
}

// client sends HubSpot API requests: general ones through one limiter, searches through
// another (HubSpot limits searches separately, to 5 a second).
type client struct {
	base     *url.URL
	token    yamlx.Secret      // a private app's token, when oauth is nil
	oauth    *oauthSession     // an OAuth public app's session
	hc       *httpretry.Client // every request but searches
	searchHC *httpretry.Client // searches
}

// get sends a GET and decodes the JSON answer into out.
func (c *client) get(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, c.hc, http.MethodGet, path, query, nil, out)
}

// post sends a POST with a JSON body through hc and decodes the answer into out.
func (c *client) post(ctx context.Context, hc *httpretry.Client, path string, query url.Values, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request body of %s: %w", path, err)
	}
	return c.do(ctx, hc, http.MethodPost, path, query, data, out)
}

func (c *client) do(ctx context.Context, hc *httpretry.Client, method, path string, query url.Values, body []byte, out any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	target := u.String()
	var used string // the access token of the last send, for renew
	if c.oauth != nil {
		withReauth := *hc // a copy per request, so that its Reauth knows the token it sent
		withReauth.Reauth = func(ctx context.Context) error { return c.oauth.renew(ctx, used) }
		hc = &withReauth
	}
	resp, err := hc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		used = c.token.Reveal()
		if c.oauth != nil {
			tok, err := c.oauth.bearer(ctx)
			if err != nil {
				return nil, err
			}
			used = tok
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+used)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "revops-hubspot")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if page, ok := out.(*pageOf[object]); ok {
		err = decodeObjectPage(resp.Body, page) // records: the bulk of what is read
	} else {
		err = json.Unmarshal(resp.Body, out)
	}
	if err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
	}
	return nil
}
