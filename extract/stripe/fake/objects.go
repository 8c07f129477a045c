package fake

// objects.go: the Stripe objects the fake keeps, as plain Go values. They are what tests seed and
// mutate through the Server's Go API; the JSON each endpoint returns is rendered from them for
// the API version of the request (render.go). Amounts are integers in the currency's minor unit,
// as in the real API; times are unix seconds. A zero Created is filled with the clock's time.

// Customer is a billing customer.
type Customer struct {
	ID          string
	Email       string
	Name        string
	Description string
	// Currency is the customer's default currency ("" until it is billed).
	Currency string
	// Balance is the customer's credit balance in Currency's minor unit.
	Balance  int64
	Created  int64
	Metadata map[string]string
}

// Product is a product of the catalog.
type Product struct {
	ID          string
	Name        string
	Description string
	// Archived products are inactive (active: false).
	Archived     bool
	DefaultPrice string
	UnitLabel    string
	Created      int64
	// Updated is maintained by the fake (the time of the last change).
	Updated  int64
	Metadata map[string]string
}

// Price is a price of a product.
type Price struct {
	ID      string
	Product string
	// Archived prices are inactive (active: false). Currency, amounts, Type and the recurring
	// fields are immutable once created, as in Stripe.
	Archived bool
	Currency string
	// UnitAmount is the price in minor units; UnitAmountDecimal, when set, is the exact
	// sub-minor-unit amount as a decimal string (Stripe's unit_amount_decimal) and wins.
	UnitAmount        int64
	UnitAmountDecimal string
	// Type is "recurring" (default) or "one_time".
	Type string
	// Interval is day, week, month (default) or year, with IntervalCount (default 1).
	Interval      string
	IntervalCount int64
	// UsageType is "licensed" (default) or "metered".
	UsageType string
	// BillingScheme is "per_unit" (default) or "tiered".
	BillingScheme string
	LookupKey     string
	Nickname      string
	Created       int64
	Metadata      map[string]string
}

// Coupon is a reusable discount definition: PercentOff or AmountOff with Currency.
type Coupon struct {
	ID               string
	Name             string
	PercentOff       float64
	AmountOff        int64
	Currency         string
	Duration         string // once | repeating | forever (default)
	DurationInMonths int64
	// Expired coupons are no longer valid (valid: false).
	Expired       bool
	TimesRedeemed int64
	Created       int64
	Metadata      map[string]string
}

// Discount is a coupon applied to a customer, a subscription or a subscription item.
type Discount struct {
	ID               string
	Coupon           string
	Customer         string
	Subscription     string
	SubscriptionItem string
	Start            int64
	End              int64 // 0: none (forever)
}

// Subscription is a customer's subscription with its items.
type Subscription struct {
	ID                 string
	Customer           string
	Status             string // default active
	Currency           string // default: the first item's price currency
	CollectionMethod   string // default charge_automatically
	Created            int64
	StartDate          int64
	BillingCycleAnchor int64
	TrialStart         int64
	TrialEnd           int64
	CancelAt           int64
	CancelAtPeriodEnd  bool
	CanceledAt         int64
	EndedAt            int64
	CancellationReason string
	LatestInvoice      string
	// Discounts are the ids of subscription-level discounts (maintained by AddDiscount).
	Discounts []string
	Items     []SubscriptionItem
	Metadata  map[string]string
}

// SubscriptionItem is one price × quantity of a subscription. From 2025-03-31.basil the billing
// period lives on the item; a zero period is filled from the subscription's start and the
// price's interval.
type SubscriptionItem struct {
	ID                 string
	Price              string
	Quantity           int64
	Created            int64
	CurrentPeriodStart int64
	CurrentPeriodEnd   int64
	Discounts          []string
	Metadata           map[string]string
}

// Invoice is an invoice with its lines. Subtotal, Total and the amount fields are derived from
// the lines and Status by the fake.
type Invoice struct {
	ID               string
	Customer         string
	Subscription     string
	Status           string // draft | open | paid (default) | uncollectible | void
	Currency         string
	BillingReason    string // default subscription_cycle, or manual without Subscription
	CollectionMethod string
	Number           string
	Created          int64
	PeriodStart      int64
	PeriodEnd        int64
	DueDate          int64
	FinalizedAt      int64
	PaidAt           int64
	VoidedAt         int64
	Discounts        []string
	Lines            []InvoiceLine
	Metadata         map[string]string

	// Derived (read-only: recomputed on every change).
	Subtotal            int64
	TotalDiscountAmount int64
	Total               int64
	AmountDue           int64
	AmountPaid          int64
	AmountRemaining     int64
}

// InvoiceLine is a line of an invoice: a subscription item's charge for a period, or a one-off
// invoice item.
type InvoiceLine struct {
	ID               string
	Amount           int64
	Description      string
	Price            string
	Quantity         int64
	PeriodStart      int64
	PeriodEnd        int64
	Subscription     string
	SubscriptionItem string
	// InvoiceItem marks a one-off line (pre-basil type "invoiceitem").
	InvoiceItem     string
	Proration       bool
	DiscountAmounts []DiscountAmount
	Metadata        map[string]string
}

// DiscountAmount is the part of a line's amount a discount took off.
type DiscountAmount struct {
	Amount   int64
	Discount string
}

// CreditNote is a credit note against an invoice.
type CreditNote struct {
	ID       string
	Invoice  string
	Customer string // default: the invoice's customer
	Currency string // default: the invoice's currency
	Number   string
	Amount   int64
	// DiscountAmount is the part of the credit that is discounts.
	DiscountAmount int64
	Reason         string // duplicate | fraudulent | order_change | product_unsatisfactory | ""
	Status         string // issued (default) | void
	Type           string // pre_payment | post_payment (default)
	Memo           string
	Created        int64
	VoidedAt       int64
	Metadata       map[string]string
}

func cloneMeta(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (c Customer) clone() Customer {
	c.Metadata = cloneMeta(c.Metadata)
	return c
}

func (p Product) clone() Product {
	p.Metadata = cloneMeta(p.Metadata)
	return p
}

func (p Price) clone() Price {
	p.Metadata = cloneMeta(p.Metadata)
	return p
}

func (c Coupon) clone() Coupon {
	c.Metadata = cloneMeta(c.Metadata)
	return c
}

func (s Subscription) clone() Subscription {
	s.Metadata = cloneMeta(s.Metadata)
	s.Discounts = append([]string(nil), s.Discounts...)
	items := make([]SubscriptionItem, len(s.Items))
	for i, it := range s.Items {
		it.Discounts = append([]string(nil), it.Discounts...)
		it.Metadata = cloneMeta(it.Metadata)
		items[i] = it
	}
	s.Items = items
	return s
}

func (in Invoice) clone() Invoice {
	in.Metadata = cloneMeta(in.Metadata)
	in.Discounts = append([]string(nil), in.Discounts...)
	lines := make([]InvoiceLine, len(in.Lines))
	for i, l := range in.Lines {
		l.DiscountAmounts = append([]DiscountAmount(nil), l.DiscountAmounts...)
		l.Metadata = cloneMeta(l.Metadata)
		lines[i] = l
	}
	in.Lines = lines
	return in
}

func (c CreditNote) clone() CreditNote {
	c.Metadata = cloneMeta(c.Metadata)
	return c
}
