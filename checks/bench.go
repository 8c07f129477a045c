package checks

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/warehouse"
)

// BenchResult compares the fused runner with one query per check on the same checks and data.
type BenchResult struct {
	Rows           int     `json:"rows"`
	Checks         int     `json:"checks"`
	FusedSeconds   float64 `json:"fused_seconds"`   // best of benchRounds
	UnfusedSeconds float64 `json:"unfused_seconds"` // best of benchRounds
	// Ratio is UnfusedSeconds / FusedSeconds: how many times faster the fused runner is.
	Ratio          float64 `json:"ratio"`
	FusedQueries   int     `json:"fused_queries"`   // distinct queries the fused run issued
	UnfusedQueries int     `json:"unfused_queries"` // distinct queries the unfused run issued
	NotPassed      int     `json:"not_passed"`      // checks that warned or failed (the data has planted violations)
	// Results are the fused run's results (identical to the unfused run's apart from SQL and timing).
	Results []Result `json:"-"`
}

// benchRounds is how many times Bench runs each way. The fastest counts: on a shared machine
// the slow runs measure the neighbours.
const benchRounds = 5

// benchSchema holds the benchmark's tables; Bench drops it when done.
const benchSchema = "revops_bench"

// Bench creates a table of rows CRM opportunities (with planted NULLs, duplicates and
// invalid values) in schema revops_bench, defines 30 checks over it — the column checks of a
// typical schema file plus freshness, row count, a relationship and a custom SQL check — and
// runs them fused and one query per check (as dbt tests and Soda checks run), alternating,
// best of benchRounds each. It verifies that both give identical results (apart from SQL and
// timing), returns the timings and their ratio, and drops the schema.
func Bench(ctx context.Context, wh warehouse.Warehouse, rows int) (BenchResult, error) {
	res := BenchResult{Rows: rows}
	if rows < 1000 {
		return res, errors.New("bench: use at least 1000 rows")
	}
	d := wh.Dialect()
	if d.Name() != "duckdb" {
		return res, fmt.Errorf("bench: the data generator is written for DuckDB, not %s", d.Name())
	}
	schema := d.QuoteIdent(benchSchema)
	n, _ := d.QuoteLiteral(int64(rows))
	setup := []string{
		"DROP SCHEMA IF EXISTS " + schema + " CASCADE",
		"CREATE SCHEMA " + schema,
		"CREATE TABLE " + d.QuoteIdent(benchSchema, "accounts") + " AS SELECT range AS id, 'Account ' || range AS name FROM range(1, 50000)",
		"CREATE TABLE " + d.QuoteIdent(benchSchema, "opportunities") + " AS " + benchData(n),
	}
	for _, q := range setup {
		if err := wh.Exec(ctx, q); err != nil {
			return res, fmt.Errorf("bench: create data: %w", err)
		}
	}
	defer func() { _ = wh.Exec(context.WithoutCancel(ctx), "DROP SCHEMA IF EXISTS "+schema+" CASCADE") }()
	specs, err := benchSpecs()
	if err != nil {
		return res, err
	}
	res.Checks = len(specs)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var fused, unfused []Result
	res.FusedSeconds, res.UnfusedSeconds = -1, -1
	for round := 0; round < benchRounds; round++ {
		for _, fuse := range []bool{false, true} {
			r := &Runner{Warehouse: wh, Now: clock, Fuse: fuse}
			start := time.Now()
			out, err := r.Run(ctx, specs)
			secs := time.Since(start).Seconds()
			if err != nil {
				return res, fmt.Errorf("bench: run checks: %w", err)
			}
			for _, x := range out {
				if x.Status == StatusError {
					return res, fmt.Errorf("bench: check %s could not be evaluated: %s", x.ID, x.Error)
				}
			}
			if fuse {
				fused = out
				if res.FusedSeconds < 0 || secs < res.FusedSeconds {
					res.FusedSeconds = secs
				}
			} else {
				unfused = out
				if res.UnfusedSeconds < 0 || secs < res.UnfusedSeconds {
					res.UnfusedSeconds = secs
				}
			}
		}
	}
	if diff := SameResults(fused, unfused); diff != "" {
		return res, fmt.Errorf("bench: fused and unfused results differ: %s", diff)
	}
	res.Ratio = res.UnfusedSeconds / res.FusedSeconds
	res.FusedQueries, res.UnfusedQueries = distinctSQL(fused), distinctSQL(unfused)
	for _, x := range fused {
		if x.Status != StatusPass {
			res.NotPassed++
		}
	}
	res.Results = fused
	return res, nil
}

func distinctSQL(results []Result) int {
	seen := map[string]bool{}
	for _, r := range results {
		for _, q := range r.SQL {
			seen[q] = true
		}
	}
	return len(seen)
}

// SameResults reports the first difference between two result lists, ignoring SQL, timing
// and the check time ("" when they are the same).
func SameResults(a, b []Result) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d results vs %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		x.SQL, y.SQL = nil, nil
		x.ElapsedSeconds, y.ElapsedSeconds = 0, 0
		x.CheckedAt, y.CheckedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			return fmt.Sprintf("result %d (%s):\n  one   %+v\n  other %+v", i, x.ID, x, y)
		}
	}
	return ""
}

// benchData generates the opportunities: about 1% NULL e-mails, 1% duplicated e-mails, 0.1%
// unknown stages, 2% NULL amounts, 0.02% negative amounts, missing close dates on 0.5% of the
// late-stage deals, 0.01% probabilities above 100, 0.03% lower-case currencies, and account
// ids of which 1 in 50,000 has no account.
func benchData(n string) string {
	return `SELECT
  i AS id,
  i % 50000 AS account_id,
  CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN 'user' || (i - 1) || '@example.com' ELSE 'user' || i || '@example.com' END AS email,
  CASE WHEN i % 1001 = 0 THEN 'Bogus' ELSE ['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'][1 + i % 6] END AS stage,
  CASE WHEN i % 53 = 0 THEN NULL WHEN i % 4999 = 0 THEN -100 ELSE CAST((i % 10000) * 12.5 AS DECIMAL(18,2)) END AS amount,
  CASE WHEN i % 6 >= 2 AND i % 211 <> 0 THEN DATE '2026-01-01' + CAST(i % 365 AS INTEGER) END AS close_date,
  CASE WHEN i % 7919 = 0 THEN 150 ELSE i % 101 END AS probability,
  CASE WHEN i % 3331 = 0 THEN 'usd' ELSE ['USD', 'EUR', 'GBP'][1 + i % 3] END AS currency,
  i % 200 AS owner_id,
  ['NA', 'EMEA', 'APAC', 'LATAM'][1 + i % 4] AS region,
  TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i % 15552000) AS created_at,
  TIMESTAMP '2026-01-01 00:00:00' + to_seconds(i % 15552000) AS updated_at
FROM range(` + n + `) AS t(i)`
}

// benchChecks are the 30 checks, as a user would write them in a schema file.
const benchChecks = `
- {not_null: {column: id}}
- {unique: {column: id}}
- {not_null: {column: account_id}}
- {range: {column: account_id, min: 0}}
- {relationships: {column: account_id, to: "source('revops_bench', 'accounts')", field: id}}
- {not_null: {column: email}}
- {regex: {column: email, pattern: '^[^@\s]+@[^@\s]+\.[a-z]+$'}}
- {not_null: {column: stage}}
- {accepted_values: {column: stage, values: [Prospecting, Qualification, Proposal, Negotiation, Closed Won, Closed Lost]}}
- {regex: {column: stage, pattern: '^[A-Z]'}}
- {not_null: {column: amount, warn_if: "> 0", error_if: "> 5%"}}
- {range: {column: amount, min: 0}}
- {not_null: {column: amount, name: won_amount_not_null, where: "stage = 'Closed Won'"}}
- {not_null_from_stage: {column: amount, stage_column: stage, stages: [Prospecting, Qualification, Proposal, Negotiation, Closed Won], from: Proposal}}
- {not_null_from_stage: {column: close_date, stage_column: stage, stages: [Prospecting, Qualification, Proposal, Negotiation, Closed Won], from: Proposal}}
- {range: {column: close_date, min: "2020-01-01", max: "2030-12-31"}}
- {not_null: {column: probability}}
- {range: {column: probability, min: 0, max: 100}}
- {not_null: {column: currency}}
- {accepted_values: {column: currency, values: [USD, EUR, GBP]}}
- {not_null: {column: owner_id}}
- {range: {column: owner_id, min: 0, max: 199}}
- {not_null: {column: region}}
- {accepted_values: {column: region, values: [NA, EMEA, APAC, LATAM]}}
- {not_null: {column: created_at}}
- {not_null: {column: updated_at}}
- {row_count: {min: 1}}
- {unique_combination: {columns: [id, currency]}}
- {freshness: {column: created_at, warn_after: 24h, error_after: 30d}}
- {sql: "select id from {{ this }} where stage = 'Closed Won' and probability < 50"}
`

func benchSpecs() ([]Spec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(benchChecks), &root); err != nil {
		return nil, err
	}
	t := Target{Kind: "source", Name: benchSchema + ".opportunities", Relation: []string{benchSchema, "opportunities"},
		KeyColumns: []string{"id"}, TimeZone: "UTC"}
	resolve := func(expr string) (Target, error) {
		if expr == "source('revops_bench', 'accounts')" {
			return Target{Kind: "source", Name: benchSchema + ".accounts", Relation: []string{benchSchema, "accounts"}, KeyColumns: []string{"id"}}, nil
		}
		return Target{}, fmt.Errorf("unknown relation %s", expr)
	}
	var specs []Spec
	for i, n := range root.Content[0].Content {
		sp, err := Parse("bench.yml", n, t, "", resolve)
		if err != nil {
			return nil, fmt.Errorf("bench: check %s: %w", strconv.Itoa(i+1), err)
		}
		specs = append(specs, sp)
	}
	if err := CheckIDs(specs); err != nil {
		return nil, err
	}
	return specs, nil
}
