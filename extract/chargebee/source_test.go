package chargebee

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/chargebee/fake"
)

func TestConfigValidation(t *testing.T) {
	const key = "live_supersecretvalue9876"
	valid := "site: acme\napi_key: " + key
	for _, tc := range []struct {
		name  string
		yaml  string
		field string // "" : valid
	}{
		{"site", valid, ""},
		{"base_url", "base_url: http://127.0.0.1:9/\napi_key: " + key, ""},
		{"everything", valid + "\nobjects: [customers, invoice_line_items]\npage_size: 50\nrequests_per_minute: 900\n" +
			"timeout: 30s\nmax_attempts: 3\noverlap: 1m\ncurrency_exponents: {CLF: 4}", ""},
		{"no site", "api_key: " + key, "site is missing"},
		{"site and base_url", valid + "\nbase_url: https://acme.chargebee.com", "not both"},
		{"site as a host", "site: acme.chargebee.com\napi_key: " + key, "write only the site name"},
		{"site upper case", "site: Acme\napi_key: " + key, "site"},
		{"base_url scheme", "base_url: ftp://x\napi_key: " + key, "base_url"},
		{"base_url query", "base_url: https://acme.chargebee.com?x=1\napi_key: " + key, "base_url"},
		{"base_url with /api/v2", "base_url: https://acme.chargebee.com/api/v2\napi_key: " + key, "leave it out"},
		{"base_url with credentials", "base_url: https://" + key + "@acme.chargebee.com\napi_key: " + key, "credentials"},
		{"api_key missing", "site: acme", "api_key"},
		{"api_key empty", "site: acme\napi_key: ''", "api_key"},
		{"api_key with a colon", "site: acme\napi_key: 'a:b'", "api_key"},
		{"unknown object", valid + "\nobjects: [customers, plans]", "objects"},
		{"object twice", valid + "\nobjects: [customers, customers]", "objects"},
		{"page_size 0", valid + "\npage_size: 0", "page_size"},
		{"page_size 101", valid + "\npage_size: 101", "page_size"},
		{"requests_per_minute", valid + "\nrequests_per_minute: 5000", "requests_per_minute"},
		{"timeout", valid + "\ntimeout: -1s", "timeout"},
		{"max_attempts", valid + "\nmax_attempts: 0", "max_attempts"},
		{"overlap fraction", valid + "\noverlap: 1500ms", "overlap"},
		{"overlap zero", valid + "\noverlap: 0s", "overlap"},
		{"currency lower case", valid + "\ncurrency_exponents: {usd: 2}", "currency_exponents"},
		{"currency exponent", valid + "\ncurrency_exponents: {XYZ: 9}", "currency_exponents"},
		{"unknown key", valid + "\nbogus: 1", "bogus"},
		{"unset variable", "site: acme\napi_key: ${CHARGEBEE_KEY_UNSET}", "CHARGEBEE_KEY_UNSET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(extract.Config{Name: "billing", Decode: decodeYAML(tc.yaml), Now: time.Now})
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s := fmt.Sprintf("%v %+v %#v", src, src, src); strings.Contains(s, "supersecret") {
					t.Error("printing the source shows the key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("%v, want an error about %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "supersecret") {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
	// Every problem at once.
	_, err := New(extract.Config{Name: "billing", Decode: decodeYAML("api_key: k\npage_size: 0\nmax_attempts: 99\nobjects: [x]"), Now: time.Now})
	for _, want := range []string{"site is missing", "page_size", "max_attempts", "objects"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("joined errors: %v, want %s", err, want)
		}
	}
	// The defaults: every stream, in dependency order.
	src, err := New(extract.Config{Name: "billing", Decode: decodeYAML(valid), Now: time.Now})
	noErr(t, err)
	s := src.(*source)
	if len(s.Streams()) != len(AllStreams()) || s.pageSize != 100 || s.overlap != 1 ||
		s.client.base != "https://acme.chargebee.com/api/v2" || s.client.retry.MaxAttempts != DefaultMaxAttempts {
		t.Errorf("defaults: %d streams, %+v", len(s.Streams()), s)
	}
}

func TestStreamsSchemas(t *testing.T) {
	e := newEnv(t, fake.Options{})
	for _, st := range e.source("").Streams() {
		types := map[string]arrow.DataType{}
		for _, f := range st.Schema.Fields() {
			if types[f.Name] != nil {
				t.Errorf("%s.%s: twice", st.Name, f.Name)
			}
			types[f.Name] = f.Type
			switch ty := f.Type.(type) {
			case *arrow.StringType, *arrow.Int64Type, *arrow.BooleanType:
			case *arrow.TimestampType:
				if ty.Unit != arrow.Microsecond || ty.TimeZone != "UTC" {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			case *arrow.Decimal128Type:
				if ty.Precision != 38 || ty.Scale != 6 {
					t.Errorf("%s.%s: %s", st.Name, f.Name, ty)
				}
			default:
				t.Errorf("%s.%s: type %s", st.Name, f.Name, ty)
			}
		}
		for _, k := range st.PrimaryKey {
			if types[k] == nil {
				t.Errorf("%s: primary key %s is not a column", st.Name, k)
			}
		}
		if types[st.DeletedField] != arrow.FixedWidthTypes.Boolean || types["_extra"] == nil {
			t.Errorf("%s: deleted field %q, _extra %v", st.Name, st.DeletedField, types["_extra"])
		}
		if _, ok := types[st.CursorField].(*arrow.TimestampType); !ok {
			t.Errorf("%s: cursor field %q", st.Name, st.CursorField)
		}
		// Every money column has its currency in the row.
		for _, c := range definitions()[st.Name].all {
			if c.kind == kMoney && types[c.cur] == nil {
				t.Errorf("%s.%s: currency column %q missing", st.Name, c.name, c.cur)
			}
		}
	}
}

func TestMinorToMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		exp  int
		want string
	}{
		{"1999", 2, "19.990000"},   // USD cents
		{"1500", 0, "1500.000000"}, // JPY: no minor unit
		{"12345", 3, "12.345000"},  // KWD fils
		{"-150", 2, "-1.500000"},   // credits
		{"0", 2, "0.000000"},
		{"7", 4, "0.000700"},         // CLF
		{"12.5", 0, "12.500000"},     // a percentage
		{"1e-05", 0, "0.000010"},     // a small rate as Go would print it
		{"0.0000025", 0, "0.000002"}, // half to even
		{"0.0000035", 0, "0.000004"}, // half to even
		{"99999999999999999999", 2, "999999999999999999.990000"},
	} {
		n, err := minorToMoney(tc.in, tc.exp)
		if err != nil || n.ToString(moneyScale) != tc.want {
			t.Errorf("minorToMoney(%s, %d) = %s, %v; want %s", tc.in, tc.exp, n.ToString(moneyScale), err, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "1/3", "0x10", "1e5000", "12.3.4", "NaN", "Inf"} {
		if _, err := minorToMoney(bad, 2); err == nil {
			t.Errorf("minorToMoney(%q) accepted", bad)
		}
	}
}

// TestCurrencies: amounts in USD, JPY and KWD come out in major units with their exponent, on
// prices, subscriptions, invoices and their lines; currency_exponents overrides one.
func TestCurrencies(t *testing.T) {
	e := newEnv(t, fake.Options{})
	fam := must[fake.ItemFamily](t)(e.fake.CreateItemFamily(fake.ItemFamily{Name: "F"}))
	plan := must[fake.Item](t)(e.fake.CreateItem(fake.Item{Name: "Plan", ItemFamilyID: fam.ID}))
	for _, tc := range []struct {
		currency       string
		price, credits int64
		wantPrice      string
		wantAmount     string // 3 seats
		wantCredits    string
	}{
		{"USD", 1999, 250, "19.990000", "59.970000", "2.500000"},
		{"JPY", 1500, 250, "1500.000000", "4500.000000", "250.000000"},
		{"KWD", 12345, 250, "12.345000", "37.035000", "0.250000"},
	} {
		p := must[fake.ItemPrice](t)(e.fake.CreateItemPrice(fake.ItemPrice{ItemID: plan.ID, CurrencyCode: tc.currency, Price: tc.price}))
		c := must[fake.Customer](t)(e.fake.CreateCustomer(fake.Customer{Email: tc.currency, PreferredCurrencyCode: tc.currency,
			PromotionalCredits: tc.credits}))
		s := must[fake.Subscription](t)(e.fake.CreateSubscription(fake.Subscription{CustomerID: c.ID,
			Items: []fake.SubscriptionItem{{ItemPriceID: p.ID, Quantity: 3}}}))
		in := must[fake.Invoice](t)(e.fake.CreateInvoice(fake.Invoice{CustomerID: c.ID, SubscriptionID: s.ID,
			LineItems: []fake.LineItem{{EntityID: p.ID, UnitAmount: tc.price, Quantity: 3}}}))
		src := e.source("")
		w := newWarehouse(t)
		e.sync(src, w)
		e.check(w, true)
		for _, got := range []struct {
			stream, key, col, want string
		}{
			{ItemPrices, p.ID, "price", tc.wantPrice},
			{Customers, c.ID, "promotional_credits", tc.wantCredits},
			{SubscriptionItems, s.ID + "/" + p.ID, "unit_price", tc.wantPrice},
			{SubscriptionItems, s.ID + "/" + p.ID, "amount", tc.wantAmount},
			{Subscriptions, s.ID, "mrr", tc.wantAmount},
			{Invoices, in.ID, "total", tc.wantAmount},
			{InvoiceLineItems, in.ID + "/" + in.LineItems[0].ID, "unit_amount", tc.wantPrice},
		} {
			if v := w.tables[got.stream][got.key][got.col]; v != got.want {
				t.Errorf("%s %s.%s = %v, want %s", tc.currency, got.stream, got.col, v, got.want)
			}
		}
	}
	// An override: a site that bills KWD in hundredths.
	src := e.source("objects: [item_prices]\ncurrency_exponents: {KWD: 2}\n")
	bs, err := e.read(src, ItemPrices, nil, 0)
	noErr(t, err)
	found := false
	for _, b := range bs {
		for _, r := range b.rows {
			if r["currency_code"] == "KWD" {
				found = r["price"] == "123.450000"
			}
		}
	}
	if !found {
		t.Error("currency_exponents {KWD: 2} was not applied")
	}
}

// TestErrorsNameTheObject: a wrong key, a missing endpoint and a catalog mismatch fail at once
// with what to do, naming the stream; the key never shows.
func TestErrorsNameTheObject(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(3, fake.SeedOptions{})
	// A wrong key.
	wrong := NewWith(Options{Sleep: e.sleep, Allocator: e.mem})
	text := fmt.Sprintf("base_url: %s\napi_key: test_WrongSecret77\nobjects: [invoices]\n", e.url)
	src := must[extract.Source](t)(wrong(extract.Config{Name: "billing", Decode: decodeYAML(text), Now: e.clock.Now}))
	_, err := e.read(src.(*source), Invoices, nil, 0)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "stream invoices") ||
		!strings.Contains(err.Error(), "check api_key") || !strings.Contains(err.Error(), "api_authentication_failed") {
		t.Errorf("wrong key: %v", err)
	}
	if strings.Contains(err.Error(), "WrongSecret") || strings.Contains(err.Error(), testKey) {
		t.Errorf("the error shows the key: %v", err)
	}
	for _, tc := range []struct {
		script fake.Scripted
		stream string
		want   string
	}{
		{fake.Scripted{Path: "/item_prices", Status: 400, APIErrorCode: "configuration_incompatible",
			Message: "The API endpoint is incompatible with the product catalog version. " + testKey}, ItemPrices,
			"remove item_prices from objects"},
		{fake.Scripted{Path: "/customers", Status: 404}, Customers, "check site or base_url"},
		{fake.Scripted{Path: "/coupons", Status: 403}, Coupons, "may read coupons"},
		{fake.Scripted{Path: "/items", Status: 400, Param: "limit", Message: "limit : invalid"}, Items, "(param limit)"},
	} {
		src := e.source("")
		before := e.fake.Stats().Requests
		e.fake.Script(tc.script)
		_, err := e.read(src, tc.stream, nil, 0)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != tc.script.Status || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "stream "+tc.stream) {
			t.Errorf("%d on %s: %v, want %q", tc.script.Status, tc.stream, err, tc.want)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("the error shows the key: %v", err)
		}
		if n := e.fake.Stats().Requests - before; n != 1 {
			t.Errorf("%d on %s was sent %d times, want once", tc.script.Status, tc.stream, n)
		}
	}
	// 5xx are retried until max_attempts.
	src2 := e.source("max_attempts: 3\n")
	e.fake.Script(fake.Scripted{Path: "/customers", Status: 503, Times: 5})
	before := e.fake.Stats().Requests
	if _, err := e.read(src2, Customers, nil, 0); err == nil || !strings.Contains(err.Error(), "retries exhausted") {
		t.Errorf("503 five times with max_attempts 3: %v", err)
	}
	if n := e.fake.Stats().Requests - before; n != 3 {
		t.Errorf("%d sends, want 3", n)
	}
}

// TestSchemaDrift: unknown attributes land in _extra, missing ones are NULL, and a value of an
// unexpected type leaves its column NULL with the raw value in _extra.
func TestSchemaDrift(t *testing.T) {
	e := newEnv(t, fake.Options{})
	e.seed(5, fake.SeedOptions{})
	e.fake.SetDrift("customer", map[string]any{"cf_tier": "gold", "net_term_days": "thirty"}, []string{"company"})
	e.fake.SetDrift("subscription_item", map[string]any{"proration_type": "full_term"}, nil)
	src := e.source("objects: [customers, subscription_items]\n")
	w := newWarehouse(t)
	e.sync(src, w)
	for id, r := range w.tables[Customers] {
		var x map[string]any
		noErr(t, json.Unmarshal([]byte(r["_extra"].(string)), &x))
		if x["cf_tier"] != "gold" || x["net_term_days"] != "thirty" || r["net_term_days"] != nil || r["company"] != nil ||
			r["email"] == nil || x["email"] != nil {
			t.Errorf("customer %s: %v, _extra %v", id, r, x)
		}
	}
	for id, r := range w.tables[SubscriptionItems] {
		if !strings.Contains(fmt.Sprint(r["_extra"]), `"proration_type":"full_term"`) {
			t.Errorf("item %s: _extra %v", id, r["_extra"])
		}
	}
}
