package fake

// mutate.go: the Go API that seeds and changes the fake. Every create, update and delete
// stamps the resource with the clock (updated_at) and a fresh resource_version. Update
// functions receive a copy of the resource; they must not call back into the Server. Ids, stamps
// and creation times cannot be changed by an update.

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// now is the clock's time in unix seconds.
func (s *Server) now() int64 { return s.Clock.Now().Unix() }

func orDefault(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func orNow(s *Server, p *int64) {
	if *p == 0 {
		*p = s.now()
	}
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("chargebee fake: %s %q is not one of %s", field, v, strings.Join(allowed, ", "))
}

// ---- customers

func prepareCustomer(s *Server, c, old *Customer) error {
	if old == nil {
		if c.ID == "" {
			c.ID = opaqueID(s.st.count(kindCustomer))
		}
		orNow(s, &c.CreatedAt)
	} else {
		c.CreatedAt = old.CreatedAt
	}
	c.PreferredCurrencyCode = strings.ToUpper(c.PreferredCurrencyCode)
	orDefault(&c.AutoCollection, "on")
	orDefault(&c.Taxability, "taxable")
	if err := oneOf("auto_collection", c.AutoCollection, "on", "off"); err != nil {
		return err
	}
	return oneOf("taxability", c.Taxability, "taxable", "exempt")
}

// CreateCustomer adds a customer (ID and CreatedAt are filled when empty) and returns it.
func (s *Server) CreateCustomer(c Customer) (Customer, error) {
	return create(s, kindCustomer, c, prepareCustomer, func(c *Customer) int64 { return c.CreatedAt })
}

// UpdateCustomer changes a customer.
func (s *Server) UpdateCustomer(id string, f func(*Customer)) (Customer, error) {
	return update(s, kindCustomer, id, f, prepareCustomer)
}

// DeleteCustomer deletes a customer and, as Chargebee does, its subscriptions.
func (s *Server) DeleteCustomer(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.live(kindCustomer, id) == nil {
		return s.remove(kindCustomer, id, nil) // the right error
	}
	for _, rec := range s.st.all(kindSubscription) {
		sub := rec.obj.(*Subscription)
		if sub.CustomerID == id && !sub.Deleted {
			if err := s.remove(kindSubscription, sub.ID, nil); err != nil {
				return err
			}
		}
	}
	return s.remove(kindCustomer, id, nil)
}

// ---- catalog

func prepareItemFamily(s *Server, f, old *ItemFamily) error {
	if old == nil && f.ID == "" {
		base := slug(f.Name)
		if base == "" {
			base = fmt.Sprintf("family-%d", s.st.count(kindItemFamily))
		}
		f.ID = s.st.uniqueID(kindItemFamily, base)
	}
	orDefault(&f.Name, f.ID)
	orDefault(&f.Status, "active")
	return oneOf("item_family.status", f.Status, "active")
}

// CreateItemFamily adds an item family (ID from the name when empty).
func (s *Server) CreateItemFamily(f ItemFamily) (ItemFamily, error) {
	return create(s, kindItemFamily, f, prepareItemFamily, func(*ItemFamily) int64 { return s.now() })
}

// UpdateItemFamily changes an item family.
func (s *Server) UpdateItemFamily(id string, f func(*ItemFamily)) (ItemFamily, error) {
	return update(s, kindItemFamily, id, f, prepareItemFamily)
}

// DeleteItemFamily deletes an item family (status "deleted").
func (s *Server) DeleteItemFamily(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindItemFamily, id, func(o object) { o.(*ItemFamily).Status = "deleted" })
}

func prepareItem(s *Server, it, old *Item) error {
	if s.st.live(kindItemFamily, it.ItemFamilyID) == nil {
		return fmt.Errorf("chargebee fake: item %q: item family %q does not exist", it.Name, it.ItemFamilyID)
	}
	if old == nil && it.ID == "" {
		base := slug(it.Name)
		if base == "" {
			base = fmt.Sprintf("item-%d", s.st.count(kindItem))
		}
		it.ID = s.st.uniqueID(kindItem, base)
	}
	orDefault(&it.Name, it.ID)
	orDefault(&it.Type, "plan")
	orDefault(&it.Status, "active")
	if old != nil && it.Type != old.Type {
		return fmt.Errorf("chargebee fake: item %q: the type cannot change", it.ID)
	}
	if it.Status == "archived" && it.ArchivedAt == 0 {
		it.ArchivedAt = s.now()
	}
	if err := oneOf("item.type", it.Type, "plan", "addon", "charge"); err != nil {
		return err
	}
	return oneOf("item.status", it.Status, "active", "archived")
}

// CreateItem adds an item of an existing item family (ID from the name when empty).
func (s *Server) CreateItem(it Item) (Item, error) {
	return create(s, kindItem, it, prepareItem, func(*Item) int64 { return s.now() })
}

// UpdateItem changes an item (its type is fixed).
func (s *Server) UpdateItem(id string, f func(*Item)) (Item, error) {
	return update(s, kindItem, id, f, prepareItem)
}

// DeleteItem deletes an item (status "deleted").
func (s *Server) DeleteItem(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindItem, id, func(o object) { o.(*Item).Status = "deleted" })
}

func prepareItemPrice(s *Server, p, old *ItemPrice) error {
	rec := s.st.live(kindItem, p.ItemID)
	if rec == nil {
		return fmt.Errorf("chargebee fake: item price %q: item %q does not exist", p.ID, p.ItemID)
	}
	it := rec.obj.(*Item)
	p.ItemFamilyID, p.ItemType = it.ItemFamilyID, it.Type
	p.CurrencyCode = strings.ToUpper(p.CurrencyCode)
	if p.CurrencyCode == "" {
		return fmt.Errorf("chargebee fake: item price of %q: a currency code is required", p.ItemID)
	}
	orDefault(&p.PricingModel, "per_unit")
	orDefault(&p.Status, "active")
	if p.ItemType == "charge" {
		p.Period, p.PeriodUnit = 0, ""
	} else {
		if p.Period == 0 {
			p.Period = 1
		}
		orDefault(&p.PeriodUnit, "month")
		if err := oneOf("item_price.period_unit", p.PeriodUnit, "day", "week", "month", "year"); err != nil {
			return err
		}
	}
	if old == nil {
		orNow(s, &p.CreatedAt)
		if p.ID == "" {
			p.ID = s.st.uniqueID(kindItemPrice, fmt.Sprintf("%s-%s-%s", p.ItemID, p.CurrencyCode, periodName(p.Period, p.PeriodUnit)))
		}
	} else {
		p.CreatedAt = old.CreatedAt
		if p.CurrencyCode != old.CurrencyCode || p.Period != old.Period || p.PeriodUnit != old.PeriodUnit || p.ItemID != old.ItemID {
			return fmt.Errorf("chargebee fake: item price %q: item, currency and period cannot change", p.ID)
		}
	}
	if p.Status == "archived" && p.ArchivedAt == 0 {
		p.ArchivedAt = s.now()
	}
	if err := oneOf("item_price.pricing_model", p.PricingModel, "flat_fee", "per_unit", "tiered", "volume", "stairstep"); err != nil {
		return err
	}
	return oneOf("item_price.status", p.Status, "active", "archived")
}

func periodName(n int64, unit string) string {
	if unit == "" {
		return "Charge"
	}
	if n == 1 {
		return map[string]string{"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Yearly"}[unit]
	}
	return fmt.Sprintf("Every-%d-%s", n, unit)
}

// CreateItemPrice adds a price of an existing item (ID "<item>-<CUR>-<Monthly…>" when empty).
func (s *Server) CreateItemPrice(p ItemPrice) (ItemPrice, error) {
	return create(s, kindItemPrice, p, prepareItemPrice, func(p *ItemPrice) int64 { return p.CreatedAt })
}

// UpdateItemPrice changes an item price (its item, currency and period are fixed).
func (s *Server) UpdateItemPrice(id string, f func(*ItemPrice)) (ItemPrice, error) {
	return update(s, kindItemPrice, id, f, prepareItemPrice)
}

// DeleteItemPrice deletes an item price (status "deleted").
func (s *Server) DeleteItemPrice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindItemPrice, id, func(o object) { o.(*ItemPrice).Status = "deleted" })
}

func prepareCoupon(s *Server, c, old *Coupon) error {
	if old == nil {
		orNow(s, &c.CreatedAt)
		if c.ID == "" {
			base := strings.ToUpper(slug(c.Name))
			if base == "" {
				base = fmt.Sprintf("COUPON-%d", s.st.count(kindCoupon))
			}
			c.ID = s.st.uniqueID(kindCoupon, base)
		}
	} else {
		c.CreatedAt = old.CreatedAt
	}
	orDefault(&c.Name, c.ID)
	if c.DiscountType == "" {
		c.DiscountType = "fixed_amount"
		if c.DiscountPercentage > 0 {
			c.DiscountType = "percentage"
		}
	}
	c.CurrencyCode = strings.ToUpper(c.CurrencyCode)
	if c.DiscountType == "fixed_amount" && c.CurrencyCode == "" {
		return fmt.Errorf("chargebee fake: coupon %q: a fixed amount needs a currency code", c.ID)
	}
	orDefault(&c.DurationType, "forever")
	orDefault(&c.ApplyOn, "invoice_amount")
	orDefault(&c.Status, "active")
	if c.Status == "archived" && c.ArchivedAt == 0 {
		c.ArchivedAt = s.now()
	}
	for _, e := range []error{
		oneOf("coupon.discount_type", c.DiscountType, "percentage", "fixed_amount"),
		oneOf("coupon.duration_type", c.DurationType, "one_time", "forever", "limited_period"),
		oneOf("coupon.apply_on", c.ApplyOn, "invoice_amount", "each_specified_item"),
		oneOf("coupon.status", c.Status, "active", "expired", "archived"),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// CreateCoupon adds a coupon (ID from the name, upper case, when empty).
func (s *Server) CreateCoupon(c Coupon) (Coupon, error) {
	return create(s, kindCoupon, c, prepareCoupon, func(c *Coupon) int64 { return c.CreatedAt })
}

// UpdateCoupon changes a coupon.
func (s *Server) UpdateCoupon(id string, f func(*Coupon)) (Coupon, error) {
	return update(s, kindCoupon, id, f, prepareCoupon)
}

// DeleteCoupon deletes a coupon (status "deleted").
func (s *Server) DeleteCoupon(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindCoupon, id, func(o object) { o.(*Coupon).Status = "deleted" })
}

// ---- subscriptions

// monthsPer is how many months one billing period of n units lasts.
func monthsPer(n int64, unit string) float64 {
	switch unit {
	case "day":
		return float64(n) * 12 / 365
	case "week":
		return float64(n) * 12 / 52
	case "year":
		return float64(n) * 12
	}
	return float64(n)
}

// termEnd is start plus one billing period (months are calendar months).
func termEnd(start, n int64, unit string) int64 {
	switch unit {
	case "day":
		return start + n*86400
	case "week":
		return start + n*7*86400
	case "year":
		n *= 12
	}
	return unixAddMonths(start, int(n))
}

func prepareSubscription(s *Server, sub, old *Subscription) error {
	if rec := s.st.live(kindCustomer, sub.CustomerID); rec == nil && (old == nil || sub.CustomerID != old.CustomerID) {
		return fmt.Errorf("chargebee fake: subscription: customer %q does not exist", sub.CustomerID)
	}
	if old == nil {
		if sub.ID == "" {
			sub.ID = opaqueID(s.st.count(kindSubscription) + 1_000_000)
		}
		orNow(s, &sub.CreatedAt)
	} else {
		sub.CreatedAt = old.CreatedAt
	}
	if len(sub.Items) == 0 {
		return fmt.Errorf("chargebee fake: subscription %q has no items", sub.ID)
	}
	var plan *SubscriptionItem
	seen := map[string]bool{}
	for i := range sub.Items {
		it := &sub.Items[i]
		rec := s.st.live(kindItemPrice, it.ItemPriceID)
		if rec == nil {
			return fmt.Errorf("chargebee fake: subscription %q: item price %q does not exist", sub.ID, it.ItemPriceID)
		}
		if seen[it.ItemPriceID] {
			return fmt.Errorf("chargebee fake: subscription %q: item price %q is listed twice", sub.ID, it.ItemPriceID)
		}
		seen[it.ItemPriceID] = true
		p := rec.obj.(*ItemPrice)
		it.ItemType, it.BillingPeriod, it.BillingPeriodUnit = p.ItemType, p.Period, p.PeriodUnit
		if it.Quantity == 0 {
			it.Quantity = 1
		}
		if it.UnitPrice == 0 {
			it.UnitPrice = p.Price
		}
		it.Amount = it.UnitPrice * it.Quantity
		if p.PricingModel == "flat_fee" {
			it.Amount = it.UnitPrice
		}
		if sub.CurrencyCode == "" {
			sub.CurrencyCode = p.CurrencyCode
		}
		if p.CurrencyCode != strings.ToUpper(sub.CurrencyCode) {
			return fmt.Errorf("chargebee fake: subscription %q: item price %q is in %s, the subscription in %s", sub.ID, p.ID, p.CurrencyCode, sub.CurrencyCode)
		}
		if it.ItemType == "plan" {
			if plan != nil {
				return fmt.Errorf("chargebee fake: subscription %q has two plan item prices", sub.ID)
			}
			plan = it
		}
	}
	if plan == nil {
		return fmt.Errorf("chargebee fake: subscription %q has no plan item price", sub.ID)
	}
	sub.CurrencyCode = strings.ToUpper(sub.CurrencyCode)
	sub.BillingPeriod, sub.BillingPeriodUnit = plan.BillingPeriod, plan.BillingPeriodUnit
	for _, c := range sub.Coupons {
		if s.st.get(kindCoupon, c.CouponID) == nil {
			return fmt.Errorf("chargebee fake: subscription %q: coupon %q does not exist", sub.ID, c.CouponID)
		}
	}
	for i := range sub.Discounts {
		d := &sub.Discounts[i]
		if d.ID == "" {
			d.ID = "disc_" + opaqueID(s.st.count("discount")+2_000_000)
		}
		if d.Type == "" {
			d.Type = "fixed_amount"
			if d.Percentage > 0 {
				d.Type = "percentage"
			}
		}
		if d.Type == "fixed_amount" && d.CurrencyCode == "" {
			d.CurrencyCode = sub.CurrencyCode
		}
		orDefault(&d.DurationType, "forever")
		orDefault(&d.ApplyOn, "invoice_amount")
		orNow(s, &d.CreatedAt)
		if err := oneOf("discount.type", d.Type, "percentage", "fixed_amount"); err != nil {
			return err
		}
	}
	orDefault(&sub.Status, "active")
	if err := oneOf("subscription.status", sub.Status, "future", "in_trial", "active", "non_renewing", "paused", "cancelled"); err != nil {
		return err
	}
	switch sub.Status {
	case "future":
		if sub.StartDate == 0 {
			sub.StartDate = sub.CreatedAt + 7*86400
		}
	case "in_trial":
		if sub.TrialStart == 0 {
			sub.TrialStart = sub.CreatedAt
		}
		if sub.TrialEnd == 0 {
			sub.TrialEnd = sub.TrialStart + 14*86400
		}
		if sub.StartedAt == 0 {
			sub.StartedAt = sub.TrialStart
		}
		sub.CurrentTermStart, sub.CurrentTermEnd = sub.TrialStart, sub.TrialEnd
	default:
		if sub.StartedAt == 0 {
			sub.StartedAt = sub.CreatedAt
		}
		if sub.ActivatedAt == 0 {
			sub.ActivatedAt = sub.StartedAt
			if sub.TrialEnd != 0 {
				sub.ActivatedAt = sub.TrialEnd
			}
		}
		if sub.CurrentTermStart == 0 {
			sub.CurrentTermStart = sub.ActivatedAt
		}
		if sub.CurrentTermEnd == 0 || sub.CurrentTermEnd <= sub.CurrentTermStart {
			sub.CurrentTermEnd = termEnd(sub.CurrentTermStart, sub.BillingPeriod, sub.BillingPeriodUnit)
		}
	}
	switch sub.Status {
	case "active", "in_trial":
		sub.NextBillingAt = sub.CurrentTermEnd
	default:
		sub.NextBillingAt = 0
	}
	if sub.Status == "cancelled" {
		if sub.CancelledAt == 0 {
			sub.CancelledAt = s.now()
		}
		orDefault(&sub.CancelReason, "not_paid")
		sub.CurrentTermStart, sub.CurrentTermEnd = 0, 0
	}
	if sub.Status == "paused" && sub.PauseDate == 0 {
		sub.PauseDate = s.now()
	}
	sub.MRR = mrrOf(sub)
	return nil
}

// mrrOf is the fake's MRR rule (see Subscription.MRR).
func mrrOf(sub *Subscription) int64 {
	if sub.Status != "active" && sub.Status != "non_renewing" {
		return 0
	}
	var gross float64
	for _, it := range sub.Items {
		if it.ItemType == "charge" || it.BillingPeriodUnit == "" {
			continue
		}
		gross += float64(it.Amount) / monthsPer(it.BillingPeriod, it.BillingPeriodUnit)
	}
	net := gross
	for _, d := range sub.Discounts {
		if !d.IncludedInMRR {
			continue
		}
		switch d.Type {
		case "percentage":
			net -= gross * d.Percentage / 100
		case "fixed_amount":
			net -= float64(d.Amount) / monthsPer(sub.BillingPeriod, sub.BillingPeriodUnit)
		}
	}
	return int64(math.Round(math.Max(net, 0)))
}

// CreateSubscription adds a subscription of an existing customer. Items need existing item
// prices (exactly one plan, all in one currency); see Subscription for the defaults.
func (s *Server) CreateSubscription(sub Subscription) (Subscription, error) {
	return create(s, kindSubscription, sub, prepareSubscription, func(sub *Subscription) int64 { return sub.CreatedAt })
}

// UpdateSubscription changes a subscription: items, quantities, coupons, discounts, status …
func (s *Server) UpdateSubscription(id string, f func(*Subscription)) (Subscription, error) {
	return update(s, kindSubscription, id, f, prepareSubscription)
}

// CancelSubscription cancels a subscription now with reason ("" : not_paid).
func (s *Server) CancelSubscription(id, reason string) (Subscription, error) {
	return s.UpdateSubscription(id, func(sub *Subscription) {
		sub.Status, sub.CancelledAt, sub.CancelReason = "cancelled", 0, reason
	})
}

// DeleteSubscription deletes a subscription.
func (s *Server) DeleteSubscription(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindSubscription, id, nil)
}

// ---- invoices and credit notes

func prepareInvoice(s *Server, in, old *Invoice) error {
	if s.st.get(kindCustomer, in.CustomerID) == nil {
		return fmt.Errorf("chargebee fake: invoice: customer %q does not exist", in.CustomerID)
	}
	var sub *Subscription
	if in.SubscriptionID != "" {
		rec := s.st.get(kindSubscription, in.SubscriptionID)
		if rec == nil {
			return fmt.Errorf("chargebee fake: invoice: subscription %q does not exist", in.SubscriptionID)
		}
		sub = rec.obj.(*Subscription)
	}
	if old == nil {
		if in.ID == "" {
			in.ID = fmt.Sprint(1000 + s.st.count(kindInvoice))
		}
		orNow(s, &in.Date)
	}
	if in.CurrencyCode == "" && sub != nil {
		in.CurrencyCode = sub.CurrencyCode
	}
	if in.CurrencyCode == "" {
		in.CurrencyCode = s.st.get(kindCustomer, in.CustomerID).obj.(*Customer).PreferredCurrencyCode
	}
	in.CurrencyCode = strings.ToUpper(in.CurrencyCode)
	if in.CurrencyCode == "" {
		return fmt.Errorf("chargebee fake: invoice %q: no currency code", in.ID)
	}
	in.Recurring = in.SubscriptionID != ""
	orDefault(&in.Status, "paid")
	if err := oneOf("invoice.status", in.Status, "paid", "posted", "payment_due", "not_paid", "voided", "pending"); err != nil {
		return err
	}
	in.SubTotal, in.Tax = 0, 0
	var discounts int64
	if err := s.fillLines(in.LineItems, "invoice", in.ID, "li_", "line_item", 3_000_000, in.SubscriptionID, in.Date); err != nil {
		return err
	}
	for i := range in.LineItems {
		l := &in.LineItems[i]
		in.SubTotal += l.Amount
		in.Tax += l.TaxAmount
		discounts += l.DiscountAmount + l.ItemLevelDiscountAmount
	}
	for i := range in.Discounts {
		orDefault(&in.Discounts[i].EntityType, "document_level_coupon")
		discounts += in.Discounts[i].Amount
	}
	in.Total = in.SubTotal - discounts + in.Tax
	in.AmountPaid, in.AmountDue = 0, 0
	switch in.Status {
	case "paid":
		in.AmountPaid = in.Total
		if in.PaidAt == 0 {
			in.PaidAt = in.Date
		}
	case "payment_due", "not_paid", "posted":
		in.AmountDue = in.Total
	case "voided":
		if in.VoidedAt == 0 {
			in.VoidedAt = s.now()
		}
	}
	return nil
}

// CreateInvoice adds an invoice with its line items (ID a number from 1001 when empty); the
// totals are computed (see Invoice).
func (s *Server) CreateInvoice(in Invoice) (Invoice, error) {
	return create(s, kindInvoice, in, prepareInvoice, func(in *Invoice) int64 { return in.Date })
}

// UpdateInvoice changes an invoice (status, lines, …); the totals are recomputed.
func (s *Server) UpdateInvoice(id string, f func(*Invoice)) (Invoice, error) {
	return update(s, kindInvoice, id, f, prepareInvoice)
}

// VoidInvoice voids an invoice now.
func (s *Server) VoidInvoice(id string) (Invoice, error) {
	return s.UpdateInvoice(id, func(in *Invoice) { in.Status, in.VoidedAt = "voided", 0 })
}

// DeleteInvoice deletes an invoice.
func (s *Server) DeleteInvoice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindInvoice, id, nil)
}

func prepareCreditNote(s *Server, cn, old *CreditNote) error {
	rec := s.st.get(kindInvoice, cn.ReferenceInvoiceID)
	if rec == nil {
		return fmt.Errorf("chargebee fake: credit note: invoice %q does not exist", cn.ReferenceInvoiceID)
	}
	in := rec.obj.(*Invoice)
	orDefault(&cn.CustomerID, in.CustomerID)
	orDefault(&cn.SubscriptionID, in.SubscriptionID)
	orDefault(&cn.CurrencyCode, in.CurrencyCode)
	cn.CurrencyCode = strings.ToUpper(cn.CurrencyCode)
	if old == nil {
		if cn.ID == "" {
			cn.ID = fmt.Sprintf("CN-%d", s.st.count(kindCreditNote))
		}
		orNow(s, &cn.Date)
	}
	if err := s.fillLines(cn.LineItems, "credit note", cn.ID, "cnli_", "credit_note_line_item", 4_000_000, cn.SubscriptionID, cn.Date); err != nil {
		return err
	}
	if len(cn.LineItems) > 0 {
		cn.Total = 0
	}
	for i := range cn.LineItems {
		l := &cn.LineItems[i]
		cn.Total += l.Amount + l.TaxAmount
	}
	orDefault(&cn.Type, "refundable")
	orDefault(&cn.ReasonCode, "order_change")
	if cn.Status == "" {
		cn.Status = "refund_due"
		if cn.Type == "adjustment" {
			cn.Status = "adjusted"
		}
	}
	if err := oneOf("credit_note.type", cn.Type, "refundable", "adjustment"); err != nil {
		return err
	}
	if err := oneOf("credit_note.status", cn.Status, "refunded", "refund_due", "adjusted", "voided"); err != nil {
		return err
	}
	cn.AmountAllocated, cn.AmountRefunded, cn.AmountAvailable = 0, 0, 0
	switch cn.Status {
	case "refunded":
		cn.AmountRefunded = cn.Total
		if cn.RefundedAt == 0 {
			cn.RefundedAt = cn.Date
		}
	case "refund_due":
		cn.AmountAvailable = cn.Total
	case "adjusted":
		cn.AmountAllocated = cn.Total
	case "voided":
		if cn.VoidedAt == 0 {
			cn.VoidedAt = s.now()
		}
	}
	return nil
}

// CreateCreditNote adds a credit note against an existing invoice (ID "CN-n" when empty), with
// its line items (see CreditNote).
func (s *Server) CreateCreditNote(cn CreditNote) (CreditNote, error) {
	return create(s, kindCreditNote, cn, prepareCreditNote, func(cn *CreditNote) int64 { return cn.Date })
}

// UpdateCreditNote changes a credit note.
func (s *Server) UpdateCreditNote(id string, f func(*CreditNote)) (CreditNote, error) {
	return update(s, kindCreditNote, id, f, prepareCreditNote)
}

// DeleteCreditNote deletes a credit note.
func (s *Server) DeleteCreditNote(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindCreditNote, id, nil)
}

// unixAddMonths adds calendar months to a unix time (UTC).
func unixAddMonths(t int64, n int) int64 {
	return time.Unix(t, 0).UTC().AddDate(0, n, 0).Unix()
}

// fillLines fills the defaults of a document's lines: an ID (prefix and a counter of kind,
// from base) where empty, quantity 1, amount = unit amount × quantity, the entity type from the
// item price, per_unit pricing, the document's subscription and date. A repeated ID is an error.
func (s *Server) fillLines(lines []LineItem, doc, docID, prefix, kind string, base int64, subID string, date int64) error {
	seen := map[string]bool{}
	for i := range lines {
		l := &lines[i]
		if l.ID == "" {
			l.ID = prefix + opaqueID(s.st.count(kind)+base)
		}
		if seen[l.ID] {
			return fmt.Errorf("chargebee fake: %s %q: line item %q is listed twice", doc, docID, l.ID)
		}
		seen[l.ID] = true
		if l.Quantity == 0 {
			l.Quantity = 1
		}
		if l.Amount == 0 {
			l.Amount = l.UnitAmount * l.Quantity
		}
		if l.EntityType == "" {
			l.EntityType = "adhoc"
			if rec := s.st.get(kindItemPrice, l.EntityID); rec != nil {
				l.EntityType = rec.obj.(*ItemPrice).ItemType + "_item_price"
			}
		}
		orDefault(&l.PricingModel, "per_unit")
		orDefault(&l.SubscriptionID, subID)
		if l.DateFrom == 0 {
			l.DateFrom = date
		}
		if l.DateTo == 0 {
			l.DateTo = l.DateFrom
		}
	}
	return nil
}
