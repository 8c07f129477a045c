package fakeapi

// admin.go: plumbing for a fake's own admin endpoints (those it registers with HandleAdmin).

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// DecodeStrict decodes the JSON body of r into v, rejecting fields v does not declare. Only
// the first JSON value is read; anything after it is ignored.
func DecodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// AdminBody returns a handler for a fake's own admin endpoint that takes a JSON body of type T.
// The handler decodes the body with DecodeStrict into a zero T and passes it to do. It answers:
//
//   - 400 with the error's text (http.Error: text/plain, the message and a newline, no prefix)
//     when the body does not decode or do returns an error;
//   - 204 with no body when do returns a nil result (an untyped nil: a typed nil pointer is a
//     result and is written as JSON null);
//   - 200 with the result as JSON (WriteJSON) otherwise.
//
// Unlike fakeapi's own endpoints, errors carry no "admin body: " prefix. Decode errors may name
// T's Go type (encoding/json's wording), so a handler keeping an anonymous body struct's messages
// declares T as an alias (type b = struct{...}), not a defined type.
func AdminBody[T any](do func(T) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body T
		if err := DecodeStrict(r, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := do(body)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case res == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			WriteJSON(w, http.StatusOK, res)
		}
	}
}

// AdminGet returns a handler that answers 200 with get()'s result as JSON (WriteJSON); it reads
// no body.
func AdminGet[T any](get func() T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, http.StatusOK, get()) }
}

// CheckScriptedStatus is the check on a scripted (one-shot) error response's status: nil for a
// 4xx or 5xx, otherwise an error naming status.
func CheckScriptedStatus(status int) error {
	if status < 400 || status > 599 {
		return fmt.Errorf("status %d: want a 4xx or 5xx", status)
	}
	return nil
}
