package fake

// subscribe.go: subscriptions, their versions and the piecewise charge segments.
//
// Subscribe creates version 1: the subscription, a rate plan per RatePlanSpec and one charge
// segment per ChargeSpec (Segment 1, Version 1, from the start date to the term end, or open
// for an evergreen subscription). Amend and Cancel create version n+1 as Zuora does: the
// latest version becomes Expired (its UpdatedDate moves), and the new version gets new ids for
// itself, every rate plan and every charge segment, copied from the version before, with the
// change applied:
//
//   - a price or quantity change of a charge from date D ends its last segment at D and adds a
//     segment from D (Segment+1, Version+1) with the new terms; on or before the segment's
//     start, it changes the segment in place (Version+1);
//   - a new rate plan starts its charges at D; a removed one ends its charges' segments at D;
//   - a cancellation at D ends every open segment at D and sets Status Cancelled,
//     CancelledDate and SubscriptionEndDate.
//
// Segments are half-open: a segment ends on the day the next one starts. Charges keep their
// ChargeNumber and OriginalId across segments and versions.
//
// Derived amounts (the fake's conventions): MRR = Price × Quantity ÷ months of the billing
// period (Flat Fee: Price ÷ months; Discount-Fixed Amount: −Price ÷ months; Discount-Percentage:
// 0) for recurring charges, 0 for one-time and usage charges; TCV = MRR × the segment's
// length in months (12 months while open-ended) for recurring charges, Price × Quantity for
// one-time charges, 0 for usage; DMRC and DTCV are the change from the charge's previous
// segment. Amounts have at most nine decimals.

import (
	"fmt"
	"math/big"
	"sort"
	"time"
)

// NewSubscription describes a subscription to create.
type NewSubscription struct {
	// Name is the subscription number (default A-S00000001…).
	Name           string
	AccountID      string
	InvoiceOwnerID string // default AccountID
	// StartDate (YYYY-MM-DD) is the contract effective, service activation, subscription
	// start and term start date.
	StartDate string
	// TermMonths is the initial term; 0 makes an EVERGREEN subscription.
	TermMonths        int
	RenewalTermMonths int
	AutoRenew         bool
	RatePlans         []RatePlanSpec
	// At stamps CreatedDate and UpdatedDate of every record (zero: the clock).
	At time.Time
}

// RatePlanSpec is a rate plan to add to a subscription.
type RatePlanSpec struct {
	ProductRatePlanID string
	// Name identifies the rate plan within the subscription (default: the product rate
	// plan's name, or "Plan n").
	Name string
	// Charges are the plan's charges; empty takes every charge of the product rate plan.
	Charges []ChargeSpec
}

// ChargeSpec is a charge of a rate plan. Empty fields come from the product rate plan charge
// when ProductRatePlanChargeID is set, else from the defaults.
type ChargeSpec struct {
	ProductRatePlanChargeID string
	Name                    string
	ChargeType              string // Recurring (default), OneTime, Usage
	ChargeModel             string // Per Unit Pricing (default), Flat Fee Pricing, …
	BillingPeriod           string // Month (default), Quarter, Semi-Annual, Annual, …
	Price                   string // per unit and billing period, in the account's currency
	Quantity                string // default 1
}

// Amendment changes a subscription from EffectiveDate on, as a new version.
type Amendment struct {
	EffectiveDate string // YYYY-MM-DD
	Update        []ChargeUpdate
	Add           []RatePlanSpec
	// Remove names rate plans (RatePlan.Name) whose charges end at EffectiveDate.
	Remove []string
	// At stamps the new records and the expired version (zero: the clock).
	At time.Time
}

// ChargeUpdate changes a charge's price or quantity ("" keeps it).
type ChargeUpdate struct {
	ChargeNumber string
	Price        string
	Quantity     string
}

// billingMonths is the length of a billing period in months.
func billingMonths(period string) (int64, bool) {
	n, ok := map[string]int64{"Month": 1, "Quarter": 3, "Semi-Annual": 6, "Annual": 12, "Eighteen Months": 18,
		"Two Years": 24, "Three Years": 36, "Five Years": 60}[period]
	return n, ok
}

// addMonths adds n months to a date, clamping the day to the end of the month.
func addMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// monthsBetween is the length of [a, b) in months: whole months, then the rest as a share of
// the next month.
func monthsBetween(a, b time.Time) *big.Rat {
	if !b.After(a) {
		return new(big.Rat)
	}
	m := 0
	for !addMonths(a, m+1).After(b) {
		m++
	}
	from, to := addMonths(a, m), addMonths(a, m+1)
	rest := big.NewRat(int64(b.Sub(from)/(24*time.Hour)), int64(to.Sub(from)/(24*time.Hour)))
	return rest.Add(rest, big.NewRat(int64(m), 1))
}

func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("zuora fake: %s %q is not a date (YYYY-MM-DD)", field, v)
	}
	return t, nil
}

// chargeAmounts computes a segment's MRR and TCV.
func chargeAmounts(c *RatePlanCharge) (mrr, tcv *big.Rat, err error) {
	price, qty := rat(c.Price), rat(c.Quantity)
	switch c.ChargeType {
	case "OneTime":
		return new(big.Rat), new(big.Rat).Mul(price, qty), nil
	case "Usage":
		return new(big.Rat), new(big.Rat), nil
	}
	months, ok := billingMonths(c.BillingPeriod)
	if !ok {
		return nil, nil, fmt.Errorf("zuora fake: charge %s: billing period %q is not one the fake knows", c.ChargeNumber, c.BillingPeriod)
	}
	perPeriod := new(big.Rat).Mul(price, qty)
	switch c.ChargeModel {
	case "Flat Fee Pricing":
		perPeriod = price
	case "Discount-Fixed Amount":
		perPeriod = new(big.Rat).Neg(price)
	case "Discount-Percentage":
		perPeriod = new(big.Rat)
	}
	mrr = new(big.Rat).Quo(perPeriod, big.NewRat(months, 1))
	length := big.NewRat(12, 1)
	if c.EffectiveEndDate != "" {
		start, _ := time.Parse(time.DateOnly, c.EffectiveStartDate)
		end, _ := time.Parse(time.DateOnly, c.EffectiveEndDate)
		length = monthsBetween(start, end)
	}
	return mrr, new(big.Rat).Mul(mrr, length), nil
}

// recompute sets the derived amounts of a charge's segments (in segment order).
func recompute(segs []*RatePlanCharge) error {
	prevMRR, prevTCV := new(big.Rat), new(big.Rat)
	for i, c := range segs {
		mrr, tcv, err := chargeAmounts(c)
		if err != nil {
			return err
		}
		c.MRR, c.TCV = decText(mrr), decText(tcv)
		c.DMRC, c.DTCV = decText(new(big.Rat).Sub(mrr, prevMRR)), decText(new(big.Rat).Sub(tcv, prevTCV))
		c.IsLastSegment = i == len(segs)-1
		prevMRR, prevTCV = mrr, tcv
	}
	return nil
}

// Subscribe creates a subscription (version 1) with its rate plans and charges.
func (s *Server) Subscribe(n NewSubscription) (Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribeLocked(n)
}

func (s *Server) subscribeLocked(n NewSubscription) (Subscription, error) {
	if s.st.get(ObjAccount, n.AccountID) == nil {
		return Subscription{}, notFound(ObjAccount, n.AccountID)
	}
	start, err := parseDate("StartDate", n.StartDate)
	if err != nil {
		return Subscription{}, err
	}
	for _, spec := range n.RatePlans {
		if err := s.checkRatePlanSpec(spec); err != nil {
			return Subscription{}, err
		}
	}
	at := n.At
	if at.IsZero() {
		at = s.now()
	}
	if n.Name == "" {
		n.Name = fmt.Sprintf("A-S%08d", s.nextNumber("subscription"))
	}
	for _, sub := range s.st.rows[ObjSubscription] {
		if sub.(*Subscription).Name == n.Name {
			return Subscription{}, fmt.Errorf("zuora fake: subscription %s already exists", n.Name)
		}
	}
	sub := Subscription{ID: s.st.newID(), Name: n.Name, AccountID: n.AccountID, InvoiceOwnerID: n.InvoiceOwnerID,
		Version: 1, Status: "Active", TermType: "EVERGREEN", SubscriptionStartDate: n.StartDate,
		TermStartDate: n.StartDate, ContractEffectiveDate: n.StartDate, ServiceActivationDate: n.StartDate,
		InitialTerm: n.TermMonths, RenewalTerm: n.RenewalTermMonths, AutoRenew: n.AutoRenew,
		CreatedDate: at, UpdatedDate: at}
	sub.OriginalID = sub.ID
	if sub.InvoiceOwnerID == "" {
		sub.InvoiceOwnerID = n.AccountID
	}
	if n.TermMonths > 0 {
		sub.TermType = "TERMED"
		sub.TermEndDate = addMonths(start, n.TermMonths).Format(time.DateOnly)
		sub.SubscriptionEndDate = sub.TermEndDate
	}
	for i, rp := range n.RatePlans {
		if _, err := s.addRatePlan(&sub, rp, n.StartDate, "NewProduct", i, at); err != nil {
			return Subscription{}, err
		}
	}
	return createLocked(s, ObjSubscription, sub, at)
}

// addRatePlan creates a rate plan of sub with charges starting at start.
func (s *Server) addRatePlan(sub *Subscription, spec RatePlanSpec, start, amendment string, i int, at time.Time) (*RatePlan, error) {
	name := spec.Name
	charges := spec.Charges
	if spec.ProductRatePlanID != "" {
		prp, ok := s.st.get(ObjProductRatePlan, spec.ProductRatePlanID).(*ProductRatePlan)
		if !ok {
			return nil, notFound(ObjProductRatePlan, spec.ProductRatePlanID)
		}
		if name == "" {
			name = prp.Name
		}
		if len(charges) == 0 {
			for _, id := range s.st.ids(ObjProductRatePlanCharge) {
				if c := s.st.get(ObjProductRatePlanCharge, id).(*ProductRatePlanCharge); c.ProductRatePlanID == prp.ID {
					charges = append(charges, ChargeSpec{ProductRatePlanChargeID: c.ID})
				}
			}
		}
	}
	if name == "" {
		name = fmt.Sprintf("Plan %d", i+1)
	}
	rp := &RatePlan{ID: s.st.newID(), SubscriptionID: sub.ID, ProductRatePlanID: spec.ProductRatePlanID, Name: name,
		AmendmentType: amendment, CreatedDate: at, UpdatedDate: at}
	for _, cs := range charges {
		c, err := s.newCharge(cs, rp.ID, start, sub.TermEndDate, at)
		if err != nil {
			return nil, err
		}
		if err := recompute([]*RatePlanCharge{c}); err != nil {
			return nil, err
		}
		s.st.put(ObjRatePlanCharge, c.ID, c)
	}
	s.st.put(ObjRatePlan, rp.ID, rp)
	return rp, nil
}

// newCharge builds segment 1 of a charge from its spec.
func (s *Server) newCharge(cs ChargeSpec, ratePlanID, start, end string, at time.Time) (*RatePlanCharge, error) {
	c := &RatePlanCharge{ID: s.st.newID(), RatePlanID: ratePlanID, ChargeNumber: fmt.Sprintf("C-%08d", s.nextNumber("charge")),
		Name: cs.Name, Segment: 1, Version: 1, ChargeType: cs.ChargeType, ChargeModel: cs.ChargeModel,
		BillingPeriod: cs.BillingPeriod, EffectiveStartDate: start, EffectiveEndDate: end, Quantity: cs.Quantity,
		Price: cs.Price, ProductRatePlanChargeID: cs.ProductRatePlanChargeID, CreatedDate: at, UpdatedDate: at}
	c.OriginalID = c.ID
	if cs.ProductRatePlanChargeID != "" {
		p, ok := s.st.get(ObjProductRatePlanCharge, cs.ProductRatePlanChargeID).(*ProductRatePlanCharge)
		if !ok {
			return nil, notFound(ObjProductRatePlanCharge, cs.ProductRatePlanChargeID)
		}
		for _, f := range []struct {
			dst *string
			src string
		}{{&c.Name, p.Name}, {&c.ChargeType, p.ChargeType},
			{&c.ChargeModel, p.ChargeModel}, {&c.BillingPeriod, p.BillingPeriod}, {&c.Price, p.ListPrice},
			{&c.Quantity, p.DefaultQuantity}} {
			if *f.dst == "" {
				*f.dst = f.src
			}
		}
	}
	if c.Name == "" {
		c.Name = "Charge"
	}
	if c.ChargeType == "" {
		c.ChargeType = "Recurring"
	}
	if c.ChargeModel == "" {
		c.ChargeModel = "Per Unit Pricing"
	}
	if c.BillingPeriod == "" && c.ChargeType == "Recurring" {
		c.BillingPeriod = "Month"
	}
	if c.Quantity == "" {
		c.Quantity = "1"
	}
	if c.Price == "" {
		c.Price = "0"
	}
	if c.ChargeType == "OneTime" {
		// A one-time charge is served once, on its start date.
		d, _ := time.Parse(time.DateOnly, start)
		c.EffectiveEndDate = d.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	if err := checkDecimals(map[string]string{"Price": c.Price, "Quantity": c.Quantity}); err != nil {
		return nil, err
	}
	return c, nil
}

// latestLocked returns the latest version of the subscription named name.
func (s *Server) latestLocked(name string) (*Subscription, error) {
	var latest *Subscription
	for _, o := range s.st.rows[ObjSubscription] {
		if sub := o.(*Subscription); sub.Name == name && (latest == nil || sub.Version > latest.Version) {
			latest = sub
		}
	}
	if latest == nil {
		return nil, fmt.Errorf("zuora fake: no subscription %q", name)
	}
	return latest, nil
}

// version is a subscription version under construction: its rate plans and, per rate plan,
// its charges by charge number, segments in order.
type version struct {
	sub   *Subscription
	plans []*RatePlan
	segs  map[string]map[string][]*RatePlanCharge // rate plan id → charge number → segments
	order map[string][]string                     // rate plan id → charge numbers in order
}

// nextVersion copies the latest version of name into a new version with new ids, and expires
// the latest one.
func (s *Server) nextVersion(name string, at time.Time) (*version, error) {
	prev, err := s.latestLocked(name)
	if err != nil {
		return nil, err
	}
	sub := cloneObj(*prev)
	sub.ID, sub.Version, sub.PreviousSubscriptionID = s.st.newID(), prev.Version+1, prev.ID
	sub.CreatedDate, sub.UpdatedDate = at, at
	v := &version{sub: &sub, segs: map[string]map[string][]*RatePlanCharge{}, order: map[string][]string{}}
	var plans []*RatePlan
	for _, o := range s.st.rows[ObjRatePlan] {
		if rp := o.(*RatePlan); rp.SubscriptionID == prev.ID {
			plans = append(plans, rp)
		}
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].ID < plans[j].ID })
	oldToNew := map[string]*RatePlan{}
	for _, old := range plans {
		rp := *old
		rp.ID, rp.SubscriptionID, rp.CreatedDate, rp.UpdatedDate = s.st.newID(), sub.ID, at, at
		v.plans = append(v.plans, &rp)
		v.segs[rp.ID] = map[string][]*RatePlanCharge{}
		oldToNew[old.ID] = &rp
	}
	var charges []*RatePlanCharge
	for _, o := range s.st.rows[ObjRatePlanCharge] {
		if c := o.(*RatePlanCharge); oldToNew[c.RatePlanID] != nil {
			charges = append(charges, c)
		}
	}
	sort.Slice(charges, func(i, j int) bool {
		if charges[i].ChargeNumber != charges[j].ChargeNumber {
			return charges[i].ChargeNumber < charges[j].ChargeNumber
		}
		return charges[i].Segment < charges[j].Segment
	})
	for _, old := range charges {
		c := *old
		rp := oldToNew[old.RatePlanID]
		c.ID, c.RatePlanID, c.CreatedDate, c.UpdatedDate = s.st.newID(), rp.ID, at, at
		if len(v.segs[rp.ID][c.ChargeNumber]) == 0 {
			v.order[rp.ID] = append(v.order[rp.ID], c.ChargeNumber)
		}
		v.segs[rp.ID][c.ChargeNumber] = append(v.segs[rp.ID][c.ChargeNumber], &c)
	}
	prev.Status, prev.UpdatedDate = "Expired", at
	return v, nil
}

// save recomputes the version's segments and stores it.
func (s *Server) save(v *version) (Subscription, error) {
	for _, rp := range v.plans {
		for _, num := range v.order[rp.ID] {
			if err := recompute(v.segs[rp.ID][num]); err != nil {
				return Subscription{}, err
			}
		}
	}
	for _, rp := range v.plans {
		s.st.put(ObjRatePlan, rp.ID, rp)
		for _, num := range v.order[rp.ID] {
			for _, c := range v.segs[rp.ID][num] {
				s.st.put(ObjRatePlanCharge, c.ID, c)
			}
		}
	}
	stored := cloneObj(*v.sub)
	s.st.put(ObjSubscription, stored.ID, &stored)
	return cloneObj(*v.sub), nil
}

// endAt ends a charge's open (or later-ending) last segment at date d.
func endAt(segs []*RatePlanCharge, d string) {
	last := segs[len(segs)-1]
	if last.EffectiveEndDate == "" || last.EffectiveEndDate > d {
		last.EffectiveEndDate = max(d, last.EffectiveStartDate)
	}
}

// Amend applies an amendment to the subscription named name and returns the new version. On
// an error nothing changes.
func (s *Server) Amend(name string, a Amendment) (Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.amendLocked(name, a)
}

func (s *Server) amendLocked(name string, a Amendment) (Subscription, error) {
	if _, err := parseDate("EffectiveDate", a.EffectiveDate); err != nil {
		return Subscription{}, err
	}
	if err := s.checkAmendment(name, a); err != nil {
		return Subscription{}, err
	}
	at := a.At
	if at.IsZero() {
		at = s.now()
	}
	v, err := s.nextVersion(name, at)
	if err != nil {
		return Subscription{}, err
	}
	d := a.EffectiveDate
	for _, u := range a.Update {
		for _, rp := range v.plans {
			segs := v.segs[rp.ID][u.ChargeNumber]
			if len(segs) == 0 {
				continue
			}
			rp.AmendmentType = "UpdateProduct"
			last := segs[len(segs)-1]
			next := last
			if d > last.EffectiveStartDate {
				cp := *last
				next = &cp
				next.ID, next.Segment, next.EffectiveStartDate = s.st.newID(), last.Segment+1, d
				last.EffectiveEndDate = d
				v.segs[rp.ID][u.ChargeNumber] = append(segs, next)
			}
			next.Version = last.Version + 1
			if u.Price != "" {
				next.Price = u.Price
			}
			if u.Quantity != "" {
				next.Quantity = u.Quantity
			}
		}
	}
	for _, plan := range a.Remove {
		for _, rp := range v.plans {
			if rp.Name != plan {
				continue
			}
			rp.AmendmentType = "RemoveProduct"
			for _, num := range v.order[rp.ID] {
				endAt(v.segs[rp.ID][num], d)
			}
		}
	}
	for i, spec := range a.Add {
		if err := s.addRatePlanVersion(v, spec, d, len(v.plans)+i, at); err != nil {
			return Subscription{}, err
		}
	}
	return s.save(v)
}

// checkAmendment validates an amendment before anything changes.
func (s *Server) checkAmendment(name string, a Amendment) error {
	prev, err := s.latestLocked(name)
	if err != nil {
		return err
	}
	if prev.Status == "Cancelled" {
		return fmt.Errorf("zuora fake: subscription %s is cancelled", name)
	}
	numbers, plans := map[string]*RatePlanCharge{}, map[string]bool{}
	for _, o := range s.st.rows[ObjRatePlan] {
		if rp := o.(*RatePlan); rp.SubscriptionID == prev.ID {
			plans[rp.Name] = true
			for _, c := range s.st.rows[ObjRatePlanCharge] {
				if c := c.(*RatePlanCharge); c.RatePlanID == rp.ID && c.IsLastSegment {
					numbers[c.ChargeNumber] = c
				}
			}
		}
	}
	for _, u := range a.Update {
		c := numbers[u.ChargeNumber]
		if c == nil {
			return fmt.Errorf("zuora fake: subscription %s has no charge %s", name, u.ChargeNumber)
		}
		if c.EffectiveEndDate != "" && a.EffectiveDate >= c.EffectiveEndDate {
			return fmt.Errorf("zuora fake: charge %s ends on %s, before %s", u.ChargeNumber, c.EffectiveEndDate, a.EffectiveDate)
		}
		if err := checkDecimals(map[string]string{"Price": u.Price, "Quantity": u.Quantity}); err != nil {
			return err
		}
	}
	for _, r := range a.Remove {
		if !plans[r] {
			return fmt.Errorf("zuora fake: subscription %s has no rate plan %q", name, r)
		}
	}
	for _, spec := range a.Add {
		if err := s.checkRatePlanSpec(spec); err != nil {
			return err
		}
	}
	return nil
}

// checkRatePlanSpec reports a rate plan spec that would fail half-way.
func (s *Server) checkRatePlanSpec(spec RatePlanSpec) error {
	if spec.ProductRatePlanID != "" && s.st.get(ObjProductRatePlan, spec.ProductRatePlanID) == nil {
		return notFound(ObjProductRatePlan, spec.ProductRatePlanID)
	}
	for _, c := range spec.Charges {
		if c.ProductRatePlanChargeID != "" && s.st.get(ObjProductRatePlanCharge, c.ProductRatePlanChargeID) == nil {
			return notFound(ObjProductRatePlanCharge, c.ProductRatePlanChargeID)
		}
		if c.ChargeType == "Recurring" || c.ChargeType == "" {
			if _, ok := billingMonths(c.BillingPeriod); c.BillingPeriod != "" && !ok {
				return fmt.Errorf("zuora fake: billing period %q is not one the fake knows", c.BillingPeriod)
			}
		}
		if err := checkDecimals(map[string]string{"Price": c.Price, "Quantity": c.Quantity}); err != nil {
			return err
		}
	}
	return nil
}

// addRatePlanVersion adds a new rate plan to a version under construction.
func (s *Server) addRatePlanVersion(v *version, spec RatePlanSpec, d string, i int, at time.Time) error {
	before := map[string]bool{}
	for id := range s.st.rows[ObjRatePlanCharge] {
		before[id] = true
	}
	rp, err := s.addRatePlan(v.sub, spec, d, "NewProduct", i, at)
	if err != nil {
		return err
	}
	// addRatePlan stored the plan and its charges; take them into the version instead.
	delete(s.st.rows[ObjRatePlan], rp.ID)
	v.plans = append(v.plans, rp)
	v.segs[rp.ID] = map[string][]*RatePlanCharge{}
	for _, id := range s.st.ids(ObjRatePlanCharge) {
		if before[id] {
			continue
		}
		c := s.st.get(ObjRatePlanCharge, id).(*RatePlanCharge)
		delete(s.st.rows[ObjRatePlanCharge], id)
		v.order[rp.ID] = append(v.order[rp.ID], c.ChargeNumber)
		v.segs[rp.ID][c.ChargeNumber] = []*RatePlanCharge{c}
	}
	sort.Strings(v.order[rp.ID])
	return nil
}

// Cancel cancels the subscription named name at date effective (YYYY-MM-DD) and returns the
// new, Cancelled version. at stamps it (zero: the clock).
func (s *Server) Cancel(name, effective string, at time.Time) (Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelLocked(name, effective, at)
}

func (s *Server) cancelLocked(name, effective string, at time.Time) (Subscription, error) {
	if _, err := parseDate("effective date", effective); err != nil {
		return Subscription{}, err
	}
	if prev, err := s.latestLocked(name); err != nil {
		return Subscription{}, err
	} else if prev.Status == "Cancelled" {
		return Subscription{}, fmt.Errorf("zuora fake: subscription %s is already cancelled", name)
	}
	if at.IsZero() {
		at = s.now()
	}
	v, err := s.nextVersion(name, at)
	if err != nil {
		return Subscription{}, err
	}
	v.sub.Status, v.sub.CancelledDate, v.sub.SubscriptionEndDate = "Cancelled", effective, effective
	for _, rp := range v.plans {
		for _, num := range v.order[rp.ID] {
			endAt(v.segs[rp.ID][num], effective)
		}
	}
	return s.save(v)
}

// DeleteSubscription deletes every version of the subscription named name, with their rate
// plans and charges (Zuora deletes only draft or never-activated subscriptions; the fake does
// not check).
func (s *Server) DeleteSubscription(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.deleteWhere(ObjSubscription, "Name", name)
	if len(ids) == 0 {
		return fmt.Errorf("zuora fake: no subscription %q", name)
	}
	for _, id := range ids {
		s.deleteSubscriptionRecords(id)
	}
	return nil
}

// deleteSubscriptionRecords deletes the rate plans and charges of a subscription version.
func (s *Server) deleteSubscriptionRecords(subID string) {
	for _, rp := range s.deleteWhere(ObjRatePlan, "SubscriptionID", subID) {
		s.deleteWhere(ObjRatePlanCharge, "RatePlanID", rp)
	}
}

// UpdateSubscription changes fields of one subscription version in place (no new version:
// notes, custom fields, a renewal setting).
func (s *Server) UpdateSubscription(id string, f func(*Subscription)) error {
	return update(s, ObjSubscription, id, f)
}
