package stripe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/stripe/fake"
)

func TestConfigErrorsNameTheField(t *testing.T) {
	const key = "sk_test_supersecretvalue9876"
	for _, tc := range []struct {
		yaml  string
		field string
	}{
		{"base_url: ftp://x\napi_key: " + key, "base_url"},
		{"base_url: https://api.stripe.com?x=1\napi_key: " + key, "base_url"},
		{"api_key: pk_test_123", "api_key"},
		{"api_key: ''", "api_key"},
		{"base_url: https://api.stripe.com", "api_key"}, // missing
		{"api_key: " + key + "\napi_version: latest", "api_version"},
		{"api_key: " + key + "\nobjects: [customers, charges]", "objects"},
		{"api_key: " + key + "\nobjects: [customers, customers]", "objects"},
		{"api_key: " + key + "\npage_size: 0", "page_size"},
		{"api_key: " + key + "\npage_size: 1000", "page_size"},
		{"api_key: " + key + "\nrequests_per_second: 500", "requests_per_second"},
		{"api_key: " + key + "\nrequests_per_second: -1", "requests_per_second"},
		{"api_key: " + key + "\ntimeout: -1s", "timeout"},
		{"api_key: " + key + "\nmax_attempts: 0", "max_attempts"},
		{"api_key: " + key + "\ncurrency_exponents: {USD: 2}", "currency_exponents"},
		{"api_key: " + key + "\ncurrency_exponents: {xyz: 9}", "currency_exponents"},
		{"api_key: " + key + "\nbogus: 1", "bogus"},
	} {
		_, err := New(extract.Config{Name: "billing", Decode: decodeYAML(tc.yaml), Now: time.Now})
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%q: %v, want an error naming %s", tc.yaml, err, tc.field)
			continue
		}
		if strings.Contains(err.Error(), "supersecret") {
			t.Errorf("%q: the error shows the key: %v", tc.yaml, err)
		}
	}
	// Several problems are reported at once.
	_, err := New(extract.Config{Name: "billing", Decode: decodeYAML("api_key: " + key + "\npage_size: 0\napi_version: x"), Now: time.Now})
	if err == nil || !strings.Contains(err.Error(), "page_size") || !strings.Contains(err.Error(), "api_version") {
		t.Errorf("joined errors: %v", err)
	}
	// A valid minimal configuration: every stream, no I/O.
	src, err := New(extract.Config{Name: "billing", Decode: decodeYAML("api_key: ${STRIPE_KEY}"), Now: time.Now})
	if err == nil {
		t.Fatalf("an unset ${STRIPE_KEY} should be an error, got %v", src)
	}
	src, err = New(extract.Config{Name: "billing", Decode: decodeYAML("api_key: " + key), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(src.Streams()); got != len(AllStreams()) {
		t.Errorf("%d streams", got)
	}
	if s := fmt.Sprintf("%v %+v %#v", src, src, src); strings.Contains(s, "supersecret") {
		t.Error("printing the source shows the key")
	}
}

func TestStreamsSchemas(t *testing.T) {
	e := newEnv(t, fake.Options{})
	for _, st := range e.source("").Streams() {
		names := map[string]arrow.DataType{}
		for _, f := range st.Schema.Fields() {
			names[f.Name] = f.Type
			switch ty := f.Type.(type) {
			case *arrow.StringType, *arrow.Int64Type, *arrow.Float64Type, *arrow.BooleanType:
			case *arrow.TimestampType:
				if ty.Unit != arrow.Microsecond || ty.TimeZone != "UTC" {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			case *arrow.Decimal128Type:
				if ty.Precision != 38 || ty.Scale != 6 {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			default:
				t.Errorf("%s.%s: type %s the loader may not accept", st.Name, f.Name, ty)
			}
		}
		for _, k := range st.PrimaryKey {
			if names[k] == nil {
				t.Errorf("%s: primary key %s is not a column", st.Name, k)
			}
		}
		if st.DeletedField != "" && names[st.DeletedField] != arrow.FixedWidthTypes.Boolean {
			t.Errorf("%s: deleted field %s", st.Name, st.DeletedField)
		}
		if names["_extra"] == nil || names[st.CursorField] == nil {
			t.Errorf("%s: no _extra or cursor field", st.Name)
		}
	}
}

func TestMinorToMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		exp  int
		want string
	}{
		{"2000", 2, "20.000000"},      // USD cents
		{"2000", 0, "2000.000000"},    // JPY: no minor unit
		{"2000", 3, "2.000000"},       // KWD fils
		{"-150", 2, "-1.500000"},      // credits
		{"0.5", 2, "0.005000"},        // half a cent
		{"12.3456789", 2, "0.123457"}, // rounded half to even past six decimals
		{"0.00000250", 2, "0.000000"}, // 2.5e-8 → 0 (half to even)
		{"0.0000015", 0, "0.000002"},  // 1.5e-6 → 2e-6
		{"99999999999999999999", 2, "999999999999999999.990000"},
	} {
		n, err := minorToMoney(tc.in, tc.exp)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := n.ToString(moneyScale); got != tc.want {
			t.Errorf("%s (exp %d) = %s, want %s", tc.in, tc.exp, got, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "1e5", "1.2.3", strings.Repeat("9", 40)} {
		if _, err := minorToMoney(bad, 2); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestAmountsByCurrency: the same price in JPY (0 decimals), USD (2), KWD (3) and a currency
// whose exponent the configuration overrides.
func TestAmountsByCurrency(t *testing.T) {
	e := newEnv(t, fake.Options{})
	prod := must[fake.Product](t)(e.fake.CreateProduct(fake.Product{Name: "p"}))
	want := map[string]string{}
	for _, c := range []struct {
		cur    string
		amount int64
		want   string
	}{
		{"jpy", 1980, "1980.000000"}, {"usd", 1980, "19.800000"}, {"kwd", 1980, "1.980000"},
		{"bhd", 5, "0.005000"}, {"eur", 1, "0.010000"}, {"ugx", 1980, "19.800000"},
	} {
		p := must[fake.Price](t)(e.fake.CreatePrice(fake.Price{Product: prod.ID, Currency: c.cur, UnitAmount: c.amount}))
		want[p.ID] = c.want
	}
	sub := must[fake.Price](t)(e.fake.CreatePrice(fake.Price{Product: prod.ID, Currency: "usd", UnitAmountDecimal: "0.25"}))
	want[sub.ID] = "0.002500"
	// UGX is zero-decimal by default; this account's configuration says two.
	src := e.source("objects: [prices]\ncurrency_exponents: {ugx: 2}\n")
	w := newWarehouse()
	e.sync(src, w)
	for id, amount := range want {
		r := w.tables[Prices][id]
		if r == nil || r["unit_amount"] != amount {
			t.Errorf("%s: %v, want %s", id, r, amount)
		}
	}
	if r := w.tables[Prices][sub.ID]; r["unit_amount_decimal"] != "0.25" {
		t.Errorf("unit_amount_decimal: %v", r["unit_amount_decimal"])
	}
	// Invoice amounts use the invoice's currency.
	cust := must[fake.Customer](t)(e.fake.CreateCustomer(fake.Customer{Name: "JP", Currency: "jpy"}))
	in := must[fake.Invoice](t)(e.fake.CreateInvoice(fake.Invoice{Customer: cust.ID, Currency: "jpy",
		Lines: []fake.InvoiceLine{{Amount: 5000, Description: "yen"}}}))
	src = e.source("objects: [invoices, invoice_lines]\n")
	e.sync(src, w)
	if r := w.tables[Invoices][in.ID]; r["total"] != "5000.000000" || r["currency"] != "jpy" {
		t.Errorf("invoice: %v", r)
	}
}

func TestUnauthorizedKeyNotLeaked(t *testing.T) {
	e := newEnv(t, fake.Options{})
	const key = "sk_test_notthekey4321"
	f := NewWith(Options{Sleep: func(ctx context.Context, d time.Duration) error { return nil }, Allocator: e.mem})
	src, err := f(extract.Config{Name: "billing", Now: e.clock.Now,
		Decode: decodeYAML(fmt.Sprintf("base_url: %s\napi_key: %s\n", e.url, key))})
	if err != nil {
		t.Fatal(err)
	}
	err = src.Read(context.Background(), Customers, nil, func(context.Context, extract.Batch) error { return nil })
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "4321") || strings.Contains(err.Error(), "notthekey") {
		t.Errorf("the error shows the key: %v", err)
	}
	if n := e.countPath("/v1/customers"); n != 1 {
		t.Errorf("a 401 was sent %d times", n)
	}
}

func TestReadContract(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.world(10)
	src := e.source("page_size: 2\n")
	// emit's error comes back unchanged.
	_, err := e.read(src, Customers, nil, 2)
	if err != errCrash {
		t.Errorf("emit error: %v", err)
	}
	// A canceled context stops the read with ctx.Err().
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = src.Read(ctx, Customers, nil, func(_ context.Context, b extract.Batch) error {
		b.Records.Release()
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Errorf("after cancel: %v (%d batches)", err, n)
	}
	// An unknown stream and a broken cursor are errors.
	if err := src.Read(context.Background(), "charges", nil, nil); err == nil {
		t.Error("unknown stream")
	}
	if err := src.Read(context.Background(), Customers, extract.Cursor("{"), nil); err == nil {
		t.Error("broken cursor")
	}
	// A cursor of another version starts over.
	bs, err := e.read(src, Customers, extract.Cursor(`{"v":99}`), 0)
	if err != nil || len(bs) < 5 {
		t.Errorf("old cursor: %v, %d batches", err, len(bs))
	}
}

// requests_per_second 0 turns client-side pacing off (a proxy that paces, or a fake): the
// configuration is valid and the source builds.
func TestNoClientPacing(t *testing.T) {
	if _, err := New(extract.Config{Name: "billing", Decode: decodeYAML("api_key: sk_test_x\nrequests_per_second: 0"), Now: time.Now}); err != nil {
		t.Fatal(err)
	}
}
