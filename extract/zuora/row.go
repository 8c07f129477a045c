package zuora

// row.go: column kinds, converting Zuora's JSON values exactly (decimals never pass through
// float64), and building Arrow record batches.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kind is a column's value kind.
type kind int

const (
	kString  kind = iota // string
	kInt                 // int64
	kBool                // bool
	kDecimal             // decimal128.Num at decimalScale: DECIMAL(38,6)
	kDate                // arrow.Date32
	kTime                // arrow.Timestamp in microseconds, UTC
	kJSON                // JSON text (string)
)

// decimalScale is the scale of money and quantity columns.
const decimalScale = 6

func decimalType() arrow.DataType { return &arrow.Decimal128Type{Precision: 38, Scale: decimalScale} }

func (k kind) arrowType() arrow.DataType {
	switch k {
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kDecimal:
		return decimalType()
	case kDate:
		return arrow.FixedWidthTypes.Date32
	case kTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

// column is one output column: from a Zuora field, or derived (field "").
type column struct {
	name  string
	field string
	kind  kind
}

// row is one output row: a value per column (nil is NULL).
type row []any

// jobj is a decoded query record (numbers as json.Number).
type jobj = map[string]any

func decodeRecord(b []byte) (jobj, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var o jobj
	if err := dec.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("a record is not a JSON object")
	}
	return o, nil
}

// convert turns a JSON value into a column value of kind k.
func convert(k kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	text := ""
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case bool:
		if k == kBool {
			return x, nil
		}
		text = fmt.Sprint(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		if k == kString || k == kJSON {
			return string(b), nil
		}
		return nil, fmt.Errorf("expected a scalar, got %s", b)
	}
	switch k {
	case kString, kJSON:
		return text, nil
	case kInt:
		r, ok := new(big.Rat).SetString(text)
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return nil, fmt.Errorf("%q is not a whole number", text)
		}
		return r.Num().Int64(), nil
	case kBool:
		switch strings.ToLower(text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean", text)
	case kDecimal:
		return parseDecimal(text)
	case kDate:
		d := text
		if len(d) > 10 && d[10] == 'T' {
			d = d[:10] // a datetime where a date is expected: its own calendar date
		}
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", text)
		}
		return arrow.Date32FromTime(t), nil
	case kTime:
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return nil, fmt.Errorf("%q is not a datetime with a UTC offset (Zuora sends e.g. 2025-01-31T09:30:00.000-08:00)", text)
		}
		return arrow.Timestamp(t.UnixMicro()), nil
	}
	return nil, fmt.Errorf("unknown column kind %d", k)
}

// parseDecimal reads a decimal number written in major units ("1234.5", "-0.000001", "12",
// "1.5E+3") into DECIMAL(38,6), rounding half to even past six decimals. It never goes through
// float64.
func parseDecimal(text string) (decimal128.Num, error) {
	s := strings.TrimSpace(text)
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		if _, err := fmt.Sscan(s[i+1:], &exp); err != nil || exp < -100 || exp > 100 {
			return decimal128.Num{}, fmt.Errorf("%q is not a decimal number", text)
		}
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(strings.TrimPrefix(mant, "-"), "+")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !digits(intPart) || !digits(frac) {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal number", text)
	}
	// value = intPart.frac × 10^exp, wanted × 10^decimalScale.
	shift := decimalScale + exp - len(frac)
	v, _ := new(big.Int).SetString("0"+intPart+frac, 10)
	if shift >= 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	} else {
		d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(v, d, new(big.Int))
		switch c := new(big.Int).Mul(r, big.NewInt(2)).Cmp(d); {
		case c > 0, c == 0 && q.Bit(0) == 1:
			q.Add(q, big.NewInt(1))
		}
		v = q
	}
	if len(v.Text(10)) > 38 {
		return decimal128.Num{}, fmt.Errorf("%q does not fit DECIMAL(38,%d)", text, decimalScale)
	}
	if neg {
		v.Neg(v)
	}
	return decimal128.FromBigInt(v), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// schemaOf builds the Arrow schema of columns.
func schemaOf(cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.kind.arrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// buildRecord turns rows into a record batch of schema; the caller owns the result.
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
		var sb *array.StringBuilder
		if sb, ok = fb.(*array.StringBuilder); ok {
			sb.Append(x)
		}
	case int64:
		var ib *array.Int64Builder
		if ib, ok = fb.(*array.Int64Builder); ok {
			ib.Append(x)
		}
	case bool:
		var bb *array.BooleanBuilder
		if bb, ok = fb.(*array.BooleanBuilder); ok {
			bb.Append(x)
		}
	case decimal128.Num:
		var db *array.Decimal128Builder
		if db, ok = fb.(*array.Decimal128Builder); ok {
			db.Append(x)
		}
	case arrow.Date32:
		var db *array.Date32Builder
		if db, ok = fb.(*array.Date32Builder); ok {
			db.Append(x)
		}
	case arrow.Timestamp:
		var tb *array.TimestampBuilder
		if tb, ok = fb.(*array.TimestampBuilder); ok {
			tb.Append(x)
		}
	}
	if !ok {
		return fmt.Errorf("column %s: unexpected value %v (%T)", c.name, v, v)
	}
	return nil
}
