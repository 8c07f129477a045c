package demo_test

import (
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/revops/revops/internal/demo"
)

// Generate writes the sample project; the same seed always gives the same company.
func ExampleGenerate() {
	tmp, err := os.MkdirTemp("", "revops-demo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	sum, err := demo.Generate(filepath.Join(tmp, "demo"), demo.Options{Seed: 42, Scale: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(sum.Files, "\n"))
	for _, k := range slices.Sorted(maps.Keys(sum.Rows)) {
		fmt.Printf("%s: %d rows\n", k, sum.Rows[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sum.Planted)) {
		fmt.Printf("planted %s: %d\n", k, sum.Planted[k])
	}
	// Output:
	// data/crm/accounts.csv
	// data/crm/users.csv
	// data/crm/contacts.jsonl
	// data/crm/leads.csv
	// data/crm/opportunities.csv
	// data/crm/opportunity_history.csv
	// data/crm/activities.csv
	// data/billing/customers.csv
	// data/billing/invoices.jsonl
	// data/finance/fx_rates.csv
	// data/finance/sales_targets.csv
	// data/billing/subscriptions.parquet
	// revops.yaml
	// models/sources.yml
	// accounts: 309 rows
	// activities: 10341 rows
	// contacts: 1544 rows
	// customers: 134 rows
	// fx_rates: 122 rows
	// invoices: 2333 rows
	// leads: 1981 rows
	// opportunities: 921 rows
	// opportunity_history: 3577 rows
	// sales_targets: 63 rows
	// subscriptions: 262 rows
	// users: 24 rows
	// planted duplicate_accounts: 9
	// planted duplicate_contacts: 44
	// planted missing_amount: 6
	// planted missing_close_date: 2
	// planted open_past_close_date: 2
	// planted orphan_contacts: 45
	// planted soft_deleted_accounts: 9
	// planted zero_amount_won: 10
}
