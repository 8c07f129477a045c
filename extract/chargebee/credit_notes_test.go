package chargebee

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/extract/chargebee/fake"
)

// creditSite adds to e's fake n customers, each with a subscription of 4 plan seats (10.00
// each) and 2 addon seats (5.00 each) whose monthly term began ten days ago, and its invoice;
// it returns the subscriptions.
func (e *env) creditSite(n int) []fake.Subscription {
	t := e.t
	t.Helper()
	fam := must[fake.ItemFamily](t)(e.fake.CreateItemFamily(fake.ItemFamily{Name: "Credits"}))
	plan := must[fake.Item](t)(e.fake.CreateItem(fake.Item{Name: "Team", ItemFamilyID: fam.ID}))
	addon := must[fake.Item](t)(e.fake.CreateItem(fake.Item{Name: "Storage", Type: "addon", ItemFamilyID: fam.ID}))
	planPrice := must[fake.ItemPrice](t)(e.fake.CreateItemPrice(fake.ItemPrice{ItemID: plan.ID, CurrencyCode: "USD", Price: 1000}))
	addonPrice := must[fake.ItemPrice](t)(e.fake.CreateItemPrice(fake.ItemPrice{ItemID: addon.ID, CurrencyCode: "USD", Price: 500}))
	start := e.clock.Now().Add(-10 * 24 * time.Hour).Unix()
	var subs []fake.Subscription
	for i := range n {
		c := must[fake.Customer](t)(e.fake.CreateCustomer(fake.Customer{Email: fmt.Sprintf("c%d@credit.example", i),
			PreferredCurrencyCode: "USD"}))
		s := must[fake.Subscription](t)(e.fake.CreateSubscription(fake.Subscription{CustomerID: c.ID, CreatedAt: start,
			Items: []fake.SubscriptionItem{{ItemPriceID: planPrice.ID, Quantity: 4}, {ItemPriceID: addonPrice.ID, Quantity: 2}}}))
		must[fake.Invoice](t)(e.fake.CreateInvoice(fake.Invoice{CustomerID: c.ID, SubscriptionID: s.ID, Date: start,
			LineItems: []fake.LineItem{{EntityID: planPrice.ID, UnitAmount: 1000, Quantity: 4, DateFrom: start, DateTo: s.CurrentTermEnd},
				{EntityID: addonPrice.ID, UnitAmount: 500, Quantity: 2, DateFrom: start, DateTo: s.CurrentTermEnd}}}))
		subs = append(subs, s)
	}
	return subs
}

// decrease removes seats from a subscription mid-term (and, when dropAddon, its addon): the
// fake credits the unused time with a credit note of reason subscription_change.
func (e *env) decrease(sub fake.Subscription, seats int64, dropAddon bool) fake.CreditNote {
	e.t.Helper()
	ch := must[fake.Change](e.t)(e.fake.ChangeSubscription(sub.ID, func(s *fake.Subscription) {
		s.Items[0].Quantity -= seats
		if dropAddon {
			s.Items = s.Items[:1]
		}
	}))
	if ch.CreditNote == nil || ch.Invoice != nil {
		e.t.Fatalf("decrease of %s: %+v", sub.ID, ch)
	}
	return *ch.CreditNote
}

// TestCreditNoteLineItems: the credit_note_line_items stream reads the lines of every credit
// note — a mid-term decrease's subscription_change lines (item, quantity, unit amount, the
// unused time [date_from, date_to)) and other credits' lines — through GET /api/v2/credit_notes,
// paged with next_offset, in full and then incrementally from updated_at[after] with
// include_deleted: only the changed credit notes' lines are read again, a voided note's lines
// carry its new status and version, a deleted note's lines are flagged deleted.
func TestCreditNoteLineItems(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(12, fake.SeedOptions{}) // credit notes of refunds: one adhoc line each
	subs := e.creditSite(6)
	e.clock.Advance(time.Hour)
	var notes []fake.CreditNote
	for i, s := range subs[:5] {
		notes = append(notes, e.decrease(s, 1+int64(i%3), i%2 == 0))
	}
	e.clock.Advance(time.Hour)
	src := e.source("page_size: 2\nobjects: [credit_notes, credit_note_line_items]\n")
	if got := src.Streams(); len(got) != 2 || got[1].Name != CreditNoteLineItems ||
		fmt.Sprint(got[1].PrimaryKey) != "[credit_note_id id]" || got[1].CursorField != "credit_note_updated_at" {
		t.Fatalf("streams: %+v", got)
	}
	var rec requests
	e.fake.OnPage(rec.add)
	w := newWarehouse(t)
	e.sync(src, w)
	e.check(w, true, CreditNotes, CreditNoteLineItems)
	pages := 0
	for _, p := range rec.of("credit_notes") {
		if p.Query.Get("include_deleted") != "true" || p.Query.Get("sort_by[asc]") != "updated_at" ||
			p.Query.Get("limit") != "2" || p.Query.Get("updated_at[after]") != "" {
			t.Errorf("full read: %v", p.Query)
		}
		if p.Number > 1 {
			pages++
		}
	}
	if len(w.tables[CreditNotes]) < 7 || pages < 3 {
		t.Fatalf("full read: %d credit notes, %d pages after the first", len(w.tables[CreditNotes]), pages)
	}
	// A decrease's lines: the seats removed and the addon taken off, over the rest of the term.
	first := notes[0]
	seats := w.tables[CreditNoteLineItems][first.ID+"/"+first.LineItems[0].ID]
	addon := w.tables[CreditNoteLineItems][first.ID+"/"+first.LineItems[1].ID]
	if seats == nil || addon == nil || len(first.LineItems) != 2 {
		t.Fatalf("lines of %s: %v %v", first.ID, seats, addon)
	}
	for col, want := range map[string]any{"credit_note_reason_code": "subscription_change", "credit_note_type": "adjustment",
		"credit_note_status": "adjusted", "subscription_id": subs[0].ID, "customer_id": subs[0].CustomerID,
		"entity_type": "plan_item_price", "quantity": int64(1), "unit_amount": "10.000000", "currency_code": "USD",
		"date_from": first.Date, "date_to": subs[0].CurrentTermEnd, "deleted": false} {
		if fmt.Sprint(seats[col]) != fmt.Sprint(want) {
			t.Errorf("seats line: %s = %v, want %v", col, seats[col], want)
		}
	}
	if addon["entity_type"] != "addon_item_price" || addon["quantity"] != int64(2) || addon["unit_amount"] != "5.000000" {
		t.Errorf("addon line: %v", addon)
	}

	// Incremental: a new decrease, a voided credit note, a deleted one.
	cursors := map[string]int64{}
	for stream, c := range w.cursors {
		var cur cursor
		noErr(t, json.Unmarshal(c, &cur))
		cursors[stream] = cur.UpdatedAt
	}
	e.clock.Advance(time.Hour)
	late := e.decrease(subs[5], 2, false)
	must[fake.CreditNote](t)(e.fake.UpdateCreditNote(notes[1].ID, func(cn *fake.CreditNote) { cn.Status = "voided" }))
	noErr(t, e.fake.DeleteCreditNote(notes[2].ID))
	e.clock.Advance(time.Second)
	rec = requests{}
	before := map[string]int{}
	for _, st := range src.Streams() {
		n := w.rows
		bs, err := e.read(src, st.Name, w.cursors[st.Name], 0)
		noErr(t, err)
		w.load(st, bs)
		before[st.Name] = w.rows - n
	}
	e.check(w, true, CreditNotes, CreditNoteLineItems)
	for _, p := range rec.of("credit_notes") {
		if want := strconv.FormatInt(cursors[CreditNoteLineItems]-1, 10); p.Query.Get("updated_at[after]") != want ||
			p.Query.Get("include_deleted") != "true" {
			t.Errorf("incremental read: %v, want updated_at[after]=%s", p.Query, want)
		}
	}
	wantLines := len(late.LineItems) + len(notes[1].LineItems) + len(notes[2].LineItems)
	if before[CreditNotes] != 3 || before[CreditNoteLineItems] != wantLines {
		t.Errorf("incremental read: %d credit notes, %d lines; want 3, %d", before[CreditNotes], before[CreditNoteLineItems], wantLines)
	}
	for _, l := range notes[2].LineItems {
		if r := w.tables[CreditNoteLineItems][notes[2].ID+"/"+l.ID]; r == nil || r["deleted"] != true {
			t.Errorf("line %s of the deleted credit note: %v", l.ID, r)
		}
	}
	for _, l := range notes[1].LineItems {
		if r := w.tables[CreditNoteLineItems][notes[1].ID+"/"+l.ID]; r == nil || r["credit_note_status"] != "voided" {
			t.Errorf("line %s of the voided credit note: %v", l.ID, r)
		}
	}
	if r := w.tables[CreditNoteLineItems][late.ID+"/"+late.LineItems[0].ID]; r == nil || r["quantity"] != int64(2) {
		t.Errorf("the new decrease's line: %v", r)
	}

	// A project that does not list the stream reads without it.
	if got := e.source("objects: [invoices, invoice_line_items]\n").Streams(); len(got) != 2 {
		t.Errorf("streams: %v", got)
	}
}
