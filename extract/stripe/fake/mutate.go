package fake

// mutate.go: the Go API that seeds and changes the fake. Every change records the event Stripe
// would (type, data.object rendered in the account's API version, previous_attributes on
// *.updated), stamped with the clock. Update functions receive a copy of the object; they must
// not call back into the Server.

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// recordEvent appends an event of typ with the object's current render; prev, when non-nil, is
// the render before the change (for previous_attributes). Callers hold mu.
func (s *Server) recordEvent(typ string, object, prev obj) {
	ev := &event{typ: typ, created: s.now(), apiVersion: s.version}
	ev.id = s.st.newID("event")
	ev.seq = s.st.seq
	ev.object, _ = json.Marshal(object)
	if prev != nil {
		ev.previous, _ = json.Marshal(diff(prev, object))
	}
	ev.requestID = "req_" + scramble(ev.seq, 7, 7, idAlphabet)
	s.st.events = append(s.st.events, ev)
	s.pruneEvents()
}

// pruneEvents drops the events older than the retention; callers hold mu.
func (s *Server) pruneEvents() {
	cutoff := s.Clock.Now().Add(-s.opts.EventRetention).Unix()
	i := 0
	for i < len(s.st.events) && s.st.events[i].created < cutoff {
		i++
	}
	if i > 0 {
		s.st.events = append([]*event(nil), s.st.events[i:]...)
	}
}

// eventRenderer renders in the account's version (what events carry); callers hold mu.
func (s *Server) eventRenderer() *renderer { return s.renderer(s.version) }

// create stores a new object and records "<prefix>.created".
func (s *Server) create(kind, id string, created int64, o any, typ string) error {
	if _, dup := s.st.byID[id]; dup {
		return fmt.Errorf("stripe fake: %s %q already exists", kind, id)
	}
	rec := s.st.put(kind, id, created, o)
	s.recordEvent(typ, s.eventRenderer().render(rec), nil)
	return nil
}

// update applies change to the live record of kind and id and records typ with the
// previous attributes (nothing when the render did not change). extra events (e.g.
// invoice.paid) follow with the same snapshot.
func (s *Server) update(kind, id, typ string, change func(rec *record) ([]string, error)) error {
	rec := s.st.get(kind, id)
	if rec == nil {
		return notFound(kind, id)
	}
	rd := s.eventRenderer()
	before := rd.render(rec)
	extra, err := change(rec)
	if err != nil {
		return err
	}
	after := rd.render(rec)
	if len(diff(before, after)) == 0 {
		return nil
	}
	s.recordEvent(typ, after, before)
	for _, t := range extra {
		s.recordEvent(t, after, nil)
	}
	return nil
}

// remove marks the record deleted and records typ with its last state.
func (s *Server) remove(kind, id, typ string) error {
	rec := s.st.get(kind, id)
	if rec == nil {
		return notFound(kind, id)
	}
	last := s.eventRenderer().render(rec)
	rec.deleted = true
	s.recordEvent(typ, last, nil)
	return nil
}

func (s *Server) stamp(created *int64) {
	if *created == 0 {
		*created = s.now()
	}
}

// CreateCustomer adds a customer (ID and Created are filled when empty) and returns it.
func (s *Server) CreateCustomer(c Customer) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = c.clone()
	if c.ID == "" {
		c.ID = s.st.newID(kindCustomer)
	}
	s.stamp(&c.Created)
	if err := s.create(kindCustomer, c.ID, c.Created, &c, "customer.created"); err != nil {
		return Customer{}, err
	}
	return c.clone(), nil
}

// UpdateCustomer changes a customer (customer.updated).
func (s *Server) UpdateCustomer(id string, f func(*Customer)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindCustomer, id, "customer.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Customer)
		c := cur.clone()
		f(&c)
		c.ID, c.Created = cur.ID, cur.Created
		*cur = c
		return nil, nil
	})
}

// DeleteCustomer deletes a customer as Stripe does: its live subscriptions are canceled at once
// (customer.subscription.deleted), its customer-level discount removed, then customer.deleted.
// Retrieving it afterwards returns {"id":…,"object":"customer","deleted":true}.
func (s *Server) DeleteCustomer(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.get(kindCustomer, id) == nil {
		return notFound(kindCustomer, id)
	}
	for _, rec := range s.st.all(kindSubscription) {
		sub := rec.obj.(*Subscription)
		if sub.Customer == id && sub.Status != "canceled" && sub.Status != "incomplete_expired" {
			if err := s.cancel(sub.ID, "cancellation_requested"); err != nil {
				return err
			}
		}
	}
	if d := s.st.customerDiscount(id); d != nil {
		if err := s.removeDiscount(d.ID); err != nil {
			return err
		}
	}
	return s.remove(kindCustomer, id, "customer.deleted")
}

// CreateProduct adds a product.
func (s *Server) CreateProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p = p.clone()
	if p.ID == "" {
		p.ID = s.st.newID(kindProduct)
	}
	s.stamp(&p.Created)
	p.Updated = p.Created
	if err := s.create(kindProduct, p.ID, p.Created, &p, "product.created"); err != nil {
		return Product{}, err
	}
	return p.clone(), nil
}

// UpdateProduct changes a product (product.updated); Updated is set to the clock.
func (s *Server) UpdateProduct(id string, f func(*Product)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindProduct, id, "product.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Product)
		p := cur.clone()
		f(&p)
		p.ID, p.Created, p.Updated = cur.ID, cur.Created, s.now()
		*cur = p
		return nil, nil
	})
}

// DeleteProduct deletes a product (product.deleted); later retrieves are 404.
func (s *Server) DeleteProduct(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindProduct, id, "product.deleted")
}

func normalizePrice(p *Price) error {
	if p.Type == "" {
		p.Type = "recurring"
	}
	if p.Currency == "" {
		p.Currency = "usd"
	}
	if p.BillingScheme == "" {
		p.BillingScheme = "per_unit"
	}
	switch p.Type {
	case "recurring":
		if p.Interval == "" {
			p.Interval = "month"
		}
		if p.IntervalCount == 0 {
			p.IntervalCount = 1
		}
		if p.UsageType == "" {
			p.UsageType = "licensed"
		}
	case "one_time":
		p.Interval, p.IntervalCount, p.UsageType = "", 0, ""
	default:
		return fmt.Errorf("stripe fake: price type %q: want recurring or one_time", p.Type)
	}
	return nil
}

// CreatePrice adds a price of an existing product.
func (s *Server) CreatePrice(p Price) (Price, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p = p.clone()
	if s.st.get(kindProduct, p.Product) == nil {
		return Price{}, notFound(kindProduct, p.Product)
	}
	if err := normalizePrice(&p); err != nil {
		return Price{}, err
	}
	if p.ID == "" {
		p.ID = s.st.newID(kindPrice)
	}
	s.stamp(&p.Created)
	if err := s.create(kindPrice, p.ID, p.Created, &p, "price.created"); err != nil {
		return Price{}, err
	}
	return p.clone(), nil
}

// UpdatePrice changes a price's mutable fields (Archived, Nickname, LookupKey, Metadata) with
// price.updated; changing another field is an error, as in Stripe.
func (s *Server) UpdatePrice(id string, f func(*Price)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindPrice, id, "price.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Price)
		p := cur.clone()
		f(&p)
		mutable := p
		mutable.Archived, mutable.Nickname, mutable.LookupKey, mutable.Metadata = cur.Archived, cur.Nickname, cur.LookupKey, cur.Metadata
		if fmt.Sprint(mutable) != fmt.Sprint(*cur) {
			return nil, errors.New("stripe fake: only archived, nickname, lookup_key and metadata of a price can change")
		}
		*cur = p
		return nil, nil
	})
}

// DeletePrice deletes a price (price.deleted); items that use it keep rendering it.
func (s *Server) DeletePrice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindPrice, id, "price.deleted")
}

// CreateCoupon adds a coupon (Duration defaults to forever).
func (s *Server) CreateCoupon(c Coupon) (Coupon, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = c.clone()
	if c.Duration == "" {
		c.Duration = "forever"
	}
	if (c.PercentOff == 0) == (c.AmountOff == 0) {
		return Coupon{}, errors.New("stripe fake: a coupon needs exactly one of PercentOff and AmountOff")
	}
	if c.AmountOff != 0 && c.Currency == "" {
		return Coupon{}, errors.New("stripe fake: a coupon with AmountOff needs a Currency")
	}
	if c.ID == "" {
		c.ID = s.st.newID(kindCoupon)
	}
	s.stamp(&c.Created)
	if err := s.create(kindCoupon, c.ID, c.Created, &c, "coupon.created"); err != nil {
		return Coupon{}, err
	}
	return c.clone(), nil
}

// UpdateCoupon changes a coupon's Name, Metadata, Expired or TimesRedeemed (coupon.updated).
func (s *Server) UpdateCoupon(id string, f func(*Coupon)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindCoupon, id, "coupon.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Coupon)
		c := cur.clone()
		f(&c)
		fixed := c
		fixed.Name, fixed.Metadata, fixed.Expired, fixed.TimesRedeemed = cur.Name, cur.Metadata, cur.Expired, cur.TimesRedeemed
		if fmt.Sprint(fixed) != fmt.Sprint(*cur) {
			return nil, errors.New("stripe fake: only name, metadata, expired and times_redeemed of a coupon can change")
		}
		*cur = c
		return nil, nil
	})
}

// DeleteCoupon deletes a coupon (coupon.deleted); discounts that use it stay.
func (s *Server) DeleteCoupon(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(kindCoupon, id, "coupon.deleted")
}

// addInterval returns t moved by n intervals.
func addInterval(t int64, interval string, n int64) int64 {
	tm := time.Unix(t, 0).UTC()
	switch interval {
	case "day":
		tm = tm.AddDate(0, 0, int(n))
	case "week":
		tm = tm.AddDate(0, 0, 7*int(n))
	case "year":
		tm = tm.AddDate(int(n), 0, 0)
	default:
		tm = tm.AddDate(0, int(n), 0)
	}
	return tm.Unix()
}

// normalizeSub fills a subscription's defaults and checks its references; callers hold mu.
func (s *Server) normalizeSub(sub *Subscription, now int64) error {
	if s.st.get(kindCustomer, sub.Customer) == nil {
		return notFound(kindCustomer, sub.Customer)
	}
	if len(sub.Items) == 0 {
		return errors.New("stripe fake: a subscription needs at least one item")
	}
	if sub.Status == "" {
		sub.Status = "active"
	}
	if sub.CollectionMethod == "" {
		sub.CollectionMethod = "charge_automatically"
	}
	if sub.StartDate == 0 {
		sub.StartDate = sub.Created
	}
	if sub.BillingCycleAnchor == 0 {
		sub.BillingCycleAnchor = sub.StartDate
	}
	seen := map[string]bool{}
	for i := range sub.Items {
		it := &sub.Items[i]
		rec := s.st.byID[it.Price]
		if rec == nil || rec.kind != kindPrice {
			return notFound(kindPrice, it.Price)
		}
		p := rec.obj.(*Price)
		if p.Type != "recurring" {
			return fmt.Errorf("stripe fake: price %s is not recurring", p.ID)
		}
		if seen[it.Price] {
			return fmt.Errorf("stripe fake: price %s is used by two items of one subscription", p.ID)
		}
		seen[it.Price] = true
		if it.ID == "" {
			it.ID = s.st.newID("subscription_item")
		}
		if it.Quantity == 0 && p.UsageType != "metered" {
			it.Quantity = 1
		}
		if it.Created == 0 {
			it.Created = now
		}
		if it.CurrentPeriodStart == 0 {
			it.CurrentPeriodStart = sub.BillingCycleAnchor
		}
		if it.CurrentPeriodEnd == 0 {
			it.CurrentPeriodEnd = addInterval(it.CurrentPeriodStart, p.Interval, p.IntervalCount)
		}
		if sub.Currency == "" {
			sub.Currency = p.Currency
		}
		if p.Currency != sub.Currency {
			return fmt.Errorf("stripe fake: price %s is in %s, the subscription in %s", p.ID, p.Currency, sub.Currency)
		}
	}
	return nil
}

// CreateSubscription adds a subscription with its items (customer.subscription.created). Item
// ids, quantities (1), creation times and billing periods are filled when empty.
func (s *Server) CreateSubscription(sub Subscription) (Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub = sub.clone()
	s.stamp(&sub.Created)
	for i := range sub.Items {
		if sub.Items[i].Created == 0 {
			sub.Items[i].Created = sub.Created
		}
	}
	if err := s.normalizeSub(&sub, sub.Created); err != nil {
		return Subscription{}, err
	}
	if sub.ID == "" {
		sub.ID = s.st.newID(kindSubscription)
	}
	if err := s.create(kindSubscription, sub.ID, sub.Created, &sub, "customer.subscription.created"); err != nil {
		return Subscription{}, err
	}
	return sub.clone(), nil
}

// UpdateSubscription changes a subscription (customer.subscription.updated): status, trial,
// cancel_at, quantities, items added (empty ID) or removed, periods. Discounts are managed by
// AddDiscount and RemoveDiscount.
func (s *Server) UpdateSubscription(id string, f func(*Subscription)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindSubscription, id, "customer.subscription.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Subscription)
		sub := cur.clone()
		f(&sub)
		sub.ID, sub.Created, sub.Discounts = cur.ID, cur.Created, cur.Discounts
		if err := s.normalizeSub(&sub, s.now()); err != nil {
			return nil, err
		}
		*cur = sub
		return nil, nil
	})
}

// CancelSubscription cancels a subscription now (customer.subscription.deleted): status
// canceled, canceled_at and ended_at set. The subscription stays listed with status=all.
func (s *Server) CancelSubscription(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel(id, "cancellation_requested")
}

func (s *Server) cancel(id, reason string) error {
	rec := s.st.get(kindSubscription, id)
	if rec == nil {
		return notFound(kindSubscription, id)
	}
	sub := rec.obj.(*Subscription)
	if sub.Status == "canceled" {
		return fmt.Errorf("stripe fake: subscription %s is already canceled", id)
	}
	rd := s.eventRenderer()
	before := rd.render(rec)
	now := s.now()
	sub.Status, sub.CanceledAt, sub.EndedAt, sub.CancellationReason = "canceled", now, now, reason
	s.recordEvent("customer.subscription.deleted", rd.render(rec), before)
	return nil
}

// customerDiscount is the customer-level discount of a customer, or nil.
func (st *store) customerDiscount(customer string) *Discount {
	for _, r := range st.byID {
		if r.kind != kindDiscount || r.deleted {
			continue
		}
		if d := r.obj.(*Discount); d.Customer == customer && d.Subscription == "" {
			return d
		}
	}
	return nil
}

// AddDiscount applies a coupon to a customer, a subscription or a subscription item
// (customer.discount.created, then the parent's *.updated). Set SubscriptionItem (with its
// Subscription), Subscription, or only Customer.
func (s *Server) AddDiscount(d Discount) (Discount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.get(kindCoupon, d.Coupon) == nil {
		return Discount{}, notFound(kindCoupon, d.Coupon)
	}
	if d.Start == 0 {
		d.Start = s.now()
	}
	if d.ID == "" {
		d.ID = s.st.newID(kindDiscount)
	}
	attach := func() (string, string, func(rec *record) ([]string, error), error) {
		if d.Subscription == "" {
			if s.st.get(kindCustomer, d.Customer) == nil {
				return "", "", nil, notFound(kindCustomer, d.Customer)
			}
			if s.st.customerDiscount(d.Customer) != nil {
				return "", "", nil, fmt.Errorf("stripe fake: customer %s already has a discount", d.Customer)
			}
			return kindCustomer, "customer.updated", func(*record) ([]string, error) { return nil, nil }, nil
		}
		rec := s.st.get(kindSubscription, d.Subscription)
		if rec == nil {
			return "", "", nil, notFound(kindSubscription, d.Subscription)
		}
		sub := rec.obj.(*Subscription)
		d.Customer = sub.Customer
		return kindSubscription, "customer.subscription.updated", func(*record) ([]string, error) {
			if d.SubscriptionItem == "" {
				sub.Discounts = append(sub.Discounts, d.ID)
				return nil, nil
			}
			for i := range sub.Items {
				if sub.Items[i].ID == d.SubscriptionItem {
					sub.Items[i].Discounts = append(sub.Items[i].Discounts, d.ID)
					return nil, nil
				}
			}
			return nil, notFound("subscription_item", d.SubscriptionItem)
		}, nil
	}
	kind, typ, change, err := attach()
	if err != nil {
		return Discount{}, err
	}
	parent := d.Subscription
	if kind == kindCustomer {
		parent = d.Customer
	}
	// The parent's render changes when the discount exists: store it first, then update.
	rd := s.eventRenderer()
	prec := s.st.get(kind, parent)
	before := rd.render(prec)
	if _, err := change(prec); err != nil {
		return Discount{}, err
	}
	dd := d
	rec := s.st.put(kindDiscount, d.ID, d.Start, &dd)
	s.recordEvent("customer.discount.created", rd.render(rec), nil)
	s.recordEvent(typ, rd.render(prec), before)
	return d, nil
}

// RemoveDiscount removes a discount (customer.discount.deleted, then the parent's *.updated).
func (s *Server) RemoveDiscount(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeDiscount(id)
}

func (s *Server) removeDiscount(id string) error {
	rec := s.st.get(kindDiscount, id)
	if rec == nil {
		return notFound(kindDiscount, id)
	}
	d := rec.obj.(*Discount)
	rd := s.eventRenderer()
	kind, parent, typ := kindCustomer, d.Customer, "customer.updated"
	if d.Subscription != "" {
		kind, parent, typ = kindSubscription, d.Subscription, "customer.subscription.updated"
	}
	prec := s.st.get(kind, parent)
	var before obj
	if prec != nil {
		before = rd.render(prec)
	}
	last := rd.render(rec)
	rec.deleted = true
	if prec != nil && kind == kindSubscription {
		sub := prec.obj.(*Subscription)
		sub.Discounts = without(sub.Discounts, id)
		for i := range sub.Items {
			sub.Items[i].Discounts = without(sub.Items[i].Discounts, id)
		}
	}
	last["end"] = nullInt(s.now())
	s.recordEvent("customer.discount.deleted", last, nil)
	if prec != nil {
		s.recordEvent(typ, rd.render(prec), before)
	}
	return nil
}

func without(ids []string, id string) []string {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// normalizeInvoice fills an invoice's defaults and derived amounts; callers hold mu.
func (s *Server) normalizeInvoice(in *Invoice) error {
	crec := s.st.byID[in.Customer]
	if crec == nil || crec.kind != kindCustomer {
		return notFound(kindCustomer, in.Customer)
	}
	if in.Subscription != "" && s.st.get(kindSubscription, in.Subscription) == nil {
		return notFound(kindSubscription, in.Subscription)
	}
	if in.Status == "" {
		in.Status = "paid"
	}
	if in.CollectionMethod == "" {
		in.CollectionMethod = "charge_automatically"
	}
	if in.BillingReason == "" {
		in.BillingReason = "manual"
		if in.Subscription != "" {
			in.BillingReason = "subscription_cycle"
		}
	}
	if in.PeriodStart == 0 {
		in.PeriodStart = in.Created
	}
	if in.PeriodEnd == 0 {
		in.PeriodEnd = in.PeriodStart
	}
	if in.Status != "draft" {
		if in.FinalizedAt == 0 {
			in.FinalizedAt = in.Created
		}
		if in.Number == "" {
			in.Number = fmt.Sprintf("F%s-%04d", in.ID[len(in.ID)-4:], len(in.Lines))
		}
	}
	if in.Status == "paid" && in.PaidAt == 0 {
		in.PaidAt = in.FinalizedAt
	}
	if in.Status == "void" && in.VoidedAt == 0 {
		in.VoidedAt = s.now()
	}
	in.Subtotal, in.TotalDiscountAmount = 0, 0
	for i := range in.Lines {
		l := &in.Lines[i]
		if l.ID == "" {
			l.ID = s.st.newID("line_item")
		}
		if l.Quantity == 0 {
			l.Quantity = 1
		}
		if l.PeriodStart == 0 && l.PeriodEnd == 0 {
			l.PeriodStart, l.PeriodEnd = in.PeriodStart, in.PeriodEnd
		}
		if l.Price != "" {
			prec := s.st.byID[l.Price]
			if prec == nil || prec.kind != kindPrice {
				return notFound(kindPrice, l.Price)
			}
			p := prec.obj.(*Price)
			if in.Currency == "" {
				in.Currency = p.Currency
			}
			if l.Amount == 0 {
				l.Amount = p.UnitAmount * l.Quantity
			}
		}
		if l.SubscriptionItem != "" && l.Subscription == "" {
			l.Subscription = in.Subscription
		}
		in.Subtotal += l.Amount
		for _, da := range l.DiscountAmounts {
			in.TotalDiscountAmount += da.Amount
		}
	}
	if in.Currency == "" {
		in.Currency = crec.obj.(*Customer).Currency
	}
	if in.Currency == "" {
		in.Currency = "usd"
	}
	in.Total = in.Subtotal - in.TotalDiscountAmount
	in.AmountDue = in.Total
	in.AmountPaid = 0
	if in.Status == "paid" {
		in.AmountPaid = in.Total
	}
	in.AmountRemaining = in.AmountDue - in.AmountPaid
	if in.Status == "void" || in.Status == "draft" {
		in.AmountRemaining = 0
	}
	return nil
}

// statusEvents are the events Stripe sends besides invoice.updated when an invoice's status
// changes.
func statusEvents(from, to string) []string {
	var out []string
	if from == "draft" && to != "draft" {
		out = append(out, "invoice.finalized")
	}
	switch {
	case to == from:
	case to == "paid":
		out = append(out, "invoice.paid")
	case to == "void":
		out = append(out, "invoice.voided")
	case to == "uncollectible":
		out = append(out, "invoice.marked_uncollectible")
	}
	return out
}

// CreateInvoice adds an invoice with its lines (invoice.created, then invoice.finalized and
// invoice.paid as its status implies). Line amounts default to the price's unit amount ×
// quantity; totals are derived.
func (s *Server) CreateInvoice(in Invoice) (Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in = in.clone()
	if in.ID == "" {
		in.ID = s.st.newID(kindInvoice)
	}
	s.stamp(&in.Created)
	if err := s.normalizeInvoice(&in); err != nil {
		return Invoice{}, err
	}
	if err := s.create(kindInvoice, in.ID, in.Created, &in, "invoice.created"); err != nil {
		return Invoice{}, err
	}
	snapshot := s.eventRenderer().render(s.st.byID[in.ID])
	for _, t := range statusEvents("draft", in.Status) {
		s.recordEvent(t, snapshot, nil)
	}
	return in.clone(), nil
}

// UpdateInvoice changes an invoice (invoice.updated, plus invoice.finalized, .paid, .voided or
// .marked_uncollectible on a status change). New lines (empty ID) get ids.
func (s *Server) UpdateInvoice(id string, f func(*Invoice)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindInvoice, id, "invoice.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*Invoice)
		in := cur.clone()
		f(&in)
		in.ID, in.Created = cur.ID, cur.Created
		if err := s.normalizeInvoice(&in); err != nil {
			return nil, err
		}
		extra := statusEvents(cur.Status, in.Status)
		*cur = in
		return extra, nil
	})
}

// DeleteInvoice deletes a draft invoice (invoice.deleted); others cannot be deleted.
func (s *Server) DeleteInvoice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.st.get(kindInvoice, id); rec != nil && rec.obj.(*Invoice).Status != "draft" {
		return fmt.Errorf("stripe fake: invoice %s is %s; only drafts can be deleted", id, rec.obj.(*Invoice).Status)
	}
	return s.remove(kindInvoice, id, "invoice.deleted")
}

// CreateCreditNote adds a credit note for an invoice (credit_note.created).
func (s *Server) CreateCreditNote(c CreditNote) (CreditNote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = c.clone()
	irec := s.st.get(kindInvoice, c.Invoice)
	if irec == nil {
		return CreditNote{}, notFound(kindInvoice, c.Invoice)
	}
	in := irec.obj.(*Invoice)
	if c.Customer == "" {
		c.Customer = in.Customer
	}
	if c.Currency == "" {
		c.Currency = in.Currency
	}
	if c.Status == "" {
		c.Status = "issued"
	}
	if c.Type == "" {
		c.Type = "post_payment"
	}
	if c.ID == "" {
		c.ID = s.st.newID(kindCreditNote)
	}
	if c.Number == "" {
		c.Number = fmt.Sprintf("%s-CN-%02d", in.Number, len(s.st.all(kindCreditNote))%100)
	}
	s.stamp(&c.Created)
	if err := s.create(kindCreditNote, c.ID, c.Created, &c, "credit_note.created"); err != nil {
		return CreditNote{}, err
	}
	return c.clone(), nil
}

// UpdateCreditNote changes a credit note's Memo or Metadata (credit_note.updated).
func (s *Server) UpdateCreditNote(id string, f func(*CreditNote)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(kindCreditNote, id, "credit_note.updated", func(rec *record) ([]string, error) {
		cur := rec.obj.(*CreditNote)
		c := cur.clone()
		f(&c)
		c.ID, c.Created = cur.ID, cur.Created
		*cur = c
		return nil, nil
	})
}

// VoidCreditNote voids a credit note (credit_note.voided).
func (s *Server) VoidCreditNote(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.get(kindCreditNote, id)
	if rec == nil {
		return notFound(kindCreditNote, id)
	}
	c := rec.obj.(*CreditNote)
	if c.Status == "void" {
		return fmt.Errorf("stripe fake: credit note %s is already void", id)
	}
	rd := s.eventRenderer()
	before := rd.render(rec)
	c.Status, c.VoidedAt = "void", s.now()
	s.recordEvent("credit_note.voided", rd.render(rec), before)
	return nil
}
