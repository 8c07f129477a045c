package duckdb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/revops/revops/warehouse"
)

// kind classifies a DuckDB column type for the widening rules of schema drift.
type kind int

const (
	kOther kind = iota // compared by exact type text only (nested, UUID, INTERVAL, …)
	kNull              // the type of an all-NULL Arrow column: fits anywhere
	kBool
	kInt
	kFloat
	kDecimal
	kVarchar
	kJSON
	kBlob
	kDate
	kTimestamp   // naive TIMESTAMP, TIMESTAMP_S/_MS/_NS
	kTimestampTZ // TIMESTAMP WITH TIME ZONE: an instant
	kTime
)

// sqlType is a parsed DuckDB column type (as DESCRIBE prints it).
type sqlType struct {
	text     string // canonical DDL text
	kind     kind
	bits     int  // integers and floats
	unsigned bool // integers
	prec     int  // decimals; for kTimestamp the sub-second precision rank (0 s … 3 ns)
	scale    int  // decimals
}

// intType returns the integer type of a DuckDB type name.
func intType(name string) (sqlType, bool) {
	t := sqlType{text: name, kind: kInt}
	switch name {
	case "TINYINT", "UTINYINT":
		t.bits = 8
	case "SMALLINT", "USMALLINT":
		t.bits = 16
	case "INTEGER", "UINTEGER":
		t.bits = 32
	case "BIGINT", "UBIGINT":
		t.bits = 64
	case "HUGEINT", "UHUGEINT":
		t.bits = 128
	default:
		return sqlType{}, false
	}
	t.unsigned = name[0] == 'U'
	return t, true
}

// parseType classifies the type text DuckDB reports (DESCRIBE) or that PortableType returns.
func parseType(text string) sqlType {
	t := strings.TrimSpace(text)
	u := strings.ToUpper(t)
	if it, ok := intType(u); ok {
		return it
	}
	switch u {
	case `"NULL"`, "NULL":
		return sqlType{text: "NULL", kind: kNull}
	case "BOOLEAN":
		return sqlType{text: u, kind: kBool}
	case "FLOAT":
		return sqlType{text: u, kind: kFloat, bits: 32}
	case "DOUBLE":
		return sqlType{text: u, kind: kFloat, bits: 64}
	case "VARCHAR":
		return sqlType{text: u, kind: kVarchar}
	case "JSON":
		return sqlType{text: u, kind: kJSON}
	case "BLOB":
		return sqlType{text: u, kind: kBlob}
	case "DATE":
		return sqlType{text: u, kind: kDate}
	case "TIME":
		return sqlType{text: u, kind: kTime}
	case "TIMESTAMP_S":
		return sqlType{text: u, kind: kTimestamp, prec: 0}
	case "TIMESTAMP_MS":
		return sqlType{text: u, kind: kTimestamp, prec: 1}
	case "TIMESTAMP":
		return sqlType{text: u, kind: kTimestamp, prec: 2}
	case "TIMESTAMP_NS":
		return sqlType{text: u, kind: kTimestamp, prec: 3}
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		return sqlType{text: "TIMESTAMPTZ", kind: kTimestampTZ}
	}
	if inner, ok := strings.CutPrefix(u, "DECIMAL("); ok {
		if inner, ok = strings.CutSuffix(inner, ")"); ok {
			if p, s, ok := strings.Cut(inner, ","); ok {
				pi, e1 := strconv.Atoi(strings.TrimSpace(p))
				si, e2 := strconv.Atoi(strings.TrimSpace(s))
				if e1 == nil && e2 == nil {
					return decimalType(pi, si)
				}
			}
		}
	}
	return sqlType{text: t, kind: kOther}
}

func decimalType(p, s int) sqlType {
	return sqlType{text: fmt.Sprintf("DECIMAL(%d,%d)", p, s), kind: kDecimal, prec: p, scale: s}
}

// intDigits is the number of decimal digits an integer type needs.
func intDigits(t sqlType) int {
	switch t.bits {
	case 8:
		return 3
	case 16:
		return 5
	case 32:
		return 10
	case 64:
		if t.unsigned {
			return 20
		}
		return 19
	}
	return 39
}

// intFits reports whether every value of integer type small fits in integer type big.
func intFits(small, big sqlType) bool {
	switch {
	case small.unsigned == big.unsigned:
		return small.bits <= big.bits
	case small.unsigned: // unsigned into signed needs one more bit
		return small.bits < big.bits
	default: // signed into unsigned never fits
		return false
	}
}

// intSupertype is the narrowest integer type holding both, ok=false when none does.
func intSupertype(a, b sqlType) (sqlType, bool) {
	if intFits(a, b) {
		return b, true
	}
	if intFits(b, a) {
		return a, true
	}
	// one signed, one unsigned: a signed type twice the unsigned width
	bits := max(a.bits, b.bits)
	if a.unsigned && a.bits >= b.bits || b.unsigned && b.bits >= a.bits {
		bits *= 2
	}
	for _, name := range []string{"SMALLINT", "INTEGER", "BIGINT", "HUGEINT"} {
		if t, _ := intType(name); t.bits >= bits {
			return t, true
		}
	}
	return sqlType{}, false
}

// widening is what a column of type have must become to hold values of type got.
type widening struct {
	to     sqlType // the new type when change is true
	change bool
}

// errIncompatible marks a type change that no lossless widening covers.
type errIncompatible struct{ have, got sqlType }

func (e errIncompatible) Error() string {
	return fmt.Sprintf("type changed from %s to %s", e.have.text, e.got.text)
}

// widen decides how a column of type have takes values of type got: no change (got converts
// to have without loss), a lossless widening of have, or (with policy string) VARCHAR.
// An incompatible change with policy error returns errIncompatible.
func widen(have, got sqlType, policy warehouse.OnTypeChange) (widening, error) {
	w, ok := widenLossless(have, got)
	if ok {
		return w, nil
	}
	if policy == warehouse.TypeChangeString {
		return widening{to: parseType("VARCHAR"), change: true}, nil
	}
	return widening{}, errIncompatible{have: have, got: got}
}

func widenLossless(have, got sqlType) (widening, bool) {
	same := widening{}
	to := func(t sqlType) (widening, bool) {
		if t.text == have.text {
			return same, true
		}
		return widening{to: t, change: true}, true
	}
	if strings.EqualFold(have.text, got.text) || got.kind == kNull {
		return same, true
	}
	switch have.kind {
	case kNull:
		return to(got)
	case kVarchar:
		return same, true // every value has a text form
	case kJSON:
		if got.kind == kOther && isNested(got.text) {
			return same, true
		}
		return same, false
	case kInt:
		switch got.kind {
		case kInt:
			if t, ok := intSupertype(have, got); ok {
				return to(t)
			}
		case kFloat:
			return to(parseType("DOUBLE"))
		case kDecimal:
			return decimalSupertype(intDigits(have), 0, got.prec-got.scale, got.scale, to)
		}
	case kFloat:
		switch got.kind {
		case kInt, kDecimal:
			return to(parseType("DOUBLE"))
		case kFloat:
			if got.bits > have.bits {
				return to(got)
			}
			return same, true
		}
	case kDecimal:
		switch got.kind {
		case kInt:
			return decimalSupertype(have.prec-have.scale, have.scale, intDigits(got), 0, to)
		case kDecimal:
			return decimalSupertype(have.prec-have.scale, have.scale, got.prec-got.scale, got.scale, to)
		}
	case kDate:
		if got.kind == kTimestamp || got.kind == kTimestampTZ {
			return to(got)
		}
	case kTimestamp:
		switch got.kind {
		case kDate:
			return same, true
		case kTimestamp:
			if got.prec > have.prec {
				return to(got)
			}
			return same, true
		}
	case kTimestampTZ:
		if got.kind == kDate {
			return same, true
		}
	}
	return same, false
}

func decimalSupertype(intA, scaleA, intB, scaleB int, to func(sqlType) (widening, bool)) (widening, bool) {
	s := max(scaleA, scaleB)
	p := max(intA, intB) + s
	if p > 38 {
		return widening{}, false
	}
	return to(decimalType(p, s))
}

func isNested(text string) bool {
	u := strings.ToUpper(text)
	return strings.HasSuffix(u, "]") || strings.HasPrefix(u, "STRUCT(") || strings.HasPrefix(u, "MAP(")
}
