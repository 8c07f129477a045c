package marketo

// sink.go: what the paging-token scan does with the activities it reads — the activities
// stream appends them straight into Arrow builders (its hot path: no row of boxed values per
// activity), lead_lifecycle goes through rows.

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// activitySink collects the activities of the batch being built.
type activitySink interface {
	// add appends a row for a (or skips it).
	add(a *activity) error
	// rows is the number of rows added since the last take.
	rows() int
	// take returns the rows added since the last take as a record batch the caller owns.
	take() (arrow.RecordBatch, error)
	// release frees the sink's memory.
	release()
}

// rowSink builds rows with toRow (nil skips an activity) and the batch with buildRecord.
type rowSink struct {
	mem    memory.Allocator
	schema *arrow.Schema
	cols   []column
	toRow  func(*activity) (row, error)
	list   []row
}

func (k *rowSink) add(a *activity) error {
	r, err := k.toRow(a)
	if err == nil && r != nil {
		k.list = append(k.list, r)
	}
	return err
}

func (k *rowSink) rows() int { return len(k.list) }

func (k *rowSink) take() (arrow.RecordBatch, error) {
	rows := k.list
	k.list = nil
	return buildRecord(k.mem, k.schema, k.cols, rows)
}

func (k *rowSink) release() { k.list = nil }

// activitiesSink appends the activities stream's columns (activityColumns) directly.
type activitiesSink struct {
	b     *array.RecordBuilder
	names map[int]string // activity type names by id
	buf   bytes.Buffer   // scratch for the attributes JSON
	n     int

	guid, name, primary         *array.StringBuilder
	attrs, extra                *array.StringBuilder // storage of the JSON columns
	id, lead, typ, camp, primID *array.Int64Builder
	date                        *array.TimestampBuilder
}

func newActivitiesSink(mem memory.Allocator, names map[int]string) *activitiesSink {
	b := array.NewRecordBuilder(mem, schemaOf(activityColumns(), "marketo_guid"))
	json := func(i int) *array.StringBuilder {
		return b.Field(i).(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder)
	}
	return &activitiesSink{b: b, names: names,
		guid: b.Field(0).(*array.StringBuilder), id: b.Field(1).(*array.Int64Builder), lead: b.Field(2).(*array.Int64Builder),
		date: b.Field(3).(*array.TimestampBuilder), typ: b.Field(4).(*array.Int64Builder), name: b.Field(5).(*array.StringBuilder),
		camp: b.Field(6).(*array.Int64Builder), primID: b.Field(7).(*array.Int64Builder), primary: b.Field(8).(*array.StringBuilder),
		attrs: json(9), extra: json(10)}
}

func (k *activitiesSink) add(a *activity) error {
	k.guid.Append(a.guid)
	appendInt(k.id, nonZero(a.id))
	k.lead.Append(a.leadID)
	k.date.Append(arrow.Timestamp(a.date.UnixMicro()))
	k.typ.Append(int64(a.typeID))
	if name := k.names[a.typeID]; name != "" {
		k.name.Append(name)
	} else {
		k.name.AppendNull()
	}
	appendInt(k.camp, intValue(a.campaignID))
	appendInt(k.primID, intValue(a.primaryID))
	switch v := a.primaryValue; {
	case len(v) > 2 && v[0] == '"' && plainString(v): // the common case, without a copy
		k.primary.BinaryBuilder.Append(v[1 : len(v)-1])
	default:
		if s, ok := textValue(v).(string); ok {
			k.primary.Append(s)
		} else {
			k.primary.AppendNull()
		}
	}
	a.writeAttributesJSON(&k.buf)
	k.attrs.BinaryBuilder.Append(k.buf.Bytes())
	if v, ok := a.extraJSON().(string); ok {
		k.extra.Append(v)
	} else {
		k.extra.AppendNull()
	}
	k.n++
	return nil
}

func appendInt(b *array.Int64Builder, v any) {
	if n, ok := v.(int64); ok {
		b.Append(n)
		return
	}
	b.AppendNull()
}

func (k *activitiesSink) rows() int { return k.n }

func (k *activitiesSink) take() (arrow.RecordBatch, error) {
	k.n = 0
	return k.b.NewRecordBatch(), nil
}

func (k *activitiesSink) release() { k.b.Release() }
