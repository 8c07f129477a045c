package fake

// seed.go: a deterministic sample world (catalog in several currencies, customers,
// subscriptions with discounts, invoices — some with more lines than an invoice embeds — and
// credit notes) for tests and demos.

import (
	"fmt"
	"math/rand/v2"
)

// SeedOptions shape the world Seed generates.
type SeedOptions struct {
	// Customers is the number of customers (default 20).
	Customers int `json:"customers"`
	// Seed seeds the generator: the same options on the same clock give the same world.
	Seed uint64 `json:"seed"`
	// Currencies are the billing currencies (default usd, eur, jpy, kwd: two, two, zero and
	// three decimals).
	Currencies []string `json:"currencies"`
	// LongInvoiceEvery makes every n-th invoice carry more lines than an invoice embeds, so
	// that its lines need paging (default 5; negative: never).
	LongInvoiceEvery int `json:"long_invoice_every"`
	// SpreadDays spreads creation times over the days before the clock (default 90).
	SpreadDays int `json:"spread_days"`
}

// SeedResult counts what Seed created.
type SeedResult struct {
	Products      int `json:"products"`
	Prices        int `json:"prices"`
	Coupons       int `json:"coupons"`
	Customers     int `json:"customers"`
	Subscriptions int `json:"subscriptions"`
	Discounts     int `json:"discounts"`
	Invoices      int `json:"invoices"`
	CreditNotes   int `json:"credit_notes"`
}

// minorPerUSD converts a USD amount in cents into a currency's minor units (rough rates).
func minorPerUSD(currency string, cents int64) int64 {
	switch currency {
	case "jpy":
		return cents * 150 / 100
	case "kwd":
		return cents * 31 / 10 // 0.31 KWD per USD, in fils (1/1000)
	case "eur":
		return cents * 92 / 100
	case "gbp":
		return cents * 79 / 100
	}
	return cents
}

// Seed generates a world on top of what the fake holds. Objects get creation times spread over
// the SpreadDays before the clock; their events are stamped with the clock itself.
func (s *Server) Seed(o SeedOptions) (SeedResult, error) {
	if o.Customers == 0 {
		o.Customers = 20
	}
	if len(o.Currencies) == 0 {
		o.Currencies = []string{"usd", "eur", "jpy", "kwd"}
	}
	if o.LongInvoiceEvery == 0 {
		o.LongInvoiceEvery = 5
	}
	if o.SpreadDays <= 0 {
		o.SpreadDays = 90
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
	now := s.now()
	day := int64(86400)
	base := now - int64(o.SpreadDays)*day
	at := func(lo, hi int64) int64 { return lo + rng.Int64N(max(1, hi-lo)) }
	var res SeedResult
	fail := func(what string, err error) (SeedResult, error) {
		return res, fmt.Errorf("seed %s: %w", what, err)
	}

	type plan struct {
		name  string
		cents int64
	}
	plans := []plan{{"Starter", 4900}, {"Growth", 8900}, {"Enterprise", 12900}, {"Extra seats", 1500}}
	prices := map[string][]Price{} // currency → monthly prices by plan; yearly appended after
	for _, pl := range plans {
		p, err := s.CreateProduct(Product{Name: pl.name, Created: base, UnitLabel: "seat"})
		if err != nil {
			return fail("product", err)
		}
		res.Products++
		for _, cur := range o.Currencies {
			for _, iv := range []struct {
				interval string
				mult     int64
			}{{"month", 1}, {"year", 10}} {
				pr, err := s.CreatePrice(Price{Product: p.ID, Currency: cur, UnitAmount: minorPerUSD(cur, pl.cents*iv.mult),
					Interval: iv.interval, IntervalCount: 1, Created: base, Nickname: pl.name + " " + iv.interval + "ly"})
				if err != nil {
					return fail("price", err)
				}
				res.Prices++
				prices[cur] = append(prices[cur], pr)
			}
		}
	}
	pct, err := s.CreateCoupon(Coupon{Name: "20% forever", PercentOff: 20, Created: base})
	if err != nil {
		return fail("coupon", err)
	}
	off, err := s.CreateCoupon(Coupon{Name: "$10 off 3 months", AmountOff: 1000, Currency: "usd", Duration: "repeating",
		DurationInMonths: 3, Created: base})
	if err != nil {
		return fail("coupon", err)
	}
	res.Coupons += 2

	invoiceN := 0
	for i := 0; i < o.Customers; i++ {
		cur := o.Currencies[rng.IntN(len(o.Currencies))]
		created := at(base, now-day)
		c, err := s.CreateCustomer(Customer{Email: fmt.Sprintf("billing%d@example.com", i+1),
			Name: fmt.Sprintf("Customer %d", i+1), Currency: cur, Created: created,
			Metadata: map[string]string{"crm_account": fmt.Sprintf("A-%04d", i+1)}})
		if err != nil {
			return fail("customer", err)
		}
		res.Customers++
		if rng.IntN(10) == 0 {
			continue // a customer without a subscription
		}
		yearly := rng.IntN(4) == 0
		planIdx := rng.IntN(3)
		list := prices[cur]
		main := list[planIdx*2+btoi(yearly)]
		items := []SubscriptionItem{{Price: main.ID, Quantity: int64(1 + rng.IntN(40))}}
		if rng.IntN(3) == 0 {
			items = append(items, SubscriptionItem{Price: list[3*2+btoi(yearly)].ID, Quantity: int64(1 + rng.IntN(10))})
		}
		start := at(created, now)
		sub := Subscription{Customer: c.ID, Created: start, Items: items}
		switch r := rng.IntN(10); {
		case r == 0:
			sub.Status, sub.TrialStart, sub.TrialEnd = "trialing", start, start+14*day
		case r == 1:
			sub.Status = "past_due"
		}
		sub, err = s.CreateSubscription(sub)
		if err != nil {
			return fail("subscription", err)
		}
		res.Subscriptions++
		if rng.IntN(5) == 0 {
			coupon := pct.ID
			if cur == "usd" && rng.IntN(2) == 0 {
				coupon = off.ID
			}
			if _, err := s.AddDiscount(Discount{Coupon: coupon, Subscription: sub.ID, Start: start}); err != nil {
				return fail("discount", err)
			}
			res.Discounts++
		}
		if sub.Status == "trialing" {
			continue
		}
		invoiceN++
		var lines []InvoiceLine
		for _, it := range sub.Items {
			lines = append(lines, InvoiceLine{Price: it.Price, Quantity: it.Quantity, Subscription: sub.ID,
				SubscriptionItem: it.ID, PeriodStart: it.CurrentPeriodStart, PeriodEnd: it.CurrentPeriodEnd,
				Description: fmt.Sprintf("%d × seat", it.Quantity)})
		}
		if o.LongInvoiceEvery > 0 && invoiceN%o.LongInvoiceEvery == 0 {
			for k := 0; k < s.opts.EmbedLimit+3; k++ {
				lines = append(lines, InvoiceLine{Amount: minorPerUSD(cur, int64(100+rng.IntN(900))),
					Description: fmt.Sprintf("Usage %d", k+1), InvoiceItem: fmt.Sprintf("ii_%s%02d", sub.ID[4:], k)})
			}
		}
		status := "paid"
		if sub.Status == "past_due" {
			status = "open"
		}
		inv, err := s.CreateInvoice(Invoice{Customer: c.ID, Subscription: sub.ID, Status: status, Currency: cur,
			Created: start, PeriodStart: start, PeriodEnd: start, BillingReason: "subscription_create", Lines: lines})
		if err != nil {
			return fail("invoice", err)
		}
		res.Invoices++
		if rng.IntN(8) == 0 && status == "paid" {
			if _, err := s.CreateCreditNote(CreditNote{Invoice: inv.ID, Amount: inv.Total / 10, Reason: "order_change",
				Created: at(start, now)}); err != nil {
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
