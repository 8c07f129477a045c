package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/revops/revops/internal/demo"
)

func demoCommand() *command {
	var dir string
	var seed int64
	var scale int
	var force bool
	var from string
	var serve bool
	return &command{
		name: "demo", summary: "generate a sample SaaS company's data and run revops on it",
		examples: []string{
			"revops demo",
			"revops demo --dir /tmp/acme --scale 10 --seed 7",
			"revops demo --from files    (read the CRM and billing exports instead of the fake APIs)",
			`revops show --project revops-demo crm.opportunities --limit 10`,
		},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&dir, "dir", "revops-demo", "directory for the generated project")
			fs.Int64Var(&seed, "seed", 42, "random seed (the same seed gives the same company)")
			fs.IntVar(&scale, "scale", 1, "size: 1 ≈ a 50-person startup; rows grow linearly")
			fs.BoolVar(&force, "force", false, "replace an existing demo project in --dir")
			fs.BoolVar(&serve, "serve", false, "with --from vendors: keep serving the fake APIs after the run, until interrupted, so that `revops run` can extract from them again")
			fs.StringVar(&from, "from", "vendors", "vendors: extract from fake Salesforce, HubSpot, Marketo and Stripe APIs served on 127.0.0.1; files: read the same world from CSV/JSON/Parquet exports")
		},
		run: func(ctx context.Context, c *cli, args []string) int {
			if len(args) > 0 {
				c.errorf("demo", "unexpected argument %q (use --dir)", args[0])
				return exitConfig
			}
			if scale < 1 {
				c.errorf("demo", "--scale must be 1 or more")
				return exitConfig
			}
			if from != "vendors" && from != "files" {
				c.errorf("demo", "--from %q: use vendors or files", from)
				return exitConfig
			}
			if serve && from != "vendors" {
				c.errorf("demo", "--serve serves the fake APIs of --from vendors, not files")
				return exitConfig
			}
			if force {
				if _, err := os.Stat(filepath.Join(dir, "revops.yaml")); err == nil {
					if err := os.RemoveAll(dir); err != nil {
						c.errorf("demo", "remove old demo: %v", err)
						return exitRuntime
					}
				}
			}
			sum, err := demo.Generate(dir, demo.Options{Seed: seed, Scale: scale, Vendors: from == "vendors"})
			if err != nil {
				c.errorf("demo", "%v", err)
				return exitConfig
			}
			fmt.Fprintf(c.stdout, "Generated a sample company in %s (%d files).\n", dir, len(sum.Files))
			if v := sum.Vendors; v != nil {
				defer v.Close()
				fmt.Fprintf(c.stdout, "Serving its Salesforce (%s), HubSpot (%s), Marketo (%s) and Stripe (%s) on fake APIs.\n",
					v.URLs["salesforce"], v.URLs["hubspot"], v.URLs["marketo"], v.URLs["stripe"])
			}
			fmt.Fprintln(c.stdout)
			rawOpportunities := "crm.opportunities"
			if sum.Vendors != nil {
				rawOpportunities = "crm.opportunity"
			}
			c.project = dir
			code := c.execute(ctx, "run", nil, &runFlags{})
			if code != exitOK {
				return code
			}
			prog := c.env.program
			if prog == "" {
				prog = "revops"
			}
			fmt.Fprintf(c.stdout, `
The demo warehouse is %[1]s. Look at it with:
  %[2]s show --project %[3]s fct_arr_waterfall_month --limit 12
  %[2]s show --project %[3]s fct_revops_kpis --limit 9
  %[2]s query --project %[3]s "select date_month, nrr_12m, grr_12m from fct_retention order by 1 desc limit 6"
  %[2]s show --project %[3]s %[5]s --limit 10
  %[2]s query --project %[3]s "select * from _revops.runs" --output json
  %[2]s docs --project %[3]s    (a browsable site of every model, source and check)
Run details: %[4]s
`, filepath.Join(dir, "revops.duckdb"), prog, dir, filepath.Join(dir, "target", "run_results.json"), rawOpportunities)
			if serve {
				fmt.Fprintf(c.stdout, "\nThe fake APIs keep serving until interrupted (Ctrl-C): extract again with\n  %s run --project %s\n", prog, dir)
				<-ctx.Done()
			}
			return exitOK
		},
	}
}
