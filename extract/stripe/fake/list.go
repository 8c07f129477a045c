package fake

// list.go: list and retrieve endpoints — filters, created ranges, starting_after/ending_before
// paging, limit, expand[] — with Stripe's errors for bad parameters.

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// entry is one listable object.
type entry struct {
	id      string
	created int64
	render  func() any
}

// listSpec is one list endpoint over a kind of record.
type listSpec struct {
	kind string
	// params are the endpoint's own filters.
	params []string
	// keep filters a record; nil keeps all.
	keep func(s *Server, rec *record, q url.Values) bool
}

// listSpecFor returns the list endpoint of a resource path.
func listSpecFor(res string) (listSpec, bool) {
	l, ok := map[string]listSpec{
		"customers": {kind: kindCustomer, params: []string{"email"}, keep: func(_ *Server, rec *record, q url.Values) bool {
			return q.Get("email") == "" || rec.obj.(*Customer).Email == q.Get("email")
		}},
		"products": {kind: kindProduct, params: []string{"active"}, keep: func(_ *Server, rec *record, q url.Values) bool {
			return boolFilter(q, "active", !rec.obj.(*Product).Archived, "")
		}},
		"prices": {kind: kindPrice, params: []string{"active", "product", "currency", "type", "recurring[interval]"},
			keep: func(_ *Server, rec *record, q url.Values) bool {
				p := rec.obj.(*Price)
				return boolFilter(q, "active", !p.Archived, "true") && eqFilter(q, "product", p.Product) &&
					eqFilter(q, "currency", p.Currency) && eqFilter(q, "type", p.Type) &&
					eqFilter(q, "recurring[interval]", p.Interval)
			}},
		"coupons": {kind: kindCoupon},
		"subscriptions": {kind: kindSubscription, params: []string{"status", "customer", "price", "collection_method"},
			keep: func(_ *Server, rec *record, q url.Values) bool {
				sub := rec.obj.(*Subscription)
				if !eqFilter(q, "customer", sub.Customer) || !eqFilter(q, "collection_method", sub.CollectionMethod) {
					return false
				}
				if p := q.Get("price"); p != "" {
					found := false
					for _, it := range sub.Items {
						found = found || it.Price == p
					}
					if !found {
						return false
					}
				}
				ended := sub.Status == "canceled" || sub.Status == "incomplete_expired"
				switch st := q.Get("status"); st {
				case "":
					return !ended
				case "all":
					return true
				case "ended":
					return ended
				default:
					return sub.Status == st
				}
			}},
		"invoices": {kind: kindInvoice, params: []string{"status", "customer", "subscription", "collection_method"},
			keep: func(_ *Server, rec *record, q url.Values) bool {
				in := rec.obj.(*Invoice)
				return eqFilter(q, "status", in.Status) && eqFilter(q, "customer", in.Customer) &&
					eqFilter(q, "subscription", in.Subscription) && eqFilter(q, "collection_method", in.CollectionMethod)
			}},
		"credit_notes": {kind: kindCreditNote, params: []string{"customer", "invoice"},
			keep: func(_ *Server, rec *record, q url.Values) bool {
				c := rec.obj.(*CreditNote)
				return eqFilter(q, "customer", c.Customer) && eqFilter(q, "invoice", c.Invoice)
			}},
		"subscription_items": {kind: "subscription_item", params: []string{"subscription"}},
		"events":             {kind: "event", params: []string{"type", "types[]", "delivery_success"}},
	}[res]
	return l, ok
}

func eqFilter(q url.Values, key, v string) bool { return q.Get(key) == "" || q.Get(key) == v }

func boolFilter(q url.Values, key string, v bool, dflt string) bool {
	want := q.Get(key)
	if want == "" {
		want = dflt
	}
	return want == "" || want == strconv.FormatBool(v)
}

// checkParams rejects parameters the endpoint does not know, as Stripe does.
func checkParams(q url.Values, own []string, paging bool) *apiError {
	for k := range q {
		switch {
		case strings.HasPrefix(k, "expand["):
			continue
		case paging && (k == "limit" || k == "starting_after" || k == "ending_before" || k == "created" ||
			k == "created[gt]" || k == "created[gte]" || k == "created[lt]" || k == "created[lte]"):
			continue
		}
		known := false
		for _, p := range own {
			known = known || k == p || (strings.HasSuffix(p, "[]") && strings.HasPrefix(k, strings.TrimSuffix(p, "]")))
		}
		if !known {
			return invalid(k, "Received unknown parameter: %s", k)
		}
	}
	return nil
}

// createdRange parses created and created[op] into a predicate.
func createdRange(q url.Values) (func(int64) bool, *apiError) {
	type bound struct {
		op string
		v  int64
	}
	var bounds []bound
	for _, op := range []string{"", "gt", "gte", "lt", "lte"} {
		key := "created"
		if op != "" {
			key += "[" + op + "]"
		}
		raw := q.Get(key)
		if raw == "" {
			continue
		}
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, invalid(key, "Invalid integer: %s", raw)
		}
		bounds = append(bounds, bound{op, v})
	}
	return func(c int64) bool {
		for _, b := range bounds {
			ok := true
			switch b.op {
			case "":
				ok = c == b.v
			case "gt":
				ok = c > b.v
			case "gte":
				ok = c >= b.v
			case "lt":
				ok = c < b.v
			case "lte":
				ok = c <= b.v
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// page applies limit, starting_after and ending_before to entries (in list order).
func page(entries []entry, q url.Values, kind string) ([]entry, bool, *apiError) {
	limit := 10
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, false, invalid("limit", "Invalid integer: %s", raw)
		}
		if n < 1 || n > 100 {
			return nil, false, invalid("limit", "Invalid limit: %d. The limit must be between 1 and 100.", n)
		}
		limit = n
	}
	after, before := q.Get("starting_after"), q.Get("ending_before")
	if after != "" && before != "" {
		return nil, false, invalid("", "You may only specify one of these parameters: ending_before, starting_after.")
	}
	find := func(id string) int {
		for i, e := range entries {
			if e.id == id {
				return i
			}
		}
		return -1
	}
	switch {
	case after != "":
		i := find(after)
		if i < 0 {
			return nil, false, missing(http.StatusBadRequest, "starting_after", kind, after)
		}
		rest := entries[i+1:]
		return rest[:min(limit, len(rest))], len(rest) > limit, nil
	case before != "":
		i := find(before)
		if i < 0 {
			return nil, false, missing(http.StatusBadRequest, "ending_before", kind, before)
		}
		head := entries[:i]
		return head[max(0, len(head)-limit):], len(head) > limit, nil
	}
	return entries[:min(limit, len(entries))], len(entries) > limit, nil
}

// list answers a list endpoint; callers hold mu.
func (s *Server) list(rd *renderer, path string, q url.Values, spec listSpec) (any, *apiError) {
	if err := checkParams(q, spec.params, true); err != nil {
		return nil, err
	}
	inRange, err := createdRange(q)
	if err != nil {
		return nil, err
	}
	var entries []entry
	switch spec.kind {
	case "event":
		entries, err = s.eventEntries(q)
	case "subscription_item":
		entries, err = s.itemEntries(rd, q)
	default:
		for _, rec := range s.st.all(spec.kind) {
			if spec.keep != nil && !spec.keep(s, rec, q) {
				continue
			}
			entries = append(entries, entry{id: rec.id, created: rec.created, render: func() any { return rd.render(rec) }})
		}
	}
	if err != nil {
		return nil, err
	}
	filtered := entries[:0:0]
	for _, e := range entries {
		if inRange(e.created) {
			filtered = append(filtered, e)
		}
	}
	return s.respondList(rd, path, q, filtered, spec.kind)
}

func (s *Server) respondList(rd *renderer, path string, q url.Values, entries []entry, kind string) (any, *apiError) {
	pg, more, err := page(entries, q, kind)
	if err != nil {
		return nil, err
	}
	data := make([]any, len(pg))
	for i, e := range pg {
		data[i] = e.render()
	}
	url := path
	if kind == "subscription_item" {
		url += "?subscription=" + q.Get("subscription")
	}
	out := obj{"object": "list", "url": url, "has_more": more, "data": data}
	if err := s.expand(rd, out, q); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) itemEntries(rd *renderer, q url.Values) ([]entry, *apiError) {
	id := q.Get("subscription")
	if id == "" {
		return nil, invalid("subscription", "Missing required param: subscription.")
	}
	rec := s.st.get(kindSubscription, id)
	if rec == nil {
		return nil, missing(http.StatusBadRequest, "subscription", kindSubscription, id)
	}
	sub := rec.obj.(*Subscription)
	var out []entry
	for _, it := range itemsNewestFirst(sub) {
		out = append(out, entry{id: it.ID, created: it.Created, render: func() any { return rd.subscriptionItem(sub, it) }})
	}
	return out, nil
}

func (s *Server) eventEntries(q url.Values) ([]entry, *apiError) {
	var types []string
	for k, vs := range q {
		if strings.HasPrefix(k, "types[") {
			types = append(types, vs...)
		}
	}
	if len(types) > 20 {
		return nil, invalid("types", "You may pass at most 20 types.")
	}
	if len(types) > 0 && q.Get("type") != "" {
		return nil, invalid("types", "You may only specify one of these parameters: type, types.")
	}
	match := func(t string) bool {
		if pat := q.Get("type"); pat != "" {
			return typeMatch(pat, t)
		}
		if len(types) == 0 {
			return true
		}
		for _, p := range types {
			if typeMatch(p, t) {
				return true
			}
		}
		return false
	}
	var out []entry
	for i := len(s.st.events) - 1; i >= 0; i-- { // the log is in creation order
		ev := s.st.events[i]
		if match(ev.typ) {
			out = append(out, entry{id: ev.id, created: ev.created, render: func() any { return renderEvent(ev) }})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].created > out[j].created })
	return out, nil
}

// typeMatch matches an event type against a pattern with a trailing "*" wildcard.
func typeMatch(pattern, t string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(t, p)
	}
	return pattern == t
}

func renderEvent(ev *event) any {
	data := obj{"object": ev.object}
	if ev.previous != nil {
		data["previous_attributes"] = ev.previous
	}
	return obj{
		"id": ev.id, "object": "event", "api_version": ev.apiVersion, "created": ev.created, "data": data,
		"livemode": false, "pending_webhooks": 0, "request": obj{"id": nullStr(ev.requestID), "idempotency_key": nil},
		"type": ev.typ,
	}
}

// listLines answers /v1/invoices/{id}/lines: the lines in invoice order.
func (s *Server) listLines(rd *renderer, path, id string, q url.Values) (any, *apiError) {
	if err := checkParams(q, nil, true); err != nil {
		return nil, err
	}
	rec := s.st.get(kindInvoice, id)
	if rec == nil {
		return nil, missing(http.StatusNotFound, "invoice", kindInvoice, id)
	}
	in := rec.obj.(*Invoice)
	entries := make([]entry, len(in.Lines))
	for i := range in.Lines {
		l := &in.Lines[i]
		entries[i] = entry{id: l.ID, render: func() any { return rd.line(in, l) }}
	}
	return s.respondList(rd, path, q, entries, "line_item")
}

// retrieveKind maps a resource path to its kind.
func retrieveKind(res string) (string, bool) {
	k, ok := map[string]string{
		"customers": kindCustomer, "products": kindProduct, "prices": kindPrice, "coupons": kindCoupon,
		"subscriptions": kindSubscription, "invoices": kindInvoice, "credit_notes": kindCreditNote,
	}[res]
	return k, ok
}

// retrieve answers GET /v1/{resource}/{id}.
func (s *Server) retrieve(rd *renderer, res, id string, q url.Values) (any, *apiError) {
	if err := checkParams(q, nil, false); err != nil {
		return nil, err
	}
	var out obj
	switch res {
	case "events":
		for _, ev := range s.st.events {
			if ev.id == id {
				out = normalize(renderEvent(ev)).(map[string]any)
			}
		}
		if out == nil {
			return nil, missing(http.StatusNotFound, "id", "event", id)
		}
	case "subscription_items":
		for _, rec := range s.st.all(kindSubscription) {
			sub := rec.obj.(*Subscription)
			for i := range sub.Items {
				if sub.Items[i].ID == id {
					out = rd.subscriptionItem(sub, &sub.Items[i])
				}
			}
		}
		if out == nil {
			return nil, missing(http.StatusNotFound, "id", "subscription_item", id)
		}
	default:
		kind, ok := retrieveKind(res)
		if !ok {
			return nil, &apiError{status: http.StatusNotFound, Type: "invalid_request_error",
				Message: "Unrecognized request URL (GET: /v1/" + res + "/" + id + ")."}
		}
		rec := s.st.byID[id]
		if rec == nil || rec.kind != kind || (rec.deleted && kind != kindCustomer) {
			return nil, missing(http.StatusNotFound, "id", kind, id)
		}
		out = rd.render(rec)
	}
	if err := s.expand(rd, out, q); err != nil {
		return nil, err
	}
	return out, nil
}

// expand applies expand[] to a rendered response.
func (s *Server) expand(rd *renderer, root obj, q url.Values) *apiError {
	for k, paths := range q {
		if !strings.HasPrefix(k, "expand[") {
			continue
		}
		for _, p := range paths {
			segs := strings.Split(p, ".")
			depth := 0
			for _, seg := range segs {
				if seg != "data" {
					depth++
				}
			}
			if depth > 4 {
				return invalid("expand", "You cannot expand more than 4 levels of a property. Property: %s", p)
			}
			if !s.expandPath(rd, root, segs) {
				return invalid("expand", "This property cannot be expanded (%s).", p)
			}
		}
	}
	return nil
}

// expandPath replaces the id(s) at segs under v with their objects; false if segs does not
// name an expandable property.
func (s *Server) expandPath(rd *renderer, v any, segs []string) bool {
	m, ok := v.(obj)
	if !ok {
		return false
	}
	field, present := m[segs[0]]
	if !present {
		return false
	}
	resolve := func(x any) any {
		id, ok := x.(string)
		if !ok {
			return x
		}
		if rec := s.st.byID[id]; rec != nil {
			return rd.render(rec)
		}
		return x
	}
	if len(segs) == 1 {
		switch f := field.(type) {
		case nil:
			return true
		case string:
			if s.st.byID[f] == nil {
				return false
			}
			m[segs[0]] = resolve(f)
			return true
		case obj:
			return true
		case []any:
			for i := range f {
				f[i] = resolve(f[i])
			}
			return true
		}
		return false
	}
	switch f := field.(type) {
	case nil:
		return true
	case string:
		m[segs[0]] = resolve(f)
		return s.expandPath(rd, m[segs[0]], segs[1:])
	case obj:
		return s.expandPath(rd, f, segs[1:])
	case []any:
		for i, x := range f { // ids on the way are expanded too, as Stripe does
			f[i] = resolve(x)
			if !s.expandPath(rd, f[i], segs[1:]) {
				return false
			}
		}
		return true
	}
	return false
}
