package fake

// objects.go: the Chargebee resources the fake keeps, as plain Go values (Product Catalog 2.0).
// Tests seed and change them through the Server's Go API; the JSON every endpoint returns is
// rendered from them (render.go). Amounts are integers in the currency's minor unit and times
// are unix seconds, as in the real API. Fields marked "maintained" are set by the fake: what a
// caller passes there is ignored (or, for UpdatedAt on create, used as a backdated stamp).

// Stamps are the change-tracking fields every resource carries, maintained by the fake: every
// create, update and delete sets UpdatedAt to the clock (unix seconds) and ResourceVersion to a
// fresh value (milliseconds of the clock, strictly increasing across the site).
type Stamps struct {
	UpdatedAt       int64
	ResourceVersion int64
	// Deleted resources stay in the store: lists return them with include_deleted=true, with
	// "deleted": true (catalog resources also get status "deleted").
	Deleted bool
}

// Customer is a billing customer.
type Customer struct {
	ID        string
	FirstName string
	LastName  string
	Email     string
	Company   string
	Phone     string
	// PreferredCurrencyCode is the customer's billing currency (ISO 4217, upper case); the
	// credit amounts are in it. "" renders no preferred_currency_code (a single-currency site).
	PreferredCurrencyCode string
	// AutoCollection is "on" (default) or "off".
	AutoCollection string
	NetTermDays    int64
	// Taxability is "taxable" (default) or "exempt".
	Taxability         string
	PromotionalCredits int64
	RefundableCredits  int64
	ExcessPayments     int64
	MetaData           map[string]string
	CreatedAt          int64
	Stamps
}

// ItemFamily groups items.
type ItemFamily struct {
	ID          string
	Name        string
	Description string
	// Status is "active" (default); deleting sets "deleted".
	Status string
	Stamps
}

// Item is a plan, addon or charge of the catalog.
type Item struct {
	ID           string
	Name         string
	ExternalName string
	Description  string
	ItemFamilyID string
	// Type is "plan" (default), "addon" or "charge".
	Type string
	// Status is "active" (default) or "archived"; deleting sets "deleted".
	Status     string
	Unit       string
	Metered    bool
	ArchivedAt int64
	Stamps
}

// Tier is a price tier of a tiered, volume or stairstep item price.
type Tier struct {
	StartingUnit int64
	EndingUnit   int64 // 0: open-ended
	Price        int64
}

// ItemPrice is a price point of an item in one currency and billing period.
type ItemPrice struct {
	ID           string
	Name         string
	ExternalName string
	ItemID       string
	// ItemFamilyID and ItemType are copied from the item (maintained).
	ItemFamilyID string
	ItemType     string
	// Status is "active" (default) or "archived"; deleting sets "deleted".
	Status string
	// PricingModel is flat_fee, per_unit (default), tiered, volume or stairstep.
	PricingModel string
	// Price is the (per-unit) price in CurrencyCode's minor unit.
	Price int64
	// PriceInDecimal, when set, is the multi-decimal price in major units ("0.0125").
	PriceInDecimal string
	CurrencyCode   string
	// Period and PeriodUnit (day, week, month, year) are the billing period of plans and
	// addons (defaults 1 and month); charges have none.
	Period          int64
	PeriodUnit      string
	FreeQuantity    int64
	TrialPeriod     int64
	TrialPeriodUnit string
	BillingCycles   int64
	Tiers           []Tier
	// NotTaxable renders is_taxable false.
	NotTaxable bool
	CreatedAt  int64
	ArchivedAt int64
	Stamps
}

// Coupon is a reusable discount.
type Coupon struct {
	ID          string
	Name        string
	InvoiceName string
	// DiscountType is "percentage" (default when DiscountPercentage is set) or "fixed_amount".
	DiscountType       string
	DiscountPercentage float64
	DiscountAmount     int64
	CurrencyCode       string
	// DurationType is one_time, forever (default) or limited_period (with Period, PeriodUnit).
	DurationType string
	Period       int64
	PeriodUnit   string
	// ApplyOn is invoice_amount (default) or each_specified_item.
	ApplyOn string
	// Status is active (default), expired or archived; deleting sets "deleted".
	Status         string
	MaxRedemptions int64
	Redemptions    int64
	ValidTill      int64
	CreatedAt      int64
	ArchivedAt     int64
	Stamps
}

// SubscriptionItem is one item price on a subscription.
type SubscriptionItem struct {
	ItemPriceID string
	// ItemType is the item price's (maintained).
	ItemType string
	Quantity int64
	// UnitPrice defaults to the item price's price; Amount is maintained (UnitPrice × Quantity,
	// or UnitPrice for flat fees).
	UnitPrice int64
	Amount    int64
	// BillingPeriod and BillingPeriodUnit are the item price's (maintained; none for charges).
	BillingPeriod     int64
	BillingPeriodUnit string
	FreeQuantity      int64
	TrialEnd          int64
	BillingCycles     int64
}

// AppliedCoupon is a coupon applied to a subscription (subscription.coupons[]).
type AppliedCoupon struct {
	CouponID     string
	CouponCode   string
	ApplyTill    int64
	AppliedCount int64
}

// Discount is a discount on a subscription (subscription.discounts[]): a manual one, or the
// discount a coupon created (CouponID set).
type Discount struct {
	// ID is filled when empty.
	ID          string
	InvoiceName string
	// Type is "percentage" (default when Percentage is set) or "fixed_amount".
	Type       string
	Percentage float64
	Amount     int64
	// CurrencyCode defaults to the subscription's for fixed amounts.
	CurrencyCode string
	DurationType string // one_time | forever (default) | limited_period
	Period       int64
	PeriodUnit   string
	// IncludedInMRR: the discount lowers the subscription's mrr.
	IncludedInMRR bool
	// ApplyOn is invoice_amount (default) or specific_item_price (with ItemPriceID).
	ApplyOn      string
	ItemPriceID  string
	CouponID     string
	ApplyTill    int64
	AppliedCount int64
	CreatedAt    int64
}

// Subscription is a customer's subscription to item prices.
type Subscription struct {
	ID           string
	CustomerID   string
	CurrencyCode string // defaults to the plan item price's
	// Status is future, in_trial, active (default), non_renewing, paused or cancelled.
	Status string
	// BillingPeriod and BillingPeriodUnit are the plan item price's (maintained).
	BillingPeriod     int64
	BillingPeriodUnit string
	Items             []SubscriptionItem
	Coupons           []AppliedCoupon
	Discounts         []Discount
	StartDate         int64 // future subscriptions: when they start
	StartedAt         int64
	ActivatedAt       int64
	TrialStart        int64
	TrialEnd          int64
	CurrentTermStart  int64
	CurrentTermEnd    int64
	NextBillingAt     int64
	CancelledAt       int64
	CancelReason      string
	PauseDate         int64
	ResumeDate        int64
	// MRR is maintained: the monthly value of the plan and addon items (amount normalised by
	// the billing period: day 365/12, week 52/12, month 1, year 1/12 per period), less the
	// discounts included in MRR, for active and non_renewing subscriptions; 0 otherwise.
	MRR       int64
	MetaData  map[string]string
	CreatedAt int64
	Stamps
}

// LineItem is a line of an invoice or a credit note.
type LineItem struct {
	// ID is filled when empty ("li_…").
	ID       string
	DateFrom int64
	DateTo   int64
	// EntityType is plan_item_price, addon_item_price, charge_item_price or adhoc.
	EntityType   string
	EntityID     string
	Description  string
	PricingModel string
	Quantity     int64
	UnitAmount   int64
	// Amount defaults to UnitAmount × Quantity.
	Amount                  int64
	DiscountAmount          int64
	ItemLevelDiscountAmount int64
	IsTaxed                 bool
	TaxAmount               int64
	// SubscriptionID defaults to the invoice's (the credit note's).
	SubscriptionID string
}

// InvoiceDiscount is a document-level discount of an invoice.
type InvoiceDiscount struct {
	Amount      int64
	Description string
	// EntityType is document_level_coupon (default), item_level_coupon, promotional_credits …
	EntityType string
	EntityID   string
}

// Invoice is an invoice with its line items.
type Invoice struct {
	ID             string
	CustomerID     string
	SubscriptionID string
	Recurring      bool
	// Status is paid (default), posted, payment_due, not_paid, voided or pending.
	Status       string
	CurrencyCode string
	Date         int64
	DueDate      int64
	PaidAt       int64 // maintained for paid invoices (defaults to Date)
	VoidedAt     int64
	FirstInvoice bool
	LineItems    []LineItem
	Discounts    []InvoiceDiscount
	// Maintained totals: SubTotal (the lines' amounts), Tax (their tax), Total (sub total less
	// the line and document discounts, plus tax), AmountPaid and AmountDue by status.
	SubTotal   int64
	Tax        int64
	Total      int64
	AmountPaid int64
	AmountDue  int64
	Stamps
}

// CreditNote is a credit note against an invoice.
type CreditNote struct {
	ID                 string
	ReferenceInvoiceID string
	// CustomerID, SubscriptionID and CurrencyCode default to the invoice's.
	CustomerID     string
	SubscriptionID string
	CurrencyCode   string
	// Type is refundable (default) or adjustment.
	Type string
	// ReasonCode is e.g. order_change (default), product_unsatisfactory, waiver, other.
	ReasonCode string
	// Status is refunded, refund_due (default for refundable), adjusted (default for
	// adjustment) or voided.
	Status string
	Date   int64
	// Total is the credit; with LineItems it is maintained (their amounts plus their tax).
	Total int64
	// LineItems are the credited lines (IDs "cnli_…" filled when empty; SubscriptionID
	// defaults to the credit note's, DateFrom to Date, DateTo to DateFrom, EntityType to the
	// item price's type). None: the credit note renders one adhoc line for Total, dated Date.
	// ChangeSubscription credits a mid-term decrease with lines of the unused time.
	LineItems []LineItem
	// Maintained by status: AmountAllocated, AmountRefunded, AmountAvailable, RefundedAt.
	AmountAllocated int64
	AmountRefunded  int64
	AmountAvailable int64
	RefundedAt      int64
	VoidedAt        int64
	Stamps
}
