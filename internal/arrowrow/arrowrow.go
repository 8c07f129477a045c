// Package arrowrow is what the billing connectors share to turn decoded JSON objects into Arrow
// record batches: a column is a name and a Kind, a row is one Go value per column, and Build
// appends rows to a record batch of the schema Schema describes. It knows nothing of any vendor:
// which fields become which columns, renames and nested objects stay in the connectors.
//
// Contract:
//   - Every column is nullable. A nil cell is NULL; no other value means NULL.
//   - Each Kind accepts exactly one Go type (see the constants). A cell of another type is a
//     programming error in the connector: Build returns "column NAME: unexpected value V (T)"
//     and no record.
//   - The caller owns the record batch Build returns and must Release it; Build releases
//     everything else it allocated, on success and on error, so a checked allocator ends at
//     zero once the record is released.
//   - Decimal values are DECIMAL(38, DecimalScale); ScaleDecimal reads them exactly, never
//     through float64.
//
// The package keeps no state: no globals, no init.
package arrowrow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Kind is a column's value kind: the Go type its cells hold and the Arrow type it is stored as.
type Kind int

const (
	String      Kind = iota // string → utf8
	Int                     // int64 → int64
	Float                   // float64 → float64
	Bool                    // bool → bool
	UnixSeconds             // int64 unix seconds → timestamp[us, UTC]
	Timestamp               // arrow.Timestamp in microseconds → timestamp[us, UTC]
	Date                    // arrow.Date32 → date32
	Decimal                 // decimal128.Num at DecimalScale → DECIMAL(38, DecimalScale)
	JSON                    // JSON text (string) → utf8
)

// DecimalScale is the scale of every Decimal column: six decimals hold every currency's minor
// unit and sub-minor-unit prices, rates and percentages.
const DecimalScale = 6

// DecimalType is the Arrow type of Decimal columns: DECIMAL(38, DecimalScale).
func DecimalType() arrow.DataType {
	return &arrow.Decimal128Type{Precision: 38, Scale: DecimalScale}
}

// ArrowType is the Arrow type k is stored as; an unknown kind is stored as a string.
func (k Kind) ArrowType() arrow.DataType {
	switch k {
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case UnixSeconds, Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Decimal:
		return DecimalType()
	}
	return arrow.BinaryTypes.String
}

// Column describes one output column.
type Column struct {
	Name string
	Kind Kind
}

// Described is anything that describes an output column: a Column itself, or a connector's own
// column type (which carries vendor details such as the field it reads) with a Column method.
type Described interface {
	Column() Column
}

// Column returns c itself, so that a []Column can be passed where a []Described is expected.
func (c Column) Column() Column { return c }

// Schema is the Arrow schema of cols: one nullable field per column, in order, no metadata.
func Schema[C Described](cols []C) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, col := range cols {
		c := col.Column()
		fields[i] = arrow.Field{Name: c.Name, Type: c.Kind.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// Build appends rows to a new record batch of schema, which must be Schema(cols); each row
// holds one cell per column, in the order of cols (nil is NULL). mem allocates the batch. The
// caller owns the result and must Release it. A cell whose Go type is not the one its column's
// Kind accepts is an error naming the column and the value; no record is returned then and
// nothing stays allocated.
func Build[C Described, R ~[]any](mem memory.Allocator, schema *arrow.Schema, cols []C, rows []R) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, r := range rows {
		for i, col := range cols {
			if err := appendValue(b.Field(i), col.Column(), r[i]); err != nil {
				return nil, err
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func appendValue(fb array.Builder, c Column, v any) error {
	if v == nil {
		fb.AppendNull()
		return nil
	}
	ok := false
	switch c.Kind {
	case String, JSON:
		var s string
		if s, ok = v.(string); ok {
			fb.(*array.StringBuilder).Append(s)
		}
	case Int:
		var i int64
		if i, ok = v.(int64); ok {
			fb.(*array.Int64Builder).Append(i)
		}
	case Float:
		var f float64
		if f, ok = v.(float64); ok {
			fb.(*array.Float64Builder).Append(f)
		}
	case Bool:
		var bv bool
		if bv, ok = v.(bool); ok {
			fb.(*array.BooleanBuilder).Append(bv)
		}
	case UnixSeconds:
		var sec int64
		if sec, ok = v.(int64); ok {
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(sec * 1_000_000))
		}
	case Timestamp:
		var ts arrow.Timestamp
		if ts, ok = v.(arrow.Timestamp); ok {
			fb.(*array.TimestampBuilder).Append(ts)
		}
	case Date:
		var d arrow.Date32
		if d, ok = v.(arrow.Date32); ok {
			fb.(*array.Date32Builder).Append(d)
		}
	case Decimal:
		var n decimal128.Num
		if n, ok = v.(decimal128.Num); ok {
			fb.(*array.Decimal128Builder).Append(n)
		}
	}
	if !ok {
		return fmt.Errorf("column %s: unexpected value %v (%T)", c.Name, v, v)
	}
	return nil
}

// DecodeObject decodes a JSON object keeping numbers exact (as json.Number). JSON null is the
// error "not a JSON object"; any other decoding error is returned as is.
func DecodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return o, nil
}

// JSONText renders v as JSON text (a JSON cell); nil, and a value that does not marshal, is nil
// (NULL).
func JSONText(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

// Extra is the "_extra" cell of an object: the keys of o that are neither consumed nor skipped
// (either map may be nil), and whose value is not null, as a JSON object with sorted keys; nil
// (NULL) when none remain.
func Extra(o map[string]any, consumed, skip map[string]bool) any {
	rest := map[string]any{}
	for k, v := range o {
		if !consumed[k] && !skip[k] && v != nil {
			rest[k] = v
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return JSONText(rest)
}

// KeySet is the set of keys.
func KeySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// ScaleDecimal reads mant, a plain decimal number ("12", "-0.5", "+3.", ".25": an optional
// sign, then digits with at most one '.', no exponent, no spaces), multiplies it by 10^exp10
// exactly, and returns it at DecimalScale, rounding half to even past DecimalScale decimals.
// ok is false when mant is not such a number; fits is false when the result needs more than 38
// digits. Callers word their own errors (they name the amount or the record).
func ScaleDecimal(mant string, exp10 int) (n decimal128.Num, ok, fits bool) {
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(strings.TrimPrefix(mant, "-"), "+")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !digits(intPart) || !digits(frac) {
		return decimal128.Num{}, false, false
	}
	// value = intPart.frac × 10^exp10, wanted × 10^DecimalScale.
	shift := DecimalScale + exp10 - len(frac)
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
		return decimal128.Num{}, true, false
	}
	if neg {
		v.Neg(v)
	}
	return decimal128.FromBigInt(v), true, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
