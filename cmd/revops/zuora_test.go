package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/revops/revops/extract/zuora/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// A project whose billing source is Zuora (the fake: a EUR account with a seat charge raised
// from 10 to 15 seats in April, a quarterly support charge added mid-June, a one-time setup fee
// and a cancellation on 1 September) extracts over OAuth and ZOQL and builds ARR from the latest
// subscription version's charge segments: new, two expansions and the churn, each in its month.
func TestZuoraToARR(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock})
	acc, err := f.CreateAccount(fake.Account{Name: "Acme", Currency: "EUR", CrmID: "001ACME"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := f.Subscribe(fake.NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01", TermMonths: 12,
		RatePlans: []fake.RatePlanSpec{
			{Name: "Seats", Charges: []fake.ChargeSpec{{Name: "Seats", Price: "10", Quantity: "10"}}},
			{Name: "Setup", Charges: []fake.ChargeSpec{{Name: "Setup", ChargeType: "OneTime", ChargeModel: "Flat Fee Pricing", Price: "500"}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var seats string
	for _, c := range f.Truth().RatePlanCharges {
		if c.Name == "Seats" {
			seats = c.ChargeNumber
		}
	}
	clock.Advance(time.Hour)
	if _, err := f.Amend(sub.Name, fake.Amendment{EffectiveDate: "2025-04-01",
		Update: []fake.ChargeUpdate{{ChargeNumber: seats, Quantity: "15"}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if _, err := f.Amend(sub.Name, fake.Amendment{EffectiveDate: "2025-06-15", Add: []fake.RatePlanSpec{{Name: "Support",
		Charges: []fake.ChargeSpec{{Name: "Support", Price: "90", BillingPeriod: "Quarter", ChargeModel: "Flat Fee Pricing"}}}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if _, err := f.Cancel(sub.Name, "2025-09-01", time.Time{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"revops.yaml": `version: 1
vars:
  as_of_date: 2025-12-31
  billing_system: zuora
  reporting_currency: EUR
models:
  builtin: true
sources:
  - name: billing
    type: zuora
    base_url: ` + srv.URL + `
    client_id: ` + fake.DefaultClientID + `
    client_secret: ${ZUORA_SECRET}
`})
	if r := revops(t, map[string]string{"ZUORA_SECRET": fake.DefaultClientSecret}, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct{ q, want string }{
		{`select strftime(date_month, '%Y-%m') as month, new_mrr, expansion_mrr, churned_mrr, ending_mrr
		  from fct_arr_waterfall_month where new_mrr <> 0 or expansion_mrr <> 0 or churned_mrr <> 0 order by 1`,
			"month,new_mrr,expansion_mrr,churned_mrr,ending_mrr\n2025-01,100.000000,0.000000,0.000000,100.000000\n" +
				"2025-04,0.000000,50.000000,0.000000,150.000000\n2025-06,0.000000,30.000000,0.000000,180.000000\n" +
				"2025-09,0.000000,0.000000,-180.000000,0.000000\n"},
		{`select customer_id = '` + acc.ID + `' as is_acme, crm_account_id from stg_billing__customers`, "is_acme,crm_account_id\ntrue,001ACME\n"},
		{`select count(*) as breaks from fct_arr_waterfall_month
		  where starting_mrr + new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment <> ending_mrr`,
			"breaks\n0\n"},
	} {
		if q := revops(t, nil, "query", "--project", dir, "--output", "csv", c.q); q.stdout != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q %s", c.q, q.stdout, c.want, q.stderr)
		}
	}
}
