package hubspot

import (
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract"
)

const secret = "pat-na1-11111111-2222-3333-4444-555555555555"

func TestNewRejectsInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  m
		want []string
	}{
		{"no token", m{}, []string{`missing required key "token"`}},
		{"empty token", m{"token": ""}, []string{"token is empty"}},
		{"token with newline", m{"token": "abc\ndef"}, []string{"token contains whitespace"}},
		{"unset variable", m{"token": "${NOPE}"}, []string{"environment variable NOPE is not set"}},
		{"unknown key", m{"token": secret, "tokn": "x"}, []string{`unknown key "tokn"`}},
		{"http to a remote host", m{"token": secret, "base_url": "http://api.hubapi.com"}, []string{"base_url", "use https"}},
		{"relative base_url", m{"token": secret, "base_url": "api.hubapi.com"}, []string{"base_url", "absolute"}},
		{"base_url with query", m{"token": secret, "base_url": "https://x.io/?a=1"}, []string{"base_url", "query"}},
		{"unknown object", m{"token": secret, "objects": []any{"deals", "tickets"}}, []string{`objects: "tickets"`, "valid:"}},
		{"object twice", m{"token": secret, "objects": []any{"deals", "deals"}}, []string{"objects lists deals twice"}},
		{"engagement types without the stream", m{"token": secret, "objects": []any{"deals"}, "engagement_types": []any{"calls"}},
			[]string{"engagement_types is set, but objects does not include engagements"}},
		{"bad engagement type", m{"token": secret, "engagement_types": []any{"sms"}}, []string{`engagement_types: "sms"`}},
		{"properties of an unknown object", m{"token": secret, "properties": m{"tickets": []any{"x"}}}, []string{`properties: "tickets"`}},
		{"bad property name", m{"token": secret, "properties": m{"deals": []any{"Deal Name"}}}, []string{`properties.deals: "Deal Name"`}},
		{"page_size", m{"token": secret, "page_size": 500}, []string{"page_size 500 is out of range"}},
		{"negative lookback", m{"token": secret, "lookback": "-1m"}, []string{"lookback -1m0s is out of range"}},
		{"index_lag", m{"token": secret, "index_lag": "48h"}, []string{"index_lag 48h0m0s is out of range"}},
		{"requests_per_second", m{"token": secret, "requests_per_second": 50}, []string{"requests_per_second 50 is out of range"}},
		{"negative requests_per_second", m{"token": secret, "requests_per_second": -2}, []string{"requests_per_second -2 is out of range", "or 0 for no client-side pacing"}},
		{"search_requests_per_second", m{"token": secret, "search_requests_per_second": 5}, []string{"search_requests_per_second 5 is out of range"}},
		{"timeout", m{"token": secret, "timeout": "10ms"}, []string{"timeout 10ms is too short"}},
		{"lookback not a duration", m{"token": secret, "lookback": "5 minutes"}, []string{"lookback", "expected a duration"}},
		{"all errors at once", m{"token": secret, "page_size": 0, "requests_per_second": -1, "objects": []any{"x"}},
			[]string{"requests_per_second -1", `objects: "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(extract.Config{Name: "crm", Decode: decodeFrom(tt.cfg, nil)})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error reveals the token: %q", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	src, err := New(extract.Config{Name: "crm", Decode: decodeFrom(m{"token": "${T}", "lookback": "0s"}, map[string]string{"T": secret})})
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*source)
	c := s.cfg
	if c.base.String() != "https://api.hubapi.com" || c.pageSize != 200 || c.lookback != 0 || c.indexLag != time.Minute ||
		c.rps != 9 || c.searchRPS != 4 || len(c.engagementTypes) != 3 || c.token.Reveal() != secret {
		t.Errorf("defaults: %+v", c)
	}
	var names []string
	for _, st := range src.Streams() {
		names = append(names, st.Name)
		if st.Schema == nil || len(st.PrimaryKey) == 0 {
			t.Errorf("stream %s: schema %v key %v", st.Name, st.Schema, st.PrimaryKey)
		}
		for _, k := range st.PrimaryKey {
			if idx := st.Schema.FieldIndices(k); len(idx) != 1 || st.Schema.Field(idx[0]).Nullable {
				t.Errorf("stream %s: key column %s is missing or nullable", st.Name, k)
			}
		}
		if st.CursorField != "" && len(st.Schema.FieldIndices(st.CursorField)) != 1 {
			t.Errorf("stream %s: cursor field %s is not a column", st.Name, st.CursorField)
		}
	}
	if strings.Join(names, ",") != "companies,contacts,deals,owners,deal_pipeline_stages,deal_stage_history,deal_property_history,engagements" {
		t.Errorf("streams %v", names)
	}
	for _, text := range []string{strings.Join([]string{c.token.String()}, ""), func() string { b, _ := c.token.MarshalJSON(); return string(b) }()} {
		if strings.Contains(text, secret) {
			t.Errorf("the token prints: %s", text)
		}
	}
}
