package chargebee

// streams.go: the streams — which list each reads, its columns and how a Chargebee record
// becomes rows. Child streams (subscription items, coupons and discounts, invoice and credit note
// line items) are read through their parent's list, one row per element of the parent's array.

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// Stream names.
const (
	Customers             = "customers"
	ItemFamilies          = "item_families"
	Items                 = "items"
	ItemPrices            = "item_prices"
	Coupons               = "coupons"
	Subscriptions         = "subscriptions"
	SubscriptionItems     = "subscription_items"
	SubscriptionCoupons   = "subscription_coupons"
	SubscriptionDiscounts = "subscription_discounts"
	Invoices              = "invoices"
	InvoiceLineItems      = "invoice_line_items"
	CreditNotes           = "credit_notes"
	CreditNoteLineItems   = "credit_note_line_items"
)

// AllStreams lists every stream, in dependency order (catalog, customers, subscriptions,
// invoices).
func AllStreams() []string {
	return []string{ItemFamilies, Items, ItemPrices, Coupons, Customers, Subscriptions, SubscriptionItems,
		SubscriptionCoupons, SubscriptionDiscounts, Invoices, InvoiceLineItems, CreditNotes, CreditNoteLineItems}
}

// streamDef defines a stream.
type streamDef struct {
	name string
	// path is the list endpoint under /api/v2; typ wraps each list element's resource.
	path, typ string
	pk        []string
	cursor    string
	// child, when set, is the array attribute of the listed record that gives one row per
	// element; parentCols are then read from the record, cols from the element.
	child      string
	parentCols []column
	cols       []column
	// skip are attributes kept out of "_extra" (other streams read them).
	skip map[string]bool
	// fix fills derived columns (after the other non-money columns, before money columns).
	fix func(r *reader, rec, o jobj, b *rowBuilder)
	// all are the schema's columns, in order.
	all []column
}

func (d *streamDef) stream() extract.Stream {
	return extract.Stream{Name: d.name, Schema: arrowrow.Schema(d.all), PrimaryKey: slices.Clone(d.pk),
		CursorField: d.cursor, DeletedField: "deleted"}
}

// rowsOf turns one listed record into the stream's rows. A record is deleted when Chargebee
// says so (deleted: true, or status "deleted" in the catalog); its children are too.
func (d *streamDef) rowsOf(r *reader, rec jobj) []row {
	deleted := rec["deleted"] == true || rec["status"] == "deleted"
	if d.child == "" {
		return []row{d.rowOf(r, rec, rec, deleted)}
	}
	elems, _ := rec[d.child].([]any)
	out := make([]row, 0, len(elems))
	for _, e := range elems {
		if o, ok := e.(jobj); ok {
			out = append(out, d.rowOf(r, rec, o, deleted))
		}
	}
	return out
}

// rowOf builds the row of o (the record itself, or one element of its child array).
func (d *streamDef) rowOf(r *reader, rec, o jobj, deleted bool) row {
	b := newRowBuilder(d.all)
	consumed := map[string]bool{"object": true, "deleted": d.child == ""}
	r.fill(b, d.parentCols, rec, nil, false)
	r.fill(b, d.cols, o, consumed, false)
	if d.fix != nil {
		d.fix(r, rec, o, b)
	}
	r.fill(b, d.parentCols, rec, nil, true)
	r.fill(b, d.cols, o, consumed, true)
	b.set("deleted", deleted)
	b.set("_extra", arrowrow.Extra(o, consumed, d.skip))
	return b.r
}

// define completes a definition: the schema and the skip set.
func define(d *streamDef, skip ...string) *streamDef {
	d.all = append(append(slices.Clone(d.parentCols), d.cols...), col("deleted", kBool), col("_extra", kJSON))
	d.skip = arrowrow.KeySet(skip...)
	return d
}

// definitions returns every stream's definition.
func definitions() map[string]*streamDef {
	defs := []*streamDef{itemFamiliesDef(), itemsDef(), itemPricesDef(), couponsDef(), customersDef(),
		subscriptionsDef(), subscriptionItemsDef(), subscriptionCouponsDef(), subscriptionDiscountsDef(),
		invoicesDef(), invoiceLineItemsDef(), creditNotesDef(), creditNoteLineItemsDef()}
	out := make(map[string]*streamDef, len(defs))
	for _, d := range defs {
		out[d.name] = d
	}
	return out
}

// stamps are the change-tracking columns of a top-level record.
func stamps() []column {
	return []column{col("updated_at", kTime), col("resource_version", kInt)}
}

func top(name, path, typ string, cols []column) *streamDef {
	return &streamDef{name: name, path: path, typ: typ, pk: []string{"id"}, cursor: "updated_at",
		cols: append(cols, stamps()...)}
}

func itemFamiliesDef() *streamDef {
	return define(top(ItemFamilies, "/item_families", "item_family", []column{
		col("id", kString), col("name", kString), col("description", kString), col("status", kString),
		col("channel", kString)}))
}

func itemsDef() *streamDef {
	return define(top(Items, "/items", "item", []column{
		col("id", kString), col("name", kString), col("external_name", kString), col("description", kString),
		col("item_family_id", kString), col("type", kString), col("status", kString), col("unit", kString),
		col("metered", kBool), col("usage_calculation", kString), col("included_in_mrr", kBool),
		col("is_shippable", kBool), col("is_giftable", kBool), col("enabled_for_checkout", kBool),
		col("enabled_in_portal", kBool), col("item_applicability", kString), col("channel", kString),
		col("archived_at", kTime), col("metadata", kJSON)}))
}

func itemPricesDef() *streamDef {
	return define(top(ItemPrices, "/item_prices", "item_price", []column{
		col("id", kString), col("name", kString), col("external_name", kString), col("description", kString),
		col("item_id", kString), col("item_family_id", kString), col("item_type", kString), col("status", kString),
		col("pricing_model", kString), col("currency_code", kString), money("price", "currency_code"),
		col("price_in_decimal", kString), col("period", kInt), col("period_unit", kString),
		col("free_quantity", kInt), col("trial_period", kInt), col("trial_period_unit", kString),
		col("billing_cycles", kInt), col("is_taxable", kBool), col("tiers", kJSON), col("channel", kString),
		col("created_at", kTime), col("archived_at", kTime), col("metadata", kJSON)}))
}

func couponsDef() *streamDef {
	return define(top(Coupons, "/coupons", "coupon", []column{
		col("id", kString), col("name", kString), col("invoice_name", kString), col("discount_type", kString),
		col("discount_percentage", kDecimal), money("discount_amount", "currency_code"), col("currency_code", kString),
		col("duration_type", kString), col("duration_month", kInt), col("period", kInt), col("period_unit", kString),
		col("apply_on", kString), col("apply_discount_on", kString), col("status", kString),
		col("max_redemptions", kInt), col("redemptions", kInt), col("valid_till", kTime), col("created_at", kTime),
		col("archived_at", kTime), col("item_constraints", kJSON), col("meta_data", kJSON)}))
}

func customersDef() *streamDef {
	cur := "preferred_currency_code"
	return define(top(Customers, "/customers", "customer", []column{
		col("id", kString), col("first_name", kString), col("last_name", kString), col("email", kString),
		col("phone", kString), col("company", kString), col(cur, kString), col("auto_collection", kString),
		col("net_term_days", kInt), col("taxability", kString), col("vat_number", kString), col("locale", kString),
		col("channel", kString), col("card_status", kString), col("primary_payment_source_id", kString),
		money("promotional_credits", cur), money("refundable_credits", cur), money("excess_payments", cur),
		money("unbilled_charges", cur), money("mrr", cur), col("created_at", kTime),
		col("billing_address", kJSON), col("meta_data", kJSON)}))
}

func subscriptionsDef() *streamDef {
	cur := "currency_code"
	return define(top(Subscriptions, "/subscriptions", "subscription", []column{
		col("id", kString), col("customer_id", kString), col("status", kString), col(cur, kString),
		col("billing_period", kInt), col("billing_period_unit", kString), money("mrr", cur),
		col("plan_id", kString), col("plan_quantity", kInt), money("plan_unit_price", cur), money("plan_amount", cur),
		col("exchange_rate", kDecimal), col("base_currency_code", kString), col("remaining_billing_cycles", kInt),
		col("auto_collection", kString), col("po_number", kString), col("start_date", kTime),
		col("trial_start", kTime), col("trial_end", kTime), col("current_term_start", kTime),
		col("current_term_end", kTime), col("next_billing_at", kTime), col("started_at", kTime),
		col("activated_at", kTime), col("cancelled_at", kTime), col("cancel_reason", kString),
		col("cancel_reason_code", kString), col("pause_date", kTime), col("resume_date", kTime),
		col("has_scheduled_changes", kBool), col("due_invoices_count", kInt), col("channel", kString),
		col("created_at", kTime), col("meta_data", kJSON)}),
		"subscription_items", "coupons", "discounts", "item_tiers")
}

// subscriptionParent are the columns a subscription's children take from it.
func subscriptionParent(extra ...column) []column {
	cols := []column{colFrom("subscription_id", "id", kString), col("customer_id", kString)}
	return append(append(cols, extra...), colFrom("subscription_status", "status", kString),
		colFrom("subscription_updated_at", "updated_at", kTime),
		colFrom("subscription_resource_version", "resource_version", kInt))
}

func child(name, path, typ, array string, pk []string, cursor string, parent, cols []column) *streamDef {
	return &streamDef{name: name, path: path, typ: typ, pk: pk, cursor: cursor, child: array,
		parentCols: parent, cols: cols}
}

func subscriptionItemsDef() *streamDef {
	cur := "currency_code"
	d := child(SubscriptionItems, "/subscriptions", "subscription", "subscription_items",
		[]string{"subscription_id", "item_price_id"}, "subscription_updated_at",
		subscriptionParent(col(cur, kString)),
		[]column{col("item_price_id", kString), col("item_type", kString), col("quantity", kInt),
			col("quantity_in_decimal", kString), money("unit_price", cur), col("unit_price_in_decimal", kString),
			money("amount", cur), col("amount_in_decimal", kString), col("free_quantity", kInt),
			col("free_quantity_in_decimal", kString), col("billing_period", kInt), col("billing_period_unit", kString),
			col("billing_cycles", kInt), col("trial_end", kTime), col("service_period_days", kInt),
			col("charge_on_event", kString), col("charge_once", kBool), col("charge_on_option", kString),
			col("metered_quantity", kString), col("last_calculated_at", kTime), derived("item_tiers", kJSON)})
	d.fix = func(_ *reader, rec, o jobj, b *rowBuilder) {
		// Items of sites that predate per-item periods bill with the subscription's period.
		if t := b.get("item_type"); b.get("billing_period_unit") == nil && (t == "plan" || t == "addon") {
			if v, ok := convert(kInt, rec["billing_period"]); ok {
				b.set("billing_period", v)
			}
			b.set("billing_period_unit", str(rec["billing_period_unit"]))
		}
		var tiers []any
		list, _ := rec["item_tiers"].([]any)
		for _, t := range list {
			if m, ok := t.(jobj); ok && m["item_price_id"] == o["item_price_id"] {
				tiers = append(tiers, m)
			}
		}
		if len(tiers) > 0 {
			b.set("item_tiers", arrowrow.JSONText(tiers))
		}
	}
	return define(d)
}

func subscriptionCouponsDef() *streamDef {
	return define(child(SubscriptionCoupons, "/subscriptions", "subscription", "coupons",
		[]string{"subscription_id", "coupon_id"}, "subscription_updated_at", subscriptionParent(),
		[]column{col("coupon_id", kString), col("coupon_code", kString), col("apply_till", kTime),
			col("applied_count", kInt)}))
}

func subscriptionDiscountsDef() *streamDef {
	cur := "currency_code"
	d := child(SubscriptionDiscounts, "/subscriptions", "subscription", "discounts",
		[]string{"subscription_id", "id"}, "subscription_updated_at",
		subscriptionParent(colFrom("subscription_currency_code", "currency_code", kString)),
		[]column{col("id", kString), col("coupon_id", kString), col("invoice_name", kString), col("type", kString),
			col("percentage", kDecimal), money("amount", cur), col(cur, kString), col("duration_type", kString),
			col("period", kInt), col("period_unit", kString), col("included_in_mrr", kBool), col("apply_on", kString),
			col("item_price_id", kString), col("created_at", kTime), col("apply_till", kTime),
			col("applied_count", kInt), col("index", kInt)})
	d.fix = func(_ *reader, _, _ jobj, b *rowBuilder) {
		if b.get(cur) == nil {
			b.set(cur, b.get("subscription_currency_code"))
		}
	}
	return define(d)
}

func invoicesDef() *streamDef {
	cur := "currency_code"
	d := top(Invoices, "/invoices", "invoice", []column{
		col("id", kString), col("customer_id", kString), col("subscription_id", kString), col("recurring", kBool),
		col("status", kString), col("price_type", kString), col(cur, kString), col("base_currency_code", kString),
		col("exchange_rate", kDecimal), col("date", kTime), col("due_date", kTime), col("net_term_days", kInt),
		col("paid_at", kTime), col("voided_at", kTime), col("generated_at", kTime), money("sub_total", cur),
		money("tax", cur), money("total", cur), money("amount_paid", cur), money("amount_adjusted", cur),
		money("write_off_amount", cur), money("credits_applied", cur), money("amount_due", cur),
		money("amount_to_collect", cur), money("round_off_amount", cur), money("new_sales_amount", cur),
		derivedMoney("discount_amount", cur), col("discounts", kJSON), col("first_invoice", kBool),
		col("term_finalized", kBool), col("has_advance_charges", kBool), col("dunning_status", kString),
		col("channel", kString)})
	d.fix = func(r *reader, _, o jobj, b *rowBuilder) {
		list, _ := o["discounts"].([]any) // none: 0
		var total int64
		for _, x := range list {
			if m, ok := x.(jobj); ok {
				if a, ok := integer(m["amount"]).(int64); ok {
					total += a
				}
			}
		}
		if v, ok := r.money(json.Number(strconv.FormatInt(total, 10)), b.get(cur)); ok {
			b.set("discount_amount", v)
		}
	}
	return define(d, "line_items")
}

// lineItemColumns are the columns of an invoice's or a credit note's line, in currency cur.
func lineItemColumns(cur string) []column {
	return []column{col("id", kString), col("customer_id", kString), col("subscription_id", kString),
		col("date_from", kTime), col("date_to", kTime), col("entity_type", kString), col("entity_id", kString),
		col("description", kString), col("entity_description", kString), col("pricing_model", kString),
		col("quantity", kInt), col("quantity_in_decimal", kString), money("unit_amount", cur),
		col("unit_amount_in_decimal", kString), money("amount", cur), col("amount_in_decimal", kString),
		money("discount_amount", cur), money("item_level_discount_amount", cur), col("is_taxed", kBool),
		money("tax_amount", cur), col("tax_rate", kDecimal), col("tax_exempt_reason", kString)}
}

func invoiceLineItemsDef() *streamDef {
	cur := "currency_code"
	d := child(InvoiceLineItems, "/invoices", "invoice", "line_items", []string{"invoice_id", "id"},
		"invoice_updated_at",
		[]column{colFrom("invoice_id", "id", kString), col(cur, kString), colFrom("invoice_status", "status", kString),
			colFrom("invoice_date", "date", kTime), colFrom("invoice_updated_at", "updated_at", kTime),
			colFrom("invoice_resource_version", "resource_version", kInt)},
		lineItemColumns(cur))
	d.fix = func(_ *reader, rec, _ jobj, b *rowBuilder) {
		if b.get("customer_id") == nil {
			b.set("customer_id", str(rec["customer_id"]))
		}
	}
	return define(d)
}

func creditNotesDef() *streamDef {
	cur := "currency_code"
	return define(top(CreditNotes, "/credit_notes", "credit_note", []column{
		col("id", kString), col("customer_id", kString), col("subscription_id", kString),
		col("reference_invoice_id", kString), col("type", kString), col("reason_code", kString),
		col("create_reason_code", kString), col("status", kString), col("price_type", kString), col(cur, kString),
		col("base_currency_code", kString), col("exchange_rate", kDecimal), col("date", kTime),
		money("sub_total", cur), money("total", cur), money("amount_allocated", cur), money("amount_refunded", cur),
		money("amount_available", cur), money("round_off_amount", cur), money("fractional_correction", cur),
		col("refunded_at", kTime), col("voided_at", kTime), col("generated_at", kTime), col("channel", kString)}),
		"line_items")
}

// creditNoteLineItemsDef: the lines of credit notes, as invoice lines are read. A mid-term
// decrease (seats removed, a downgrade) is a credit note of reason subscription_change whose
// lines credit the unused time of the old values, with no invoice line.
func creditNoteLineItemsDef() *streamDef {
	cur := "currency_code"
	d := child(CreditNoteLineItems, "/credit_notes", "credit_note", "line_items", []string{"credit_note_id", "id"},
		"credit_note_updated_at",
		[]column{colFrom("credit_note_id", "id", kString), col(cur, kString),
			colFrom("reference_invoice_id", "reference_invoice_id", kString), colFrom("credit_note_type", "type", kString),
			colFrom("credit_note_status", "status", kString), colFrom("credit_note_reason_code", "reason_code", kString),
			colFrom("credit_note_create_reason_code", "create_reason_code", kString),
			colFrom("credit_note_date", "date", kTime), colFrom("credit_note_updated_at", "updated_at", kTime),
			colFrom("credit_note_resource_version", "resource_version", kInt)},
		lineItemColumns(cur))
	d.fix = func(_ *reader, rec, _ jobj, b *rowBuilder) {
		if b.get("customer_id") == nil {
			b.set("customer_id", str(rec["customer_id"]))
		}
		if b.get("subscription_id") == nil {
			b.set("subscription_id", str(rec["subscription_id"]))
		}
	}
	return define(d)
}
