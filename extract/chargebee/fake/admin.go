package fake

// admin.go: the ground truth (Truth) and the fake's own admin endpoints under /__fake/chargebee/.

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/revops/revops/internal/fakeapi"
)

// Truth is the fake's ground truth: every resource, deleted ones included (Deleted set),
// sorted by id.
type Truth struct {
	Customers     []Customer     `json:"customers"`
	ItemFamilies  []ItemFamily   `json:"item_families"`
	Items         []Item         `json:"items"`
	ItemPrices    []ItemPrice    `json:"item_prices"`
	Coupons       []Coupon       `json:"coupons"`
	Subscriptions []Subscription `json:"subscriptions"`
	Invoices      []Invoice      `json:"invoices"`
	CreditNotes   []CreditNote   `json:"credit_notes"`
}

// truthOf copies the resources of kind, sorted by id; callers hold mu.
func truthOf[T any](s *Server, kind string) []T {
	recs := s.st.all(kind)
	sort.Slice(recs, func(i, j int) bool { return *recs[i].obj.ident() < *recs[j].obj.ident() })
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		out = append(out, deepCopy(*any(r.obj).(*T)))
	}
	return out
}

// Truth returns a deep copy of the ground truth.
func (s *Server) Truth() Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Truth{
		Customers:     truthOf[Customer](s, kindCustomer),
		ItemFamilies:  truthOf[ItemFamily](s, kindItemFamily),
		Items:         truthOf[Item](s, kindItem),
		ItemPrices:    truthOf[ItemPrice](s, kindItemPrice),
		Coupons:       truthOf[Coupon](s, kindCoupon),
		Subscriptions: truthOf[Subscription](s, kindSubscription),
		Invoices:      truthOf[Invoice](s, kindInvoice),
		CreditNotes:   truthOf[CreditNote](s, kindCreditNote),
	}
}

// Mutation is the body of POST /__fake/chargebee/mutate.
type Mutation struct {
	// Op is one of delete_customer, delete_item_family, delete_item, delete_item_price,
	// delete_coupon, delete_subscription, cancel_subscription, delete_invoice, void_invoice,
	// delete_credit_note.
	Op string `json:"op"`
	ID string `json:"id"`
}

// Apply performs a Mutation.
func (s *Server) Apply(m Mutation) error {
	var err error
	switch m.Op {
	case "delete_customer":
		err = s.DeleteCustomer(m.ID)
	case "delete_item_family":
		err = s.DeleteItemFamily(m.ID)
	case "delete_item":
		err = s.DeleteItem(m.ID)
	case "delete_item_price":
		err = s.DeleteItemPrice(m.ID)
	case "delete_coupon":
		err = s.DeleteCoupon(m.ID)
	case "delete_subscription":
		err = s.DeleteSubscription(m.ID)
	case "cancel_subscription":
		_, err = s.CancelSubscription(m.ID, "")
	case "delete_invoice":
		err = s.DeleteInvoice(m.ID)
	case "void_invoice":
		_, err = s.VoidInvoice(m.ID)
	case "delete_credit_note":
		err = s.DeleteCreditNote(m.ID)
	default:
		err = fmt.Errorf("chargebee fake: unknown mutation op %q", m.Op)
	}
	return err
}

// Drift is the body of PUT /__fake/chargebee/drift (see SetDrift).
type Drift struct {
	Kind string         `json:"kind"`
	Add  map[string]any `json:"add"`
	Hide []string       `json:"hide"`
}

func (s *Server) registerAdmin() {
	bad := func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), http.StatusBadRequest) }
	ok := func(w http.ResponseWriter, v any) { writeAdminJSON(w, v) }
	s.HandleAdmin("GET /__fake/chargebee/truth", func(w http.ResponseWriter, r *http.Request) {
		ok(w, s.Truth())
	})
	s.HandleAdmin("POST /__fake/chargebee/seed", func(w http.ResponseWriter, r *http.Request) {
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
		ok(w, res)
	})
	s.HandleAdmin("PUT /__fake/chargebee/rate_limit", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			PerMinute  int            `json:"per_minute"`
			RetryAfter RetryAfterMode `json:"retry_after"`
		}
		if err := decodeStrict(r, &body); err != nil {
			bad(w, err)
			return
		}
		switch body.RetryAfter {
		case "", RetryAfterAlways, RetryAfterNever, RetryAfterSometimes:
		default:
			bad(w, fmt.Errorf("retry_after %q: want always, never or sometimes", body.RetryAfter))
			return
		}
		s.SetRateLimit(body.PerMinute, body.RetryAfter)
		ok(w, body)
	})
	s.HandleAdmin("POST /__fake/chargebee/script", func(w http.ResponseWriter, r *http.Request) {
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
	s.HandleAdmin("POST /__fake/chargebee/mutate", func(w http.ResponseWriter, r *http.Request) {
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
	s.HandleAdmin("PUT /__fake/chargebee/drift", func(w http.ResponseWriter, r *http.Request) {
		var d Drift
		if err := decodeStrict(r, &d); err != nil {
			bad(w, err)
			return
		}
		if d.Kind == "" {
			bad(w, fmt.Errorf("kind is required (customer, subscription, subscription_item, line_item, …)"))
			return
		}
		s.SetDrift(d.Kind, d.Add, d.Hide)
		w.WriteHeader(http.StatusNoContent)
	})
}

// writeAdminJSON writes an admin response.
func writeAdminJSON(w http.ResponseWriter, v any) {
	fakeapi.WriteJSON(w, http.StatusOK, v)
}
