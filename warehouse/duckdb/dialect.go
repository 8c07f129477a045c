package duckdb

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/warehouse"
)

// Dialect renders identifiers, literals and types for DuckDB. The zero value is ready to use.
type Dialect struct{}

var _ warehouse.Dialect = Dialect{}

// Name returns "duckdb".
func (Dialect) Name() string { return "duckdb" }

// QuoteIdent double-quotes each non-empty part (doubling embedded quotes) and joins them with
// ".". Empty parts are skipped, so a warehouse.Table with no Schema renders as its bare name.
func (Dialect) QuoteIdent(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(p, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// QuoteLiteral renders v as a DuckDB literal: nil as NULL; strings with doubled single quotes
// (DuckDB does not treat backslashes as escapes); booleans; integers; finite floats as DOUBLE
// (or FLOAT for float32); time.Time as a TIMESTAMPTZ in UTC with microseconds; []byte as a BLOB.
// Named types are rendered by their underlying kind. Anything else is an error.
func (Dialect) QuoteLiteral(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quoteString(x), nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case time.Time:
		return "TIMESTAMPTZ " + quoteString(x.UTC().Format("2006-01-02 15:04:05.999999")+"+00"), nil
	case []byte:
		if x == nil {
			return "NULL", nil
		}
		var b strings.Builder
		b.WriteString("'")
		for _, c := range x {
			b.WriteString(`\x`)
			b.WriteString(hex.EncodeToString([]byte{c}))
		}
		b.WriteString("'::BLOB")
		return b.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return quoteString(rv.String()), nil
	case reflect.Bool:
		return Dialect{}.QuoteLiteral(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("duckdb: cannot render non-finite float %v as a literal", f)
		}
		if rv.Kind() == reflect.Float32 {
			return "CAST(" + strconv.FormatFloat(f, 'g', -1, 32) + " AS FLOAT)", nil
		}
		return "CAST(" + strconv.FormatFloat(f, 'g', -1, 64) + " AS DOUBLE)", nil
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL", nil
		}
		return Dialect{}.QuoteLiteral(rv.Elem().Interface())
	}
	return "", fmt.Errorf("duckdb: cannot render a value of type %T as a literal", v)
}

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ColumnType renders the DuckDB column type for an Arrow type.
func (d Dialect) ColumnType(t arrow.DataType) (string, error) {
	switch t := t.(type) {
	case *arrow.BooleanType:
		return "BOOLEAN", nil
	case *arrow.Int8Type:
		return "TINYINT", nil
	case *arrow.Int16Type:
		return "SMALLINT", nil
	case *arrow.Int32Type:
		return "INTEGER", nil
	case *arrow.Int64Type:
		return "BIGINT", nil
	case *arrow.Uint8Type:
		return "UTINYINT", nil
	case *arrow.Uint16Type:
		return "USMALLINT", nil
	case *arrow.Uint32Type:
		return "UINTEGER", nil
	case *arrow.Uint64Type:
		return "UBIGINT", nil
	case *arrow.Float16Type, *arrow.Float32Type:
		return "FLOAT", nil
	case *arrow.Float64Type:
		return "DOUBLE", nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "VARCHAR", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		return "BLOB", nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return "DATE", nil
	case *arrow.Time32Type, *arrow.Time64Type:
		return "TIME", nil
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMPTZ", nil
		}
		switch t.Unit {
		case arrow.Second:
			return "TIMESTAMP_S", nil
		case arrow.Millisecond:
			return "TIMESTAMP_MS", nil
		case arrow.Nanosecond:
			return "TIMESTAMP_NS", nil
		default:
			return "TIMESTAMP", nil
		}
	case *arrow.DurationType, *arrow.MonthIntervalType, *arrow.DayTimeIntervalType, *arrow.MonthDayNanoIntervalType:
		return "INTERVAL", nil
	case arrow.DecimalType:
		p, s := t.GetPrecision(), t.GetScale()
		if p < 1 || p > 38 || s < 0 || s > p {
			return "", fmt.Errorf("duckdb: decimal(%d,%d) is outside DuckDB's DECIMAL range (precision 1..38)", p, s)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
	case *arrow.ListType:
		return d.listType(t.Elem(), "[]")
	case *arrow.LargeListType:
		return d.listType(t.Elem(), "[]")
	case *arrow.ListViewType:
		return d.listType(t.Elem(), "[]")
	case *arrow.FixedSizeListType:
		return d.listType(t.Elem(), "["+strconv.Itoa(int(t.Len()))+"]")
	case *arrow.MapType:
		k, err := d.ColumnType(t.KeyType())
		if err != nil {
			return "", err
		}
		v, err := d.ColumnType(t.ItemType())
		if err != nil {
			return "", err
		}
		return "MAP(" + k + ", " + v + ")", nil
	case *arrow.StructType:
		if t.NumFields() == 0 {
			return "", fmt.Errorf("duckdb: a struct with no fields has no DuckDB type")
		}
		parts := make([]string, t.NumFields())
		for i, f := range t.Fields() {
			ft, err := d.ColumnType(f.Type)
			if err != nil {
				return "", fmt.Errorf("struct field %q: %w", f.Name, err)
			}
			parts[i] = d.QuoteIdent(f.Name) + " " + ft
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")", nil
	case *arrow.DictionaryType:
		return d.ColumnType(t.ValueType)
	case arrow.ExtensionType:
		switch t.ExtensionName() {
		case "arrow.json":
			return "JSON", nil
		case "arrow.uuid":
			return "UUID", nil
		}
		return d.ColumnType(t.StorageType())
	}
	return "", fmt.Errorf("duckdb: no column type for Arrow type %s", t)
}

func (d Dialect) listType(elem arrow.DataType, suffix string) (string, error) {
	e, err := d.ColumnType(elem)
	if err != nil {
		return "", fmt.Errorf("list element: %w", err)
	}
	return e + suffix, nil
}

// portableTypes lists the portable types of extract.Column.Type, for error messages.
const portableTypes = "string, boolean, integer, double, decimal(p,s), date, timestamp, json"

// PortableType maps a portable column type (extract.Column.Type) to its DuckDB type:
// string→VARCHAR, boolean→BOOLEAN, integer→BIGINT, double→DOUBLE, decimal(p,s)→DECIMAL(p,s),
// date→DATE, timestamp→TIMESTAMPTZ (an instant), json→JSON.
func PortableType(t string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(t))
	switch n {
	case "string":
		return "VARCHAR", nil
	case "boolean":
		return "BOOLEAN", nil
	case "integer":
		return "BIGINT", nil
	case "double":
		return "DOUBLE", nil
	case "date":
		return "DATE", nil
	case "timestamp":
		return "TIMESTAMPTZ", nil
	case "json":
		return "JSON", nil
	}
	if rest, ok := strings.CutPrefix(n, "decimal"); ok {
		rest = strings.TrimSpace(rest)
		if inner, ok := strings.CutPrefix(rest, "("); ok {
			if inner, ok = strings.CutSuffix(inner, ")"); ok {
				ps := strings.Split(inner, ",")
				if len(ps) == 2 {
					p, err1 := strconv.Atoi(strings.TrimSpace(ps[0]))
					s, err2 := strconv.Atoi(strings.TrimSpace(ps[1]))
					if err1 == nil && err2 == nil && p >= 1 && p <= 38 && s >= 0 && s <= p {
						return fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
					}
				}
			}
		}
		return "", fmt.Errorf("invalid decimal type %q: write decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p", t)
	}
	return "", fmt.Errorf("unknown column type %q (valid: %s)", t, portableTypes)
}
