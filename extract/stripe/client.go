package stripe

// client.go: GET requests to the Stripe API with the key, a pinned Stripe-Version, retries
// (httpretry) that follow Stripe-Should-Retry, and Stripe's error envelope as *APIError.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/revops/revops/internal/arrowrow"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// APIError is an error response of the Stripe API (its {"error":{…}} envelope). The message
// never contains the API key: Stripe's own masked rendering of it is removed too.
type APIError struct {
	Status    int
	Type      string // api_error, invalid_request_error, …
	Code      string // resource_missing, rate_limit, …
	Param     string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stripe: HTTP %d", e.Status)
	for _, s := range []string{e.Type, e.Code} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (param %s)", e.Param)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// ErrUnauthorized is wrapped by the error of a 401 or 403: the key is wrong, revoked, or (a
// restricted key) lacks a permission.
var ErrUnauthorized = errors.New("stripe rejected the API key")

// isMissing reports whether err is a resource_missing error on param ("" matches any).
func isMissing(err error, param string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == "resource_missing" && (param == "" || ae.Param == param)
}

// keyPattern matches Stripe keys, masked or not.
var keyPattern = regexp.MustCompile(`\b(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+`)

// parseError reads Stripe's error envelope from a non-2xx response.
func parseError(r httpretry.Response) error {
	e := &APIError{Status: r.Status, RequestID: r.Header.Get("Request-Id")}
	var env struct {
		Error struct {
			Type    string `json:"type"`
			Code    string `json:"code"`
			Param   string `json:"param"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &env); err == nil {
		e.Type, e.Code, e.Param = env.Error.Type, env.Error.Code, env.Error.Param
		e.Message = keyPattern.ReplaceAllString(env.Error.Message, "[redacted key]")
	} else {
		e.Message = "unreadable error body"
	}
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		return fmt.Errorf("%w: %w", ErrUnauthorized, e)
	}
	return e
}

// classify follows Stripe's retry advice: Stripe-Should-Retry wins when present; otherwise 409,
// 429 and 5xx are retried (honouring Retry-After) and other errors are final. A 2xx body that
// is not JSON (cut short) is retried.
func classify(r httpretry.Response) httpretry.Decision {
	if r.Status >= 200 && r.Status < 300 {
		if !json.Valid(r.Body) {
			return httpretry.Decision{Retry: true, Err: errors.New("stripe: response body is not valid JSON (truncated?)")}
		}
		return httpretry.Decision{}
	}
	err := parseError(r)
	switch r.Header.Get("Stripe-Should-Retry") {
	case "true":
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: err}
	case "false":
		return httpretry.Decision{Err: err}
	}
	if r.Status == http.StatusConflict || r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: err}
	}
	return httpretry.Decision{Err: err}
}

// client sends GET requests to one Stripe account.
type client struct {
	base    string // no trailing slash
	key     yamlx.Secret
	version string
	retry   *httpretry.Client
}

// get fetches path (relative to the base URL) with q and returns the JSON body.
func (c *client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := c.retry.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.key.Reveal())
		req.Header.Set("Stripe-Version", c.version)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "revops-stripe/1")
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return resp.Body, nil
}

// listPage is one page of a list endpoint.
type listPage struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
}

// list fetches one page of a list endpoint and decodes its objects.
func (c *client) list(ctx context.Context, path string, q url.Values) ([]jobj, bool, error) {
	body, err := c.get(ctx, path, q)
	if err != nil {
		return nil, false, err
	}
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, false, fmt.Errorf("GET %s: decode list: %w", path, err)
	}
	out := make([]jobj, 0, len(p.Data))
	for i, raw := range p.Data {
		o, err := arrowrow.DecodeObject(raw)
		if err != nil {
			return nil, false, fmt.Errorf("GET %s: object %d: %w", path, i, err)
		}
		out = append(out, o)
	}
	return out, p.HasMore, nil
}
