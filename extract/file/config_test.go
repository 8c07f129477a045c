package file

import (
	"reflect"
	"strings"
	"testing"

	"github.com/revops/revops/extract"
)

func col(name, typ string, kv ...string) m {
	c := m{"name": name, "type": typ}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	ts := col("updated_at", "timestamp", "time_zone", "UTC")
	tests := []struct {
		name    string
		streams []any
		want    []string // substrings of the error
	}{
		{"no streams", []any{}, []string{"streams is empty"}},
		{"bad name", []any{m{"name": "Subs", "path": "a.csv"}}, []string{"stream Subs", `name "Subs" is not valid`}},
		{"duplicate name", []any{m{"name": "s", "path": "a.csv"}, m{"name": "s", "path": "b.csv"}}, []string{"stream s is declared twice"}},
		{"no path", []any{m{"name": "s"}}, []string{"stream s", "path is required"}},
		{"path and paths", []any{m{"name": "s", "path": "a.csv", "paths": []any{"b.csv"}}}, []string{"either path or paths"}},
		{"bad glob", []any{m{"name": "s", "path": "data/[a.csv"}}, []string{`path "data/[a.csv"`, "not a valid glob"}},
		{"partial **", []any{m{"name": "s", "path": "data/a**/x.csv"}}, []string{"** must be a whole path segment"}},
		{"no extension", []any{m{"name": "s", "path": "data/*"}}, []string{"cannot infer the format", "set format"}},
		{"mixed formats", []any{m{"name": "s", "paths": []any{"a.csv", "b.parquet"}}}, []string{"different formats"}},
		{"csv and tsv", []any{m{"name": "s", "paths": []any{"a.csv", "b.tsv"}}}, []string{"mix .csv and .tsv"}},
		{"bad format", []any{m{"name": "s", "path": "a.csv", "format": "xlsx"}}, []string{`format "xlsx" is not valid`}},
		{"csv options on parquet", []any{m{"name": "s", "path": "a.parquet", "csv": m{"header": false}}}, []string{"csv options apply only to format csv"}},
		{"bad delimiter", []any{m{"name": "s", "path": "a.csv", "csv": m{"delimiter": ";;"}}}, []string{"delimiter", "exactly one character"}},
		{"quote equals delimiter", []any{m{"name": "s", "path": "a.csv", "csv": m{"quote": ","}}}, []string{"must differ"}},
		{"negative skip", []any{m{"name": "s", "path": "a.csv", "csv": m{"skip_rows": -1}}}, []string{"skip_rows is -1"}},
		{"headerless without columns", []any{m{"name": "s", "path": "a.csv", "csv": m{"header": false}}}, []string{"header: false needs the columns"}},
		{"headerless with from", []any{m{"name": "s", "path": "a.csv", "csv": m{"header": false}, "columns": []any{col("a", "string", "from", "A")}}}, []string{"from has no meaning"}},
		{"bad type", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "int")}}}, []string{"column a", `type "int" is not valid`}},
		{"decimal precision", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "decimal(39,2)")}}}, []string{"precision must be between 1 and 38"}},
		{"decimal scale", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "decimal(5,6)")}}}, []string{"scale must be between 0 and the precision"}},
		{"decimal syntax", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "decimal")}}}, []string{"decimal(precision,scale)"}},
		{"duplicate column", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "string"), col("A", "string")}}}, []string{"column A is declared twice"}},
		{"time_zone on date", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("d", "date", "time_zone", "UTC")}}}, []string{"time_zone applies only to type timestamp"}},
		{"unknown time_zone", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("t", "timestamp", "time_zone", "Mars/Olympus")}}}, []string{`time_zone "Mars/Olympus" is not a known IANA zone`}},
		{"Local time_zone", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("t", "timestamp", "time_zone", "Local")}}}, []string{"depends on the machine"}},
		{"format on string", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "string", "format", "%Y")}}}, []string{"format applies only to types date and timestamp"}},
		{"format without directive", []any{m{"name": "s", "path": "a.csv", "columns": []any{col("a", "date", "format", "YYYY-MM-DD")}}}, []string{"has no % directive"}},
		{"strict without columns", []any{m{"name": "s", "path": "a.csv", "strict": true}}, []string{"strict: true loads only declared columns"}},
		{"strict key undeclared", []any{m{"name": "s", "path": "a.csv", "strict": true, "primary_key": "id", "columns": []any{col("a", "string")}}}, []string{`primary_key "id" is not a declared column`}},
		{"key names file column", []any{m{"name": "s", "path": "a.csv", "primary_key": "Monthly Amount", "columns": []any{col("mrr", "double", "from", "Monthly Amount")}}}, []string{"use its declared name mrr"}},
		{"key twice", []any{m{"name": "s", "path": "a.csv", "primary_key": []any{"id", "ID"}}}, []string{"primary_key lists ID twice"}},
		{"key not strings", []any{m{"name": "s", "path": "a.csv", "primary_key": []any{1}}}, []string{"primary_key must be a column name or a list"}},
		{"bad incremental", []any{m{"name": "s", "path": "a.csv", "incremental": "append"}}, []string{`incremental "append" is not valid`}},
		{"cursor_field without cursor", []any{m{"name": "s", "path": "a.csv", "cursor_field": "u"}}, []string{"cursor_field is only used with incremental: cursor"}},
		{"cursor without field", []any{m{"name": "s", "path": "a.csv", "incremental": "cursor"}}, []string{"incremental: cursor needs cursor_field"}},
		{"cursor undeclared", []any{m{"name": "s", "path": "a.csv", "incremental": "cursor", "cursor_field": "u"}}, []string{`cursor_field "u" must be a declared column`}},
		{"cursor untyped", []any{m{"name": "s", "path": "a.csv", "incremental": "cursor", "cursor_field": "u", "columns": []any{m{"name": "u"}}}}, []string{"cursor_field u has type inferred"}},
		{"cursor boolean", []any{m{"name": "s", "path": "a.csv", "incremental": "cursor", "cursor_field": "u", "columns": []any{col("u", "boolean")}}}, []string{"cursor_field u has type boolean"}},
		{"source_file_column clash", []any{m{"name": "s", "path": "a.csv", "source_file_column": "a", "columns": []any{col("a", "string")}}}, []string{"source_file_column a is also a declared column"}},
		{"decoder error", []any{m{"name": "s", "path": "a.csv", "bogus": 1}}, []string{"file source billing: revops.yaml:", `unknown key "bogus"`}},
		{"wrong type", []any{m{"name": "s", "path": "a.csv", "strict": "yes"}}, []string{"file source billing: revops.yaml:"}},
		{"missing required name", []any{m{"path": "a.csv"}}, []string{`missing required key "name"`}},
		{"all errors at once", []any{m{"name": "s", "path": "a.csv", "incremental": "cursor", "cursor_field": "updated_at", "columns": []any{ts, col("x", "decimal(0,0)")}, "csv": m{"skip_rows": -2}}},
			[]string{"precision must be between", "skip_rows is -2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(extract.Config{Name: "billing", Dir: "/nonexistent", Decode: decodeFrom(m{"streams": tt.streams})})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "file source billing: ") {
				t.Errorf("error %q does not name the source", err)
			}
		})
	}
}

func TestNewAcceptsValidConfig(t *testing.T) {
	src := newSource(t, "/nonexistent", // New does no file I/O: the directory need not exist
		m{"name": "subscriptions", "path": "data/subscriptions/*.csv", "primary_key": "subscription_id",
			"incremental": "cursor", "cursor_field": "updated_at", "source_file_column": "_file",
			"csv": m{"null": "NA", "skip_rows": 1},
			"columns": []any{col("subscription_id", "string"), col("updated_at", "Timestamp", "time_zone", "America/New_York", "format", "%m/%d/%Y %H:%M"),
				col("mrr", "DECIMAL(18, 2)", "from", "Monthly Amount")}},
		m{"name": "events", "paths": []any{"a/**/*.tsv.gz", "b/*.tsv"}, "primary_key": []any{"id", "ts"}, "incremental": "files"},
		m{"name": "invoices", "path": "inv/*.dat", "format": "parquet"},
	)
	wantStreams := []extract.Stream{
		{Name: "subscriptions", PrimaryKey: []string{"subscription_id"}, CursorField: "updated_at"},
		{Name: "events", PrimaryKey: []string{"id", "ts"}},
		{Name: "invoices", Replace: true},
	}
	if got := src.Streams(); !reflect.DeepEqual(got, wantStreams) {
		t.Errorf("Streams() = %+v\nwant %+v", got, wantStreams)
	}
	s := src.(*source)
	sub := s.byName["subscriptions"].template
	wantCols := []extract.Column{
		{Name: "subscription_id", Type: "string"},
		{Name: "updated_at", Type: "timestamp", TimeZone: "America/New_York", Format: "%m/%d/%Y %H:%M"},
		{Name: "mrr", Type: "decimal(18,2)", From: "Monthly Amount"},
	}
	if !reflect.DeepEqual(sub.Columns, wantCols) {
		t.Errorf("columns = %+v\nwant %+v", sub.Columns, wantCols)
	}
	wantCSV := extract.CSVOptions{Delimiter: ",", Quote: `"`, Header: true, NullValue: "NA", SkipRows: 1}
	if sub.Format != extract.CSV || sub.CSV != wantCSV || sub.SourceFileColumn != "_file" {
		t.Errorf("subscriptions FileSet = %+v", sub)
	}
	if ev := s.byName["events"].template; ev.Format != extract.CSV || ev.CSV.Delimiter != "\t" {
		t.Errorf("events: format %s delimiter %q, want csv with a tab", ev.Format, ev.CSV.Delimiter)
	}
	if inv := s.byName["invoices"].template; inv.Format != extract.Parquet || inv.CSV != (extract.CSVOptions{}) {
		t.Errorf("invoices FileSet = %+v", inv)
	}
}

// referenceYAML is the README's example (the source's block, less name and type).
const referenceYAML = `
streams:
  - name: subscriptions
    path: data/subscriptions/*.csv
    format: csv
    primary_key: [subscription_id]
    incremental: cursor
    cursor_field: updated_at
    strict: false
    source_file_column: _file
    csv: {delimiter: ",", quote: "\"", header: true, null: "NA", skip_rows: 0}
    columns:
      - name: subscription_id
        type: string
      - name: started_at
        type: timestamp
        time_zone: America/New_York
        format: "%m/%d/%Y %H:%M"
      - name: updated_at
        type: timestamp
        time_zone: America/New_York
      - name: mrr
        from: "Monthly Amount"
        type: decimal(18,2)
  - name: invoices
    paths: [exports/2023/**/*.parquet, exports/2024/*.parquet]
    primary_key: invoice_id
    incremental: files
`

func TestNewDecodesReferenceExample(t *testing.T) {
	src, err := New(extract.Config{Name: "billing", Dir: "/nonexistent", Decode: decodeYAML(referenceYAML)})
	if err != nil {
		t.Fatal(err)
	}
	want := []extract.Stream{
		{Name: "subscriptions", PrimaryKey: []string{"subscription_id"}, CursorField: "updated_at"},
		{Name: "invoices", PrimaryKey: []string{"invoice_id"}},
	}
	if got := src.Streams(); !reflect.DeepEqual(got, want) {
		t.Errorf("Streams() = %+v, want %+v", got, want)
	}
}

func TestInferFormat(t *testing.T) {
	tests := []struct {
		path string
		want extract.FileFormat
		tsv  bool
	}{
		{"a.csv", extract.CSV, false},
		{"dir/*.CSV", extract.CSV, false},
		{"a.csv.gz", extract.CSV, false},
		{"a.tsv", extract.CSV, true},
		{"x/**/a.tsv.zst", extract.CSV, true},
		{"a.jsonl", extract.JSONL, false},
		{"a.ndjson", extract.JSONL, false},
		{"a.json", extract.JSONL, false},
		{"a.json.gz", extract.JSONL, false},
		{"a.parquet", extract.Parquet, false},
		{"a.txt", "", false},
		{"data/*", "", false},
		{"csv/file", "", false},
	}
	for _, tt := range tests {
		got, tsv, ok := inferFormat(tt.path)
		if got != tt.want || tsv != tt.tsv || ok != (tt.want != "") {
			t.Errorf("inferFormat(%q) = %q, %v, %v; want %q, %v", tt.path, got, tsv, ok, tt.want, tt.tsv)
		}
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]string{
		"string": "string", "BOOLEAN": "boolean", " integer ": "integer", "double": "double",
		"Decimal( 18 , 2 )": "decimal(18,2)", "decimal(38,0)": "decimal(38,0)", "decimal(1,1)": "decimal(1,1)",
		"date": "date", "timestamp": "timestamp", "json": "json",
	} {
		if got, err := parseType(in); err != nil || got != want {
			t.Errorf("parseType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "int", "decimal(0,0)", "decimal(10,-1)", "decimal(a,b)", "decimal(10)", "decimal(10,2", "varchar"} {
		if got, err := parseType(in); err == nil {
			t.Errorf("parseType(%q) = %q, want an error", in, got)
		}
	}
}
