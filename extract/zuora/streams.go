package zuora

// streams.go: what each stream reads — its ZOQL object, its columns (from Zuora fields, in
// snake_case) and the derived columns resolved through lookups of related objects.

import (
	"slices"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// Stream names.
const (
	Accounts               = "accounts"
	Contacts               = "contacts"
	Products               = "products"
	ProductRatePlans       = "product_rate_plans"
	ProductRatePlanCharges = "product_rate_plan_charges"
	Subscriptions          = "subscriptions"
	RatePlans              = "rate_plans"
	RatePlanCharges        = "rate_plan_charges"
	Invoices               = "invoices"
	InvoiceItems           = "invoice_items"
)

// AllStreams lists every stream, in dependency order (catalog, accounts, subscriptions,
// invoices).
func AllStreams() []string {
	return []string{Products, ProductRatePlans, ProductRatePlanCharges, Accounts, Contacts, Subscriptions,
		RatePlans, RatePlanCharges, Invoices, InvoiceItems}
}

// catalogStreams are always read in full and replaced (small, and Zuora deletes catalog
// records outright).
func catalogStreams() []string { return []string{Products, ProductRatePlans, ProductRatePlanCharges} }

// Field names every stream relies on.
const (
	fieldID      = "Id"
	fieldUpdated = "UpdatedDate"
)

// hop derives column col from column from (an id) through a lookup: the field of the object
// with that id.
type hop struct {
	col, from     string
	object, field string
}

// streamDef defines a stream.
type streamDef struct {
	name   string
	object string
	cols   []column
	hops   []hop
}

func (d *streamDef) stream(replace bool) extract.Stream {
	st := extract.Stream{Name: d.name, Schema: arrowrow.Schema(d.cols), PrimaryKey: []string{"id"}}
	if replace {
		st.Replace = true
	} else {
		st.CursorField = "updated_date"
	}
	return st
}

// fields lists the Zuora fields the stream's columns read, in column order.
func (d *streamDef) fields() []string {
	var out []string
	for _, c := range d.cols {
		if c.field != "" {
			out = append(out, c.field)
		}
	}
	return out
}

// index returns the position of column name.
func (d *streamDef) index(name string) int {
	return slices.IndexFunc(d.cols, func(c column) bool { return c.name == name })
}

func c(name, field string, k kind) column { return column{name: name, field: field, kind: k} }

// derived is a column filled by a hop.
func derived(name string) column { return column{name: name, kind: kString} }

// stamps are the columns every stream ends with.
func stamps() []column {
	return []column{c("created_date", "CreatedDate", kTime), c("updated_date", fieldUpdated, kTime),
		c("_extra", "", kJSON)}
}

func def(name, object string, hops []hop, cols ...column) *streamDef {
	return &streamDef{name: name, object: object, cols: append(cols, stamps()...), hops: hops}
}

// definitions returns every stream's definition.
func definitions() map[string]*streamDef {
	accountCurrency := func(from string) hop {
		return hop{col: "currency", from: from, object: "Account", field: "Currency"}
	}
	defs := []*streamDef{
		def(Accounts, "Account", nil,
			c("id", fieldID, kString), c("account_number", "AccountNumber", kString), c("name", "Name", kString),
			c("currency", "Currency", kString), c("crm_id", "CrmId", kString), c("status", "Status", kString),
			c("bill_cycle_day", "BillCycleDay", kInt), c("bill_to_id", "BillToId", kString),
			c("sold_to_id", "SoldToId", kString), c("parent_id", "ParentId", kString),
			c("payment_term", "PaymentTerm", kString), c("batch", "Batch", kString),
			c("balance", "Balance", kDecimal), c("auto_pay", "AutoPay", kBool)),
		def(Contacts, "Contact", nil,
			c("id", fieldID, kString), c("account_id", "AccountId", kString), c("first_name", "FirstName", kString),
			c("last_name", "LastName", kString), c("work_email", "WorkEmail", kString), c("country", "Country", kString)),
		def(Products, "Product", nil,
			c("id", fieldID, kString), c("name", "Name", kString), c("sku", "SKU", kString),
			c("description", "Description", kString), c("category", "Category", kString),
			c("effective_start_date", "EffectiveStartDate", kDate), c("effective_end_date", "EffectiveEndDate", kDate)),
		def(ProductRatePlans, "ProductRatePlan", nil,
			c("id", fieldID, kString), c("product_id", "ProductId", kString), c("name", "Name", kString),
			c("description", "Description", kString), c("effective_start_date", "EffectiveStartDate", kDate),
			c("effective_end_date", "EffectiveEndDate", kDate)),
		def(ProductRatePlanCharges, "ProductRatePlanCharge", nil,
			c("id", fieldID, kString), c("product_rate_plan_id", "ProductRatePlanId", kString),
			c("name", "Name", kString), c("charge_type", "ChargeType", kString),
			c("charge_model", "ChargeModel", kString), c("billing_period", "BillingPeriod", kString),
			c("default_quantity", "DefaultQuantity", kDecimal), c("uom", "UOM", kString)),
		def(Subscriptions, "Subscription", []hop{accountCurrency("account_id")},
			c("id", fieldID, kString), c("name", "Name", kString), c("account_id", "AccountId", kString),
			c("invoice_owner_id", "InvoiceOwnerId", kString), c("original_id", "OriginalId", kString),
			c("previous_subscription_id", "PreviousSubscriptionId", kString), c("version", "Version", kInt),
			c("status", "Status", kString), c("term_type", "TermType", kString),
			c("subscription_start_date", "SubscriptionStartDate", kDate),
			c("subscription_end_date", "SubscriptionEndDate", kDate),
			c("term_start_date", "TermStartDate", kDate), c("term_end_date", "TermEndDate", kDate),
			c("initial_term", "InitialTerm", kInt), c("renewal_term", "RenewalTerm", kInt),
			c("auto_renew", "AutoRenew", kBool), c("contract_effective_date", "ContractEffectiveDate", kDate),
			c("service_activation_date", "ServiceActivationDate", kDate),
			c("cancelled_date", "CancelledDate", kDate), derived("currency")),
		def(RatePlans, "RatePlan", nil,
			c("id", fieldID, kString), c("subscription_id", "SubscriptionId", kString),
			c("product_rate_plan_id", "ProductRatePlanId", kString), c("name", "Name", kString),
			c("amendment_type", "AmendmentType", kString)),
		def(RatePlanCharges, "RatePlanCharge", []hop{
			{col: "subscription_id", from: "rate_plan_id", object: "RatePlan", field: "SubscriptionId"},
			{col: "account_id", from: "subscription_id", object: "Subscription", field: "AccountId"},
			accountCurrency("account_id")},
			c("id", fieldID, kString), c("rate_plan_id", "RatePlanId", kString), derived("subscription_id"),
			derived("account_id"), derived("currency"), c("original_id", "OriginalId", kString),
			c("charge_number", "ChargeNumber", kString), c("name", "Name", kString), c("segment", "Segment", kInt),
			c("version", "Version", kInt), c("charge_type", "ChargeType", kString),
			c("charge_model", "ChargeModel", kString), c("billing_period", "BillingPeriod", kString),
			c("effective_start_date", "EffectiveStartDate", kDate), c("effective_end_date", "EffectiveEndDate", kDate),
			c("mrr", "MRR", kDecimal), c("dmrc", "DMRC", kDecimal), c("tcv", "TCV", kDecimal),
			c("dtcv", "DTCV", kDecimal), c("quantity", "Quantity", kDecimal), c("price", "Price", kDecimal),
			c("is_last_segment", "IsLastSegment", kBool),
			c("product_rate_plan_charge_id", "ProductRatePlanChargeId", kString)),
		def(Invoices, "Invoice", []hop{accountCurrency("account_id")},
			c("id", fieldID, kString), c("account_id", "AccountId", kString),
			c("invoice_number", "InvoiceNumber", kString), c("invoice_date", "InvoiceDate", kDate),
			c("due_date", "DueDate", kDate), c("status", "Status", kString), c("amount", "Amount", kDecimal),
			c("amount_without_tax", "AmountWithoutTax", kDecimal), c("tax_amount", "TaxAmount", kDecimal),
			c("balance", "Balance", kDecimal), derived("currency"), c("posted_date", "PostedDate", kTime)),
		def(InvoiceItems, "InvoiceItem", []hop{
			{col: "account_id", from: "invoice_id", object: "Invoice", field: "AccountId"},
			accountCurrency("account_id")},
			c("id", fieldID, kString), c("invoice_id", "InvoiceId", kString),
			c("subscription_id", "SubscriptionId", kString), c("rate_plan_charge_id", "RatePlanChargeId", kString),
			derived("account_id"), derived("currency"), c("charge_name", "ChargeName", kString),
			c("charge_amount", "ChargeAmount", kDecimal), c("tax_amount", "TaxAmount", kDecimal),
			c("quantity", "Quantity", kDecimal), c("unit_price", "UnitPrice", kDecimal),
			c("service_start_date", "ServiceStartDate", kDate), c("service_end_date", "ServiceEndDate", kDate),
			c("charge_date", "ChargeDate", kTime), c("processing_type", "ProcessingType", kString),
			c("sku", "SKU", kString)),
	}
	out := make(map[string]*streamDef, len(defs))
	for _, d := range defs {
		out[d.name] = d
	}
	return out
}
