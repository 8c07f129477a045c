package fake

// store.go: the in-memory state behind the Server — every resource by kind and id with its
// internal id (the second element of next_offset), id generation, resource versions — and the
// generic create, update and delete every resource's Go API shares. Callers hold Server.mu.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Resource kinds, as Chargebee names them (the key that wraps each list element).
const (
	kindCustomer     = "customer"
	kindItemFamily   = "item_family"
	kindItem         = "item"
	kindItemPrice    = "item_price"
	kindCoupon       = "coupon"
	kindSubscription = "subscription"
	kindInvoice      = "invoice"
	kindCreditNote   = "credit_note"
)

// internalIDBase is where internal ids start; they look like Chargebee's ("205000000019").
const internalIDBase = 205_000_000_000

// object is what every resource type implements (on its pointer).
type object interface {
	ident() *string
	stamps() *Stamps
}

func (c *Customer) ident() *string      { return &c.ID }
func (c *Customer) stamps() *Stamps     { return &c.Stamps }
func (f *ItemFamily) ident() *string    { return &f.ID }
func (f *ItemFamily) stamps() *Stamps   { return &f.Stamps }
func (i *Item) ident() *string          { return &i.ID }
func (i *Item) stamps() *Stamps         { return &i.Stamps }
func (p *ItemPrice) ident() *string     { return &p.ID }
func (p *ItemPrice) stamps() *Stamps    { return &p.Stamps }
func (c *Coupon) ident() *string        { return &c.ID }
func (c *Coupon) stamps() *Stamps       { return &c.Stamps }
func (s *Subscription) ident() *string  { return &s.ID }
func (s *Subscription) stamps() *Stamps { return &s.Stamps }
func (in *Invoice) ident() *string      { return &in.ID }
func (in *Invoice) stamps() *Stamps     { return &in.Stamps }
func (cn *CreditNote) ident() *string   { return &cn.ID }
func (cn *CreditNote) stamps() *Stamps  { return &cn.Stamps }

// record is one resource with its bookkeeping.
type record struct {
	kind string
	// seq is the internal id: fixed for the record's life, it breaks ties in every order.
	seq int64
	// created is the creation time used by the default order (newest first).
	created int64
	obj     object
}

type store struct {
	seq      int64
	rv       int64
	counters map[string]int64
	byKind   map[string]map[string]*record
}

func newStore() *store {
	return &store{counters: map[string]int64{}, byKind: map[string]map[string]*record{}}
}

// get returns the record of kind and id (deleted or not), or nil.
func (st *store) get(kind, id string) *record { return st.byKind[kind][id] }

// live returns the record of kind and id unless it is missing or deleted.
func (st *store) live(kind, id string) *record {
	r := st.get(kind, id)
	if r == nil || r.obj.stamps().Deleted {
		return nil
	}
	return r
}

// all returns every record of kind (deleted ones too), by internal id.
func (st *store) all(kind string) []*record {
	out := make([]*record, 0, len(st.byKind[kind]))
	for _, r := range st.byKind[kind] {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (st *store) put(kind string, created int64, o object) {
	st.seq++
	m := st.byKind[kind]
	if m == nil {
		m = map[string]*record{}
		st.byKind[kind] = m
	}
	m[*o.ident()] = &record{kind: kind, seq: internalIDBase + st.seq, created: created, obj: o}
}

// nextRV returns a fresh resource version: the clock's milliseconds, strictly increasing.
func (st *store) nextRV(now time.Time) int64 {
	ms := now.UnixMilli()
	if ms <= st.rv {
		ms = st.rv + 1
	}
	st.rv = ms
	return ms
}

// count returns the next value of a per-kind counter (1, 2, …).
func (st *store) count(name string) int64 {
	st.counters[name]++
	return st.counters[name]
}

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// opaqueID returns a 16-character id like Chargebee's ("AzZlGJTkdLj3b1Js"): ten scrambled
// characters then n in base 62, so ids are unique but never sort by age.
func opaqueID(n int64) string {
	x := uint64(n)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	b := make([]byte, 16)
	for i := 0; i < 10; i++ {
		b[i] = alphabet[x%62]
		x /= 62
		if x == 0 {
			x = uint64(n) + 0x9E37
		}
	}
	m := uint64(n)
	for i := 15; i >= 10; i-- {
		b[i] = alphabet[m%62]
		m /= 62
	}
	return string(b)
}

// slug turns a name into a catalog id ("Growth Plan" → "growth-plan").
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// uniqueID returns base, or base-2, base-3, … when taken (catalog ids chosen from names).
func (st *store) uniqueID(kind, base string) string {
	id := base
	for n := 2; st.get(kind, id) != nil; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// deepCopy copies a resource value, slices and maps included (the types are plain data).
func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("chargebee fake: copy %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("chargebee fake: copy %T: %v", v, err))
	}
	return out
}

// errNotFound is the error of a Go API call on an unknown id.
func errNotFound(kind, id string) error {
	return fmt.Errorf("chargebee fake: no %s %q", strings.ReplaceAll(kind, "_", " "), id)
}

// stamp marks a change: UpdatedAt (at, or the clock when 0) and a fresh ResourceVersion.
func (s *Server) stamp(st *Stamps, at int64) {
	if at == 0 {
		at = s.now()
	}
	st.UpdatedAt = at
	st.ResourceVersion = s.st.nextRV(s.Clock.Now())
}

// prepareFunc validates a resource and fills its defaults and maintained fields; old is nil
// on create, else the current value (the update must keep its immutable fields).
type prepareFunc[P any] func(s *Server, p, old P) error

// create stores a new resource. A non-zero UpdatedAt backdates its stamp (a late commit).
func create[T any, P interface {
	*T
	object
}](s *Server, kind string, v T, prepare prepareFunc[P], created func(P) int64) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v = deepCopy(v)
	p := P(&v)
	if err := prepare(s, p, nil); err != nil {
		return *new(T), err
	}
	if s.st.get(kind, *p.ident()) != nil {
		return *new(T), fmt.Errorf("chargebee fake: %s %q already exists", strings.ReplaceAll(kind, "_", " "), *p.ident())
	}
	at := p.stamps().UpdatedAt
	*p.stamps() = Stamps{}
	s.stamp(p.stamps(), at)
	s.st.put(kind, created(p), p)
	return deepCopy(v), nil
}

// update applies f to a copy of the live resource, keeps its id and stamps, prepares it again
// and stores it with a fresh stamp.
func update[T any, P interface {
	*T
	object
}](s *Server, kind, id string, f func(*T), prepare prepareFunc[P]) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.get(kind, id)
	if rec == nil {
		return *new(T), errNotFound(kind, id)
	}
	cur := rec.obj.(P)
	if cur.stamps().Deleted {
		return *new(T), fmt.Errorf("chargebee fake: %s %q is deleted", strings.ReplaceAll(kind, "_", " "), id)
	}
	next := deepCopy(*(*T)(cur))
	np := P(&next)
	f(&next)
	*np.ident() = *cur.ident()
	*np.stamps() = *cur.stamps()
	if err := prepare(s, np, cur); err != nil {
		return *new(T), err
	}
	s.stamp(np.stamps(), 0)
	rec.obj = np
	return deepCopy(next), nil
}

// remove marks a live resource deleted (after onDelete, which may change it) with a fresh stamp.
func (s *Server) remove(kind, id string, onDelete func(o object)) error {
	rec := s.st.live(kind, id)
	if rec == nil {
		if s.st.get(kind, id) != nil {
			return fmt.Errorf("chargebee fake: %s %q is already deleted", strings.ReplaceAll(kind, "_", " "), id)
		}
		return errNotFound(kind, id)
	}
	if onDelete != nil {
		onDelete(rec.obj)
	}
	rec.obj.stamps().Deleted = true
	s.stamp(rec.obj.stamps(), 0)
	return nil
}
