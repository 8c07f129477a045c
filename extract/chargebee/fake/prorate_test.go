package fake

import (
	"testing"
	"time"
)

// TestChangeSubscriptionProrates: a mid-term increase is invoiced for the rest of the term; a
// decrease (seats removed, an addon taken off, a plan replaced) is credited by an adjustment
// credit note of reason subscription_change, with a line per credited item and no invoice line;
// the credit note's lines are served by GET /api/v2/credit_notes.
func TestChangeSubscriptionProrates(t *testing.T) {
	clock := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f := newT(t, Options{})
	fam := must[ItemFamily](t)(f.srv.CreateItemFamily(ItemFamily{Name: "Main"}))
	pro := must[Item](t)(f.srv.CreateItem(Item{Name: "Pro", ItemFamilyID: fam.ID}))
	basic := must[Item](t)(f.srv.CreateItem(Item{Name: "Basic", ItemFamilyID: fam.ID}))
	seats := must[Item](t)(f.srv.CreateItem(Item{Name: "Seats", Type: "addon", ItemFamilyID: fam.ID}))
	proM := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: pro.ID, CurrencyCode: "USD", Price: 3000}))
	basicM := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: basic.ID, CurrencyCode: "USD", Price: 1000}))
	seatsM := must[ItemPrice](t)(f.srv.CreateItemPrice(ItemPrice{ItemID: seats.ID, CurrencyCode: "USD", Price: 500}))
	cus := must[Customer](t)(f.srv.CreateCustomer(Customer{Email: "a@b", PreferredCurrencyCode: "USD"}))
	// A term of 30 days (1 June to 1 July); changes on 16 June leave half of it.
	sub := must[Subscription](t)(f.srv.CreateSubscription(Subscription{CustomerID: cus.ID, Items: []SubscriptionItem{
		{ItemPriceID: proM.ID, Quantity: 4}, {ItemPriceID: seatsM.ID, Quantity: 2}}}))
	if _, err := f.srv.ChangeSubscription(sub.ID, func(s *Subscription) { s.Items[0].Quantity = 3 }); err != nil {
		t.Fatal(err)
	}
	if tr := f.srv.Truth(); len(tr.CreditNotes) != 0 || len(tr.Invoices) != 0 {
		t.Fatalf("a change at the term's start, or with nothing invoiced, raised %+v %+v", tr.Invoices, tr.CreditNotes)
	}
	must[Invoice](t)(f.srv.CreateInvoice(Invoice{CustomerID: cus.ID, SubscriptionID: sub.ID, LineItems: []LineItem{
		{EntityID: proM.ID, UnitAmount: 3000, Quantity: 3}, {EntityID: seatsM.ID, UnitAmount: 500, Quantity: 2}}}))
	f.srv.Clock.Advance(clock.AddDate(0, 0, 15).Sub(f.srv.Clock.Now()))
	now := f.srv.Clock.Now().Unix()
	end := clock.AddDate(0, 1, 0).Unix()

	// Seats added: invoiced for the added quantity.
	up := must[Change](t)(f.srv.ChangeSubscription(sub.ID, func(s *Subscription) { s.Items[0].Quantity = 5 }))
	if up.CreditNote != nil || up.Invoice == nil || len(up.Invoice.LineItems) != 1 {
		t.Fatalf("seats added: %+v", up)
	}
	if l := up.Invoice.LineItems[0]; l.EntityID != proM.ID || l.Quantity != 2 || l.UnitAmount != 3000 || l.Amount != 3000 ||
		l.DateFrom != now || l.DateTo != end || l.EntityType != "plan_item_price" {
		t.Errorf("seats added: line %+v", l)
	}
	// Seats removed and the addon taken off: a credit note, no invoice.
	down := must[Change](t)(f.srv.ChangeSubscription(sub.ID, func(s *Subscription) {
		s.Items = s.Items[:1]
		s.Items[0].Quantity = 1
	}))
	if down.Invoice != nil || down.CreditNote == nil {
		t.Fatalf("seats removed: %+v", down)
	}
	cn := *down.CreditNote
	if cn.Type != "adjustment" || cn.ReasonCode != "subscription_change" || cn.Status != "adjusted" || cn.Date != now ||
		cn.SubscriptionID != sub.ID || len(cn.LineItems) != 2 || cn.Total != 6000+500 {
		t.Fatalf("credit note: %+v", cn)
	}
	if l := cn.LineItems[0]; l.EntityID != proM.ID || l.Quantity != 4 || l.UnitAmount != 3000 || l.Amount != 6000 ||
		l.DateFrom != now || l.DateTo != end || l.SubscriptionID != sub.ID || l.EntityType != "plan_item_price" {
		t.Errorf("seats removed: line %+v", l)
	}
	if l := cn.LineItems[1]; l.EntityID != seatsM.ID || l.Quantity != 2 || l.Amount != 500 || l.EntityType != "addon_item_price" {
		t.Errorf("addon taken off: line %+v", l)
	}
	// A plan replaced by a cheaper one: the old plan credited, the new one invoiced.
	swap := must[Change](t)(f.srv.ChangeSubscription(sub.ID, func(s *Subscription) {
		s.Items = []SubscriptionItem{{ItemPriceID: basicM.ID}}
	}))
	if swap.CreditNote == nil || len(swap.CreditNote.LineItems) != 1 || swap.CreditNote.LineItems[0].EntityID != proM.ID ||
		swap.CreditNote.LineItems[0].Amount != 1500 || swap.Invoice == nil || swap.Invoice.LineItems[0].EntityID != basicM.ID ||
		swap.Invoice.LineItems[0].Amount != 500 {
		t.Errorf("plan replaced: %+v", swap)
	}

	// Served: the credit note's lines, as Chargebee renders them.
	code, _, body := f.get("/api/v2/credit_notes?limit=10&sort_by[asc]=updated_at")
	list, _ := body["list"].([]any)
	if code != 200 || len(list) != 2 {
		t.Fatalf("list: %d %v", code, body)
	}
	rendered := list[0].(map[string]any)["credit_note"].(map[string]any)
	lines, _ := rendered["line_items"].([]any)
	if rendered["id"] != cn.ID || rendered["reason_code"] != "subscription_change" || len(lines) != 2 {
		t.Fatalf("credit note: %v", rendered)
	}
	l := lines[0].(map[string]any)
	if l["id"] != cn.LineItems[0].ID || l["entity_type"] != "plan_item_price" || l["entity_id"] != proM.ID ||
		l["subscription_id"] != sub.ID || l["date_from"] != float64(now) || l["date_to"] != float64(end) ||
		l["quantity"] != float64(4) || l["amount"] != float64(6000) || l["customer_id"] != cus.ID {
		t.Errorf("line: %v", l)
	}
}
