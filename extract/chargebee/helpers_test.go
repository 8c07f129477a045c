package chargebee

import (
	"context"
	"fmt"
	"math/big"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/chargebee/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// testKey is the fake's API key; tests check it never shows in errors.
const testKey = "test_cbSecretKey_9f3K2"

// env is a fake Chargebee site and what tests need around it.
type env struct {
	t     *testing.T
	fake  *fake.Server
	url   string
	clock *fakeapi.Clock
	mem   *memory.CheckedAllocator

	mu sync.Mutex
	// sleeps are the retry and limiter waits; each advances the fake clock instead of waiting.
	sleeps []time.Duration
}

// newEnv starts a fake (without a rate limit unless opts sets one).
func newEnv(t *testing.T, opts fake.Options) *env {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	}
	if opts.RateLimitPerMinute == 0 {
		opts.RateLimitPerMinute = -1
	}
	opts.APIKeys = []string{testKey}
	f := fake.New(opts)
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	e := &env{t: t, fake: f, url: hs.URL, clock: opts.Clock, mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	t.Cleanup(func() { e.mem.AssertSize(t, 0) })
	return e
}

// sleep records a wait and advances the fake clock by it.
func (e *env) sleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	e.sleeps = append(e.sleeps, d)
	e.mu.Unlock()
	e.clock.Advance(d)
	return ctx.Err()
}

func (e *env) waits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

// decodeYAML is the config layer's strict decoder over YAML text.
func decodeYAML(text string) func(v any) error {
	return func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(text))
		if err != nil {
			return err
		}
		return (&yamlx.Decoder{File: "revops.yaml"}).Decode(root, v)
	}
}

// source builds a source against the fake with an unthrottled limiter; extraYAML is appended
// to the base configuration.
func (e *env) source(extraYAML string) *source {
	e.t.Helper()
	return e.sourceWith(extraYAML, httpretry.NewLimiter(1_000_000, time.Second))
}

// sourceWith builds a source with limiter (nil: the one built from requests_per_minute, on the
// fake clock).
func (e *env) sourceWith(extraYAML string, limiter *httpretry.Limiter) *source {
	e.t.Helper()
	f := NewWith(Options{Sleep: e.sleep, Limiter: limiter, Allocator: e.mem})
	src, err := f(extractConfig(e.url, extraYAML, e.clock))
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return src.(*source)
}

// extractConfig is the configuration of a source of the fake at url.
func extractConfig(url, extraYAML string, clock *fakeapi.Clock) extract.Config {
	text := fmt.Sprintf("base_url: %s\napi_key: %s\n%s", url, testKey, extraYAML)
	return extract.Config{Name: "billing", Decode: decodeYAML(text), Now: clock.Now}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rowMap is a row in tests: string, int64, bool, nil; money and decimals as their text with six
// decimals, timestamps as unix seconds.
type rowMap = map[string]any

// rowsOf converts a record batch into maps.
func rowsOf(rec arrow.RecordBatch) []rowMap {
	out := make([]rowMap, rec.NumRows())
	for i := range out {
		out[i] = rowMap{}
	}
	for c, f := range rec.Schema().Fields() {
		col := rec.Column(c)
		for i := 0; i < int(rec.NumRows()); i++ {
			if col.IsNull(i) {
				out[i][f.Name] = nil
				continue
			}
			switch a := col.(type) {
			case *array.String:
				out[i][f.Name] = a.Value(i)
			case *array.Int64:
				out[i][f.Name] = a.Value(i)
			case *array.Boolean:
				out[i][f.Name] = a.Value(i)
			case *array.Timestamp:
				out[i][f.Name] = int64(a.Value(i)) / 1_000_000
			case *array.Decimal128:
				out[i][f.Name] = a.Value(i).ToString(moneyScale)
			default:
				panic(fmt.Sprintf("column %s: %T", f.Name, col))
			}
		}
	}
	return out
}

// batch is what a test keeps of an emitted batch.
type batch struct {
	rows   []rowMap
	cursor extract.Cursor
	final  bool
}

// read runs one Read from from and returns its batches. killAfter > 0 cancels the read's
// context from emit once that many batches were received (a kill: the read must stop with
// context.Canceled and emit nothing more).
func (e *env) read(src *source, stream string, from extract.Cursor, killAfter int) ([]batch, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []batch
	err := src.Read(ctx, stream, from, func(ctx context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if ctx.Err() != nil {
			e.t.Errorf("read %s: emit called after the context was cancelled", stream)
		}
		got = append(got, batch{rows: rowsOf(b.Records), cursor: b.Cursor, final: b.Final})
		if killAfter > 0 && len(got) == killAfter {
			cancel()
		}
		return nil
	})
	return got, err
}

// warehouse is what the loader keeps: per stream, rows merged on the primary key (last wins)
// and the committed cursor. It records versions loaded twice (a duplicate the cursor should
// have prevented) and keys repeated within one batch.
type warehouse struct {
	t       *testing.T
	tables  map[string]map[string]rowMap
	cursors map[string]extract.Cursor
	loaded  map[string]bool
	rows    int // rows loaded in all
}

func newWarehouse(t *testing.T) *warehouse {
	return &warehouse{t: t, tables: map[string]map[string]rowMap{}, cursors: map[string]extract.Cursor{},
		loaded: map[string]bool{}}
}

func pkOf(st extract.Stream, r rowMap) string {
	parts := make([]string, len(st.PrimaryKey))
	for i, k := range st.PrimaryKey {
		parts[i] = fmt.Sprint(r[k])
	}
	return strings.Join(parts, "/")
}

// versionOf is the version of a row: its record's resource_version, or its parent's.
func versionOf(r rowMap) any {
	for _, k := range []string{"resource_version", "subscription_resource_version", "invoice_resource_version",
		"credit_note_resource_version"} {
		if v, ok := r[k]; ok {
			return v
		}
	}
	return nil
}

func (w *warehouse) load(st extract.Stream, bs []batch) {
	w.t.Helper()
	tab := w.tables[st.Name]
	if tab == nil {
		tab = map[string]rowMap{}
		w.tables[st.Name] = tab
	}
	for i, b := range bs {
		inBatch := map[string]bool{}
		for _, r := range b.rows {
			pk := pkOf(st, r)
			if inBatch[pk] {
				w.t.Errorf("%s batch %d: primary key %s twice", st.Name, i, pk)
			}
			inBatch[pk] = true
			v := fmt.Sprintf("%s|%s|%v", st.Name, pk, versionOf(r))
			if w.loaded[v] {
				w.t.Errorf("%s: %s at version %v loaded twice", st.Name, pk, versionOf(r))
			}
			w.loaded[v] = true
			tab[pk] = r
			w.rows++
		}
		w.cursors[st.Name] = b.cursor
	}
}

// sync reads every stream of src from the warehouse's cursors and loads the batches.
func (e *env) sync(src *source, w *warehouse) {
	e.t.Helper()
	for _, st := range src.Streams() {
		bs, err := e.read(src, st.Name, w.cursors[st.Name], 0)
		if err != nil {
			e.t.Fatalf("read %s: %v", st.Name, err)
		}
		if len(bs) == 0 || !bs[len(bs)-1].final {
			e.t.Fatalf("read %s: the last batch is not final", st.Name)
		}
		for _, b := range bs[:len(bs)-1] {
			if b.final {
				e.t.Fatalf("read %s: a final batch before the last", st.Name)
			}
		}
		w.load(st, bs)
	}
}

// parentOf says which column holds a child row's parent key and parent version.
func parentOf(stream string) (key, version string) {
	switch stream {
	case SubscriptionItems, SubscriptionCoupons, SubscriptionDiscounts:
		return "subscription_id", "subscription_resource_version"
	case InvoiceLineItems:
		return "invoice_id", "invoice_resource_version"
	case CreditNoteLineItems:
		return "credit_note_id", "credit_note_resource_version"
	}
	return "", ""
}

// current returns a table's current rows (doc.go): per parent, only the rows of its newest
// version; deleted ones apart.
func (w *warehouse) current(stream string) (live map[string]rowMap, deleted []string) {
	tab := w.tables[stream]
	key, ver := parentOf(stream)
	newest := map[any]int64{}
	if key != "" {
		for _, r := range tab {
			if v := r[ver].(int64); v > newest[r[key]] {
				newest[r[key]] = v
			}
		}
	}
	live = map[string]rowMap{}
	for pk, r := range tab {
		if key != "" && r[ver].(int64) != newest[r[key]] {
			continue
		}
		if r["deleted"] == true {
			deleted = append(deleted, pk)
		} else {
			live[pk] = r
		}
	}
	sort.Strings(deleted)
	return live, deleted
}

// moneyText renders minor units of currency as the connector's decimal text.
func moneyText(minor int64, currency string) string {
	exp := exponents(defaultExponents()).of(currency)
	r := new(big.Rat).SetFrac(big.NewInt(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
	return r.FloatString(moneyScale)
}

func decText(f float64) string { return strconv.FormatFloat(f, 'f', moneyScale, 64) }

func nz(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nzs(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// truth is the expected content of each stream: per stream, per primary key, expected values
// of some columns for live rows, and the primary keys expected flagged deleted.
type truth struct {
	live    map[string]map[string]rowMap
	deleted map[string][]string
}

func truthOf(tr fake.Truth) truth {
	t := truth{live: map[string]map[string]rowMap{}, deleted: map[string][]string{}}
	put := func(stream, key string, deleted bool, r rowMap) {
		if deleted {
			t.deleted[stream] = append(t.deleted[stream], key)
			return
		}
		if t.live[stream] == nil {
			t.live[stream] = map[string]rowMap{}
		}
		t.live[stream][key] = r
	}
	for _, c := range tr.Customers {
		credits := any(nil)
		if c.PreferredCurrencyCode != "" {
			credits = moneyText(c.PromotionalCredits, c.PreferredCurrencyCode)
		}
		put(Customers, c.ID, c.Deleted, rowMap{"email": nzs(c.Email), "first_name": nzs(c.FirstName), "company": nzs(c.Company),
			"preferred_currency_code": nzs(c.PreferredCurrencyCode), "promotional_credits": credits, "created_at": c.CreatedAt,
			"updated_at": c.UpdatedAt, "resource_version": c.ResourceVersion})
	}
	for _, f := range tr.ItemFamilies {
		put(ItemFamilies, f.ID, f.Deleted, rowMap{"name": f.Name, "status": f.Status, "updated_at": f.UpdatedAt})
	}
	for _, it := range tr.Items {
		put(Items, it.ID, it.Deleted, rowMap{"name": it.Name, "type": it.Type, "item_family_id": it.ItemFamilyID,
			"status": it.Status, "resource_version": it.ResourceVersion})
	}
	for _, p := range tr.ItemPrices {
		put(ItemPrices, p.ID, p.Deleted, rowMap{"item_id": p.ItemID, "item_type": p.ItemType, "currency_code": p.CurrencyCode,
			"price": moneyText(p.Price, p.CurrencyCode), "period": nz(p.Period), "period_unit": nzs(p.PeriodUnit),
			"status": p.Status, "pricing_model": p.PricingModel, "resource_version": p.ResourceVersion})
	}
	for _, c := range tr.Coupons {
		r := rowMap{"discount_type": c.DiscountType, "duration_type": c.DurationType, "status": c.Status,
			"resource_version": c.ResourceVersion}
		if c.DiscountType == "percentage" {
			r["discount_percentage"], r["discount_amount"] = decText(c.DiscountPercentage), nil
		} else {
			r["discount_amount"], r["currency_code"] = moneyText(c.DiscountAmount, c.CurrencyCode), c.CurrencyCode
		}
		put(Coupons, c.ID, c.Deleted, r)
	}
	for _, s := range tr.Subscriptions {
		put(Subscriptions, s.ID, s.Deleted, rowMap{"customer_id": s.CustomerID, "status": s.Status, "currency_code": s.CurrencyCode,
			"mrr": moneyText(s.MRR, s.CurrencyCode), "billing_period": s.BillingPeriod, "billing_period_unit": s.BillingPeriodUnit,
			"cancelled_at": nz(s.CancelledAt), "trial_end": nz(s.TrialEnd), "started_at": nz(s.StartedAt),
			"current_term_end": nz(s.CurrentTermEnd), "updated_at": s.UpdatedAt, "resource_version": s.ResourceVersion})
		for _, it := range s.Items {
			put(SubscriptionItems, s.ID+"/"+it.ItemPriceID, s.Deleted, rowMap{"item_type": it.ItemType, "quantity": it.Quantity,
				"unit_price": moneyText(it.UnitPrice, s.CurrencyCode), "amount": moneyText(it.Amount, s.CurrencyCode),
				"billing_period": nz(it.BillingPeriod), "billing_period_unit": nzs(it.BillingPeriodUnit),
				"currency_code": s.CurrencyCode, "customer_id": s.CustomerID, "subscription_status": s.Status,
				"subscription_resource_version": s.ResourceVersion})
		}
		for _, c := range s.Coupons {
			put(SubscriptionCoupons, s.ID+"/"+c.CouponID, s.Deleted, rowMap{"applied_count": c.AppliedCount,
				"customer_id": s.CustomerID})
		}
		for _, d := range s.Discounts {
			r := rowMap{"type": d.Type, "coupon_id": nzs(d.CouponID), "included_in_mrr": d.IncludedInMRR,
				"duration_type": d.DurationType}
			if d.Type == "percentage" {
				r["percentage"], r["amount"], r["currency_code"] = decText(d.Percentage), nil, s.CurrencyCode
			} else {
				r["amount"], r["currency_code"] = moneyText(d.Amount, d.CurrencyCode), d.CurrencyCode
			}
			put(SubscriptionDiscounts, s.ID+"/"+d.ID, s.Deleted, r)
		}
	}
	for _, in := range tr.Invoices {
		var disc int64
		for _, d := range in.Discounts {
			disc += d.Amount
		}
		put(Invoices, in.ID, in.Deleted, rowMap{"customer_id": in.CustomerID, "subscription_id": nzs(in.SubscriptionID),
			"status": in.Status, "currency_code": in.CurrencyCode, "total": moneyText(in.Total, in.CurrencyCode),
			"sub_total": moneyText(in.SubTotal, in.CurrencyCode), "amount_paid": moneyText(in.AmountPaid, in.CurrencyCode),
			"discount_amount": moneyText(disc, in.CurrencyCode), "date": in.Date, "recurring": in.Recurring,
			"resource_version": in.ResourceVersion})
		for _, l := range in.LineItems {
			put(InvoiceLineItems, in.ID+"/"+l.ID, in.Deleted, rowMap{"amount": moneyText(l.Amount, in.CurrencyCode),
				"unit_amount": moneyText(l.UnitAmount, in.CurrencyCode), "quantity": l.Quantity, "entity_id": nzs(l.EntityID),
				"entity_type": l.EntityType, "date_from": l.DateFrom, "date_to": l.DateTo,
				"discount_amount": moneyText(l.DiscountAmount, in.CurrencyCode), "tax_amount": moneyText(l.TaxAmount, in.CurrencyCode),
				"is_taxed": l.IsTaxed, "customer_id": in.CustomerID, "subscription_id": nzs(l.SubscriptionID),
				"invoice_status": in.Status, "currency_code": in.CurrencyCode})
		}
	}
	for _, cn := range tr.CreditNotes {
		put(CreditNotes, cn.ID, cn.Deleted, rowMap{"reference_invoice_id": cn.ReferenceInvoiceID, "status": cn.Status,
			"type": cn.Type, "total": moneyText(cn.Total, cn.CurrencyCode), "customer_id": cn.CustomerID,
			"amount_refunded": moneyText(cn.AmountRefunded, cn.CurrencyCode)})
		lines := cn.LineItems
		if len(lines) == 0 { // the fake renders one adhoc line for the total
			lines = []fake.LineItem{{ID: "cnli_" + cn.ID, DateFrom: cn.Date, DateTo: cn.Date, EntityType: "adhoc", Quantity: 1,
				UnitAmount: cn.Total, Amount: cn.Total}}
		}
		for _, l := range lines {
			put(CreditNoteLineItems, cn.ID+"/"+l.ID, cn.Deleted, rowMap{"amount": moneyText(l.Amount, cn.CurrencyCode),
				"unit_amount": moneyText(l.UnitAmount, cn.CurrencyCode), "quantity": l.Quantity, "entity_id": nzs(l.EntityID),
				"entity_type": l.EntityType, "date_from": l.DateFrom, "date_to": l.DateTo, "customer_id": cn.CustomerID,
				"subscription_id": nzs(cn.SubscriptionID), "credit_note_status": cn.Status, "credit_note_type": cn.Type,
				"credit_note_reason_code": cn.ReasonCode, "credit_note_create_reason_code": cn.ReasonCode,
				"reference_invoice_id": cn.ReferenceInvoiceID, "credit_note_date": cn.Date, "currency_code": cn.CurrencyCode,
				"credit_note_updated_at": cn.UpdatedAt, "credit_note_resource_version": cn.ResourceVersion})
		}
	}
	for _, ks := range t.deleted {
		sort.Strings(ks)
	}
	return t
}

// check compares the warehouse with the fake's ground truth: the same current live keys
// (nothing lost, nothing extra) with the expected values, and every deleted record the
// warehouse holds flagged (with allDeletes, every deleted record held).
func (e *env) check(w *warehouse, allDeletes bool, streams ...string) {
	e.t.Helper()
	tr := truthOf(e.fake.Truth())
	if len(streams) == 0 {
		streams = AllStreams()
	}
	for _, stream := range streams {
		got, gotDeleted := w.current(stream)
		want := tr.live[stream]
		for k, wr := range want {
			gr, ok := got[k]
			if !ok {
				e.t.Errorf("%s %s: missing (row %v)", stream, k, w.tables[stream][k])
				continue
			}
			for col, wv := range wr {
				if fmt.Sprint(gr[col]) != fmt.Sprint(wv) {
					e.t.Errorf("%s %s: %s = %v, want %v", stream, k, col, gr[col], wv)
				}
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				e.t.Errorf("%s %s: unexpected live row %v", stream, k, got[k])
			}
		}
		isDeleted := map[string]bool{}
		for _, k := range gotDeleted {
			isDeleted[k] = true
		}
		for _, k := range tr.deleted[stream] {
			_, held := w.tables[stream][k]
			if (held || allDeletes) && !isDeleted[k] {
				e.t.Errorf("%s %s: deleted upstream, not flagged (row %v)", stream, k, w.tables[stream][k])
			}
		}
	}
}

// seed creates a sample site.
func (e *env) seed(customers int, o fake.SeedOptions) fake.SeedResult {
	e.t.Helper()
	o.Customers = customers
	if o.Seed == 0 {
		o.Seed = 42
	}
	return must[fake.SeedResult](e.t)(e.fake.Seed(o))
}

// requests records the list requests the fake receives.
type requests struct {
	mu  sync.Mutex
	all []fake.Page
}

func (r *requests) add(p fake.Page) {
	r.mu.Lock()
	r.all = append(r.all, p)
	r.mu.Unlock()
}

func (r *requests) of(resource string) []fake.Page {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []fake.Page
	for _, p := range r.all {
		if p.Resource == resource {
			out = append(out, p)
		}
	}
	return out
}
