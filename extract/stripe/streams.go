package stripe

// streams.go: what each stream reads (list passes, event types) and how a Stripe object becomes
// a row. Mappers accept both API shapes (before and from 2025-03-31.basil), because events carry
// the shape of the API version current when they were created.

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/arrowrow"
)

// Stream names.
const (
	Customers         = "customers"
	Products          = "products"
	Prices            = "prices"
	Coupons           = "coupons"
	Discounts         = "discounts"
	Subscriptions     = "subscriptions"
	SubscriptionItems = "subscription_items"
	Invoices          = "invoices"
	InvoiceLines      = "invoice_lines"
	CreditNotes       = "credit_notes"
)

// AllStreams lists every stream, in dependency order (catalog, customers, subscriptions,
// invoices).
func AllStreams() []string {
	return []string{Products, Prices, Coupons, Customers, Discounts, Subscriptions, SubscriptionItems,
		Invoices, InvoiceLines, CreditNotes}
}

// pass is one full listing of a stream: a list endpoint and its fixed parameters.
type pass struct {
	path   string
	params url.Values
	// cloverExpand are expand[] paths added from 2025-09-30.clover on (see isClover).
	cloverExpand []string
}

// versionClover is the first API version whose discounts name their coupon in
// source{type: coupon, coupon: id} instead of embedding it in coupon.
const versionClover = "2025-09-30.clover"

// isClover reports whether API version v is 2025-09-30.clover or later (versions compare by
// their date).
func isClover(v string) bool { return len(v) >= 10 && v[:10] >= versionClover[:10] }

// meta is what a row knows besides its object.
type meta struct {
	observed int64 // unix seconds: the event's time, or when the listing read the object
	deleted  bool
}

// mapper fills a row's own columns from an object.
type mapper func(r *reader, o jobj, b *rowBuilder) error

// streamDef defines a stream.
type streamDef struct {
	name string
	pk   []string
	cols []column
	// hasDeleted: the stream has a "deleted" column (DeletedField).
	hasDeleted bool
	passes     []pass
	// eventType (a pattern with a trailing *) or eventTypes select the stream's events.
	eventType  string
	eventTypes []string
	// fromList turns an object listed by pass i into rows.
	fromList func(ctx context.Context, r *reader, pass int, o jobj, m meta) ([]row, error)
	// fromEvent turns an event into rows.
	fromEvent func(ctx context.Context, r *reader, ev *event, m meta) ([]row, error)
}

func (d *streamDef) stream() extract.Stream {
	s := extract.Stream{Name: d.name, Schema: arrowrow.Schema(d.cols), PrimaryKey: slices.Clone(d.pk),
		CursorField: "_observed_at"}
	if d.hasDeleted {
		s.DeletedField = "deleted"
	}
	return s
}

// newRow starts a row of the stream with its bookkeeping columns set.
func (d *streamDef) newRow(o jobj, consumed map[string]bool, m meta) *rowBuilder {
	b := &rowBuilder{idx: make(map[string]int, len(d.cols)), r: make(row, len(d.cols))}
	for i, c := range d.cols {
		b.idx[c.name] = i
	}
	b.set("_observed_at", m.observed)
	b.set("_extra", arrowrow.Extra(o, consumed, nil))
	if d.hasDeleted {
		b.set("deleted", m.deleted || o["deleted"] == true)
	}
	if _, ok := b.idx["livemode"]; ok {
		b.set("livemode", boolean(o["livemode"]))
		b.set("metadata", arrowrow.JSONText(o["metadata"]))
	}
	return b
}

// tail are the columns every stream ends with.
func tail(deleted bool) []column {
	cols := []column{{"livemode", kBool}, {"metadata", kJSON}}
	if deleted {
		cols = append(cols, column{"deleted", kBool})
	}
	return append(cols, column{"_extra", kJSON}, column{"_observed_at", kTime})
}

// simple defines a stream with one row per object.
func simple(name string, cols []column, deleted bool, consumed []string, fill mapper, passes []pass,
	eventType string, eventTypes []string, deletedEvent string) *streamDef {
	keys := arrowrow.KeySet(append(consumed, "id", "object", "livemode", "metadata", "deleted")...)
	d := &streamDef{name: name, pk: []string{"id"}, cols: append(cols, tail(deleted)...), hasDeleted: deleted,
		passes: passes, eventType: eventType, eventTypes: eventTypes}
	one := func(r *reader, o jobj, m meta) ([]row, error) {
		if _, ok := o["id"].(string); !ok {
			return nil, nil // e.g. invoice.upcoming: not a stored object
		}
		b := d.newRow(o, keys, m)
		if err := fill(r, o, b); err != nil {
			return nil, err
		}
		return []row{b.r}, nil
	}
	d.fromList = func(_ context.Context, r *reader, _ int, o jobj, m meta) ([]row, error) { return one(r, o, m) }
	d.fromEvent = func(_ context.Context, r *reader, ev *event, m meta) ([]row, error) {
		m.deleted = deletedEvent != "" && ev.typ == deletedEvent
		return one(r, ev.object, m)
	}
	return d
}

func listPass(path string, kv ...string) pass {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return pass{path: path, params: q}
}

// definitions returns every stream's definition.
func definitions() map[string]*streamDef {
	defs := []*streamDef{
		customersDef(), productsDef(), pricesDef(), couponsDef(), discountsDef(), subscriptionsDef(),
		subscriptionItemsDef(), invoicesDef(), invoiceLinesDef(), creditNotesDef(),
	}
	out := make(map[string]*streamDef, len(defs))
	for _, d := range defs {
		out[d.name] = d
	}
	return out
}

func customersDef() *streamDef {
	cols := []column{{"id", kString}, {"email", kString}, {"name", kString}, {"description", kString},
		{"currency", kString}, {"balance", kMoney}, {"created", kTime}, {"delinquent", kBool},
		{"discount_id", kString}, {"tax_exempt", kString}}
	consumed := []string{"email", "name", "description", "currency", "balance", "created", "delinquent",
		"discount", "tax_exempt"}
	return simple(Customers, cols, true, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("email", str(o["email"]))
		b.set("name", str(o["name"]))
		b.set("description", str(o["description"]))
		b.set("currency", str(o["currency"]))
		bal, err := r.money(o["balance"], o["currency"])
		if err != nil {
			return err
		}
		b.set("balance", bal)
		b.set("created", unixTime(o["created"]))
		b.set("delinquent", boolean(o["delinquent"]))
		b.set("discount_id", idOf(o["discount"]))
		b.set("tax_exempt", str(o["tax_exempt"]))
		return nil
	}, []pass{listPass("/v1/customers")}, "", []string{"customer.created", "customer.updated", "customer.deleted"},
		"customer.deleted")
}

func productsDef() *streamDef {
	cols := []column{{"id", kString}, {"name", kString}, {"description", kString}, {"active", kBool},
		{"type", kString}, {"unit_label", kString}, {"default_price_id", kString}, {"created", kTime},
		{"updated", kTime}}
	consumed := []string{"name", "description", "active", "type", "unit_label", "default_price", "created", "updated"}
	return simple(Products, cols, true, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("name", str(o["name"]))
		b.set("description", str(o["description"]))
		b.set("active", boolean(o["active"]))
		b.set("type", str(o["type"]))
		b.set("unit_label", str(o["unit_label"]))
		b.set("default_price_id", idOf(o["default_price"]))
		b.set("created", unixTime(o["created"]))
		b.set("updated", unixTime(o["updated"]))
		return nil
	}, []pass{listPass("/v1/products")}, "product.*", nil, "product.deleted")
}

// priceColumns are the immutable price fields that prices, subscription items and invoice
// lines share (a price's amount, currency and interval never change once created).
func priceColumns() []column {
	return []column{{"currency", kString}, {"unit_amount", kMoney}, {"unit_amount_decimal", kString},
		{"price_type", kString}, {"billing_scheme", kString}, {"recurring_interval", kString},
		{"recurring_interval_count", kInt}, {"recurring_usage_type", kString}}
}

// fillPrice sets the priceColumns from a price object.
func fillPrice(r *reader, p jobj, b *rowBuilder) error {
	if p == nil {
		return nil
	}
	b.set("currency", str(p["currency"]))
	dec := p["unit_amount_decimal"]
	if dec == nil {
		dec = p["unit_amount"]
	}
	amount, err := r.money(dec, p["currency"])
	if err != nil {
		return err
	}
	b.set("unit_amount", amount)
	switch x := dec.(type) {
	case string:
		b.set("unit_amount_decimal", x)
	case json.Number:
		b.set("unit_amount_decimal", x.String())
	}
	b.set("price_type", str(p["type"]))
	b.set("billing_scheme", str(p["billing_scheme"]))
	rec := sub(p, "recurring")
	b.set("recurring_interval", str(rec["interval"]))
	b.set("recurring_interval_count", integer(rec["interval_count"]))
	b.set("recurring_usage_type", str(rec["usage_type"]))
	return nil
}

func pricesDef() *streamDef {
	cols := append([]column{{"id", kString}, {"product_id", kString}, {"active", kBool}}, priceColumns()...)
	cols = append(cols, column{"tiers_mode", kString}, column{"lookup_key", kString}, column{"nickname", kString},
		column{"created", kTime})
	consumed := []string{"product", "active", "currency", "unit_amount", "unit_amount_decimal", "type",
		"billing_scheme", "recurring", "tiers_mode", "lookup_key", "nickname", "created"}
	return simple(Prices, cols, true, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("product_id", idOf(o["product"]))
		b.set("active", boolean(o["active"]))
		if err := fillPrice(r, o, b); err != nil {
			return err
		}
		b.set("tiers_mode", str(o["tiers_mode"]))
		b.set("lookup_key", str(o["lookup_key"]))
		b.set("nickname", str(o["nickname"]))
		b.set("created", unixTime(o["created"]))
		return nil
	}, []pass{listPass("/v1/prices", "active", "true"), listPass("/v1/prices", "active", "false")},
		"price.*", nil, "price.deleted")
}

// couponColumns are a coupon's immutable terms.
func couponColumns(prefix string) []column {
	return []column{{prefix + "percent_off", kFloat}, {prefix + "amount_off", kMoney}, {prefix + "currency", kString},
		{prefix + "duration", kString}, {prefix + "duration_in_months", kInt}}
}

func fillCoupon(r *reader, prefix string, c jobj, b *rowBuilder) error {
	if c == nil {
		return nil
	}
	b.set(prefix+"percent_off", float(c["percent_off"]))
	off, err := r.money(c["amount_off"], c["currency"])
	if err != nil {
		return err
	}
	b.set(prefix+"amount_off", off)
	b.set(prefix+"currency", str(c["currency"]))
	b.set(prefix+"duration", str(c["duration"]))
	b.set(prefix+"duration_in_months", integer(c["duration_in_months"]))
	return nil
}

func couponsDef() *streamDef {
	cols := append([]column{{"id", kString}, {"name", kString}}, couponColumns("")...)
	cols = append(cols, column{"max_redemptions", kInt}, column{"times_redeemed", kInt}, column{"valid", kBool},
		column{"redeem_by", kTime}, column{"created", kTime})
	consumed := []string{"name", "percent_off", "amount_off", "currency", "duration", "duration_in_months",
		"max_redemptions", "times_redeemed", "valid", "redeem_by", "created"}
	return simple(Coupons, cols, true, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("name", str(o["name"]))
		if err := fillCoupon(r, "", o, b); err != nil {
			return err
		}
		b.set("max_redemptions", integer(o["max_redemptions"]))
		b.set("times_redeemed", integer(o["times_redeemed"]))
		b.set("valid", boolean(o["valid"]))
		b.set("redeem_by", unixTime(o["redeem_by"]))
		b.set("created", unixTime(o["created"]))
		return nil
	}, []pass{listPass("/v1/coupons")}, "coupon.*", nil, "coupon.deleted")
}

func creditNotesDef() *streamDef {
	cols := []column{{"id", kString}, {"number", kString}, {"invoice_id", kString}, {"customer_id", kString},
		{"status", kString}, {"type", kString}, {"reason", kString}, {"currency", kString}, {"amount", kMoney},
		{"subtotal", kMoney}, {"total", kMoney}, {"discount_amount", kMoney}, {"memo", kString},
		{"created", kTime}, {"effective_at", kTime}, {"voided_at", kTime}}
	consumed := []string{"number", "invoice", "customer", "status", "type", "reason", "currency", "amount",
		"subtotal", "total", "discount_amount", "memo", "created", "effective_at", "voided_at"}
	return simple(CreditNotes, cols, false, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		for _, k := range []string{"id", "number", "status", "type", "reason", "currency", "memo"} {
			b.set(k, str(o[k]))
		}
		b.set("invoice_id", idOf(o["invoice"]))
		b.set("customer_id", idOf(o["customer"]))
		for _, k := range []string{"amount", "subtotal", "total", "discount_amount"} {
			v, err := r.money(o[k], o["currency"])
			if err != nil {
				return err
			}
			b.set(k, v)
		}
		for _, k := range []string{"created", "effective_at", "voided_at"} {
			b.set(k, unixTime(o[k]))
		}
		return nil
	}, []pass{listPass("/v1/credit_notes")}, "credit_note.*", nil, "")
}
