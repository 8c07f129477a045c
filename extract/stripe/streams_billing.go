package stripe

// streams_billing.go: subscriptions and their items, invoices and their lines, discounts. Items
// and lines are read through their parent (embedded lists, paged separately when has_more).

import (
	"context"
	"net/url"

	"github.com/revops/revops/internal/arrowrow"
)

func subscriptionsDef() *streamDef {
	cols := []column{{"id", kString}, {"customer_id", kString}, {"status", kString}, {"currency", kString},
		{"collection_method", kString}, {"created", kTime}, {"start_date", kTime}, {"billing_cycle_anchor", kTime},
		{"current_period_start", kTime}, {"current_period_end", kTime}, {"trial_start", kTime}, {"trial_end", kTime},
		{"cancel_at", kTime}, {"cancel_at_period_end", kBool}, {"canceled_at", kTime}, {"ended_at", kTime},
		{"cancellation_reason", kString}, {"cancellation_feedback", kString}, {"cancellation_comment", kString},
		{"discount_ids", kJSON}, {"latest_invoice_id", kString}, {"schedule_id", kString},
		{"pause_collection", kJSON}}
	consumed := []string{"customer", "status", "currency", "collection_method", "created", "start_date",
		"billing_cycle_anchor", "current_period_start", "current_period_end", "trial_start", "trial_end",
		"cancel_at", "cancel_at_period_end", "canceled_at", "ended_at", "cancellation_details", "discounts",
		"discount", "latest_invoice", "schedule", "pause_collection", "items"}
	return simple(Subscriptions, cols, false, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("customer_id", idOf(o["customer"]))
		for _, k := range []string{"status", "currency", "collection_method"} {
			b.set(k, str(o[k]))
		}
		for _, k := range []string{"created", "start_date", "billing_cycle_anchor", "trial_start", "trial_end",
			"cancel_at", "canceled_at", "ended_at"} {
			b.set(k, unixTime(o[k]))
		}
		start, end := subscriptionPeriod(o)
		b.set("current_period_start", start)
		b.set("current_period_end", end)
		b.set("cancel_at_period_end", boolean(o["cancel_at_period_end"]))
		cd := sub(o, "cancellation_details")
		b.set("cancellation_reason", str(cd["reason"]))
		b.set("cancellation_feedback", str(cd["feedback"]))
		b.set("cancellation_comment", str(cd["comment"]))
		b.set("discount_ids", idList(o["discounts"]))
		b.set("latest_invoice_id", idOf(o["latest_invoice"]))
		b.set("schedule_id", idOf(o["schedule"]))
		b.set("pause_collection", arrowrow.JSONText(o["pause_collection"]))
		return nil
	}, []pass{listPass("/v1/subscriptions", "status", "all")}, "customer.subscription.*", nil, "")
}

// subscriptionPeriod is a subscription's current period: its own fields before basil, else the
// earliest start and latest end of its (embedded) items.
func subscriptionPeriod(o jobj) (start, end any) {
	if _, old := o["current_period_start"]; old {
		return unixTime(o["current_period_start"]), unixTime(o["current_period_end"])
	}
	list, _ := at(o, "items", "data").([]any)
	var lo, hi int64
	for _, x := range list {
		it, _ := x.(jobj)
		s, ok1 := unixTime(it["current_period_start"]).(int64)
		e, ok2 := unixTime(it["current_period_end"]).(int64)
		if ok1 && (lo == 0 || s < lo) {
			lo = s
		}
		if ok2 && e > hi {
			hi = e
		}
	}
	if lo != 0 {
		start = lo
	}
	if hi != 0 {
		end = hi
	}
	return start, end
}

func subscriptionItemsDef() *streamDef {
	cols := []column{{"id", kString}, {"subscription_id", kString}, {"customer_id", kString}, {"price_id", kString},
		{"product_id", kString}, {"quantity", kInt}, {"created", kTime}, {"current_period_start", kTime},
		{"current_period_end", kTime}}
	cols = append(cols, priceColumns()...)
	cols = append(cols, column{"discount_ids", kJSON})
	d := &streamDef{name: SubscriptionItems, pk: []string{"id"}, cols: append(cols, tail(true)...), hasDeleted: true,
		passes: []pass{listPass("/v1/subscriptions", "status", "all")}, eventType: "customer.subscription.*"}
	consumed := arrowrow.KeySet("id", "object", "livemode", "metadata", "deleted", "subscription", "price", "plan",
		"quantity", "created", "current_period_start", "current_period_end", "discounts")
	itemRow := func(r *reader, s, it jobj, m meta) (row, error) {
		b := d.newRow(it, consumed, m)
		b.set("id", str(it["id"]))
		b.set("subscription_id", str(s["id"]))
		b.set("customer_id", idOf(s["customer"]))
		price := sub(it, "price")
		if price == nil {
			price = sub(it, "plan") // legacy plans carry the same fields as prices
		}
		b.set("price_id", str(price["id"]))
		b.set("product_id", idOf(price["product"]))
		b.set("quantity", integer(it["quantity"]))
		b.set("created", unixTime(it["created"]))
		start, end := unixTime(it["current_period_start"]), unixTime(it["current_period_end"])
		if _, basil := it["current_period_start"]; !basil {
			start, end = unixTime(s["current_period_start"]), unixTime(s["current_period_end"])
		}
		b.set("current_period_start", start)
		b.set("current_period_end", end)
		if err := fillPrice(r, price, b); err != nil {
			return nil, err
		}
		b.set("discount_ids", idList(it["discounts"]))
		return b.r, nil
	}
	rowsOf := func(ctx context.Context, r *reader, s jobj, m meta) ([]row, map[string]bool, error) {
		items, err := r.subscriptionItems(ctx, s, false)
		if err != nil {
			return nil, nil, err
		}
		seen := map[string]bool{}
		var rows []row
		for _, it := range items {
			if id, ok := it["id"].(string); ok {
				seen[id] = true
				rw, err := itemRow(r, s, it, m)
				if err != nil {
					return nil, nil, err
				}
				rows = append(rows, rw)
			}
		}
		return rows, seen, nil
	}
	d.fromList = func(ctx context.Context, r *reader, _ int, s jobj, m meta) ([]row, error) {
		rows, _, err := rowsOf(ctx, r, s, m)
		return rows, err
	}
	d.fromEvent = func(ctx context.Context, r *reader, ev *event, m meta) ([]row, error) {
		rows, seen, err := rowsOf(ctx, r, ev.object, m)
		if err != nil {
			return nil, err
		}
		// Items removed by this change are in previous_attributes.items but not in the object.
		prev, _ := at(ev.previous, "items", "data").([]any)
		gone := m
		gone.deleted = true
		for _, x := range prev {
			it, _ := x.(jobj)
			if id, ok := it["id"].(string); ok && !seen[id] {
				rw, err := itemRow(r, ev.object, it, gone)
				if err != nil {
					return nil, err
				}
				rows = append(rows, rw)
			}
		}
		return rows, nil
	}
	return d
}

func invoicesDef() *streamDef {
	cols := []column{{"id", kString}, {"customer_id", kString}, {"subscription_id", kString}, {"status", kString},
		{"billing_reason", kString}, {"collection_method", kString}, {"currency", kString}, {"number", kString},
		{"created", kTime}, {"period_start", kTime}, {"period_end", kTime}, {"due_date", kTime},
		{"effective_at", kTime}, {"amount_due", kMoney}, {"amount_paid", kMoney}, {"amount_remaining", kMoney},
		{"subtotal", kMoney}, {"total", kMoney}, {"total_excluding_tax", kMoney},
		{"total_discount_amount", kMoney}, {"discount_ids", kJSON}, {"finalized_at", kTime}, {"paid_at", kTime},
		{"voided_at", kTime}, {"marked_uncollectible_at", kTime}}
	consumed := []string{"customer", "subscription", "parent", "status", "billing_reason", "collection_method",
		"currency", "number", "created", "period_start", "period_end", "due_date", "effective_at", "amount_due",
		"amount_paid", "amount_remaining", "subtotal", "total", "total_excluding_tax", "total_discount_amounts",
		"discounts", "status_transitions", "lines"}
	return simple(Invoices, cols, true, consumed, func(r *reader, o jobj, b *rowBuilder) error {
		b.set("id", str(o["id"]))
		b.set("customer_id", idOf(o["customer"]))
		b.set("subscription_id", invoiceSubscription(o))
		for _, k := range []string{"status", "billing_reason", "collection_method", "currency", "number"} {
			b.set(k, str(o[k]))
		}
		for _, k := range []string{"created", "period_start", "period_end", "due_date", "effective_at"} {
			b.set(k, unixTime(o[k]))
		}
		for _, k := range []string{"amount_due", "amount_paid", "amount_remaining", "subtotal", "total", "total_excluding_tax"} {
			v, err := r.money(o[k], o["currency"])
			if err != nil {
				return err
			}
			b.set(k, v)
		}
		disc, err := r.money(sumAmounts(o["total_discount_amounts"]), o["currency"])
		if err != nil {
			return err
		}
		b.set("total_discount_amount", disc)
		b.set("discount_ids", idList(o["discounts"]))
		st := sub(o, "status_transitions")
		for _, k := range []string{"finalized_at", "paid_at", "voided_at", "marked_uncollectible_at"} {
			b.set(k, unixTime(st[k]))
		}
		return nil
	}, []pass{listPass("/v1/invoices")}, "invoice.*", nil, "invoice.deleted")
}

// invoiceSubscription is the invoice's subscription: parent.subscription_details.subscription
// from basil on, invoice.subscription before.
func invoiceSubscription(o jobj) any {
	if _, basil := o["parent"]; basil {
		return idOf(at(o, "parent", "subscription_details", "subscription"))
	}
	return idOf(o["subscription"])
}

func invoiceLinesDef() *streamDef {
	cols := []column{{"invoice_id", kString}, {"id", kString}, {"amount", kMoney}, {"currency", kString},
		{"description", kString}, {"quantity", kInt}, {"period_start", kTime}, {"period_end", kTime},
		{"price_id", kString}, {"product_id", kString}, {"unit_amount", kMoney}, {"unit_amount_decimal", kString},
		{"line_type", kString}, {"subscription_id", kString}, {"subscription_item_id", kString},
		{"invoice_item_id", kString}, {"proration", kBool}, {"discount_amount", kMoney}, {"discount_ids", kJSON},
		{"discount_amounts", kJSON}, {"discountable", kBool}}
	d := &streamDef{name: InvoiceLines, pk: []string{"invoice_id", "id"}, cols: append(cols, tail(true)...),
		hasDeleted: true, passes: []pass{listPass("/v1/invoices")}, eventType: "invoice.*"}
	consumed := arrowrow.KeySet("id", "object", "livemode", "metadata", "deleted", "invoice", "amount", "currency",
		"description", "quantity", "period", "price", "plan", "pricing", "parent", "type", "subscription",
		"subscription_item", "invoice_item", "proration", "proration_details", "discount_amounts", "discounts",
		"discountable")
	lineRow := func(r *reader, inv, l jobj, m meta) (row, error) {
		b := d.newRow(l, consumed, m)
		invoiceID := str(inv["id"])
		if invoiceID == nil {
			invoiceID = idOf(l["invoice"])
		}
		b.set("invoice_id", invoiceID)
		b.set("id", str(l["id"]))
		currency := l["currency"]
		if currency == nil {
			currency = inv["currency"]
		}
		b.set("currency", str(currency))
		amount, err := r.money(l["amount"], currency)
		if err != nil {
			return nil, err
		}
		b.set("amount", amount)
		b.set("description", str(l["description"]))
		b.set("quantity", integer(l["quantity"]))
		b.set("period_start", unixTime(at(l, "period", "start")))
		b.set("period_end", unixTime(at(l, "period", "end")))
		var unit any
		if _, basil := l["parent"]; basil {
			pd := sub(l, "pricing", "price_details")
			b.set("price_id", idOf(pd["price"]))
			b.set("product_id", idOf(pd["product"]))
			unit = at(l, "pricing", "unit_amount_decimal")
			parent := sub(l, "parent")
			details := sub(parent, "subscription_item_details")
			lineType := "subscription"
			if str(parent["type"]) != "subscription_item_details" {
				details, lineType = sub(parent, "invoice_item_details"), "invoiceitem"
			}
			if parent == nil {
				lineType = ""
			}
			b.set("line_type", nullIfEmpty(lineType))
			b.set("subscription_id", idOf(details["subscription"]))
			b.set("subscription_item_id", idOf(details["subscription_item"]))
			b.set("invoice_item_id", idOf(details["invoice_item"]))
			b.set("proration", boolean(details["proration"]))
		} else {
			price := sub(l, "price")
			b.set("price_id", idOf(l["price"]))
			b.set("product_id", idOf(price["product"]))
			unit = price["unit_amount_decimal"]
			if unit == nil {
				unit = price["unit_amount"]
			}
			b.set("line_type", str(l["type"]))
			b.set("subscription_id", idOf(l["subscription"]))
			b.set("subscription_item_id", idOf(l["subscription_item"]))
			b.set("invoice_item_id", idOf(l["invoice_item"]))
			b.set("proration", boolean(l["proration"]))
		}
		unitAmount, err := r.money(unit, currency)
		if err != nil {
			return nil, err
		}
		b.set("unit_amount", unitAmount)
		if n, ok := unit.(interface{ String() string }); ok {
			b.set("unit_amount_decimal", n.String())
		} else {
			b.set("unit_amount_decimal", str(unit))
		}
		disc, err := r.money(sumAmounts(l["discount_amounts"]), currency)
		if err != nil {
			return nil, err
		}
		b.set("discount_amount", disc)
		b.set("discount_ids", idList(l["discounts"]))
		// Each discount's share, in minor units as Stripe sends them: staging tells a once
		// coupon's discount from a recurring one's by the discount's coupon duration.
		b.set("discount_amounts", arrowrow.JSONText(l["discount_amounts"]))
		b.set("discountable", boolean(l["discountable"]))
		return b.r, nil
	}
	rowsOf := func(ctx context.Context, r *reader, inv jobj, m meta, fetch bool) ([]row, error) {
		lines, err := r.invoiceLines(ctx, inv, fetch)
		if err != nil {
			return nil, err
		}
		var rows []row
		for _, l := range lines {
			if _, ok := l["id"].(string); !ok {
				continue
			}
			rw, err := lineRow(r, inv, l, m)
			if err != nil {
				return nil, err
			}
			rows = append(rows, rw)
		}
		return rows, nil
	}
	d.fromList = func(ctx context.Context, r *reader, _ int, inv jobj, m meta) ([]row, error) {
		return rowsOf(ctx, r, inv, m, true)
	}
	d.fromEvent = func(ctx context.Context, r *reader, ev *event, m meta) ([]row, error) {
		if _, ok := ev.object["id"].(string); !ok {
			return nil, nil // invoice.upcoming
		}
		m.deleted = ev.typ == "invoice.deleted"
		// A deleted draft's lines cannot be fetched: its snapshot's lines are all there is.
		return rowsOf(ctx, r, ev.object, m, !m.deleted)
	}
	return d
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func discountsDef() *streamDef {
	cols := []column{{"id", kString}, {"coupon_id", kString}, {"customer_id", kString}, {"subscription_id", kString},
		{"subscription_item_id", kString}, {"invoice_id", kString}, {"invoice_item_id", kString},
		{"promotion_code_id", kString}, {"start", kTime}, {"end", kTime}}
	cols = append(cols, couponColumns("coupon_")...)
	cols = append(cols, column{"deleted", kBool}, column{"_extra", kJSON}, column{"_observed_at", kTime})
	d := &streamDef{name: Discounts, pk: []string{"id"}, cols: cols, hasDeleted: true,
		passes: []pass{
			{path: "/v1/customers", params: url.Values{}, cloverExpand: []string{"data.discount.source.coupon"}},
			{path: "/v1/subscriptions",
				params:       url.Values{"status": {"all"}, "expand[]": {"data.discounts", "data.items.data.discounts"}},
				cloverExpand: []string{"data.discounts.source.coupon", "data.items.data.discounts.source.coupon"}},
		},
		eventType: "customer.discount.*"}
	consumed := arrowrow.KeySet("id", "object", "deleted", "coupon", "source", "customer", "subscription",
		"subscription_item", "invoice", "invoice_item", "promotion_code", "start", "end")
	discountRow := func(ctx context.Context, r *reader, o jobj, m meta) ([]row, error) {
		if _, ok := o["id"].(string); !ok {
			return nil, nil
		}
		b := d.newRow(o, consumed, m)
		b.set("id", str(o["id"]))
		coupon := o["coupon"]
		if coupon == nil { // from clover on: source{type: coupon, coupon: its id, or expanded}
			coupon = at(o, "source", "coupon")
		}
		b.set("coupon_id", idOf(coupon))
		c, _ := coupon.(jobj)
		if id, ok := coupon.(string); ok { // not expanded: an event's snapshot
			var err error
			if c, err = r.coupon(ctx, id); err != nil {
				return nil, err
			}
		}
		if c != nil {
			if err := fillCoupon(r, "coupon_", c, b); err != nil {
				return nil, err
			}
		}
		for _, k := range []string{"customer", "subscription", "subscription_item", "invoice", "invoice_item", "promotion_code"} {
			b.set(k+"_id", idOf(o[k]))
		}
		b.set("start", unixTime(o["start"]))
		b.set("end", unixTime(o["end"]))
		return []row{b.r}, nil
	}
	d.fromList = func(ctx context.Context, r *reader, pass int, o jobj, m meta) ([]row, error) {
		if pass == 0 { // a customer: its customer-level discount
			if disc, ok := o["discount"].(jobj); ok {
				return discountRow(ctx, r, disc, m)
			}
			return nil, nil
		}
		var rows []row
		add := func(list any) error {
			l, _ := list.([]any)
			for _, x := range l {
				if disc, ok := x.(jobj); ok {
					rw, err := discountRow(ctx, r, disc, m)
					if err != nil {
						return err
					}
					rows = append(rows, rw...)
				}
			}
			return nil
		}
		if err := add(o["discounts"]); err != nil {
			return nil, err
		}
		items, err := r.subscriptionItems(ctx, o, true)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if err := add(it["discounts"]); err != nil {
				return nil, err
			}
		}
		return rows, nil
	}
	d.fromEvent = func(ctx context.Context, r *reader, ev *event, m meta) ([]row, error) {
		m.deleted = ev.typ == "customer.discount.deleted"
		return discountRow(ctx, r, ev.object, m)
	}
	return d
}
