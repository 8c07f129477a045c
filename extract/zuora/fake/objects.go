package fake

// objects.go: the Zuora objects the fake serves. Each struct field tagged `zoql:"Name"` is a
// ZOQL field of that name; the tag options say how it is typed on the wire:
//
//	string            text
//	string ,date      a date, "2025-01-31"
//	string ,decimal   a decimal number, exact text such as "1234.5" (JSON number on the wire)
//	int               an integer (0 is null)
//	bool              a boolean (always present)
//	time.Time         a datetime in the tenant's time zone, "2025-01-31T09:30:00.000-08:00"
//	                  (the zero time is null)
//	map ,custom       the tenant's custom fields (names ending in __c), as text
//
// Zuora leaves null fields out of query records, and so does the fake.

import "time"

// Object names, as ZOQL spells them.
const (
	ObjAccount               = "Account"
	ObjContact               = "Contact"
	ObjProduct               = "Product"
	ObjProductRatePlan       = "ProductRatePlan"
	ObjProductRatePlanCharge = "ProductRatePlanCharge"
	ObjSubscription          = "Subscription"
	ObjRatePlan              = "RatePlan"
	ObjRatePlanCharge        = "RatePlanCharge"
	ObjInvoice               = "Invoice"
	ObjInvoiceItem           = "InvoiceItem"
)

// Objects lists every object the fake serves.
func Objects() []string {
	return []string{ObjAccount, ObjContact, ObjProduct, ObjProductRatePlan, ObjProductRatePlanCharge,
		ObjSubscription, ObjRatePlan, ObjRatePlanCharge, ObjInvoice, ObjInvoiceItem}
}

// Account is a customer account (the billing customer).
type Account struct {
	ID            string            `zoql:"Id"`
	AccountNumber string            `zoql:"AccountNumber"`
	Name          string            `zoql:"Name"`
	Currency      string            `zoql:"Currency"` // ISO 4217, upper case
	CrmID         string            `zoql:"CrmId"`
	Status        string            `zoql:"Status"` // Draft, Active, Canceled
	BillCycleDay  int               `zoql:"BillCycleDay"`
	BillToID      string            `zoql:"BillToId"`
	SoldToID      string            `zoql:"SoldToId"`
	ParentID      string            `zoql:"ParentId"`
	PaymentTerm   string            `zoql:"PaymentTerm"`
	Batch         string            `zoql:"Batch"`
	Balance       string            `zoql:"Balance,decimal"`
	AutoPay       bool              `zoql:"AutoPay"`
	CreatedDate   time.Time         `zoql:"CreatedDate"`
	UpdatedDate   time.Time         `zoql:"UpdatedDate"`
	Custom        map[string]string `zoql:",custom"`
}

// Contact is a person of an account (bill-to and sold-to contacts are contacts).
type Contact struct {
	ID          string    `zoql:"Id"`
	AccountID   string    `zoql:"AccountId"`
	FirstName   string    `zoql:"FirstName"`
	LastName    string    `zoql:"LastName"`
	WorkEmail   string    `zoql:"WorkEmail"`
	Country     string    `zoql:"Country"`
	CreatedDate time.Time `zoql:"CreatedDate"`
	UpdatedDate time.Time `zoql:"UpdatedDate"`
}

// Product is a catalog product.
type Product struct {
	ID                 string    `zoql:"Id"`
	Name               string    `zoql:"Name"`
	SKU                string    `zoql:"SKU"`
	Description        string    `zoql:"Description"`
	Category           string    `zoql:"Category"`
	EffectiveStartDate string    `zoql:"EffectiveStartDate,date"`
	EffectiveEndDate   string    `zoql:"EffectiveEndDate,date"`
	CreatedDate        time.Time `zoql:"CreatedDate"`
	UpdatedDate        time.Time `zoql:"UpdatedDate"`
}

// ProductRatePlan is a plan of a catalog product.
type ProductRatePlan struct {
	ID                 string    `zoql:"Id"`
	ProductID          string    `zoql:"ProductId"`
	Name               string    `zoql:"Name"`
	Description        string    `zoql:"Description"`
	EffectiveStartDate string    `zoql:"EffectiveStartDate,date"`
	EffectiveEndDate   string    `zoql:"EffectiveEndDate,date"`
	CreatedDate        time.Time `zoql:"CreatedDate"`
	UpdatedDate        time.Time `zoql:"UpdatedDate"`
}

// ProductRatePlanCharge is a charge of a catalog plan.
type ProductRatePlanCharge struct {
	ID                string    `zoql:"Id"`
	ProductRatePlanID string    `zoql:"ProductRatePlanId"`
	Name              string    `zoql:"Name"`
	ChargeType        string    `zoql:"ChargeType"`  // Recurring, OneTime, Usage
	ChargeModel       string    `zoql:"ChargeModel"` // Per Unit Pricing, Flat Fee Pricing, …
	BillingPeriod     string    `zoql:"BillingPeriod"`
	DefaultQuantity   string    `zoql:"DefaultQuantity,decimal"`
	UOM               string    `zoql:"UOM"`
	CreatedDate       time.Time `zoql:"CreatedDate"`
	UpdatedDate       time.Time `zoql:"UpdatedDate"`
	// ListPrice is the fake's convenience price (per unit and billing period, in any
	// currency): a subscription charge made from this charge without a Price takes it. Zuora
	// keeps prices in per-currency tiers, which the fake does not serve.
	ListPrice string `zoql:"-"`
}

// Subscription is one version of a subscription. Amendments and cancellations create a new
// version (Version+1, same Name and OriginalId, PreviousSubscriptionId the version before);
// the version before becomes Expired.
type Subscription struct {
	ID                     string            `zoql:"Id"`
	Name                   string            `zoql:"Name"` // the subscription number, e.g. A-S00000001
	AccountID              string            `zoql:"AccountId"`
	InvoiceOwnerID         string            `zoql:"InvoiceOwnerId"`
	Version                int               `zoql:"Version"`
	OriginalID             string            `zoql:"OriginalId"`
	PreviousSubscriptionID string            `zoql:"PreviousSubscriptionId"`
	Status                 string            `zoql:"Status"` // Active, Cancelled, Expired, Suspended, …
	TermType               string            `zoql:"TermType"`
	SubscriptionStartDate  string            `zoql:"SubscriptionStartDate,date"`
	SubscriptionEndDate    string            `zoql:"SubscriptionEndDate,date"`
	TermStartDate          string            `zoql:"TermStartDate,date"`
	TermEndDate            string            `zoql:"TermEndDate,date"`
	InitialTerm            int               `zoql:"InitialTerm"`
	RenewalTerm            int               `zoql:"RenewalTerm"`
	AutoRenew              bool              `zoql:"AutoRenew"`
	ContractEffectiveDate  string            `zoql:"ContractEffectiveDate,date"`
	ServiceActivationDate  string            `zoql:"ServiceActivationDate,date"`
	CancelledDate          string            `zoql:"CancelledDate,date"`
	CreatedDate            time.Time         `zoql:"CreatedDate"`
	UpdatedDate            time.Time         `zoql:"UpdatedDate"`
	Custom                 map[string]string `zoql:",custom"`
}

// RatePlan is a plan of one subscription version.
type RatePlan struct {
	ID                string    `zoql:"Id"`
	SubscriptionID    string    `zoql:"SubscriptionId"`
	ProductRatePlanID string    `zoql:"ProductRatePlanId"`
	Name              string    `zoql:"Name"`
	AmendmentType     string    `zoql:"AmendmentType"` // NewProduct, UpdateProduct, RemoveProduct
	CreatedDate       time.Time `zoql:"CreatedDate"`
	UpdatedDate       time.Time `zoql:"UpdatedDate"`
}

// RatePlanCharge is one segment of a charge of one subscription version: its terms between
// EffectiveStartDate (inclusive) and EffectiveEndDate (exclusive; empty while open-ended).
// Every version of a subscription carries every segment of its charges, so the latest
// version holds the charge's whole piecewise history.
type RatePlanCharge struct {
	ID                      string    `zoql:"Id"`
	RatePlanID              string    `zoql:"RatePlanId"`
	OriginalID              string    `zoql:"OriginalId"`
	ChargeNumber            string    `zoql:"ChargeNumber"`
	Name                    string    `zoql:"Name"`
	Segment                 int       `zoql:"Segment"`
	Version                 int       `zoql:"Version"`
	ChargeType              string    `zoql:"ChargeType"`
	ChargeModel             string    `zoql:"ChargeModel"`
	BillingPeriod           string    `zoql:"BillingPeriod"`
	EffectiveStartDate      string    `zoql:"EffectiveStartDate,date"`
	EffectiveEndDate        string    `zoql:"EffectiveEndDate,date"`
	MRR                     string    `zoql:"MRR,decimal"`
	DMRC                    string    `zoql:"DMRC,decimal"`
	TCV                     string    `zoql:"TCV,decimal"`
	DTCV                    string    `zoql:"DTCV,decimal"`
	Quantity                string    `zoql:"Quantity,decimal"`
	Price                   string    `zoql:"Price,decimal"`
	IsLastSegment           bool      `zoql:"IsLastSegment"`
	ProductRatePlanChargeID string    `zoql:"ProductRatePlanChargeId"`
	CreatedDate             time.Time `zoql:"CreatedDate"`
	UpdatedDate             time.Time `zoql:"UpdatedDate"`
}

// Invoice is an invoice; its amounts are the sums of its items.
type Invoice struct {
	ID               string            `zoql:"Id"`
	AccountID        string            `zoql:"AccountId"`
	InvoiceNumber    string            `zoql:"InvoiceNumber"`
	InvoiceDate      string            `zoql:"InvoiceDate,date"`
	DueDate          string            `zoql:"DueDate,date"`
	Status           string            `zoql:"Status"` // Draft, Posted, Canceled
	Amount           string            `zoql:"Amount,decimal"`
	AmountWithoutTax string            `zoql:"AmountWithoutTax,decimal"`
	TaxAmount        string            `zoql:"TaxAmount,decimal"`
	Balance          string            `zoql:"Balance,decimal"`
	PostedDate       time.Time         `zoql:"PostedDate"`
	CreatedDate      time.Time         `zoql:"CreatedDate"`
	UpdatedDate      time.Time         `zoql:"UpdatedDate"`
	Custom           map[string]string `zoql:",custom"`
}

// InvoiceItem is a line of an invoice.
type InvoiceItem struct {
	ID               string    `zoql:"Id"`
	InvoiceID        string    `zoql:"InvoiceId"`
	SubscriptionID   string    `zoql:"SubscriptionId"`
	RatePlanChargeID string    `zoql:"RatePlanChargeId"`
	ChargeName       string    `zoql:"ChargeName"`
	ChargeAmount     string    `zoql:"ChargeAmount,decimal"`
	TaxAmount        string    `zoql:"TaxAmount,decimal"`
	Quantity         string    `zoql:"Quantity,decimal"`
	UnitPrice        string    `zoql:"UnitPrice,decimal"`
	ServiceStartDate string    `zoql:"ServiceStartDate,date"`
	ServiceEndDate   string    `zoql:"ServiceEndDate,date"`
	ChargeDate       time.Time `zoql:"ChargeDate"`
	ProcessingType   string    `zoql:"ProcessingType"` // Charge, Discount, Tax, …
	SKU              string    `zoql:"SKU"`
	CreatedDate      time.Time `zoql:"CreatedDate"`
	UpdatedDate      time.Time `zoql:"UpdatedDate"`
}
