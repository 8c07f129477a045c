package stripe

// row.go: columns, the typed values of a row, and reading Stripe JSON objects; arrowrow builds
// the Arrow record batches.

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/revops/revops/internal/arrowrow"
)

// kind is a column's value kind; money is an arrowrow.Decimal at moneyScale.
type kind = arrowrow.Kind

const (
	kString = arrowrow.String      // string
	kInt    = arrowrow.Int         // int64
	kFloat  = arrowrow.Float       // float64
	kBool   = arrowrow.Bool        // bool
	kTime   = arrowrow.UnixSeconds // unix seconds (int64) → timestamp[us, UTC]
	kMoney  = arrowrow.Decimal     // decimal128.Num at moneyScale
	kJSON   = arrowrow.JSON        // JSON text (string)
)

// column is one output column.
type column struct {
	name string
	kind kind
}

// Column describes c to arrowrow.
func (c column) Column() arrowrow.Column { return arrowrow.Column{Name: c.name, Kind: c.kind} }

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
	return arrowrow.JSONText(ids)
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
