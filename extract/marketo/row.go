package marketo

// row.go: column kinds, the conversion of Marketo values (JSON or CSV text) to typed values, and
// building Arrow record batches.

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kind is a column's value kind.
type kind int

const (
	kString    kind = iota // string
	kInt                   // int64
	kFloat                 // float64
	kDecimal               // decimal128.Num at decimalScale
	kBool                  // bool
	kDate                  // arrow.Date32
	kTimestamp             // time.Time → timestamp[us, UTC]
	kJSON                  // JSON text (the arrow.json extension over utf8)
)

// Money columns are DECIMAL(38,6): exact, never float.
const (
	decimalPrecision = 38
	decimalScale     = 6
)

func (k kind) arrowType() arrow.DataType {
	switch k {
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kFloat:
		return arrow.PrimitiveTypes.Float64
	case kDecimal:
		return &arrow.Decimal128Type{Precision: decimalPrecision, Scale: decimalScale}
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kDate:
		return arrow.FixedWidthTypes.Date32
	case kTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case kJSON:
		t, _ := extensions.NewJSONType(arrow.BinaryTypes.String) // utf8 is a supported storage
		return t
	}
	return arrow.BinaryTypes.String
}

// KindOf maps a describe dataType to the column kind; ok is false for types the connector does
// not know, whose values go to _extra:
//
//	string, email, text, textarea, phone, url, reference → string; integer, score → int64;
//	float, percent → float64; currency → decimal128(38,6); boolean → bool; date → date32;
//	datetime → timestamp[us, UTC]
func kindOf(dataType string) (kind, bool) {
	switch strings.ToLower(dataType) {
	case "string", "email", "text", "textarea", "phone", "url", "reference":
		return kString, true
	case "integer", "score":
		return kInt, true
	case "float", "percent":
		return kFloat, true
	case "currency":
		return kDecimal, true
	case "boolean":
		return kBool, true
	case "date":
		return kDate, true
	case "datetime":
		return kTimestamp, true
	}
	return kString, false
}

// column is one output column.
type column struct {
	name string
	kind kind
}

// row is one output row: a value per column (nil is NULL).
type row []any

// schemaOf builds the Arrow schema of columns; key columns are not nullable.
func schemaOf(cols []column, key ...string) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		nullable := true
		for _, k := range key {
			nullable = nullable && k != c.name
		}
		fields[i] = arrow.Field{Name: c.name, Type: c.kind.arrowType(), Nullable: nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// buildRecord turns rows into a record batch; the caller owns the result.
func buildRecord(mem memory.Allocator, schema *arrow.Schema, cols []column, rows []row) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, r := range rows {
		for i, c := range cols {
			if err := appendValue(b.Field(i), c, r[i]); err != nil {
				return nil, err
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func appendValue(fb array.Builder, c column, v any) error {
	if v == nil {
		fb.AppendNull()
		return nil
	}
	ok := false
	switch x := v.(type) {
	case string:
		switch c.kind {
		case kString:
			fb.(*array.StringBuilder).Append(x)
			ok = true
		case kJSON:
			fb.(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder).Append(x)
			ok = true
		}
	case int64:
		if c.kind == kInt {
			fb.(*array.Int64Builder).Append(x)
			ok = true
		}
	case float64:
		if c.kind == kFloat {
			fb.(*array.Float64Builder).Append(x)
			ok = true
		}
	case decimal128.Num:
		if c.kind == kDecimal {
			fb.(*array.Decimal128Builder).Append(x)
			ok = true
		}
	case bool:
		if c.kind == kBool {
			fb.(*array.BooleanBuilder).Append(x)
			ok = true
		}
	case arrow.Date32:
		if c.kind == kDate {
			fb.(*array.Date32Builder).Append(x)
			ok = true
		}
	case time.Time:
		if c.kind == kTimestamp {
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixMicro()))
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("column %s: unexpected value %v (%T)", c.name, v, v)
	}
	return nil
}

// parseText converts a value given as text (a CSV cell, or a JSON scalar's text) to kind k.
// Empty text is NULL.
func parseText(k kind, text string) (any, error) {
	if text == "" {
		return nil, nil
	}
	switch k {
	case kString:
		return text, nil
	case kJSON:
		if json.Valid([]byte(text)) {
			return text, nil
		}
		b, _ := json.Marshal(text)
		return string(b), nil
	case kInt:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil && f == float64(int64(f)) {
			return int64(f), nil
		}
		return nil, fmt.Errorf("%q is not an integer", text)
	case kFloat:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		return f, nil
	case kDecimal:
		return parseDecimal(text)
	case kBool:
		switch strings.ToLower(text) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean", text)
	case kDate:
		if len(text) >= 10 {
			if t, err := time.Parse(time.DateOnly, text[:10]); err == nil {
				return arrow.Date32FromTime(t), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", text)
	case kTimestamp:
		t, err := parseTime(text)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("unknown kind %d", k)
}

// parseTime reads a Marketo datetime: ISO 8601 with Z or an offset, with or without fractions.
func parseTime(text string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.000Z0700"} {
		if t, err := time.Parse(layout, text); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 datetime with a zone", text)
}

// parseDecimal converts decimal text exactly to DECIMAL(38,6), rounding half away from zero past
// six decimals.
func parseDecimal(text string) (any, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(text))
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", text)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(decimalScale), nil)))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() != 0 && new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	n := decimal128.FromBigInt(q)
	if q.BitLen() > 126 || !n.FitsInPrecision(decimalPrecision) {
		return nil, fmt.Errorf("%q does not fit DECIMAL(38,6)", text)
	}
	return n, nil
}

// parseJSON converts a JSON value of a REST response to kind k.
func parseJSON(k kind, raw json.RawMessage) (any, error) {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null":
		return nil, nil
	case k == kJSON:
		return s, nil
	case s[0] == '"':
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, err
		}
		if text == "" && k != kString {
			return nil, nil
		}
		return parseText(k, text)
	case k == kString && (s[0] == '{' || s[0] == '['):
		return s, nil
	}
	return parseText(k, s)
}

// snakeCase maps a Marketo REST name to a column name: words split at lower-to-upper and
// digit-to-upper changes and before the last capital of an acronym, lower-cased; underscores
// are kept. leadStatus → lead_status, createdAt → created_at, sfdcAccountID → sfdc_account_id,
// Custom_Field__c → custom_field__c.
func snakeCase(name string) string {
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
