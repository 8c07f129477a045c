package salesforce

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowKey is a row's position in the (stamp, Id) order the reader pages through.
type rowKey struct {
	ts time.Time
	id string
}

// less orders keys by stamp, then Id (byte order, as ORDER BY Id and Id > '…' compare).
func (k rowKey) less(o rowKey) bool {
	if c := k.ts.Compare(o.ts); c != 0 {
		return c < 0
	}
	return k.id < o.id
}

func (k rowKey) isZero() bool { return k.ts.IsZero() && k.id == "" }

// builder accumulates rows of one plan into an Arrow record batch.
type builder struct {
	p  *plan
	rb *array.RecordBuilder
	n  int
}

func newBuilder(mem memory.Allocator, p *plan) *builder {
	return &builder{p: p, rb: array.NewRecordBuilder(mem, p.schema)}
}

// release frees the builder (and any rows not yet taken by finish).
func (b *builder) release() { b.rb.Release() }

// finish returns the rows appended so far as a record batch and resets the builder.
func (b *builder) finish() arrow.RecordBatch {
	b.n = 0
	return b.rb.NewRecordBatch()
}

// appendJSON appends one REST record (field name → raw JSON value) and returns its key.
// A field missing from the record is null.
func (b *builder) appendJSON(rec map[string]json.RawMessage) (rowKey, error) {
	var k rowKey
	for i, c := range b.p.cols {
		if c.field == "" { // synthesized is_deleted
			b.rb.Field(i).(*array.BooleanBuilder).Append(false)
			continue
		}
		raw, ok := rec[c.field]
		if !ok || string(raw) == "null" {
			b.rb.Field(i).AppendNull()
			continue
		}
		text := string(raw)
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &text); err != nil {
				return k, fmt.Errorf("field %s: %w", c.field, err)
			}
		}
		if err := appendValue(b.rb.Field(i), c, text); err != nil {
			return k, fmt.Errorf("record %s: field %s: %w", idOf(rec), c.field, err)
		}
		switch i {
		case b.p.idCol:
			k.id = text
		case b.p.stampCol:
			k.ts, _ = parseDatetime(text)
		}
	}
	b.n++
	return k, nil
}

func idOf(rec map[string]json.RawMessage) string {
	var id string
	_ = json.Unmarshal(rec["Id"], &id)
	return id
}

// appendCSV appends one Bulk CSV row; pos maps each plan column to its CSV column (-1: none).
// An empty field is null: Bulk CSV cannot tell an empty string from a null.
func (b *builder) appendCSV(row []string, pos []int) (rowKey, error) {
	var k rowKey
	for i, c := range b.p.cols {
		if c.field == "" {
			b.rb.Field(i).(*array.BooleanBuilder).Append(false)
			continue
		}
		if pos[i] < 0 || pos[i] >= len(row) {
			b.rb.Field(i).AppendNull()
			continue
		}
		text := strings.ReplaceAll(row[pos[i]], "\x00", "")
		if text == "" {
			b.rb.Field(i).AppendNull()
			continue
		}
		if err := appendValue(b.rb.Field(i), c, text); err != nil {
			return k, fmt.Errorf("field %s: %w", c.field, err)
		}
		switch i {
		case b.p.idCol:
			k.id = text
		case b.p.stampCol:
			k.ts, _ = parseDatetime(text)
		}
	}
	b.n++
	return k, nil
}

// appendTombstone appends a row for a record deleted and gone from the recycle bin: its id,
// is_deleted true, its stamp the deletion time, every other column null.
func (b *builder) appendTombstone(id string, at time.Time) {
	for i := range b.p.cols {
		bld := b.rb.Field(i)
		switch i {
		case b.p.idCol:
			bld.(*array.StringBuilder).Append(id)
		case b.p.deletedCol:
			bld.(*array.BooleanBuilder).Append(true)
		case b.p.stampCol:
			bld.(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMicro()))
		default:
			bld.AppendNull()
		}
	}
	b.n++
}

// appendValue parses text (a JSON scalar's text, or a CSV field) into bld.
func appendValue(bld array.Builder, c column, text string) error {
	switch c.kind {
	case kString:
		bld.(*array.StringBuilder).Append(text)
	case kBool:
		v, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", text)
		}
		bld.(*array.BooleanBuilder).Append(v)
	case kInt:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return fmt.Errorf("%q is not an integer", text)
			}
			v = int64(f)
		}
		bld.(*array.Int64Builder).Append(v)
	case kFloat:
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		bld.(*array.Float64Builder).Append(v)
	case kDecimal:
		dt := c.typ.(*arrow.Decimal128Type)
		v, err := decimal128.FromString(text, dt.Precision, dt.Scale)
		if err != nil {
			return fmt.Errorf("%q does not fit decimal(%d,%d): %w", text, dt.Precision, dt.Scale, err)
		}
		bld.(*array.Decimal128Builder).Append(v)
	case kDate:
		t, err := time.Parse(time.DateOnly, text)
		if err != nil {
			return fmt.Errorf("%q is not a date (2006-01-02)", text)
		}
		bld.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case kTimestamp:
		t, err := parseDatetime(text)
		if err != nil {
			return err
		}
		bld.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	}
	return nil
}

// parseDatetime accepts the REST form (2025-01-15T10:22:03.000+0000), the Bulk form
// (2025-01-15T10:22:03.000Z) and RFC 3339.
func parseDatetime(text string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, text); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a datetime", text)
}
