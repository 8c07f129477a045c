package stripe

// row.go: columns, the typed values of a row, reading Stripe JSON objects, and building Arrow
// record batches.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kind is a column's value kind.
type kind int

const (
	kString kind = iota // string
	kInt                // int64
	kFloat              // float64
	kBool               // bool
	kTime               // unix seconds (int64) → timestamp[us, UTC]
	kMoney              // decimal128.Num at moneyScale
	kJSON               // JSON text (string)
)

func (k kind) arrowType() arrow.DataType {
	switch k {
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kFloat:
		return arrow.PrimitiveTypes.Float64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case kMoney:
		return moneyType()
	}
	return arrow.BinaryTypes.String
}

// column is one output column.
type column struct {
	name string
	kind kind
}

// row is one output row: a value per column (nil is NULL). Build it with a rowBuilder.
type row []any

// rowBuilder fills a row by column name.
type rowBuilder struct {
	idx map[string]int
	r   row
}

func (b *rowBuilder) set(name string, v any) {
	i, ok := b.idx[name]
	if !ok {
		panic(fmt.Sprintf("stripe: no column %q", name)) // a programming error in a stream definition
	}
	b.r[i] = v
}

// jobj is a decoded JSON object (numbers as json.Number).
type jobj = map[string]any

// decodeObject decodes a JSON object keeping numbers exact.
func decodeObject(b []byte) (jobj, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var o jobj
	if err := dec.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return o, nil
}

// at walks keys into nested objects; nil when a step is missing or not an object.
func at(o jobj, keys ...string) any {
	var v any = o
	for _, k := range keys {
		m, ok := v.(jobj)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func sub(o jobj, keys ...string) jobj {
	m, _ := at(o, keys...).(jobj)
	return m
}

// str is a string value or nil.
func str(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

// idOf is an id: the string itself, or an expanded object's "id".
func idOf(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case jobj:
		return str(x["id"])
	}
	return nil
}

// integer is an int64 or nil.
func integer(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return nil
}

func float(v any) any {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
	}
	return nil
}

func boolean(v any) any {
	if b, ok := v.(bool); ok {
		return b
	}
	return nil
}

// unixTime is unix seconds (kTime) or nil; 0 is not a Stripe time and reads as nil.
func unixTime(v any) any {
	if i, ok := integer(v).(int64); ok && i != 0 {
		return i
	}
	return nil
}

// jsonText renders a nested value as JSON text; nil stays NULL.
func jsonText(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

// idList renders a list of ids or expanded objects as a JSON array of ids.
func idList(v any) any {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	ids := make([]string, 0, len(list))
	for _, x := range list {
		if id, ok := idOf(x).(string); ok {
			ids = append(ids, id)
		}
	}
	return jsonText(ids)
}

// money converts a minor-unit amount (a JSON number or a decimal string) in currency; nil when
// absent or when the currency is unknown.
func (r *reader) money(v any, currency any) (any, error) {
	cur, _ := currency.(string)
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = x
	default:
		return nil, nil
	}
	if cur == "" {
		return nil, nil
	}
	n, err := minorToMoney(text, r.src.exponents.of(cur))
	if err != nil {
		return nil, err
	}
	return n, nil
}

// sumAmounts adds the "amount" of each object of a list (discount_amounts and the like).
func sumAmounts(v any) any {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var total int64
	for _, x := range list {
		if m, ok := x.(jobj); ok {
			if a, ok := integer(m["amount"]).(int64); ok {
				total += a
			}
		}
	}
	return json.Number(strconv.FormatInt(total, 10))
}

// extra renders the keys of o that no column consumed (and that are not null) as a JSON
// object; nil when none remain.
func extra(o jobj, consumed map[string]bool) any {
	rest := map[string]any{}
	for k, v := range o {
		if !consumed[k] && v != nil {
			rest[k] = v
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return jsonText(rest)
}

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
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
	ok := true
	switch c.kind {
	case kString, kJSON:
		s, isStr := v.(string)
		ok = isStr
		if ok {
			fb.(*array.StringBuilder).Append(s)
		}
	case kInt:
		i, isInt := v.(int64)
		ok = isInt
		if ok {
			fb.(*array.Int64Builder).Append(i)
		}
	case kFloat:
		f, isF := v.(float64)
		ok = isF
		if ok {
			fb.(*array.Float64Builder).Append(f)
		}
	case kBool:
		bv, isB := v.(bool)
		ok = isB
		if ok {
			fb.(*array.BooleanBuilder).Append(bv)
		}
	case kTime:
		sec, isInt := v.(int64)
		ok = isInt
		if ok {
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(sec * 1_000_000))
		}
	case kMoney:
		n, isNum := v.(decimal128.Num)
		ok = isNum
		if ok {
			fb.(*array.Decimal128Builder).Append(n)
		}
	}
	if !ok {
		return fmt.Errorf("column %s: unexpected value %v (%T)", c.name, v, v)
	}
	return nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
