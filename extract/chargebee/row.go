package chargebee

// row.go: columns, converting Chargebee JSON attributes into typed cells (tolerating drift: a
// value that does not convert leaves its column NULL and stays in "_extra"); arrowrow builds
// the Arrow record batches.

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/revops/revops/internal/arrowrow"
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

// cell is the arrowrow kind a column of kind k is stored as: money and decimals are both
// arrowrow.Decimal at moneyScale.
func (k kind) cell() arrowrow.Kind {
	switch k {
	case kInt:
		return arrowrow.Int
	case kBool:
		return arrowrow.Bool
	case kTime:
		return arrowrow.UnixSeconds
	case kMoney, kDecimal:
		return arrowrow.Decimal
	case kJSON:
		return arrowrow.JSON
	}
	return arrowrow.String
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

// Column describes c to arrowrow.
func (c column) Column() arrowrow.Column { return arrowrow.Column{Name: c.name, Kind: c.kind.cell()} }

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
		return arrowrow.JSONText(v), true
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
