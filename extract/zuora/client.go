package zuora

// client.go: the OAuth 2.0 client-credentials session, POST requests to the ZOQL actions with
// retries (httpretry) and re-authentication, and Zuora's error envelopes as *APIError.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// APIError is an error response of Zuora: an action call's fault ({"faultcode":"fns:…",
// "faultstring":…}), the REST envelope ({"success":false,"reasons":[{"code","message"}]}), a
// gateway's {"message":…} or an OAuth error ({"error","error_description"}).
type APIError struct {
	Status int
	// FaultCode is the action call's fault code without its "fns:" prefix (INVALID_FIELD,
	// INVALID_TYPE, INVALID_VALUE, MALFORMED_QUERY, INVALID_QUERY_LOCATOR, …).
	FaultCode string
	// Code is the REST reason code or the OAuth error code.
	Code      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zuora: HTTP %d", e.Status)
	for _, s := range []string{e.FaultCode, e.Code} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// ErrUnauthorized is wrapped by the error of a 401 or 403 that re-authentication did not cure,
// and by a rejected login: the client id or secret is wrong, revoked, or lacks a permission.
var ErrUnauthorized = errors.New("zuora rejected the credentials")

// isFault reports whether err is a fault with code.
func isFault(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.FaultCode == code
}

// parseError reads whichever error envelope a non-2xx (or faulting) response has.
func parseError(r httpretry.Response) *APIError {
	e := &APIError{Status: r.Status, RequestID: r.Header.Get("Zuora-Request-Id")}
	var env struct {
		FaultCode   string `json:"faultcode"`
		FaultString string `json:"faultstring"`
		Reasons     []struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"reasons"`
		Message     string `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		e.Message = strings.TrimSpace(firstBytes(r.Body, 200))
		if e.Message == "" {
			e.Message = http.StatusText(r.Status)
		}
		return e
	}
	switch {
	case env.FaultCode != "":
		_, code, found := strings.Cut(env.FaultCode, ":")
		if !found {
			code = env.FaultCode
		}
		e.FaultCode, e.Message = code, env.FaultString
	case len(env.Reasons) > 0:
		e.Code = strings.Trim(string(env.Reasons[0].Code), `"`)
		msgs := make([]string, 0, len(env.Reasons))
		for _, rs := range env.Reasons {
			msgs = append(msgs, rs.Message)
		}
		e.Message = strings.Join(msgs, "; ")
	case env.Error != "":
		e.Code, e.Message = env.Error, env.Description
	default:
		e.Message = env.Message
	}
	return e
}

// finalFault reports fault codes that say the request is wrong, however often it is sent
// (Zuora has answered some of them with a 500 in the past).
func finalFault(code string) bool {
	switch code {
	case "INVALID_FIELD", "INVALID_TYPE", "INVALID_VALUE", "MALFORMED_QUERY", "INVALID_QUERY_LOCATOR":
		return true
	}
	return false
}

// retryDelay is the server's requested delay: Retry-After, else RateLimit-Reset (seconds).
func retryDelay(h http.Header) time.Duration {
	if d := httpretry.RetryAfter(h); d > 0 {
		return d
	}
	if s, err := strconv.Atoi(h.Get("RateLimit-Reset")); err == nil && s > 0 && s <= 3600 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// classify decides what a response of the API means: 2xx with a valid body is success (a
// 2xx that is not JSON, cut short, is retried; one carrying a fault is that fault); 401 asks
// for a new token; 429 and 5xx are retried after the server's delay or a backoff, except
// faults that no retry can cure; other errors are final.
func classify(r httpretry.Response) httpretry.Decision {
	if r.Status >= 200 && r.Status < 300 {
		if !json.Valid(r.Body) {
			return httpretry.Decision{Retry: true, Err: errors.New("zuora: response body is not valid JSON (truncated?)")}
		}
		if bytes.Contains(r.Body, []byte(`"faultcode"`)) {
			if e := parseError(r); e.FaultCode != "" {
				return httpretry.Decision{Err: e}
			}
		}
		return httpretry.Decision{}
	}
	e := parseError(r)
	switch {
	case finalFault(e.FaultCode):
		return httpretry.Decision{Err: e}
	case r.Status == http.StatusUnauthorized:
		return httpretry.Decision{Reauth: true, Err: fmt.Errorf("%w: %w", ErrUnauthorized, e)}
	case r.Status == http.StatusForbidden:
		return httpretry.Decision{Err: fmt.Errorf("%w: %w", ErrUnauthorized, e)}
	case r.Status == http.StatusTooManyRequests || r.Status >= 500:
		return httpretry.Decision{Retry: true, After: retryDelay(r.Header), Err: e}
	}
	return httpretry.Decision{Err: e}
}

// client talks to one Zuora tenant.
type client struct {
	base     string // no trailing slash
	clientID string
	secret   yamlx.Secret
	entity   string
	retry    *httpretry.Client
	now      func() time.Time
	log      *slog.Logger

	mu      sync.Mutex
	token   string
	expires time.Time
	gen     int // incremented by each login
}

// tokenMargin: a token this close to its expiry is renewed before use.
const tokenMargin = time.Minute

// session returns a valid token and its generation, logging in when there is none or it is
// about to expire.
func (c *client) session(ctx context.Context) (string, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" || !c.now().Before(c.expires) {
		if err := c.loginLocked(ctx); err != nil {
			return "", 0, err
		}
	}
	return c.token, c.gen, nil
}

// relogin gets a new token, unless another request already replaced the token of generation
// gen.
func (c *client) relogin(ctx context.Context, gen int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen && c.token != "" && c.now().Before(c.expires) {
		return nil
	}
	return c.loginLocked(ctx)
}

// loginLocked runs the client-credentials grant against {base}/oauth/token.
func (c *client) loginLocked(ctx context.Context) error {
	form := url.Values{}
	form.Set("client_id", c.clientID)
	form.Set("client_secret", c.secret.Reveal())
	form.Set("grant_type", "client_credentials")
	body := form.Encode()
	endpoint := c.base + "/oauth/token"
	rc := *c.retry
	rc.Reauth = nil
	rc.Classify = func(r httpretry.Response) httpretry.Decision {
		if r.Status >= 200 && r.Status < 300 {
			if !json.Valid(r.Body) {
				return httpretry.Decision{Retry: true, Err: errors.New("zuora: token response is not valid JSON (truncated?)")}
			}
			return httpretry.Decision{}
		}
		e := parseError(r)
		if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
			return httpretry.Decision{Retry: true, After: retryDelay(r.Header), Err: e}
		}
		return httpretry.Decision{Err: fmt.Errorf("%w (check client_id, client_secret and base_url): %w", ErrUnauthorized, e)}
	}
	resp, err := rc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", userAgent)
		return req, nil
	})
	if err != nil {
		return fmt.Errorf("zuora login at %s: %w", endpoint, err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return fmt.Errorf("zuora login at %s: decode token response: %w", endpoint, err)
	}
	if tr.AccessToken == "" || (tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer")) {
		return fmt.Errorf("zuora login at %s: the token response has no bearer access_token", endpoint)
	}
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	c.token = tr.AccessToken
	c.expires = c.now().Add(max(ttl-tokenMargin, ttl/2))
	c.gen++
	c.log.Debug("zuora login", "expires_in_s", tr.ExpiresIn)
	return nil
}

const userAgent = "revops-zuora/1"

// post sends a JSON body to path and returns the response body. A 401 gets a new token and
// the request again, once per attempt series.
func (c *client) post(ctx context.Context, path string, payload any) ([]byte, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("POST %s: encode body: %w", path, err)
	}
	gen := 0
	rc := *c.retry
	rc.Reauth = func(ctx context.Context) error { return c.relogin(ctx, gen) }
	resp, err := rc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		tok, g, err := c.session(ctx)
		if err != nil {
			return nil, err
		}
		gen = g
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", userAgent)
		if c.entity != "" {
			req.Header.Set("Zuora-Entity-Ids", c.entity)
		}
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	return resp.Body, nil
}

// queryResult is a page of a ZOQL query.
type queryResult struct {
	Records      []json.RawMessage `json:"records"`
	Size         int               `json:"size"`
	Done         bool              `json:"done"`
	QueryLocator string            `json:"queryLocator"`
}

type queryConf struct {
	BatchSize int `json:"batchSize"`
}

// query runs a ZOQL query and returns its first page.
func (c *client) query(ctx context.Context, zoql string, batch int) (*queryResult, error) {
	body, err := c.post(ctx, "/v1/action/query", struct {
		QueryString string    `json:"queryString"`
		Conf        queryConf `json:"conf"`
	}{zoql, queryConf{batch}})
	if err != nil {
		return nil, err
	}
	return decodePage(body)
}

// queryMore returns the page a query locator points at.
func (c *client) queryMore(ctx context.Context, locator string, batch int) (*queryResult, error) {
	body, err := c.post(ctx, "/v1/action/queryMore", struct {
		QueryLocator string    `json:"queryLocator"`
		Conf         queryConf `json:"conf"`
	}{locator, queryConf{batch}})
	if err != nil {
		return nil, err
	}
	return decodePage(body)
}

func decodePage(body []byte) (*queryResult, error) {
	var p queryResult
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("decode query response: %w", err)
	}
	if !p.Done && p.QueryLocator == "" {
		return nil, errors.New("decode query response: done is false but there is no queryLocator")
	}
	return &p, nil
}

func firstBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
