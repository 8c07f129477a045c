package fake

// list.go: list and retrieve endpoints — limit, the keyset offset, sort_by, include_deleted and
// the field[operator] filters — with Chargebee's 400s for bad parameters.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// fieldType is how a filter field compares.
type fieldType int

const (
	fString fieldType = iota // is, is_not, starts_with, in, not_in
	fEnum                    // is, is_not, in, not_in
	fTime                    // after, before, on, between (unix seconds)
	fBool                    // is
	fNumber                  // is, is_not, lt, lte, gt, gte, between
)

var operators = map[fieldType][]string{
	fString: {"is", "is_not", "starts_with", "in", "not_in"},
	fEnum:   {"is", "is_not", "in", "not_in"},
	fTime:   {"after", "before", "on", "between"},
	fBool:   {"is"},
	fNumber: {"is", "is_not", "lt", "lte", "gt", "gte", "between"},
}

// listSpec is one list endpoint.
type listSpec struct {
	kind    string
	filters map[string]fieldType
	// sorts are the timestamp attributes sort_by accepts.
	sorts []string
}

// listSpecs returns the list endpoints by path segment.
func listSpecs() map[string]listSpec {
	return map[string]listSpec{
		"customers": {kind: kindCustomer, sorts: []string{"created_at", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "email": fString, "first_name": fString, "last_name": fString, "company": fString,
			"auto_collection": fEnum, "taxability": fEnum, "created_at": fTime, "updated_at": fTime}},
		"subscriptions": {kind: kindSubscription, sorts: []string{"created_at", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "customer_id": fString, "item_price_id": fString, "status": fEnum, "cancel_reason": fEnum,
			"created_at": fTime, "activated_at": fTime, "cancelled_at": fTime, "next_billing_at": fTime,
			"updated_at": fTime}},
		"invoices": {kind: kindInvoice, sorts: []string{"date", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "customer_id": fString, "subscription_id": fString, "status": fEnum, "recurring": fBool,
			"total": fNumber, "date": fTime, "paid_at": fTime, "voided_at": fTime, "updated_at": fTime}},
		"credit_notes": {kind: kindCreditNote, sorts: []string{"date", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "customer_id": fString, "subscription_id": fString, "reference_invoice_id": fString,
			"type": fEnum, "status": fEnum, "reason_code": fEnum, "total": fNumber, "date": fTime, "voided_at": fTime,
			"updated_at": fTime}},
		"items": {kind: kindItem, sorts: []string{"updated_at"}, filters: map[string]fieldType{
			"id": fString, "item_family_id": fString, "name": fString, "type": fEnum, "status": fEnum,
			"updated_at": fTime}},
		"item_prices": {kind: kindItemPrice, sorts: []string{"created_at", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "name": fString, "item_id": fString, "item_family_id": fString, "item_type": fEnum,
			"status": fEnum, "currency_code": fString, "period_unit": fEnum, "pricing_model": fEnum,
			"created_at": fTime, "updated_at": fTime}},
		"item_families": {kind: kindItemFamily, sorts: []string{"updated_at"}, filters: map[string]fieldType{
			"id": fString, "name": fString, "status": fEnum, "updated_at": fTime}},
		"coupons": {kind: kindCoupon, sorts: []string{"created_at", "updated_at"}, filters: map[string]fieldType{
			"id": fString, "name": fString, "discount_type": fEnum, "duration_type": fEnum, "status": fEnum,
			"apply_on": fEnum, "created_at": fTime, "updated_at": fTime}},
	}
}

var filterParam = regexp.MustCompile(`^([a-z_]+)\[([a-z_]+)\]$`)

// predicate tests a rendered resource.
type predicate func(o obj) bool

// parseFilter turns field[op]=value into a predicate.
func parseFilter(spec listSpec, key, value string) (predicate, *apiError) {
	m := filterParam.FindStringSubmatch(key)
	if m == nil {
		return nil, invalidParam(key, "is not a parameter of this list")
	}
	field, op := m[1], m[2]
	typ, ok := spec.filters[field]
	if !ok {
		return nil, invalidParam(key, "filtering on %s is not supported", field)
	}
	allowed := false
	for _, o := range operators[typ] {
		allowed = allowed || o == op
	}
	if !allowed {
		return nil, invalidParam(key, "operator %s is not supported for %s", op, field)
	}
	bad := func() (predicate, *apiError) { return nil, invalidParam(key, "invalid value %q", value) }
	get := func(o obj) any { return o[field] }
	if spec.kind == kindSubscription && field == "item_price_id" {
		get = nil // any of the subscription's items
	}
	switch typ {
	case fString, fEnum:
		var set []string
		if op == "in" || op == "not_in" {
			if json.Unmarshal([]byte(value), &set) != nil {
				return bad()
			}
		}
		match := func(v string) bool {
			switch op {
			case "is":
				return v == value
			case "is_not":
				return v != value
			case "starts_with":
				return strings.HasPrefix(v, value)
			}
			in := false
			for _, x := range set {
				in = in || v == x
			}
			return in == (op == "in")
		}
		if get == nil {
			return func(o obj) bool {
				items, _ := o["subscription_items"].([]obj)
				for _, it := range items {
					if v, _ := it["item_price_id"].(string); match(v) {
						return true
					}
				}
				return false
			}, nil
		}
		return func(o obj) bool {
			v, ok := get(o).(string)
			if !ok {
				return op == "is_not" || op == "not_in"
			}
			return match(v)
		}, nil
	case fBool:
		want, err := strconv.ParseBool(value)
		if err != nil {
			return bad()
		}
		return func(o obj) bool { v, _ := get(o).(bool); return v == want }, nil
	}
	// fTime, fNumber
	var lo, hi int64
	if op == "between" {
		var pair []int64
		if json.Unmarshal([]byte(value), &pair) != nil || len(pair) != 2 || pair[0] > pair[1] {
			return bad()
		}
		lo, hi = pair[0], pair[1]
	} else {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return bad()
		}
		lo = n
	}
	return func(o obj) bool {
		v, ok := get(o).(int64)
		if !ok {
			return op == "is_not"
		}
		switch op {
		case "after", "gt":
			return v > lo
		case "before", "lt":
			return v < lo
		case "on", "is":
			return v == lo
		case "is_not":
			return v != lo
		case "lte":
			return v <= lo
		case "gte":
			return v >= lo
		}
		return v >= lo && v <= hi // between, inclusive
	}, nil
}

// sortValue is a record's value of a sort attribute (unix seconds).
func sortValue(rec *record, field string) int64 {
	switch field {
	case "updated_at":
		return rec.obj.stamps().UpdatedAt
	case "date":
		switch x := rec.obj.(type) {
		case *Invoice:
			return x.Date
		case *CreditNote:
			return x.Date
		}
	}
	return rec.created
}

// listQuery is a parsed list request.
type listQuery struct {
	limit          int
	offset         string
	includeDeleted bool
	sortField      string // "" : the default, created desc
	desc           bool
	preds          []predicate
}

func (q listQuery) sortSpec() string {
	if q.desc {
		return q.sortField + " desc"
	}
	return q.sortField + " asc"
}

func parseListQuery(spec listSpec, q url.Values) (listQuery, *apiError) {
	lq := listQuery{limit: 10, desc: true}
	for key, vals := range q {
		if len(vals) != 1 {
			return lq, invalidParam(key, "is given %d times", len(vals))
		}
		v := vals[0]
		switch key {
		case "limit":
			n, err := strconv.Atoi(v)
			switch {
			case err != nil:
				return lq, invalidParam(key, "invalid value %q", v)
			case n < 1:
				return lq, invalidParam(key, "cannot be less than 1")
			case n > 100:
				return lq, invalidParam(key, "cannot be more than 100")
			}
			lq.limit = n
		case "offset":
			lq.offset = v
		case "include_deleted":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return lq, invalidParam(key, "invalid value %q", v)
			}
			lq.includeDeleted = b
		case "sort_by[asc]", "sort_by[desc]":
			if lq.sortField != "" {
				return lq, invalidParam("sort_by", "only one sort order is allowed")
			}
			ok := false
			for _, f := range spec.sorts {
				ok = ok || f == v
			}
			if !ok {
				return lq, invalidParam(key, "sorting by %q is not supported (supported: %s)", v, strings.Join(spec.sorts, ", "))
			}
			lq.sortField, lq.desc = v, key == "sort_by[desc]"
		default:
			p, err := parseFilter(spec, key, v)
			if err != nil {
				return lq, err
			}
			lq.preds = append(lq.preds, p)
		}
	}
	return lq, nil
}

// keyset is a position in an order: a sort value in milliseconds and an internal id.
type keyset struct{ ms, seq int64 }

func (k keyset) encode() string {
	b, _ := json.Marshal([]string{strconv.FormatInt(k.ms, 10), strconv.FormatInt(k.seq, 10)})
	return string(b)
}

func decodeKeyset(s string) (keyset, bool) {
	var parts []string
	if json.Unmarshal([]byte(s), &parts) != nil || len(parts) != 2 {
		return keyset{}, false
	}
	ms, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[1], 10, 64)
	return keyset{ms, seq}, err1 == nil && err2 == nil
}

// issue remembers an offset handed out for path and sort; callers hold mu.
func (s *Server) issue(offset, path, sortSpec string, page int) {
	if _, ok := s.offsets[offset]; !ok {
		s.offsetOrder = append(s.offsetOrder, offset)
	}
	s.offsets[offset] = issued{path: path, sort: sortSpec, page: page}
	if len(s.offsetOrder) > maxIssued {
		drop := s.offsetOrder[:len(s.offsetOrder)-maxIssued]
		for _, o := range drop {
			delete(s.offsets, o)
		}
		s.offsetOrder = append([]string(nil), s.offsetOrder[len(drop):]...)
	}
}

// list answers a list request; callers hold mu.
func (s *Server) list(path string, spec listSpec, q url.Values, page int) (any, *apiError) {
	lq, err := parseListQuery(spec, q)
	if err != nil {
		return nil, err
	}
	var after *keyset
	if lq.offset != "" {
		iss, ok := s.offsets[lq.offset]
		k, valid := decodeKeyset(lq.offset)
		if !ok || !valid || iss.path != path || iss.sort != lq.sortSpec() {
			return nil, invalidParam("offset", "invalid value %q: pass the next_offset of the previous page back unchanged", lq.offset)
		}
		after = &k
	}
	type entry struct {
		rec *record
		o   obj
		key keyset
	}
	var rows []entry
	for _, rec := range s.st.all(spec.kind) {
		if rec.obj.stamps().Deleted && !lq.includeDeleted {
			continue
		}
		o := s.renderRaw(rec)
		keep := true
		for _, p := range lq.preds {
			keep = keep && p(o)
		}
		if keep {
			rows = append(rows, entry{rec: rec, o: o, key: keyset{ms: sortValue(rec, lq.sortField) * 1000, seq: rec.seq}})
		}
	}
	less := func(a, b keyset) bool {
		if a.ms != b.ms {
			return a.ms < b.ms
		}
		return a.seq < b.seq
	}
	if lq.desc {
		sort.Slice(rows, func(i, j int) bool { return less(rows[j].key, rows[i].key) })
	} else {
		sort.Slice(rows, func(i, j int) bool { return less(rows[i].key, rows[j].key) })
	}
	start := 0
	if after != nil {
		start = sort.Search(len(rows), func(i int) bool {
			if lq.desc {
				return less(rows[i].key, *after)
			}
			return less(*after, rows[i].key)
		})
	}
	end := min(start+lq.limit, len(rows))
	list := make([]obj, 0, end-start)
	for _, e := range rows[start:end] {
		el := obj{spec.kind: s.drift(spec.kind, e.o)}
		if sub, ok := e.rec.obj.(*Subscription); ok {
			if c := s.st.get(kindCustomer, sub.CustomerID); c != nil {
				el["customer"] = s.render(c)
			}
		}
		list = append(list, el)
	}
	body := obj{"list": list}
	if end < len(rows) {
		next := rows[end-1].key.encode()
		s.issue(next, path, lq.sortSpec(), page)
		body["next_offset"] = next
	}
	return body, nil
}

// retrieve answers GET /api/v2/{resource}/{id}; callers hold mu.
func (s *Server) retrieve(spec listSpec, id string) (any, *apiError) {
	rec := s.st.live(spec.kind, id)
	if rec == nil {
		e := notFoundErr(fmt.Sprintf("%s %s", strings.ReplaceAll(spec.kind, "_", " "), id))
		e.status = http.StatusNotFound
		return nil, e
	}
	body := obj{spec.kind: s.render(rec)}
	if sub, ok := rec.obj.(*Subscription); ok {
		if c := s.st.get(kindCustomer, sub.CustomerID); c != nil {
			body["customer"] = s.render(c)
		}
	}
	return body, nil
}
