package zuora

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zuora/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/httpretry"
	"github.com/revops/revops/internal/yamlx"
)

// env is a fake Zuora tenant and what tests need around it.
type env struct {
	t     *testing.T
	fake  *fake.Server
	url   string
	clock *fakeapi.Clock
	mem   *memory.CheckedAllocator

	mu     sync.Mutex
	sleeps []time.Duration // the retry waits (they advance the fake clock instead of waiting)
	// frozen keeps the clock still during retry waits.
	frozen bool
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
		dec := &yamlx.Decoder{File: "revops.yaml", LookupEnv: func(string) (string, bool) { return "", false }}
		return dec.Decode(root, v)
	}
}

// source builds a source against the fake; extraYAML is appended to the base config.
func (e *env) source(extraYAML string) *source {
	e.t.Helper()
	text := fmt.Sprintf("base_url: %s\nclient_id: %s\nclient_secret: %s\n%s", e.url, fake.DefaultClientID,
		fake.DefaultClientSecret, extraYAML)
	f := NewWith(Options{
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			frozen := e.frozen
			e.mu.Unlock()
			if !frozen {
				e.clock.Advance(d)
			}
			return ctx.Err()
		},
		Limiter:   httpretry.NewLimiter(1_000_000, time.Second),
		Allocator: e.mem,
	})
	src, err := f(extract.Config{Name: "billing", Decode: decodeYAML(text), Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return src.(*source)
}

func (e *env) waits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
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

// rowMap is a row in tests: strings, int64, bool, nil; decimals as their DECIMAL(38,6) text,
// dates as YYYY-MM-DD, timestamps as RFC 3339 UTC.
type rowMap = map[string]any

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
			case *array.Date32:
				out[i][f.Name] = a.Value(i).ToTime().Format(time.DateOnly)
			case *array.Timestamp:
				out[i][f.Name] = time.UnixMicro(int64(a.Value(i))).UTC().Format(time.RFC3339)
			case *array.Decimal128:
				out[i][f.Name] = a.Value(i).ToString(decimalScale)
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

// read runs one Read and returns its batches. killAt > 0 kills the run at that batch: emit
// cancels the read's context and returns its error, so that batch and later ones are not
// loaded.
func (e *env) read(src *source, stream string, from extract.Cursor, killAt int) ([]batch, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []batch
	err := src.Read(ctx, stream, from, func(ctx context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if killAt > 0 && len(got)+1 == killAt {
			cancel()
			return ctx.Err()
		}
		got = append(got, batch{rows: rowsOf(b.Records), cursor: b.Cursor, final: b.Final})
		return nil
	})
	return got, err
}

// warehouse is what the loader keeps: per stream, rows merged on the primary key (last wins;
// a Replace stream's table is what its last read emitted), and the committed cursor.
type warehouse struct {
	tables  map[string]map[string]rowMap
	cursors map[string]extract.Cursor
	// emitted counts the rows each stream's reads emitted.
	emitted map[string]int
}

func newWarehouse() *warehouse {
	return &warehouse{tables: map[string]map[string]rowMap{}, cursors: map[string]extract.Cursor{}, emitted: map[string]int{}}
}

func (w *warehouse) load(st extract.Stream, bs []batch) {
	tab := w.tables[st.Name]
	if tab == nil || st.Replace {
		tab = map[string]rowMap{}
		w.tables[st.Name] = tab
	}
	for _, b := range bs {
		for _, r := range b.rows {
			tab[r["id"].(string)] = r
			w.emitted[st.Name]++
		}
		w.cursors[st.Name] = b.cursor
	}
}

func streamOf(src *source, name string) extract.Stream {
	for _, st := range src.Streams() {
		if st.Name == name {
			return st
		}
	}
	panic("no stream " + name)
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
				e.t.Fatalf("read %s: a batch before the last is final", st.Name)
			}
		}
		w.load(st, bs)
	}
}

// round6 renders a decimal text at six decimals, rounded half to even (independently of the
// connector's parser).
func round6(s string) any {
	if s == "" {
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad decimal " + s)
	}
	scaled := new(big.Rat).Mul(r, big.NewRat(1_000_000, 1))
	q, m := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if c := twice.Cmp(scaled.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(scaled.Sign())))
	}
	neg := q.Sign() < 0
	d := new(big.Int).Abs(q).String()
	for len(d) < 7 {
		d = "0" + d
	}
	out := d[:len(d)-6] + "." + d[len(d)-6:]
	if neg {
		out = "-" + out
	}
	return out
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func num(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}

// expected is the content every stream must have, from the fake's ground truth: per stream,
// per id, every column but _extra.
func expected(tr fake.Truth) map[string]map[string]rowMap {
	out := map[string]map[string]rowMap{}
	put := func(stream, id string, r rowMap) {
		if out[stream] == nil {
			out[stream] = map[string]rowMap{}
		}
		r["id"] = id
		out[stream][id] = r
	}
	for _, s := range AllStreams() {
		out[s] = map[string]rowMap{}
	}
	currency := map[string]string{}
	for _, a := range tr.Accounts {
		currency[a.ID] = a.Currency
		put(Accounts, a.ID, rowMap{"account_number": str(a.AccountNumber), "name": str(a.Name), "currency": str(a.Currency),
			"crm_id": str(a.CrmID), "status": str(a.Status), "bill_cycle_day": num(a.BillCycleDay), "bill_to_id": str(a.BillToID),
			"sold_to_id": str(a.SoldToID), "parent_id": str(a.ParentID), "payment_term": str(a.PaymentTerm),
			"batch": str(a.Batch), "balance": round6(a.Balance), "auto_pay": a.AutoPay,
			"created_date": ts(a.CreatedDate), "updated_date": ts(a.UpdatedDate)})
	}
	for _, c := range tr.Contacts {
		put(Contacts, c.ID, rowMap{"account_id": str(c.AccountID), "first_name": str(c.FirstName), "last_name": str(c.LastName),
			"work_email": str(c.WorkEmail), "country": str(c.Country), "created_date": ts(c.CreatedDate), "updated_date": ts(c.UpdatedDate)})
	}
	for _, p := range tr.Products {
		put(Products, p.ID, rowMap{"name": str(p.Name), "sku": str(p.SKU), "description": str(p.Description),
			"category": str(p.Category), "effective_start_date": str(p.EffectiveStartDate),
			"effective_end_date": str(p.EffectiveEndDate), "created_date": ts(p.CreatedDate), "updated_date": ts(p.UpdatedDate)})
	}
	for _, p := range tr.ProductRatePlans {
		put(ProductRatePlans, p.ID, rowMap{"product_id": str(p.ProductID), "name": str(p.Name), "description": str(p.Description),
			"effective_start_date": str(p.EffectiveStartDate), "effective_end_date": str(p.EffectiveEndDate),
			"created_date": ts(p.CreatedDate), "updated_date": ts(p.UpdatedDate)})
	}
	for _, p := range tr.ProductRatePlanCharges {
		put(ProductRatePlanCharges, p.ID, rowMap{"product_rate_plan_id": str(p.ProductRatePlanID), "name": str(p.Name),
			"charge_type": str(p.ChargeType), "charge_model": str(p.ChargeModel), "billing_period": str(p.BillingPeriod),
			"default_quantity": round6(p.DefaultQuantity), "uom": str(p.UOM), "created_date": ts(p.CreatedDate),
			"updated_date": ts(p.UpdatedDate)})
	}
	subAccount := map[string]string{}
	for _, s := range tr.Subscriptions {
		subAccount[s.ID] = s.AccountID
		put(Subscriptions, s.ID, rowMap{"name": str(s.Name), "account_id": str(s.AccountID), "invoice_owner_id": str(s.InvoiceOwnerID),
			"original_id": str(s.OriginalID), "previous_subscription_id": str(s.PreviousSubscriptionID), "version": num(s.Version),
			"status": str(s.Status), "term_type": str(s.TermType), "subscription_start_date": str(s.SubscriptionStartDate),
			"subscription_end_date": str(s.SubscriptionEndDate), "term_start_date": str(s.TermStartDate),
			"term_end_date": str(s.TermEndDate), "initial_term": num(s.InitialTerm), "renewal_term": num(s.RenewalTerm),
			"auto_renew": s.AutoRenew, "contract_effective_date": str(s.ContractEffectiveDate),
			"service_activation_date": str(s.ServiceActivationDate), "cancelled_date": str(s.CancelledDate),
			"currency": str(currency[s.AccountID]), "created_date": ts(s.CreatedDate), "updated_date": ts(s.UpdatedDate)})
	}
	planSub := map[string]string{}
	for _, rp := range tr.RatePlans {
		planSub[rp.ID] = rp.SubscriptionID
		put(RatePlans, rp.ID, rowMap{"subscription_id": str(rp.SubscriptionID), "product_rate_plan_id": str(rp.ProductRatePlanID),
			"name": str(rp.Name), "amendment_type": str(rp.AmendmentType), "created_date": ts(rp.CreatedDate),
			"updated_date": ts(rp.UpdatedDate)})
	}
	for _, c := range tr.RatePlanCharges {
		sub := planSub[c.RatePlanID]
		acc := subAccount[sub]
		put(RatePlanCharges, c.ID, rowMap{"rate_plan_id": str(c.RatePlanID), "subscription_id": str(sub), "account_id": str(acc),
			"currency": str(currency[acc]), "original_id": str(c.OriginalID), "charge_number": str(c.ChargeNumber),
			"name": str(c.Name), "segment": num(c.Segment), "version": num(c.Version), "charge_type": str(c.ChargeType),
			"charge_model": str(c.ChargeModel), "billing_period": str(c.BillingPeriod),
			"effective_start_date": str(c.EffectiveStartDate), "effective_end_date": str(c.EffectiveEndDate),
			"mrr": round6(c.MRR), "dmrc": round6(c.DMRC), "tcv": round6(c.TCV), "dtcv": round6(c.DTCV),
			"quantity": round6(c.Quantity), "price": round6(c.Price), "is_last_segment": c.IsLastSegment,
			"product_rate_plan_charge_id": str(c.ProductRatePlanChargeID), "created_date": ts(c.CreatedDate),
			"updated_date": ts(c.UpdatedDate)})
	}
	invAccount := map[string]string{}
	for _, in := range tr.Invoices {
		invAccount[in.ID] = in.AccountID
		put(Invoices, in.ID, rowMap{"account_id": str(in.AccountID), "invoice_number": str(in.InvoiceNumber),
			"invoice_date": str(in.InvoiceDate), "due_date": str(in.DueDate), "status": str(in.Status),
			"amount": round6(in.Amount), "amount_without_tax": round6(in.AmountWithoutTax), "tax_amount": round6(in.TaxAmount),
			"balance": round6(in.Balance), "currency": str(currency[in.AccountID]), "posted_date": ts(in.PostedDate),
			"created_date": ts(in.CreatedDate), "updated_date": ts(in.UpdatedDate)})
	}
	for _, it := range tr.InvoiceItems {
		acc := invAccount[it.InvoiceID]
		put(InvoiceItems, it.ID, rowMap{"invoice_id": str(it.InvoiceID), "subscription_id": str(it.SubscriptionID),
			"rate_plan_charge_id": str(it.RatePlanChargeID), "account_id": str(acc), "currency": str(currency[acc]),
			"charge_name": str(it.ChargeName), "charge_amount": round6(it.ChargeAmount), "tax_amount": round6(it.TaxAmount),
			"quantity": round6(it.Quantity), "unit_price": round6(it.UnitPrice), "service_start_date": str(it.ServiceStartDate),
			"service_end_date": str(it.ServiceEndDate), "charge_date": ts(it.ChargeDate), "processing_type": str(it.ProcessingType),
			"sku": str(it.SKU), "created_date": ts(it.CreatedDate), "updated_date": ts(it.UpdatedDate)})
	}
	return out
}

// check compares the warehouse's tables with the fake's ground truth, column by column:
// nothing missing, nothing extra, every value equal. Streams default to all.
func (e *env) check(w *warehouse, streams ...string) {
	e.t.Helper()
	want := expected(e.fake.Truth())
	if len(streams) == 0 {
		streams = AllStreams()
	}
	for _, stream := range streams {
		got := w.tables[stream]
		for id, wr := range want[stream] {
			gr, ok := got[id]
			if !ok {
				e.t.Errorf("%s %s: missing", stream, id)
				continue
			}
			for col, wv := range wr {
				if fmt.Sprint(gr[col]) != fmt.Sprint(wv) {
					e.t.Errorf("%s %s: %s = %v, want %v", stream, id, col, gr[col], wv)
				}
			}
		}
		for id := range got {
			if _, ok := want[stream][id]; !ok {
				e.t.Errorf("%s %s: unexpected row %v", stream, id, got[id])
			}
		}
	}
}

// ids returns the sorted ids of rows.
func ids(rows []rowMap) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r["id"].(string))
	}
	sort.Strings(out)
	return out
}

func allRows(bs []batch) []rowMap {
	var out []rowMap
	for _, b := range bs {
		out = append(out, b.rows...)
	}
	return out
}

// queries records the ZOQL of every query page the fake serves.
type queries struct {
	mu  sync.Mutex
	all []fake.Page
}

func (q *queries) add(p fake.Page) {
	q.mu.Lock()
	q.all = append(q.all, p)
	q.mu.Unlock()
}

// first returns the queries' first pages (the /v1/action/query calls) on object.
func (q *queries) first(object string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, p := range q.all {
		if p.N == 1 && p.Object == object && !strings.Contains(p.Query, " or ") && !strings.Contains(p.Query, "where Id =") {
			out = append(out, p.Query)
		}
	}
	return out
}

// killPoints are the batches a kill test fails at: the first ones, some in the middle, the last.
func killPoints(n int) []int {
	seen := map[int]bool{}
	var out []int
	for _, k := range []int{1, 2, 3, n / 2, n - 1, n} {
		if k >= 1 && k <= n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }
