package salesforce

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract/salesforce/fake"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"Id": "id", "SystemModstamp": "system_modstamp", "IsDeleted": "is_deleted", "AccountId": "account_id",
		"Pricebook2Id": "pricebook2_id", "SLAExpirationDate__c": "sla_expiration_date__c",
		"Renewal_Date__c": "renewal_date__c", "OpportunityLineItem": "opportunity_line_item",
		"OpportunityHistory": "opportunity_history", "NumberOfEmployees": "number_of_employees",
		"ns__MyField__c": "ns__my_field__c", "ARR__c": "arr__c", "User": "user", "HTMLBody": "html_body",
		"CurrencyIsoCode": "currency_iso_code", "Invoice__c": "invoice__c",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArrowType(t *testing.T) {
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	cases := []struct {
		sfType     string
		prec, scal int
		want       arrow.DataType // nil: not extracted
	}{
		{"id", 0, 0, arrow.BinaryTypes.String},
		{"reference", 0, 0, arrow.BinaryTypes.String},
		{"string", 0, 0, arrow.BinaryTypes.String},
		{"picklist", 0, 0, arrow.BinaryTypes.String},
		{"multipicklist", 0, 0, arrow.BinaryTypes.String},
		{"combobox", 0, 0, arrow.BinaryTypes.String},
		{"textarea", 0, 0, arrow.BinaryTypes.String},
		{"email", 0, 0, arrow.BinaryTypes.String},
		{"url", 0, 0, arrow.BinaryTypes.String},
		{"phone", 0, 0, arrow.BinaryTypes.String},
		{"encryptedstring", 0, 0, arrow.BinaryTypes.String},
		{"time", 0, 0, arrow.BinaryTypes.String},
		{"anyType", 0, 0, arrow.BinaryTypes.String},
		{"somethingNew", 0, 0, arrow.BinaryTypes.String},
		{"boolean", 0, 0, arrow.FixedWidthTypes.Boolean},
		{"int", 9, 0, arrow.PrimitiveTypes.Int64},
		{"long", 18, 0, arrow.PrimitiveTypes.Int64},
		{"double", 18, 2, arrow.PrimitiveTypes.Float64},
		{"percent", 3, 0, arrow.PrimitiveTypes.Float64},
		{"currency", 18, 2, &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{"currency", 16, 4, &arrow.Decimal128Type{Precision: 16, Scale: 4}},
		{"currency", 0, 0, &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{"date", 0, 0, arrow.FixedWidthTypes.Date32},
		{"datetime", 0, 0, ts},
		{"base64", 0, 0, nil},
		{"address", 0, 0, nil},
		{"location", 0, 0, nil},
	}
	for _, c := range cases {
		got, ok := ArrowType(c.sfType, c.prec, c.scal)
		switch {
		case c.want == nil && ok:
			t.Errorf("%s: got %s, want it skipped", c.sfType, got)
		case c.want != nil && (!ok || !arrow.TypeEqual(got, c.want)):
			t.Errorf("%s(%d,%d) = %v, want %s", c.sfType, c.prec, c.scal, got, c.want)
		}
	}
}

// The schema comes from describe at read time: custom fields included, compound and binary
// fields left out, names in snake_case, Salesforce's name and type kept as field metadata.
func TestSchemaFromDescribe(t *testing.T) {
	e := newEnv(t)
	for _, f := range []fake.Field{
		{Name: "ARR__c", Type: "currency", Precision: 16, Scale: 4},
		{Name: "Seats__c", Type: "double"},
		{Name: "Is_Strategic__c", Type: "boolean"},
		{Name: "Renewal_Date__c", Type: "date"},
		{Name: "Tier__c", Type: "picklist"},
		{Name: "Last_Touch__c", Type: "datetime"},
		{Name: "Logo__c", Type: "base64"},
	} {
		if err := e.org.AddField("Account", f); err != nil {
			t.Fatal(err)
		}
	}
	e.insert("Account", fake.Record{"Name": "Acme", "ARR__c": 125000.1234, "Seats__c": 42.5, "Is_Strategic__c": true,
		"Renewal_Date__c": "2026-09-30", "Tier__c": "Gold", "Last_Touch__c": "2026-01-10T08:30:00.123Z", "AnnualRevenue": 1.5e7,
		"SystemModstamp": t0.Add(-time.Hour)})
	src := e.source(m{"exclude_fields": m{"Account": []string{"Website"}}})
	tb := newTable()
	e.mustRead(src, "account", nil, tb)
	want := map[string]string{
		"id": "utf8", "is_deleted": "bool", "name": "utf8", "annual_revenue": "decimal(18, 2)",
		"number_of_employees": "int64", "system_modstamp": "timestamp[us, tz=UTC]", "arr__c": "decimal(16, 4)",
		"seats__c": "float64", "is_strategic__c": "bool", "renewal_date__c": "date32", "tier__c": "utf8",
		"last_touch__c": "timestamp[us, tz=UTC]", "billing_city": "utf8", "owner_id": "utf8",
	}
	for name, typ := range want {
		f, ok := tb.fields[name]
		if !ok || f.Type.String() != typ {
			t.Errorf("column %s = %v, want %s", name, f.Type, typ)
		}
	}
	for _, gone := range []string{"billing_address", "logo__c", "website"} {
		if _, ok := tb.fields[gone]; ok {
			t.Errorf("column %s is extracted, want it left out", gone)
		}
	}
	if v, _ := tb.fields["arr__c"].Metadata.GetValue("salesforce_name"); v != "ARR__c" {
		t.Errorf("arr__c's salesforce_name = %q", v)
	}
	assertTruth(t, tb, e.truth("Account"))
}

func TestNewPlan(t *testing.T) {
	fields := func(specs ...string) []describeField {
		var out []describeField
		for _, s := range specs {
			name, typ, _ := strings.Cut(s, ":")
			out = append(out, describeField{Name: name, Type: typ})
		}
		return out
	}
	t.Run("object without IsDeleted gets a constant column when the stream declares one", func(t *testing.T) {
		p, err := newPlan(describeResult{Name: "Widget__c", Fields: fields("Id:id", "SystemModstamp:datetime")}, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		if p.hasDeleted || p.deletedCol != 2 || p.schema.Field(2).Name != "is_deleted" || len(p.selects) != 2 {
			t.Errorf("plan = %+v", p)
		}
	})
	t.Run("cursor falls back to LastModifiedDate", func(t *testing.T) {
		p, err := newPlan(describeResult{Name: "X", Fields: fields("Id:id", "LastModifiedDate:datetime", "CreatedDate:datetime")}, nil, false)
		if err != nil || p.stampField != "LastModifiedDate" {
			t.Errorf("plan = %+v, %v", p, err)
		}
	})
	t.Run("colliding names", func(t *testing.T) {
		p, err := newPlan(describeResult{Name: "X", Fields: fields("Id:id", "SystemModstamp:datetime", "Foo_Bar__c:string", "FooBar__c:string")}, nil, false)
		if err != nil || p.schema.Field(2).Name != "foo_bar__c" || p.schema.Field(3).Name != "foobar__c" {
			t.Errorf("plan = %v, %v", p.schema, err)
		}
	})
	for name, d := range map[string]describeResult{
		"no Id":    {Name: "X", Fields: fields("SystemModstamp:datetime")},
		"no stamp": {Name: "X", Fields: fields("Id:id", "Name:string")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := newPlan(d, nil, false); err == nil {
				t.Error("newPlan succeeded, want an error")
			}
		})
	}
}

// Every standard object of the fake describes to types the warehouse loader accepts.
func TestStandardObjectsDescribe(t *testing.T) {
	e := newEnv(t)
	src := e.source(m{"objects": DefaultObjects()})
	allowed := map[arrow.Type]bool{arrow.STRING: true, arrow.BOOL: true, arrow.INT64: true, arrow.FLOAT64: true,
		arrow.DECIMAL128: true, arrow.DATE32: true, arrow.TIMESTAMP: true}
	for _, s := range src.Streams() {
		if s.Schema != nil || s.PrimaryKey[0] != "id" || s.CursorField != "system_modstamp" {
			t.Errorf("stream %+v", s)
		}
		var d describeResult
		if err := src.newAPI().getJSON(t.Context(), src.dataPath("/sobjects/"+src.byName[s.Name].object+"/describe"), nil, &d); err != nil {
			t.Fatal(err)
		}
		p, err := newPlan(d, nil, s.DeletedField != "")
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for _, f := range p.schema.Fields() {
			if !allowed[f.Type.ID()] {
				t.Errorf("%s.%s has type %s", s.Name, f.Name, f.Type)
			}
		}
		if (s.DeletedField != "") != p.hasDeleted {
			t.Errorf("%s: DeletedField %q, describe has IsDeleted %v", s.Name, s.DeletedField, p.hasDeleted)
		}
	}
}
