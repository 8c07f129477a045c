package marketo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// jsonSamples are valid and invalid JSON texts: the reader must accept exactly what
// encoding/json accepts.
var jsonSamples = []string{
	`{"success":true,"moreResult":false,"result":[{"id":5,"marketoGUID":"5","leadId":1,"activityDate":"2025-01-16T23:32:19Z",` +
		`"activityTypeId":1,"attributes":[{"name":"a","value":"<b> c"}],"x":[1,{"y":null}]}]}`,
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `12`, `-1.5e+10`, `1E3`, `"x"`, ` {"a" : [1, 2, {"b": null}] } `,
	`{"requestId":"e42b#14272d07d78","success":true,"result":[{"id":1}],"nextPageToken":"GIY","moreResult":false}`,
	`{"success":false,"errors":[{"code":"606","message":"Max rate"}]}`,
	`"\u00e9\n\t\"\\\/"`, `"caf` + "\xc3\xa9" + `"`, `"bad ` + "\xff" + ` utf8"`, `{"a":"<&>` + "\u2028" + `"}`,
	// invalid
	``, ` `, `{`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `tru`, `nul`, `"abc`, `"\x"`,
	`"\u12g4"`, "\"a\x01b\"", `{"a":1}}`, `[1 2]`, `{"success":true,"result":[{"id":1}`, `{} {}`, `[`, `]`,
}

func TestJSONReaderAcceptsWhatEncodingJSONAccepts(t *testing.T) {
	for _, s := range jsonSamples {
		valid, _ := quickSuccess([]byte(s))
		if valid != json.Valid([]byte(s)) {
			t.Errorf("%q: reader says valid=%v, encoding/json %v", s, valid, !valid)
		}
	}
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if valid, _ := quickSuccess([]byte(deep)); valid {
		t.Error("nesting past encoding/json's limit accepted")
	}
	for body, want := range map[string]bool{
		`{"requestId":"x","result":[],"success":true}`: true,
		`{"success" : true }`:                          true,
		`{"success":false,"errors":[]}`:                false,
		`{"result":{"success":true}}`:                  false,
		`[{"success":true}]`:                           false,
	} {
		if valid, ok := quickSuccess([]byte(body)); !valid || ok != want {
			t.Errorf("%s: success %v (valid %v), want %v", body, ok, valid, want)
		}
	}
}

func FuzzJSONReader(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if valid, _ := quickSuccess(b); valid != json.Valid(b) {
			t.Fatalf("%q: reader valid=%v, encoding/json %v", b, valid, json.Valid(b))
		}
		if _, err := decodeActivityPage(b); err != nil && errors.Is(err, errInvalidJSON) == json.Valid(b) {
			t.Fatalf("%q: page error %v, but encoding/json valid=%v", b, err, json.Valid(b))
		}
		if json.Valid(b) {
			var c bytes.Buffer
			writeCompact(&c, b)
			want, err := json.Marshal(json.RawMessage(b))
			if err == nil && c.String() != string(want) {
				t.Fatalf("compact %q = %q, json.Marshal %q", b, c.String(), want)
			}
		}
	})
}

// The attributes and extra members come out as json.Marshal of a map would write them.
func TestActivityJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"Client IP Address", `quo"te`, `back\slash`, "<b>&", "é", "line\u2028sep", "tab\t", ""} {
		var b bytes.Buffer
		writeJSONString(&b, s)
		want, _ := json.Marshal(s)
		if b.String() != string(want) {
			t.Errorf("string %q: %s, json.Marshal %s", s, b.String(), want)
		}
	}
	page := `{"requestId":"r","success":true,"moreResult":true,"nextPageToken":"T1","result":[
	  {"id":7,"marketoGUID":"g7","leadId":3,"activityDate":"2025-01-16T23:32:19Z","activityTypeId":1,"campaignId":null,
	   "primaryAttributeValueId":"71","primaryAttributeValue":"site/<a>","futureField":{"k": [1, 2]},"other":null,
	   "attributes":[{"name":"User Agent","value":"Mozilla/5.0 (X11; Linux) & more"},{"name":"Score","value": 12},
	                 {"name":"Dup","value":"first"},{"name":"Dup","value":"second"},{"name":"Empty"},null,
	                 {"name":"Obj","value":{"a": "x\u2028y"}}]},
	  {"id":8,"leadId":4,"activityDate":"2025-01-17T00:00:00.000+01:00","activityTypeId":12,"attributes":[]}]}`
	p, err := decodeActivityPage([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if !p.success || !p.moreResult || p.nextPageToken != "T1" || len(p.items) != 2 {
		t.Fatalf("page: %+v", p)
	}
	a := &p.items[0]
	attrs := map[string]json.RawMessage{"User Agent": json.RawMessage(`"Mozilla/5.0 (X11; Linux) & more"`),
		"Score": json.RawMessage(`12`), "Dup": json.RawMessage(`"second"`), "Empty": json.RawMessage(`null`),
		"Obj": json.RawMessage(`{"a": "x\u2028y"}`)}
	want, _ := json.Marshal(attrs)
	extra, _ := json.Marshal(map[string]json.RawMessage{"futureField": json.RawMessage(`{"k": [1, 2]}`)})
	if a.guid != "g7" || a.id != 7 || a.leadID != 3 || a.typeID != 1 || a.date.Format("2006-01-02T15:04:05Z07:00") != "2025-01-16T23:32:19Z" ||
		a.attributesJSON(new(bytes.Buffer)) != string(want) || a.extraJSON() != string(extra) || textValue(a.primaryValue) != "site/<a>" ||
		intValue(a.primaryID) != int64(71) || intValue(a.campaignID) != nil || a.attrText("Dup") != "second" || a.attrText("Score") != "12" ||
		a.attrText("Empty", "User Agent") != "Mozilla/5.0 (X11; Linux) & more" {
		t.Errorf("activity: %+v\nattributes %s\nwant       %s\nextra %v", a, a.attributesJSON(new(bytes.Buffer)), want, a.extraJSON())
	}
	b := &p.items[1]
	if b.guid != "8" || b.attributesJSON(new(bytes.Buffer)) != "{}" || b.extraJSON() != nil || b.date.Format("15:04") != "23:00" {
		t.Errorf("second activity: %+v %s", b, b.date)
	}
	for _, bad := range []string{
		`{"success":true,"result":[{"id":1,"activityDate":"2025-01-16T23:32:19Z"}]}`,                                              // no type
		`{"success":true,"result":[{"id":1,"activityTypeId":1,"activityDate":"yesterday"}]}`,                                      // no date
		`{"success":true,"result":[{"id":1,"activityTypeId":1,"activityDate":"2025-01-16T23:32:19Z","attributes":{"a":1}}]}`,      // not a list
		`{"success":true,"result":[{"id":1,"activityTypeId":1,"activityDate":"2025-01-16T23:32:19Z","attributes":[{"name":1}]}]}`, // name
		`{"success":true,"result":[{"id":1,"activityTypeId":1,"activityDate":"2025-01-16T23:32:19Z"}`,                             // cut short
	} {
		_, err := decodeActivityPage([]byte(bad))
		if err == nil {
			t.Errorf("%s: decoded", bad)
		}
		// Only a body that is not JSON is retried (as cut short).
		if errors.Is(err, errInvalidJSON) != !json.Valid([]byte(bad)) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := decodeActivityPage([]byte(`{"success":true,"result":{"id":1}}`)); err == nil || errors.Is(err, errInvalidJSON) {
		t.Errorf("a result that is not a list: %v", err)
	}
}

// benchPage is a page of 300 web visits as the fake (and Marketo) sends them.
func benchPage(b *testing.B) []byte {
	b.Helper()
	items := make([]map[string]any, 300)
	for i := range items {
		items[i] = map[string]any{"id": 1000 + i, "marketoGUID": fmt.Sprint(1000 + i), "leadId": i%40 + 1,
			"activityDate": "2026-10-30T12:00:00Z", "activityTypeId": 1, "campaignId": nil, "primaryAttributeValueId": i % 40,
			"primaryAttributeValue": fmt.Sprintf("www.example.com/page-%d", i%40),
			"attributes": []map[string]any{{"name": "Client IP Address", "value": "10.0.1.2"},
				{"name": "User Agent", "value": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"},
				{"name": "Webpage URL", "value": "/page-7"}, {"name": "Query Parameters", "value": "utm_source=newsletter"}}}
	}
	body, err := json.Marshal(map[string]any{"requestId": "e42b#1", "success": true, "moreResult": true,
		"nextPageToken": "GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ", "result": items})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkActivityPage: a page decoded and appended to the activities stream's Arrow builders.
func BenchmarkActivityPage(b *testing.B) {
	body := benchPage(b)
	sink := newActivitiesSink(memory.NewGoAllocator(), map[int]string{1: "Visit Webpage"})
	defer sink.release()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodeActivityPage(body)
		if err != nil {
			b.Fatal(err)
		}
		for i := range p.items {
			if err := sink.add(&p.items[i]); err != nil {
				b.Fatal(err)
			}
		}
		rec, _ := sink.take()
		rec.Release()
	}
}

// activityDate's fast path agrees with parseTime.
func TestActivityDate(t *testing.T) {
	for _, s := range []string{"2025-01-16T23:32:19Z", "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z", "2025-04-31T10:00:00Z",
		"2025-13-01T10:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z", "2025-01-16T23:32:19+01:00",
		"2025-01-16T23:32:19.123Z", "2025-01-16 23:32:19Z", "20x5-01-16T23:32:19Z", "-025-01-16T23:32:19Z", ""} {
		tok, _ := json.Marshal(s)
		got, err := activityDate(tok)
		want, werr := parseTime(s)
		if (err != nil) != (werr != nil) || !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("%s: %v %v, parseTime %v %v", s, got, err, want, werr)
		}
	}
	if _, err := activityDate([]byte("12")); err == nil {
		t.Error("a number as a date")
	}
}
