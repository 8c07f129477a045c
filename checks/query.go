package checks

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/warehouse"
)

// rows is a small query result converted to Go values (see goValue).
type rows struct {
	fields []arrow.Field
	data   [][]any
}

// query runs sql and reads every row. Check queries return few rows (aggregates, samples).
func query(ctx context.Context, wh warehouse.Warehouse, sql string) (*rows, error) {
	rr, err := wh.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	out := &rows{fields: rr.Schema().Fields()}
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = goValue(rec.Column(c), r)
			}
			out.data = append(out.data, row)
		}
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// one returns the single row of an aggregate query.
func (r *rows) one() ([]any, error) {
	if len(r.data) != 1 {
		return nil, fmt.Errorf("expected one row, got %d", len(r.data))
	}
	return r.data[0], nil
}

// localTime is a wall-clock value without a zone: a TIMESTAMP (naive) or a DATE, held in a
// time.Time whose location is UTC by convention only.
type localTime struct {
	wall time.Time
	date bool
}

func (l localTime) String() string {
	if l.date {
		return l.wall.Format("2006-01-02")
	}
	if l.wall.Nanosecond() == 0 {
		return l.wall.Format("2006-01-02 15:04:05")
	}
	return l.wall.Format("2006-01-02 15:04:05.999999")
}

// goValue converts one Arrow value: integers → int64, floats → float64, decimals → int64
// (scale 0) or float64, strings → string (copied), booleans → bool, TIMESTAMPTZ → time.Time
// (UTC), naive TIMESTAMP and DATE → localTime, lists → []any, structs → map[string]any;
// anything else → its text. NULL → nil.
func goValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return int64(a.Value(i))
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		if v := a.Value(i); v <= math.MaxInt64 {
			return int64(v)
		}
		return float64(a.Value(i))
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.LargeString:
		return strings.Clone(a.Value(i))
	case *array.StringView:
		return strings.Clone(a.Value(i))
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return decimalValue(a.Value(i).BigInt(), scale, func() float64 { return a.Value(i).ToFloat64(scale) })
	case *array.Decimal256:
		scale := a.DataType().(*arrow.Decimal256Type).Scale
		return decimalValue(a.Value(i).BigInt(), scale, func() float64 { return a.Value(i).ToFloat64(scale) })
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		t := a.Value(i).ToTime(tt.Unit).UTC()
		if tt.TimeZone == "" {
			return localTime{wall: t}
		}
		return t
	case *array.Date32:
		return localTime{wall: a.Value(i).ToTime().UTC(), date: true}
	case *array.Date64:
		return localTime{wall: a.Value(i).ToTime().UTC(), date: true}
	case *array.List, *array.LargeList:
		l := a.(array.ListLike)
		start, end := l.ValueOffsets(i)
		vals := l.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, goValue(vals, int(j)))
		}
		return out
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		m := make(map[string]any, st.NumFields())
		for f := 0; f < st.NumFields(); f++ {
			m[st.Field(f).Name] = goValue(a.Field(f), i)
		}
		return m
	}
	return strings.Clone(col.ValueStr(i))
}

func decimalValue(b *big.Int, scale int32, f func() float64) any {
	if scale == 0 && b.IsInt64() {
		return b.Int64()
	}
	return f()
}

// asInt reads a count.
func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(math.Round(x))
	}
	return 0
}

// asFloat reads a number; ok is false for NULL and non-numbers.
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// sampleRows converts a list of k0..kn structs (a sample aggregate) to maps keyed by names.
func sampleRows(v any, names []string) []map[string]any {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		st, _ := item.(map[string]any)
		m := make(map[string]any, len(names))
		for i, n := range names {
			m[n] = sampleValue(st[fmt.Sprintf("k%d", i)])
		}
		out = append(out, m)
	}
	return out
}

// sampleValue makes a value plain for JSON and printing: local times become their text.
func sampleValue(v any) any {
	switch x := v.(type) {
	case localTime:
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = sampleValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = sampleValue(e)
		}
	}
	return v
}
