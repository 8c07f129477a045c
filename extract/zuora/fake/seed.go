package fake

// seed.go: a deterministic sample tenant — a catalog with monthly, annual, flat-fee, one-time
// and usage charges; accounts in several currencies with bill-to contacts; termed and
// evergreen subscriptions, some amended (a quantity change: a second segment) and some
// cancelled; an invoice per subscription — for tests and demos.

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"time"
)

// SeedOptions shape the tenant Seed generates.
type SeedOptions struct {
	// Accounts is the number of accounts (default 20).
	Accounts int `json:"accounts"`
	// Seed seeds the generator: the same options on the same clock give the same tenant.
	Seed uint64 `json:"seed"`
	// Currencies are the account currencies (default USD, EUR, GBP, JPY).
	Currencies []string `json:"currencies"`
	// SpreadDays spreads creation times over the days before the clock (default 180).
	SpreadDays int `json:"spread_days"`
	// SharedUpdatedDate stamps every record with the clock's time, so that they all share one
	// CreatedDate and UpdatedDate.
	SharedUpdatedDate bool `json:"shared_updated_date"`
	// AmendEvery amends every n-th subscription (a quantity change; default 3, negative: never).
	AmendEvery int `json:"amend_every"`
	// CancelEvery cancels every n-th subscription (default 5, negative: never).
	CancelEvery int `json:"cancel_every"`
}

// SeedResult counts the records the fake holds after Seed.
type SeedResult struct {
	Accounts               int `json:"accounts"`
	Contacts               int `json:"contacts"`
	Products               int `json:"products"`
	ProductRatePlans       int `json:"product_rate_plans"`
	ProductRatePlanCharges int `json:"product_rate_plan_charges"`
	Subscriptions          int `json:"subscriptions"`
	RatePlans              int `json:"rate_plans"`
	RatePlanCharges        int `json:"rate_plan_charges"`
	Invoices               int `json:"invoices"`
	InvoiceItems           int `json:"invoice_items"`
}

// usdRate converts list prices (in USD) to a currency (rough rates).
func usdRate(currency string) *big.Rat {
	r, ok := map[string]*big.Rat{"USD": big.NewRat(1, 1), "EUR": big.NewRat(92, 100), "GBP": big.NewRat(79, 100),
		"JPY": big.NewRat(150, 1), "AUD": big.NewRat(152, 100), "CAD": big.NewRat(137, 100)}[currency]
	if !ok {
		return big.NewRat(1, 1)
	}
	return r
}

// Seed generates a tenant on top of what the fake holds.
func (s *Server) Seed(o SeedOptions) (SeedResult, error) {
	if o.Accounts == 0 {
		o.Accounts = 20
	}
	if len(o.Currencies) == 0 {
		o.Currencies = []string{"USD", "EUR", "GBP", "JPY"}
	}
	if o.SpreadDays <= 0 {
		o.SpreadDays = 180
	}
	if o.AmendEvery == 0 {
		o.AmendEvery = 3
	}
	if o.CancelEvery == 0 {
		o.CancelEvery = 5
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x2e0a5eed))
	now := s.now()
	base := now.AddDate(0, 0, -o.SpreadDays)
	stamp := func(t time.Time) time.Time {
		if o.SharedUpdatedDate || t.After(now) {
			return now
		}
		return t.Truncate(time.Second)
	}
	fail := func(what string, err error) (SeedResult, error) {
		return SeedResult{}, fmt.Errorf("seed %s: %w", what, err)
	}

	// The catalog.
	type plan struct {
		product, name string
		charge        ProductRatePlanCharge
		id, chargeID  string
	}
	plans := []*plan{
		{product: "Platform", name: "Starter", charge: ProductRatePlanCharge{Name: "Starter seats", ChargeType: "Recurring",
			ChargeModel: "Per Unit Pricing", BillingPeriod: "Month", ListPrice: "49", UOM: "seat"}},
		{product: "Platform", name: "Growth Annual", charge: ProductRatePlanCharge{Name: "Growth seats", ChargeType: "Recurring",
			ChargeModel: "Per Unit Pricing", BillingPeriod: "Annual", ListPrice: "990", UOM: "seat"}},
		{product: "Add-ons", name: "Extra Storage", charge: ProductRatePlanCharge{Name: "Storage", ChargeType: "Recurring",
			ChargeModel: "Flat Fee Pricing", BillingPeriod: "Quarter", ListPrice: "60"}},
		{product: "Add-ons", name: "Onboarding", charge: ProductRatePlanCharge{Name: "Onboarding fee", ChargeType: "OneTime",
			ChargeModel: "Flat Fee Pricing", ListPrice: "500"}},
		{product: "API", name: "API Usage", charge: ProductRatePlanCharge{Name: "API calls", ChargeType: "Usage",
			ChargeModel: "Per Unit Pricing", ListPrice: "0.002", UOM: "call"}},
	}
	products := map[string]string{}
	at := stamp(base)
	for _, p := range plans {
		if products[p.product] == "" {
			prod, err := createLocked(s, ObjProduct, Product{Name: p.product, SKU: "SKU-" + p.product,
				Category: "Base Products", EffectiveStartDate: "2020-01-01", CreatedDate: at}, at)
			if err != nil {
				return fail("product", err)
			}
			products[p.product] = prod.ID
		}
		prp, err := createLocked(s, ObjProductRatePlan, ProductRatePlan{ProductID: products[p.product], Name: p.name,
			EffectiveStartDate: "2020-01-01", CreatedDate: at}, at)
		if err != nil {
			return fail("product rate plan", err)
		}
		p.id = prp.ID
		c := p.charge
		c.ProductRatePlanID, c.DefaultQuantity, c.CreatedDate = prp.ID, "1", at
		prpc, err := createLocked(s, ObjProductRatePlanCharge, c, at)
		if err != nil {
			return fail("product rate plan charge", err)
		}
		p.chargeID = prpc.ID
	}
	priced := func(p *plan, cur string, qty int) RatePlanSpec {
		price := new(big.Rat).Mul(rat(p.charge.ListPrice), usdRate(cur))
		return RatePlanSpec{ProductRatePlanID: p.id, Name: p.name, Charges: []ChargeSpec{{
			ProductRatePlanChargeID: p.chargeID, Price: decText(price), Quantity: fmt.Sprint(qty)}}}
	}

	regions := []string{"AMER", "EMEA", "APAC"}
	subN := 0
	for i := 0; i < o.Accounts; i++ {
		cur := o.Currencies[rng.IntN(len(o.Currencies))]
		created := base.Add(time.Duration(rng.Int64N(int64(o.SpreadDays-1)*86400)) * time.Second)
		a := Account{Name: fmt.Sprintf("Customer %03d", i+1), Currency: cur, CreatedDate: stamp(created),
			Batch: fmt.Sprintf("Batch%d", 1+rng.IntN(3)), Custom: map[string]string{"Region__c": regions[rng.IntN(3)]}}
		if rng.IntN(10) < 7 {
			a.CrmID = fmt.Sprintf("0015g00000%06dAAA", i+1)
		}
		acc, err := s.createAccountLocked(a, stamp(created))
		if err != nil {
			return fail("account", err)
		}
		con, err := createLocked(s, ObjContact, Contact{AccountID: acc.ID, FirstName: "Billing", LastName: fmt.Sprint("Contact ", i+1),
			WorkEmail: fmt.Sprintf("billing%d@customer%03d.example", i+1, i+1), Country: "United States", CreatedDate: acc.CreatedDate}, acc.CreatedDate)
		if err != nil {
			return fail("contact", err)
		}
		stored := s.st.get(ObjAccount, acc.ID).(*Account)
		stored.BillToID, stored.SoldToID = con.ID, con.ID
		if rng.IntN(10) == 0 {
			continue // an account without a subscription
		}

		start := created.AddDate(0, 0, rng.IntN(5))
		if start.After(now) {
			start = now
		}
		term := 12
		if rng.IntN(4) == 0 {
			term = 0 // evergreen
		}
		main := plans[rng.IntN(2)]
		specs := []RatePlanSpec{priced(main, cur, 1+rng.IntN(40))}
		if rng.IntN(10) < 3 {
			specs = append(specs, priced(plans[2], cur, 1))
		}
		if rng.IntN(10) < 2 {
			specs = append(specs, priced(plans[3], cur, 1))
		}
		if rng.IntN(10) < 2 {
			specs = append(specs, priced(plans[4], cur, 1))
		}
		startDate := start.In(s.opts.TimeZone).Format(time.DateOnly)
		sub, err := s.subscribeLocked(NewSubscription{AccountID: acc.ID, StartDate: startDate, TermMonths: term,
			RenewalTermMonths: term, AutoRenew: term > 0, RatePlans: specs, At: stamp(start)})
		if err != nil {
			return fail("subscription", err)
		}
		subN++
		if err := s.seedInvoice(acc, sub, stamp(start)); err != nil {
			return fail("invoice", err)
		}
		sd, _ := time.Parse(time.DateOnly, startDate)
		if o.AmendEvery > 0 && subN%o.AmendEvery == 0 {
			eff := addMonths(sd, 1+rng.IntN(4))
			if num := s.chargeOfPlan(sub.ID, main.name); num != "" && (term == 0 || eff.Before(addMonths(sd, term))) {
				if _, err := s.amendLocked(sub.Name, Amendment{EffectiveDate: eff.Format(time.DateOnly),
					Update: []ChargeUpdate{{ChargeNumber: num, Quantity: fmt.Sprint(1 + rng.IntN(60))}},
					At:     stamp(eff.Add(9 * time.Hour))}); err != nil {
					return fail("amendment", err)
				}
			}
		}
		if o.CancelEvery > 0 && subN%o.CancelEvery == 0 {
			eff := addMonths(sd, 2+rng.IntN(6))
			if term == 0 || eff.Before(addMonths(sd, term)) {
				if _, err := s.cancelLocked(sub.Name, eff.Format(time.DateOnly), stamp(eff.Add(10*time.Hour))); err != nil {
					return fail("cancellation", err)
				}
			}
		}
	}
	return SeedResult{Accounts: len(s.st.rows[ObjAccount]), Contacts: len(s.st.rows[ObjContact]),
		Products: len(s.st.rows[ObjProduct]), ProductRatePlans: len(s.st.rows[ObjProductRatePlan]),
		ProductRatePlanCharges: len(s.st.rows[ObjProductRatePlanCharge]), Subscriptions: len(s.st.rows[ObjSubscription]),
		RatePlans: len(s.st.rows[ObjRatePlan]), RatePlanCharges: len(s.st.rows[ObjRatePlanCharge]),
		Invoices: len(s.st.rows[ObjInvoice]), InvoiceItems: len(s.st.rows[ObjInvoiceItem])}, nil
}

// chargeOfPlan returns the charge number of the first charge of the rate plan named plan of a
// subscription version; callers hold mu.
func (s *Server) chargeOfPlan(subID, plan string) string {
	for _, rpID := range s.st.ids(ObjRatePlan) {
		rp := s.st.get(ObjRatePlan, rpID).(*RatePlan)
		if rp.SubscriptionID != subID || rp.Name != plan {
			continue
		}
		for _, id := range s.st.ids(ObjRatePlanCharge) {
			if c := s.st.get(ObjRatePlanCharge, id).(*RatePlanCharge); c.RatePlanID == rp.ID {
				return c.ChargeNumber
			}
		}
	}
	return ""
}

// seedInvoice bills a subscription's first period: an item per recurring and one-time charge,
// with 10 % tax outside USD and JPY; most invoices are paid.
func (s *Server) seedInvoice(acc Account, sub Subscription, at time.Time) error {
	var items []InvoiceItem
	for _, rpID := range s.st.ids(ObjRatePlan) {
		rp := s.st.get(ObjRatePlan, rpID).(*RatePlan)
		if rp.SubscriptionID != sub.ID {
			continue
		}
		for _, id := range s.st.ids(ObjRatePlanCharge) {
			c := s.st.get(ObjRatePlanCharge, id).(*RatePlanCharge)
			if c.RatePlanID != rp.ID || c.ChargeType == "Usage" {
				continue
			}
			amount := new(big.Rat).Mul(rat(c.Price), rat(c.Quantity))
			if c.ChargeModel == "Flat Fee Pricing" {
				amount = rat(c.Price)
			}
			tax := new(big.Rat)
			if acc.Currency != "USD" && acc.Currency != "JPY" {
				tax.Mul(amount, big.NewRat(1, 10))
			}
			start, _ := time.Parse(time.DateOnly, c.EffectiveStartDate)
			end := start
			if months, ok := billingMonths(c.BillingPeriod); ok && c.ChargeType == "Recurring" {
				end = addMonths(start, int(months))
			}
			items = append(items, InvoiceItem{SubscriptionID: sub.ID, RatePlanChargeID: c.ID, ChargeName: c.Name,
				ChargeAmount: decText(amount), TaxAmount: decText(tax), Quantity: c.Quantity, UnitPrice: c.Price,
				ServiceStartDate: c.EffectiveStartDate, ServiceEndDate: end.Format(time.DateOnly)})
		}
	}
	if len(items) == 0 {
		return nil
	}
	inv, _, err := s.createInvoiceLocked(Invoice{AccountID: acc.ID, InvoiceDate: sub.SubscriptionStartDate, CreatedDate: at}, items, at)
	if err != nil {
		return err
	}
	if mix(uint64(len(inv.ID))+s.st.seq)%10 < 7 {
		s.st.get(ObjInvoice, inv.ID).(*Invoice).Balance = "0"
	}
	return nil
}
