package demo_test

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/config"
	"github.com/revops/revops/internal/demo"
)

// generate writes a demo project into a fresh temporary directory.
func generate(t *testing.T, opts demo.Options) (string, demo.Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	sum, err := demo.Generate(dir, opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, sum
}

// hashes returns the SHA-256 of every file under dir, by slash path.
func hashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(data)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	dirA, sumA := generate(t, demo.Options{})
	dirB, sumB := generate(t, demo.Options{Seed: 42})
	a, b := hashes(t, dirA), hashes(t, dirB)
	if len(a) != len(sumA.Files) {
		t.Errorf("%d files on disk, Summary lists %d: %v", len(a), len(sumA.Files), sumA.Files)
	}
	for _, f := range sumA.Files {
		if a[f] == "" {
			t.Errorf("Summary lists %s, which is not on disk", f)
		}
		if a[f] != b[f] {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	sumA.Dir, sumB.Dir = "", ""
	if ja, jb := mustJSON(t, sumA), mustJSON(t, sumB); ja != jb {
		t.Errorf("summaries differ:\n%s\n%s", ja, jb)
	}
	dirC, _ := generate(t, demo.Options{Seed: 7})
	c := hashes(t, dirC)
	for _, f := range sumA.Files {
		// The finance files (rates, targets) follow the calendar and scale, not the seed.
		if f != "revops.yaml" && f != "models/sources.yml" && !strings.HasPrefix(f, "data/finance/") && a[f] == c[f] {
			t.Errorf("%s is identical for seeds 42 and 7", f)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRowCounts(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, one := generate(t, demo.Options{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("scale 1 took %v", d)
	}
	targets := map[string]int{
		"accounts": 300, "contacts": 1500, "leads": 2000, "opportunities": 900,
		"opportunity_history": 3500, "subscriptions": 250, "users": 24, "customers": 130, "invoices": 2300,
	}
	for stream, want := range targets {
		got := one.Rows[stream]
		if float64(got) < 0.8*float64(want) || float64(got) > 1.25*float64(want) {
			t.Errorf("scale 1: %s has %d rows, want about %d", stream, got, want)
		}
	}
	_, three := generate(t, demo.Options{Scale: 3})
	for stream := range targets {
		ratio := float64(three.Rows[stream]) / float64(one.Rows[stream])
		if ratio < 2.6 || ratio > 3.4 {
			t.Errorf("scale 3: %s has %d rows, %.2f× scale 1's", stream, three.Rows[stream], ratio)
		}
	}
}

func TestRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Generate(dir, demo.Options{})
	if !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("Generate into a non-empty dir: got %v, want ErrNotEmpty", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused Generate wrote revops.yaml (stat: %v)", err)
	}
	if _, err := demo.Generate(dir, demo.Options{Force: true}); err != nil {
		t.Fatalf("Generate with Force: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("Force touched an unrelated file: %q, %v", b, err)
	}
	// An existing empty directory is fine; a file in the way is not.
	if _, err := demo.Generate(t.TempDir(), demo.Options{}); err != nil {
		t.Errorf("Generate into an empty dir: %v", err)
	}
	if _, err := demo.Generate(filepath.Join(dir, "notes.txt"), demo.Options{Force: true}); err == nil {
		t.Error("Generate onto a file succeeded")
	}
	if _, err := demo.Generate(filepath.Join(dir, "x"), demo.Options{Scale: -1}); err == nil {
		t.Error("Generate with a negative scale succeeded")
	}
}

// project is the part of revops.yaml the tests read.
type project struct {
	Vars    map[string]any `yaml:"vars"`
	Sources []struct {
		Name    string `yaml:"name"`
		Type    string `yaml:"type"`
		Streams []struct {
			Name        string   `yaml:"name"`
			Path        string   `yaml:"path"`
			PrimaryKey  []string `yaml:"primary_key"`
			Incremental string   `yaml:"incremental"`
			CursorField string   `yaml:"cursor_field"`
			Columns     []struct {
				Name     string `yaml:"name"`
				Type     string `yaml:"type"`
				TimeZone string `yaml:"time_zone"`
			} `yaml:"columns"`
		} `yaml:"streams"`
	} `yaml:"sources"`
}

// readProject reads the generated revops.yaml as text and as the test's view of its shape.
func readProject(t *testing.T, dir string) ([]byte, project) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "revops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p project
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatalf("revops.yaml is not YAML: %v", err)
	}
	return data, p
}

func TestProjectFile(t *testing.T) {
	t.Parallel()
	dir, sum := generate(t, demo.Options{})
	data, p := readProject(t, dir)
	if _, err := config.Parse(filepath.Join(dir, "revops.yaml"), data, config.Options{}); err != nil {
		t.Fatalf("revops.yaml does not pass the config loader: %v", err)
	}
	if p.Vars["as_of_date"] != "2026-10-31" {
		t.Errorf("as_of_date = %q", p.Vars["as_of_date"])
	}
	var named []string
	for _, src := range p.Sources {
		for _, s := range src.Streams {
			named = append(named, s.Path)
			if _, err := os.Stat(filepath.Join(dir, s.Path)); err != nil {
				t.Errorf("stream %s.%s: %v", src.Name, s.Name, err)
				continue
			}
			var cols, types []string
			for _, c := range s.Columns {
				cols = append(cols, c.Name)
				types = append(types, c.Type)
				if c.Type == "timestamp" && (s.Name == "leads") != (c.TimeZone == "America/New_York") {
					t.Errorf("%s.%s: time_zone %q", s.Name, c.Name, c.TimeZone)
				}
				if (strings.Contains(c.Name, "amount") && c.Type != "decimal(18,2)") ||
					(strings.HasSuffix(c.Name, "_date") && c.Type != "date") ||
					(strings.HasSuffix(c.Name, "_at") && c.Type != "timestamp") {
					t.Errorf("%s.%s has type %s", s.Name, c.Name, c.Type)
				}
			}
			if s.CursorField != "" && !slices.Contains(cols, s.CursorField) {
				t.Errorf("%s: cursor_field %s is not a declared column", s.Name, s.CursorField)
			}
			for _, k := range s.PrimaryKey {
				if !slices.Contains(cols, k) {
					t.Errorf("%s: primary key column %s is not declared", s.Name, k)
				}
			}
			if got := fileColumns(t, filepath.Join(dir, s.Path)); !slices.Equal(got, cols) {
				t.Errorf("%s: file columns %v, declared %v", s.Name, got, cols)
			}
		}
	}
	slices.Sort(named)
	files := slices.DeleteFunc(slices.Clone(sum.Files), func(f string) bool { return f == "revops.yaml" || f == "models/sources.yml" })
	slices.Sort(files)
	if !slices.Equal(named, files) {
		t.Errorf("revops.yaml names %v; Generate wrote %v", named, files)
	}
}

// fileColumns returns a data file's column names in order.
func fileColumns(t *testing.T, path string) []string {
	t.Helper()
	switch filepath.Ext(path) {
	case ".csv":
		return readCSV(t, path)[0]
	case ".jsonl":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		line, err := bufio.NewReader(f).ReadBytes('\n')
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(line)))
		var keys []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
		return keys
	}
	db := openDuckDB(t)
	rows, err := db.Query("SELECT name FROM parquet_schema('" + strings.ReplaceAll(path, "'", "''") + "') WHERE name <> 'duckdb_schema'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return recs
}

var (
	utcStamp   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	naiveStamp = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
	moneyRE    = regexp.MustCompile(`^\d+\.\d\d$`)
)

// TestFilesParseAsDeclared reads every file with DuckDB under the column types revops.yaml
// declares, as the loader does: a value that does not convert fails the read.
func TestFilesParseAsDeclared(t *testing.T) {
	t.Parallel()
	dir, sum := generate(t, demo.Options{})
	_, p := readProject(t, dir)
	duck := map[string]string{"string": "VARCHAR", "timestamp": "TIMESTAMPTZ", "boolean": "BOOLEAN",
		"integer": "BIGINT", "date": "DATE", "decimal(18,2)": "DECIMAL(18,2)", "decimal(18,8)": "DECIMAL(18,8)"}
	db := openDuckDB(t)
	for _, src := range p.Sources {
		for _, s := range src.Streams {
			var cols []string
			for _, c := range s.Columns {
				typ := duck[c.Type]
				if c.TimeZone != "" {
					typ = "TIMESTAMP" // wall-clock time, placed in its zone by the loader
				}
				cols = append(cols, fmt.Sprintf("'%s': '%s'", c.Name, typ))
			}
			path := strings.ReplaceAll(filepath.Join(dir, s.Path), "'", "''")
			q := fmt.Sprintf("SELECT count(*) FROM read_parquet('%s')", path)
			switch filepath.Ext(path) {
			case ".csv":
				q = fmt.Sprintf("SELECT count(*) FROM read_csv('%s', header = true, auto_detect = false, columns = {%s})", path, strings.Join(cols, ", "))
			case ".jsonl":
				q = fmt.Sprintf("SELECT count(*) FROM read_json('%s', format = 'newline_delimited', columns = {%s})", path, strings.Join(cols, ", "))
			}
			var n int
			if err := db.QueryRow(q).Scan(&n); err != nil {
				t.Errorf("%s.%s does not parse as declared: %v", src.Name, s.Name, err)
			} else if n != sum.Rows[s.Name] {
				t.Errorf("%s.%s: read %d rows, Summary says %d", src.Name, s.Name, n, sum.Rows[s.Name])
			}
		}
	}
}
