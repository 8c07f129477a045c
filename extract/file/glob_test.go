package file

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResolveFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"data/b.csv", "data/a.csv", "data/sub/c.csv", "data/sub/deep/d.csv", "data/.hidden/e.csv",
		"data/.f.csv", "data/x.txt", "other/z.csv",
	} {
		write(t, dir, f, "id\n1\n", 0)
	}
	outside := t.TempDir()
	write(t, outside, "abs.csv", "id\n1\n", 0)
	absPattern := filepath.ToSlash(filepath.Join(outside, "*.csv"))

	tests := []struct {
		name     string
		patterns []string
		want     []string // keys
	}{
		{"star, sorted, no dotfiles", []string{"data/*.csv"}, []string{"data/a.csv", "data/b.csv"}},
		{"question mark", []string{"data/?.csv"}, []string{"data/a.csv", "data/b.csv"}},
		{"double star", []string{"data/**/*.csv"}, []string{"data/a.csv", "data/b.csv", "data/sub/c.csv", "data/sub/deep/d.csv"}},
		{"double star in the middle", []string{"data/**/d.csv"}, []string{"data/sub/deep/d.csv"}},
		{"trailing double star", []string{"data/sub/**"}, []string{"data/sub/c.csv", "data/sub/deep/d.csv"}},
		{"leading double star", []string{"**/c.csv"}, []string{"data/sub/c.csv"}},
		{"explicit dot", []string{"data/.hidden/*.csv", "data/.f.csv"}, []string{"data/.f.csv", "data/.hidden/e.csv"}},
		{"literal", []string{"data/a.csv"}, []string{"data/a.csv"}},
		{"overlap deduplicated, globally sorted", []string{"other/*.csv", "data/b.csv", "data/*.csv"}, []string{"data/a.csv", "data/b.csv", "other/z.csv"}},
		{"absolute outside the project", []string{absPattern}, []string{filepath.ToSlash(filepath.Join(outside, "abs.csv"))}},
		{"missing directory", []string{"missing/*.csv"}, nil},
		{"missing literal", []string{"data/none.csv"}, nil},
		{"directory is not a file", []string{"data/sub"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := resolveFiles(context.Background(), dir, tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, f.key)
				if !filepath.IsAbs(f.abs) || f.size != 5 {
					t.Errorf("%s: abs %q size %d", f.key, f.abs, f.size)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveFilesCancelled(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/b.csv", "x", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := resolveFiles(ctx, dir, []string{"**/*.csv"}); err == nil {
		t.Fatal("want an error from a cancelled walk")
	}
}

func TestMatchSegments(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"**", "a", true},
		{"**", "a/b/c", true},
		{"**/x", "x", true},
		{"a/**/b/**/c", "a/1/b/2/3/c", true},
		{"a/**/c", "a/.git/c", false},
		{"a/*/c", "a/b/d/c", false},
		{"*.csv", ".a.csv", false},
		{".*.csv", ".a.csv", true},
	}
	for _, tt := range tests {
		if got := matchSegments(split(tt.pat), split(tt.name)); got != tt.want {
			t.Errorf("matchSegments(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

func split(s string) []string { return strings.Split(s, "/") }
