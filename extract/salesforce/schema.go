package salesforce

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
)

// SnakeCase maps a Salesforce API name to the column (or stream) name: words split at
// lower-to-upper and digit-to-upper changes and before the last capital of an acronym, joined
// by "_", lower-cased; existing underscores (custom-field suffixes, namespaces) are kept.
//
//	Id → id, SystemModstamp → system_modstamp, AccountId → account_id,
//	Pricebook2Id → pricebook2_id, SLAExpirationDate__c → sla_expiration_date__c,
//	Renewal_Date__c → renewal_date__c, OpportunityLineItem → opportunity_line_item
func SnakeCase(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && r[i-1] != '_' {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// streamName is an object's stream name.
func streamName(object string) string { return SnakeCase(object) }

// describeField is the part of a describe field element the connector uses.
type describeField struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Precision int    `json:"precision"`
	Scale     int    `json:"scale"`
}

// describeResult is the part of sobjects/X/describe the connector uses.
type describeResult struct {
	Name          string          `json:"name"`
	Replicateable bool            `json:"replicateable"`
	Fields        []describeField `json:"fields"`
}

// colKind is how a column's values are parsed.
type colKind int

const (
	kString colKind = iota
	kBool
	kInt
	kFloat
	kDecimal
	kDate
	kTimestamp
)

// column is one extracted field.
type column struct {
	name   string // snake_case column name
	field  string // Salesforce API name ("" for a synthesized column)
	sfType string
	kind   colKind
	typ    arrow.DataType
}

// ArrowType maps a describe type to its Arrow type, and reports false for types that are not
// extracted (base64 binaries, and the address and location compounds, whose components are
// fields of their own):
//
//	id, reference, string, picklist, multipicklist (values joined by ;), combobox, textarea,
//	email, phone, url, encryptedstring, masterrecord, time, anyType and unknown types → string
//	boolean → bool; int, long → int64; double, percent → float64
//	currency → decimal128(precision, scale) from describe (decimal128(18,2) when describe's is
//	unusable); date → date32; datetime → timestamp[us, UTC]
func ArrowType(sfType string, precision, scale int) (arrow.DataType, bool) {
	t, _, ok := arrowType(sfType, precision, scale)
	return t, ok
}

func arrowType(sfType string, precision, scale int) (arrow.DataType, colKind, bool) {
	switch sfType {
	case "base64", "address", "location":
		return nil, 0, false
	case "boolean":
		return arrow.FixedWidthTypes.Boolean, kBool, true
	case "int", "long":
		return arrow.PrimitiveTypes.Int64, kInt, true
	case "double", "percent":
		return arrow.PrimitiveTypes.Float64, kFloat, true
	case "currency":
		if precision < 1 || precision > 38 || scale < 0 || scale > precision {
			precision, scale = 18, 2
		}
		return &arrow.Decimal128Type{Precision: int32(precision), Scale: int32(scale)}, kDecimal, true
	case "date":
		return arrow.FixedWidthTypes.Date32, kDate, true
	case "datetime":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, kTimestamp, true
	}
	return arrow.BinaryTypes.String, kString, true
}

// plan is how one object is read: the SELECT list, the columns, the keys.
type plan struct {
	object     string
	cols       []column
	schema     *arrow.Schema
	selects    []string // Salesforce fields to SELECT, in column order
	stampField string   // SystemModstamp, else LastModifiedDate, else CreatedDate
	hasDeleted bool     // the object has IsDeleted (query with queryAll)
	idCol      int
	stampCol   int
	deletedCol int // -1 when the stream has no is_deleted column
}

// newPlan builds the read plan of an object from its describe. SELECT lists only fields the
// describe names (User has no IsDeleted: selecting it would fail). wantDeleted adds a constant
// false is_deleted column when the stream declares one and the object lacks IsDeleted.
func newPlan(d describeResult, exclude []string, wantDeleted bool) (*plan, error) {
	p := &plan{object: d.Name, idCol: -1, stampCol: -1, deletedCol: -1}
	skip := map[string]bool{}
	for _, e := range exclude {
		skip[strings.ToLower(e)] = true
	}
	byName := map[string]string{}
	var fields []arrow.Field
	for _, f := range d.Fields {
		if skip[strings.ToLower(f.Name)] && f.Name != "Id" && f.Name != "IsDeleted" && !isStampField(f.Name) {
			continue
		}
		typ, kind, ok := arrowType(f.Type, f.Precision, f.Scale)
		if !ok {
			continue
		}
		name := SnakeCase(f.Name)
		if prev, dup := byName[name]; dup {
			name = strings.ToLower(f.Name)
			if _, dup2 := byName[name]; dup2 {
				return nil, fmt.Errorf("fields %s and %s of %s both map to column %s: exclude one with exclude_fields", prev, f.Name, d.Name, name)
			}
		}
		byName[name] = f.Name
		switch f.Name {
		case "Id":
			p.idCol = len(p.cols)
		case "IsDeleted":
			p.deletedCol, p.hasDeleted = len(p.cols), true
		}
		p.cols = append(p.cols, column{name: name, field: f.Name, sfType: f.Type, kind: kind, typ: typ})
		p.selects = append(p.selects, f.Name)
		fields = append(fields, arrow.Field{Name: name, Type: typ, Nullable: true,
			Metadata: arrow.NewMetadata([]string{"salesforce_name", "salesforce_type"}, []string{f.Name, f.Type})})
	}
	if p.idCol < 0 {
		return nil, fmt.Errorf("describe of %s has no Id field", d.Name)
	}
	for _, name := range []string{"SystemModstamp", "LastModifiedDate", "CreatedDate"} {
		for i, c := range p.cols {
			if c.field == name && c.kind == kTimestamp {
				p.stampField, p.stampCol = name, i
				break
			}
		}
		if p.stampField != "" {
			break
		}
	}
	if p.stampField == "" {
		return nil, fmt.Errorf("%s has no SystemModstamp, LastModifiedDate or CreatedDate: it cannot be read incrementally", d.Name)
	}
	if wantDeleted && !p.hasDeleted {
		p.deletedCol = len(p.cols)
		p.cols = append(p.cols, column{name: "is_deleted", kind: kBool, typ: arrow.FixedWidthTypes.Boolean})
		fields = append(fields, arrow.Field{Name: "is_deleted", Type: arrow.FixedWidthTypes.Boolean, Nullable: true})
	}
	p.schema = arrow.NewSchema(fields, nil)
	return p, nil
}

func isStampField(name string) bool {
	return name == "SystemModstamp" || name == "LastModifiedDate" || name == "CreatedDate"
}

// noIsDeleted lists standard objects known to have no IsDeleted field, so that Streams (which
// does no I/O) declares no deleted column for them. Others are assumed to have one; the read
// adds a constant false is_deleted column when describe shows otherwise.
func noIsDeleted(object string) bool {
	switch strings.ToLower(object) {
	case "user", "opportunitystage", "recordtype", "profile", "userrole", "organization", "period",
		"businesshours", "currencytype", "datedconversionrate", "permissionset", "group":
		return true
	}
	return false
}
