package fake

// admin.go: the ground truth (Truth) and the fake's own admin endpoints under /__fake/chargebee/.

import (
	"fmt"
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
	s.HandleAdmin("GET /__fake/chargebee/truth", fakeapi.AdminGet(s.Truth))
	s.HandleAdmin("POST /__fake/chargebee/seed", fakeapi.AdminBody(func(o SeedOptions) (any, error) {
		res, err := s.Seed(o)
		if err != nil {
			return nil, err
		}
		return res, nil
	}))
	type rateLimit = struct { // an alias: decode errors name the struct literal, as before
		PerMinute  int            `json:"per_minute"`
		RetryAfter RetryAfterMode `json:"retry_after"`
	}
	s.HandleAdmin("PUT /__fake/chargebee/rate_limit", fakeapi.AdminBody(func(body rateLimit) (any, error) {
		switch body.RetryAfter {
		case "", RetryAfterAlways, RetryAfterNever, RetryAfterSometimes:
		default:
			return nil, fmt.Errorf("retry_after %q: want always, never or sometimes", body.RetryAfter)
		}
		s.SetRateLimit(body.PerMinute, body.RetryAfter)
		return body, nil
	}))
	s.HandleAdmin("POST /__fake/chargebee/script", fakeapi.AdminBody(func(sc Scripted) (any, error) {
		if err := fakeapi.CheckScriptedStatus(sc.Status); err != nil {
			return nil, err
		}
		s.Script(sc)
		return nil, nil
	}))
	s.HandleAdmin("POST /__fake/chargebee/mutate", fakeapi.AdminBody(func(m Mutation) (any, error) {
		return nil, s.Apply(m)
	}))
	s.HandleAdmin("PUT /__fake/chargebee/drift", fakeapi.AdminBody(func(d Drift) (any, error) {
		if d.Kind == "" {
			return nil, fmt.Errorf("kind is required (customer, subscription, subscription_item, line_item, …)")
		}
		s.SetDrift(d.Kind, d.Add, d.Hide)
		return nil, nil
	}))
}
