package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrRequestLimit matches (errors.Is) a *LimitError: the org's rolling 24-hour API request
// limit is spent (403 REQUEST_LIMIT_EXCEEDED "TotalRequests"), or fewer requests remain than
// api_reserve. The run stops cleanly: every batch emitted before carries a cursor that covers
// it, so the next run resumes from there. Do not retry before the limit's window has moved.
var ErrRequestLimit = errors.New("salesforce daily API request limit reached")

// ErrResync matches (errors.Is) a *ResyncError: deletions may have been missed because the
// org's delete log no longer reaches back to the previous run. Run a full refresh of the stream.
var ErrResync = errors.New("salesforce deletions may have been missed: run a full refresh of the stream")

// LimitError reports a spent daily API request limit (or the configured reserve reached).
type LimitError struct {
	// Used and Max are from the last Sforce-Limit-Info header seen (0 when none was).
	Used, Max int
	// Reserve is api_reserve when the reserve, not Salesforce, stopped the run.
	Reserve int
	// Message is Salesforce's message, when Salesforce refused the request.
	Message string
}

func (e *LimitError) Error() string {
	if e.Reserve > 0 {
		return fmt.Sprintf("salesforce API usage %d/%d leaves fewer than api_reserve=%d requests: stopping cleanly", e.Used, e.Max, e.Reserve)
	}
	msg := e.Message
	if msg == "" {
		msg = "TotalRequests Limit exceeded."
	}
	if e.Max > 0 {
		return fmt.Sprintf("salesforce REQUEST_LIMIT_EXCEEDED (api-usage %d/%d): %s", e.Used, e.Max, msg)
	}
	return "salesforce REQUEST_LIMIT_EXCEEDED: " + msg
}

// Is makes errors.Is(err, ErrRequestLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrRequestLimit }

// ResyncError reports that getDeleted no longer covers the time since the previous run.
type ResyncError struct {
	Object string
	// Since is where the previous run's delete reconciliation ended; EarliestAvailable is
	// where the org's delete log now begins.
	Since, EarliestAvailable time.Time
}

func (e *ResyncError) Error() string {
	return fmt.Sprintf("salesforce %s: the delete log begins at %s, after the previous run's %s, so deletions may have been missed: run a full refresh of the stream",
		e.Object, e.EarliestAvailable.Format(time.RFC3339), e.Since.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrResync) true.
func (e *ResyncError) Is(target error) bool { return target == ErrResync }

// APIError is an error response of the REST or Bulk API, from its JSON envelope
// ([{"message": ..., "errorCode": ...}]).
type APIError struct {
	Status  int
	Code    string // errorCode, e.g. MALFORMED_QUERY, INVALID_FIELD, QUERY_TIMEOUT
	Message string
}

func (e *APIError) Error() string {
	msg := strings.TrimSpace(e.Message)
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	if e.Code == "" {
		return fmt.Sprintf("salesforce API: HTTP %d: %s", e.Status, msg)
	}
	return fmt.Sprintf("salesforce API: HTTP %d %s: %s", e.Status, e.Code, msg)
}

// AuthError is a refusal of the OAuth token endpoint. It carries Salesforce's error and
// error_description, never the credentials sent.
type AuthError struct {
	Grant       string
	Status      int
	Code        string // e.g. invalid_grant, invalid_client_id
	Description string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("salesforce login (grant %s) refused: HTTP %d %s: %s", e.Grant, e.Status, e.Code, e.Description)
}

// isCode reports whether err is an APIError with the given errorCode.
func isCode(err error, codes ...string) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.Code == c {
			return true
		}
	}
	return false
}

// parseAPIError reads Salesforce's error envelope; a body that is not one (an edge proxy's
// HTML, an empty body) gives an APIError with the body's beginning as message.
func parseAPIError(status int, body []byte) *APIError {
	var list []struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	if json.Unmarshal(body, &list) == nil && len(list) > 0 {
		return &APIError{Status: status, Code: list[0].ErrorCode, Message: list[0].Message}
	}
	var one struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	if json.Unmarshal(body, &one) == nil && one.ErrorCode != "" {
		return &APIError{Status: status, Code: one.ErrorCode, Message: one.Message}
	}
	msg := string(body)
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return &APIError{Status: status, Message: msg}
}
