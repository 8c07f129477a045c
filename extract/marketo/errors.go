package marketo

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the daily quota resets at midnight US Central, whatever the host's zone database
)

// ErrDailyQuota matches (errors.Is) a *QuotaError: the subscription's daily API quota is spent
// (607), or the usage reached daily_quota_stop_fraction of daily_quota. The read stops cleanly:
// every batch emitted before carries a cursor that covers it, so the next run resumes from there.
// The quota resets at midnight US Central time.
var ErrDailyQuota = errors.New("marketo daily API quota exhausted")

// ErrExportQuota matches (errors.Is) a *BulkError with code 1029 and "quota" in its message:
// the subscription's daily bulk export allowance (500 MB of files) is spent until midnight US
// Central time. With use_bulk: auto the leads stream falls back to the REST API instead.
var ErrExportQuota = errors.New("marketo daily bulk export quota exhausted")

// ErrAccessDenied matches (errors.Is) an *APIError with code 603: the API user's role lacks a
// permission, or the IP allowlist refuses this host. It is a configuration problem.
var ErrAccessDenied = errors.New("marketo denied access (603): give the API user's role the read permissions it needs, or allow this host's IP")

// QuotaError reports a spent daily API quota.
type QuotaError struct {
	// Code is "607" when Marketo refused a call; "" when the source stopped itself because the
	// usage reached the configured share of the quota.
	Code string
	// Used and Limit are today's calls (stats/usage.json) and daily_quota, when known.
	Used, Limit int
	// Fraction is daily_quota_stop_fraction when the source stopped itself.
	Fraction float64
	// ResetAt is the next midnight, US Central time.
	ResetAt time.Time
	Message string
}

func (e *QuotaError) Error() string {
	reset := e.ResetAt.Format("2006-01-02 15:04 MST")
	if e.Code == "" {
		return fmt.Sprintf("marketo API usage %d/%d reached daily_quota_stop_fraction %.2f: stopping cleanly; the quota resets at midnight US Central (%s)",
			e.Used, e.Limit, e.Fraction, reset)
	}
	return fmt.Sprintf("marketo daily API quota exhausted (%s %s): stopping cleanly; the quota resets at midnight US Central (%s)",
		e.Code, e.Message, reset)
}

// Is makes errors.Is(err, ErrDailyQuota) true.
func (e *QuotaError) Is(target error) bool { return target == ErrDailyQuota }

// nextCentralMidnight returns the first midnight US Central time after t.
func nextCentralMidnight(t time.Time) time.Time {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		loc = time.FixedZone("CST", -6*3600)
	}
	c := t.In(loc)
	return time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, loc)
}

// APIError is an error of Marketo's envelope ({"success":false,"errors":[…]}).
type APIError struct {
	Code      string
	Message   string
	RequestID string
	// Path is the request path (never its query, which may carry credentials).
	Path string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("marketo %s: error %s: %s", e.Path, e.Code, e.Message)
	if e.RequestID != "" {
		s += " [request " + e.RequestID + "]"
	}
	return s
}

// Is makes errors.Is(err, ErrAccessDenied) true for code 603.
func (e *APIError) Is(target error) bool { return target == ErrAccessDenied && e.Code == "603" }

// BulkError is a bulk export failure: an APIError of the bulk API, or a job that ended Failed.
type BulkError struct {
	ExportID string
	Status   string // the job's status, when it ended
	Code     string // the envelope's code (1029, 1035, …), when Marketo refused a call
	Message  string
}

func (e *BulkError) Error() string {
	var b strings.Builder
	b.WriteString("marketo bulk export")
	if e.ExportID != "" {
		b.WriteString(" " + e.ExportID)
	}
	if e.Status != "" {
		b.WriteString(" ended " + e.Status)
	}
	if e.Code != "" {
		b.WriteString(": error " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrExportQuota) true for the daily export quota.
func (e *BulkError) Is(target error) bool {
	return target == ErrExportQuota && e.Code == "1029" && strings.Contains(strings.ToLower(e.Message), "quota")
}

// AuthError is a refusal of the identity endpoint (bad client id or secret).
type AuthError struct {
	Status      int
	Code        string
	Description string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("marketo identity: HTTP %d %s: %s (check client_id and client_secret of the API user's LaunchPoint service)",
		e.Status, e.Code, e.Description)
}

// codeOf returns the Marketo code of an *APIError in err's chain, or "".
func codeOf(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}
