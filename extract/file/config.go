package file

import (
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/extract"
)

// config is the source's YAML block (the keys other than name and type).
type config struct {
	Streams []streamConfig `yaml:"streams,required"`
}

type streamConfig struct {
	Name   string   `yaml:"name,required"`
	Path   string   `yaml:"path"`
	Paths  []string `yaml:"paths"`
	Format string   `yaml:"format"`
	// PrimaryKey is a string or a list of strings.
	PrimaryKey       any            `yaml:"primary_key"`
	Incremental      string         `yaml:"incremental"`
	CursorField      string         `yaml:"cursor_field"`
	Strict           bool           `yaml:"strict"`
	SourceFileColumn string         `yaml:"source_file_column"`
	CSV              *csvConfig     `yaml:"csv"`
	Columns          []columnConfig `yaml:"columns"`
}

// csvConfig uses pointers where the zero value is a meaningful setting.
type csvConfig struct {
	Delimiter *string `yaml:"delimiter"`
	Quote     *string `yaml:"quote"`
	Header    *bool   `yaml:"header"`
	Null      string  `yaml:"null"`
	SkipRows  int     `yaml:"skip_rows"`
}

type columnConfig struct {
	Name     string `yaml:"name,required"`
	Type     string `yaml:"type"`
	TimeZone string `yaml:"time_zone"`
	Format   string `yaml:"format"`
	From     string `yaml:"from"`
}

// mode is a stream's incremental mode.
type mode string

const (
	modeFull   mode = "full"
	modeFiles  mode = "files"
	modeCursor mode = "cursor"
)

// stream is a validated stream configuration.
type stream struct {
	name       string
	patterns   []string // as configured, slash-separated
	mode       mode
	primaryKey []string
	// cursor is the declared cursor column (mode cursor only).
	cursor *extract.Column
	// template is the FileSet every batch starts from (Paths and Filter unset).
	template extract.FileSet
}

// validName reports whether s matches [a-z_][a-z0-9_]*.
func validName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// problems collects validation errors of one stream, each prefixed with the source and stream.
type problems struct {
	source, stream string
	errs           []error
}

func (p *problems) addf(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("file source %s: stream %s: %w", p.source, p.stream, fmt.Errorf(format, args...)))
}

// validateStream checks one stream's configuration without any file I/O.
func validateStream(source string, index int, sc streamConfig) (*stream, []error) {
	label := sc.Name
	if label == "" {
		label = fmt.Sprintf("#%d", index+1)
	}
	p := &problems{source: source, stream: label}
	st := &stream{name: sc.Name}
	if !validName(sc.Name) {
		p.addf("name %q is not valid: use lower-case letters, digits and _, not starting with a digit", sc.Name)
	}
	st.patterns = validatePaths(p, sc.Path, sc.Paths)
	st.template.Columns = validateColumns(p, sc.Columns)
	validateFormat(p, st, sc)
	st.template.Strict = sc.Strict
	if sc.Strict && len(sc.Columns) == 0 {
		p.addf("strict: true loads only declared columns, but none are declared: declare columns or remove strict")
	}
	st.primaryKey = validatePrimaryKey(p, sc)
	st.mode, st.cursor = validateIncremental(p, sc, st.template.Columns)
	st.template.SourceFileColumn = validateSourceFileColumn(p, sc)
	return st, p.errs
}

func validatePaths(p *problems, single string, list []string) []string {
	var patterns []string
	switch {
	case single != "" && len(list) > 0:
		p.addf("set either path or paths, not both")
		return nil
	case single != "":
		patterns = []string{single}
	case len(list) > 0:
		patterns = list
	default:
		p.addf("path is required: a file or glob relative to the project directory, e.g. path: data/subscriptions/*.csv")
		return nil
	}
	out := make([]string, 0, len(patterns))
	for _, pat := range patterns {
		norm, err := validatePattern(pat)
		if err != nil {
			p.addf("path %q: %w", pat, err)
			continue
		}
		out = append(out, norm)
	}
	return out
}

func validateFormat(p *problems, st *stream, sc streamConfig) {
	if len(st.patterns) == 0 && sc.Format == "" {
		return // no valid path to infer from: already reported
	}
	format, tsv, err := resolveFormat(sc.Format, st.patterns)
	if err != nil {
		p.addf("%w", err)
		return
	}
	st.template.Format = format
	if format != extract.CSV {
		if sc.CSV != nil {
			p.addf("csv options apply only to format csv, and this stream's format is %s: remove the csv block", format)
		}
		return
	}
	st.template.CSV = validateCSV(p, sc.CSV, tsv)
	if !st.template.CSV.Header {
		if len(sc.Columns) == 0 {
			p.addf("csv header: false needs the columns declared, in file order (they are matched by position)")
		}
		for _, c := range sc.Columns {
			if c.From != "" {
				p.addf("column %s: from has no meaning with csv header: false (columns are matched by position): remove it", c.Name)
			}
		}
	}
}

func validateCSV(p *problems, c *csvConfig, tsv bool) extract.CSVOptions {
	opts := extract.CSVOptions{Delimiter: ",", Quote: `"`, Header: true}
	if tsv {
		opts.Delimiter = "\t"
	}
	if c == nil {
		return opts
	}
	if c.Delimiter != nil {
		opts.Delimiter = *c.Delimiter
		if len([]rune(opts.Delimiter)) != 1 {
			p.addf("csv delimiter %q must be exactly one character (use \"\\t\" for tab)", opts.Delimiter)
		}
	}
	if c.Quote != nil {
		opts.Quote = *c.Quote
		if len([]rune(opts.Quote)) != 1 {
			p.addf("csv quote %q must be exactly one character", opts.Quote)
		}
	}
	if opts.Quote == opts.Delimiter {
		p.addf("csv quote and delimiter are both %q: they must differ", opts.Quote)
	}
	if c.Header != nil {
		opts.Header = *c.Header
	}
	if c.SkipRows < 0 {
		p.addf("csv skip_rows is %d: it must be 0 or more", c.SkipRows)
	}
	opts.NullValue, opts.SkipRows = c.Null, c.SkipRows
	return opts
}

func validateColumns(p *problems, cols []columnConfig) []extract.Column {
	out := make([]extract.Column, 0, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if c.Name == "" {
			p.addf("columns[%d]: name is required", i)
			continue
		}
		if seen[strings.ToLower(c.Name)] {
			p.addf("column %s is declared twice (names are case-insensitive)", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		out = append(out, validateColumn(p, c))
	}
	return out
}

func validateColumn(p *problems, c columnConfig) extract.Column {
	col := extract.Column{Name: c.Name, TimeZone: c.TimeZone, Format: c.Format, From: c.From}
	if c.Type != "" {
		t, err := parseType(c.Type)
		if err != nil {
			p.addf("column %s: %w", c.Name, err)
		}
		col.Type = t
	}
	if c.TimeZone != "" {
		if col.Type != "timestamp" {
			p.addf("column %s: time_zone applies only to type timestamp (this column is %s)", c.Name, typeLabel(col.Type))
		} else if err := checkTimeZone(c.TimeZone); err != nil {
			p.addf("column %s: %w", c.Name, err)
		}
	}
	if c.Format != "" && col.Type != "date" && col.Type != "timestamp" {
		p.addf("column %s: format applies only to types date and timestamp (this column is %s)", c.Name, typeLabel(col.Type))
	}
	if c.Format != "" && !strings.Contains(c.Format, "%") {
		p.addf("column %s: format %q has no %% directive: use strptime directives such as %%Y-%%m-%%d", c.Name, c.Format)
	}
	return col
}

func typeLabel(t string) string {
	if t == "" {
		return "inferred"
	}
	return t
}

func checkTimeZone(name string) error {
	if name == "Local" {
		return fmt.Errorf("time_zone Local depends on the machine: name an IANA zone such as America/New_York or UTC")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("time_zone %q is not a known IANA zone (e.g. America/New_York, Europe/Paris, UTC): %w", name, err)
	}
	return nil
}

// findColumn returns the declared column named name (case-insensitively).
func findColumn(cols []extract.Column, name string) (extract.Column, bool) {
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return extract.Column{}, false
}

// renamedColumn returns the declared column whose file name (from) is name.
func renamedColumn(cols []extract.Column, name string) (extract.Column, bool) {
	for _, c := range cols {
		if c.From != "" && strings.EqualFold(c.From, name) {
			return c, true
		}
	}
	return extract.Column{}, false
}

// checkColumnRef checks that a key names a declared column, or may name an inferred one.
func checkColumnRef(p *problems, key, name string, cols []extract.Column, strict bool) {
	if _, ok := findColumn(cols, name); ok {
		return
	}
	if c, ok := renamedColumn(cols, name); ok {
		p.addf("%s %q is the column's name in the file: use its declared name %s", key, name, c.Name)
		return
	}
	if strict {
		p.addf("%s %q is not a declared column, and strict: true loads only declared columns: declare it", key, name)
	}
}

func validatePrimaryKey(p *problems, sc streamConfig) []string {
	var key []string
	switch v := sc.PrimaryKey.(type) {
	case nil:
		return nil
	case string:
		key = []string{v}
	case []string:
		key = v
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				p.addf("primary_key must be a column name or a list of column names, got %v", e)
				return nil
			}
			key = append(key, s)
		}
	default:
		p.addf("primary_key must be a column name or a list of column names, got %v", v)
		return nil
	}
	seen := map[string]bool{}
	for _, k := range key {
		if k == "" {
			p.addf("primary_key has an empty column name")
			continue
		}
		if seen[strings.ToLower(k)] {
			p.addf("primary_key lists %s twice", k)
		}
		seen[strings.ToLower(k)] = true
		checkColumnRef(p, "primary_key", k, validColumns(sc.Columns), sc.Strict)
	}
	return key
}

// validColumns maps column configs to columns without validating them (for name lookups).
func validColumns(cols []columnConfig) []extract.Column {
	out := make([]extract.Column, len(cols))
	for i, c := range cols {
		out[i] = extract.Column{Name: c.Name, From: c.From}
	}
	return out
}

// cursorTypes lists the types a cursor_field may have: those with a total order.
const cursorTypes = "integer, double, decimal(p,s), date, timestamp or string"

func validateIncremental(p *problems, sc streamConfig, cols []extract.Column) (mode, *extract.Column) {
	m := mode(sc.Incremental)
	switch m {
	case "":
		m = modeFull
	case modeFull, modeFiles, modeCursor:
	default:
		p.addf("incremental %q is not valid: use full (reload every file), files (load new and changed files) or cursor (load rows past cursor_field's maximum)", sc.Incremental)
		return modeFull, nil
	}
	if m != modeCursor {
		if sc.CursorField != "" {
			p.addf("cursor_field is only used with incremental: cursor (this stream is incremental: %s): remove it or set incremental: cursor", m)
		}
		return m, nil
	}
	return m, validateCursorField(p, sc, cols)
}

func validateCursorField(p *problems, sc streamConfig, cols []extract.Column) *extract.Column {
	if sc.CursorField == "" {
		p.addf("incremental: cursor needs cursor_field: the declared column whose maximum marks what was loaded")
		return nil
	}
	col, ok := findColumn(cols, sc.CursorField)
	if !ok {
		if c, renamed := renamedColumn(cols, sc.CursorField); renamed {
			p.addf("cursor_field %q is the column's name in the file: use its declared name %s", sc.CursorField, c.Name)
		} else {
			p.addf("cursor_field %q must be a declared column with a type (%s), so that its values compare correctly: add it to columns", sc.CursorField, cursorTypes)
		}
		return nil
	}
	if !isCursorType(col.Type) {
		p.addf("cursor_field %s has type %s: declare it as %s", col.Name, typeLabel(col.Type), cursorTypes)
		return nil
	}
	return &col
}

func isCursorType(t string) bool {
	switch t {
	case "integer", "double", "date", "timestamp", "string":
		return true
	}
	return strings.HasPrefix(t, "decimal(")
}

func validateSourceFileColumn(p *problems, sc streamConfig) string {
	name := sc.SourceFileColumn
	if name == "" {
		return ""
	}
	if strings.TrimSpace(name) != name {
		p.addf("source_file_column %q has leading or trailing spaces", name)
	}
	for _, c := range sc.Columns {
		if strings.EqualFold(c.Name, name) {
			p.addf("source_file_column %s is also a declared column: pick another name (e.g. _file)", name)
		}
	}
	return name
}
