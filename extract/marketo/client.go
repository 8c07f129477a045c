package marketo

// client.go: requests to one Marketo subscription — the identity call and its token (shared by
// every stream of the source), the envelope in HTTP 200 bodies and what each code means,
// retries (internal/httpretry), the concurrency cap and the daily quota guard.

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
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// Client timings and limits.
const (
	// refreshMargin: a token is renewed this long before it expires (as tap-marketo does).
	refreshMargin = 15 * time.Second
	// usageEvery is how many calls pass between two reads of stats/usage.json.
	usageEvery = 250
	// maxURL is the longest GET URL sent; longer queries go as a POST with _method=GET (Marketo
	// answers 414 past 8 KB).
	maxURL = 7000
	// tokenRetries bounds the re-authentications of one call.
	tokenRetries = 4
)

// envelope is Marketo's response body.
type envelope struct {
	RequestID     string          `json:"requestId"`
	Success       bool            `json:"success"`
	Result        json.RawMessage `json:"result"`
	Errors        []envelopeError `json:"errors"`
	NextPageToken string          `json:"nextPageToken"`
	MoreResult    bool            `json:"moreResult"`
}

type envelopeError struct {
	Code    json.RawMessage `json:"code"` // a string in Marketo's docs; numbers are accepted too
	Message string          `json:"message"`
}

func (e envelopeError) code() string {
	var s string
	if json.Unmarshal(e.Code, &s) == nil {
		return s
	}
	return strings.Trim(string(e.Code), `"`)
}

// client talks to one subscription. Its methods are safe for concurrent use by the reads of
// several streams.
type client struct {
	base   string // no trailing slash
	id     yamlx.Secret
	secret yamlx.Secret
	retry  httpretry.Client // a template: each call copies it and sets Reauth
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	sem    chan struct{}

	quota    int
	fraction float64

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	gen       int

	usageMu    sync.Mutex
	sinceUsage int
	checked    bool
}

// classify reads a response: an envelope in a 2xx JSON body decides by its code; other bodies of
// a 2xx (bulk files) are accepted; 429 and 5xx are retried.
func classify(r httpretry.Response) httpretry.Decision {
	if r.Status >= 200 && r.Status < 300 {
		if !strings.Contains(r.Header.Get("Content-Type"), "json") {
			return httpretry.Decision{}
		}
		// The common answer, success true, in one pass without decoding (pages run to 300
		// activities); anything else through the envelope.
		if valid, ok := quickSuccess(r.Body); valid && ok {
			return httpretry.Decision{}
		}
		var env envelope
		if err := json.Unmarshal(r.Body, &env); err != nil {
			return httpretry.Decision{Retry: true, Err: errors.New("marketo: response body is not valid JSON (cut short?)")}
		}
		if env.Success || len(env.Errors) == 0 {
			return httpretry.Decision{}
		}
		return decide(env)
	}
	if r.Status == http.StatusUnauthorized {
		return httpretry.Decision{Reauth: true, Err: &httpretry.StatusError{Status: r.Status, Body: r.Body}}
	}
	if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: &httpretry.StatusError{Status: r.Status, Body: r.Body}}
	}
	return httpretry.Decision{Err: &httpretry.StatusError{Status: r.Status, Body: r.Body}}
}

// decide maps an envelope's first error code to an action (the vendor spec's §3.2 table).
func decide(env envelope) httpretry.Decision {
	e := env.Errors[0]
	ae := &APIError{Code: e.code(), Message: e.Message, RequestID: env.RequestID}
	switch ae.Code {
	case "600", "601", "602":
		return httpretry.Decision{Reauth: true, Err: ae}
	case "502", "604", "606", "608", "611", "615", "713":
		return httpretry.Decision{Retry: true, Err: ae}
	case "607":
		return httpretry.Decision{Err: &QuotaError{Code: ae.Code, Message: ae.Message}}
	}
	return httpretry.Decision{Err: ae}
}

// isTokenError reports whether err is a token refusal left after a re-authentication.
func isTokenError(err error) bool {
	var se *httpretry.StatusError
	if !errors.As(err, &se) {
		return false
	}
	var env envelope
	if json.Unmarshal(se.Body, &env) != nil || len(env.Errors) == 0 {
		return se.Status == http.StatusUnauthorized
	}
	c := env.Errors[0].code()
	return c == "600" || c == "601" || c == "602"
}

// call sends one request (REST or bulk) and returns the response. path is relative to the base
// URL; q is the query; body, when set, is a JSON body sent with POST. A GET whose URL would
// exceed maxURL goes as a POST with _method=GET and the query as a form body.
func (c *client) call(ctx context.Context, method, path string, q url.Values, body []byte) (httpretry.Response, error) {
	if err := c.guardQuota(ctx); err != nil {
		return httpretry.Response{}, err
	}
	resp, err := c.send(ctx, method, path, q, body, nil)
	if err != nil {
		return resp, c.finish(path, err)
	}
	return resp, nil
}

// send runs the retry loop of one request; header adds request headers.
func (c *client) send(ctx context.Context, method, path string, q url.Values, body []byte, header http.Header) (httpretry.Response, error) {
	return c.sendClassified(ctx, method, path, q, body, header, nil)
}

// sendClassified is send with another classification of the responses (nil: classify).
func (c *client) sendClassified(ctx context.Context, method, path string, q url.Values, body []byte, header http.Header,
	cls func(httpretry.Response) httpretry.Decision) (httpretry.Response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return httpretry.Response{}, ctx.Err()
	}
	defer func() { <-c.sem }()
	target := c.base + path
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	if len(q) > 0 {
		enc := q.Encode()
		if method == http.MethodGet && len(target)+1+len(enc) > maxURL {
			method, target, body, contentType = http.MethodPost, target+"?_method=GET", []byte(enc), "application/x-www-form-urlencoded"
		} else {
			target += "?" + enc
		}
	}
	gen := 0
	rc := c.retry
	if cls != nil {
		rc.Classify = cls
	}
	rc.Reauth = func(ctx context.Context) error { return c.relogin(ctx, gen) }
	var resp httpretry.Response
	var err error
	for try := 0; try < tokenRetries; try++ {
		resp, err = rc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
			tok, g, err := c.ensureToken(ctx)
			if err != nil {
				return nil, err
			}
			gen = g
			var rd io.Reader
			if body != nil {
				rd = bytes.NewReader(body)
			}
			req, err := http.NewRequestWithContext(ctx, method, target, rd)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("User-Agent", "revops-marketo/1")
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			for k, vs := range header {
				req.Header[k] = vs
			}
			return req, nil
		})
		if err == nil || !isTokenError(err) {
			break
		}
		// The token was refused again after a refresh (it expired once more meanwhile): refresh
		// and send again, a bounded number of times.
		if rerr := c.relogin(ctx, gen); rerr != nil {
			return resp, rerr
		}
	}
	return resp, err
}

// finish names the request path in an error and fills in the quota's reset time.
func (c *client) finish(path string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Path == "" {
		ae.Path = path
	}
	var qe *QuotaError
	if errors.As(err, &qe) && qe.ResetAt.IsZero() {
		qe.ResetAt = nextCentralMidnight(c.now())
		qe.Limit = c.quota
	}
	return err
}

// getEnvelope sends a GET (or a POST with a JSON body) and decodes the envelope.
func (c *client) getEnvelope(ctx context.Context, method, path string, q url.Values, body []byte) (*envelope, error) {
	resp, err := c.call(ctx, method, path, q, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return nil, fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	if !env.Success {
		return nil, fmt.Errorf("%s %s: the response has success false and no error", method, path)
	}
	return &env, nil
}

// activityPage GETs a page of activities (activities.json, deletedleads.json). Its answers are
// classified by decoding them, once: a page that is not JSON is retried as classify retries it,
// one without success true is classified by classify.
func (c *client) activityPage(ctx context.Context, path string, q url.Values) (*activityPage, error) {
	if err := c.guardQuota(ctx); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	var page *activityPage
	var decodeErr error
	cls := func(r httpretry.Response) httpretry.Decision {
		page, decodeErr = nil, nil
		if r.Status < 200 || r.Status >= 300 || !strings.Contains(r.Header.Get("Content-Type"), "json") {
			return classify(r)
		}
		p, err := decodeActivityPage(r.Body)
		switch {
		case errors.Is(err, errInvalidJSON):
			return httpretry.Decision{Retry: true, Err: errors.New("marketo: response body is not valid JSON (cut short?)")}
		case err != nil:
			decodeErr = err // valid JSON but not activities: not worth a retry
			return httpretry.Decision{}
		case !p.success:
			return classify(r)
		}
		page = p
		return httpretry.Decision{}
	}
	if _, err := c.sendClassified(ctx, http.MethodGet, path, q, nil, nil, cls); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, c.finish(path, err))
	}
	switch {
	case decodeErr != nil:
		return nil, fmt.Errorf("GET %s: decode response: %w", path, decodeErr)
	case page == nil:
		return nil, fmt.Errorf("GET %s: the response has success false and no error", path)
	}
	return page, nil
}

// get is getEnvelope for a GET.
func (c *client) get(ctx context.Context, path string, q url.Values) (*envelope, error) {
	return c.getEnvelope(ctx, http.MethodGet, path, q, nil)
}

// guardQuota reads stats/usage.json at the first call and then every usageEvery calls, and
// stops with a *QuotaError once the day's usage reaches fraction × quota.
func (c *client) guardQuota(ctx context.Context) error {
	if c.fraction <= 0 {
		return nil
	}
	c.usageMu.Lock()
	defer c.usageMu.Unlock()
	c.sinceUsage++
	if c.checked && c.sinceUsage < usageEvery {
		return nil
	}
	resp, err := c.send(ctx, http.MethodGet, "/rest/v1/stats/usage.json", nil, nil, nil)
	if err != nil {
		return fmt.Errorf("GET /rest/v1/stats/usage.json: %w", c.finish("/rest/v1/stats/usage.json", err))
	}
	var env struct {
		Result []struct {
			Total int `json:"total"`
		} `json:"result"`
	}
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return fmt.Errorf("GET /rest/v1/stats/usage.json: decode: %w", err)
	}
	c.checked, c.sinceUsage = true, 0
	used := 0
	for _, r := range env.Result {
		used += r.Total
	}
	if float64(used) >= c.fraction*float64(c.quota) {
		return &QuotaError{Used: used, Limit: c.quota, Fraction: c.fraction, ResetAt: nextCentralMidnight(c.now())}
	}
	return nil
}

// ensureToken returns a token valid for a while, logging in when there is none or it is about
// to expire, and the token's generation.
func (c *client) ensureToken(ctx context.Context) (string, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" || !c.now().Before(c.refreshAt) {
		if err := c.loginLocked(ctx); err != nil {
			return "", 0, err
		}
	}
	return c.token, c.gen, nil
}

// relogin gets a token after gen's was refused, unless another call already replaced it.
func (c *client) relogin(ctx context.Context, gen int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen && c.token != "" {
		return nil
	}
	c.token = ""
	return c.loginLocked(ctx)
}

// loginLocked calls the identity endpoint. The query carries the client secret, so errors name
// the path only, never the URL.
func (c *client) loginLocked(ctx context.Context) error {
	endpoint := c.base + "/identity/oauth/token"
	q := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.id.Reveal()}, "client_secret": {c.secret.Reveal()}}
	hc := c.retry.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	attempts := max(c.retry.MaxAttempts, 1)
	var last error
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			if err := c.sleep(ctx, c.retry.Backoff(attempt-1)); err != nil {
				return err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
		if err != nil {
			return fmt.Errorf("marketo identity: %w", err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			last = fmt.Errorf("GET /identity/oauth/token: %w", err)
			continue
		}
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			last = fmt.Errorf("GET /identity/oauth/token: read body: %w", rerr)
			continue
		}
		tok, ttl, retry, err := identityAnswer(resp.StatusCode, resp.Header, body)
		if err == nil {
			now := c.now()
			c.token, c.gen = tok, c.gen+1
			c.refreshAt = now.Add(ttl - refreshMargin)
			if ttl <= refreshMargin {
				// The same token with little life left: use it until it expires (or is refused).
				c.refreshAt = now.Add(ttl)
			}
			return nil
		}
		if !retry {
			return err
		}
		last = err
	}
	return fmt.Errorf("marketo identity: %w after %d attempts: %w", httpretry.ErrExhausted, attempts, last)
}

// identityAnswer reads the identity endpoint's response: the token and its remaining life, or an
// error and whether to retry.
func identityAnswer(status int, h http.Header, body []byte) (string, time.Duration, bool, error) {
	var tr struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.Number     `json:"expires_in"`
		Error       string          `json:"error"`
		Description string          `json:"error_description"`
		Errors      []envelopeError `json:"errors"`
		RequestID   string          `json:"requestId"`
	}
	jsonErr := json.Unmarshal(body, &tr)
	switch {
	case status >= 200 && status < 300 && jsonErr != nil:
		return "", 0, true, errors.New("marketo identity: response body is not valid JSON (cut short?)")
	case status >= 200 && status < 300 && len(tr.Errors) > 0:
		d := decide(envelope{RequestID: tr.RequestID, Errors: tr.Errors})
		err := d.Err
		if ae, ok := err.(*APIError); ok {
			ae.Path = "/identity/oauth/token"
		}
		return "", 0, d.Retry, err
	case status >= 200 && status < 300:
		secs, err := strconv.ParseFloat(string(tr.ExpiresIn), 64)
		if tr.AccessToken == "" || err != nil {
			return "", 0, false, errors.New("marketo identity: the response lacks access_token or expires_in")
		}
		return tr.AccessToken, time.Duration(secs * float64(time.Second)), false, nil
	case status == http.StatusTooManyRequests || status >= 500:
		return "", 0, true, fmt.Errorf("marketo identity: HTTP %d", status)
	case jsonErr == nil && tr.Error != "":
		return "", 0, false, &AuthError{Status: status, Code: tr.Error, Description: tr.Description}
	}
	return "", 0, false, &httpretry.StatusError{Status: status, Body: body}
}
