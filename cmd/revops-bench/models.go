package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/revops/revops/transform"
)

// modelsBench builds every packaged revenue model on the demo world at -models-scale (default
// 100) with `revops build`, and runs the same compiled SQL (from target/manifest.json) straight
// into DuckDB on the same file in DAG order: CREATE OR REPLACE TABLE / VIEW per model. Both
// best of three. Target: revops within 1.2× of the SQL alone.
func (b *bench) modelsBench(ctx context.Context) ([]Result, error) {
	dir, err := filepath.Abs(filepath.Join(b.work, fmt.Sprintf("demo-%d", b.modelsScale)))
	if err != nil {
		return nil, err
	}
	// The world (read from its files: extraction is not measured here) is generated once per
	// revops binary: a stamp names the binary's digest.
	stamp, err := fileDigest(b.revops)
	if err != nil {
		return nil, fmt.Errorf("models bench: %w", err)
	}
	stampFile := filepath.Join(dir, ".bench-revops-digest")
	if old, err := os.ReadFile(stampFile); err != nil || string(old) != stamp {
		fmt.Fprintf(b.stdout, "generating the demo world at scale %d in %s (once per revops binary) ...\n", b.modelsScale, dir)
		c := exec.CommandContext(ctx, b.revops, "demo", "--dir", dir, "--force", "--from", "files", "--scale", fmt.Sprint(b.modelsScale), "--log-level", "warn")
		c.Stdout, c.Stderr = b.stderr, b.stderr
		if err := c.Run(); err != nil {
			return nil, fmt.Errorf("revops demo --scale %d: %w", b.modelsScale, err)
		}
		if err := os.WriteFile(stampFile, []byte(stamp), 0o644); err != nil {
			return nil, err
		}
	}
	if out, err := exec.CommandContext(ctx, b.revops, "compile", "--project", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("revops compile: %w: %s", err, out)
	}
	stmts, err := manifestStatements(filepath.Join(dir, "target", "manifest.json"))
	if err != nil {
		return nil, err
	}
	var bestBuild float64
	for i := 0; i < 3; i++ {
		c := exec.CommandContext(ctx, b.revops, "build", "--project", dir, "--log-level", "warn")
		start := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("revops build: %w: %s", err, out)
		}
		if s := time.Since(start).Seconds(); i == 0 || s < bestBuild {
			bestBuild = s
		}
	}
	var bestSQL float64
	for i := 0; i < 3; i++ {
		start := time.Now()
		db, err := sql.Open("duckdb", filepath.Join(dir, "revops.duckdb"))
		if err != nil {
			return nil, err
		}
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				db.Close()
				return nil, fmt.Errorf("%w\n%s", err, s)
			}
		}
		if err := db.Close(); err != nil {
			return nil, err
		}
		if s := time.Since(start).Seconds(); i == 0 || s < bestSQL {
			bestSQL = s
		}
	}
	var rows int64
	db, err := sql.Open("duckdb", filepath.Join(dir, "revops.duckdb"))
	if err == nil {
		_ = db.QueryRowContext(ctx, `select count(*) from crm.opportunities`).Scan(&rows)
		db.Close()
	}
	ratio := bestBuild / bestSQL
	fmt.Fprintf(b.stdout, "revenue models (%d statements) on the scale-%d demo (%d opportunities): revops build %.2f s, the same SQL alone %.2f s: %.2f×; target ≤ 1.2×\n",
		len(stmts), b.modelsScale, rows, bestBuild, bestSQL, ratio)
	return []Result{{Name: "revenue_models_build_seconds", Value: round3(bestBuild), Unit: "s",
		Baseline: round3(bestSQL), Ratio: round2(ratio), Target: 1.2, Rows: rows}}, nil
}

// fileDigest returns the hex SHA-256 of a file's content.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// manifestStatements turns the manifest's compiled models into CREATE OR REPLACE statements
// in dependency order.
func manifestStatements(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var mf transform.Manifest
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	ids := make([]string, 0, len(mf.Nodes))
	for id := range mf.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	done := map[string]bool{}
	var out []string
	var visit func(id string)
	visit = func(id string) {
		n, ok := mf.Nodes[id]
		if !ok || done[id] {
			return
		}
		done[id] = true
		for _, d := range n.DependsOn {
			visit(d)
		}
		switch n.Config.Materialized {
		case "table":
			out = append(out, "CREATE OR REPLACE TABLE "+n.Relation+" AS\n"+n.CompiledSQL)
		case "view":
			out = append(out, "CREATE OR REPLACE VIEW "+n.Relation+" AS\n"+n.CompiledSQL)
		}
	}
	for _, id := range ids {
		visit(id)
	}
	return out, nil
}
