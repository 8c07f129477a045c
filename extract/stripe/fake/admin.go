package fake

// admin.go: the ground truth (State) and the fake's own admin endpoints under /__fake/stripe/.

import (
	"fmt"
	"net/http"
	"sort"
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
	bad := func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), http.StatusBadRequest) }
	s.HandleAdmin("GET /__fake/stripe/state", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, s.State())
	})
	s.HandleAdmin("POST /__fake/stripe/seed", func(w http.ResponseWriter, r *http.Request) {
		var o SeedOptions
		if err := decodeStrict(r, &o); err != nil {
			bad(w, err)
			return
		}
		res, err := s.Seed(o)
		if err != nil {
			bad(w, err)
			return
		}
		writeAdminJSON(w, res)
	})
	s.HandleAdmin("PUT /__fake/stripe/version", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			APIVersion string `json:"api_version"`
		}
		if err := decodeStrict(r, &body); err != nil {
			bad(w, err)
			return
		}
		if !versionRE.MatchString(body.APIVersion) {
			bad(w, fmt.Errorf("api_version %q is not a Stripe API version", body.APIVersion))
			return
		}
		s.SetAPIVersion(body.APIVersion)
		writeAdminJSON(w, body)
	})
	s.HandleAdmin("POST /__fake/stripe/script", func(w http.ResponseWriter, r *http.Request) {
		var sc Scripted
		if err := decodeStrict(r, &sc); err != nil {
			bad(w, err)
			return
		}
		if sc.Status < 400 || sc.Status > 599 {
			bad(w, fmt.Errorf("status %d: want a 4xx or 5xx", sc.Status))
			return
		}
		s.Script(sc)
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleAdmin("POST /__fake/stripe/mutate", func(w http.ResponseWriter, r *http.Request) {
		var m Mutation
		if err := decodeStrict(r, &m); err != nil {
			bad(w, err)
			return
		}
		if err := s.Apply(m); err != nil {
			bad(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
