package fakeapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type adminBody struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestAdminBody(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		do          func(adminBody) (any, error)
		wantStatus  int
		wantType    string
		wantBody    string
		wantCalled  bool
		wantDecoded adminBody
	}{
		{
			name:        "nil result is 204",
			body:        `{"name":"a","count":2}`,
			do:          func(adminBody) (any, error) { return nil, nil },
			wantStatus:  http.StatusNoContent,
			wantCalled:  true,
			wantDecoded: adminBody{Name: "a", Count: 2},
		},
		{
			name:        "result is 200 JSON",
			body:        `{"name":"b"}`,
			do:          func(b adminBody) (any, error) { return b, nil },
			wantStatus:  http.StatusOK,
			wantType:    "application/json;charset=UTF-8",
			wantBody:    `{"name":"b","count":0}` + "\n",
			wantCalled:  true,
			wantDecoded: adminBody{Name: "b"},
		},
		{
			name:       "typed nil pointer is a result",
			body:       `{}`,
			do:         func(adminBody) (any, error) { return (*adminBody)(nil), nil },
			wantStatus: http.StatusOK,
			wantType:   "application/json;charset=UTF-8",
			wantBody:   "null\n",
			wantCalled: true,
		},
		{
			name:        "error from do is 400 text",
			body:        `{"name":"c"}`,
			do:          func(adminBody) (any, error) { return "ignored", errors.New("no such thing") },
			wantStatus:  http.StatusBadRequest,
			wantType:    "text/plain; charset=utf-8",
			wantBody:    "no such thing\n",
			wantCalled:  true,
			wantDecoded: adminBody{Name: "c"},
		},
		{
			name:       "unknown field is 400 without calling do",
			body:       `{"name":"d","extra":1}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "text/plain; charset=utf-8",
			wantBody:   "json: unknown field \"extra\"\n",
		},
		{
			name:       "malformed body is 400",
			body:       `{"name":`,
			wantStatus: http.StatusBadRequest,
			wantType:   "text/plain; charset=utf-8",
			wantBody:   "unexpected EOF\n",
		},
		{
			name:       "empty body is 400",
			body:       ``,
			wantStatus: http.StatusBadRequest,
			wantType:   "text/plain; charset=utf-8",
			wantBody:   "EOF\n",
		},
		{
			name:       "wrong type is 400",
			body:       `{"count":"x"}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "text/plain; charset=utf-8",
			wantBody:   "json: cannot unmarshal string into Go struct field adminBody.count of type int\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			var got adminBody
			h := AdminBody(func(b adminBody) (any, error) {
				called, got = true, b
				if tc.do == nil {
					t.Fatal("do called on a bad body")
				}
				return tc.do(b)
			})
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest(http.MethodPost, "/__fake/x", strings.NewReader(tc.body)))
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.wantType)
			}
			if rec.Body.String() != tc.wantBody {
				t.Errorf("body = %q, want %q", rec.Body.String(), tc.wantBody)
			}
			if called != tc.wantCalled || got != tc.wantDecoded {
				t.Errorf("do called %v with %+v, want %v with %+v", called, got, tc.wantCalled, tc.wantDecoded)
			}
		})
	}
}

func TestAdminGet(t *testing.T) {
	tests := []struct {
		name string
		get  func() any
		want string
	}{
		{"struct", func() any { return adminBody{Name: "x", Count: 1} }, `{"name":"x","count":1}` + "\n"},
		{"nil", func() any { return nil }, "null\n"},
		{"slice", func() any { return []int{1, 2} }, "[1,2]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			AdminGet(tc.get)(rec, httptest.NewRequest(http.MethodGet, "/__fake/x", nil))
			if rec.Code != http.StatusOK || rec.Body.String() != tc.want {
				t.Errorf("got %d %q, want 200 %q", rec.Code, rec.Body.String(), tc.want)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    adminBody
		wantErr bool
	}{
		{"known fields", `{"name":"a","count":3}`, adminBody{Name: "a", Count: 3}, false},
		{"missing fields stay zero", `{}`, adminBody{}, false},
		{"trailing value ignored", `{"name":"a"} {"bogus":1}`, adminBody{Name: "a"}, false},
		{"unknown field", `{"bogus":1}`, adminBody{}, true},
		{"not JSON", `nope`, adminBody{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got adminBody
			err := DecodeStrict(httptest.NewRequest(http.MethodPut, "/", strings.NewReader(tc.body)), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckScriptedStatus(t *testing.T) {
	tests := []struct {
		status  int
		wantErr string
	}{
		{0, "status 0: want a 4xx or 5xx"},
		{200, "status 200: want a 4xx or 5xx"},
		{399, "status 399: want a 4xx or 5xx"},
		{400, ""},
		{429, ""},
		{599, ""},
		{600, "status 600: want a 4xx or 5xx"},
	}
	for _, tc := range tests {
		err := CheckScriptedStatus(tc.status)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.wantErr {
			t.Errorf("CheckScriptedStatus(%d) = %q, want %q", tc.status, got, tc.wantErr)
		}
	}
}

// The server's own endpoints keep their "admin body: " prefix on top of DecodeStrict.
func TestServerAdminDecodeError(t *testing.T) {
	s := NewServer(http.NotFoundHandler(), NewClock(time.Unix(0, 0)), nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/__fake/faults", strings.NewReader(`{"bogus":1}`)))
	if rec.Code != http.StatusBadRequest || rec.Body.String() != "admin body: json: unknown field \"bogus\"\n" {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
}
