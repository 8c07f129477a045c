package chargebee

// row.go: columns, converting Chargebee JSON attributes into typed cells (tolerating drift: a
// value that does not convert leaves its column NULL and stays in "_extra"), and building
// Arrow record batches.

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
	kString  kind = iota // string
	kInt                 // int64
	kBool                // bool
	kTime                // unix seconds (int64) → timestamp[us, UTC]
	kMoney               // minor units → decimal128 at moneyScale, in the currency of column cur
	kDecimal             // a decimal number (percentages, rates) → decimal128 at moneyScale
	kJSON                // JSON text (string)
)

func (k kind) arrowType() arrow.DataType {
	switch k {
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case kMoney, kDecimal:
		return moneyType()
	}
	return arrow.BinaryTypes.String
}

// column is one output column.
type column struct {
	name string
	kind kind
	// from is the attribute the column reads ("" : its name); derived marks a column that the
	// stream's fix function fills instead.
	from    string
	derived bool
	// cur names the column (of the same row) holding a money column's currency code.
	cur string
}

func (c column) src() string {
	if c.from != "" {
		return c.from
	}
	return c.name
}

// col, money and derived build columns.
func col(name string, k kind) column           { return column{name: name, kind: k} }
func colFrom(name, from string, k kind) column { return column{name: name, kind: k, from: from} }
func money(name, cur string) column            { return column{name: name, kind: kMoney, cur: cur} }
func derived(name string, k kind) column       { return column{name: name, kind: k, derived: true} }
func derivedMoney(name, cur string) column {
	return column{name: name, kind: kMoney, derived: true, cur: cur}
}

// row is one output row: a value per column (nil is NULL).
type row []any

// rowBuilder fills a row by column name.
type rowBuilder struct {
	idx map[string]int
	r   row
}

func newRowBuilder(cols []column) *rowBuilder {
	b := &rowBuilder{idx: make(map[string]int, len(cols)), r: make(row, len(cols))}
	for i, c := range cols {
		b.idx[c.name] = i
	}
	return b
}

func (b *rowBuilder) set(name string, v any) {
	i, ok := b.idx[name]
	if !ok {
		panic(fmt.Sprintf("chargebee: no column %q", name)) // a programming error in a stream definition
	}
	b.r[i] = v
}

func (b *rowBuilder) get(name string) any {
	if i, ok := b.idx[name]; ok {
		return b.r[i]
	}
	return nil
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

// str is a string value or nil.
func str(v any) any {
	if s, ok := v.(string); ok {
		return s
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

// jsonText renders a value as JSON text; nil stays NULL.
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

// convert turns an attribute's value into a cell of kind k (not money); ok is false when the
// value does not fit (the attribute then stays in _extra).
func convert(k kind, v any) (any, bool) {
	switch k {
	case kString:
		switch x := v.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
	case kInt:
		if i, ok := integer(v).(int64); ok {
			return i, true
		}
	case kBool:
		if b, ok := v.(bool); ok {
			return b, true
		}
	case kTime:
		if i, ok := integer(v).(int64); ok {
			if i == 0 {
				return nil, true
			}
			return i, true
		}
	case kDecimal:
		var text string
		switch x := v.(type) {
		case json.Number:
			text = x.String()
		case string:
			text = x
		default:
			return nil, false
		}
		if n, err := minorToMoney(text, 0); err == nil {
			return n, true
		}
	case kJSON:
		return jsonText(v), true
	}
	return nil, false
}

// money converts a minor-unit amount (a JSON number) in currency; ok is false when the amount
// is not a number or the currency is unknown.
func (r *reader) money(v any, currency any) (any, bool) {
	n, isNum := v.(json.Number)
	cur, _ := currency.(string)
	if !isNum || cur == "" {
		return nil, false
	}
	m, err := minorToMoney(n.String(), r.src.exponents.of(cur))
	if err != nil {
		return nil, false
	}
	return m, true
}

// fill sets the non-derived columns of cols from o, money columns only when withMoney, and
// records which attributes were consumed.
func (r *reader) fill(b *rowBuilder, cols []column, o jobj, consumed map[string]bool, withMoney bool) {
	for _, c := range cols {
		if c.derived || (c.kind == kMoney) != withMoney {
			continue
		}
		v, present := o[c.src()]
		if !present || v == nil {
			continue
		}
		var cell any
		var ok bool
		if c.kind == kMoney {
			cell, ok = r.money(v, b.get(c.cur))
		} else {
			cell, ok = convert(c.kind, v)
		}
		if ok {
			b.set(c.name, cell)
			if consumed != nil {
				consumed[c.src()] = true
			}
		}
	}
}

// extra renders the attributes of o that were not consumed (nor skipped), and are not null,
// as a JSON object; nil when none remain.
func extra(o jobj, consumed map[string]bool, skip map[string]bool) any {
	rest := map[string]any{}
	for k, v := range o {
		if !consumed[k] && !skip[k] && v != nil {
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
	case kMoney, kDecimal:
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
