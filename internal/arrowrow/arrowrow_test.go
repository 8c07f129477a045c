package arrowrow

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestSchema(t *testing.T) {
	cols := []Column{
		{"s", String}, {"i", Int}, {"f", Float}, {"b", Bool}, {"u", UnixSeconds},
		{"ts", Timestamp}, {"d", Date}, {"n", Decimal}, {"j", JSON},
	}
	want := []string{"utf8", "int64", "float64", "bool", "timestamp[us, tz=UTC]",
		"timestamp[us, tz=UTC]", "date32", "decimal(38, 6)", "utf8"}
	s := Schema(cols)
	if s.NumFields() != len(cols) || s.Metadata().Len() != 0 {
		t.Fatalf("schema %v", s)
	}
	for i, f := range s.Fields() {
		if f.Name != cols[i].Name || !f.Nullable || f.Type.String() != want[i] {
			t.Errorf("field %d = %s %v nullable=%v, want %s %s nullable", i, f.Name, f.Type, f.Nullable, cols[i].Name, want[i])
		}
	}
}

// vendorCol stands for a connector's own column type.
type vendorCol struct {
	name, field string
	k           Kind
}

func (c vendorCol) Column() Column { return Column{Name: c.name, Kind: c.k} }

type row []any

func TestBuild(t *testing.T) {
	day := arrow.Date32FromTime(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		kind Kind
		cell any
		want string // the column's value as the array prints it, or the error
	}{
		{"string", String, "a", `["a"]`},
		{"json", JSON, `{"a":1}`, `["{\"a\":1}"]`},
		{"int", Int, int64(-7), `[-7]`},
		{"float", Float, 1.5, `[1.5]`},
		{"bool", Bool, true, `[true]`},
		{"unix seconds", UnixSeconds, int64(1700000000), `[1700000000000000]`},
		{"timestamp", Timestamp, arrow.Timestamp(42), `[42]`},
		{"date", Date, day, `[20147]`},
		{"decimal", Decimal, decimal128.FromI64(1_500_000), `[{1500000 0}]`}, // 1.5 at DecimalScale
		{"null", Int, nil, `[(null)]`},
		{"string wants string", String, int64(1), "column c: unexpected value 1 (int64)"},
		{"int wants int64", Int, 1, "column c: unexpected value 1 (int)"},
		{"float wants float64", Float, float32(1), "column c: unexpected value 1 (float32)"},
		{"bool wants bool", Bool, "true", "column c: unexpected value true (string)"},
		{"unix seconds wants int64", UnixSeconds, arrow.Timestamp(1), "column c: unexpected value 1 (arrow.Timestamp)"},
		{"timestamp wants arrow.Timestamp", Timestamp, int64(1), "column c: unexpected value 1 (int64)"},
		{"date wants arrow.Date32", Date, "2025-02-28", "column c: unexpected value 2025-02-28 (string)"},
		{"decimal wants decimal128.Num", Decimal, 1.5, "column c: unexpected value 1.5 (float64)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			cols := []vendorCol{{"id", "Id", String}, {"c", "C", tc.kind}}
			rec, err := Build(mem, Schema(cols), cols, []row{{"x", tc.cell}})
			if err != nil {
				if rec != nil {
					t.Errorf("a record with the error %v", err)
				}
				if err.Error() != tc.want {
					t.Errorf("error %q, want %q", err, tc.want)
				}
				return
			}
			defer rec.Release()
			if rec.NumRows() != 1 || rec.NumCols() != 2 {
				t.Fatalf("%d rows × %d columns", rec.NumRows(), rec.NumCols())
			}
			if got := rec.Column(1).String(); got != tc.want {
				t.Errorf("column = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBuildErrorAfterRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := []Column{{"id", String}, {"n", Int}}
	rows := [][]any{{"a", int64(1)}, {"b", nil}, {"c", "three"}}
	rec, err := Build(mem, Schema(cols), cols, rows)
	if rec != nil || err == nil || err.Error() != "column n: unexpected value three (string)" {
		t.Fatalf("Build = %v, %v", rec, err)
	}
	rec, err = Build(mem, Schema(cols), cols, rows[:2])
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if got := rec.Column(1).String(); got != "[1 (null)]" {
		t.Errorf("n = %s", got)
	}
	if rec, err := Build(mem, Schema(cols), cols, [][]any(nil)); err != nil || rec.NumRows() != 0 {
		t.Errorf("no rows: %v, %v", rec, err)
	} else {
		rec.Release()
	}
}

func TestExtra(t *testing.T) {
	o := map[string]any{"id": "x", "b": 2, "a": "1", "gone": nil, "skipped": true}
	for _, tc := range []struct {
		name           string
		consumed, skip map[string]bool
		want           any
	}{
		{"sorted, nulls dropped", nil, nil, `{"a":"1","b":2,"id":"x","skipped":true}`},
		{"consumed and skipped left out", KeySet("id", "b"), KeySet("skipped"), `{"a":"1"}`},
		{"none left", KeySet("id", "a", "b"), KeySet("skipped"), nil},
	} {
		if got := Extra(o, tc.consumed, tc.skip); got != tc.want {
			t.Errorf("%s: Extra = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestJSONText(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want any
	}{
		{nil, nil},
		{[]string{"a", "b"}, `["a","b"]`},
		{map[string]any{"z": 1, "a": nil}, `{"a":null,"z":1}`},
		{func() {}, nil}, // does not marshal
	} {
		if got := JSONText(tc.in); got != tc.want {
			t.Errorf("JSONText(%T) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDecodeObject(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: the "n" member's Go type, or the error
	}{
		{`{"n": 12345678901234567890}`, "json.Number 12345678901234567890"},
		{`null`, "not a JSON object"},
		{`[1]`, "json: cannot unmarshal array into Go value of type map[string]interface {}"},
		{`{`, "unexpected EOF"},
	} {
		o, err := DecodeObject([]byte(tc.in))
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = strings.TrimSpace(typeAndValue(o["n"]))
		}
		if got != tc.want {
			t.Errorf("DecodeObject(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func typeAndValue(v any) string {
	if n, ok := v.(interface{ String() string }); ok {
		return "json.Number " + n.String()
	}
	return "other"
}

func TestScaleDecimal(t *testing.T) {
	for _, tc := range []struct {
		mant  string
		exp10 int
		want  string // at DecimalScale; "bad" or "too big"
	}{
		{"2000", -2, "20.000000"},
		{"-150", -2, "-1.500000"},
		{"+7", 0, "7.000000"},
		{"0.5", -2, "0.005000"},
		{".25", 0, "0.250000"},
		{"3.", 0, "3.000000"},
		{"1.5", 3, "1500.000000"},
		{"0.0000005", 0, "0.000000"},   // half to even: down
		{"0.0000015", 0, "0.000002"},   // half to even: up
		{"-0.0000025", 0, "-0.000002"}, // half to even, negative
		{"0.00000051", 0, "0.000001"},
		{"1", -9, "0.000000"},
		{"", 0, "bad"},
		{".", 0, "bad"},
		{"1.2.3", 0, "bad"},
		{"1e5", 0, "bad"},
		{" 1", 0, "bad"},
		{"0x10", 0, "bad"},
		{strings.Repeat("9", 32), 0, "99999999999999999999999999999999.000000"},
		{strings.Repeat("9", 33), 0, "too big"},
	} {
		n, ok, fits := ScaleDecimal(tc.mant, tc.exp10)
		got := n.ToString(DecimalScale)
		switch {
		case !ok:
			got = "bad"
		case !fits:
			got = "too big"
		}
		if got != tc.want {
			t.Errorf("ScaleDecimal(%q, %d) = %s, want %s", tc.mant, tc.exp10, got, tc.want)
		}
	}
}
