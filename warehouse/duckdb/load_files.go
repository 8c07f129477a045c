package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/extract"
)

// offsetPattern matches a timestamp text that ends in an explicit UTC offset ("Z", "+02",
// "+0200", "+02:00") after its time of day. A bare date ("2024-03-10") has none.
const offsetPattern = `:\d\d(?:\.\d+)?\s*(?:[Zz]|UTC|GMT|[+-]\d\d(?::?\d\d)?)$`

// valueErrorMarker starts the messages of the error() calls planted in a file query.
const valueErrorMarker = "revops: "

// declared is a declared column resolved against the files.
type declared struct {
	extract.Column
	from string  // its name in the files
	duck sqlType // its DuckDB type; kind kOther with empty text when inferred
	file column  // the column as the reader produces it
}

func (d declared) inferred() bool { return d.Type == "" }

// valueCheck describes a value conversion done in SQL, to find the offending record when the
// load fails on it.
type valueCheck struct {
	col     declared
	bad     string // predicate over the reader's columns: the value does not convert
	problem string // what is wrong with such a value, and what to do
	naive   string // for timestamps without a zone: predicate true when the value has no offset
}

// filePlan is how one FileSet is read.
type filePlan struct {
	fs     *extract.FileSet
	decl   []declared
	extra  []column // the files' undeclared columns
	reader string   // the table function call reading every file
	query  string   // the SELECT producing the declared shape
	checks []valueCheck
	naive  []declared // Parquet columns whose type is a naive timestamp, declared without a zone
}

// appendFiles loads a FileSet natively with read_csv, read_json or read_parquet in one
// INSERT … SELECT (or CREATE TABLE … AS) that converts and checks every declared column.
func (l *load) appendFiles(ctx context.Context, fs *extract.FileSet) (int64, error) {
	if len(fs.Paths) == 0 {
		return 0, nil
	}
	decl, err := validateFileSet(fs)
	if err != nil {
		return 0, fmt.Errorf("append files to %s: %w", l.label, err)
	}
	if err := l.checkTimeZones(ctx, decl); err != nil {
		return 0, fmt.Errorf("append files to %s: %w", l.label, err)
	}
	plan, err := l.planFiles(ctx, fs, decl)
	if err != nil {
		return 0, fmt.Errorf("append %s files to %s: %w", fs.Format, l.label, err)
	}
	for _, d := range plan.naive {
		if err := l.rejectNaive(ctx, plan, d); err != nil {
			return 0, err
		}
	}
	cols, err := l.describe(ctx, plan.query)
	if err != nil {
		return 0, fmt.Errorf("append %s files to %s: %w", fs.Format, l.label, err)
	}
	// Writing the rows of CSV or JSON in order costs DuckDB much more than Parquet's; see appendDirect.
	n, err := l.appendSource(ctx, plan.query, cols, fs.Format != extract.Parquet)
	if err == nil {
		return n, nil
	}
	if len(plan.checks) > 0 {
		// The transaction is aborted by the error: end it, then find the record outside it.
		l.rollback(ctx)
		if derr := l.diagnose(ctx, plan); derr != nil {
			return 0, derr
		}
	}
	var derr *duckdb.Error
	if errors.As(err, &derr) && derr.Type == duckdb.ErrorTypeConversion {
		return 0, messageError{err: err, msg: fmt.Sprintf("append %s files to %s: a value does not convert to its "+
			"column's declared type (fix the value, or declare the column as string): %s",
			fs.Format, l.label, compactConversionError(derr.Msg))}
	}
	return 0, fmt.Errorf("append %s files to %s: %w", fs.Format, l.label, err)
}

// messageError replaces the message of the error it wraps.
type messageError struct {
	err error
	msg string
}

func (e messageError) Error() string { return e.msg }
func (e messageError) Unwrap() error { return e.err }

// compactConversionError keeps what DuckDB's conversion error says about the value (its first
// paragraph: line, original line, column) and the line naming the file, and drops the dump of
// reader options that follows.
func compactConversionError(msg string) string {
	var keep []string
	paragraph := true
	for _, line := range strings.Split(msg, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			paragraph = false
		case paragraph || strings.HasPrefix(trimmed, "file = "):
			keep = append(keep, trimmed)
		}
	}
	return strings.Join(keep, "; ")
}

// validateFileSet checks the declarations that need no I/O.
func validateFileSet(fs *extract.FileSet) ([]declared, error) {
	switch fs.Format {
	case extract.CSV, extract.JSONL, extract.Parquet:
	default:
		return nil, fmt.Errorf("unknown file format %q (valid: csv, jsonl, parquet)", fs.Format)
	}
	if fs.CSV.SkipRows < 0 {
		return nil, fmt.Errorf("csv skip rows must be >= 0, got %d", fs.CSV.SkipRows)
	}
	for _, p := range fs.Paths {
		if p == "" {
			return nil, fmt.Errorf("empty file path")
		}
	}
	names, froms := map[string]bool{}, map[string]bool{}
	decl := make([]declared, 0, len(fs.Columns))
	for _, c := range fs.Columns {
		if c.Name == "" {
			return nil, fmt.Errorf("a declared column has no name")
		}
		d := declared{Column: c, from: c.From}
		if d.from == "" {
			d.from = c.Name
		}
		if names[strings.ToLower(c.Name)] {
			return nil, fmt.Errorf("column %q declared twice", c.Name)
		}
		if froms[strings.ToLower(d.from)] {
			return nil, fmt.Errorf("file column %q is the source of two declared columns", d.from)
		}
		names[strings.ToLower(c.Name)], froms[strings.ToLower(d.from)] = true, true
		if c.Type != "" {
			t, err := PortableType(c.Type)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", c.Name, err)
			}
			d.duck = parseType(t)
		}
		isTS := d.duck.kind == kTimestampTZ
		if c.TimeZone != "" && !isTS {
			return nil, fmt.Errorf("column %q: time_zone applies to timestamp columns only (type %q)", c.Name, c.Type)
		}
		if c.Format != "" && !isTS && d.duck.kind != kDate {
			return nil, fmt.Errorf("column %q: format applies to date and timestamp columns only (type %q)", c.Name, c.Type)
		}
		if isTS && c.Format != "" && c.TimeZone == "" && !formatHasOffset(c.Format) {
			return nil, fmt.Errorf("column %q: format %q reads no UTC offset (%%z), so every value would be "+
				"naive: set the column's time_zone to the zone its values are written in", c.Name, c.Format)
		}
		decl = append(decl, d)
	}
	if fs.SourceFileColumn != "" && names[strings.ToLower(fs.SourceFileColumn)] {
		return nil, fmt.Errorf("source file column %q is also a declared column", fs.SourceFileColumn)
	}
	if f := fs.Filter; f != nil {
		if f.Column == "" {
			return nil, fmt.Errorf("the filter names no column")
		}
		if f.Type != "" {
			if _, err := PortableType(f.Type); err != nil {
				return nil, fmt.Errorf("filter on %q: %w", f.Column, err)
			}
		}
	}
	return decl, nil
}

func formatHasOffset(f string) bool { return strings.Contains(f, "%z") || strings.Contains(f, "%Z") }

// checkTimeZones rejects a time_zone DuckDB does not know.
func (l *load) checkTimeZones(ctx context.Context, decl []declared) error {
	for _, d := range decl {
		if d.TimeZone == "" {
			continue
		}
		var ok bool
		if err := l.conn.QueryRowContext(ctx, "SELECT count(*) > 0 FROM pg_timezone_names() WHERE name = ?", d.TimeZone).Scan(&ok); err != nil {
			return fmt.Errorf("look up time zone %q: %w", d.TimeZone, err)
		}
		if !ok {
			return fmt.Errorf("column %q: unknown time_zone %q (use an IANA name such as America/New_York)", d.Name, d.TimeZone)
		}
	}
	return nil
}

// readerOptions are the parts of a reader call that vary between discovery and the load.
type readerOptions struct {
	paths   []string
	types   [][2]string // CSV: file column → type
	names   []string    // CSV without header: names of the leading columns
	columns [][2]string // JSON: every column → type (disables auto-detection)
}

// readerCall renders the table function call that reads the files.
func (l *load) readerCall(fs *extract.FileSet, o readerOptions) string {
	lit := func(s string) string { v, _ := l.d.QuoteLiteral(s); return v }
	list := func(items []string) string {
		q := make([]string, len(items))
		for i, s := range items {
			q[i] = lit(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	structLit := func(pairs [][2]string) string {
		q := make([]string, len(pairs))
		for i, p := range pairs {
			q[i] = lit(p[0]) + ": " + lit(p[1])
		}
		return "{" + strings.Join(q, ", ") + "}"
	}
	args := []string{list(o.paths)}
	if len(o.paths) > 1 {
		args = append(args, "union_by_name = true")
	}
	switch fs.Format {
	case extract.CSV:
		delim, quote := fs.CSV.Delimiter, fs.CSV.Quote
		if delim == "" {
			delim = ","
		}
		if quote == "" {
			quote = `"`
		}
		args = append(args, "header = "+fmt.Sprint(fs.CSV.Header), "delim = "+lit(delim), "quote = "+lit(quote))
		if fs.CSV.SkipRows > 0 {
			args = append(args, fmt.Sprintf("skip = %d", fs.CSV.SkipRows))
		}
		if fs.CSV.NullValue != "" {
			args = append(args, "nullstr = "+list([]string{"", fs.CSV.NullValue}))
		}
		if len(o.names) > 0 {
			args = append(args, "names = "+list(o.names))
		}
		if len(o.types) > 0 {
			args = append(args, "types = "+structLit(o.types))
		}
		return "read_csv(" + strings.Join(args, ", ") + ")"
	case extract.JSONL:
		args = append(args, "format = 'newline_delimited'")
		if len(o.columns) > 0 {
			args = append(args, "columns = "+structLit(o.columns))
		}
		return "read_json(" + strings.Join(args, ", ") + ")"
	default:
		return "read_parquet(" + strings.Join(args, ", ") + ")"
	}
}

// readerType is the type a CSV or JSON reader parses a declared column as; "" lets it infer.
// Timestamps, formatted dates and (in CSV) JSON are read as text and converted in SQL.
func readerType(format extract.FileFormat, d declared) string {
	switch {
	case d.inferred():
		return ""
	case d.duck.kind == kTimestampTZ, d.duck.kind == kDate && d.Format != "":
		return "VARCHAR"
	case d.duck.kind == kJSON && format == extract.CSV:
		return "VARCHAR"
	}
	return d.duck.text
}

// planFiles discovers the files' columns, matches them to the declarations and builds the query.
func (l *load) planFiles(ctx context.Context, fs *extract.FileSet, decl []declared) (*filePlan, error) {
	opts := readerOptions{paths: fs.Paths}
	if fs.Format == extract.CSV && !fs.CSV.Header {
		for _, d := range decl {
			opts.names = append(opts.names, d.from)
		}
	}
	fileCols, err := l.describe(ctx, "SELECT * FROM "+l.readerCall(fs, opts))
	if err != nil {
		return nil, fmt.Errorf("read the files' columns: %w", err)
	}
	var missing []string
	matched := map[string]bool{}
	for i := range decl {
		fc, ok := findColumn(fileCols, decl[i].from)
		if !ok && fs.Format == extract.JSONL {
			// JSON objects often leave out keys whose value is null, and the reader infers the
			// keys from a sample: a declared key it did not see is read all the same.
			t := readerType(fs.Format, decl[i])
			if t == "" {
				t = "VARCHAR"
			}
			decl[i].file = column{name: decl[i].from, typ: parseType(t)}
			continue
		}
		if !ok {
			missing = append(missing, decl[i].from)
			continue
		}
		decl[i].file = fc
		matched[strings.ToLower(fc.name)] = true
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("declared columns %s are not in the files (their columns: %s)",
			strings.Join(missing, ", "), columnNames(fileCols))
	}
	var extra []column
	for _, fc := range fileCols {
		if !matched[strings.ToLower(fc.name)] {
			extra = append(extra, fc)
		}
	}
	if fs.Strict && len(extra) > 0 {
		return nil, fmt.Errorf("the files have columns that are not declared (strict): %s; declare them, or set strict: false",
			columnNames(extra))
	}

	// The reader that parses the declared types.
	switch fs.Format {
	case extract.CSV:
		for i, d := range decl {
			if t := readerType(fs.Format, d); t != "" {
				opts.types = append(opts.types, [2]string{d.file.name, t})
				decl[i].file.typ = parseType(t)
			}
		}
	case extract.JSONL:
		for i, d := range decl {
			t := readerType(fs.Format, d)
			if t == "" {
				t = d.file.typ.text
			}
			opts.columns = append(opts.columns, [2]string{d.file.name, t})
			decl[i].file.typ = parseType(t)
		}
		for _, fc := range extra {
			opts.columns = append(opts.columns, [2]string{fc.name, fc.typ.text})
		}
	}
	plan := &filePlan{fs: fs, decl: decl, extra: extra, reader: l.readerCall(fs, opts)}

	var proj []string
	names := map[string]sqlType{}
	for _, d := range decl {
		expr, check, err := l.convert(fs.Format, d)
		if err != nil {
			return nil, err
		}
		if check != nil {
			plan.checks = append(plan.checks, *check)
		}
		if expr == "" { // a naive Parquet timestamp without a zone: checked by rejectNaive
			plan.naive = append(plan.naive, d)
			expr = "CAST(" + l.d.QuoteIdent(d.file.name) + " AS TIMESTAMPTZ)"
		}
		proj = append(proj, expr+" AS "+l.d.QuoteIdent(d.Name))
		t := d.duck
		if d.inferred() {
			t = d.file.typ
		}
		names[strings.ToLower(d.Name)] = t
	}
	for _, fc := range extra {
		proj = append(proj, l.d.QuoteIdent(fc.name))
		names[strings.ToLower(fc.name)] = fc.typ
	}
	if fs.SourceFileColumn != "" {
		if _, dup := names[strings.ToLower(fs.SourceFileColumn)]; dup {
			return nil, fmt.Errorf("source file column %q is also a column of the files", fs.SourceFileColumn)
		}
		proj = append(proj, "CAST(filename AS VARCHAR) AS "+l.d.QuoteIdent(fs.SourceFileColumn))
	}
	plan.query = "SELECT " + strings.Join(proj, ", ") + " FROM " + plan.reader
	if f := fs.Filter; f != nil {
		t, ok := names[strings.ToLower(f.Column)]
		if !ok {
			return nil, fmt.Errorf("filter column %q is not a column of the files", f.Column)
		}
		if f.Type != "" {
			pt, _ := PortableType(f.Type)
			t = parseType(pt)
		}
		after, err := l.d.QuoteLiteral(f.After)
		if err != nil {
			return nil, err
		}
		plan.query = "SELECT * FROM (" + plan.query + ") AS " + l.d.QuoteIdent("f") + " WHERE " +
			l.d.QuoteIdent(f.Column) + " > CAST(" + after + " AS " + t.text + ")"
	}
	return plan, nil
}
