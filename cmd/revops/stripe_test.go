package main

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract/stripe/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// A project whose billing source is Stripe (the fake, seeded with customers in four currencies,
// discounts and long invoices) extracts over HTTP and builds the ARR models from the Stripe
// staging: every active subscription's customer has MRR in the as_of month, and the roll-forward
// ties every month.
func TestStripeToARR(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock})
	if _, err := f.Seed(fake.SeedOptions{Customers: 25, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	var rates strings.Builder
	rates.WriteString("currency,rate_date,rate\n")
	for _, r := range []struct {
		c string
		v float64
	}{{"EUR", 1.09}, {"JPY", 0.0067}, {"KWD", 3.25}, {"GBP", 1.27}} {
		fmt.Fprintf(&rates, "%s,2020-01-01,%g\n", r.c, r.v)
	}
	writeFiles(t, dir, map[string]string{
		"fx.csv": rates.String(),
		"revops.yaml": `version: 1
vars:
  as_of_date: 2026-06-15
  billing_system: stripe
  fx_source: [finance, fx]
models:
  builtin: true
sources:
  - name: billing
    type: stripe
    base_url: ` + srv.URL + `
    api_key: ${STRIPE_KEY}
  - name: finance
    type: file
    streams:
      - name: fx
        path: fx.csv
        primary_key: [currency, rate_date]
        columns:
          - {name: currency}
          - {name: rate_date, type: date}
          - {name: rate, type: "decimal(18,8)"}
`})
	env := map[string]string{"STRIPE_KEY": "sk_test_fake"}
	if r := revops(t, env, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	active := 0
	customers := map[string]bool{}
	for _, s := range f.State().Subscriptions {
		if s.Status == "active" || s.Status == "past_due" {
			active++
			customers[s.Customer] = true
		}
	}
	if active == 0 {
		t.Fatal("the seeded world has no active subscription; the test would prove nothing")
	}
	q := revops(t, nil, "query", "--project", dir, "--output", "csv", `select
		(select count(*) from fct_customer_mrr_month where date_month = date '2026-06-01' and is_active) as active_customers,
		(select count(*) from fct_arr_waterfall_month
		  where starting_mrr + new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment <> ending_mrr) as breaks,
		(select count(distinct currency) from stg_billing__recurring_lines) > 1 as currencies`)
	want := fmt.Sprintf("active_customers,breaks,currencies\n%d,0,true\n", len(customers))
	if q.stdout != want {
		t.Fatalf("got %q, want %q (%s)", q.stdout, want, q.stderr)
	}
}
