package fake

// admin.go: the ground truth (State) and the fake's own admin endpoints under /__fake/stripe/.

import (
	"fmt"
	"sort"

	"github.com/revops/revops/internal/fakeapi"
)

// State is the fake's ground truth: every live object, sorted by id, and the ids of deleted
// ones (deleted customers, products, prices, coupons, draft invoices; removed discounts).
type State struct {
	Customers        []Customer     `json:"customers"`
	DeletedCustomers []string       `json:"deleted_customers"`
	Products         []Product      `json:"products"`
	DeletedProducts  []string       `json:"deleted_products"`
	Prices           []Price        `json:"prices"`
	DeletedPrices    []string       `json:"deleted_prices"`
	Coupons          []Coupon       `json:"coupons"`
	DeletedCoupons   []string       `json:"deleted_coupons"`
	Discounts        []Discount     `json:"discounts"`
	RemovedDiscounts []string       `json:"removed_discounts"`
	Subscriptions    []Subscription `json:"subscriptions"`
	Invoices         []Invoice      `json:"invoices"`
	DeletedInvoices  []string       `json:"deleted_invoices"`
	CreditNotes      []CreditNote   `json:"credit_notes"`
	// Events is how many events /v1/events still lists.
	Events int `json:"events"`
}

// State returns a deep copy of the ground truth.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneEvents()
	var out State
	ids := make([]string, 0, len(s.st.byID))
	for id := range s.st.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rec := s.st.byID[id]
		switch o := rec.obj.(type) {
		case *Customer:
			if rec.deleted {
				out.DeletedCustomers = append(out.DeletedCustomers, id)
			} else {
				out.Customers = append(out.Customers, o.clone())
			}
		case *Product:
			if rec.deleted {
				out.DeletedProducts = append(out.DeletedProducts, id)
			} else {
				out.Products = append(out.Products, o.clone())
			}
		case *Price:
			if rec.deleted {
				out.DeletedPrices = append(out.DeletedPrices, id)
			} else {
				out.Prices = append(out.Prices, o.clone())
			}
		case *Coupon:
			if rec.deleted {
				out.DeletedCoupons = append(out.DeletedCoupons, id)
			} else {
				out.Coupons = append(out.Coupons, o.clone())
			}
		case *Discount:
			if rec.deleted {
				out.RemovedDiscounts = append(out.RemovedDiscounts, id)
			} else {
				out.Discounts = append(out.Discounts, *o)
			}
		case *Subscription:
			out.Subscriptions = append(out.Subscriptions, o.clone())
		case *Invoice:
			if rec.deleted {
				out.DeletedInvoices = append(out.DeletedInvoices, id)
			} else {
				out.Invoices = append(out.Invoices, o.clone())
			}
		case *CreditNote:
			out.CreditNotes = append(out.CreditNotes, o.clone())
		}
	}
	out.Events = len(s.st.events)
	return out
}

// Mutation is the body of POST /__fake/stripe/mutate.
type Mutation struct {
	// Op is one of delete_customer, cancel_subscription, delete_invoice, delete_product,
	// delete_price, delete_coupon, remove_discount, void_credit_note.
	Op string `json:"op"`
	ID string `json:"id"`
}

// Apply performs a Mutation.
func (s *Server) Apply(m Mutation) error {
	switch m.Op {
	case "delete_customer":
		return s.DeleteCustomer(m.ID)
	case "cancel_subscription":
		return s.CancelSubscription(m.ID)
	case "delete_invoice":
		return s.DeleteInvoice(m.ID)
	case "delete_product":
		return s.DeleteProduct(m.ID)
	case "delete_price":
		return s.DeletePrice(m.ID)
	case "delete_coupon":
		return s.DeleteCoupon(m.ID)
	case "remove_discount":
		return s.RemoveDiscount(m.ID)
	case "void_credit_note":
		return s.VoidCreditNote(m.ID)
	}
	return fmt.Errorf("stripe fake: unknown mutation op %q", m.Op)
}

func (s *Server) registerAdmin() {
	s.HandleAdmin("GET /__fake/stripe/state", fakeapi.AdminGet(s.State))
	s.HandleAdmin("POST /__fake/stripe/seed", fakeapi.AdminBody(func(o SeedOptions) (any, error) {
		res, err := s.Seed(o)
		if err != nil {
			return nil, err
		}
		return res, nil
	}))
	type version = struct { // an alias: decode errors name the struct literal, as before
		APIVersion string `json:"api_version"`
	}
	s.HandleAdmin("PUT /__fake/stripe/version", fakeapi.AdminBody(func(body version) (any, error) {
		if !versionRE.MatchString(body.APIVersion) {
			return nil, fmt.Errorf("api_version %q is not a Stripe API version", body.APIVersion)
		}
		s.SetAPIVersion(body.APIVersion)
		return body, nil
	}))
	s.HandleAdmin("POST /__fake/stripe/script", fakeapi.AdminBody(func(sc Scripted) (any, error) {
		if err := fakeapi.CheckScriptedStatus(sc.Status); err != nil {
			return nil, err
		}
		s.Script(sc)
		return nil, nil
	}))
	s.HandleAdmin("POST /__fake/stripe/mutate", fakeapi.AdminBody(func(m Mutation) (any, error) {
		return nil, s.Apply(m)
	}))
}
