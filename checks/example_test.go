package checks_test

import (
	"context"
	"fmt"
	"time"

	"github.com/revops/revops/checks"
	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/warehouse/duckdb"
)

// A schema file's checks for one column, parsed and run against an in-memory warehouse.
func Example() {
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		panic(err)
	}
	defer wh.Close()
	if err := wh.Exec(ctx, `CREATE TABLE opportunities AS SELECT * FROM (VALUES
		(1, 'Prospecting', NULL), (2, 'Proposal', 500.0), (3, 'Proposal', NULL), (4, 'Closed Won', 900.0)) AS t(id, stage, amount)`); err != nil {
		panic(err)
	}

	target := checks.Target{Kind: "model", Name: "opportunities", Relation: []string{"main", "opportunities"}, KeyColumns: []string{"id"}}
	list, err := yamlx.Parse("models/schema.yml", []byte(`
- not_null: {error_if: "> 60%"}
- not_null_from_stage: {stage_column: stage, stages: [Prospecting, Proposal, Closed Won], from: Proposal}
`))
	if err != nil {
		panic(err)
	}
	var specs []checks.Spec
	for _, n := range list.Content {
		sp, err := checks.Parse("models/schema.yml", n, target, "amount", nil)
		if err != nil {
			panic(err)
		}
		specs = append(specs, sp)
	}
	runner := &checks.Runner{Warehouse: wh, Fuse: true, Now: func() time.Time { return time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) }}
	results, err := runner.Run(ctx, specs)
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Printf("%s %s: %s; %s; sample %v\n", r.Status, r.ID, r.ObservedText, r.Threshold, r.Sample)
	}
	code, reason := checks.Outcome(results, false)
	fmt.Println(code, reason)
	// Output:
	// warn not_null.opportunities.amount: 2 of 4 rows (50.00%) null; warn if > 0, error if > 60%; sample [map[id:1] map[id:3]]
	// fail not_null_from_stage.opportunities.amount.1223cc29: 1 of 3 rows at or beyond stage "Proposal" (33.33%) have no amount; error if > 0; sample [map[id:3]]
	// 1 1 error-severity check failed: not_null_from_stage.opportunities.amount.1223cc29
}
