package fake

// admin.go: the ground truth (Truth), mutations by name (Mutation) and the fake's own admin
// endpoints under /__fake/zuora/.

import (
	"fmt"

	"github.com/revops/revops/internal/fakeapi"
)

// Truth is the fake's ground truth: every object that queries can return, each list sorted by
// id. Subscriptions holds every version.
type Truth struct {
	Accounts               []Account               `json:"accounts"`
	Contacts               []Contact               `json:"contacts"`
	Products               []Product               `json:"products"`
	ProductRatePlans       []ProductRatePlan       `json:"product_rate_plans"`
	ProductRatePlanCharges []ProductRatePlanCharge `json:"product_rate_plan_charges"`
	Subscriptions          []Subscription          `json:"subscriptions"`
	RatePlans              []RatePlan              `json:"rate_plans"`
	RatePlanCharges        []RatePlanCharge        `json:"rate_plan_charges"`
	Invoices               []Invoice               `json:"invoices"`
	InvoiceItems           []InvoiceItem           `json:"invoice_items"`
}

func collect[T any](s *Server, object string) []T {
	ids := s.st.ids(object)
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, cloneObj(*s.st.get(object, id).(*T)))
	}
	return out
}

// Truth returns a deep copy of the ground truth.
func (s *Server) Truth() Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Truth{
		Accounts:               collect[Account](s, ObjAccount),
		Contacts:               collect[Contact](s, ObjContact),
		Products:               collect[Product](s, ObjProduct),
		ProductRatePlans:       collect[ProductRatePlan](s, ObjProductRatePlan),
		ProductRatePlanCharges: collect[ProductRatePlanCharge](s, ObjProductRatePlanCharge),
		Subscriptions:          collect[Subscription](s, ObjSubscription),
		RatePlans:              collect[RatePlan](s, ObjRatePlan),
		RatePlanCharges:        collect[RatePlanCharge](s, ObjRatePlanCharge),
		Invoices:               collect[Invoice](s, ObjInvoice),
		InvoiceItems:           collect[InvoiceItem](s, ObjInvoiceItem),
	}
}

// Mutation is the body of POST /__fake/zuora/mutate.
type Mutation struct {
	// Op is one of cancel_subscription (Name, Date), amend_quantity (Name, ChargeNumber,
	// Quantity, Date), delete_subscription (Name), delete_account, delete_contact,
	// delete_invoice, delete_product (ID), touch (Object, ID: a no-op save).
	Op           string `json:"op"`
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Object       string `json:"object,omitempty"`
	Date         string `json:"date,omitempty"`
	ChargeNumber string `json:"charge_number,omitempty"`
	Quantity     string `json:"quantity,omitempty"`
}

// Mutate performs a Mutation.
func (s *Server) Mutate(m Mutation) error {
	switch m.Op {
	case "cancel_subscription":
		_, err := s.Cancel(m.Name, m.Date, s.now())
		return err
	case "amend_quantity":
		_, err := s.Amend(m.Name, Amendment{EffectiveDate: m.Date,
			Update: []ChargeUpdate{{ChargeNumber: m.ChargeNumber, Quantity: m.Quantity}}})
		return err
	case "delete_subscription":
		return s.DeleteSubscription(m.Name)
	case "delete_account":
		return s.DeleteAccount(m.ID)
	case "delete_contact":
		return s.DeleteContact(m.ID)
	case "delete_invoice":
		return s.DeleteInvoice(m.ID)
	case "delete_product":
		return s.DeleteProduct(m.ID)
	case "touch":
		s.mu.Lock()
		obj, ok := s.st.lower[lowerASCII(m.Object)]
		s.mu.Unlock()
		if !ok {
			return fmt.Errorf("zuora fake: unknown object %q", m.Object)
		}
		return s.Touch(obj, m.ID, s.now())
	}
	return fmt.Errorf("zuora fake: unknown mutation op %q", m.Op)
}

func lowerASCII(v string) string {
	b := []byte(v)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func (s *Server) registerAdmin() {
	s.HandleAdmin("GET /__fake/zuora/truth", fakeapi.AdminGet(s.Truth))
	s.HandleAdmin("POST /__fake/zuora/seed", fakeapi.AdminBody(func(o SeedOptions) (any, error) {
		res, err := s.Seed(o)
		if err != nil {
			return nil, err
		}
		return res, nil
	}))
	s.HandleAdmin("POST /__fake/zuora/script", fakeapi.AdminBody(func(sc Scripted) (any, error) {
		if err := fakeapi.CheckScriptedStatus(sc.Status); err != nil {
			return nil, err
		}
		s.Script(sc)
		return nil, nil
	}))
	s.HandleAdmin("POST /__fake/zuora/mutate", fakeapi.AdminBody(func(m Mutation) (any, error) {
		return nil, s.Mutate(m)
	}))
	s.HandleAdmin("PUT /__fake/zuora/settings", fakeapi.AdminBody(func(set Settings) (any, error) {
		return nil, s.Apply(set)
	}))
}
