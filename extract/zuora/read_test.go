package zuora

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract/zuora/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// seeded returns a tenant seeded at 2025-06-01T12:00:00Z, with the clock a day later, so that
// no seeded record falls inside the lookback of a later run.
func seeded(t *testing.T, opts fake.Options, accounts int, seed uint64) (*env, fake.SeedResult) {
	t.Helper()
	opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, opts)
	res := must[fake.SeedResult](t)(e.fake.Seed(fake.SeedOptions{Accounts: accounts, Seed: seed}))
	e.clock.Advance(24 * time.Hour)
	return e, res
}

// TestFullReadSeededTenant: a first read of every stream equals the tenant, row for row and
// column for column, with every row emitted once.
func TestFullReadSeededTenant(t *testing.T) {
	e, res := seeded(t, fake.Options{}, 30, 1)
	src := e.source("batch_size: 7\n")
	w := newWarehouse()
	e.sync(src, w)
	e.check(w)
	for _, s := range AllStreams() {
		if w.emitted[s] != len(w.tables[s]) {
			t.Errorf("%s: %d rows emitted for %d keys", s, w.emitted[s], len(w.tables[s]))
		}
	}
	if len(w.tables[RatePlanCharges]) != res.RatePlanCharges || len(w.tables[Subscriptions]) != res.Subscriptions ||
		res.RatePlanCharges < 30 {
		t.Errorf("charges %d of %d, subscriptions %d of %d", len(w.tables[RatePlanCharges]), res.RatePlanCharges,
			len(w.tables[Subscriptions]), res.Subscriptions)
	}
	if e.fake.Stats().ByPath["/v1/action/queryMore"] < 10 || e.fake.Stats().ByPath["/oauth/token"] != 1 {
		t.Errorf("stats: %+v", e.fake.Stats())
	}
}

// TestPiecewiseMRRAfterAmendments: a subscription amended (quantity up, a plan added) and
// cancelled: the latest version carries every segment, segments abut, and the MRR rebuilt per
// month from the extracted rows is the schedule the amendments describe.
func TestPiecewiseMRRAfterAmendments(t *testing.T) {
	e := newEnv(t, fake.Options{})
	acc := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "Acme", Currency: "EUR"}))
	sub := must[fake.Subscription](t)(e.fake.Subscribe(fake.NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01", TermMonths: 12,
		RatePlans: []fake.RatePlanSpec{
			{Name: "Seats", Charges: []fake.ChargeSpec{{Name: "Seats", Price: "10", Quantity: "10"}}},
			{Name: "Setup", Charges: []fake.ChargeSpec{{Name: "Setup", ChargeType: "OneTime", ChargeModel: "Flat Fee Pricing", Price: "500"}}},
		}}))
	e.clock.Advance(time.Minute)
	src := e.source("batch_size: 3\n")
	w := newWarehouse()
	e.sync(src, w)

	var seats string
	for _, c := range e.fake.Truth().RatePlanCharges {
		if c.Name == "Seats" {
			seats = c.ChargeNumber
		}
	}
	e.clock.Advance(time.Hour)
	must[fake.Subscription](t)(e.fake.Amend(sub.Name, fake.Amendment{EffectiveDate: "2025-04-01",
		Update: []fake.ChargeUpdate{{ChargeNumber: seats, Quantity: "15"}}}))
	e.clock.Advance(time.Hour)
	must[fake.Subscription](t)(e.fake.Amend(sub.Name, fake.Amendment{EffectiveDate: "2025-06-15",
		Add: []fake.RatePlanSpec{{Name: "Support", Charges: []fake.ChargeSpec{{Name: "Support", Price: "90",
			BillingPeriod: "Quarter", ChargeModel: "Flat Fee Pricing"}}}}}))
	e.clock.Advance(time.Hour)
	must[fake.Subscription](t)(e.fake.Cancel(sub.Name, "2025-09-01", time.Time{}))
	e.clock.Advance(time.Hour)
	e.sync(src, w)
	e.check(w)

	// The latest version of the subscription, as a model picks it.
	var latest rowMap
	for _, s := range w.tables[Subscriptions] {
		if s["original_id"] == sub.ID && (latest == nil || s["version"].(int64) > latest["version"].(int64)) {
			latest = s
		}
	}
	if latest["version"] != int64(4) || latest["status"] != "Cancelled" || latest["cancelled_date"] != "2025-09-01" {
		t.Fatalf("latest version: %v", latest)
	}
	plans := map[string]bool{}
	for _, rp := range w.tables[RatePlans] {
		if rp["subscription_id"] == latest["id"] {
			plans[rp["id"].(string)] = true
		}
	}
	var segs []rowMap
	for _, c := range w.tables[RatePlanCharges] {
		if plans[c["rate_plan_id"].(string)] && c["charge_type"] == "Recurring" {
			segs = append(segs, c)
			if c["subscription_id"] != latest["id"] || c["account_id"] != acc.ID || c["currency"] != "EUR" {
				t.Errorf("charge %v: subscription, account or currency", c)
			}
		}
	}
	sort.Slice(segs, func(i, j int) bool {
		a, b := segs[i], segs[j]
		if a["charge_number"] != b["charge_number"] {
			return a["charge_number"].(string) < b["charge_number"].(string)
		}
		return a["segment"].(int64) < b["segment"].(int64)
	})
	if len(segs) != 3 {
		t.Fatalf("recurring segments of the latest version: %v", segs)
	}
	// The seat charge's two segments abut: the old one ends where the new one starts.
	s1, s2 := segs[0], segs[1]
	if s1["charge_number"] != seats || s2["charge_number"] != seats || s1["effective_end_date"] != "2025-04-01" ||
		s2["effective_start_date"] != "2025-04-01" || s2["effective_end_date"] != "2025-09-01" ||
		s1["is_last_segment"] != false || s2["is_last_segment"] != true || s1["original_id"] != s2["original_id"] ||
		s1["mrr"] != "100.000000" || s2["mrr"] != "150.000000" || s2["dmrc"] != "50.000000" {
		t.Errorf("seat segments:\n%v\n%v", s1, s2)
	}
	// MRR on the first of each month of 2025, rebuilt from [start, end) segments.
	want := []string{"100", "100", "100", "150", "150", "150", "180", "180", "0", "0", "0", "0"}
	for m := 1; m <= 12; m++ {
		day := time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		total := new(big.Rat)
		for _, s := range segs {
			end, _ := s["effective_end_date"].(string)
			if s["effective_start_date"].(string) <= day && (end == "" || day < end) {
				r, _ := new(big.Rat).SetString(s["mrr"].(string))
				total.Add(total, r)
			}
		}
		if got := total.FloatString(0); got != want[m-1] {
			t.Errorf("MRR on %s = %s, want %s", day, got, want[m-1])
		}
	}
	// Every earlier version is there, Expired.
	versions := 0
	for _, s := range w.tables[Subscriptions] {
		if s["original_id"] == sub.ID && s["id"] != latest["id"] {
			versions++
			if s["status"] != "Expired" {
				t.Errorf("version %v: status %v", s["version"], s["status"])
			}
		}
	}
	if versions != 3 {
		t.Errorf("%d earlier versions", versions)
	}
}

// mutate makes a deterministic set of changes: amendments, a cancellation, account and
// contact updates, a new account and a new invoice.
func mutate(t *testing.T, e *env, round int) {
	t.Helper()
	tr := e.fake.Truth()
	latest := map[string]fake.Subscription{}
	for _, s := range tr.Subscriptions {
		if l, ok := latest[s.Name]; !ok || s.Version > l.Version {
			latest[s.Name] = s
		}
	}
	var names []string
	for n, s := range latest {
		if s.Status == "Active" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) < 2 {
		t.Fatalf("only %d active subscriptions", len(names))
	}
	planCharge := map[string][]string{}
	for _, rp := range tr.RatePlans {
		for _, c := range tr.RatePlanCharges {
			if c.RatePlanID == rp.ID && c.IsLastSegment && c.ChargeType == "Recurring" {
				planCharge[rp.SubscriptionID] = append(planCharge[rp.SubscriptionID], c.ChargeNumber)
			}
		}
	}
	amend := latest[names[round%len(names)]]
	must[fake.Subscription](t)(e.fake.Amend(amend.Name, fake.Amendment{EffectiveDate: "2025-07-01",
		Update: []fake.ChargeUpdate{{ChargeNumber: planCharge[amend.ID][0], Quantity: fmt.Sprint(50 + round)}}}))
	must[fake.Subscription](t)(e.fake.Cancel(latest[names[(round+1)%len(names)]].Name, "2025-08-01", time.Time{}))
	for i, a := range tr.Accounts[:4] {
		noErr(t, e.fake.UpdateAccount(a.ID, func(x *fake.Account) { x.Name = fmt.Sprintf("renamed %d.%d", round, i) }))
	}
	noErr(t, e.fake.UpdateContact(tr.Contacts[0].ID, func(c *fake.Contact) { c.WorkEmail = fmt.Sprintf("new%d@example.com", round) }))
	acc := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: fmt.Sprint("new ", round), Currency: "GBP"}))
	var items []fake.InvoiceItem
	for i := 0; i < 6; i++ {
		items = append(items, fake.InvoiceItem{ChargeName: fmt.Sprint("item ", i), ChargeAmount: fmt.Sprintf("%d.25", i+1), TaxAmount: "0.1"})
	}
	if _, _, err := e.fake.CreateInvoice(fake.Invoice{AccountID: acc.ID}, items); err != nil {
		t.Fatal(err)
	}
	noErr(t, e.fake.UpdateInvoice(tr.Invoices[0].ID, func(in *fake.Invoice) { in.Balance = "0" }))
}

// TestIncrementalSecondRun: after amendments, a cancellation and updates, the second run reads
// exactly the records changed since the first (the catalog is re-read whole) from
// UpdatedDate >= the first run's watermark minus the lookback.
func TestIncrementalSecondRun(t *testing.T) {
	e, _ := seeded(t, fake.Options{}, 20, 2)
	src := e.source("batch_size: 50\n")
	w := newWarehouse()
	e.sync(src, w)
	first := e.clock.Now()
	before := e.fake.Truth()
	e.clock.Advance(2 * time.Hour)
	mutate(t, e, 0)
	e.clock.Advance(time.Hour)

	var q queries
	e.fake.OnPage(q.add)
	emitted := map[string][]string{}
	for _, st := range src.Streams() {
		bs, err := e.read(src, st.Name, w.cursors[st.Name], 0)
		noErr(t, err)
		w.load(st, bs)
		emitted[st.Name] = ids(allRows(bs))
	}
	e.check(w)

	// What changed: new records, and records whose UpdatedDate moved.
	old := expected(before)
	now := expected(e.fake.Truth())
	for _, stream := range AllStreams() {
		var changed []string
		for id, r := range now[stream] {
			if o, ok := old[stream][id]; !ok || o["updated_date"] != r["updated_date"] {
				changed = append(changed, id)
			}
		}
		sort.Strings(changed)
		if src.replace[stream] {
			if len(emitted[stream]) != len(now[stream]) {
				t.Errorf("%s (replaced): %d rows emitted of %d", stream, len(emitted[stream]), len(now[stream]))
			}
			continue
		}
		if fmt.Sprint(emitted[stream]) != fmt.Sprint(changed) {
			t.Errorf("%s: emitted %d rows %v, changed %d %v", stream, len(emitted[stream]), emitted[stream], len(changed), changed)
		}
		if len(changed) == 0 && stream != Products {
			t.Errorf("%s: the mutations changed nothing", stream)
		}
	}
	lo := first.Add(-DefaultLookback).UTC().Format("2006-01-02T15:04:05-07:00")
	hi := e.clock.Now().UTC().Format("2006-01-02T15:04:05-07:00")
	if got := q.first("Account"); len(got) != 1 || !strings.HasSuffix(got[0], "from Account where UpdatedDate >= '"+lo+"' and UpdatedDate < '"+hi+"'") {
		t.Errorf("account queries: %v", got)
	}
}

// TestEqualUpdatedDateAcrossPages: 53 accounts share one UpdatedDate over pages of 5; one is
// updated and one created between pages. Nothing is lost or duplicated, no cursor splits the
// shared stamp, and a run killed at any batch resumes to the same table.
func TestEqualUpdatedDateAcrossPages(t *testing.T) {
	for _, live := range []bool{false, true} {
		t.Run(fmt.Sprint("live_locators=", live), func(t *testing.T) {
			e := newEnv(t, fake.Options{LiveLocators: live})
			stamp := e.clock.Now().Add(-time.Hour)
			var accIDs []string
			for i := 0; i < 53; i++ {
				a := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: fmt.Sprint("same ", i), CreatedDate: stamp}))
				accIDs = append(accIDs, a.ID)
			}
			sort.Strings(accIDs)
			src := e.source("batch_size: 5\nobjects: [accounts]\n")
			st := streamOf(src, Accounts)
			var created string
			e.fake.OnPage(func(p fake.Page) {
				if p.Object == "Account" && p.N == 3 && created == "" {
					noErr(t, e.fake.UpdateAccount(accIDs[52], func(a *fake.Account) { a.Name = "changed mid-run" }))
					created = must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "created mid-run"})).ID
				}
			})
			bs, err := e.read(src, Accounts, nil, 0)
			noErr(t, err)
			rows := allRows(bs)
			got := ids(rows)
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("%s emitted twice", id)
				}
				seen[id] = true
			}
			for _, id := range accIDs[:52] {
				if !seen[id] {
					t.Errorf("%s lost", id)
				}
			}
			if seen[created] {
				t.Error("the account created mid-run is in the run's range")
			}
			for _, b := range bs[:len(bs)-1] {
				if strings.Contains(string(b.cursor), "since") {
					t.Errorf("a mid-range batch moved the cursor: %s", b.cursor)
				}
			}
			w := newWarehouse()
			w.load(st, bs)
			e.clock.Advance(time.Minute)
			e.sync(src, w)
			e.check(w, Accounts)

			// A run killed at any batch, resumed from its last committed cursor.
			e.fake.OnPage(nil)
			clean, err := e.read(src, Accounts, nil, 0)
			noErr(t, err)
			for _, k := range killPoints(len(clean)) {
				w := newWarehouse()
				bs, err := e.read(src, Accounts, nil, k)
				if !isCanceled(err) {
					t.Fatalf("kill at %d: %v", k, err)
				}
				w.load(st, bs)
				rest, err := e.read(src, Accounts, w.cursors[Accounts], 0)
				noErr(t, err)
				w.load(st, rest)
				e.check(w, Accounts)
			}
		})
	}
}

// TestLateCommit: a record committed with an UpdatedDate below the stored watermark is read by
// the next run when it is within the lookback, and missed without one.
func TestLateCommit(t *testing.T) {
	for _, tc := range []struct {
		lookback string
		caught   bool
	}{{"10m", true}, {"0s", false}} {
		t.Run(tc.lookback, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			acc := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "on time", CreatedDate: e.clock.Now().Add(-time.Hour)}))
			src := e.source("objects: [accounts]\nlookback: " + tc.lookback + "\n")
			w := newWarehouse()
			e.sync(src, w)
			late := e.clock.Now().Add(-5 * time.Minute)
			e.clock.Advance(time.Minute)
			noErr(t, e.fake.UpdateAccount(acc.ID, func(a *fake.Account) { a.Name = "late"; a.UpdatedDate = late }))
			e.sync(src, w)
			if got := w.tables[Accounts][acc.ID]["name"] == "late"; got != tc.caught {
				t.Errorf("late commit caught: %v, want %v", got, tc.caught)
			}
		})
	}
}

// TestSchemaDrift: fields this tenant lacks are dropped from the select list once (the fault
// is final even as a 500), their columns stay NULL, and extra_fields land in _extra.
func TestSchemaDrift(t *testing.T) {
	e := newEnv(t, fake.Options{HiddenFields: map[string][]string{"Account": {"CrmId", "Batch"}},
		CustomFields: map[string][]string{"Account": {"Region__c", "Tier__c"}}, FaultStatus: 500})
	a := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "Acme", CrmID: "006X", Batch: "Batch1",
		Custom: map[string]string{"Region__c": "EMEA", "Tier__c": "Gold"}}))
	e.clock.Advance(time.Minute)
	src := e.source("objects: [accounts]\nextra_fields: {accounts: [Region__c]}\n")
	w := newWarehouse()
	e.sync(src, w)
	r := w.tables[Accounts][a.ID]
	if r["crm_id"] != nil || r["batch"] != nil || r["name"] != "Acme" || r["_extra"] != `{"Region__c":"EMEA"}` {
		t.Errorf("row: %v", r)
	}
	if n := e.fake.Stats().ByPath["/v1/action/query"]; n != 3 {
		t.Errorf("%d queries, want 3 (two rejected fields, then the query)", n)
	}
	if len(e.waits()) != 0 {
		t.Errorf("INVALID_FIELD was retried: %v", e.waits())
	}
	e.clock.Advance(time.Minute)
	e.sync(src, w)
	if n := e.fake.Stats().ByPath["/v1/action/query"]; n != 4 {
		t.Errorf("%d queries after the second read: the dropped fields were tried again", n)
	}
	// A query the tenant rejects for another reason is an error naming the fault.
	e2 := newEnv(t, fake.Options{HiddenFields: map[string][]string{"Account": {"UpdatedDate"}}})
	_, err := e2.read(e2.source("objects: [accounts]\n"), Accounts, nil, 0)
	if !isFault(err, "INVALID_FIELD") || !strings.Contains(err.Error(), "updateddate") {
		t.Errorf("a missing UpdatedDate: %v", err)
	}
}

// TestDecimalExactness: money and quantities pass through exactly (JSON numbers or strings),
// beyond float64's precision, rounded half to even past six decimals.
func TestDecimalExactness(t *testing.T) {
	for _, asStrings := range []bool{false, true} {
		t.Run(fmt.Sprint("strings=", asStrings), func(t *testing.T) {
			e := newEnv(t, fake.Options{DecimalsAsStrings: asStrings})
			acc := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "Big", Currency: "JPY",
				Balance: "12345678901234567890.123456"}))
			inv, items, err := e.fake.CreateInvoice(fake.Invoice{AccountID: acc.ID}, []fake.InvoiceItem{
				{ChargeName: "tiny", ChargeAmount: "0.000001", UnitPrice: "0.0000005", Quantity: "3"},
				{ChargeName: "tax", ChargeAmount: "19.99", TaxAmount: "1.0000015", Quantity: "1.5"},
				{ChargeName: "credit", ChargeAmount: "-0.1", UnitPrice: "99999999999999999999999999999999.999999"},
			})
			noErr(t, err)
			e.clock.Advance(time.Minute)
			src := e.source("objects: [accounts, invoices, invoice_items]\n")
			w := newWarehouse()
			e.sync(src, w)
			e.check(w, Accounts, Invoices, InvoiceItems)
			in := w.tables[Invoices][inv.ID]
			for col, want := range map[string]string{"amount_without_tax": "19.890001", "tax_amount": "1.000002",
				"amount": "20.890002", "currency": "JPY"} {
				if in[col] != want {
					t.Errorf("invoice %s = %v, want %s", col, in[col], want)
				}
			}
			for id, want := range map[string]map[string]string{
				items[0].ID: {"charge_amount": "0.000001", "unit_price": "0.000000", "quantity": "3.000000"},
				items[1].ID: {"tax_amount": "1.000002", "quantity": "1.500000"},
				items[2].ID: {"charge_amount": "-0.100000", "unit_price": "99999999999999999999999999999999.999999"},
			} {
				for col, v := range want {
					if got := w.tables[InvoiceItems][id][col]; got != v {
						t.Errorf("item %s %s = %v, want %s", id, col, got, v)
					}
				}
			}
			if got := w.tables[Accounts][acc.ID]["balance"]; got != "12345678901234567890.123456" {
				t.Errorf("balance %v", got)
			}
		})
	}
}

// TestExtraJSONIsObject: _extra is a JSON object of the extra fields.
func TestExtraJSONIsObject(t *testing.T) {
	e := newEnv(t, fake.Options{CustomFields: map[string][]string{"Subscription": {"Channel__c"}}})
	acc := must[fake.Account](t)(e.fake.CreateAccount(fake.Account{Name: "Acme"}))
	sub := must[fake.Subscription](t)(e.fake.Subscribe(fake.NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01"}))
	noErr(t, e.fake.UpdateSubscription(sub.ID, func(s *fake.Subscription) { s.Custom = map[string]string{"Channel__c": "Partner"} }))
	e.clock.Advance(time.Minute)
	src := e.source("objects: [subscriptions]\nextra_fields: {subscriptions: [Channel__c]}\n")
	w := newWarehouse()
	e.sync(src, w)
	var extra map[string]string
	if err := json.Unmarshal([]byte(w.tables[Subscriptions][sub.ID]["_extra"].(string)), &extra); err != nil || extra["Channel__c"] != "Partner" {
		t.Errorf("_extra %v: %v", w.tables[Subscriptions][sub.ID]["_extra"], err)
	}
	if w.tables[Subscriptions][sub.ID]["currency"] != "USD" {
		t.Errorf("currency %v", w.tables[Subscriptions][sub.ID]["currency"])
	}
}
