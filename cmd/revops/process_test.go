package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashProject writes a project with one stream of three CSV files loaded file by file, so each
// file is one commit of data and cursor.
func crashProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"revops.yaml": `version: 1
sources:
  - name: billing
    type: file
    streams:
      - name: invoices
        path: data/*.csv
        primary_key: [invoice_id]
        incremental: files
        columns:
          - {name: invoice_id, type: integer}
          - {name: amount, type: "decimal(18,2)"}
`}
	for f := range 3 {
		var b strings.Builder
		b.WriteString("invoice_id,amount\n")
		for i := range 1000 {
			fmt.Fprintf(&b, "%d,%d.%02d\n", f*1000+i, i, f)
		}
		files[fmt.Sprintf("data/part-%d.csv", f)] = b.String()
	}
	writeFiles(t, dir, files)
	return dir
}

func countInvoices(t *testing.T, dir string) string {
	t.Helper()
	r := revops(t, nil, "query", "--project", dir, "--output", "csv",
		"select count(*) as n, count(distinct invoice_id) as keys, sum(amount) as total from billing.invoices")
	if r.code != exitOK {
		t.Fatalf("query: %s", r.stderr)
	}
	return r.stdout
}

// A run killed between loading a batch and committing it (the cursor is written, the transaction
// is not committed) loses nothing and duplicates nothing: the rerun ends with exactly the source.
func TestKilledRunResumesExactly(t *testing.T) {
	for _, point := range []string{"before-cursor", "after-cursor"} {
		t.Run(point, func(t *testing.T) {
			dir := crashProject(t)
			// Die while committing the second of three files.
			cmd := revopsProcess(t, []string{"REVOPS_FAILPOINT=" + point + ":billing.invoices:crash@2"}, "run", "--project", dir)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 137 {
				t.Fatalf("want the process to die with 137, got %v\n%s", err, out)
			}
			if got := countInvoices(t, dir); got != "n,keys,total\n1000,1000,499500.00\n" {
				t.Fatalf("after the crash the table holds %q; the uncommitted batch must not persist", got)
			}
			r := revops(t, nil, "run", "--project", dir)
			if r.code != exitOK {
				t.Fatalf("rerun: %d %s", r.code, r.stderr)
			}
			want := "n,keys,total\n3000,3000,1498530.00\n"
			if got := countInvoices(t, dir); got != want {
				t.Fatalf("after rerun: %q, want %q", got, want)
			}
			r = revops(t, nil, "query", "--project", dir, "--output", "csv", "select status from _revops.runs order by started_at")
			if r.stdout != "status\nabandoned\nsuccess\n" {
				t.Fatalf("ledger: %q", r.stdout)
			}
		})
	}
}

// A crash after some files committed: the rerun loads only the rest.
func TestKilledMidStreamKeepsCommittedFiles(t *testing.T) {
	dir := crashProject(t)
	first := revops(t, nil, "run", "--project", dir, "--select", "billing")
	if first.code != exitOK {
		t.Fatal(first.stderr)
	}
	// Two more files arrive; the process dies while committing the first of them.
	writeFiles(t, dir, map[string]string{
		"data/part-3.csv": "invoice_id,amount\n3000,1.00\n3001,2.00\n",
		"data/part-4.csv": "invoice_id,amount\n4000,3.00\n0,99.00\n", // updates invoice 0
	})
	cmd := revopsProcess(t, []string{"REVOPS_FAILPOINT=after-cursor:billing.invoices:crash"}, "run", "--project", dir)
	if err := cmd.Run(); err == nil {
		t.Fatal("want a crash")
	}
	if got := countInvoices(t, dir); got != "n,keys,total\n3000,3000,1498530.00\n" {
		t.Fatalf("after the crash: %q", got)
	}
	if r := revops(t, nil, "run", "--project", dir); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	if got := countInvoices(t, dir); got != "n,keys,total\n3003,3003,1498635.00\n" {
		t.Fatalf("after rerun: %q", got)
	}
}

// Two overlapping runs: the second exits with the lock code and names the holder; the first
// finishes and the state is intact.
func TestOverlappingRunsAreLocked(t *testing.T) {
	dir := crashProject(t)
	release := filepath.Join(t.TempDir(), "release")
	first := revopsProcess(t, []string{"REVOPS_FAILPOINT=before-cursor:*:block:" + release}, "run", "--project", dir)
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(dir, "target", "revops.lock")
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(lockFile)
		if bytes.Contains(data, []byte(fmt.Sprintf(`"pid":%d`, first.Process.Pid))) {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("first run never took the lock:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := revops(t, nil, "run", "--project", dir)
	if second.code != exitLocked {
		t.Fatalf("second run: exit %d, want %d\n%s", second.code, exitLocked, second.stderr)
	}
	mustContain(t, "second run", second.stderr, "another revops process holds the project lock", fmt.Sprintf("pid %d", first.Process.Pid))
	if q := revops(t, nil, "query", "--project", dir, "select 1"); q.code != exitLocked {
		t.Fatalf("query during a run: exit %d, want %d", q.code, exitLocked)
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, out.String())
	}
	if got := countInvoices(t, dir); got != "n,keys,total\n3000,3000,1498530.00\n" {
		t.Fatalf("state after overlapping runs: %q", got)
	}
}
