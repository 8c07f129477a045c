package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/yamlx"
)

// m is a YAML mapping in tests.
type m = map[string]any

// decodeFrom returns the config layer's strict decoder (yamlx) over src rendered as YAML, so
// that tests exercise the struct tags as users' files do.
func decodeFrom(src m) func(v any) error {
	return func(v any) error {
		text, err := yaml.Marshal(src)
		if err != nil {
			return err
		}
		return decodeYAML(string(text))(v)
	}
}

// decodeYAML returns the config layer's strict decoder over YAML text.
func decodeYAML(text string) func(v any) error {
	return func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(text))
		if err != nil {
			return err
		}
		dec := &yamlx.Decoder{File: "revops.yaml"}
		return dec.Decode(root, v)
	}
}

// newSource builds a source over dir from one stream's mapping.
func newSource(t *testing.T, dir string, streams ...m) extract.Source {
	t.Helper()
	list := make([]any, len(streams))
	for i, s := range streams {
		list[i] = s
	}
	src, err := New(extract.Config{Name: "billing", Dir: dir, Decode: decodeFrom(m{"streams": list}), Now: time.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// write creates dir/rel with content and the given modification time (seconds after an epoch).
func write(t *testing.T, dir, rel, content string, mtime int) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	touch(t, dir, rel, mtime)
}

func touch(t *testing.T, dir, rel string, mtime int) {
	t.Helper()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(mtime) * time.Second)
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(rel)), at, at); err != nil {
		t.Fatal(err)
	}
}

// read runs one Read and returns the batches emitted.
func read(t *testing.T, src extract.Source, stream string, from extract.Cursor) []extract.Batch {
	t.Helper()
	var got []extract.Batch
	err := src.Read(context.Background(), stream, from, func(_ context.Context, b extract.Batch) error {
		got = append(got, b)
		return nil
	})
	if err != nil {
		t.Fatalf("Read(%s): %v", stream, err)
	}
	return got
}

// relPaths returns a batch's paths relative to dir, slash-separated.
func relPaths(t *testing.T, dir string, b extract.Batch) []string {
	t.Helper()
	if b.Files == nil {
		t.Fatal("batch has no Files")
	}
	out := make([]string, len(b.Files.Paths))
	for i, p := range b.Files.Paths {
		if !filepath.IsAbs(p) {
			t.Errorf("path %s is not absolute", p)
		}
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = filepath.ToSlash(r)
	}
	return out
}

// last returns the cursor of the last batch, or from when there is none.
func last(batches []extract.Batch, from extract.Cursor) extract.Cursor {
	if len(batches) == 0 {
		return from
	}
	return batches[len(batches)-1].Cursor
}
