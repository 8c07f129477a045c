package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/jsonpage"
)

// retryClient returns an httpretry.Client with the source's retry policy and classify.
func (src *Source) retryClient(classify func(httpretry.Response) httpretry.Decision) *httpretry.Client {
	return &httpretry.Client{
		HTTP:        src.httpc,
		Classify:    classify,
		MaxAttempts: src.set.maxAttempts,
		BaseDelay:   src.opts.BaseDelay,
		MaxDelay:    src.opts.MaxDelay,
		Sleep:       src.opts.Sleep,
		Limiter:     src.limiter,
		Retried: func(attempt int, reason string, delay time.Duration) {
			src.log.Warn("salesforce request retried", "attempt", attempt, "reason", reason, "delay", delay)
		},
	}
}

// newLimiter spaces requests to rps per second (nil when rps is 0).
func newLimiter(rps float64) *httpretry.Limiter {
	if rps <= 0 {
		return nil
	}
	n := max(1, int(math.Round(rps)))
	return httpretry.NewLimiter(n, time.Duration(float64(n)/rps*float64(time.Second)))
}

// classify decides what an API response means:
//   - 2xx: success, unless a JSON body does not parse (cut short): retried;
//   - 401 (INVALID_SESSION_ID): log in again once and resend;
//   - 403 REQUEST_LIMIT_EXCEEDED "TotalRequests": a *LimitError, final; the same code with
//     another message (ConcurrentPerOrgLongTxn: too many long requests at once) is retried;
//   - 406, 420, 429, 5xx (edge proxies may send HTML or nothing): retried, honouring Retry-After;
//   - anything else: an *APIError, final (QUERY_TIMEOUT and INVALID_QUERY_LOCATOR are handled
//     by the reader).
func (src *Source) classify(r httpretry.Response) httpretry.Decision {
	src.noteUsage(r.Header)
	switch {
	case r.Status >= 200 && r.Status < 300:
		if isJSON(r.Header) && len(r.Body) > 0 && !jsonpage.Valid(r.Body) {
			return httpretry.Decision{Retry: true, Err: fmt.Errorf("HTTP %d: incomplete JSON body (%d bytes)", r.Status, len(r.Body))}
		}
		return httpretry.Decision{}
	case r.Status == http.StatusUnauthorized:
		return httpretry.Decision{Reauth: true}
	case r.Status == http.StatusNotAcceptable || r.Status == 420 || r.Status == http.StatusTooManyRequests || r.Status >= 500:
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header)}
	}
	e := parseAPIError(r.Status, r.Body)
	if r.Status == http.StatusForbidden && e.Code == "REQUEST_LIMIT_EXCEEDED" {
		if strings.Contains(e.Message, "TotalRequests") {
			used, max := src.usage()
			return httpretry.Decision{Err: &LimitError{Used: used, Max: max, Message: e.Message}}
		}
		return httpretry.Decision{Retry: true, After: httpretry.RetryAfter(r.Header), Err: e}
	}
	return httpretry.Decision{Err: e}
}

func isJSON(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "application/json"
}

// noteUsage records Sforce-Limit-Info: api-usage=USED/MAX[; api-bursts=…].
func (src *Source) noteUsage(h http.Header) {
	for _, part := range strings.Split(h.Get("Sforce-Limit-Info"), ";") {
		v, ok := strings.CutPrefix(strings.TrimSpace(part), "api-usage=")
		if !ok {
			continue
		}
		u, m, ok := strings.Cut(v, "/")
		used, err1 := strconv.Atoi(u)
		limit, err2 := strconv.Atoi(m)
		if ok && err1 == nil && err2 == nil {
			src.usageMu.Lock()
			src.used, src.max = used, limit
			src.usageMu.Unlock()
		}
	}
}

func (src *Source) usage() (used, max int) {
	src.usageMu.Lock()
	defer src.usageMu.Unlock()
	return src.used, src.max
}

// checkReserve refuses to send when fewer than api_reserve daily requests remain.
func (src *Source) checkReserve() error {
	if src.set.apiReserve <= 0 {
		return nil
	}
	used, max := src.usage()
	if max > 0 && max-used < src.set.apiReserve {
		return &LimitError{Used: used, Max: max, Reserve: src.set.apiReserve}
	}
	return nil
}

// api sends authenticated requests to the instance URL for one read.
type api struct {
	src *Source
	hc  *httpretry.Client
	gen int // the session generation the last request used
}

func (src *Source) newAPI() *api {
	a := &api{src: src}
	a.hc = src.retryClient(src.classify)
	a.hc.Reauth = func(ctx context.Context) error {
		src.log.Info("salesforce session expired: logging in again")
		return src.relogin(ctx, a.gen)
	}
	return a
}

// request is one API call: target is a path on the instance ("/services/data/…", as
// nextRecordsUrl gives it) or an absolute URL, used verbatim.
type request struct {
	method string
	target string
	body   []byte
	header map[string]string
}

// do sends r with retries. A fresh token that is rejected at once (it expired again before the
// request was resent) is renewed again, up to five times in all.
func (a *api) do(ctx context.Context, r request) (httpretry.Response, error) {
	if err := a.src.ensureSession(ctx); err != nil {
		return httpretry.Response{}, err
	}
	for try := 1; ; try++ {
		resp, err := a.send(ctx, r)
		var se *httpretry.StatusError
		if try < 5 && errors.As(err, &se) && se.Status == http.StatusUnauthorized {
			a.src.log.Warn("salesforce session rejected right after login: logging in again", "try", try)
			continue
		}
		return resp, err
	}
}

func (a *api) send(ctx context.Context, r request) (httpretry.Response, error) {
	return a.hc.Do(ctx, func(ctx context.Context) (*http.Request, error) {
		if err := a.src.checkReserve(); err != nil {
			return nil, err
		}
		token, instance, gen := a.src.sess.current()
		a.gen = gen
		u := r.target
		if strings.HasPrefix(u, "/") {
			u = instance + u
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if r.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		return req, nil
	})
}

// getJSON GETs target and decodes its JSON body into v.
func (a *api) getJSON(ctx context.Context, target string, header map[string]string, v any) error {
	resp, err := a.do(ctx, request{method: http.MethodGet, target: target, header: header})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// dataPath is a path under the configured API version.
func (src *Source) dataPath(rest string) string {
	return "/services/data/" + src.set.version + rest
}
