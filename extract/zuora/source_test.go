package zuora

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
)

func TestConfigValidation(t *testing.T) {
	const secret = "zuora-supersecret-9876"
	base := "client_id: abc\nclient_secret: " + secret + "\n"
	for _, tc := range []struct {
		name  string
		yaml  string
		field string // the error names it; "" means the configuration is valid
	}{
		{"minimal", base, ""},
		{"eu sandbox", base + "base_url: https://rest.sandbox.eu.zuora.com/", ""},
		{"everything", base + "objects: [accounts, invoices]\nreplace: [accounts]\nbatch_size: 500\n" +
			"requests_per_minute: 100\ntimeout: 30s\nmax_attempts: 3\nlookback: 1h\nentity_id: e1\n" +
			"extra_fields: {accounts: [Region__c]}", ""},
		{"ftp url", base + "base_url: ftp://rest.zuora.com", "base_url"},
		{"url with path", base + "base_url: https://rest.zuora.com/v1", "base_url"},
		{"url with query", base + "base_url: https://rest.zuora.com?x=1", "base_url"},
		{"missing client_id", "client_secret: " + secret, "client_id"},
		{"empty client_id", "client_id: ''\nclient_secret: " + secret, "client_id"},
		{"missing secret", "client_id: abc", "client_secret"},
		{"empty secret", "client_id: abc\nclient_secret: ''", "client_secret"},
		{"unset env secret", "client_id: abc\nclient_secret: ${ZUORA_SECRET}", "ZUORA_SECRET"},
		{"unknown object", base + "objects: [accounts, payments]", "objects"},
		{"typo object", base + "objects: [acounts]", "did you mean"},
		{"object twice", base + "objects: [accounts, accounts]", "objects"},
		{"replace unknown", base + "replace: [widgets]", "replace"},
		{"replace unconfigured", base + "objects: [accounts]\nreplace: [invoices]", "replace"},
		{"batch 0", base + "batch_size: 0", "batch_size"},
		{"batch 2001", base + "batch_size: 2001", "batch_size"},
		{"rpm 0", base + "requests_per_minute: 0", "requests_per_minute"},
		{"rpm huge", base + "requests_per_minute: 60000", "requests_per_minute"},
		{"timeout", base + "timeout: -1s", "timeout"},
		{"attempts", base + "max_attempts: 0", "max_attempts"},
		{"lookback negative", base + "lookback: -1m", "lookback"},
		{"lookback long", base + "lookback: 48h", "lookback"},
		{"extra unknown stream", base + "extra_fields: {widgets: [A__c]}", "extra_fields"},
		{"extra bad name", base + "extra_fields: {accounts: ['Region c']}", "extra_fields"},
		{"extra standard field", base + "extra_fields: {accounts: [crmid]}", "already read"},
		{"unknown key", base + "page_size: 10", "page_size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(extract.Config{Name: "billing", Decode: decodeYAML(tc.yaml), Now: time.Now})
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid configuration rejected: %v", err)
				}
				if s := fmt.Sprintf("%v %+v %#v", src, src, src); strings.Contains(s, "supersecret") {
					t.Error("printing the source shows the secret")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("%v, want an error naming %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "supersecret") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	// Every problem is reported at once.
	_, err := New(extract.Config{Name: "billing", Now: time.Now,
		Decode: decodeYAML("client_id: ''\nclient_secret: x\nbatch_size: 0\nlookback: 99h\nobjects: [nope]")})
	for _, f := range []string{"client_id", "batch_size", "lookback", "objects"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("joined errors lack %s: %v", f, err)
		}
	}
}

func TestStreamsAndSchemas(t *testing.T) {
	src, err := New(extract.Config{Name: "billing", Now: time.Now,
		Decode: decodeYAML("client_id: a\nclient_secret: b\nreplace: [accounts]")})
	if err != nil {
		t.Fatal(err)
	}
	streams := src.Streams()
	if len(streams) != len(AllStreams()) {
		t.Fatalf("%d streams", len(streams))
	}
	for _, st := range streams {
		types := map[string]arrow.DataType{}
		for _, f := range st.Schema.Fields() {
			if types[f.Name] != nil {
				t.Errorf("%s: column %s twice", st.Name, f.Name)
			}
			types[f.Name] = f.Type
			switch ty := f.Type.(type) {
			case *arrow.StringType, *arrow.Int64Type, *arrow.BooleanType, *arrow.Date32Type:
			case *arrow.TimestampType:
				if ty.Unit != arrow.Microsecond || ty.TimeZone != "UTC" {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			case *arrow.Decimal128Type:
				if ty.Precision != 38 || ty.Scale != 6 {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			default:
				t.Errorf("%s.%s: type %s", st.Name, f.Name, ty)
			}
		}
		if len(st.PrimaryKey) != 1 || types["id"] == nil || types["_extra"] == nil {
			t.Errorf("%s: primary key %v", st.Name, st.PrimaryKey)
		}
		replace := st.Name == Accounts || st.Name == Products || st.Name == ProductRatePlans || st.Name == ProductRatePlanCharges
		if st.Replace != replace || (st.CursorField == "") != replace || (!replace && types[st.CursorField] == nil) {
			t.Errorf("%s: replace %v, cursor field %q", st.Name, st.Replace, st.CursorField)
		}
		if strings.Contains(st.Name, "charge") || st.Name == Invoices || st.Name == InvoiceItems || st.Name == Subscriptions {
			if st.Name != ProductRatePlanCharges && types["currency"] == nil {
				t.Errorf("%s has no currency", st.Name)
			}
		}
	}
}

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0.000000"},
		{"49", "49.000000"},
		{"-1234.5", "-1234.500000"},
		{"0.000001", "0.000001"},
		{"12345678901234567890.123456", "12345678901234567890.123456"},
		{"99999999999999999999999999999999.999999", "99999999999999999999999999999999.999999"},
		{"1.0000005", "1.000000"}, // half to even
		{"1.0000015", "1.000002"},
		{"-0.0000025", "-0.000002"},
		{"82.500000000", "82.500000"},
		{"1.5E+3", "1500.000000"},
		{"2.5e-7", "0.000000"},
		{"+7", "7.000000"},
	} {
		n, err := parseDecimal(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := n.ToString(decimalScale); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "1.2.3", "1,5", "0x10", "1e999", strings.Repeat("9", 40)} {
		if _, err := parseDecimal(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestConvert(t *testing.T) {
	for _, tc := range []struct {
		k    kind
		in   any
		want string // fmt of the value, or "error"
	}{
		{kTime, "2025-01-31T09:30:00.000-08:00", fmt.Sprint(arrow.Timestamp(time.Date(2025, 1, 31, 17, 30, 0, 0, time.UTC).UnixMicro()))},
		{kTime, "2025-01-31T17:30:00Z", fmt.Sprint(arrow.Timestamp(time.Date(2025, 1, 31, 17, 30, 0, 0, time.UTC).UnixMicro()))},
		{kTime, "2025-01-31T09:30:00", "error"}, // naive: never silently UTC
		{kDate, "2025-02-28", fmt.Sprint(arrow.Date32FromTime(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)))},
		{kDate, "2025-02-28T00:00:00.000-08:00", fmt.Sprint(arrow.Date32FromTime(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)))},
		{kDate, "28/02/2025", "error"},
		{kInt, "12", "12"},
		{kInt, "1.5", "error"},
		{kBool, "true", "true"},
		{kBool, "yes", "error"},
		{kString, true, "true"},
	} {
		v, err := convert(tc.k, tc.in)
		got := fmt.Sprint(v)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("convert(%d, %v) = %s (%v), want %s", tc.k, tc.in, got, err, tc.want)
		}
	}
}

func TestCursorDecoding(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		since string
		err   bool
	}{
		{"", "", false},
		{`{"v":1,"object":"Account","since":"2025-06-01T12:00:00Z"}`, "2025-06-01T12:00:00Z", false},
		{`{"v":0,"object":"Account","since":"2025-06-01T12:00:00Z"}`, "", false}, // another version: start over
		{`{"v":1,"object":"Invoice","since":"2025-06-01T12:00:00Z"}`, "", true},
		{`{"v":1,"object":"Account","since":"yesterday"}`, "", true},
		{`not json`, "", true},
	} {
		c, err := decodeCursor(extract.Cursor(tc.raw), "Account")
		if (err != nil) != tc.err || (err == nil && c.Since != tc.since) {
			t.Errorf("%s: %+v, %v", tc.raw, c, err)
		}
	}
}
