// Package httpretry is the HTTP loop every vendor connector shares: it sends a request, reads
// the whole body (a truncated body is a retryable error, never a short page), asks the
// connector's Classify what the response means, and retries with exponential backoff and full
// jitter, honouring the server's delay when it names one (Retry-After, or a vendor header the
// connector reads). A Reauth decision calls the connector's Reauth once per attempt and resends.
// An optional Limiter spaces requests so that a run stays inside the vendor's rate limit.
package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Response is a complete response: the status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decision is what a connector's Classify makes of a response.
type Decision struct {
	// Retry resends the request after a backoff (or After, when set).
	Retry bool
	// After is the server's requested delay; 0 means the policy's backoff.
	After time.Duration
	// Reauth refreshes credentials (Client.Reauth) and resends at once.
	Reauth bool
	// Err, when set and neither Retry nor Reauth is, is returned as is: the request failed for
	// good (e.g. a daily quota is spent, the query is invalid).
	Err error
}

// Client sends requests with retries. Its fields are read-only after first use.
type Client struct {
	// HTTP sends requests; nil means a client with a 60 s timeout.
	HTTP *http.Client
	// Classify decides what a response means; nil treats 2xx as success, 429 and 5xx as
	// retryable (with Retry-After), everything else as an error.
	Classify func(Response) Decision
	// Reauth refreshes credentials after a Reauth decision; the request builder is called again
	// afterwards, so it should read the fresh token.
	Reauth func(ctx context.Context) error
	// MaxAttempts bounds the sends of one request (default 8).
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff (defaults 500 ms and 60 s).
	BaseDelay, MaxDelay time.Duration
	// Sleep waits d or until ctx ends (default: a timer); tests replace it to run fast.
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter, when set, is waited on before every send.
	Limiter *Limiter
	// Retried, when set, is called before each retry with the reason (for logs and metrics).
	Retried func(attempt int, reason string, delay time.Duration)
}

// ErrExhausted wraps the last failure when every attempt failed.
var ErrExhausted = errors.New("retries exhausted")

// StatusError is a response that Classify rejected without its own error, or that the default
// classification rejects: callers can read the status and body.
type StatusError struct {
	Status int
	Body   []byte
}

func (e *StatusError) Error() string {
	b := e.Body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, b)
}

// Do sends the request built by newReq until it succeeds, fails for good, or the attempts run
// out. newReq is called for every attempt (bodies are single-use; tokens may have changed).
func (c *Client) Do(ctx context.Context, newReq func(ctx context.Context) (*http.Request, error)) (Response, error) {
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = 8
	}
	var last error
	reauthed := false
	for attempt := 1; attempt <= attempts; attempt++ {
		if c.Limiter != nil {
			if err := c.Limiter.Wait(ctx); err != nil {
				return Response{}, err
			}
		}
		req, err := newReq(ctx)
		if err != nil {
			return Response{}, err
		}
		resp, err := c.send(req)
		if err != nil {
			if ctx.Err() != nil {
				return Response{}, ctx.Err()
			}
			last = err
			if err := c.wait(ctx, attempt, 0, err.Error()); err != nil {
				return Response{}, err
			}
			continue
		}
		d := c.classify(resp)
		switch {
		case d.Reauth && c.Reauth != nil && !reauthed:
			reauthed = true
			if c.Retried != nil {
				c.Retried(attempt, "reauthenticate", 0)
			}
			if err := c.Reauth(ctx); err != nil {
				return Response{}, fmt.Errorf("reauthenticate: %w", err)
			}
			continue
		case d.Retry:
			last = d.Err
			if last == nil {
				last = &StatusError{Status: resp.Status, Body: resp.Body}
			}
			if err := c.wait(ctx, attempt, d.After, last.Error()); err != nil {
				return Response{}, err
			}
			continue
		case d.Err != nil:
			return resp, d.Err
		case d.Reauth:
			return resp, fmt.Errorf("credentials rejected after reauthentication: %w", &StatusError{Status: resp.Status, Body: resp.Body})
		}
		return resp, nil
	}
	return Response{}, fmt.Errorf("%w after %d attempts: %w", ErrExhausted, attempts, last)
}

func (c *Client) send(req *http.Request) (Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("read response body of %s: %w", req.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

func (c *Client) classify(r Response) Decision {
	if c.Classify != nil {
		return c.Classify(r)
	}
	switch {
	case r.Status >= 200 && r.Status < 300:
		return Decision{}
	case r.Status == http.StatusTooManyRequests || r.Status >= 500:
		return Decision{Retry: true, After: RetryAfter(r.Header)}
	}
	return Decision{Err: &StatusError{Status: r.Status, Body: r.Body}}
}

// wait sleeps before attempt+1: the server's delay when given, else full-jitter backoff.
func (c *Client) wait(ctx context.Context, attempt int, after time.Duration, reason string) error {
	d := after
	if d <= 0 {
		d = c.Backoff(attempt)
	}
	if c.Retried != nil {
		c.Retried(attempt, reason, d)
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	return sleep(ctx, d)
}

// Backoff returns the delay after the given failed attempt: a random duration in
// [base·2^(attempt-1)/2, base·2^(attempt-1)], capped at MaxDelay.
func (c *Client) Backoff(attempt int) time.Duration {
	base, maxd := c.BaseDelay, c.MaxDelay
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if maxd <= 0 {
		maxd = 60 * time.Second
	}
	d := base << min(attempt-1, 20)
	if d > maxd || d <= 0 {
		d = maxd
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Sleep waits d, or returns ctx.Err() when ctx ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RetryAfter reads a Retry-After header in seconds (or an HTTP date); 0 when absent.
func RetryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// Limiter spaces requests: at most N per Per, as a token bucket of size N.
type Limiter struct {
	mu     sync.Mutex
	n      float64
	per    time.Duration
	tokens float64
	last   time.Time
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
}

// NewLimiter allows n requests per period, in bursts of at most n.
func NewLimiter(n int, per time.Duration) *Limiter {
	return &Limiter{n: float64(n), per: per, tokens: float64(n), now: time.Now, sleep: Sleep}
}

// Wait blocks until a request may be sent.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.now()
		if !l.last.IsZero() {
			l.tokens = min(l.n, l.tokens+now.Sub(l.last).Seconds()*l.n/l.per.Seconds())
		}
		l.last = now
		if l.tokens >= 1 {
			l.tokens--
			l.mu.Unlock()
			return nil
		}
		// Rounded up, and at least 1ns: a deficit of a sliver of a token must not truncate to a
		// zero wait, which on an injected clock would never refill the bucket.
		need := max(time.Duration(math.Ceil((1-l.tokens)*float64(l.per)/l.n)), time.Nanosecond)
		l.mu.Unlock()
		if err := l.sleep(ctx, need); err != nil {
			return err
		}
	}
}

// NewLimiterClock is NewLimiter on an injected clock: now reads the time and sleep waits (nil
// keeps the wall clock and a timer). Tests pass a fake clock's Now and a sleep that advances it,
// so that a throttled run takes no real time.
func NewLimiterClock(n int, per time.Duration, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) *Limiter {
	l := NewLimiter(n, per)
	if now != nil {
		l.now = now
	}
	if sleep != nil {
		l.sleep = sleep
	}
	return l
}
