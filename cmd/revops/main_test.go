package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets tests run the real binary (this test binary re-executed) for what needs a
// separate process: crashes and overlapping runs.
func TestMain(m *testing.M) {
	if os.Getenv("REVOPS_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// result is one in-process CLI invocation.
type result struct {
	code           int
	stdout, stderr string
}

// revops runs the CLI in-process with the given environment variables.
func revops(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{
		lookupEnv:  func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		now:        time.Now,
		isTerminal: func(io.Writer) bool { return false },
		exit:       func(code int) { t.Fatalf("unexpected exit(%d)", code) },
	}
	code := run(context.Background(), args, &out, &errb, e)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// revopsProcess starts the CLI as a separate process.
func revopsProcess(t *testing.T, extraEnv []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{"REVOPS_TEST_MAIN=1"}, extraEnv...)...)
	return cmd
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
