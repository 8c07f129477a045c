package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/revops/revops/extract"
)

// convert returns the SQL expression that turns the reader's column into the declared column,
// with the check that finds a value it rejects. An empty expression (and no error) marks a
// naive Parquet timestamp declared without a time zone: it is an error if any value exists.
func (l *load) convert(format extract.FileFormat, d declared) (string, *valueCheck, error) {
	v := l.d.QuoteIdent(d.file.name)
	ft := d.file.typ
	if d.inferred() || strings.EqualFold(ft.text, d.duck.text) {
		return v, nil, nil
	}
	lit := func(s string) string { q, _ := l.d.QuoteLiteral(s); return q }
	switch d.duck.kind {
	case kTimestampTZ:
		return l.convertTimestamp(d, v, lit)
	case kDate:
		if ft.kind == kVarchar {
			if d.Format != "" {
				ok := "CAST(try_strptime(" + v + ", " + lit(d.Format) + ") AS DATE)"
				return l.checked(d, v, ok, "does not match the date format "+d.Format)
			}
			return l.checked(d, v, "TRY_CAST("+v+" AS DATE)", "is not a date (YYYY-MM-DD)")
		}
	case kJSON:
		if ft.kind == kVarchar {
			c := l.check(d, v+" IS NOT NULL AND NOT json_valid("+v+")", "is not valid JSON")
			return "CASE WHEN " + v + " IS NULL THEN NULL WHEN json_valid(" + v + ") THEN CAST(" + v +
				" AS JSON) ELSE " + l.raise(d, v) + " END", c, nil
		}
		return "to_json(" + v + ")", nil, nil
	case kVarchar:
		return "CAST(" + v + " AS VARCHAR)", nil, nil
	}
	if w, ok := widenLossless(d.duck, ft); ok && !w.change {
		return "CAST(" + v + " AS " + d.duck.text + ")", nil, nil
	}
	numeric := func(t sqlType) bool { return t.kind == kInt || t.kind == kFloat || t.kind == kDecimal }
	if ft.kind == kVarchar || numeric(ft) && numeric(d.duck) {
		return l.checked(d, v, "TRY_CAST("+v+" AS "+d.duck.text+")",
			"does not convert to "+d.duck.text+": fix the value, or declare the column as string")
	}
	return "", nil, fmt.Errorf("column %q: the files' type %s does not convert to the declared %s (%s) without loss; "+
		"declare the column as %s or string", d.Name, ft.text, d.Type, d.duck.text, ft.text)
}

// convertTimestamp reads instants. Values with an explicit offset keep it; values without one are
// local times in the declared zone, or an error when the column declares none.
func (l *load) convertTimestamp(d declared, v string, lit func(string) string) (string, *valueCheck, error) {
	ft := d.file.typ
	zone := lit(d.TimeZone)
	switch ft.kind {
	case kTimestamp, kDate: // naive by type (Parquet)
		if d.TimeZone == "" {
			return "", nil, nil
		}
		return "timezone(" + zone + ", CAST(" + v + " AS TIMESTAMP))", nil, nil
	case kVarchar:
	default:
		return "", nil, fmt.Errorf("column %q: the files' type %s cannot be read as a timestamp", d.Name, ft.text)
	}
	if d.Format != "" {
		parsed := "try_strptime(" + v + ", " + lit(d.Format) + ")"
		problem := "does not match the timestamp format " + d.Format
		if formatHasOffset(d.Format) {
			return l.checked(d, v, parsed, problem)
		}
		expr, c, err := l.checked(d, v, parsed, problem)
		return "timezone(" + zone + ", " + expr + ")", c, err
	}
	hasOffset := "regexp_matches(" + v + ", " + lit(offsetPattern) + ")"
	withOffset := "TRY_CAST(" + v + " AS TIMESTAMPTZ)"
	local := "TRY_CAST(" + v + " AS TIMESTAMP)"
	if d.TimeZone == "" {
		c := l.check(d, v+" IS NOT NULL AND (NOT "+hasOffset+" OR "+withOffset+" IS NULL)", "is not a timestamp")
		c.naive = "NOT " + hasOffset
		return "CASE WHEN " + v + " IS NULL THEN NULL WHEN " + hasOffset + " THEN coalesce(" + withOffset + ", " +
			l.raise(d, v) + ") ELSE " + l.raise(d, v) + " END", c, nil
	}
	c := l.check(d, v+" IS NOT NULL AND CASE WHEN "+hasOffset+" THEN "+withOffset+" IS NULL ELSE "+local+" IS NULL END",
		"is not a timestamp")
	return "CASE WHEN " + v + " IS NULL THEN NULL WHEN " + hasOffset + " THEN coalesce(" + withOffset + ", " +
		l.raise(d, v) + ") ELSE timezone(" + zone + ", coalesce(" + local + ", " + l.raise(d, v) + ")) END", c, nil
}

// checked converts with ok (an expression that is NULL when the value does not convert) and
// raises an error for a non-NULL value it rejects.
func (l *load) checked(d declared, v, ok, problem string) (string, *valueCheck, error) {
	c := l.check(d, v+" IS NOT NULL AND "+ok+" IS NULL", problem)
	return "CASE WHEN " + v + " IS NULL THEN NULL ELSE coalesce(" + ok + ", " + l.raise(d, v) + ") END", c, nil
}

func (l *load) check(d declared, bad, problem string) *valueCheck {
	return &valueCheck{col: d, bad: bad, problem: problem}
}

// raise is an error() call naming the column, the value and the file. diagnose replaces it with
// a message that names the record.
func (l *load) raise(d declared, v string) string {
	prefix, _ := l.d.QuoteLiteral(valueErrorMarker + "column " + d.Name + ": value ")
	return "error(concat(" + prefix + ", CAST(" + v + " AS VARCHAR), ' in file ', filename))"
}

// keyExprs renders the primary key of a file row, as the file names its columns; key columns
// the files do not have are left out.
func (l *load) keyExprs(plan *filePlan) (exprs, names []string) {
	for _, k := range l.spec.PrimaryKey {
		from := ""
		for _, d := range plan.decl {
			if strings.EqualFold(d.Name, k) {
				from = d.file.name
			}
		}
		if fc, ok := findColumn(plan.extra, k); ok && from == "" {
			from = fc.name
		}
		if from == "" {
			continue
		}
		exprs = append(exprs, "CAST("+l.d.QuoteIdent(from)+" AS VARCHAR)")
		names = append(names, k)
	}
	return exprs, names
}

// record describes a row of a file for an error message.
type record struct {
	file   string
	number int64 // 1-based, among the file's records
	key    string
	value  sql.NullString
}

func (r record) String() string {
	s := fmt.Sprintf("file %s, record %d", r.file, r.number)
	if r.key != "" {
		s += " (" + r.key + ")"
	}
	return s
}

// findRecord returns the first row of the files where pred holds, or nil. extra are selected too
// (each a boolean expression, in order).
func (l *load) findRecord(ctx context.Context, plan *filePlan, value, pred string, extra ...string) (*record, []bool, error) {
	keys, keyNames := l.keyExprs(plan)
	cols := append([]string{"CAST(" + value + " AS VARCHAR)"}, keys...)
	cols = append(cols, extra...)
	scan := func(q string, r *record, pre ...any) ([]bool, bool, error) {
		keyVals := make([]sql.NullString, len(keys))
		flags := make([]bool, len(extra))
		dest := append(pre, &r.value)
		for i := range keyVals {
			dest = append(dest, &keyVals[i])
		}
		for i := range flags {
			dest = append(dest, &flags[i])
		}
		err := l.conn.QueryRowContext(ctx, q).Scan(dest...)
		if err == sql.ErrNoRows {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		var parts []string
		for i, kv := range keyVals {
			parts = append(parts, keyNames[i]+"="+kv.String)
		}
		r.key = strings.Join(parts, ", ")
		return flags, true, nil
	}
	if plan.fs.Format == extract.Parquet {
		var r record
		q := "SELECT CAST(filename AS VARCHAR), file_row_number + 1, " + strings.Join(cols, ", ") +
			" FROM " + plan.reader + " WHERE " + pred + " LIMIT 1"
		flags, found, err := scan(q, &r, &r.file, &r.number)
		if err != nil || !found {
			return nil, nil, err
		}
		return &r, flags, nil
	}
	// CSV and JSON have no row numbers: read the files one by one, in order, with ordinality.
	single := *plan.fs
	for _, p := range plan.fs.Paths {
		single.Paths = []string{p}
		opts := readerOptions{paths: single.Paths}
		switch single.Format {
		case extract.CSV:
			if !single.CSV.Header {
				for _, d := range plan.decl {
					opts.names = append(opts.names, d.from)
				}
			}
			for _, d := range plan.decl {
				if t := readerType(single.Format, d); t != "" {
					opts.types = append(opts.types, [2]string{d.file.name, t})
				}
			}
		case extract.JSONL:
			for _, d := range plan.decl {
				opts.columns = append(opts.columns, [2]string{d.file.name, d.file.typ.text})
			}
		}
		r := record{file: p}
		q := "SELECT ordinality, " + strings.Join(cols, ", ") + " FROM (SELECT * FROM " +
			l.readerCall(&single, opts) + " WITH ORDINALITY) AS " + l.d.QuoteIdent("r") + " WHERE " + pred + " LIMIT 1"
		flags, found, err := scan(q, &r, &r.number)
		if err != nil {
			return nil, nil, err
		}
		if found {
			return &r, flags, nil
		}
	}
	return nil, nil, nil
}

// diagnose finds the first record a check rejects and returns an error naming it, or nil.
func (l *load) diagnose(ctx context.Context, plan *filePlan) error {
	for _, c := range plan.checks {
		var extra []string
		if c.naive != "" {
			extra = append(extra, c.naive)
		}
		v := l.d.QuoteIdent(c.col.file.name)
		r, flags, err := l.findRecord(ctx, plan, v, c.bad, extra...)
		if err != nil || r == nil {
			continue // the check is not what failed; report the original error
		}
		problem := c.problem
		if len(flags) > 0 && flags[0] {
			problem = "has no UTC offset, and the column declares no time_zone: declare the zone the values " +
				"are written in (time_zone), or write the offset in the values"
		}
		return fmt.Errorf("append %s files to %s: %s: column %q: value %q %s",
			plan.fs.Format, l.label, r, c.col.Name, r.value.String, problem)
	}
	return nil
}

// rejectNaive fails when a Parquet column of a naive timestamp type, declared without a zone,
// holds a value: such a value is not an instant, and is never taken as UTC.
func (l *load) rejectNaive(ctx context.Context, plan *filePlan, d declared) error {
	v := l.d.QuoteIdent(d.file.name)
	r, _, err := l.findRecord(ctx, plan, v, v+" IS NOT NULL")
	if err != nil {
		return fmt.Errorf("append %s files to %s: check column %q for naive timestamps: %w", plan.fs.Format, l.label, d.Name, err)
	}
	if r == nil {
		return nil
	}
	return fmt.Errorf("append %s files to %s: %s: column %q: value %q is a timestamp without time zone "+
		"(the file's type is %s) and the column declares no time_zone: declare the zone the values are "+
		"written in (time_zone)", plan.fs.Format, l.label, r, d.Name, r.value.String, d.file.typ.text)
}
