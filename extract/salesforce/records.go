package salesforce

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/internal/jsonpage"
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

	// For REST records: each column's value in the record being read (Kind Invalid: absent),
	// the column a field names, and the column expected next (fields come in SELECT order).
	vals    []jsonpage.Value
	byField map[string]int
	next    int
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

// appendRecords appends every record of a REST page's records array (its raw JSON, null or
// empty for none), read with sc, and calls seen with each record's key. A field missing from a
// record is null; so is a record that is null.
func (b *builder) appendRecords(sc *jsonpage.Scanner, records []byte, seen func(rowKey)) error {
	if len(records) == 0 {
		return nil
	}
	if b.vals == nil {
		b.vals = make([]jsonpage.Value, len(b.p.cols))
		b.byField = make(map[string]int, len(b.p.cols))
		for i, c := range b.p.cols {
			if c.field != "" {
				b.byField[c.field] = i
			}
		}
	}
	sc.Reset(records)
	if sc.Peek() == jsonpage.Null {
		return nil
	}
	if err := sc.Array(); err != nil {
		return fmt.Errorf("decode response: records: %w", err)
	}
	for i := 0; ; i++ {
		more, err := sc.Elem()
		if err != nil {
			return fmt.Errorf("decode response: records: %w", err)
		}
		if !more {
			return nil
		}
		if err := b.readRecord(sc); err != nil {
			return fmt.Errorf("decode response: record %d: %w", i+1, err)
		}
		k, err := b.appendValues()
		if err != nil {
			return err
		}
		seen(k)
	}
}

// readRecord reads one record object into b.vals.
func (b *builder) readRecord(sc *jsonpage.Scanner) error {
	clear(b.vals)
	sc.ResetScratch()
	switch k := sc.Peek(); k {
	case jsonpage.Null:
		_, err := sc.Value()
		return err
	case jsonpage.Object:
	default:
		return fmt.Errorf("a record is a JSON %s, not an object", k)
	}
	if err := sc.Object(); err != nil {
		return err
	}
	b.next = 0
	for {
		key, ok, err := sc.Key()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		i := b.column(key)
		if i < 0 {
			if err := sc.Skip(); err != nil {
				return err
			}
			continue
		}
		if b.vals[i], err = sc.Value(); err != nil {
			return err
		}
	}
}

// column is the column a record's field fills (-1: none).
func (b *builder) column(key []byte) int {
	if n := b.next; n < len(b.p.cols) && b.p.cols[n].field != "" && string(key) == b.p.cols[n].field {
		b.next = n + 1
		return n
	}
	if i, ok := b.byField[string(key)]; ok {
		b.next = i + 1
		return i
	}
	return -1
}

// appendValues appends the record in b.vals and returns its key.
func (b *builder) appendValues() (rowKey, error) {
	var k rowKey
	for i, c := range b.p.cols {
		bld := b.rb.Field(i)
		if c.field == "" { // synthesized is_deleted
			bld.(*array.BooleanBuilder).Append(false)
			continue
		}
		v := b.vals[i]
		if v.Kind == jsonpage.Invalid || v.Kind == jsonpage.Null {
			bld.AppendNull()
			continue
		}
		var err error
		switch i {
		case b.p.stampCol:
			if k.ts, err = parseDatetimeBytes(v.Text); err == nil {
				bld.(*array.TimestampBuilder).Append(arrow.Timestamp(k.ts.UnixMicro()))
			}
		case b.p.idCol:
			if err = appendValue(bld, c, v.Text); err == nil {
				k.id = string(v.Text)
			}
		default:
			err = appendValue(bld, c, v.Text)
		}
		if err != nil {
			return k, fmt.Errorf("record %s: field %s: %w", b.recordID(), c.field, err)
		}
	}
	b.n++
	return k, nil
}

// recordID is the Id of the record in b.vals ("" when it has none, or not a string).
func (b *builder) recordID() string {
	if v := b.vals[b.p.idCol]; v.Kind == jsonpage.String {
		return string(v.Text)
	}
	return ""
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
		if err := appendValue(b.rb.Field(i), c, []byte(text)); err != nil {
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
func appendValue(bld array.Builder, c column, text []byte) error {
	switch c.kind {
	case kString:
		bld.(*array.StringBuilder).BinaryBuilder.Append(text)
	case kBool:
		v, err := parseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", text)
		}
		bld.(*array.BooleanBuilder).Append(v)
	case kInt:
		v, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(string(text), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return fmt.Errorf("%q is not an integer", text)
			}
			v = int64(f)
		}
		bld.(*array.Int64Builder).Append(v)
	case kFloat:
		v, err := strconv.ParseFloat(string(text), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		bld.(*array.Float64Builder).Append(v)
	case kDecimal:
		dt := c.typ.(*arrow.Decimal128Type)
		v, err := parseDecimal(text, dt.Precision, dt.Scale)
		if err != nil {
			return fmt.Errorf("%q does not fit decimal(%d,%d): %w", text, dt.Precision, dt.Scale, err)
		}
		bld.(*array.Decimal128Builder).Append(v)
	case kDate:
		t, err := parseDate(text)
		if err != nil {
			return fmt.Errorf("%q is not a date (2006-01-02)", text)
		}
		bld.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case kTimestamp:
		t, err := parseDatetimeBytes(text)
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
