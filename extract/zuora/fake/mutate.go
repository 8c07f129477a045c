package fake

// mutate.go: the Go API that creates, updates and deletes accounts, contacts, the catalog and
// invoices. Create* fill an empty ID and stamp an empty CreatedDate with the clock and an empty
// UpdatedDate with CreatedDate; Update* stamp UpdatedDate with the clock unless the update
// function set it (to stage a late commit). Update functions receive a copy of the object and
// must not call back into the Server.

import (
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"time"
)

func notFound(object, id string) error { return fmt.Errorf("zuora fake: no %s %q", object, id) }

// cloneObj copies an object struct, its custom-field map included.
func cloneObj[T any](o T) T {
	v := reflect.ValueOf(&o).Elem()
	if f := v.FieldByName("Custom"); f.IsValid() && !f.IsNil() {
		f.Set(reflect.ValueOf(maps.Clone(f.Interface().(map[string]string))))
	}
	return o
}

func timeField(v reflect.Value, name string) time.Time {
	return v.FieldByName(name).Interface().(time.Time)
}

func setTime(v reflect.Value, name string, t time.Time) {
	v.FieldByName(name).Set(reflect.ValueOf(t.Truncate(time.Second).UTC()))
}

// stampNew fills the ID and the stamps of a new object.
func (s *Server) stampNew(v reflect.Value, at time.Time) {
	if v.FieldByName("ID").String() == "" {
		v.FieldByName("ID").SetString(s.st.newID())
	}
	created := timeField(v, "CreatedDate")
	if created.IsZero() {
		created = at
	}
	setTime(v, "CreatedDate", created)
	if timeField(v, "UpdatedDate").IsZero() {
		setTime(v, "UpdatedDate", created)
	} else {
		setTime(v, "UpdatedDate", timeField(v, "UpdatedDate"))
	}
}

// createLocked stores a new object; callers hold mu.
func createLocked[T any](s *Server, object string, o T, at time.Time) (T, error) {
	o = cloneObj(o)
	v := reflect.ValueOf(&o).Elem()
	if id := v.FieldByName("ID").String(); id != "" && s.st.get(object, id) != nil {
		var zero T
		return zero, fmt.Errorf("zuora fake: %s %q already exists", object, id)
	}
	s.stampNew(v, at)
	stored := cloneObj(o)
	s.st.put(object, v.FieldByName("ID").String(), &stored)
	return o, nil
}

func create[T any](s *Server, object string, o T) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return createLocked(s, object, o, s.now())
}

// update applies f to a copy of the object and stores it.
func update[T any](s *Server, object, id string, f func(*T)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.st.get(object, id).(*T)
	if !ok {
		return notFound(object, id)
	}
	next := cloneObj(*cur)
	v := reflect.ValueOf(&next).Elem()
	before := timeField(v, "UpdatedDate")
	f(&next)
	v.FieldByName("ID").SetString(id)
	if after := timeField(v, "UpdatedDate"); after.Equal(before) {
		setTime(v, "UpdatedDate", s.now())
	} else {
		setTime(v, "UpdatedDate", after)
	}
	*cur = next
	return nil
}

// deleteWhere removes the objects of object whose field equals value and returns their ids;
// callers hold mu.
func (s *Server) deleteWhere(object, field, val string) []string {
	var out []string
	for _, id := range s.st.ids(object) {
		if reflect.ValueOf(s.st.get(object, id)).Elem().FieldByName(field).String() == val {
			delete(s.st.rows[object], id)
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) remove(object, id string) error {
	if s.st.get(object, id) == nil {
		return notFound(object, id)
	}
	delete(s.st.rows[object], id)
	return nil
}

// nextNumber returns the next value of a named counter; callers hold mu.
func (s *Server) nextNumber(name string) int {
	s.numbers[name]++
	return s.numbers[name]
}

// CreateAccount adds an account. Defaults: AccountNumber A00000001…, Status Active, Currency
// USD, BillCycleDay 1, PaymentTerm "Due Upon Receipt", Balance 0.
func (s *Server) CreateAccount(a Account) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createAccountLocked(a, s.now())
}

func (s *Server) createAccountLocked(a Account, at time.Time) (Account, error) {
	if a.AccountNumber == "" {
		a.AccountNumber = fmt.Sprintf("A%08d", s.nextNumber("account"))
	}
	if a.Status == "" {
		a.Status = "Active"
	}
	if a.Currency == "" {
		a.Currency = "USD"
	}
	if a.BillCycleDay == 0 {
		a.BillCycleDay = 1
	}
	if a.PaymentTerm == "" {
		a.PaymentTerm = "Due Upon Receipt"
	}
	if a.Balance == "" {
		a.Balance = "0"
	}
	if err := checkDecimals(map[string]string{"Balance": a.Balance}); err != nil {
		return Account{}, err
	}
	return createLocked(s, ObjAccount, a, at)
}

// UpdateAccount changes an account.
func (s *Server) UpdateAccount(id string, f func(*Account)) error {
	return update(s, ObjAccount, id, f)
}

// DeleteAccount deletes an account with its contacts, subscriptions (every version, rate plan
// and charge) and invoices (and items).
func (s *Server) DeleteAccount(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.remove(ObjAccount, id); err != nil {
		return err
	}
	s.deleteWhere(ObjContact, "AccountID", id)
	for _, sub := range s.deleteWhere(ObjSubscription, "AccountID", id) {
		s.deleteSubscriptionRecords(sub)
	}
	for _, inv := range s.deleteWhere(ObjInvoice, "AccountID", id) {
		s.deleteWhere(ObjInvoiceItem, "InvoiceID", inv)
	}
	return nil
}

// CreateContact adds a contact of an account.
func (s *Server) CreateContact(c Contact) (Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.get(ObjAccount, c.AccountID) == nil {
		return Contact{}, notFound(ObjAccount, c.AccountID)
	}
	return createLocked(s, ObjContact, c, s.now())
}

// UpdateContact changes a contact.
func (s *Server) UpdateContact(id string, f func(*Contact)) error {
	return update(s, ObjContact, id, f)
}

// DeleteContact deletes a contact.
func (s *Server) DeleteContact(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remove(ObjContact, id)
}

// CreateProduct adds a catalog product (EffectiveStartDate defaults to 2020-01-01).
func (s *Server) CreateProduct(p Product) (Product, error) {
	if p.EffectiveStartDate == "" {
		p.EffectiveStartDate = "2020-01-01"
	}
	return create(s, ObjProduct, p)
}

// UpdateProduct changes a product.
func (s *Server) UpdateProduct(id string, f func(*Product)) error {
	return update(s, ObjProduct, id, f)
}

// DeleteProduct deletes a product with its rate plans and their charges.
func (s *Server) DeleteProduct(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.remove(ObjProduct, id); err != nil {
		return err
	}
	for _, prp := range s.deleteWhere(ObjProductRatePlan, "ProductID", id) {
		s.deleteWhere(ObjProductRatePlanCharge, "ProductRatePlanID", prp)
	}
	return nil
}

// CreateProductRatePlan adds a plan to a product.
func (s *Server) CreateProductRatePlan(p ProductRatePlan) (ProductRatePlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.get(ObjProduct, p.ProductID) == nil {
		return ProductRatePlan{}, notFound(ObjProduct, p.ProductID)
	}
	if p.EffectiveStartDate == "" {
		p.EffectiveStartDate = "2020-01-01"
	}
	return createLocked(s, ObjProductRatePlan, p, s.now())
}

// UpdateProductRatePlan changes a product rate plan.
func (s *Server) UpdateProductRatePlan(id string, f func(*ProductRatePlan)) error {
	return update(s, ObjProductRatePlan, id, f)
}

// CreateProductRatePlanCharge adds a charge to a product rate plan. Defaults: ChargeType
// Recurring, ChargeModel Per Unit Pricing, BillingPeriod Month (recurring charges),
// DefaultQuantity 1.
func (s *Server) CreateProductRatePlanCharge(c ProductRatePlanCharge) (ProductRatePlanCharge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.get(ObjProductRatePlan, c.ProductRatePlanID) == nil {
		return ProductRatePlanCharge{}, notFound(ObjProductRatePlan, c.ProductRatePlanID)
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
	if c.DefaultQuantity == "" {
		c.DefaultQuantity = "1"
	}
	if err := checkDecimals(map[string]string{"DefaultQuantity": c.DefaultQuantity, "ListPrice": c.ListPrice}); err != nil {
		return ProductRatePlanCharge{}, err
	}
	return createLocked(s, ObjProductRatePlanCharge, c, s.now())
}

// CreateInvoice adds an invoice with its items. The invoice's AmountWithoutTax, TaxAmount and
// Amount are the sums of the items' ChargeAmount and TaxAmount; Balance defaults to Amount
// for a Posted invoice (the default Status) and to 0 otherwise; InvoiceNumber defaults to
// INV00000001…, InvoiceDate to the clock's date, DueDate to InvoiceDate. Items get the
// invoice's id and stamps, and ChargeDate = CreatedDate.
func (s *Server) CreateInvoice(inv Invoice, items []InvoiceItem) (Invoice, []InvoiceItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createInvoiceLocked(inv, items, s.now())
}

func (s *Server) createInvoiceLocked(inv Invoice, items []InvoiceItem, at time.Time) (Invoice, []InvoiceItem, error) {
	if s.st.get(ObjAccount, inv.AccountID) == nil {
		return Invoice{}, nil, notFound(ObjAccount, inv.AccountID)
	}
	if inv.Status == "" {
		inv.Status = "Posted"
	}
	if inv.InvoiceNumber == "" {
		inv.InvoiceNumber = fmt.Sprintf("INV%08d", s.nextNumber("invoice"))
	}
	if inv.CreatedDate.IsZero() {
		inv.CreatedDate = at
	}
	if inv.InvoiceDate == "" {
		inv.InvoiceDate = inv.CreatedDate.In(s.opts.TimeZone).Format(time.DateOnly)
	}
	if inv.DueDate == "" {
		inv.DueDate = inv.InvoiceDate
	}
	charge, tax := new(big.Rat), new(big.Rat)
	for i := range items {
		it := &items[i]
		if it.Quantity == "" {
			it.Quantity = "1"
		}
		if it.TaxAmount == "" {
			it.TaxAmount = "0"
		}
		if it.ProcessingType == "" {
			it.ProcessingType = "Charge"
		}
		if err := checkDecimals(map[string]string{"ChargeAmount": it.ChargeAmount, "TaxAmount": it.TaxAmount,
			"Quantity": it.Quantity, "UnitPrice": it.UnitPrice}); err != nil {
			return Invoice{}, nil, err
		}
		charge.Add(charge, rat(it.ChargeAmount))
		tax.Add(tax, rat(it.TaxAmount))
	}
	inv.AmountWithoutTax = decText(charge)
	inv.TaxAmount = decText(tax)
	inv.Amount = decText(new(big.Rat).Add(charge, tax))
	if inv.Balance == "" {
		inv.Balance = "0"
		if inv.Status == "Posted" {
			inv.Balance = inv.Amount
		}
	}
	if inv.Status == "Posted" && inv.PostedDate.IsZero() {
		inv.PostedDate = inv.CreatedDate
	}
	inv, err := createLocked(s, ObjInvoice, inv, at)
	if err != nil {
		return Invoice{}, nil, err
	}
	out := make([]InvoiceItem, 0, len(items))
	for _, it := range items {
		it.InvoiceID = inv.ID
		it.CreatedDate, it.UpdatedDate = inv.CreatedDate, inv.UpdatedDate
		if it.ChargeDate.IsZero() {
			it.ChargeDate = inv.CreatedDate
		}
		it, err := createLocked(s, ObjInvoiceItem, it, at)
		if err != nil {
			return Invoice{}, nil, err
		}
		out = append(out, it)
	}
	return inv, out, nil
}

// UpdateInvoice changes an invoice (e.g. a payment sets Balance to 0; a cancellation sets
// Status Canceled). Its items stay as they are.
func (s *Server) UpdateInvoice(id string, f func(*Invoice)) error {
	return update(s, ObjInvoice, id, f)
}

// UpdateInvoiceItem changes an invoice item.
func (s *Server) UpdateInvoiceItem(id string, f func(*InvoiceItem)) error {
	return update(s, ObjInvoiceItem, id, f)
}

// DeleteInvoice deletes an invoice and its items.
func (s *Server) DeleteInvoice(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.remove(ObjInvoice, id); err != nil {
		return err
	}
	s.deleteWhere(ObjInvoiceItem, "InvoiceID", id)
	return nil
}

// Touch sets an object's UpdatedDate to at (the clock when zero), changing nothing else: a
// no-op save, or a late commit when at is in the past.
func (s *Server) Touch(object, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.get(object, id)
	if obj == nil {
		return notFound(object, id)
	}
	if at.IsZero() {
		at = s.now()
	}
	setTime(reflect.ValueOf(obj).Elem(), "UpdatedDate", at)
	return nil
}

// checkDecimals reports the first non-empty value that is not a decimal number.
func checkDecimals(vals map[string]string) error {
	for name, v := range vals {
		if v == "" {
			continue
		}
		if _, ok := new(big.Rat).SetString(v); !ok || !isDecimalText(v) {
			return fmt.Errorf("zuora fake: %s %q is not a decimal number", name, v)
		}
	}
	return nil
}

func isDecimalText(v string) bool {
	digits, dot := 0, false
	for i, c := range v {
		switch {
		case c == '-' && i == 0:
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			digits++
		default:
			return false
		}
	}
	return digits > 0
}

// rat reads a decimal text already checked; "" is 0.
func rat(v string) *big.Rat {
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		return new(big.Rat)
	}
	return r
}

// decText renders r with at most nine decimals (rounded half to even), without trailing zeros.
func decText(r *big.Rat) string {
	const places = 9
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(places), nil)
	num := new(big.Int).Mul(r.Num(), scale)
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if c := twice.Cmp(r.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	neg := q.Sign() < 0
	digits := new(big.Int).Abs(q).String()
	for len(digits) <= places {
		digits = "0" + digits
	}
	intPart, frac := digits[:len(digits)-places], digits[len(digits)-places:]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}
