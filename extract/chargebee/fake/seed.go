package fake

// seed.go: a deterministic sample site — a catalog of plans, an addon and a one-off charge in
// several currencies (two, zero and three decimals), coupons, customers, subscriptions in every
// status with items, coupons and discounts, invoices with line items, and credit notes — for
// tests and demos.

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// SeedOptions shape the site Seed generates.
type SeedOptions struct {
	// Customers is the number of customers (default 20).
	Customers int `json:"customers"`
	// Seed seeds the generator: the same options on the same clock and an empty fake give the
	// same site, ids included.
	Seed uint64 `json:"seed"`
	// Currencies are the billing currencies (default USD, EUR, JPY, KWD: two, two, zero and
	// three decimals).
	Currencies []string `json:"currencies"`
	// SpreadDays spreads creation times over the days before the clock (default 90).
	SpreadDays int `json:"spread_days"`
	// BulkImport stamps every resource with the clock's second, as an import does, instead
	// of its creation time: hundreds of resources share one updated_at.
	BulkImport bool `json:"bulk_import"`
}

// SeedResult counts what Seed created.
type SeedResult struct {
	ItemFamilies  int `json:"item_families"`
	Items         int `json:"items"`
	ItemPrices    int `json:"item_prices"`
	Coupons       int `json:"coupons"`
	Customers     int `json:"customers"`
	Subscriptions int `json:"subscriptions"`
	Invoices      int `json:"invoices"`
	CreditNotes   int `json:"credit_notes"`
}

// minorPerUSD converts a USD amount in cents into a currency's minor units (rough rates).
func minorPerUSD(currency string, cents int64) int64 {
	switch currency {
	case "JPY":
		return cents * 150 / 100
	case "KWD":
		return cents * 31 / 10 // 0.31 KWD per USD, in fils (1/1000)
	case "EUR":
		return cents * 92 / 100
	case "GBP":
		return cents * 79 / 100
	}
	return cents
}

// Seed generates a site on top of what the fake holds.
func (s *Server) Seed(o SeedOptions) (SeedResult, error) {
	if o.Customers == 0 {
		o.Customers = 20
	}
	if len(o.Currencies) == 0 {
		o.Currencies = []string{"USD", "EUR", "JPY", "KWD"}
	}
	for i, c := range o.Currencies {
		o.Currencies[i] = strings.ToUpper(c)
	}
	if o.SpreadDays <= 0 {
		o.SpreadDays = 90
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0xc4a86eb3e))
	now := s.now()
	const day = int64(86400)
	base := now - int64(o.SpreadDays)*day
	at := func(lo, hi int64) int64 { return lo + rng.Int64N(max(1, hi-lo)) }
	stamp := func(t int64) int64 {
		if o.BulkImport {
			return 0 // the clock
		}
		return t
	}
	var res SeedResult
	fail := func(what string, err error) (SeedResult, error) {
		return res, fmt.Errorf("seed %s: %w", what, err)
	}

	fam, err := s.CreateItemFamily(ItemFamily{Name: "Cloud Suite", Stamps: Stamps{UpdatedAt: stamp(base)}})
	if err != nil {
		return fail("item family", err)
	}
	res.ItemFamilies++
	type product struct {
		name  string
		typ   string
		cents int64
		model string
	}
	products := []product{{"Starter", "plan", 4900, "flat_fee"}, {"Growth", "plan", 1900, "per_unit"},
		{"Enterprise", "plan", 12900, "per_unit"}, {"Extra Seats", "addon", 900, "per_unit"},
		{"Onboarding", "charge", 50000, "flat_fee"}}
	// prices[currency][product index] = {monthly, yearly} (charges: {one-off, one-off})
	prices := map[string][][2]ItemPrice{}
	for _, pr := range products {
		it, err := s.CreateItem(Item{Name: pr.name, Type: pr.typ, ItemFamilyID: fam.ID, Unit: "seat",
			Stamps: Stamps{UpdatedAt: stamp(base)}})
		if err != nil {
			return fail("item", err)
		}
		res.Items++
		for _, cur := range o.Currencies {
			var pair [2]ItemPrice
			for k, unit := range []string{"month", "year"} {
				if pr.typ == "charge" && k == 1 {
					pair[1] = pair[0]
					break
				}
				p, err := s.CreateItemPrice(ItemPrice{ItemID: it.ID, CurrencyCode: cur, PricingModel: pr.model,
					Price: minorPerUSD(cur, pr.cents*[]int64{1, 10}[k]), Period: 1, PeriodUnit: unit,
					CreatedAt: base, Stamps: Stamps{UpdatedAt: stamp(base)}})
				if err != nil {
					return fail("item price", err)
				}
				res.ItemPrices++
				pair[k] = p
			}
			prices[cur] = append(prices[cur], pair)
		}
	}
	pct, err := s.CreateCoupon(Coupon{ID: "SAVE20", Name: "20% forever", DiscountPercentage: 20, CreatedAt: base,
		Stamps: Stamps{UpdatedAt: stamp(base)}})
	if err != nil {
		return fail("coupon", err)
	}
	fixed, err := s.CreateCoupon(Coupon{ID: "WELCOME10", Name: "$10 off for 3 months", DiscountAmount: 1000,
		CurrencyCode: "USD", DurationType: "limited_period", Period: 3, PeriodUnit: "month", CreatedAt: base,
		Stamps: Stamps{UpdatedAt: stamp(base)}})
	if err != nil {
		return fail("coupon", err)
	}
	res.Coupons += 2

	invoiceN := 0
	for i := 0; i < o.Customers; i++ {
		cur := o.Currencies[rng.IntN(len(o.Currencies))]
		created := at(base, now-day)
		c, err := s.CreateCustomer(Customer{FirstName: fmt.Sprintf("Ada %d", i+1), LastName: "Lovelace",
			Email: fmt.Sprintf("billing%d@example.com", i+1), Company: fmt.Sprintf("Company %d", i+1),
			PreferredCurrencyCode: cur, PromotionalCredits: minorPerUSD(cur, int64(rng.IntN(3))*500),
			CreatedAt: created, MetaData: map[string]string{"crm_account": fmt.Sprintf("A-%04d", i+1)},
			Stamps: Stamps{UpdatedAt: stamp(created)}})
		if err != nil {
			return fail("customer", err)
		}
		res.Customers++
		if rng.IntN(10) == 0 {
			continue // a customer without a subscription
		}
		yearly := btoi(rng.IntN(4) == 0)
		list := prices[cur]
		plan := list[rng.IntN(3)][yearly]
		items := []SubscriptionItem{{ItemPriceID: plan.ID, Quantity: int64(1 + rng.IntN(40))}}
		if rng.IntN(3) == 0 {
			items = append(items, SubscriptionItem{ItemPriceID: list[3][yearly].ID, Quantity: int64(1 + rng.IntN(10))})
		}
		if rng.IntN(6) == 0 {
			items = append(items, SubscriptionItem{ItemPriceID: list[4][0].ID, Quantity: 1})
		}
		start := at(created, now)
		sub := Subscription{CustomerID: c.ID, Items: items, CreatedAt: start, Stamps: Stamps{UpdatedAt: stamp(start)}}
		switch r := rng.IntN(20); {
		case r < 2:
			sub.Status = "in_trial"
		case r == 2:
			sub.Status = "future"
		case r < 5:
			sub.Status, sub.CancelledAt, sub.CancelReason = "cancelled", at(start, now), "no_card"
		case r == 5:
			sub.Status = "non_renewing"
		case r == 6:
			sub.Status, sub.PauseDate = "paused", at(start, now)
		default:
			sub.Status = "active"
		}
		if rng.IntN(5) == 0 {
			coupon := pct
			if cur == "USD" && rng.IntN(2) == 0 {
				coupon = fixed
			}
			sub.Coupons = []AppliedCoupon{{CouponID: coupon.ID, AppliedCount: 1}}
			d := Discount{CouponID: coupon.ID, Type: coupon.DiscountType, Percentage: coupon.DiscountPercentage,
				Amount: coupon.DiscountAmount, CurrencyCode: coupon.CurrencyCode, DurationType: coupon.DurationType,
				Period: coupon.Period, PeriodUnit: coupon.PeriodUnit, IncludedInMRR: true, CreatedAt: start,
				AppliedCount: 1}
			sub.Discounts = []Discount{d}
		}
		sub, err = s.CreateSubscription(sub)
		if err != nil {
			return fail("subscription", err)
		}
		res.Subscriptions++
		if sub.Status == "in_trial" || sub.Status == "future" {
			continue
		}
		invoiceN++
		var lines []LineItem
		var discount int64
		for _, it := range sub.Items {
			from, to := sub.StartedAt, sub.StartedAt
			if it.BillingPeriodUnit != "" {
				to = termEnd(from, it.BillingPeriod, it.BillingPeriodUnit)
			}
			l := LineItem{DateFrom: from, DateTo: to, EntityID: it.ItemPriceID, Quantity: it.Quantity,
				UnitAmount: it.UnitPrice, Amount: it.Amount, IsTaxed: invoiceN%3 == 0}
			if l.IsTaxed {
				l.TaxAmount = l.Amount / 10
			}
			lines = append(lines, l)
		}
		var docDiscounts []InvoiceDiscount
		for _, d := range sub.Discounts {
			if d.Type == "percentage" {
				discount = (lines[0].Amount * int64(d.Percentage)) / 100
			} else {
				discount = min(d.Amount, lines[0].Amount)
			}
			docDiscounts = append(docDiscounts, InvoiceDiscount{Amount: discount, EntityID: d.CouponID,
				Description: d.CouponID})
		}
		status := "paid"
		if rng.IntN(6) == 0 {
			status = "payment_due"
		}
		inv, err := s.CreateInvoice(Invoice{CustomerID: c.ID, SubscriptionID: sub.ID, Status: status, Date: sub.StartedAt,
			FirstInvoice: true, LineItems: lines, Discounts: docDiscounts, Stamps: Stamps{UpdatedAt: stamp(sub.StartedAt)}})
		if err != nil {
			return fail("invoice", err)
		}
		res.Invoices++
		if invoiceN%4 == 1 && status == "paid" { // every fourth invoice, from the first
			d := at(inv.Date, now)
			if _, err := s.CreateCreditNote(CreditNote{ReferenceInvoiceID: inv.ID, Total: inv.Total / 10, Date: d,
				Status: "refunded", Stamps: Stamps{UpdatedAt: stamp(d)}}); err != nil {
				return fail("credit note", err)
			}
			res.CreditNotes++
		}
	}
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
