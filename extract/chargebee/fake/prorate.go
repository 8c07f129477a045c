package fake

// prorate.go: mid-term subscription changes with proration, as Chargebee's change
// subscription with "apply prorated credits and charges" does: an increase is invoiced for the
// rest of the term, a decrease is credited (a credit note, no invoice line).

import (
	"fmt"
	"math"
	"sort"
)

// Change is what ChangeSubscription did: the subscription as changed, and the invoice and the
// credit note it raised (nil when none).
type Change struct {
	Subscription Subscription
	Invoice      *Invoice
	CreditNote   *CreditNote
}

// ChangeSubscription applies f to a subscription now (the clock), like UpdateSubscription, and
// prorates the change of its recurring items (plans and addons with a billing period) over the
// rest of the current term, [now, current_term_end), at the share of the term left:
//
//   - seats added, or an item added: a paid invoice with a line for the added quantity (a new
//     item: its whole quantity) at the unit price, prorated;
//   - seats removed, or an item taken off: no invoice line, but an adjustment credit note of
//     reason subscription_change against the subscription's latest invoice, with a line for
//     the removed quantity (an item taken off: its whole quantity) at the unit price, prorated;
//   - a new unit price for an item: the old values credited and the new ones invoiced (so a
//     plan replaced by another is credited and the new plan invoiced).
//
// Nothing is prorated for a subscription that is not active or non_renewing, outside its
// current term, or when no invoice of the subscription stands to credit (the decrease then
// counts from the renewal).
func (s *Server) ChangeSubscription(id string, f func(*Subscription)) (Change, error) {
	s.mu.Lock()
	rec := s.st.live(kindSubscription, id)
	var old Subscription
	if rec != nil {
		old = deepCopy(*rec.obj.(*Subscription))
	}
	s.mu.Unlock()
	sub, err := s.UpdateSubscription(id, f)
	if err != nil {
		return Change{}, err
	}
	out := Change{Subscription: sub}
	now := s.now()
	start, end := sub.CurrentTermStart, sub.CurrentTermEnd
	if (sub.Status != "active" && sub.Status != "non_renewing") || now <= start || now >= end {
		return out, nil
	}
	prorate := func(amount int64) int64 {
		return int64(math.Round(float64(amount) * float64(end-now) / float64(end-start)))
	}
	line := func(it SubscriptionItem, quantity, amount int64) LineItem {
		return LineItem{EntityID: it.ItemPriceID, DateFrom: now, DateTo: end, Quantity: quantity,
			UnitAmount: it.UnitPrice, Amount: prorate(amount)}
	}
	recurring := func(it SubscriptionItem) bool { return it.ItemType != "charge" && it.BillingPeriodUnit != "" }
	before := map[string]SubscriptionItem{}
	var ids []string
	for _, it := range old.Items {
		if recurring(it) {
			before[it.ItemPriceID] = it
			ids = append(ids, it.ItemPriceID)
		}
	}
	after := map[string]SubscriptionItem{}
	for _, it := range sub.Items {
		if recurring(it) {
			after[it.ItemPriceID] = it
			if _, ok := before[it.ItemPriceID]; !ok {
				ids = append(ids, it.ItemPriceID)
			}
		}
	}
	var charges, credits []LineItem
	for _, ip := range ids {
		o, wasOn := before[ip]
		n, isOn := after[ip]
		switch {
		case !isOn:
			credits = append(credits, line(o, o.Quantity, o.Amount))
		case !wasOn:
			charges = append(charges, line(n, n.Quantity, n.Amount))
		case o.UnitPrice != n.UnitPrice:
			credits = append(credits, line(o, o.Quantity, o.Amount))
			charges = append(charges, line(n, n.Quantity, n.Amount))
		case n.Amount > o.Amount:
			charges = append(charges, line(n, max(n.Quantity-o.Quantity, 1), n.Amount-o.Amount))
		case n.Amount < o.Amount:
			credits = append(credits, line(o, max(o.Quantity-n.Quantity, 1), o.Amount-n.Amount))
		}
	}
	charges, credits = nonZero(charges), nonZero(credits)
	if len(charges) > 0 {
		in, err := s.CreateInvoice(Invoice{CustomerID: sub.CustomerID, SubscriptionID: sub.ID, Date: now, LineItems: charges})
		if err != nil {
			return out, err
		}
		out.Invoice = &in
	}
	if len(credits) > 0 {
		ref := s.latestInvoice(sub.ID)
		if ref == "" {
			return out, nil
		}
		cn, err := s.CreateCreditNote(CreditNote{ReferenceInvoiceID: ref, Type: "adjustment", ReasonCode: "subscription_change",
			Date: now, LineItems: credits})
		if err != nil {
			return out, fmt.Errorf("chargebee fake: credit the change of subscription %q: %w", sub.ID, err)
		}
		out.CreditNote = &cn
	}
	return out, nil
}

// nonZero drops lines whose prorated amount rounds to nothing.
func nonZero(lines []LineItem) []LineItem {
	out := lines[:0]
	for _, l := range lines {
		if l.Amount > 0 {
			out = append(out, l)
		}
	}
	return out
}

// latestInvoice is the id of the subscription's latest standing invoice (not voided or
// deleted), "" when none.
func (s *Server) latestInvoice(subscription string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []*record
	for _, rec := range s.st.all(kindInvoice) {
		in := rec.obj.(*Invoice)
		if in.SubscriptionID == subscription && !in.Deleted && in.Status != "voided" {
			recs = append(recs, rec)
		}
	}
	if len(recs) == 0 {
		return ""
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].obj.(*Invoice).Date < recs[j].obj.(*Invoice).Date })
	return recs[len(recs)-1].obj.(*Invoice).ID
}
