package chargebee

// client.go: GET requests to a Chargebee site with the API key (HTTP Basic, key as username),
// retries (httpretry) of 429s and 5xx, and Chargebee's error body as *APIError.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/revops/revops/internal/arrowrow"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// APIError is an error response of the Chargebee API. Its message never contains the API key.
type APIError struct {
	Status       int
	Type         string // invalid_request, payment, operation_failed, …
	APIErrorCode string // api_request_limit_exceeded, resource_not_found, …
	ErrorCode    string
	Param        string
	Message      string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chargebee: HTTP %d", e.Status)
	if e.APIErrorCode != "" {
		b.WriteString(" " + e.APIErrorCode)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (param %s)", e.Param)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// ErrUnauthorized is wrapped by the error of a 401 or 403: the key is wrong, revoked, of
// another site, or lacks a permission.
var ErrUnauthorized = errors.New("chargebee rejected the API key")

// errorBody is Chargebee's error body.
type errorBody struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	APIErrorCode string `json:"api_error_code"`
	ErrorCode    string `json:"error_code"`
	Param        string `json:"param"`
}

// parseError reads Chargebee's error body from a non-2xx response; key is removed from the
// message should the server echo it.
func parseError(r httpretry.Response, key string) error {
	e := &APIError{Status: r.Status}
	var body errorBody
	if err := json.Unmarshal(r.Body, &body); err == nil {
		e.Type, e.APIErrorCode, e.ErrorCode, e.Param, e.Message = body.Type, body.APIErrorCode, body.ErrorCode, body.Param, body.Message
		if key != "" {
			e.Message = strings.ReplaceAll(e.Message, key, "[redacted]")
		}
	} else {
		e.Message = "unreadable error body"
	}
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		return fmt.Errorf("%w: %w", ErrUnauthorized, e)
	}
	return e
}

// classify retries 429 (api_request_limit_exceeded, lock timeouts), 5xx and 2xx bodies that
// are not JSON (cut short), honouring Retry-After; every other error is final.
func (c *client) classify(r httpretry.Response) httpretry.Decision {
	if r.Status >= 200 && r.Status < 300 {
		if !json.Valid(r.Body) {
			return httpretry.Decision{Retry: true, Err: errors.New("chargebee: response body is not valid JSON (truncated?)")}
		}
		return httpretry.Decision{}
	}
	err := parseError(r, c.key.Reveal())
	if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: err}
	}
	return httpretry.Decision{Err: err}
}

// client sends GET requests to one Chargebee site.
type client struct {
	base  string // ends with /api/v2, no trailing slash
	key   yamlx.Secret
	retry *httpretry.Client
}

// get fetches path (relative to the API root) with q and returns the JSON body.
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
		req.SetBasicAuth(c.key.Reveal(), "")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "revops-chargebee/1")
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("GET /api/v2%s: %w", path, err)
	}
	return resp.Body, nil
}

// listPage is one page of a list endpoint.
type listPage struct {
	List       []json.RawMessage `json:"list"`
	NextOffset *string           `json:"next_offset"`
}

// list fetches one page of a list endpoint and unwraps each element's resource (the value
// under typ); next is "" on the last page.
func (c *client) list(ctx context.Context, path, typ string, q url.Values) (recs []jobj, next string, err error) {
	body, err := c.get(ctx, path, q)
	if err != nil {
		return nil, "", err
	}
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", fmt.Errorf("GET /api/v2%s: decode list: %w", path, err)
	}
	out := make([]jobj, 0, len(p.List))
	for i, raw := range p.List {
		el, err := arrowrow.DecodeObject(raw)
		if err != nil {
			return nil, "", fmt.Errorf("GET /api/v2%s: element %d: %w", path, i, err)
		}
		o, ok := el[typ].(jobj)
		if !ok {
			return nil, "", fmt.Errorf("GET /api/v2%s: element %d has no %q object (keys %v)", path, i, typ, slices.Sorted(maps.Keys(el)))
		}
		out = append(out, o)
	}
	if p.NextOffset != nil {
		next = *p.NextOffset
	}
	return out, next, nil
}
