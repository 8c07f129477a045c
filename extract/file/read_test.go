package file

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/revops/revops/extract"
)

func TestReadFull(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "data/b.csv", "id\n2\n", 1)
	write(t, dir, "data/a.csv", "id\n1\n", 2)
	src := newSource(t, dir, m{"name": "subs", "path": "data/*.csv", "source_file_column": "_file",
		"columns": []any{col("id", "integer")}})
	for range 2 { // a full read ignores its cursor: every read loads every file
		got := read(t, src, "subs", nil)
		if len(got) != 1 || !got[0].Final {
			t.Fatalf("got %d batches (final %v), want one final batch", len(got), len(got) > 0 && got[0].Final)
		}
		if p := relPaths(t, dir, got[0]); !reflect.DeepEqual(p, []string{"data/a.csv", "data/b.csv"}) {
			t.Errorf("paths = %q", p)
		}
		fs := got[0].Files
		if fs.Format != extract.CSV || fs.Filter != nil || fs.SourceFileColumn != "_file" || len(fs.Columns) != 1 || !fs.CSV.Header {
			t.Errorf("FileSet = %+v", fs)
		}
		var st state
		if err := json.Unmarshal(got[0].Cursor, &st); err != nil || st.V != 1 || st.Mode != modeFull || len(st.Files) != 2 || st.Files[0].Path != "data/a.csv" {
			t.Errorf("cursor %s (%v)", got[0].Cursor, err)
		}
	}
}

func TestReadNoFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		stream  m
		from    extract.Cursor
		wantErr string
	}{
		{"full", m{"name": "s", "path": "data/*.csv"}, nil, "no files match data/*.csv: check the path relative to " + dir},
		{"full ignores a cursor", m{"name": "s", "path": "data/*.csv"}, extract.Cursor(`{"v":1,"mode":"full"}`), "no files match"},
		{"files, first read", m{"name": "s", "path": "data/*.csv", "incremental": "files"}, nil, "no files match"},
		{"files with a cursor", m{"name": "s", "path": "data/*.csv", "incremental": "files"}, extract.Cursor(`{"v":1,"mode":"files"}`), ""},
		{"cursor with a cursor", m{"name": "s", "path": "data/*.csv", "incremental": "cursor", "cursor_field": "u", "columns": []any{col("u", "integer")}},
			extract.Cursor(`{"v":1,"mode":"cursor","field":"u","type":"integer","max":"3"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, dir, tt.stream)
			err := src.Read(context.Background(), "s", tt.from, func(context.Context, extract.Batch) error {
				t.Error("emit called")
				return nil
			})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "stream s") {
				t.Errorf("error %q does not name the stream", err)
			}
		})
	}
}

func TestReadFilesIncremental(t *testing.T) {
	dir := t.TempDir()
	src := newSource(t, dir, m{"name": "subs", "path": "data/**/*.csv", "incremental": "files", "primary_key": "id"})
	steps := []struct {
		name   string
		change func()
		want   [][]string // paths of each batch
	}{
		{"first read loads each file in order", func() {
			write(t, dir, "data/b.csv", "id\n2\n", 1)
			write(t, dir, "data/a.csv", "id\n1\n", 1)
			write(t, dir, "data/2024/c.csv", "id\n3\n", 1)
		}, [][]string{{"data/2024/c.csv"}, {"data/a.csv"}, {"data/b.csv"}}},
		{"no change", func() {}, nil},
		{"a new file", func() { write(t, dir, "data/d.csv", "id\n4\n", 2) }, [][]string{{"data/d.csv"}}},
		{"a modified file", func() { write(t, dir, "data/b.csv", "id\n2\n5\n", 3) }, [][]string{{"data/b.csv"}}},
		{"same size, new mtime, new content", func() { write(t, dir, "data/b.csv", "id\n2\n6\n", 4) }, [][]string{{"data/b.csv"}}},
		{"touched, same content", func() { touch(t, dir, "data/a.csv", 5) }, nil},
		{"touched again, and a new file", func() { touch(t, dir, "data/a.csv", 6); write(t, dir, "data/e.csv", "id\n7\n", 6) }, [][]string{{"data/e.csv"}}},
		{"a removed file", func() { os.Remove(filepath.Join(dir, "data/d.csv")) }, nil},
	}
	var cursor extract.Cursor
	for _, step := range steps {
		step.change()
		got := read(t, src, "subs", cursor)
		var paths [][]string
		for i, b := range got {
			paths = append(paths, relPaths(t, dir, b))
			if b.Final != (i == len(got)-1) {
				t.Errorf("%s: batch %d Final = %v", step.name, i, b.Final)
			}
		}
		if !reflect.DeepEqual(paths, step.want) {
			t.Fatalf("%s: batches %q, want %q", step.name, paths, step.want)
		}
		cursor = last(got, cursor)
	}
	st, err := decodeState(cursor)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range st.Files {
		keys = append(keys, f.Path)
		if len(f.SHA256) != 64 {
			t.Errorf("%s: sha256 %q", f.Path, f.SHA256)
		}
	}
	if want := []string{"data/2024/c.csv", "data/a.csv", "data/b.csv", "data/d.csv", "data/e.csv"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("cursor files %q, want %q (removed files stay listed)", keys, want)
	}
	if a, _ := st.lookup("data/a.csv"); a.MtimeNS != mtimeNS(t, dir, "data/a.csv") {
		t.Errorf("a touched file's new mtime is not recorded with the next batch")
	}
}

func mtimeNS(t *testing.T, dir, rel string) int64 {
	t.Helper()
	st, err := os.Stat(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return st.ModTime().UnixNano()
}

func TestReadFilesCursorIsCumulative(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "id\n1\n", 1)
	write(t, dir, "b.csv", "id\n2\n", 1)
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "files"})
	got := read(t, src, "s", nil)
	if len(got) != 2 {
		t.Fatalf("%d batches", len(got))
	}
	// Resuming from the first batch's cursor (a crash after it) loads only b.
	again := read(t, src, "s", got[0].Cursor)
	if len(again) != 1 || relPaths(t, dir, again[0])[0] != "b.csv" {
		t.Errorf("resume from first cursor: %d batches", len(again))
	}
}

func TestReadFilesChangedWithoutKey(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "id\n1\n", 1)
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "files"})
	cursor := last(read(t, src, "s", nil), nil)
	write(t, dir, "a.csv", "id\n1\n2\n", 2)
	write(t, dir, "b.csv", "id\n3\n", 2)
	err := src.Read(context.Background(), "s", cursor, func(context.Context, extract.Batch) error {
		t.Error("emit called")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "changed since they were loaded (a.csv)") || !strings.Contains(err.Error(), "declare primary_key") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadFilesFromFullCursor(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "id\n1\n", 1)
	write(t, dir, "b.csv", "id\n2\n", 1)
	full := newSource(t, dir, m{"name": "s", "path": "*.csv"})
	cursor := last(read(t, full, "s", nil), nil)
	files := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "files", "primary_key": "id"})
	if got := read(t, files, "s", cursor); len(got) != 0 {
		t.Errorf("switching full → files reloads %d batches, want none", len(got))
	}
	touch(t, dir, "b.csv", 2) // no hash in a full cursor: a new mtime means changed
	if got := read(t, files, "s", cursor); len(got) != 1 || relPaths(t, dir, got[0])[0] != "b.csv" {
		t.Errorf("touched file after full: %d batches", len(got))
	}
}

func TestReadRejectsCursorOfAnotherMode(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "u\n1\n", 1)
	cursorStream := m{"name": "s", "path": "*.csv", "incremental": "cursor", "cursor_field": "u", "columns": []any{col("u", "integer")}}
	tests := []struct {
		name   string
		stream m
		from   string
		want   string
	}{
		{"files cursor, cursor stream", cursorStream, `{"v":1,"mode":"files"}`, "written by incremental: files"},
		{"cursor cursor, files stream", m{"name": "s", "path": "*.csv", "incremental": "files"}, `{"v":1,"mode":"cursor","field":"u","type":"integer"}`, "written by incremental: cursor"},
		{"another field", cursorStream, `{"v":1,"mode":"cursor","field":"v","type":"integer"}`, "cursor is on v (integer)"},
		{"another type", cursorStream, `{"v":1,"mode":"cursor","field":"u","type":"string"}`, "cursor_field is now u (integer)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newSource(t, dir, tt.stream).Read(context.Background(), "s", extract.Cursor(tt.from), func(context.Context, extract.Batch) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "full refresh") {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadMalformedCursor(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", "u\n1\n", 1)
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "files"},
		m{"name": "c", "path": "*.csv", "incremental": "cursor", "cursor_field": "u", "columns": []any{col("u", "integer")}})
	tests := []struct{ stream, cursor, want string }{
		{"s", `garbage`, "not valid JSON"},
		{"s", `{"v":2,"mode":"files"}`, "version 2"},
		{"s", `{"v":1,"mode":"sideways"}`, `unknown mode "sideways"`},
		{"s", `{"v":1,"mode":"files","extra":1}`, "unknown field"},
		{"s", `{"v":1,"mode":"files","files":[{"path":"b","size":1,"mtime_ns":1},{"path":"a","size":1,"mtime_ns":1}]}`, "not sorted"},
		{"s", `{"v":1,"mode":"files","files":[{"path":"a","size":1,"mtime_ns":1,"sha256":"xyz"}]}`, "64 hex digits"},
		{"c", `{"v":1,"mode":"cursor","field":"u","type":"integer","max":"1.5"}`, "max"},
		{"c", `{"v":1,"mode":"cursor"}`, "without field or type"},
	}
	for _, tt := range tests {
		err := src.Read(context.Background(), tt.stream, extract.Cursor(tt.cursor), func(context.Context, extract.Batch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "saved cursor is not valid") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("cursor %s: err = %v, want %q", tt.cursor, err, tt.want)
		}
	}
}

func TestReadCancellationAndEmitErrors(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.csv", "b.csv", "c.csv"} {
		write(t, dir, f, "id\n1\n", 1)
	}
	src := newSource(t, dir, m{"name": "s", "path": "*.csv", "incremental": "files"})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := src.Read(ctx, "s", nil, func(context.Context, extract.Batch) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: err = %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := src.Read(ctx, "s", nil, func(context.Context, extract.Batch) error {
		n++
		cancel() // cancelled between files
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("cancelled between files: err = %v after %d batches, want context.Canceled after 1", err, n)
	}

	sentinel := errors.New("load failed")
	err = src.Read(context.Background(), "s", nil, func(context.Context, extract.Batch) error { return sentinel })
	if err != sentinel {
		t.Errorf("emit error: got %v, want it unchanged", err)
	}

	if err := src.Read(context.Background(), "nope", nil, nil); err == nil || !strings.Contains(err.Error(), `unknown stream "nope"`) {
		t.Errorf("unknown stream: err = %v", err)
	}
}
