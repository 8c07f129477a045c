package fake

// store.go: the in-memory state behind the Server — every object by id, the event log, id
// generation — and the helpers every mutation shares. Callers hold Server.mu.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Kinds of objects, as Stripe names them in "object".
const (
	kindCustomer     = "customer"
	kindProduct      = "product"
	kindPrice        = "price"
	kindCoupon       = "coupon"
	kindDiscount     = "discount"
	kindSubscription = "subscription"
	kindInvoice      = "invoice"
	kindCreditNote   = "credit_note"
)

// record is one object with its bookkeeping.
type record struct {
	kind    string
	id      string
	seq     uint64 // creation order; breaks ties of created in listings
	created int64
	// deleted marks a deleted customer, which Stripe still returns by id as
	// {"id":…,"object":"customer","deleted":true}; other kinds are removed from the store.
	deleted bool
	obj     any // *Customer, *Product, …
}

// event is one entry of the event log, frozen when it was recorded.
type event struct {
	seq        uint64
	id         string
	typ        string
	created    int64
	apiVersion string
	object     json.RawMessage
	previous   json.RawMessage // nil: none
	requestID  string
}

type store struct {
	seq    uint64
	byID   map[string]*record
	events []*event
}

func newStore() *store { return &store{byID: map[string]*record{}} }

// idPrefix is the id prefix of each kind.
func idPrefix(kind string) string {
	return map[string]string{
		kindCustomer: "cus_", kindProduct: "prod_", kindPrice: "price_", kindDiscount: "di_",
		kindSubscription: "sub_", kindInvoice: "in_", kindCreditNote: "cn_",
		"subscription_item": "si_", "line_item": "il_", "event": "evt_",
	}[kind]
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns a fresh id for kind. Ids look like Stripe's (a prefix and 14 base-62
// characters) and are deliberately not ordered: a client must never sort on them.
func (st *store) newID(kind string) string {
	st.seq++
	if kind == kindCoupon { // coupon ids are short and upper-case, as the dashboard makes them
		return scramble(st.seq, 4, 6, idAlphabet[:36])
	}
	return idPrefix(kind) + scramble(st.seq, 7, 7, idAlphabet)
}

// scramble renders n as hashLen pseudo-random characters followed by n's own digits over
// alphabet (digitLen of them, zero-padded), so ids are unique but do not sort by age.
func scramble(n uint64, hashLen, digitLen int, alphabet string) string {
	base := uint64(len(alphabet))
	x := n*0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D
	x ^= x >> 29
	b := make([]byte, hashLen+digitLen)
	for i := 0; i < hashLen; i++ {
		b[i] = alphabet[x%base]
		x /= base
	}
	m := n
	for i := hashLen + digitLen - 1; i >= hashLen; i-- {
		b[i] = alphabet[m%base]
		m /= base
	}
	return string(b)
}

// put stores a new object.
func (st *store) put(kind, id string, created int64, obj any) *record {
	st.seq++
	r := &record{kind: kind, id: id, seq: st.seq, created: created, obj: obj}
	st.byID[id] = r
	return r
}

// get returns the live record of id and kind, or nil.
func (st *store) get(kind, id string) *record {
	r := st.byID[id]
	if r == nil || r.kind != kind || r.deleted {
		return nil
	}
	return r
}

// all returns the live records of kind, newest first (created, then creation order).
func (st *store) all(kind string) []*record {
	var out []*record
	for _, r := range st.byID {
		if r.kind == kind && !r.deleted {
			out = append(out, r)
		}
	}
	sortNewestFirst(out)
	return out
}

func sortNewestFirst(rs []*record) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].created != rs[j].created {
			return rs[i].created > rs[j].created
		}
		return rs[i].seq > rs[j].seq
	})
}

// notFound is the error of a Go API call on an unknown id.
func notFound(kind, id string) error {
	return fmt.Errorf("stripe fake: no such %s: %q", strings.ReplaceAll(kind, "_", " "), id)
}

// diff returns the top-level attributes of before that differ in after (absent ones as null):
// Stripe's data.previous_attributes of an *.updated event.
func diff(before, after map[string]any) map[string]any {
	prev := map[string]any{}
	for k, v := range after {
		if old, ok := before[k]; !ok || !reflect.DeepEqual(normalize(old), normalize(v)) {
			prev[k] = old
		}
	}
	for k, old := range before {
		if _, ok := after[k]; !ok {
			prev[k] = old
		}
	}
	return prev
}

// normalize round-trips v through JSON so that equal renders compare equal.
func normalize(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
