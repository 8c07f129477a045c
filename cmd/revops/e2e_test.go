package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want.txt files of testdata/e2e")

// TestE2E runs every case under testdata/e2e. A case is a directory with:
//
//	revops.yaml     the project
//	steps/NN/       files copied into the project before step NN; each step is one `revops run`
//	                (steps/NN/command names another verb — build, compile, ls, extract; steps/NN/args
//	                holds other arguments, one per line; steps/NN/delete lists project files to remove)
//	queries.sql     queries run after every step, separated by lines holding only ";"
//	want.txt        the golden transcript: each step's exit code, what each model did, its failed
//	                steps' errors (and the output of ls/compile) and every query's CSV output (go test ./cmd/revops -run E2E -update rewrites it)
func TestE2E(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "e2e")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) { runCase(t, filepath.Join(root, c.Name())) })
	}
}

func runCase(t *testing.T, src string) {
	project := filepath.Join(t.TempDir(), "project")
	cfg, err := os.ReadFile(filepath.Join(src, "revops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, project, map[string]string{"revops.yaml": string(cfg)})
	queryText, err := os.ReadFile(filepath.Join(src, "queries.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, q := range strings.Split(string(queryText), "\n;\n") {
		if q = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(q), ";")); q != "" {
			queries = append(queries, q)
		}
	}
	steps, err := os.ReadDir(filepath.Join(src, "steps"))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, step := range steps {
		stepDir := filepath.Join(src, "steps", step.Name())
		verb, args := copyStep(t, stepDir, project)
		os.Remove(filepath.Join(project, "target", "run_results.json"))
		r := revops(t, nil, append([]string{verb, "--project", project}, args...)...)
		fmt.Fprintf(&got, "## step %s: revops %s %s → exit %d\n", step.Name(), verb, strings.Join(args, " "), r.code)
		if verb == "ls" || verb == "compile" || verb == "docs" {
			got.WriteString(strings.ReplaceAll(r.stdout, project, "$PROJECT"))
		}
		if r.code == exitConfig || r.code == exitLocked {
			fmt.Fprintf(&got, "stderr: %s", strings.ReplaceAll(r.stderr, project, "$PROJECT"))
		}
		for _, m := range modelSteps(t, project) {
			fmt.Fprintf(&got, "%s\n", m)
		}
		for _, e := range failedSteps(t, project) {
			fmt.Fprintf(&got, "error: %s\n", strings.ReplaceAll(e, project, "$PROJECT"))
		}
		for _, q := range queries {
			qr := revops(t, nil, "query", "--project", project, "--output", "csv", q)
			fmt.Fprintf(&got, "\n-- %s\n", strings.ReplaceAll(q, "\n", "\n-- "))
			if qr.code != exitOK {
				fmt.Fprintf(&got, "query error (exit %d): %s", qr.code, strings.ReplaceAll(qr.stderr, project, "$PROJECT"))
				continue
			}
			got.WriteString(qr.stdout)
		}
		got.WriteString("\n")
	}
	wantFile := filepath.Join(src, "want.txt")
	if *update {
		if err := os.WriteFile(wantFile, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got.String() != string(want) {
		t.Fatalf("transcript differs from %s (rerun with -update after checking):\n--- got ---\n%s\n--- want ---\n%s", wantFile, got.String(), want)
	}
}

// copyStep copies a step's files into the project, removes those it lists in delete, and returns
// the step's verb and extra arguments.
func copyStep(t *testing.T, stepDir, project string) (string, []string) {
	t.Helper()
	verb := "run"
	var args []string
	err := filepath.WalkDir(stepDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(stepDir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines := slices.DeleteFunc(strings.Split(strings.TrimSpace(string(data)), "\n"), func(s string) bool { return s == "" })
		switch rel {
		case "args":
			args = lines
			return nil
		case "command":
			verb = strings.TrimSpace(string(data))
			return nil
		case "delete":
			for _, l := range lines {
				if err := os.Remove(filepath.Join(project, l)); err != nil {
					return err
				}
			}
			return nil
		}
		writeFiles(t, project, map[string]string{rel: string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return verb, args
}

// modelSteps describes the model steps of target/run_results.json, one line each.
func modelSteps(t *testing.T, project string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(project, "target", "run_results.json"))
	if err != nil {
		return nil
	}
	var rep struct {
		Steps []struct {
			Kind, Name, Status, Materialized string
			Rows, Inserted, Updated          int64
			Incremental                      bool
			SkippedBecause                   string `json:"skipped_because"`
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range rep.Steps {
		if s.Kind != "model" {
			continue
		}
		line := fmt.Sprintf("model %s (%s): %s", s.Name, s.Materialized, s.Status)
		switch {
		case s.Status == "skipped":
			line += " because " + s.SkippedBecause
		case s.Status != "success":
		case s.Materialized == "view":
		case s.Incremental:
			line += fmt.Sprintf(", %d new rows: %d inserted, %d updated", s.Rows, s.Inserted, s.Updated)
		default:
			line += fmt.Sprintf(", %d rows", s.Rows)
		}
		out = append(out, line)
	}
	return out
}

// failedSteps returns the errors recorded in target/run_results.json.
func failedSteps(t *testing.T, project string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(project, "target", "run_results.json"))
	if err != nil {
		return nil
	}
	var rep struct {
		Steps []struct{ Error string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range rep.Steps {
		if s.Error != "" {
			out = append(out, s.Error)
		}
	}
	return out
}
