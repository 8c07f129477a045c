package stripe

import (
	"context"
	"fmt"
	"math/big"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/stripe/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

const testKey = "sk_test_fake"

// env is a fake Stripe server and what tests need around it.
type env struct {
	t     *testing.T
	fake  *fake.Server
	url   string
	clock *fakeapi.Clock
	mem   *memory.CheckedAllocator
	// sleeps counts the retry waits (instant in tests).
	sleeps atomic.Int64
}

func newEnv(t *testing.T, opts fake.Options) *env {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = fakeapi.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	}
	f := fake.New(opts)
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	e := &env{t: t, fake: f, url: hs.URL, clock: opts.Clock, mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	t.Cleanup(func() { e.mem.AssertSize(t, 0) })
	return e
}

// decodeYAML is the config layer's strict decoder over YAML text.
func decodeYAML(text string) func(v any) error {
	return func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(text))
		if err != nil {
			return err
		}
		dec := &yamlx.Decoder{File: "revops.yaml"}
		return dec.Decode(root, v)
	}
}

// source builds a source against the fake; extra is YAML appended to the base config.
func (e *env) source(extraYAML string) *source {
	e.t.Helper()
	text := fmt.Sprintf("base_url: %s\napi_key: %s\n%s", e.url, testKey, extraYAML)
	f := NewWith(Options{
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.sleeps.Add(1)
			return ctx.Err()
		},
		Limiter:   httpretry.NewLimiter(100000, time.Second),
		Allocator: e.mem,
	})
	src, err := f(extract.Config{Name: "billing", Decode: decodeYAML(text), Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return src.(*source)
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

// value is a cell in tests: string, int64, float64, bool, nil; money as its decimal text,
// timestamps as unix seconds.
type value = any

type rowMap = map[string]value

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
			case *array.Float64:
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

// read runs one Read and returns its batches; failAfter > 0 makes emit fail on that batch
// (a crash: that batch and later ones are not loaded).
func (e *env) read(src *source, stream string, from extract.Cursor, failAfter int) ([]batch, error) {
	var got []batch
	err := src.Read(context.Background(), stream, from, func(_ context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if failAfter > 0 && len(got)+1 == failAfter {
			return errCrash
		}
		got = append(got, batch{rows: rowsOf(b.Records), cursor: b.Cursor, final: b.Final})
		return nil
	})
	return got, err
}

var errCrash = fmt.Errorf("crash")

// warehouse is what the loader keeps: per stream, rows merged on the primary key (last wins),
// and the committed cursor.
type warehouse struct {
	tables  map[string]map[string]rowMap
	cursors map[string]extract.Cursor
}

func newWarehouse() *warehouse {
	return &warehouse{tables: map[string]map[string]rowMap{}, cursors: map[string]extract.Cursor{}}
}

func pkOf(st extract.Stream, r rowMap) string {
	parts := make([]string, len(st.PrimaryKey))
	for i, k := range st.PrimaryKey {
		parts[i] = fmt.Sprint(r[k])
	}
	return strings.Join(parts, "/")
}

func (w *warehouse) load(st extract.Stream, bs []batch) {
	tab := w.tables[st.Name]
	if tab == nil {
		tab = map[string]rowMap{}
		w.tables[st.Name] = tab
	}
	for _, b := range bs {
		for _, r := range b.rows {
			tab[pkOf(st, r)] = r
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
		w.load(st, bs)
	}
}

// live returns a table's rows not marked deleted.
func (w *warehouse) live(stream string) map[string]rowMap {
	out := map[string]rowMap{}
	for k, r := range w.tables[stream] {
		if r["deleted"] != true {
			out[k] = r
		}
	}
	return out
}

func (w *warehouse) deleted(stream string) []string {
	var out []string
	for k, r := range w.tables[stream] {
		if r["deleted"] == true {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// money renders minor units of currency as the connector's decimal text.
func money(minor int64, currency string) string {
	exp := exponents(defaultExponents()).of(currency)
	r := new(big.Rat).SetFrac(big.NewInt(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
	return r.FloatString(moneyScale)
}

func nz(v int64) value {
	if v == 0 {
		return nil
	}
	return v
}

func nzs(s string) value {
	if s == "" {
		return nil
	}
	return s
}

// truth is the expected content of each stream from the fake's State: per stream, per
// primary key, the expected values of some columns; and the keys expected as deleted.
type truth struct {
	live    map[string]map[string]rowMap
	deleted map[string][]string
}

func truthOf(st fake.State) truth {
	t := truth{live: map[string]map[string]rowMap{}, deleted: map[string][]string{}}
	put := func(stream, key string, r rowMap) {
		if t.live[stream] == nil {
			t.live[stream] = map[string]rowMap{}
		}
		t.live[stream][key] = r
	}
	for _, c := range st.Customers {
		bal := value(nil)
		if c.Currency != "" {
			bal = money(c.Balance, c.Currency)
		}
		put(Customers, c.ID, rowMap{"email": nzs(c.Email), "name": nzs(c.Name), "currency": nzs(c.Currency),
			"balance": bal, "created": c.Created})
	}
	t.deleted[Customers] = st.DeletedCustomers
	for _, p := range st.Products {
		put(Products, p.ID, rowMap{"name": p.Name, "active": !p.Archived, "updated": p.Updated})
	}
	t.deleted[Products] = st.DeletedProducts
	prices := map[string]fake.Price{}
	for _, p := range st.Prices {
		prices[p.ID] = p
		put(Prices, p.ID, rowMap{"product_id": p.Product, "active": !p.Archived, "currency": p.Currency,
			"unit_amount": money(p.UnitAmount, p.Currency), "recurring_interval": nzs(p.Interval), "nickname": nzs(p.Nickname)})
	}
	t.deleted[Prices] = st.DeletedPrices
	for _, c := range st.Coupons {
		put(Coupons, c.ID, rowMap{"name": nzs(c.Name), "valid": !c.Expired, "duration": c.Duration})
	}
	t.deleted[Coupons] = st.DeletedCoupons
	for _, d := range st.Discounts {
		put(Discounts, d.ID, rowMap{"coupon_id": d.Coupon, "customer_id": nzs(d.Customer),
			"subscription_id": nzs(d.Subscription), "subscription_item_id": nzs(d.SubscriptionItem), "start": d.Start})
	}
	t.deleted[Discounts] = st.RemovedDiscounts
	for _, s := range st.Subscriptions {
		put(Subscriptions, s.ID, rowMap{"customer_id": s.Customer, "status": s.Status, "currency": s.Currency,
			"canceled_at": nz(s.CanceledAt), "trial_end": nz(s.TrialEnd), "cancel_at_period_end": s.CancelAtPeriodEnd})
		for _, it := range s.Items {
			p := prices[it.Price]
			put(SubscriptionItems, it.ID, rowMap{"subscription_id": s.ID, "customer_id": s.Customer, "price_id": it.Price,
				"quantity": it.Quantity, "current_period_start": it.CurrentPeriodStart,
				"current_period_end": it.CurrentPeriodEnd, "unit_amount": money(p.UnitAmount, p.Currency)})
		}
	}
	for _, in := range st.Invoices {
		put(Invoices, in.ID, rowMap{"customer_id": in.Customer, "subscription_id": nzs(in.Subscription),
			"status": in.Status, "total": money(in.Total, in.Currency), "amount_paid": money(in.AmountPaid, in.Currency)})
		for _, l := range in.Lines {
			put(InvoiceLines, in.ID+"/"+l.ID, rowMap{"amount": money(l.Amount, in.Currency), "quantity": l.Quantity,
				"price_id": nzs(l.Price), "subscription_item_id": nzs(l.SubscriptionItem)})
		}
	}
	t.deleted[Invoices] = st.DeletedInvoices
	for _, c := range st.CreditNotes {
		put(CreditNotes, c.ID, rowMap{"invoice_id": c.Invoice, "status": c.Status, "amount": money(c.Amount, c.Currency),
			"voided_at": nz(c.VoidedAt)})
	}
	return t
}

// check compares the warehouse with the fake's ground truth: the same live keys (nothing lost,
// nothing extra), the expected values, and every deleted object flagged (with lenientDeletes,
// only those the warehouse holds a row of: after a full re-sync, see doc.go).
func (e *env) check(w *warehouse, lenientDeletes bool, streams ...string) {
	e.t.Helper()
	tr := truthOf(e.fake.State())
	if len(streams) == 0 {
		streams = AllStreams()
	}
	for _, stream := range streams {
		got, want := w.live(stream), tr.live[stream]
		for k, wr := range want {
			gr, ok := got[k]
			if !ok {
				e.t.Errorf("%s %s: missing", stream, k)
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
		if dels, ok := tr.deleted[stream]; ok {
			gotDel := map[string]bool{}
			for _, k := range w.deleted(stream) {
				gotDel[k] = true
			}
			for _, k := range dels {
				if _, seen := w.tables[stream][k]; (seen || !lenientDeletes) && !gotDel[k] {
					e.t.Errorf("%s %s: deleted upstream, not flagged", stream, k)
				}
			}
		}
	}
}

// countPath returns how many API requests the fake saw for path.
func (e *env) countPath(path string) int { return e.fake.Stats().ByPath[path] }

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func faultsOf(rateLimit, serverError, truncate float64, seed uint64) fakeapi.Faults {
	return fakeapi.Faults{RateLimitRate: rateLimit, ServerErrorRate: serverError, TruncateRate: truncate, Seed: seed}
}
