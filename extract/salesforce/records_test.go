package salesforce

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/internal/jsonpage"
)

// The REST records are read straight into the column builders (appendRecords). They must come
// out exactly as they did when each page was decoded by encoding/json into a map per record:
// the reference below is that decoder, kept to compare against.

// referenceAppend appends one record decoded as a map (field name → raw JSON value).
func referenceAppend(b *builder, rec map[string]json.RawMessage) (rowKey, error) {
	var k rowKey
	for i, c := range b.p.cols {
		if c.field == "" {
			b.rb.Field(i).(*array.BooleanBuilder).Append(false)
			continue
		}
		raw, ok := rec[c.field]
		if !ok || string(raw) == "null" {
			b.rb.Field(i).AppendNull()
			continue
		}
		text := string(raw)
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &text); err != nil {
				return k, fmt.Errorf("field %s: %w", c.field, err)
			}
		}
		if err := referenceValue(b.rb.Field(i), c, text); err != nil {
			var id string
			_ = json.Unmarshal(rec["Id"], &id)
			return k, fmt.Errorf("record %s: field %s: %w", id, c.field, err)
		}
		switch i {
		case b.p.idCol:
			k.id = text
		case b.p.stampCol:
			k.ts, _ = parseDatetime(text)
		}
	}
	b.n++
	return k, nil
}

// referenceValue parses a value's text with the general parsers.
func referenceValue(bld array.Builder, c column, text string) error {
	switch c.kind {
	case kString:
		bld.(*array.StringBuilder).Append(text)
	case kBool:
		v, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", text)
		}
		bld.(*array.BooleanBuilder).Append(v)
	case kInt:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return fmt.Errorf("%q is not an integer", text)
			}
			v = int64(f)
		}
		bld.(*array.Int64Builder).Append(v)
	case kFloat:
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		bld.(*array.Float64Builder).Append(v)
	case kDecimal:
		dt := c.typ.(*arrow.Decimal128Type)
		v, err := decimal128.FromString(text, dt.Precision, dt.Scale)
		if err != nil {
			return fmt.Errorf("%q does not fit decimal(%d,%d): %w", text, dt.Precision, dt.Scale, err)
		}
		bld.(*array.Decimal128Builder).Append(v)
	case kDate:
		t, err := time.Parse(time.DateOnly, text)
		if err != nil {
			return fmt.Errorf("%q is not a date (2006-01-02)", text)
		}
		bld.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case kTimestamp:
		t, err := parseDatetime(text)
		if err != nil {
			return err
		}
		bld.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	}
	return nil
}

// decoded is what a page's records became: the batch, the keys, or the error.
type decoded struct {
	rec  arrow.RecordBatch
	keys []rowKey
	err  error
}

func decodeWithScanner(t *testing.T, mem memory.Allocator, p *plan, body string) decoded {
	t.Helper()
	pg, err := parseRestPage([]byte(body))
	if err != nil {
		return decoded{err: err}
	}
	b := newBuilder(mem, p)
	defer b.release()
	var out decoded
	var sc jsonpage.Scanner
	out.err = b.appendRecords(&sc, pg.records, func(k rowKey) { out.keys = append(out.keys, k) })
	if out.err == nil {
		out.rec = b.finish()
	}
	return out
}

func decodeWithReference(t *testing.T, mem memory.Allocator, p *plan, body string) decoded {
	t.Helper()
	var qp queryPage
	if err := json.Unmarshal([]byte(body), &qp); err != nil {
		return decoded{err: err}
	}
	b := newBuilder(mem, p)
	defer b.release()
	var out decoded
	for _, rec := range qp.Records {
		k, err := referenceAppend(b, rec)
		if err != nil {
			return decoded{err: err}
		}
		out.keys = append(out.keys, k)
	}
	out.rec = b.finish()
	return out
}

func testPlans(t *testing.T) map[string]*plan {
	t.Helper()
	fields := []describeField{{Name: "Id", Type: "id"}, {Name: "IsDeleted", Type: "boolean"}, {Name: "Name", Type: "string"},
		{Name: "Amount", Type: "currency", Precision: 18, Scale: 2}, {Name: "Probability", Type: "percent"},
		{Name: "FiscalYear", Type: "int"}, {Name: "CloseDate", Type: "date"}, {Name: "Notes__c", Type: "textarea"},
		{Name: "Score__c", Type: "double"}, {Name: "LastModifiedDate", Type: "datetime"}, {Name: "SystemModstamp", Type: "datetime"}}
	opp, err := newPlan(describeResult{Name: "Opportunity", Fields: fields}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	// No IsDeleted: the stream's is_deleted is a constant false column.
	user, err := newPlan(describeResult{Name: "User", Fields: []describeField{{Name: "Id", Type: "id"},
		{Name: "Username", Type: "string"}, {Name: "SystemModstamp", Type: "datetime"}}}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*plan{"Opportunity": opp, "User": user}
}

func TestAppendRecordsMatchesMapDecoding(t *testing.T) {
	const stamp = `"SystemModstamp":"2026-10-30T23:56:40.000+0000"`
	page := func(records ...string) string {
		return `{"totalSize":` + strconv.Itoa(len(records)) + `,"done":true,"records":[` + strings.Join(records, ",") + `]}`
	}
	tests := []struct {
		name, object, body string
		wantErr            string // a substring of both errors; "" for none
	}{
		{name: "full records in SELECT order", object: "Opportunity", body: page(
			`{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/006A"},"Id":"006A","IsDeleted":false,`+
				`"Name":"Deal","Amount":12.5,"Probability":10.0,"FiscalYear":2026,"CloseDate":"2026-11-01","Notes__c":"n",`+
				`"Score__c":1e3,"LastModifiedDate":"2026-10-30T23:56:40.000+0000",`+stamp+`}`,
			`{"attributes":{"type":"Opportunity"},"Id":"006B","IsDeleted":true,"Name":"Deal 2","Amount":-0.01,"Probability":0,`+
				`"FiscalYear":2026.0,"CloseDate":"2024-02-29","Notes__c":null,"Score__c":-1.5e-3,"LastModifiedDate":null,`+stamp+`}`)},
		{name: "fields out of order, unknown and missing", object: "Opportunity", body: page(
			stampObj(`"Name":"Late","Unknown__c":{"deep":[1,2,{"x":null}]},"Id":"006C","Amount":"100.10","Other":[1]`),
			stampObj(`"Id":"006D"`))},
		{name: "strings: escapes, unicode, JSON kept as text", object: "Opportunity", body: page(
			stampObj(`"Id":"006E","Name":"Caf\u00e9 \"Zoë\" \ud834\udd1e\n\/","Notes__c":{"a": [1, true]}`),
			stampObj(`"Id":"006F","Name":"null","Notes__c":12.50`),
			stampObj(`"Id":"006G","Name":true,"Notes__c":"`+"\xff"+`"`))},
		{name: "duplicate keys: the last wins", object: "Opportunity", body: page(
			stampObj(`"Id":"006H","Name":"first","Name":"second","Amount":1,"Amount":null`))},
		{name: "a null record is a row of nulls", object: "Opportunity", body: page(`null`, stampObj(`"Id":"006I"`))},
		{name: "stamps in other forms", object: "Opportunity", body: page(
			`{"Id":"006J","SystemModstamp":"2026-10-30T23:56:40.000+0100"}`, `{"Id":"006K","SystemModstamp":"2026-10-30T23:56:40Z"}`,
			`{"Id":"006L","SystemModstamp":null}`, `{"Id":"006M"}`)},
		{name: "synthesized is_deleted", object: "User", body: page(stampObj(`"Id":"005A","Username":"u@x"`), `{"Id":"005B"}`)},
		{name: "empty page", object: "Opportunity", body: `{"totalSize":0,"done":true,"records":[]}`},
		{name: "null records", object: "Opportunity", body: `{"totalSize":0,"done":true,"records":null}`},
		{name: "bad currency names the record", object: "Opportunity", body: page(stampObj(`"Id":"006N","Amount":"abc"`)),
			wantErr: `record 006N: field Amount: "abc" does not fit decimal(18,2)`},
		{name: "bad date, the Id after it", object: "Opportunity", body: page(stampObj(`"CloseDate":"2026-02-30","Id":"006O"`)),
			wantErr: `record 006O: field CloseDate: "2026-02-30" is not a date (2006-01-02)`},
		{name: "bad boolean, no Id", object: "Opportunity", body: page(stampObj(`"IsDeleted":"maybe"`)),
			wantErr: `record : field IsDeleted: "maybe" is not a boolean`},
		{name: "bad integer", object: "Opportunity", body: page(stampObj(`"Id":"006P","FiscalYear":2026.5`)),
			wantErr: `record 006P: field FiscalYear: "2026.5" is not an integer`},
		{name: "bad stamp", object: "Opportunity", body: page(`{"Id":"006Q","SystemModstamp":"yesterday"}`),
			wantErr: `record 006Q: field SystemModstamp: "yesterday" is not a datetime`},
		{name: "bad number", object: "Opportunity", body: page(stampObj(`"Id":"006R","Score__c":"high"`)),
			wantErr: `record 006R: field Score__c: "high" is not a number`},
		{name: "a record that is not an object", object: "Opportunity", body: page(`"006S"`), wantErr: "record"},
	}
	plans := testPlans(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got := decodeWithScanner(t, mem, plans[tt.object], tt.body)
			want := decodeWithReference(t, mem, plans[tt.object], tt.body)
			for _, d := range []decoded{got, want} {
				if d.rec != nil {
					defer d.rec.Release()
				}
			}
			if tt.wantErr != "" {
				if got.err == nil || want.err == nil || !strings.Contains(got.err.Error(), tt.wantErr) || !strings.Contains(want.err.Error(), tt.wantErr) {
					t.Fatalf("errors %v and (reference) %v, want both to say %q", got.err, want.err, tt.wantErr)
				}
				return
			}
			if got.err != nil || want.err != nil {
				t.Fatalf("errors %v and (reference) %v", got.err, want.err)
			}
			if !array.RecordEqual(got.rec, want.rec) {
				t.Errorf("rows differ:\n%v\nreference:\n%v", got.rec, want.rec)
			}
			if fmt.Sprint(got.keys) != fmt.Sprint(want.keys) {
				t.Errorf("keys %v, reference %v", got.keys, want.keys)
			}
		})
	}
}

func stampObj(members string) string {
	return `{"attributes":{"type":"X"},` + members + `,"SystemModstamp":"2026-10-30T23:56:40.000+0000"}`
}

func TestParseRestPage(t *testing.T) {
	tests := []struct {
		name, body string
		want       restPage
		wantErr    bool
	}{
		{name: "a middle page", body: `{"totalSize":5000,"done":false,"nextRecordsUrl":"/q/01g-2000","records":[{"Id":"1"}]}`,
			want: restPage{totalSize: 5000, next: "/q/01g-2000", records: []byte(`[{"Id":"1"}]`)}},
		{name: "records first", body: `{"records":[],"done":true,"totalSize":0}`, want: restPage{done: true, records: []byte(`[]`)}},
		{name: "names without regard to case", body: `{"TotalSize":3,"DONE":true,"NextRecordsURL":"/x","Records":[{}]}`,
			want: restPage{totalSize: 3, done: true, next: "/x", records: []byte(`[{}]`)}},
		{name: "null leaves a field unset", body: `{"done":true,"done":null,"nextRecordsUrl":null,"records":[],"records":null}`,
			want: restPage{done: true}},
		{name: "the last duplicate wins", body: `{"totalSize":1,"totalSize":2,"records":[{"a":1}],"records":[{"a":2}]}`,
			want: restPage{totalSize: 2, records: []byte(`[{"a":2}]`)}},
		{name: "a null body", body: `null`},
		{name: "a fractional totalSize", body: `{"totalSize":1.5}`, wantErr: true},
		{name: "done as a string", body: `{"done":"true"}`, wantErr: true},
		{name: "records as an object", body: `{"records":{}}`, wantErr: true},
		{name: "not an object", body: `[1]`, wantErr: true},
		{name: "cut short", body: `{"done":true,"records":[{"Id":"1"}`, wantErr: true},
		{name: "trailing data", body: `{"done":true} {}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRestPage([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			var ref queryPage
			if refErr := json.Unmarshal([]byte(tt.body), &ref); (refErr != nil) != tt.wantErr {
				t.Errorf("encoding/json says %v", refErr)
			}
			if tt.wantErr {
				return
			}
			if got.totalSize != tt.want.totalSize || got.done != tt.want.done || got.next != tt.want.next || string(got.records) != string(tt.want.records) {
				t.Errorf("got %+v (records %s), want %+v (records %s)", got, got.records, tt.want, tt.want.records)
			}
			if got.totalSize != ref.TotalSize || got.done != ref.Done || got.next != ref.NextRecordsURL {
				t.Errorf("got %+v, encoding/json %+v", got, ref)
			}
		})
	}
}

func BenchmarkAppendRecords(b *testing.B) {
	p, err := newPlan(describeResult{Name: "Opportunity", Fields: []describeField{{Name: "Id", Type: "id"},
		{Name: "IsDeleted", Type: "boolean"}, {Name: "AccountId", Type: "reference"}, {Name: "Name", Type: "string"},
		{Name: "StageName", Type: "picklist"}, {Name: "Amount", Type: "currency", Precision: 18, Scale: 2},
		{Name: "Probability", Type: "percent"}, {Name: "CloseDate", Type: "date"}, {Name: "Type", Type: "picklist"},
		{Name: "LeadSource", Type: "picklist"}, {Name: "IsClosed", Type: "boolean"}, {Name: "FiscalYear", Type: "int"},
		{Name: "OwnerId", Type: "reference"}, {Name: "CreatedDate", Type: "datetime"}, {Name: "SystemModstamp", Type: "datetime"}}}, nil, true)
	if err != nil {
		b.Fatal(err)
	}
	var body strings.Builder
	body.WriteString(`{"totalSize":2000,"done":true,"records":[`)
	for i := range 2000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/006FK%013d"},`+
			`"Id":"006FK%013d","IsDeleted":false,"AccountId":"001Bn0000000000042","Name":"Deal %d","StageName":"Prospecting",`+
			`"Amount":%d.5,"Probability":42.0,"CloseDate":"2026-11-12","Type":"New Business","LeadSource":null,"IsClosed":false,`+
			`"FiscalYear":2026,"OwnerId":"005Bn0000000000042","CreatedDate":"2026-10-30T23:56:40.000+0000",`+
			`"SystemModstamp":"2026-10-30T23:56:40.000+0000"}`, i, i, i, i)
	}
	body.WriteString(`]}`)
	data := []byte(body.String())
	b.SetBytes(int64(len(data)))
	var sc jsonpage.Scanner
	for b.Loop() {
		pg, err := parseRestPage(data)
		if err != nil {
			b.Fatal(err)
		}
		bld := newBuilder(memory.DefaultAllocator, p)
		if err := bld.appendRecords(&sc, pg.records, func(rowKey) {}); err != nil {
			b.Fatal(err)
		}
		bld.finish().Release()
		bld.release()
	}
}
