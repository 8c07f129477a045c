package duckdb

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestQuoteIdent(t *testing.T) {
	var d Dialect
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"deals"}, `"deals"`},
		{[]string{"raw", "deals"}, `"raw"."deals"`},
		{[]string{"", "deals"}, `"deals"`},
		{[]string{`we"ird`}, `"we""ird"`},
		{[]string{`x"; DROP TABLE t; --`}, `"x""; DROP TABLE t; --"`},
		{[]string{"a.b"}, `"a.b"`},
	} {
		if got := d.QuoteIdent(c.parts...); got != c.want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", c.parts, got, c.want)
		}
	}
}

func TestQuoteLiteral(t *testing.T) {
	var d Dialect
	type myString string
	ptr := func(s string) *string { return &s }
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, "NULL"},
		{"it's", `'it''s'`},
		{`back\slash`, `'back\slash'`},
		{myString("x"), `'x'`},
		{ptr("p"), `'p'`},
		{(*string)(nil), "NULL"},
		{true, "TRUE"},
		{false, "FALSE"},
		{int8(-3), "-3"},
		{uint64(math.MaxUint64), "18446744073709551615"},
		{int64(math.MinInt64), "-9223372036854775808"},
		{1.5, "CAST(1.5 AS DOUBLE)"},
		{float32(0.25), "CAST(0.25 AS FLOAT)"},
		{1e300, "CAST(1e+300 AS DOUBLE)"},
		{time.Date(2024, 3, 10, 1, 30, 0, 123456789, time.FixedZone("x", -5*3600)), "TIMESTAMPTZ '2024-03-10 06:30:00.123456+00'"},
		{[]byte{0, 'a', 0xff}, `'\x00\x61\xff'::BLOB`},
	} {
		got, err := d.QuoteLiteral(c.v)
		if err != nil {
			t.Errorf("QuoteLiteral(%#v): %v", c.v, err)
			continue
		}
		if got != c.want {
			t.Errorf("QuoteLiteral(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), struct{}{}, []int{1}, map[string]int{}} {
		if got, err := d.QuoteLiteral(bad); err == nil {
			t.Errorf("QuoteLiteral(%#v) = %s, want an error", bad, got)
		}
	}
}

// TestQuotingRoundTrip runs quoted names and values through DuckDB: what comes back is exactly
// what went in, and injection-shaped input stays data.
func TestQuotingRoundTrip(t *testing.T) {
	w := openMemory(t)
	ctx := context.Background()
	var d Dialect
	for _, s := range []string{
		`'); DROP TABLE victim; --`,
		`it''s`,
		`a\'b`,
		"line\nbreak\ttab",
		`"double" quotes`,
		"ünïcödé ✓",
		"",
	} {
		lit, err := d.QuoteLiteral(s)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := w.QueryRow(ctx, "SELECT "+lit).Scan(&got); err != nil {
			t.Fatalf("SELECT %s: %v", lit, err)
		}
		if got != s {
			t.Errorf("literal round trip: got %q, want %q", got, s)
		}
	}

	if err := w.Exec(ctx, "CREATE TABLE victim (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	table := `evil"; DROP TABLE victim; --`
	col := `co"l'); --`
	if err := w.Exec(ctx, "CREATE TABLE "+d.QuoteIdent("main", table)+" ("+d.QuoteIdent(col)+" VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	val, _ := d.QuoteLiteral(`v'); DROP TABLE victim; --`)
	if err := w.Exec(ctx, "INSERT INTO "+d.QuoteIdent(table)+" VALUES ("+val+")"); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT table_name FROM duckdb_tables() ORDER BY table_name", table, "victim")
	wantRows(t, w, "SELECT "+d.QuoteIdent(col)+" FROM "+d.QuoteIdent(table), `v'); DROP TABLE victim; --`)

	// Other literal kinds round trip too.
	ts := time.Date(2024, 7, 1, 12, 0, 0, 500000000, time.FixedZone("CEST", 2*3600))
	tsLit, _ := d.QuoteLiteral(ts)
	var gotTS time.Time
	if err := w.QueryRow(ctx, "SELECT "+tsLit).Scan(&gotTS); err != nil {
		t.Fatal(err)
	}
	if !gotTS.Equal(ts) {
		t.Errorf("time literal: got %v, want %v", gotTS, ts)
	}
	blob, _ := d.QuoteLiteral([]byte{0, 1, 'x', 0xfe})
	var gotBlob []byte
	if err := w.QueryRow(ctx, "SELECT "+blob).Scan(&gotBlob); err != nil {
		t.Fatal(err)
	}
	if string(gotBlob) != "\x00\x01x\xfe" {
		t.Errorf("blob literal: got %q", gotBlob)
	}
	f, _ := d.QuoteLiteral(0.1)
	wantRows(t, w, "SELECT typeof("+f+"), "+f+" = 0.1::DOUBLE", "DOUBLE|true")
}

func TestColumnType(t *testing.T) {
	var d Dialect
	for _, c := range []struct {
		typ  arrow.DataType
		want string
	}{
		{arrow.FixedWidthTypes.Boolean, "BOOLEAN"},
		{arrow.PrimitiveTypes.Int8, "TINYINT"},
		{arrow.PrimitiveTypes.Int16, "SMALLINT"},
		{arrow.PrimitiveTypes.Int32, "INTEGER"},
		{arrow.PrimitiveTypes.Int64, "BIGINT"},
		{arrow.PrimitiveTypes.Uint8, "UTINYINT"},
		{arrow.PrimitiveTypes.Uint64, "UBIGINT"},
		{arrow.PrimitiveTypes.Float32, "FLOAT"},
		{arrow.PrimitiveTypes.Float64, "DOUBLE"},
		{arrow.BinaryTypes.String, "VARCHAR"},
		{arrow.BinaryTypes.LargeString, "VARCHAR"},
		{arrow.BinaryTypes.Binary, "BLOB"},
		{arrow.FixedWidthTypes.Date32, "DATE"},
		{arrow.FixedWidthTypes.Time64us, "TIME"},
		{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "TIMESTAMPTZ"},
		{&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}, "TIMESTAMPTZ"},
		{&arrow.TimestampType{Unit: arrow.Microsecond}, "TIMESTAMP"},
		{&arrow.TimestampType{Unit: arrow.Millisecond}, "TIMESTAMP_MS"},
		{&arrow.Decimal128Type{Precision: 18, Scale: 2}, "DECIMAL(18,2)"},
		{&arrow.Decimal128Type{Precision: 38, Scale: 0}, "DECIMAL(38,0)"},
		{arrow.ListOf(arrow.PrimitiveTypes.Int64), "BIGINT[]"},
		{arrow.StructOf(arrow.Field{Name: "a b", Type: arrow.BinaryTypes.String}), `STRUCT("a b" VARCHAR)`},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), "MAP(VARCHAR, DOUBLE)"},
	} {
		got, err := d.ColumnType(c.typ)
		if err != nil {
			t.Errorf("ColumnType(%s): %v", c.typ, err)
			continue
		}
		if got != c.want {
			t.Errorf("ColumnType(%s) = %s, want %s", c.typ, got, c.want)
		}
	}
	for _, bad := range []arrow.DataType{&arrow.Decimal256Type{Precision: 60, Scale: 2}, arrow.Null} {
		if got, err := d.ColumnType(bad); err == nil {
			t.Errorf("ColumnType(%s) = %s, want an error", bad, got)
		}
	}
}

func TestPortableType(t *testing.T) {
	for in, want := range map[string]string{
		"string": "VARCHAR", "boolean": "BOOLEAN", "integer": "BIGINT", "double": "DOUBLE",
		"decimal(18,2)": "DECIMAL(18,2)", "Decimal( 38 , 0 )": "DECIMAL(38,0)", "date": "DATE",
		"timestamp": "TIMESTAMPTZ", "json": "JSON",
	} {
		got, err := PortableType(in)
		if err != nil || got != want {
			t.Errorf("PortableType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"int", "decimal", "decimal(39,2)", "decimal(5,6)", "varchar", ""} {
		_, err := PortableType(bad)
		if err == nil {
			t.Errorf("PortableType(%q): want an error", bad)
		}
	}
	_, err := PortableType("text")
	errContains(t, err, `"text"`, "string, boolean, integer, double, decimal(p,s), date, timestamp, json")
}
