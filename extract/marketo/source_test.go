package marketo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/marketo/fake"
)

func TestConfigValidation(t *testing.T) {
	const secret = "supersecretvalue9876"
	base := "base_url: https://123-ABC-456.mktorest.com\nclient_id: cid\nclient_secret: " + secret + "\n"
	for _, tc := range []struct {
		name string
		yaml string
		want []string // substrings of the error; none: valid
	}{
		{"minimal", base, nil},
		{"everything", base + "streams: [leads, activities]\nactivity_type_ids: [1, 12]\nlead_fields: [email, leadStatus]\n" +
			"batch_size: 200\nrequests_per_20s: 50\nmax_concurrency: 3\ndaily_quota: 100000\ndaily_quota_stop_fraction: 0.5\n" +
			"start_date: 2024-01-01T00:00:00Z\nlookback: 2h\nuse_bulk: never\nmax_export_days: 7\ntimeout: 30s\nmax_attempts: 5\n" +
			"mql: {lead_status_field: Status, lead_status_values: [Qualified], program_statuses: [MQL], revenue_stages: [], score_field: Behavior Score, score_threshold: 90}\n", nil},
		{"a fake on loopback over http", strings.Replace(base, "https://123-ABC-456.mktorest.com", "http://127.0.0.1:8080", 1), nil},
		{"missing base_url", "client_id: a\nclient_secret: b\n", []string{"base_url"}},
		{"missing secret", "base_url: https://x.mktorest.com\nclient_id: a\n", []string{"client_secret"}},
		{"http off loopback", strings.Replace(base, "https://", "http://", 1), []string{"base_url", "loopback"}},
		{"base_url with /rest", strings.Replace(base, ".com\n", ".com/rest\n", 1), []string{"base_url", "without /rest"}},
		{"empty client_id", strings.Replace(base, "client_id: cid", "client_id: ''", 1), []string{"client_id is empty", "LaunchPoint"}},
		{"unknown stream", base + "streams: [leads, opportunities]\n", []string{`unknown stream "opportunities"`}},
		{"stream twice", base + "streams: [leads, leads]\n", []string{"listed twice"}},
		{"bad activity type id", base + "activity_type_ids: [0]\n", []string{"activity_type_ids"}},
		{"bad lead field", base + "lead_fields: [lead status]\n", []string{"lead_fields"}},
		{"batch_size", base + "batch_size: 301\n", []string{"batch_size 301"}},
		{"requests_per_20s", base + "requests_per_20s: 101\n", []string{"requests_per_20s"}},
		{"requests_per_20s negative", base + "requests_per_20s: -1\n", []string{"requests_per_20s", "0 for no client-side pacing"}},
		{"no client-side pacing", base + "requests_per_20s: 0\n", nil},
		{"max_concurrency", base + "max_concurrency: 11\n", []string{"max_concurrency"}},
		{"daily_quota", base + "daily_quota: 0\n", []string{"daily_quota 0"}},
		{"stop fraction", base + "daily_quota_stop_fraction: 1.5\n", []string{"daily_quota_stop_fraction"}},
		{"start_date", base + "start_date: last year\n", []string{"start_date"}},
		{"start_date in the future", base + "start_date: 2999-01-01\n", []string{"in the future"}},
		{"lookback", base + "lookback: -1h\n", []string{"lookback"}},
		{"use_bulk", base + "use_bulk: sometimes\n", []string{"use_bulk"}},
		{"max_export_days", base + "max_export_days: 32\n", []string{"max_export_days 32", "31 days"}},
		{"timeout", base + "timeout: 0s\n", []string{"timeout"}},
		{"max_attempts", base + "max_attempts: 0\n", []string{"max_attempts"}},
		{"score threshold", base + "mql: {score_threshold: -1}\n", []string{"mql.score_threshold"}},
		{"blank mql value", base + "mql: {revenue_stages: ['']}\n", []string{"mql.revenue_stages"}},
		{"unknown key", base + "bogus: 1\n", []string{"bogus"}},
		{"every problem at once", base + "batch_size: 0\nuse_bulk: x\nmax_export_days: 40\n", []string{"batch_size", "use_bulk", "max_export_days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(extract.Config{Name: "mkto", Decode: decodeYAML(tc.yaml), Now: func() time.Time { return t0 }})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if s := fmt.Sprintf("%v %+v %#v", src, src, src); strings.Contains(s, secret) {
					t.Error("printing the source shows the secret")
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want an error naming %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func TestStreamsDeclareKeysAndTypes(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	src := e.source("")
	if got := len(src.Streams()); got != len(AllStreams()) {
		t.Fatalf("%d streams", got)
	}
	for _, st := range src.Streams() {
		if st.Name == Leads {
			if st.Schema != nil || st.DeletedField != "deleted" || st.CursorField != "updated_at" {
				t.Errorf("leads: %+v", st)
			}
			continue
		}
		names := map[string]arrow.DataType{}
		for _, f := range st.Schema.Fields() {
			names[f.Name] = f.Type
		}
		for _, k := range st.PrimaryKey {
			if names[k] == nil || st.Schema.Field(st.Schema.FieldIndices(k)[0]).Nullable {
				t.Errorf("%s: primary key %s is not a non-null column", st.Name, k)
			}
		}
		if st.CursorField != "" && names[st.CursorField] == nil {
			t.Errorf("%s: no cursor column %s", st.Name, st.CursorField)
		}
		if tt, ok := names[st.CursorField].(*arrow.TimestampType); st.CursorField != "" && (!ok || tt.Unit != arrow.Microsecond || tt.TimeZone != "UTC") {
			t.Errorf("%s: cursor column type %v", st.Name, names[st.CursorField])
		}
	}
}

func TestKindOfAndValues(t *testing.T) {
	for _, tc := range []struct {
		dataType string
		text     string
		want     string // fmt of the value, or "error"
	}{
		{"string", "x", "x"},
		{"email", "", "<nil>"},
		{"integer", "42", "42"},
		{"score", "12.0", "12"},
		{"integer", "4.5", "error"},
		{"float", "2.5", "2.5"},
		{"currency", "1250.5", "1250.500000"},
		{"currency", "-0.0000005", "-0.000001"}, // half away from zero
		{"currency", "12345678901234567890123456789012.5", "12345678901234567890123456789012.500000"},
		{"currency", "123456789012345678901234567890123", "error"}, // 33 digits + 6 decimals > 38
		{"boolean", "true", "true"},
		{"boolean", "0", "false"},
		{"boolean", "maybe", "error"},
		{"date", "2025-02-03", "2025-02-03"},
		{"datetime", "2025-01-22T18:41:42Z", "2025-01-22T18:41:42Z"},
		{"datetime", "2025-01-22T10:41:42-08:00", "2025-01-22T18:41:42Z"},
		{"datetime", "2025-01-22T18:41:42.123+0000", "2025-01-22T18:41:42Z"},
		{"datetime", "2025-01-22 18:41", "error"},
	} {
		k, ok := kindOf(tc.dataType)
		if !ok {
			t.Fatalf("%s: unknown", tc.dataType)
		}
		v, err := parseText(k, tc.text)
		got := fmt.Sprint(v)
		switch x := v.(type) {
		case time.Time:
			got = x.Format(time.RFC3339)
		case arrow.Date32:
			got = x.ToTime().Format(time.DateOnly)
		case interface{ ToString(int32) string }:
			got = x.ToString(decimalScale)
		}
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("%s %q: %s (%v), want %s", tc.dataType, tc.text, got, err, tc.want)
		}
	}
	if _, ok := kindOf("lead_function"); ok {
		t.Error("an unknown dataType has a kind")
	}
	for in, want := range map[string]string{"leadStatus": "lead_status", "createdAt": "created_at", "sfdcAccountID": "sfdc_account_id",
		"Custom_Field__c": "custom_field__c", "id": "id", "HTMLBody2": "html_body2"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", in, got, want)
		}
	}
}
