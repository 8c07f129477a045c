package hubspot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rows builds one Arrow record batch from rows of text cells, converting each cell to its
// column's type. It is released by the caller (finish transfers the batch's ownership).
type rows struct {
	b    *array.RecordBuilder
	cols []column
	n    int
}

func newRows(mem memory.Allocator, schema *arrow.Schema, cols []column) *rows {
	return &rows{b: array.NewRecordBuilder(mem, schema), cols: cols}
}

func (r *rows) release() { r.b.Release() }

// finish returns the rows appended so far as a record batch (owned by the caller).
func (r *rows) finish() arrow.RecordBatch { return r.b.NewRecordBatch() }

// add appends one row; cells[i] is column i's text, nil for null. A cell that does not convert
// is an error naming the column and the value, and leaves the builder unusable.
func (r *rows) add(cells []*string) error {
	for i, c := range r.cols {
		if err := appendCell(r.b.Field(i), c.kind, cells[i]); err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	r.n++
	return nil
}

// appendCell appends a text value as kind k. nil is null; so is "" for every type but string
// (HubSpot sends "" for a cleared number or date).
func appendCell(fb array.Builder, k kind, v *string) error {
	if v == nil || (*v == "" && k != kString) {
		fb.AppendNull()
		return nil
	}
	s := *v
	switch k {
	case kString:
		fb.(*array.StringBuilder).Append(s)
	case kJSON:
		fb.(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder).Append(s)
	case kTimestamp:
		t, err := parseTimestamp(s)
		if err != nil {
			return err
		}
		fb.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	case kFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		fb.(*array.Float64Builder).Append(f)
	case kDecimal:
		n, err := parseDecimal(s)
		if err != nil {
			return err
		}
		fb.(*array.Decimal128Builder).Append(n)
	case kBool:
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		fb.(*array.BooleanBuilder).Append(b)
	case kInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		fb.(*array.Int64Builder).Append(n)
	default:
		return fmt.Errorf("no conversion for column kind %d", k)
	}
	return nil
}

// parseTimestamp reads a HubSpot datetime: ISO 8601 in UTC ("2025-01-15T10:22:03.333Z"), any
// RFC 3339 offset, a date ("2025-03-31", midnight UTC, as HubSpot stores date properties) or
// epoch milliseconds (older APIs and some integrations write those).
func parseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a datetime (ISO 8601 with an offset, a date, or epoch milliseconds)", s)
}

// parseDecimal reads money into decimal(18,2), rounding half away from zero past two places.
func parseDecimal(s string) (decimal128.Num, error) {
	s = strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return decimal128.Num{}, fmt.Errorf("%q is not a number", s)
	}
	n, err := decimal128.FromString(s, 18, 2)
	if err != nil || !n.FitsInPrecision(18) {
		return decimal128.Num{}, fmt.Errorf("%q does not fit decimal(18,2)", s)
	}
	return n, nil
}

// epochMillis returns a datetime's epoch milliseconds, as search filters take them.
func epochMillis(s string) (int64, error) {
	t, err := parseTimestamp(s)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

func ptr(s string) *string { return &s }

// optional is nil for "" (an absent JSON field) and the text otherwise.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
