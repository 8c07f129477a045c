package hubspot

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decodeObjectPage decodes exactly what encoding/json decodes, and fails where it fails.
func TestDecodeObjectPageMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{name: "a list page", body: `{"results":[{"id":"1001","properties":{"email":"a@b.io","firstname":"Zoë","country":null,` +
			`"lastmodifieddate":"2026-03-01T10:00:00.000Z"},"createdAt":"2026-03-01T09:00:00.000Z","updatedAt":"2026-03-01T10:00:00.000Z",` +
			`"archived":false,"associations":{"companies":{"results":[]}}}],"paging":{"next":{"after":"1002","link":"http://x/?a\u0026b"}}}`},
		{name: "archived records", body: `{"results":[{"id":"7","properties":{},"archived":true,"archivedAt":"2026-03-02T00:00:00Z"}]}`},
		{name: "a numeric paging token", body: `{"paging":{"next":{"after":1002}},"results":[]}`},
		{name: "history", body: `{"results":[{"id":"9","properties":{"dealstage":"won"},"propertiesWithHistory":{"dealstage":[` +
			`{"value":"won","timestamp":"2026-03-01T00:00:00Z","sourceType":"CRM_UI","sourceId":"userId:1","updatedByUserId":12}]}}]}`},
		{name: "escapes and odd members", body: `{"total":2,"results":[{"id":"1","properties":{"n\u0061me":"say \"hi\"\n","x":"\ud834\udd1e"},` +
			`"extra":[1,{"a":null}]},null,{"ID":"3","Properties":{"a":"1"},"ARCHIVED":true}]}`},
		{name: "duplicates: the last wins, properties merge", body: `{"results":[{"id":"1","id":"2","properties":{"a":"1","b":"2"},` +
			`"properties":{"b":"3","c":null},"archived":true,"archived":false}]}`},
		{name: "nulls", body: `{"results":[{"id":null,"properties":null,"createdAt":null,"archived":null,"propertiesWithHistory":null}],"paging":null}`},
		{name: "null results", body: `{"results":null}`},
		{name: "null body", body: `null`},
		{name: "empty", body: `{}`},
		{name: "a number property", body: `{"results":[{"id":"1","properties":{"a":1}}]}`, wantErr: true},
		{name: "a numeric id", body: `{"results":[{"id":1}]}`, wantErr: true},
		{name: "archived as text", body: `{"results":[{"id":"1","archived":"true"}]}`, wantErr: true},
		{name: "results as an object", body: `{"results":{}}`, wantErr: true},
		{name: "a record that is a string", body: `{"results":["1"]}`, wantErr: true},
		{name: "cut short", body: `{"results":[{"id":"1"`, wantErr: true},
		{name: "trailing data", body: `{"results":[]}]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want pageOf[object]
			gotErr := decodeObjectPage([]byte(tt.body), &got)
			wantErr := json.Unmarshal([]byte(tt.body), &want)
			if (gotErr != nil) != tt.wantErr || (wantErr != nil) != tt.wantErr {
				t.Fatalf("errors %v and (encoding/json) %v, want an error: %v", gotErr, wantErr, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n%s\nencoding/json\n%s", dump(got), dump(want))
			}
		})
	}
}

func dump(p pageOf[object]) string {
	var b strings.Builder
	for _, o := range p.Results {
		fmt.Fprintf(&b, "%s %s %s %v %s props{", o.ID, o.CreatedAt, o.UpdatedAt, o.Archived, o.ArchivedAt)
		for k, v := range o.Properties {
			if v == nil {
				fmt.Fprintf(&b, "%s:nil ", k)
			} else {
				fmt.Fprintf(&b, "%s:%q ", k, *v)
			}
		}
		fmt.Fprintf(&b, "} history %v\n", o.PropertiesWithHistory)
	}
	fmt.Fprintf(&b, "after %q", p.Paging.after())
	return b.String()
}

func BenchmarkDecodeObjectPage(b *testing.B) {
	body := []byte(benchListPage())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var p pageOf[object]
		if err := decodeObjectPage(body, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeObjectPageEncodingJSON(b *testing.B) {
	body := []byte(benchListPage())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var p pageOf[object]
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// benchListPage is a list page of 100 contacts.
func benchListPage() string {
	var b strings.Builder
	b.WriteString(`{"paging":{"next":{"after":"1101","link":"http://x/crm/v3/objects/contacts?after=1101"}},"results":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","properties":{"associatedcompanyid":null,"country":null,"createdate":"2026-10-30T18:26:40.000Z",`+
			`"email":"person%d@company%d.example","firstname":"Pat","hs_analytics_first_timestamp":null,"hs_analytics_source":null,`+
			`"hs_lead_status":null,"hs_lifecyclestage_lead_date":null,"hubspot_owner_id":null,"jobtitle":null,`+
			`"lastmodifieddate":"2026-10-30T18:28:19.000Z","lastname":"Lee %d","lifecyclestage":"lead"},`+
			`"createdAt":"2026-10-30T18:28:19.000Z","updatedAt":"2026-10-30T18:28:19.000Z","archived":false}`, 1001+i, i, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}
