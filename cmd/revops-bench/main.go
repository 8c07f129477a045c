// Command revops-bench measures revops against the physical limit of this machine and writes
// one JSON object per result to target/bench.jsonl. `make bench` runs it.
//
// Transform: parse + compile of a generated 1,000-model project, and the overhead of a no-op
// `revops build` of 50 models beyond the time of their SQL alone.
//
// Checks: 30 checks over a 10 M-row table, fused into few scans against one query per check.
//
// Models: every packaged revenue model built by `revops build` on the scale-100 demo world,
// against the same compiled SQL run straight into DuckDB.
//
// Extract: each connector (Salesforce, HubSpot, Stripe, Marketo) reading one stream from its
// fake, served by another process, against a plain HTTP client fetching the same pages; revops'
// peak RSS.
//
// Load: the engine's `revops extract` of a 10-column CRM-like table (10 M rows at -scale 1) from
// Parquet and from CSV into a fresh DuckDB file, against DuckDB's own read_parquet/read_csv into a
// table on the same file, each in its own process so peak memory (max RSS) is measured too.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Result is one line of target/bench.jsonl.
type Result struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	Ratio    float64 `json:"ratio"`
	Target   float64 `json:"target"`
	Rows     int64   `json:"rows"`
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("revops-bench", flag.ContinueOnError)
	scale := fs.Float64("scale", 1, "data scale: 1 = 10 M rows")
	out := fs.String("out", "target/bench.jsonl", "append results to this JSON-lines file")
	revops := fs.String("revops", "bin/revops", "the revops binary to measure")
	work := fs.String("work", ".bench", "directory for generated data (kept between runs)")
	native := fs.String("native", "", "internal: run DuckDB's native load of FORMAT:FILE:DB and exit")
	repeat := fs.Int("repeat", 2, "runs per case; the fastest counts")
	only := fs.String("only", "load,transform,checks,models,extract", "which benchmarks: load, transform, checks, models, extract (comma separated)")
	modelsScale := fs.Int("models-scale", 100, "demo world scale for the revenue models benchmark")
	extractRows := fs.Int("extract-rows", 1_000_000, "Salesforce opportunities for the extract benchmark at -scale 1 (HubSpot contacts and Stripe customers: a fiftieth, at most 20,000; Marketo activities: a fifth, at most 200,000)")
	extractVendors := fs.String("extract-vendors", "", "comma-separated vendors for the extract benchmark (default: all)")
	serveFakeSpec := fs.String("serve-fake", "", "internal: seed and serve a fake VENDOR:ROWS on 127.0.0.1 until stdin closes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *serveFakeSpec != "" {
		if err := serveFake(*serveFakeSpec, stdout, os.Stdin); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if *native != "" {
		if err := nativeLoad(ctx, *native); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	rows := int64(10_000_000 * *scale)
	if rows < 1000 {
		fmt.Fprintln(stderr, "-scale too small")
		return 2
	}
	b := &bench{stdout: stdout, stderr: stderr, revops: *revops, work: *work, rows: rows, repeat: max(*repeat, 1),
		modelsScale: *modelsScale, extractRows: max(int(float64(*extractRows)**scale), 1000),
		extractVendors: *extractVendors}
	var results []Result
	for _, name := range strings.Split(*only, ",") {
		var rs []Result
		var err error
		switch strings.TrimSpace(name) {
		case "load":
			rs, err = b.load(ctx)
		case "transform":
			rs, err = b.compileBench(ctx)
			if err == nil {
				var more []Result
				more, err = b.buildOverheadBench(ctx)
				rs = append(rs, more...)
			}
		case "checks":
			rs, err = b.checksBench(ctx)
		case "models":
			rs, err = b.modelsBench(ctx)
		case "extract":
			rs, err = b.extractBench(ctx)
		default:
			err = fmt.Errorf("-only: unknown benchmark %q (load, transform, checks, models, extract)", name)
		}
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		results = append(results, rs...)
	}
	if err := appendJSONL(*out, results); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "\nwrote %d results to %s\n", len(results), *out)
	return 0
}

type bench struct {
	stdout, stderr io.Writer
	revops, work   string
	rows           int64
	repeat         int
	modelsScale    int
	extractRows    int
	extractVendors string
}

// measurement is one process: its wall time and peak RSS.
type measurement struct {
	seconds float64
	rssMiB  float64
}

func (b *bench) load(ctx context.Context) ([]Result, error) {
	dataDir, err := filepath.Abs(filepath.Join(b.work, fmt.Sprintf("load-%d", b.rows)))
	if err != nil {
		return nil, err
	}
	if err := generate(ctx, dataDir, b.rows); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.stdout, "load %d rows × 10 columns into DuckDB (best of %d; fresh database each run)\n\n", b.rows, b.repeat)
	fmt.Fprintf(b.stdout, "%-8s %14s %14s %7s %12s %12s\n", "format", "revops rows/s", "duckdb rows/s", "ratio", "revops RSS", "duckdb RSS")
	var results []Result
	for _, format := range []string{"parquet", "csv"} {
		file := filepath.Join(dataDir, "opportunities."+format)
		nat, err := b.best(func(db string) *exec.Cmd {
			return exec.CommandContext(ctx, self, "-native", format+":"+file+":"+db)
		}, dataDir)
		if err != nil {
			return nil, fmt.Errorf("native %s load: %w", format, err)
		}
		project := filepath.Join(dataDir, "project-"+format)
		if err := writeProject(project, format, file); err != nil {
			return nil, err
		}
		eng, err := b.best(func(db string) *exec.Cmd {
			if err := os.RemoveAll(filepath.Join(project, "target")); err != nil {
				fmt.Fprintln(b.stderr, err)
			}
			return exec.CommandContext(ctx, b.revops, "extract", "--project", project, "--log-format", "json", "--log-level", "warn")
		}, project)
		if err != nil {
			return nil, fmt.Errorf("revops %s load: %w", format, err)
		}
		engRate, natRate := float64(b.rows)/eng.seconds, float64(b.rows)/nat.seconds
		fmt.Fprintf(b.stdout, "%-8s %14.0f %14.0f %7.2f %9.0f MiB %9.0f MiB\n", format, engRate, natRate, engRate/natRate, eng.rssMiB, nat.rssMiB)
		results = append(results,
			Result{Name: "load_" + format + "_throughput", Value: round(engRate), Unit: "rows/s", Baseline: round(natRate),
				Ratio: round2(engRate / natRate), Target: 0.8, Rows: b.rows},
			Result{Name: "load_" + format + "_peak_rss", Value: round(eng.rssMiB), Unit: "MiB", Baseline: round(nat.rssMiB),
				Ratio: round2(eng.rssMiB / nat.rssMiB), Target: 1536, Rows: b.rows})
	}
	return results, nil
}

// best runs the command repeat times, each on a fresh database file, and keeps the fastest run.
func (b *bench) best(cmd func(db string) *exec.Cmd, dir string) (measurement, error) {
	var best measurement
	for i := 0; i < b.repeat; i++ {
		db := filepath.Join(dir, "bench.duckdb") // the projects name this file too
		os.Remove(db)
		os.Remove(db + ".wal")
		c := cmd(db)
		var errBuf strings.Builder
		c.Stderr = &errBuf
		c.Stdout = io.Discard
		start := time.Now()
		if err := c.Run(); err != nil {
			return best, fmt.Errorf("%s: %w\n%s", strings.Join(c.Args, " "), err, errBuf.String())
		}
		m := measurement{seconds: time.Since(start).Seconds()}
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.rssMiB = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
		if i == 0 || m.seconds < best.seconds {
			best = m
		}
		os.Remove(db)
		os.Remove(db + ".wal")
	}
	return best, nil
}

// nativeLoad is DuckDB loading the file by itself: the physical limit the engine is compared to.
func nativeLoad(ctx context.Context, spec string) error {
	format, rest, _ := strings.Cut(spec, ":")
	file, db, ok := strings.Cut(rest, ":")
	if !ok {
		return fmt.Errorf("-native wants FORMAT:FILE:DB, got %q", spec)
	}
	conn, err := sql.Open("duckdb", db)
	if err != nil {
		return err
	}
	defer conn.Close()
	scan := "read_parquet(" + literal(file) + ")"
	if format == "csv" {
		// The same declared types the engine's project declares: no type sniffing on either side.
		scan = "read_csv(" + literal(file) + ", header = true, columns = " + csvColumns + ")"
	}
	_, err = conn.ExecContext(ctx, "CREATE TABLE opportunities AS SELECT * FROM "+scan)
	return err
}

// csvColumns declares the benchmark table's columns for DuckDB's read_csv.
const csvColumns = `{'id': 'BIGINT', 'account_id': 'VARCHAR', 'name': 'VARCHAR', 'stage': 'VARCHAR',
	'amount': 'DECIMAL(18,2)', 'probability': 'DOUBLE', 'close_date': 'DATE', 'created_at': 'TIMESTAMPTZ',
	'is_won': 'BOOLEAN', 'owner_id': 'VARCHAR'}`

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func round(v float64) float64  { return float64(int64(v + 0.5)) }
func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

func appendJSONL(path string, results []Result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
