package fake

// store.go: the in-memory tables behind the Server — every object by id, id generation, and
// the field tables (built by reflection from the zoql tags) that ZOQL evaluation and
// rendering share. Callers hold Server.mu.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// fkind is how a field is typed on the wire.
type fkind int

const (
	fText fkind = iota
	fDate
	fDecimal
	fInt
	fBool
	fDateTime
)

// fieldMeta is one ZOQL field of an object.
type fieldMeta struct {
	name   string // canonical spelling, as records carry it
	kind   fkind
	index  int  // struct field index; -1 for custom fields
	custom bool // a custom field, read from the object's custom map
}

// objectMeta describes one object type.
type objectMeta struct {
	name    string
	typ     reflect.Type
	fields  []*fieldMeta
	byLower map[string]*fieldMeta
	custom  int // index of the custom map field, -1 when none
}

func newObjectMeta(name string, sample any) *objectMeta {
	t := reflect.TypeOf(sample)
	m := &objectMeta{name: name, typ: t, byLower: map[string]*fieldMeta{}, custom: -1}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("zoql")
		if tag == "" || tag == "-" {
			continue
		}
		fname, opt, _ := strings.Cut(tag, ",")
		if opt == "custom" {
			m.custom = i
			continue
		}
		f := &fieldMeta{name: fname, index: i}
		switch {
		case opt == "date":
			f.kind = fDate
		case opt == "decimal":
			f.kind = fDecimal
		case sf.Type == reflect.TypeOf(time.Time{}):
			f.kind = fDateTime
		case sf.Type.Kind() == reflect.Int:
			f.kind = fInt
		case sf.Type.Kind() == reflect.Bool:
			f.kind = fBool
		}
		m.fields = append(m.fields, f)
		m.byLower[strings.ToLower(fname)] = f
	}
	return m
}

// store holds every object.
type store struct {
	seq   uint64
	rows  map[string]map[string]any // object → id → *T
	meta  map[string]*objectMeta
	lower map[string]string // lower-case object name → canonical
}

func newStore() *store {
	st := &store{rows: map[string]map[string]any{}, meta: map[string]*objectMeta{}, lower: map[string]string{}}
	for name, sample := range map[string]any{
		ObjAccount: Account{}, ObjContact: Contact{}, ObjProduct: Product{}, ObjProductRatePlan: ProductRatePlan{},
		ObjProductRatePlanCharge: ProductRatePlanCharge{}, ObjSubscription: Subscription{}, ObjRatePlan: RatePlan{},
		ObjRatePlanCharge: RatePlanCharge{}, ObjInvoice: Invoice{}, ObjInvoiceItem: InvoiceItem{},
	} {
		st.meta[name] = newObjectMeta(name, sample)
		st.rows[name] = map[string]any{}
		st.lower[strings.ToLower(name)] = name
	}
	return st
}

// mix is a bijection on uint64 (the splitmix64 finalizer): ids built from it are unique and
// do not sort by age.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newID returns a fresh 32-hex-digit id, shaped like Zuora's.
func (st *store) newID() string {
	st.seq++
	return fmt.Sprintf("8a%016x%014x", mix(st.seq), st.seq)
}

// put stores obj (a pointer to one of the object structs) under id.
func (st *store) put(object, id string, obj any) { st.rows[object][id] = obj }

// get returns the object of id, or nil.
func (st *store) get(object, id string) any { return st.rows[object][id] }

// ids returns the ids of object, sorted (an order unrelated to time, as Zuora's).
func (st *store) ids(object string) []string {
	out := make([]string, 0, len(st.rows[object]))
	for id := range st.rows[object] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// value reads field f of obj: the typed value (string, int64, bool, time.Time) and whether it
// is null.
func value(m *objectMeta, obj any, f *fieldMeta) (any, bool) {
	v := reflect.ValueOf(obj).Elem()
	if f.custom {
		if m.custom < 0 {
			return nil, true
		}
		s, ok := v.Field(m.custom).Interface().(map[string]string)[f.name]
		return s, !ok || s == ""
	}
	fv := v.Field(f.index)
	switch f.kind {
	case fInt:
		n := fv.Int()
		return n, n == 0
	case fBool:
		return fv.Bool(), false
	case fDateTime:
		t := fv.Interface().(time.Time)
		return t, t.IsZero()
	}
	s := fv.String()
	return s, s == ""
}

// render renders the fields of obj as a query record: canonical names, nulls left out.
func (s *Server) render(m *objectMeta, obj any, fields []*fieldMeta) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		v, null := value(m, obj, f)
		if null {
			continue
		}
		switch f.kind {
		case fDecimal:
			if s.opts.DecimalsAsStrings {
				out[f.name] = v
			} else {
				out[f.name] = json.Number(v.(string))
			}
		case fDateTime:
			out[f.name] = v.(time.Time).In(s.opts.TimeZone).Format("2006-01-02T15:04:05.000-07:00")
		default:
			out[f.name] = v
		}
	}
	return out
}
