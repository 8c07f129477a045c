package salesforce

import (
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// The parsers below read a value's text without allocating in the forms Salesforce sends, and
// hand every other text to the general parser, so that each accepts and returns exactly what
// the general one does (parse_test.go checks them against each other).

// parseBool is strconv.ParseBool of text.
func parseBool(text []byte) (bool, error) {
	switch string(text) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return strconv.ParseBool(string(text))
}

// parseDate is time.Parse(time.DateOnly, text).
func parseDate(text []byte) (time.Time, error) {
	if len(text) == 10 && text[4] == '-' && text[7] == '-' {
		y, ok1 := digits(text[0:4])
		m, ok2 := digits(text[5:7])
		d, ok3 := digits(text[8:10])
		if ok1 && ok2 && ok3 && validDay(y, m, d) {
			return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Parse(time.DateOnly, string(text))
}

// parseDatetimeBytes is parseDatetime of text; the REST form in UTC
// (2025-01-15T10:22:03.000+0000) and the Bulk form (2025-01-15T10:22:03.000Z) are read directly.
func parseDatetimeBytes(text []byte) (time.Time, error) {
	if (len(text) == 28 && string(text[23:]) == "+0000") || (len(text) == 24 && text[23] == 'Z') {
		if t, ok := utcMillis(text[:23]); ok {
			return t, nil
		}
	}
	return parseDatetime(string(text))
}

// utcMillis reads 2006-01-02T15:04:05.000 in UTC, with the ranges time.Parse checks.
func utcMillis(s []byte) (time.Time, bool) {
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	h, ok4 := digits(s[11:13])
	mi, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	ms, ok7 := digits(s[20:23])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || !validDay(y, mo, d) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC), true
}

// digits reads a fixed-width run of decimal digits.
func digits(s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// validDay reports whether y-m-d is a day of the proleptic Gregorian calendar (as time.Parse
// checks it).
func validDay(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// parseDecimal is decimal128.FromString(text, prec, scale). A plain decimal (-?digits, with at
// most scale digits after the point) whose scaled value has at most 18 digits is exact, and is
// read without math/big: FromString's rounding cannot change it.
func parseDecimal(text []byte, prec, scale int32) (decimal128.Num, error) {
	if v, ok := plainDecimal(text, int(scale)); ok {
		if n := decimal128.FromI64(v); n.FitsInPrecision(prec) {
			return n, nil
		}
	}
	return decimal128.FromString(string(text), prec, scale)
}

// plainDecimal returns text·10^scale for text of the form -?[0-9]+(\.[0-9]+)? with at most scale
// fractional digits and at most 18 significant digits in the result.
func plainDecimal(text []byte, scale int) (int64, bool) {
	i, neg := 0, false
	if len(text) > 0 && text[0] == '-' {
		i, neg = 1, true
	}
	var v int64
	sig, intDigits, frac := 0, 0, -1 // frac: digits after the point, -1 before it
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			if frac >= 0 {
				frac++
			} else {
				intDigits++
			}
			if v != 0 || c != '0' {
				sig++
			}
			v = v*10 + int64(c-'0')
			if sig > 18 {
				return 0, false
			}
		case c == '.' && frac < 0 && intDigits > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if intDigits == 0 || frac == 0 {
		return 0, false // no digits, or a point with none after it
	}
	frac = max(frac, 0)
	if frac > scale {
		return 0, false
	}
	for ; frac < scale; frac++ {
		if v != 0 {
			sig++
		}
		if sig > 18 {
			return 0, false
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, true
}
