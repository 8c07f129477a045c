package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/internal/httpretry"
)

func TestAppendCellConverts(t *testing.T) {
	ts := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	tests := []struct {
		kind kind
		in   *string
		want any
		err  string
	}{
		{kTimestamp, ptr("2025-01-15T10:22:03.333Z"), ts("2025-01-15T10:22:03.333Z"), ""},
		{kTimestamp, ptr("2025-01-15T12:22:03+02:00"), ts("2025-01-15T10:22:03Z"), ""},
		{kTimestamp, ptr("2025-03-31"), ts("2025-03-31T00:00:00Z"), ""},
		{kTimestamp, ptr("1736935323000"), time.UnixMilli(1736935323000).UTC(), ""},
		{kTimestamp, ptr(""), nil, ""},
		{kTimestamp, ptr("2025-01-15 10:22"), nil, "is not a datetime"},
		{kDecimal, ptr("1500.00"), "1500.00", ""},
		{kDecimal, ptr("1500.125"), "1500.13", ""},
		{kDecimal, ptr("-3"), "-3.00", ""},
		{kDecimal, ptr("1e20"), nil, "does not fit decimal(18,2)"},
		{kDecimal, ptr("1,500"), nil, "is not a number"},
		{kFloat, ptr("0.4"), 0.4, ""},
		{kFloat, ptr("abc"), nil, "is not a number"},
		{kBool, ptr("true"), true, ""},
		{kBool, ptr("FALSE"), false, ""},
		{kBool, ptr("yes"), nil, "is not true or false"},
		{kInt, ptr("9586504"), int64(9586504), ""},
		{kString, ptr(""), "", ""},
		{kString, nil, nil, ""},
		{kJSON, ptr(`{"a":"b"}`), `{"a":"b"}`, ""},
	}
	for _, tt := range tests {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		cols := []column{{name: "v", kind: tt.kind}}
		r := newRows(mem, schemaOf(cols, nil), cols)
		err := r.add([]*string{tt.in})
		label := "<nil>"
		if tt.in != nil {
			label = *tt.in
		}
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "column v") {
				t.Errorf("kind %d %q: error %v, want %q naming the column", tt.kind, label, err, tt.err)
			}
		case err != nil:
			t.Errorf("kind %d %q: %v", tt.kind, label, err)
		default:
			rec := r.finish()
			got := recordRows(rec)[0]["v"]
			if gt, ok := got.(time.Time); ok {
				if !gt.Equal(tt.want.(time.Time)) {
					t.Errorf("%q: %v, want %v", label, got, tt.want)
				}
			} else if got != tt.want {
				t.Errorf("kind %d %q: %v (%T), want %v", tt.kind, label, got, got, tt.want)
			}
			rec.Release()
		}
		r.release()
		mem.AssertSize(t, 0)
	}
}

// Property values arrive as strings; declared columns get their types, configured extra
// properties land in _extra as JSON, and a value that does not convert fails the read naming
// the record and column.
func TestPropertyTypesEndToEnd(t *testing.T) {
	e := newEnv(t, fake.Options{})
	ids := e.put("deals", fake.Record{UpdatedAt: t0.Add(-time.Hour), Properties: map[string]string{
		"amount": "1500.50", "closedate": "2026-04-30T00:00:00Z", "hs_is_closed": "true",
		"hs_deal_stage_probability": "0.4", "custom_score": "88", "dealstage": "closedwon"}})
	s := e.source(m{"objects": []any{"deals"}, "properties": m{"deals": []any{"custom_score", "not_a_property"}}})
	res := e.read(s, "deals", nil)
	if len(res.rows) != 1 {
		t.Fatalf("rows %v", res.rows)
	}
	r := res.rows[0]
	want := map[string]any{"id": ids[0], "amount": "1500.50", "closedate": time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC),
		"hs_is_closed": true, "hs_deal_stage_probability": 0.4, "dealstage": "closedwon", "archived": false,
		"_extra": `{"custom_score":"88"}`, "dealname": nil, "archived_at": nil, "created_at": t0.Add(-time.Hour)}
	for k, v := range want {
		if got := r[k]; got != v {
			if gt, ok := got.(time.Time); !ok || !gt.Equal(v.(time.Time)) {
				t.Errorf("%s = %v (%T), want %v", k, got, got, v)
			}
		}
	}

	must(t, e.fake.Update("deals", ids[0], map[string]string{"amount": "lots"}))
	e.clock.Advance(time.Hour)
	_, err := e.readErr(s, "deals", res.cursor, -1)
	if err == nil || !strings.Contains(err.Error(), "deals "+ids[0]) || !strings.Contains(err.Error(), `column amount: "lots" is not a number`) {
		t.Errorf("error %v", err)
	}
}

func TestAuthFailures(t *testing.T) {
	tests := []struct {
		name  string
		token func(e *env) string
		want  string
	}{
		{"wrong token", func(e *env) string { return secret }, "INVALID_AUTHENTICATION"},
		{"revoked token", func(e *env) string { e.fake.RevokeToken(fake.DefaultToken); return fake.DefaultToken }, "INVALID_AUTHENTICATION"},
		{"expired OAuth token", func(e *env) string {
			tok := e.fake.IssueOAuthToken(time.Minute)
			e.clock.Advance(2 * time.Minute)
			return tok
		}, "EXPIRED_AUTHENTICATION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			tok := tt.token(e)
			src, err := New(extract.Config{Name: "crm", Now: e.clock.Now,
				Decode: decodeFrom(m{"base_url": e.srv.URL, "token": "${T}"}, map[string]string{"T": tok})})
			if err != nil {
				t.Fatal(err)
			}
			err = src.Read(context.Background(), "deals", nil, func(context.Context, extract.Batch) error { return nil })
			if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrUnauthorized with %s", err, tt.want)
			}
			if strings.Contains(err.Error(), tok) {
				t.Errorf("the error reveals the token: %v", err)
			}
			if n := e.fake.Stats().Requests; n != 1 {
				t.Errorf("%d requests: a 401 must not be retried", n)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	ten := `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`
	tests := []struct {
		name  string
		resp  httpretry.Response
		retry bool
		after time.Duration
		isErr error
	}{
		{"ok", httpretry.Response{Status: 200, Body: []byte(`{"results":[]}`)}, false, 0, nil},
		{"multi-status", httpretry.Response{Status: 207, Body: []byte(`{"results":[]}`)}, false, 0, nil},
		{"truncated", httpretry.Response{Status: 200, Body: []byte(`{"results":[{"id"`)}, true, 0, nil},
		{"ten-secondly, Retry-After", httpretry.Response{Status: 429, Header: hdr("Retry-After", "2", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), Body: []byte(ten)}, true, 2 * time.Second, nil},
		{"ten-secondly, interval", httpretry.Response{Status: 429, Header: hdr("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), Body: []byte(ten)}, true, 10 * time.Second, nil},
		{"ten-secondly, no headers", httpretry.Response{Status: 429, Header: hdr(), Body: []byte(ten)}, true, 10 * time.Second, nil},
		{"secondly", httpretry.Response{Status: 429, Header: hdr("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), Body: []byte(`{"policyName":"SECONDLY","message":"You have reached your secondly limit."}`)}, true, time.Second, nil},
		{"unknown 429", httpretry.Response{Status: 429, Header: hdr(), Body: []byte(`<html>`)}, true, 0, nil},
		{"daily", httpretry.Response{Status: 429, Header: hdr(), Body: []byte(`{"policyName":"DAILY","message":"You have reached your daily limit."}`)}, false, 0, ErrDailyLimit},
		{"502", httpretry.Response{Status: 502, Header: hdr(), Body: []byte(`bad gateway`)}, true, 0, nil},
		{"530", httpretry.Response{Status: 530, Header: hdr(), Body: []byte(`error code: 1016`)}, false, 0, nil},
		{"401", httpretry.Response{Status: 401, Body: []byte(`{"category":"INVALID_AUTHENTICATION","message":"x"}`)}, false, 0, ErrUnauthorized},
		{"400", httpretry.Response{Status: 400, Body: []byte(`{"category":"VALIDATION_ERROR","message":"Property \"x\" does not exist"}`)}, false, 0, nil},
	}
	for _, tt := range tests {
		d := classify(tt.resp)
		if d.Retry != tt.retry || d.After != tt.after {
			t.Errorf("%s: retry %t after %s, want %t %s", tt.name, d.Retry, d.After, tt.retry, tt.after)
		}
		if !tt.retry && tt.resp.Status >= 300 && d.Err == nil {
			t.Errorf("%s: no error", tt.name)
		}
		if tt.isErr != nil && !errors.Is(d.Err, tt.isErr) {
			t.Errorf("%s: error %v, want %v", tt.name, d.Err, tt.isErr)
		}
	}
}

func TestOwnersAndPipelineStages(t *testing.T) {
	e := newEnv(t, fake.Options{})
	var owners []fake.Owner
	for i := 0; i < 130; i++ {
		owners = append(owners, fake.Owner{Email: "o@x.io", UserID: int64(i + 1), Teams: []fake.Team{{ID: "9", Name: "East"}, {ID: "10", Name: "West", Primary: true}}})
	}
	must(t, e.fake.PutOwners(owners...))
	must(t, e.fake.ArchiveOwner(e.fake.Owners()[5].ID))
	s := e.source(m{"objects": []any{"owners", "deal_pipeline_stages"}})
	res := e.read(s, "owners", nil)
	if len(res.rows) != 130 || res.finals != 1 || res.batches != 4 {
		t.Fatalf("owners: %d rows in %d batches", len(res.rows), res.batches)
	}
	archived := 0
	for _, r := range res.rows {
		if r["team_id"] != "10" || r["team_name"] != "West" || r["user_id"] == nil || r["created_at"] == nil {
			t.Errorf("owner %v", r)
			break
		}
		if !strings.Contains(r["_extra"].(string), `"teams"`) {
			t.Errorf("_extra %v", r["_extra"])
		}
		if r["archived"] == true {
			archived++
		}
	}
	if archived != 1 {
		t.Errorf("%d archived owners", archived)
	}

	res = e.read(s, "deal_pipeline_stages", nil)
	if len(res.rows) != 7 {
		t.Fatalf("stages %v", res.rows)
	}
	won := res.rows[5]
	if won["stage_id"] != "closedwon" || won["probability"] != 1.0 || won["is_closed"] != true ||
		won["pipeline_id"] != "default" || won["display_order"] != int64(5) || won["pipeline_label"] != "Sales Pipeline" {
		t.Errorf("closedwon row %v", won)
	}
	if !strings.Contains(won["_extra"].(string), "writePermissions") {
		t.Errorf("_extra %v", won["_extra"])
	}
}

// Read returns ctx.Err() promptly when ctx is cancelled, and emit's error unchanged.
func TestReadCancellationAndEmitErrors(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.contacts(300, func(i int) time.Time { return t0.Add(-time.Hour) })
	s := e.source(m{"objects": []any{"contacts"}})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.Read(ctx, "contacts", nil, func(_ context.Context, b extract.Batch) error {
		b.Records.Release()
		if n++; n == 1 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	boom := errors.New("boom")
	err = s.Read(context.Background(), "contacts", nil, func(_ context.Context, b extract.Batch) error {
		b.Records.Release()
		return boom
	})
	if err != boom {
		t.Errorf("emit error: %v", err)
	}
	if err := s.Read(context.Background(), "tickets", nil, nil); err == nil || !strings.Contains(err.Error(), `unknown stream "tickets"`) {
		t.Errorf("unknown stream: %v", err)
	}
	if err := s.Read(context.Background(), "contacts", extract.Cursor(`{"v":9}`), nil); err == nil || !strings.Contains(err.Error(), "full refresh") {
		t.Errorf("bad cursor: %v", err)
	}
}
