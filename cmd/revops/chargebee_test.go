package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/revops/revops/extract/chargebee/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// A project whose billing source is Chargebee (the fake) extracts over HTTP with the real
// connector and builds ARR from the subscriptions' items and, where there are some, their
// invoices' lines: Acme (USD, its CRM id in meta_data) takes 10 Growth seats at 19 a month and
// 5 Extra Seats at 108 a year from 10 January, a one-off onboarding charge (not MRR) and a 10%
// discount for three months from 5 April; its invoices bill 8 Growth seats for its first two
// months and 10 from the renewal on 10 March (the upgrade on 20 February, billed as a prorated
// line, counts from that day, as spec §4.2 says: Acme expands in February, not from January;
// its seats, never invoiced, count from the start); Beta (EUR, at
// 1.10) takes the 49 Starter plan from February, cancels on 20 June and comes back in September;
// Delta takes 2 Enterprise seats at 1,290 a year from March, not renewing after its term (in
// 2026), with 5 Extra Seats; Gamma is in trial; Epsilon's subscription is deleted. A second run,
// after Delta's Extra Seats are removed (Chargebee sends no row for a removed item: the old one
// stays in the table), counts Delta's current items only.
func TestChargebeeToARR(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2025, 12, 15, 9, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock})
	day, must := chargebeeTestHelpers(t)
	fam, err := f.CreateItemFamily(fake.ItemFamily{Name: "Cloud"})
	must(err)
	price := func(item, typ, currency, model string, cents int64, unit string) string {
		it, err := f.CreateItem(fake.Item{ID: item + "-" + currency, Name: item + " " + currency, Type: typ, ItemFamilyID: fam.ID})
		must(err)
		p, err := f.CreateItemPrice(fake.ItemPrice{ItemID: it.ID, CurrencyCode: currency, PricingModel: model, Price: cents, PeriodUnit: unit})
		must(err)
		return p.ID
	}
	growth := price("growth", "plan", "USD", "per_unit", 1900, "month")
	seats := price("seats", "addon", "USD", "per_unit", 10800, "year")
	onboarding := price("onboarding", "charge", "USD", "flat_fee", 50000, "")
	enterprise := price("enterprise", "plan", "USD", "per_unit", 129000, "year")
	starter := price("starter", "plan", "EUR", "flat_fee", 4900, "month")
	customer := func(name, currency string, meta map[string]string) string {
		c, err := f.CreateCustomer(fake.Customer{Company: name, Email: "billing@" + name + ".example", PreferredCurrencyCode: currency, MetaData: meta})
		must(err)
		return c.ID
	}
	acme := customer("acme", "USD", map[string]string{"crm_account_id": "001ACME"})
	beta := customer("beta", "EUR", nil)
	gamma := customer("gamma", "USD", nil)
	delta := customer("delta", "USD", nil)
	epsilon := customer("epsilon", "USD", nil)
	subscribe := func(s fake.Subscription) fake.Subscription {
		t.Helper()
		s.CreatedAt = s.ActivatedAt
		if s.Status == "in_trial" {
			s.CreatedAt = s.TrialStart
		}
		out, err := f.CreateSubscription(s)
		must(err)
		return out
	}
	acmeSub := subscribe(fake.Subscription{CustomerID: acme, ActivatedAt: day("2025-01-10"), StartedAt: day("2025-01-10"),
		Items: []fake.SubscriptionItem{{ItemPriceID: growth, Quantity: 10}, {ItemPriceID: seats, Quantity: 5}, {ItemPriceID: onboarding}},
		Discounts: []fake.Discount{{Percentage: 10, DurationType: "limited_period", Period: 3, PeriodUnit: "month",
			IncludedInMRR: true, CreatedAt: day("2025-04-05")}}})
	subscribe(fake.Subscription{CustomerID: beta, Status: "cancelled", ActivatedAt: day("2025-02-01"), StartedAt: day("2025-02-01"),
		CancelledAt: day("2025-06-20"), CancelReason: "not_paid", Items: []fake.SubscriptionItem{{ItemPriceID: starter}}})
	subscribe(fake.Subscription{CustomerID: beta, ActivatedAt: day("2025-09-01"), StartedAt: day("2025-09-01"),
		Items: []fake.SubscriptionItem{{ItemPriceID: starter}}})
	subscribe(fake.Subscription{CustomerID: gamma, Status: "in_trial", TrialStart: day("2025-12-01"),
		Items: []fake.SubscriptionItem{{ItemPriceID: growth, Quantity: 3}}})
	deltaSub := subscribe(fake.Subscription{CustomerID: delta, Status: "non_renewing", ActivatedAt: day("2025-03-01"),
		StartedAt: day("2025-03-01"), CurrentTermStart: day("2025-03-01"), CurrentTermEnd: day("2026-03-01"),
		Items: []fake.SubscriptionItem{{ItemPriceID: enterprise, Quantity: 2}, {ItemPriceID: seats, Quantity: 5}}})
	gone := subscribe(fake.Subscription{CustomerID: epsilon, ActivatedAt: day("2025-05-01"), StartedAt: day("2025-05-01"),
		Items: []fake.SubscriptionItem{{ItemPriceID: growth, Quantity: 50}}})
	must(f.DeleteSubscription(gone.ID))
	invoice := func(date, from, to string, quantity, amount int64) {
		t.Helper()
		_, err := f.CreateInvoice(fake.Invoice{CustomerID: acme, SubscriptionID: acmeSub.ID, Date: day(date),
			LineItems: []fake.LineItem{{EntityID: growth, DateFrom: day(from), DateTo: day(to), Quantity: quantity,
				UnitAmount: 1900, Amount: amount}}})
		must(err)
	}
	invoice("2025-01-10", "2025-01-10", "2025-02-10", 8, 0)
	invoice("2025-02-10", "2025-02-10", "2025-03-10", 8, 0)
	invoice("2025-02-20", "2025-02-20", "2025-03-10", 2, 2714) // the proration of 2 more seats
	invoice("2025-03-10", "2025-03-10", "2025-04-10", 10, 0)
	clock.Advance(time.Hour)

	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"fx.csv": "currency,rate_date,rate\nEUR,2020-01-01,1.10\n",
		"revops.yaml": `version: 1
vars:
  as_of_date: 2025-12-31
  billing_system: chargebee
  fx_source: [finance, fx]
models:
  builtin: true
sources:
  - name: billing
    type: chargebee
    base_url: ` + srv.URL + `
    api_key: ${CHARGEBEE_KEY}
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
	env := map[string]string{"CHARGEBEE_KEY": fake.DefaultAPIKey}
	const movements = `select strftime(date_month, '%Y-%m') as month, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr,
		churned_mrr, ending_mrr from fct_arr_waterfall_month
		where new_mrr <> 0 or expansion_mrr <> 0 or reactivation_mrr <> 0 or contraction_mrr <> 0 or churned_mrr <> 0 order by 1`
	const header = "month,new_mrr,expansion_mrr,reactivation_mrr,contraction_mrr,churned_mrr,ending_mrr\n"
	const breaks = `select count(*) as breaks from fct_arr_waterfall_month
		where starting_mrr + new_mrr + expansion_mrr + reactivation_mrr + contraction_mrr + churned_mrr + fx_adjustment <> ending_mrr
		   or starting_mrr <> coalesce((select w.ending_mrr from fct_arr_waterfall_month as w
		                                where w.date_month = fct_arr_waterfall_month.date_month - interval 1 month), 0)`
	check := func(stage string, queries []struct{ q, want string }) {
		t.Helper()
		for _, c := range queries {
			if q := revops(t, nil, "query", "--project", dir, "--output", "csv", c.q); q.stdout != c.want {
				t.Errorf("%s: %s:\ngot  %q\nwant %q %s", stage, c.q, q.stdout, c.want, q.stderr)
			}
		}
	}

	if r := revops(t, env, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	check("first run", []struct{ q, want string }{
		{movements, header +
			"2025-01,197.000000,0.000000,0.000000,0.000000,0.000000,197.000000\n" +
			"2025-02,53.900000,38.000000,0.000000,0.000000,0.000000,288.900000\n" +
			"2025-03,260.000000,0.000000,0.000000,0.000000,0.000000,548.900000\n" +
			"2025-04,0.000000,0.000000,0.000000,-23.500000,0.000000,525.400000\n" +
			"2025-06,0.000000,0.000000,0.000000,0.000000,-53.900000,471.500000\n" +
			"2025-07,0.000000,23.500000,0.000000,0.000000,0.000000,495.000000\n" +
			"2025-09,0.000000,0.000000,53.900000,0.000000,0.000000,548.900000\n"},
		{`select customer_id = '` + acme + `' as is_acme, crm_account_id from stg_billing__customers where crm_account_id is not null`,
			"is_acme,crm_account_id\ntrue,001ACME\n"},
		{breaks, "breaks\n0\n"},
		{`select strftime(valid_from, '%Y-%m-%d') as valid_from, coalesce(strftime(valid_to, '%Y-%m-%d'), '-') as valid_to, quantity
			from stg_billing__recurring_lines where subscription_item_id = '` + acmeSub.ID + "/" + growth + `' order by 1`,
			"valid_from,valid_to,quantity\n2025-01-10,2025-02-10,8.000000\n2025-02-10,2025-02-20,8.000000\n2025-02-20,2025-03-10,10.000000\n2025-03-10,-,10.000000\n"},
		{`select currency, ending_mrr_native, ending_mrr from fct_arr_waterfall_month_currency where date_month = date '2025-12-01' order by 1`,
			"currency,ending_mrr_native,ending_mrr\nEUR,49.000000,53.900000\nUSD,495.000000,495.000000\n"},
	})

	// Delta drops its Extra Seats: the extracted row of that item stays, with the older version.
	clock.Advance(time.Hour)
	_, err = f.UpdateSubscription(deltaSub.ID, func(s *fake.Subscription) { s.Items = s.Items[:1] })
	must(err)
	clock.Advance(time.Hour)
	if r := revops(t, env, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("second run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	check("second run", []struct{ q, want string }{
		{`select count(*) as rows from billing.subscription_items where subscription_id = '` + deltaSub.ID + `'`, "rows\n2\n"},
		{movements, header +
			"2025-01,197.000000,0.000000,0.000000,0.000000,0.000000,197.000000\n" +
			"2025-02,53.900000,38.000000,0.000000,0.000000,0.000000,288.900000\n" +
			"2025-03,215.000000,0.000000,0.000000,0.000000,0.000000,503.900000\n" +
			"2025-04,0.000000,0.000000,0.000000,-23.500000,0.000000,480.400000\n" +
			"2025-06,0.000000,0.000000,0.000000,0.000000,-53.900000,426.500000\n" +
			"2025-07,0.000000,23.500000,0.000000,0.000000,0.000000,450.000000\n" +
			"2025-09,0.000000,0.000000,53.900000,0.000000,0.000000,503.900000\n"},
		{breaks, "breaks\n0\n"},
	})
}

// A mid-term decrease in Chargebee is billed by no invoice line: the fake, as Chargebee does,
// credits the removed seats' unused time with a credit note of reason subscription_change,
// which the connector extracts (credit_note_line_items, a default stream) and the revenue
// models count from the day of the change (spec §4.2): Zeta's 10 seats at 10 a month from
// October drop to 4 on 16 November, the middle of its November term — November's contraction,
// where without the credit note its billed November line would keep 10 seats until a renewal.
func TestChargebeeMidTermDecreaseToARR(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2025, 11, 16, 9, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock})
	day, must := chargebeeTestHelpers(t)
	fam, err := f.CreateItemFamily(fake.ItemFamily{Name: "Cloud"})
	must(err)
	it, err := f.CreateItem(fake.Item{ID: "team", Name: "Team", ItemFamilyID: fam.ID})
	must(err)
	price, err := f.CreateItemPrice(fake.ItemPrice{ItemID: it.ID, CurrencyCode: "USD", Price: 1000})
	must(err)
	c, err := f.CreateCustomer(fake.Customer{Company: "zeta", Email: "billing@zeta.example", PreferredCurrencyCode: "USD"})
	must(err)
	sub, err := f.CreateSubscription(fake.Subscription{CustomerID: c.ID, CreatedAt: day("2025-10-01"), ActivatedAt: day("2025-10-01"),
		StartedAt: day("2025-10-01"), CurrentTermStart: day("2025-11-01"), CurrentTermEnd: day("2025-12-01"),
		Items: []fake.SubscriptionItem{{ItemPriceID: price.ID, Quantity: 10}}})
	must(err)
	for _, p := range [][2]string{{"2025-10-01", "2025-11-01"}, {"2025-11-01", "2025-12-01"}} {
		_, err := f.CreateInvoice(fake.Invoice{CustomerID: c.ID, SubscriptionID: sub.ID, Date: day(p[0]),
			LineItems: []fake.LineItem{{EntityID: price.ID, DateFrom: day(p[0]), DateTo: day(p[1]), Quantity: 10, UnitAmount: 1000}}})
		must(err)
	}
	ch, err := f.ChangeSubscription(sub.ID, func(s *fake.Subscription) { s.Items[0].Quantity = 4 })
	must(err)
	if ch.CreditNote == nil || ch.Invoice != nil {
		t.Fatalf("the decrease: %+v", ch)
	}
	clock.Advance(time.Hour)

	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"revops.yaml": `version: 1
vars:
  as_of_date: 2025-11-30
  billing_system: chargebee
models:
  builtin: true
sources:
  - name: billing
    type: chargebee
    base_url: ` + srv.URL + `
    api_key: ${CHARGEBEE_KEY}
`})
	if r := revops(t, map[string]string{"CHARGEBEE_KEY": fake.DefaultAPIKey}, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct{ q, want string }{
		{`select count(*) as lines from billing.credit_note_line_items where credit_note_reason_code = 'subscription_change'`,
			"lines\n1\n"},
		{`select strftime(date_month, '%Y-%m') as month, mrr, change_category from fct_customer_mrr_month order by 1`,
			"month,mrr,change_category\n2025-10,100.000000,new\n2025-11,40.000000,contraction\n"},
		{`select strftime(valid_from, '%Y-%m-%d %H:%M') as valid_from, quantity from stg_billing__recurring_lines order by 1`,
			"valid_from,quantity\n2025-10-01 00:00,10.000000\n2025-11-01 00:00,10.000000\n2025-11-16 09:00,4.000000\n"},
	} {
		if q := revops(t, nil, "query", "--project", dir, "--output", "csv", c.q); q.stdout != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q %s", c.q, q.stdout, c.want, q.stderr)
		}
	}
}

// chargebeeTestHelpers returns day (a "2006-01-02" date as Chargebee's Unix seconds) and must
// (fail the test on an error), for setting up the Chargebee fake.
func chargebeeTestHelpers(t *testing.T) (day func(string) int64, must func(error)) {
	day = func(s string) int64 {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Unix()
	}
	must = func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	return day, must
}
