package zuora

// row.go: column kinds and converting Zuora's JSON values exactly (decimals never pass through
// float64); arrowrow builds the Arrow record batches.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/revops/revops/internal/arrowrow"
)

// kind is a column's value kind.
type kind = arrowrow.Kind

const (
	kString  = arrowrow.String    // string
	kInt     = arrowrow.Int       // int64
	kBool    = arrowrow.Bool      // bool
	kDecimal = arrowrow.Decimal   // decimal128.Num at decimalScale: DECIMAL(38,6)
	kDate    = arrowrow.Date      // arrow.Date32
	kTime    = arrowrow.Timestamp // arrow.Timestamp in microseconds, UTC
	kJSON    = arrowrow.JSON      // JSON text (string)
)

// decimalScale is the scale of money and quantity columns.
const decimalScale = arrowrow.DecimalScale

// column is one output column: from a Zuora field, or derived (field "").
type column struct {
	name  string
	field string
	kind  kind
}

// Column describes c to arrowrow.
func (c column) Column() arrowrow.Column { return arrowrow.Column{Name: c.name, Kind: c.kind} }

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
	n, ok, fits := arrowrow.ScaleDecimal(mant, exp)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal number", text)
	}
	if !fits {
		return decimal128.Num{}, fmt.Errorf("%q does not fit DECIMAL(38,%d)", text, decimalScale)
	}
	return n, nil
}
