package fake

// render.go: the JSON of each object, for an API version. Two shapes exist:
//
//   - before 2025-03-31.basil: current_period_start/end on the subscription (not on its items);
//     invoice.subscription at the top level; invoice lines with price (an object), plan,
//     subscription, subscription_item, proration, proration_details and type; the singular
//     subscription.discount next to discounts.
//   - from basil on: current_period_start/end on each subscription item; invoice.parent
//     .subscription_details.subscription; invoice lines with parent{type, …_details} and
//     pricing{type: price_details, price_details{price, product}, unit_amount_decimal}.
//
// From 2025-09-30.clover on, a discount has source{type: coupon, coupon: the coupon's id} instead
// of coupon (the embedded Coupon); expand[]=…source.coupon embeds it. Everything else renders
// the same in all versions.

import (
	"sort"
	"strconv"
)

// VersionBasil is the first API version with the basil shapes.
const VersionBasil = "2025-03-31.basil"

// VersionAcacia is a pre-basil version (the default of accounts created in 2024).
const VersionAcacia = "2024-06-20"

// VersionClover is the first API version whose discounts have source instead of coupon.
const VersionClover = "2025-09-30.clover"

// DefaultVersion is the default account API version of a fake.
const DefaultVersion = "2025-08-27.basil"

// isBasil reports whether version v has the basil shapes (versions compare by their date).
func isBasil(v string) bool { return len(v) >= 10 && v[:10] >= VersionBasil[:10] }

// isClover reports whether version v has the clover discount shape.
func isClover(v string) bool { return len(v) >= 10 && v[:10] >= VersionClover[:10] }

type obj = map[string]any

// nullable renders 0 / "" as JSON null.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func meta(m map[string]string) obj {
	out := obj{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func strList(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// renderer renders objects of one store in one version.
type renderer struct {
	st      *store
	version string
	basil   bool
	clover  bool
	// embed is how many items or lines a parent embeds before has_more.
	embed int
}

func (s *Server) renderer(version string) *renderer {
	return &renderer{st: s.st, version: version, basil: isBasil(version), clover: isClover(version),
		embed: s.opts.EmbedLimit}
}

// render returns the JSON of the record.
func (r *renderer) render(rec *record) obj {
	if rec.deleted {
		return obj{"id": rec.id, "object": rec.kind, "deleted": true}
	}
	switch o := rec.obj.(type) {
	case *Customer:
		return r.customer(o)
	case *Product:
		return r.product(o)
	case *Price:
		return r.price(o)
	case *Coupon:
		return r.coupon(o)
	case *Discount:
		return r.discount(o)
	case *Subscription:
		return r.subscription(o)
	case *Invoice:
		return r.invoice(o)
	case *CreditNote:
		return r.creditNote(o)
	}
	return obj{"id": rec.id}
}

func (r *renderer) customer(c *Customer) obj {
	var discount any
	if d := r.st.customerDiscount(c.ID); d != nil {
		discount = r.discount(d)
	}
	return obj{
		"id": c.ID, "object": "customer", "address": nil, "balance": c.Balance, "created": c.Created,
		"currency": nullStr(c.Currency), "default_source": nil, "delinquent": false,
		"description": nullStr(c.Description), "discount": discount, "email": nullStr(c.Email),
		"invoice_prefix": "F" + strconv.FormatInt(c.Created%100000, 16),
		"invoice_settings": obj{"custom_fields": nil, "default_payment_method": nil, "footer": nil,
			"rendering_options": nil},
		"livemode": false, "metadata": meta(c.Metadata), "name": nullStr(c.Name), "phone": nil,
		"preferred_locales": []any{}, "shipping": nil, "tax_exempt": "none", "test_clock": nil,
	}
}

func (r *renderer) product(p *Product) obj {
	return obj{
		"id": p.ID, "object": "product", "active": !p.Archived, "created": p.Created,
		"default_price": nullStr(p.DefaultPrice), "description": nullStr(p.Description), "images": []any{},
		"livemode": false, "marketing_features": []any{}, "metadata": meta(p.Metadata), "name": p.Name,
		"package_dimensions": nil, "shippable": nil, "statement_descriptor": nil, "tax_code": nil,
		"type": "service", "unit_label": nullStr(p.UnitLabel), "updated": p.Updated, "url": nil,
	}
}

func (r *renderer) price(p *Price) obj {
	var recurring any
	if p.Type == "recurring" {
		recurring = obj{"interval": p.Interval, "interval_count": p.IntervalCount, "meter": nil,
			"usage_type": p.UsageType}
	}
	var unit any = p.UnitAmount
	dec := strconv.FormatInt(p.UnitAmount, 10)
	if p.UnitAmountDecimal != "" {
		dec = p.UnitAmountDecimal
		if _, err := strconv.ParseInt(dec, 10, 64); err != nil {
			unit = nil // a sub-minor-unit price has no integer unit_amount
		}
	}
	var tiersMode any
	if p.BillingScheme == "tiered" {
		tiersMode, unit, dec = "graduated", nil, ""
	}
	return obj{
		"id": p.ID, "object": "price", "active": !p.Archived, "billing_scheme": p.BillingScheme,
		"created": p.Created, "currency": p.Currency, "custom_unit_amount": nil, "livemode": false,
		"lookup_key": nullStr(p.LookupKey), "metadata": meta(p.Metadata), "nickname": nullStr(p.Nickname),
		"product": p.Product, "recurring": recurring, "tax_behavior": "unspecified", "tiers_mode": tiersMode,
		"transform_quantity": nil, "type": p.Type, "unit_amount": unit, "unit_amount_decimal": nullStr(dec),
	}
}

// plan is the legacy Plan object pre-basil items and lines carry next to price.
func (r *renderer) plan(p *Price) obj {
	if p == nil {
		return nil
	}
	return obj{
		"id": p.ID, "object": "plan", "active": !p.Archived, "amount": p.UnitAmount, "currency": p.Currency,
		"interval": p.Interval, "interval_count": p.IntervalCount, "product": p.Product,
		"usage_type": p.UsageType, "created": p.Created,
	}
}

func (r *renderer) coupon(c *Coupon) obj {
	var pct, amt, cur, months any
	if c.PercentOff != 0 {
		pct = c.PercentOff
	}
	if c.AmountOff != 0 {
		amt, cur = c.AmountOff, c.Currency
	}
	if c.Duration == "repeating" {
		months = c.DurationInMonths
	}
	return obj{
		"id": c.ID, "object": "coupon", "amount_off": amt, "created": c.Created, "currency": cur,
		"duration": c.Duration, "duration_in_months": months, "livemode": false, "max_redemptions": nil,
		"metadata": meta(c.Metadata), "name": nullStr(c.Name), "percent_off": pct, "redeem_by": nil,
		"times_redeemed": c.TimesRedeemed, "valid": !c.Expired,
	}
}

func (r *renderer) discount(d *Discount) obj {
	o := obj{
		"id": d.ID, "object": "discount", "checkout_session": nil, "customer": nullStr(d.Customer),
		"end": nullInt(d.End), "invoice": nil, "invoice_item": nil, "promotion_code": nil, "start": d.Start,
		"subscription": nullStr(d.Subscription), "subscription_item": nullStr(d.SubscriptionItem),
	}
	if r.clover {
		o["source"] = obj{"type": "coupon", "coupon": d.Coupon}
		return o
	}
	var coupon any = d.Coupon
	if rec := r.st.byID[d.Coupon]; rec != nil && rec.kind == kindCoupon { // deleted coupons stay embedded
		coupon = r.coupon(rec.obj.(*Coupon))
	}
	o["coupon"] = coupon
	return o
}

func (r *renderer) priceOf(id string) *Price {
	if rec := r.st.get(kindPrice, id); rec != nil {
		return rec.obj.(*Price)
	}
	if rec, ok := r.st.byID[id]; ok { // a deleted price is still rendered where it is used
		if p, ok := rec.obj.(*Price); ok {
			return p
		}
	}
	return nil
}

func (r *renderer) renderPriceID(id string) any {
	if p := r.priceOf(id); p != nil {
		return r.price(p)
	}
	return nil
}

func (r *renderer) subscriptionItem(s *Subscription, it *SubscriptionItem) obj {
	o := obj{
		"id": it.ID, "object": "subscription_item", "created": it.Created, "discounts": strList(it.Discounts),
		"metadata": meta(it.Metadata), "price": r.renderPriceID(it.Price), "quantity": it.Quantity,
		"subscription": s.ID, "tax_rates": []any{},
	}
	if r.basil {
		o["current_period_start"] = it.CurrentPeriodStart
		o["current_period_end"] = it.CurrentPeriodEnd
	} else {
		o["plan"] = r.plan(r.priceOf(it.Price))
	}
	return o
}

// subscriptionPeriod is the pre-basil subscription-level period: the earliest item start and
// the latest item end.
func subscriptionPeriod(s *Subscription) (start, end int64) {
	for i, it := range s.Items {
		if i == 0 || it.CurrentPeriodStart < start {
			start = it.CurrentPeriodStart
		}
		if i == 0 || it.CurrentPeriodEnd > end {
			end = it.CurrentPeriodEnd
		}
	}
	return start, end
}

// itemsNewestFirst returns the items in list order: newest first, the later added first
// within a second.
func itemsNewestFirst(s *Subscription) []*SubscriptionItem {
	out := make([]*SubscriptionItem, len(s.Items))
	for i := range s.Items {
		out[len(s.Items)-1-i] = &s.Items[i]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created > out[j].Created })
	return out
}

func (r *renderer) subscription(s *Subscription) obj {
	items := itemsNewestFirst(s)
	data := []any{}
	for i, it := range items {
		if i == r.embed {
			break
		}
		data = append(data, r.subscriptionItem(s, it))
	}
	o := obj{
		"id": s.ID, "object": "subscription", "application": nil, "billing_cycle_anchor": s.BillingCycleAnchor,
		"cancel_at": nullInt(s.CancelAt), "cancel_at_period_end": s.CancelAtPeriodEnd,
		"canceled_at":          nullInt(s.CanceledAt),
		"cancellation_details": obj{"comment": nil, "feedback": nil, "reason": nullStr(s.CancellationReason)},
		"collection_method":    s.CollectionMethod, "created": s.Created, "currency": s.Currency,
		"customer": s.Customer, "days_until_due": nil, "default_payment_method": nil,
		"description": nil, "discounts": strList(s.Discounts), "ended_at": nullInt(s.EndedAt),
		"items": obj{"object": "list", "data": data, "has_more": len(items) > r.embed,
			"url": "/v1/subscription_items?subscription=" + s.ID},
		"latest_invoice": nullStr(s.LatestInvoice), "livemode": false, "metadata": meta(s.Metadata),
		"pause_collection": nil, "schedule": nil, "start_date": s.StartDate, "status": s.Status,
		"test_clock": nil, "trial_end": nullInt(s.TrialEnd), "trial_start": nullInt(s.TrialStart),
	}
	if !r.basil {
		o["current_period_start"], o["current_period_end"] = subscriptionPeriod(s)
		var d any
		if len(s.Discounts) > 0 {
			if rec := r.st.get(kindDiscount, s.Discounts[0]); rec != nil {
				d = r.discount(rec.obj.(*Discount))
			}
		}
		o["discount"] = d
	}
	return o
}

func (r *renderer) line(in *Invoice, l *InvoiceLine) obj {
	das := []any{}
	var discounts []string
	for _, da := range l.DiscountAmounts {
		das = append(das, obj{"amount": da.Amount, "discount": da.Discount})
		discounts = append(discounts, da.Discount)
	}
	o := obj{
		"id": l.ID, "object": "line_item", "amount": l.Amount, "currency": in.Currency,
		"description": nullStr(l.Description), "discount_amounts": das, "discountable": true,
		"discounts": strList(discounts), "invoice": in.ID, "livemode": false, "metadata": meta(l.Metadata),
		"period": obj{"start": l.PeriodStart, "end": l.PeriodEnd}, "quantity": l.Quantity,
	}
	p := r.priceOf(l.Price)
	if r.basil {
		var pricing any
		if p != nil {
			unit := strconv.FormatInt(p.UnitAmount, 10)
			if p.UnitAmountDecimal != "" {
				unit = p.UnitAmountDecimal
			}
			pricing = obj{"type": "price_details", "price_details": obj{"price": p.ID, "product": p.Product},
				"unit_amount_decimal": unit}
		}
		o["pricing"] = pricing
		parent := obj{"type": "subscription_item_details", "invoice_item_details": nil, "subscription_item_details": nil}
		if l.InvoiceItem != "" || l.SubscriptionItem == "" {
			parent["type"] = "invoice_item_details"
			parent["invoice_item_details"] = obj{"invoice_item": nullStr(l.InvoiceItem), "proration": l.Proration,
				"proration_details": obj{"credited_items": nil}, "subscription": nullStr(l.Subscription)}
		} else {
			parent["subscription_item_details"] = obj{"invoice_item": nil, "proration": l.Proration,
				"proration_details": obj{"credited_items": nil}, "subscription": nullStr(l.Subscription),
				"subscription_item": l.SubscriptionItem}
		}
		o["parent"] = parent
		return o
	}
	typ := "subscription"
	if l.InvoiceItem != "" || l.SubscriptionItem == "" {
		typ = "invoiceitem"
	}
	var price any
	if p != nil {
		price = r.price(p)
	}
	o["price"] = price
	o["plan"] = r.plan(p)
	o["proration"] = l.Proration
	o["proration_details"] = obj{"credited_items": nil}
	o["subscription"] = nullStr(l.Subscription)
	o["subscription_item"] = nullStr(l.SubscriptionItem)
	o["invoice_item"] = nullStr(l.InvoiceItem)
	o["type"] = typ
	return o
}

func (r *renderer) invoice(in *Invoice) obj {
	data := []any{}
	for i := range in.Lines {
		if i == r.embed {
			break
		}
		data = append(data, r.line(in, &in.Lines[i]))
	}
	var discounts []any
	for _, id := range in.Discounts {
		discounts = append(discounts, id)
	}
	if discounts == nil {
		discounts = []any{}
	}
	tda := []any{}
	if in.TotalDiscountAmount != 0 {
		byDiscount := map[string]int64{}
		var order []string
		for _, l := range in.Lines {
			for _, da := range l.DiscountAmounts {
				if _, ok := byDiscount[da.Discount]; !ok {
					order = append(order, da.Discount)
				}
				byDiscount[da.Discount] += da.Amount
			}
		}
		for _, d := range order {
			tda = append(tda, obj{"amount": byDiscount[d], "discount": d})
		}
	}
	o := obj{
		"id": in.ID, "object": "invoice", "account_country": "US", "amount_due": in.AmountDue,
		"amount_paid": in.AmountPaid, "amount_remaining": in.AmountRemaining, "amount_shipping": 0,
		"attempt_count": 0, "billing_reason": in.BillingReason, "collection_method": in.CollectionMethod,
		"created": in.Created, "currency": in.Currency, "customer": in.Customer,
		"description": nil, "discounts": discounts, "due_date": nullInt(in.DueDate),
		"effective_at": nullInt(in.FinalizedAt), "ending_balance": nil, "hosted_invoice_url": nil,
		"lines": obj{"object": "list", "data": data, "has_more": len(in.Lines) > r.embed,
			"url": "/v1/invoices/" + in.ID + "/lines"},
		"livemode": false, "metadata": meta(in.Metadata), "number": nullStr(in.Number),
		"period_end": in.PeriodEnd, "period_start": in.PeriodStart, "status": in.Status,
		"status_transitions": obj{"finalized_at": nullInt(in.FinalizedAt),
			"marked_uncollectible_at": nil, "paid_at": nullInt(in.PaidAt), "voided_at": nullInt(in.VoidedAt)},
		"subtotal": in.Subtotal, "subtotal_excluding_tax": in.Subtotal, "total": in.Total,
		"total_discount_amounts": tda, "total_excluding_tax": in.Total,
	}
	if in.Status == "uncollectible" {
		o["status_transitions"].(obj)["marked_uncollectible_at"] = nullInt(in.FinalizedAt)
	}
	if r.basil {
		var parent any
		if in.Subscription != "" {
			parent = obj{"type": "subscription_details", "quote_details": nil,
				"subscription_details": obj{"metadata": obj{}, "subscription": in.Subscription}}
		}
		o["parent"] = parent
	} else {
		o["subscription"] = nullStr(in.Subscription)
	}
	return o
}

func (r *renderer) creditNote(c *CreditNote) obj {
	var discounts []any
	if c.DiscountAmount != 0 {
		discounts = []any{obj{"amount": c.DiscountAmount, "discount": nil}}
	} else {
		discounts = []any{}
	}
	return obj{
		"id": c.ID, "object": "credit_note", "amount": c.Amount, "amount_shipping": 0, "created": c.Created,
		"currency": c.Currency, "customer": c.Customer, "customer_balance_transaction": nil,
		"discount_amount": c.DiscountAmount, "discount_amounts": discounts, "effective_at": c.Created,
		"invoice": c.Invoice, "lines": obj{"object": "list", "data": []any{}, "has_more": false,
			"url": "/v1/credit_notes/" + c.ID + "/lines"},
		"livemode": false, "memo": nullStr(c.Memo), "metadata": meta(c.Metadata), "number": c.Number,
		"out_of_band_amount": nil, "pdf": "", "reason": nullStr(c.Reason), "refunds": []any{},
		"status": c.Status, "subtotal": c.Amount + c.DiscountAmount, "subtotal_excluding_tax": c.Amount + c.DiscountAmount,
		"total": c.Amount, "total_excluding_tax": c.Amount, "type": c.Type, "voided_at": nullInt(c.VoidedAt),
	}
}
