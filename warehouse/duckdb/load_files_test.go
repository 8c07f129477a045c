package duckdb

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/warehouse"
)

// loadFiles runs one Load of one FileSet into table t (with primary key pk) and commits.
func loadFiles(t *testing.T, w *Warehouse, table string, pk []string, fs *extract.FileSet) (warehouse.MergeStats, error) {
	t.Helper()
	ctx := context.Background()
	l := begin(t, w, warehouse.LoadSpec{Table: warehouse.Table{Name: table}, PrimaryKey: pk})
	defer l.Close()
	if _, err := l.Append(ctx, extract.Batch{Files: fs}); err != nil {
		return warehouse.MergeStats{}, err
	}
	return l.Commit(ctx, nil)
}

func TestFilesCSV(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "deals.csv", "id,amount,close_date,won,note\n1,10.50,2024-01-31,true,a\n2,0.01,2024-02-29,false,\n")
	fs := &extract.FileSet{Format: extract.CSV, Paths: []string{p}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{
			{Name: "id", Type: "integer"},
			{Name: "amount", Type: "decimal(18,2)"},
			{Name: "close_date", Type: "date"},
			{Name: "won", Type: "boolean"},
		}}
	s, err := loadFiles(t, w, "deals", []string{"id"}, fs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Staged != 2 || s.Inserted != 2 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT id, amount, close_date, won, note FROM deals ORDER BY id",
		"1|10.5|2024-01-31T00:00:00Z|true|a", "2|0.01|2024-02-29T00:00:00Z|false|NULL")
	// Declared types are the table's types; the undeclared column is inferred.
	wantRows(t, w, "SELECT column_type FROM (DESCRIBE deals) LIMIT 5",
		"BIGINT", "DECIMAL(18,2)", "DATE", "BOOLEAN", "VARCHAR")

	// A value that does not convert names the file and the line.
	bad := writeFile(t, dir, "bad.csv", "id,amount,close_date,won\n3,1.00,2024-01-01,true\n4,abc,2024-01-01,true\n")
	fs.Paths = []string{bad}
	_, err = loadFiles(t, w, "deals", []string{"id"}, fs)
	errContains(t, err, "deals", bad, "Line: 3", "abc", "declare the column as string")
	wantRows(t, w, "SELECT count(*) FROM deals", "2")
}

func TestFilesCSVOptions(t *testing.T) {
	w := openMemory(t)
	p := writeFile(t, t.TempDir(), "x.csv", "exported by a tool\nsecond preamble line\n7;'a;b';NA\n8;c;9\n")
	fs := &extract.FileSet{Format: extract.CSV, Paths: []string{p},
		CSV: extract.CSVOptions{Delimiter: ";", Quote: "'", NullValue: "NA", SkipRows: 2},
		Columns: []extract.Column{
			{Name: "id", Type: "integer"}, {Name: "label", Type: "string"}, {Name: "qty", Type: "integer"},
		}}
	if _, err := loadFiles(t, w, "x", []string{"id"}, fs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, label, qty FROM x ORDER BY id", "7|a;b|NULL", "8|c|9")
}

func TestFilesOrderLastWins(t *testing.T) {
	for _, table := range []string{"new", "empty", "with rows"} {
		w := openMemory(t)
		dir := t.TempDir()
		existing := table == "with rows"
		if table != "new" {
			if err := w.Exec(context.Background(), "CREATE TABLE d AS SELECT 1::BIGINT AS id, 'old' AS v UNION ALL SELECT 9, 'keep'"); err != nil {
				t.Fatal(err)
			}
		}
		if table == "empty" {
			if err := w.Exec(context.Background(), "DELETE FROM d"); err != nil {
				t.Fatal(err)
			}
		}
		// b.csv is listed first: the order of Paths wins, not the names.
		first := writeFile(t, dir, "b.csv", "id,v\n1,b1\n2,b2\n1,b3\n")
		second := writeFile(t, dir, "a.csv", "id,v\n2,a1\n3,a2\n")
		fs := &extract.FileSet{Format: extract.CSV, Paths: []string{first, second}, CSV: extract.CSVOptions{Header: true},
			Columns: []extract.Column{{Name: "id", Type: "integer"}}, SourceFileColumn: "_file"}
		s, err := loadFiles(t, w, "d", []string{"id"}, fs)
		if err != nil {
			t.Fatal(err)
		}
		if s.Staged != 5 || s.Deduplicated != 2 {
			t.Errorf("stats %+v", s)
		}
		want := []string{"1|b3|b.csv", "2|a1|a.csv", "3|a2|a.csv"}
		if existing {
			want = append(want, "9|keep|NULL")
			if s.Updated != 1 || s.Inserted != 2 {
				t.Errorf("stats %+v", s)
			}
		}
		wantRows(t, w, "SELECT id, v, parse_filename(_file) FROM d ORDER BY id", want...)
	}
}

func TestFilesJSONL(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "a.jsonl", `{"Id": 1, "amt": 2.5, "props": {"k": [1, 2]}, "ts": "2024-07-01T12:00:00Z", "extra": "e"}
{"Id": 2, "amt": 3, "props": null, "ts": "2024-07-01 12:00:00+02:00"}
`)
	fs := &extract.FileSet{Format: extract.JSONL, Paths: []string{p}, Columns: []extract.Column{
		{Name: "id", Type: "integer", From: "Id"},
		{Name: "amount", Type: "decimal(10,2)", From: "amt"},
		{Name: "props", Type: "json"},
		{Name: "ts", Type: "timestamp"},
	}}
	if _, err := loadFiles(t, w, "j", []string{"id"}, fs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, amount, props::VARCHAR, ts, extra FROM j ORDER BY id",
		`1|2.5|{"k":[1,2]}|2024-07-01T12:00:00Z|e`, "2|3|NULL|2024-07-01T10:00:00Z|NULL")
	wantRows(t, w, "SELECT column_type FROM (DESCRIBE j) WHERE column_name IN ('amount', 'props')", "DECIMAL(10,2)", "JSON")

	// A declared key that no object has (JSON leaves out nulls) is read as NULL.
	sparse := *fs
	sparse.Columns = append(slices.Clone(fs.Columns), extract.Column{Name: "closed_at", Type: "timestamp"}, extract.Column{Name: "misc"})
	if _, err := loadFiles(t, w, "j_sparse", []string{"id"}, &sparse); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, closed_at, misc FROM j_sparse ORDER BY id", "1|NULL|NULL", "2|NULL|NULL")

	// Strict: an undeclared key is an error.
	fs.Strict = true
	_, err := loadFiles(t, w, "j", []string{"id"}, fs)
	errContains(t, err, "extra", "strict")

	// A value that does not convert names the file and line.
	bad := writeFile(t, dir, "b.jsonl", `{"Id": 1}`+"\n"+`{"Id": "x"}`+"\n")
	_, err = loadFiles(t, w, "j2", []string{"id"}, &extract.FileSet{Format: extract.JSONL, Paths: []string{bad},
		Columns: []extract.Column{{Name: "id", Type: "integer", From: "Id"}}})
	errContains(t, err, bad, "line 2")
}

func TestFilesParquet(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p1 := copyTo(t, w, `SELECT i::INTEGER AS id, 'n' || i AS name, (i * 1.5)::DECIMAL(10,2) AS amount,
		TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i) AS ts, i::VARCHAR AS code
		FROM range(1, 4) t(i)`, dir+"/p1.parquet", "FORMAT parquet")
	p2 := copyTo(t, w, `SELECT 2::INTEGER AS id, 'later' AS name, 9.99::DECIMAL(10,2) AS amount,
		TIMESTAMPTZ '2025-01-01 00:00:00+00' AS ts, '42' AS code, true AS flag`, dir+"/p2.parquet", "FORMAT parquet")
	fs := &extract.FileSet{Format: extract.Parquet, Paths: []string{p1, p2}, Columns: []extract.Column{
		{Name: "id", Type: "integer"},
		{Name: "amount", Type: "decimal(18,2)"},
		{Name: "ts", Type: "timestamp"},
		{Name: "code_num", Type: "integer", From: "code"},
	}}
	s, err := loadFiles(t, w, "p", []string{"id"}, fs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Staged != 4 || s.Deduplicated != 1 {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT id, name, amount, ts, code_num, flag FROM p ORDER BY id",
		"1|n1|1.5|2024-01-01T01:00:00Z|1|NULL", "2|later|9.99|2025-01-01T00:00:00Z|42|true", "3|n3|4.5|2024-01-01T03:00:00Z|3|NULL")
	wantRows(t, w, "SELECT column_type FROM (DESCRIBE p) WHERE column_name IN ('id', 'amount', 'code_num')",
		"BIGINT", "DECIMAL(18,2)", "BIGINT")

	// A text value that does not convert names the file and the record.
	p3 := copyTo(t, w, "SELECT 5 AS id, '12' AS code UNION ALL SELECT 6, 'twelve'", dir+"/p3.parquet", "FORMAT parquet")
	_, err = loadFiles(t, w, "p3", []string{"id"}, &extract.FileSet{Format: extract.Parquet, Paths: []string{p3},
		Columns: []extract.Column{{Name: "code", Type: "integer"}}})
	errContains(t, err, p3, "record 2", "id=6", `"twelve"`, "BIGINT")
	// A type that does not convert without loss is refused before reading.
	_, err = loadFiles(t, w, "p4", nil, &extract.FileSet{Format: extract.Parquet, Paths: []string{p2},
		Columns: []extract.Column{{Name: "flag", Type: "date"}}})
	errContains(t, err, `"flag"`, "BOOLEAN", "DATE")
}

func TestFilesTimestamps(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, dir, "ts.csv", `id,ts
1,2024-03-10 01:30:00
2,2024-07-01 12:00:00
3,2024-07-01T12:00:00+02:00
4,2024-07-01T12:00:00Z
5,2024-03-10
6,
7,2024-11-03 01:30:00.250
`)
	ny := &extract.FileSet{Format: extract.CSV, Paths: []string{csv}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{{Name: "id", Type: "integer"}, {Name: "ts", Type: "timestamp", TimeZone: "America/New_York"}}}
	w := openMemory(t)
	if _, err := loadFiles(t, w, "ts", []string{"id"}, ny); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') FROM ts ORDER BY id",
		"1|2024-03-10T06:30:00.000Z", // EST
		"2|2024-07-01T16:00:00.000Z", // EDT
		"3|2024-07-01T10:00:00.000Z", // offsets are kept
		"4|2024-07-01T12:00:00.000Z",
		"5|2024-03-10T05:00:00.000Z", // a bare date is local midnight
		"6|NULL",
		"7|2024-11-03T06:30:00.250Z", // the repeated hour (fall back) is read as standard time (EST), as ICU does
	)

	// Without a zone, a naive value is an error naming the file and the record.
	noZone := *ny
	noZone.Columns = []extract.Column{{Name: "id", Type: "integer"}, {Name: "ts", Type: "timestamp"}}
	_, err := loadFiles(t, w, "ts2", []string{"id"}, &noZone)
	errContains(t, err, csv, "record 1", "id=1", `"2024-03-10 01:30:00"`, "no UTC offset", "time_zone")
	_, err = loadFiles(t, w, "ts2", nil, &noZone) // without a key: the record number
	errContains(t, err, csv, "record 1", "no UTC offset")
	wantRows(t, w, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ts2'", "0")

	// With offsets on every value, no zone is needed; a bad value is named.
	good := writeFile(t, dir, "ok.csv", "id,ts\n1,2024-07-01T12:00:00-04:00\n2,2024-07-01 12:00:00.5+0530\n3,2024-13-01T00:00:00Z\n")
	noZone.Paths = []string{good}
	_, err = loadFiles(t, w, "ts3", []string{"id"}, &noZone)
	errContains(t, err, good, "record 3", "id=3", "is not a timestamp")
	good = writeFile(t, dir, "ok2.csv", "id,ts\n1,2024-07-01T12:00:00-04:00\n2,2024-07-01 12:00:00.5+0530\n")
	noZone.Paths = []string{good}
	if _, err := loadFiles(t, w, "ts3", []string{"id"}, &noZone); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, strftime(ts, '%H:%M:%S.%g') FROM ts3 ORDER BY id", "1|16:00:00.000", "2|06:30:00.500")

	// Formats: strptime, with an offset or in the declared zone.
	f := writeFile(t, dir, "f.csv", "id,d,ts,local\n1,31/01/2024,2024-01-31 10:00 +0100,01/31/2024 10:00\n")
	_, err = loadFiles(t, w, "fmt", nil, &extract.FileSet{Format: extract.CSV, Paths: []string{f}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{
			{Name: "d", Type: "date", Format: "%d/%m/%Y"},
			{Name: "ts", Type: "timestamp", Format: "%Y-%m-%d %H:%M %z"},
			{Name: "local", Type: "timestamp", Format: "%m/%d/%Y %H:%M", TimeZone: "Europe/Paris"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT d, ts, local FROM fmt", "2024-01-31T00:00:00Z|2024-01-31T09:00:00Z|2024-01-31T09:00:00Z")
	// A format without an offset needs a zone.
	_, err = loadFiles(t, w, "fmt2", nil, &extract.FileSet{Format: extract.CSV, Paths: []string{f}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{{Name: "local", Type: "timestamp", Format: "%m/%d/%Y %H:%M"}}})
	errContains(t, err, `"local"`, "time_zone")
	// An unknown zone.
	_, err = loadFiles(t, w, "fmt2", nil, &extract.FileSet{Format: extract.CSV, Paths: []string{f}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{{Name: "local", Type: "timestamp", TimeZone: "Mars/Olympus"}}})
	errContains(t, err, "Mars/Olympus")
}

func TestFilesParquetNaiveTimestamps(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p := copyTo(t, w, `SELECT * FROM (VALUES (10, NULL::TIMESTAMP), (11, TIMESTAMP '2024-03-10 01:30:00'),
		(12, TIMESTAMP '2024-07-01 12:00:00')) t(id, ts)`, dir+"/naive.parquet", "FORMAT parquet")
	cols := []extract.Column{{Name: "id", Type: "integer"}, {Name: "ts", Type: "timestamp", TimeZone: "America/New_York"}}
	if _, err := loadFiles(t, w, "n", []string{"id"}, &extract.FileSet{Format: extract.Parquet, Paths: []string{p}, Columns: cols}); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, ts FROM n ORDER BY id", "10|NULL", "11|2024-03-10T06:30:00Z", "12|2024-07-01T16:00:00Z")

	cols[1].TimeZone = ""
	_, err := loadFiles(t, w, "n2", []string{"id"}, &extract.FileSet{Format: extract.Parquet, Paths: []string{p}, Columns: cols})
	errContains(t, err, p, "record 2", "id=11", "without time zone", "time_zone")
}

func TestFilesFilter(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "f.csv", "id,updated_at\n1,2024-01-01T00:00:00Z\n2,2024-02-01T00:00:00Z\n3,2024-03-01T00:00:00Z\n")
	fs := &extract.FileSet{Format: extract.CSV, Paths: []string{p}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{{Name: "id", Type: "integer"}, {Name: "updated_at", Type: "timestamp"}},
		Filter:  &extract.Filter{Column: "updated_at", Type: "timestamp", After: "2024-02-01T00:00:00Z"}}
	if _, err := loadFiles(t, w, "f", []string{"id"}, fs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id FROM f", "3")

	pq := copyTo(t, w, "SELECT i AS id FROM range(10) t(i)", dir+"/f.parquet", "FORMAT parquet")
	fs = &extract.FileSet{Format: extract.Parquet, Paths: []string{pq}, Filter: &extract.Filter{Column: "id", Type: "integer", After: "7"}}
	if _, err := loadFiles(t, w, "g", nil, fs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id FROM g ORDER BY id", "8", "9")

	fs.Filter.Column = "nope"
	_, err := loadFiles(t, w, "h", nil, fs)
	errContains(t, err, `"nope"`)
}

func TestFilesDeclarations(t *testing.T) {
	w := openMemory(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "d.csv", "ID,Name,secret\n1,a,s\n")
	csv := func(strict bool, cols ...extract.Column) *extract.FileSet {
		return &extract.FileSet{Format: extract.CSV, Paths: []string{p}, CSV: extract.CSVOptions{Header: true}, Strict: strict, Columns: cols}
	}
	for _, c := range []struct {
		name string
		fs   *extract.FileSet
		err  []string
	}{
		{"strict undeclared", csv(true, extract.Column{Name: "ID", Type: "integer"}, extract.Column{Name: "Name"}), []string{"secret", "strict"}},
		{"declared missing", csv(false, extract.Column{Name: "email", Type: "string"}), []string{"email", "not in the files", "ID, Name, secret"}},
		{"bad type", csv(false, extract.Column{Name: "ID", Type: "int"}), []string{`"int"`, "valid: string"}},
		{"zone on a string", csv(false, extract.Column{Name: "Name", Type: "string", TimeZone: "UTC"}), []string{"time_zone"}},
		{"twice", csv(false, extract.Column{Name: "ID"}, extract.Column{Name: "id"}), []string{"twice"}},
		{"format", &extract.FileSet{Format: "xml", Paths: []string{p}}, []string{"xml"}},
		{"source column clash", &extract.FileSet{Format: extract.CSV, Paths: []string{p}, CSV: extract.CSVOptions{Header: true}, SourceFileColumn: "secret"}, []string{"secret"}},
		{"missing file", &extract.FileSet{Format: extract.CSV, Paths: []string{dir + "/nope.csv"}}, []string{"nope.csv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadFiles(t, w, "d", nil, c.fs)
			errContains(t, err, c.err...)
		})
	}
	// Strict with every column declared, renamed, and the source file.
	fs := csv(true, extract.Column{Name: "id", From: "ID", Type: "integer"}, extract.Column{Name: "name", From: "Name"},
		extract.Column{Name: "secret_value", From: "secret", Type: "string"})
	fs.SourceFileColumn = "source_file"
	if _, err := loadFiles(t, w, "d", nil, fs); err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT * EXCLUDE (_revops_loaded_at, _revops_run_id) FROM d", "1|a|s|"+p)
	// Header-less CSV: the declared columns name the leading columns in order.
	h := writeFile(t, dir, "h.csv", "1,x,2024-01-01\n2,y,2024-01-02\n")
	_, err := loadFiles(t, w, "h", []string{"id"}, &extract.FileSet{Format: extract.CSV, Paths: []string{h},
		Columns: []extract.Column{{Name: "id", Type: "integer"}, {Name: "v"}, {Name: "d", Type: "date"}}})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "SELECT id, v, d FROM h ORDER BY id", "1|x|2024-01-01T00:00:00Z", "2|y|2024-01-02T00:00:00Z")
	// No paths: nothing staged.
	if s, err := loadFiles(t, w, "h", nil, &extract.FileSet{Format: extract.CSV}); err != nil || s.Staged != 0 {
		t.Errorf("empty file set: %+v, %v", s, err)
	}
}

// TestFilesThenRecords mixes both kinds of batch in one Load.
func TestFilesThenRecords(t *testing.T) {
	w := openMemory(t)
	mem := checkedMem(t)
	// The file repeats a key, so the new table is loaded again in order; then a batch of
	// records adds a column to it in the same transaction.
	p := writeFile(t, t.TempDir(), "a.csv", "id,name\n1,file\n2,file\n1,again\n")
	l := begin(t, w, warehouse.LoadSpec{Table: deals, PrimaryKey: []string{"id"}})
	appendOK(t, l, extract.Batch{Files: &extract.FileSet{Format: extract.CSV, Paths: []string{p}, CSV: extract.CSVOptions{Header: true},
		Columns: []extract.Column{{Name: "id", Type: "integer"}}}})
	withNote := append(slices.Clone(idName), field("note", arrow.BinaryTypes.String))
	appendOK(t, l, extract.Batch{Records: newRecord(t, mem, withNote, []any{2, "record", "n"})})
	s := commitOK(t, l)
	if !statsEqual(s, warehouse.MergeStats{Staged: 4, Inserted: 2, Deduplicated: 2, AddedColumns: []string{"note"}}) {
		t.Errorf("stats %+v", s)
	}
	wantRows(t, w, "SELECT id, name, note FROM deals ORDER BY id", "1|again|NULL", "2|record|n")
	var ordered bool // the Load's connection is back to preserving order
	if err := l.(*load).conn.QueryRowContext(context.Background(), "SELECT current_setting('preserve_insertion_order')").Scan(&ordered); err != nil || !ordered {
		t.Errorf("preserve_insertion_order = %v, %v", ordered, err)
	}
}
