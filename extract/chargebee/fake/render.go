package fake

// render.go: the JSON of each resource, as Chargebee returns it. Optional attributes that are
// not set are left out, as the real API does; schema drift (SetDrift) is applied last.

import "strings"

// obj is a rendered resource.
type obj map[string]any

// opt sets k when v is not the zero value.
func (o obj) opt(k string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case int64:
		if x == 0 {
			return
		}
	case float64:
		if x == 0 {
			return
		}
	case map[string]string:
		if len(x) == 0 {
			return
		}
	}
	o[k] = v
}

func (o obj) stamps(st Stamps) {
	o["updated_at"] = st.UpdatedAt
	o["resource_version"] = st.ResourceVersion
	o["deleted"] = st.Deleted
}

// drift applies the schema drift of kind; callers hold mu.
func (s *Server) drift(kind string, o obj) obj {
	for k, v := range s.added[kind] {
		o[k] = v
	}
	for k := range s.hidden[kind] {
		delete(o, k)
	}
	return o
}

// render renders a record with its schema drift; callers hold mu.
func (s *Server) render(rec *record) obj { return s.drift(rec.kind, s.renderRaw(rec)) }

// renderRaw renders a record as stored, before schema drift (filters and sorts read it);
// callers hold mu.
func (s *Server) renderRaw(rec *record) obj {
	var o obj
	switch x := rec.obj.(type) {
	case *Customer:
		o = s.renderCustomer(x)
	case *ItemFamily:
		o = obj{"id": x.ID, "name": x.Name, "status": x.Status, "channel": "web", "object": "item_family"}
		o.opt("description", x.Description)
		o.stamps(x.Stamps)
	case *Item:
		o = s.renderItem(x)
	case *ItemPrice:
		o = s.renderItemPrice(x)
	case *Coupon:
		o = s.renderCoupon(x)
	case *Subscription:
		o = s.renderSubscription(x)
	case *Invoice:
		o = s.renderInvoice(x)
	case *CreditNote:
		o = s.renderCreditNote(x)
	}
	return o
}

func (s *Server) renderCustomer(c *Customer) obj {
	o := obj{"id": c.ID, "auto_collection": c.AutoCollection, "net_term_days": c.NetTermDays,
		"allow_direct_debit": false, "created_at": c.CreatedAt, "taxability": c.Taxability, "pii_cleared": "active",
		"channel": "web", "card_status": "no_card", "promotional_credits": c.PromotionalCredits,
		"refundable_credits": c.RefundableCredits, "excess_payments": c.ExcessPayments, "unbilled_charges": int64(0),
		"object": "customer"}
	for k, v := range map[string]string{"first_name": c.FirstName, "last_name": c.LastName, "email": c.Email,
		"company": c.Company, "phone": c.Phone, "preferred_currency_code": c.PreferredCurrencyCode} {
		o.opt(k, v)
	}
	o.opt("meta_data", c.MetaData)
	o.stamps(c.Stamps)
	return o
}

func (s *Server) renderItem(it *Item) obj {
	o := obj{"id": it.ID, "name": it.Name, "external_name": it.ExternalName, "status": it.Status,
		"item_family_id": it.ItemFamilyID, "type": it.Type, "is_shippable": false, "is_giftable": false,
		"enabled_for_checkout": true, "enabled_in_portal": true, "item_applicability": "all", "metered": it.Metered,
		"channel": "web", "object": "item"}
	if it.ExternalName == "" {
		o["external_name"] = it.Name
	}
	o.opt("description", it.Description)
	o.opt("unit", it.Unit)
	o.opt("archived_at", it.ArchivedAt)
	if it.Metered {
		o["usage_calculation"] = "sum_of_usages"
	}
	o.stamps(it.Stamps)
	return o
}

func (s *Server) renderItemPrice(p *ItemPrice) obj {
	o := obj{"id": p.ID, "name": p.Name, "item_family_id": p.ItemFamilyID, "item_id": p.ItemID, "status": p.Status,
		"external_name": p.ExternalName, "pricing_model": p.PricingModel, "currency_code": p.CurrencyCode,
		"free_quantity": p.FreeQuantity, "channel": "web", "created_at": p.CreatedAt, "is_taxable": !p.NotTaxable,
		"item_type": p.ItemType, "show_description_in_invoices": false, "show_description_in_quotes": false,
		"object": "item_price"}
	if p.Name == "" {
		o["name"] = p.ID
	}
	if p.ExternalName == "" {
		o["external_name"] = o["name"]
	}
	switch p.PricingModel {
	case "flat_fee", "per_unit":
		o["price"] = p.Price
	default:
		tiers := make([]obj, 0, len(p.Tiers))
		for _, t := range p.Tiers {
			to := obj{"starting_unit": t.StartingUnit, "price": t.Price, "object": "tier"}
			to.opt("ending_unit", t.EndingUnit)
			tiers = append(tiers, to)
		}
		o["tiers"] = tiers
	}
	o.opt("price_in_decimal", p.PriceInDecimal)
	if p.PeriodUnit != "" {
		o["period"], o["period_unit"] = p.Period, p.PeriodUnit
	}
	o.opt("trial_period", p.TrialPeriod)
	o.opt("trial_period_unit", p.TrialPeriodUnit)
	o.opt("billing_cycles", p.BillingCycles)
	o.opt("archived_at", p.ArchivedAt)
	o.stamps(p.Stamps)
	return o
}

func (s *Server) renderCoupon(c *Coupon) obj {
	o := obj{"id": c.ID, "name": c.Name, "discount_type": c.DiscountType, "duration_type": c.DurationType,
		"status": c.Status, "apply_discount_on": "not_applicable", "apply_on": c.ApplyOn, "created_at": c.CreatedAt,
		"redemptions": c.Redemptions, "object": "coupon",
		"item_constraints": []obj{{"constraint": "all", "item_type": "plan"}, {"constraint": "all", "item_type": "addon"}}}
	o.opt("invoice_name", c.InvoiceName)
	if c.DiscountType == "percentage" {
		o["discount_percentage"] = c.DiscountPercentage
	} else {
		o["discount_amount"], o["currency_code"] = c.DiscountAmount, c.CurrencyCode
	}
	if c.DurationType == "limited_period" {
		o["period"], o["period_unit"] = c.Period, c.PeriodUnit
	}
	o.opt("max_redemptions", c.MaxRedemptions)
	o.opt("valid_till", c.ValidTill)
	o.opt("archived_at", c.ArchivedAt)
	o.stamps(c.Stamps)
	return o
}

func (s *Server) renderSubscription(sub *Subscription) obj {
	o := obj{"id": sub.ID, "customer_id": sub.CustomerID, "currency_code": sub.CurrencyCode, "status": sub.Status,
		"billing_period": sub.BillingPeriod, "billing_period_unit": sub.BillingPeriodUnit, "created_at": sub.CreatedAt,
		"has_scheduled_changes": false, "channel": "web", "due_invoices_count": int64(0), "mrr": sub.MRR,
		"exchange_rate": 1.0, "base_currency_code": sub.CurrencyCode, "object": "subscription"}
	for k, v := range map[string]int64{"start_date": sub.StartDate, "started_at": sub.StartedAt,
		"activated_at": sub.ActivatedAt, "trial_start": sub.TrialStart, "trial_end": sub.TrialEnd,
		"current_term_start": sub.CurrentTermStart, "current_term_end": sub.CurrentTermEnd,
		"next_billing_at": sub.NextBillingAt, "cancelled_at": sub.CancelledAt, "pause_date": sub.PauseDate,
		"resume_date": sub.ResumeDate} {
		o.opt(k, v)
	}
	o.opt("cancel_reason", sub.CancelReason)
	o.opt("meta_data", sub.MetaData)
	items := make([]obj, 0, len(sub.Items))
	for _, it := range sub.Items {
		io := obj{"item_price_id": it.ItemPriceID, "item_type": it.ItemType, "quantity": it.Quantity,
			"unit_price": it.UnitPrice, "amount": it.Amount, "free_quantity": it.FreeQuantity, "object": "subscription_item"}
		if it.BillingPeriodUnit != "" {
			io["billing_period"], io["billing_period_unit"] = it.BillingPeriod, it.BillingPeriodUnit
		}
		io.opt("trial_end", it.TrialEnd)
		io.opt("billing_cycles", it.BillingCycles)
		if it.ItemType == "charge" {
			io["charge_on_event"], io["charge_once"] = "immediate", true
		}
		items = append(items, s.drift("subscription_item", io))
	}
	o["subscription_items"] = items
	if len(sub.Coupons) > 0 {
		cs := make([]obj, 0, len(sub.Coupons))
		for _, c := range sub.Coupons {
			co := obj{"coupon_id": c.CouponID, "applied_count": c.AppliedCount, "object": "coupon"}
			co.opt("coupon_code", c.CouponCode)
			co.opt("apply_till", c.ApplyTill)
			cs = append(cs, co)
		}
		o["coupons"] = cs
	}
	if len(sub.Discounts) > 0 {
		ds := make([]obj, 0, len(sub.Discounts))
		for i, d := range sub.Discounts {
			do := obj{"id": d.ID, "type": d.Type, "duration_type": d.DurationType, "included_in_mrr": d.IncludedInMRR,
				"apply_on": d.ApplyOn, "created_at": d.CreatedAt, "applied_count": d.AppliedCount, "index": int64(i),
				"object": "discount"}
			if d.Type == "percentage" {
				do["percentage"] = d.Percentage
			} else {
				do["amount"], do["currency_code"] = d.Amount, d.CurrencyCode
			}
			if d.DurationType == "limited_period" {
				do["period"], do["period_unit"] = d.Period, d.PeriodUnit
			}
			do.opt("invoice_name", d.InvoiceName)
			do.opt("item_price_id", d.ItemPriceID)
			do.opt("coupon_id", d.CouponID)
			do.opt("apply_till", d.ApplyTill)
			ds = append(ds, do)
		}
		o["discounts"] = ds
	}
	o.stamps(sub.Stamps)
	return o
}

func (s *Server) renderInvoice(in *Invoice) obj {
	o := obj{"id": in.ID, "customer_id": in.CustomerID, "recurring": in.Recurring, "status": in.Status,
		"price_type": "tax_exclusive", "date": in.Date, "net_term_days": int64(0), "exchange_rate": 1.0,
		"total": in.Total, "amount_paid": in.AmountPaid, "amount_adjusted": int64(0), "write_off_amount": int64(0),
		"credits_applied": int64(0), "amount_due": in.AmountDue, "first_invoice": in.FirstInvoice,
		"amount_to_collect": in.AmountDue, "round_off_amount": int64(0), "has_advance_charges": false,
		"currency_code": in.CurrencyCode, "base_currency_code": in.CurrencyCode, "generated_at": in.Date,
		"is_gifted": false, "term_finalized": true, "channel": "web", "tax": in.Tax, "sub_total": in.SubTotal,
		"object": "invoice", "linked_payments": []obj{}, "dunning_attempts": []obj{}}
	o.opt("subscription_id", in.SubscriptionID)
	o.opt("due_date", in.DueDate)
	o.opt("paid_at", in.PaidAt)
	o.opt("voided_at", in.VoidedAt)
	if in.Status == "payment_due" || in.Status == "not_paid" {
		o["dunning_status"] = "in_progress"
	}
	o["line_items"] = s.renderLines(in.LineItems, in.CustomerID)
	if len(in.Discounts) > 0 {
		ds := make([]obj, 0, len(in.Discounts))
		for _, d := range in.Discounts {
			do := obj{"amount": d.Amount, "entity_type": d.EntityType, "object": "discount"}
			do.opt("description", d.Description)
			do.opt("entity_id", d.EntityID)
			ds = append(ds, do)
		}
		o["discounts"] = ds
	}
	o.stamps(in.Stamps)
	return o
}

func (s *Server) renderCreditNote(cn *CreditNote) obj {
	o := obj{"id": cn.ID, "customer_id": cn.CustomerID, "reference_invoice_id": cn.ReferenceInvoiceID,
		"type": cn.Type, "reason_code": cn.ReasonCode, "create_reason_code": cn.ReasonCode, "status": cn.Status,
		"date": cn.Date, "price_type": "tax_exclusive", "exchange_rate": 1.0, "total": cn.Total,
		"amount_allocated": cn.AmountAllocated, "amount_refunded": cn.AmountRefunded,
		"amount_available": cn.AmountAvailable, "generated_at": cn.Date, "channel": "web", "sub_total": cn.Total,
		"round_off_amount": int64(0), "fractional_correction": int64(0), "currency_code": cn.CurrencyCode,
		"base_currency_code": cn.CurrencyCode, "object": "credit_note",
		"line_items": []obj{{"id": "cnli_" + cn.ID, "date_from": cn.Date, "date_to": cn.Date, "unit_amount": cn.Total,
			"quantity": int64(1), "amount": cn.Total, "pricing_model": "flat_fee", "is_taxed": false,
			"tax_amount": int64(0), "customer_id": cn.CustomerID, "description": "Credit", "entity_type": "adhoc",
			"discount_amount": int64(0), "item_level_discount_amount": int64(0), "object": "line_item"}},
		"discounts": []obj{}, "taxes": []obj{}, "allocations": []obj{}}
	if len(cn.LineItems) > 0 {
		o["line_items"] = s.renderLines(cn.LineItems, cn.CustomerID)
	}
	o.opt("subscription_id", cn.SubscriptionID)
	o.opt("refunded_at", cn.RefundedAt)
	o.opt("voided_at", cn.VoidedAt)
	o.stamps(cn.Stamps)
	return o
}

// renderLines renders the line items of an invoice or a credit note of customer.
func (s *Server) renderLines(items []LineItem, customer string) []obj {
	lines := make([]obj, 0, len(items))
	for _, l := range items {
		lo := obj{"id": l.ID, "date_from": l.DateFrom, "date_to": l.DateTo, "unit_amount": l.UnitAmount,
			"quantity": l.Quantity, "amount": l.Amount, "pricing_model": l.PricingModel, "is_taxed": l.IsTaxed,
			"tax_amount": l.TaxAmount, "customer_id": customer, "description": l.Description,
			"entity_type": l.EntityType, "discount_amount": l.DiscountAmount,
			"item_level_discount_amount": l.ItemLevelDiscountAmount, "object": "line_item"}
		lo.opt("subscription_id", l.SubscriptionID)
		lo.opt("entity_id", l.EntityID)
		if l.Description == "" {
			lo["description"] = strings.ReplaceAll(l.EntityID, "-", " ")
		}
		lines = append(lines, s.drift("line_item", lo))
	}
	return lines
}
