package hubspot_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot"
	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/internal/yamlx"
)

// A HubSpot source reading deals from the fake, configured as in revops.yaml. The source's
// clock may stand still (here the fake's, at 2026-01-01): requests are paced on the wall clock.
func Example() {
	f := fake.New(fake.Options{})
	_, _ = f.Put("deals",
		fake.Record{ID: "101", UpdatedAt: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
			Properties: map[string]string{"dealname": "Acme renewal", "amount": "1500.00", "dealstage": "closedwon"}},
		fake.Record{ID: "102", UpdatedAt: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC),
			Properties: map[string]string{"dealname": "Globex new", "amount": "980.5", "dealstage": "qualifiedtobuy"}})
	srv := httptest.NewServer(f)
	defer srv.Close()

	config := strings.ReplaceAll(`
base_url: BASE
token: ${HUBSPOT_TOKEN}
objects: [deals]
`, "BASE", srv.URL)
	decode := func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(config))
		if err != nil {
			return err
		}
		env := func(k string) (string, bool) { return fake.DefaultToken, k == "HUBSPOT_TOKEN" }
		return (&yamlx.Decoder{File: "revops.yaml", LookupEnv: env}).Decode(root, v)
	}
	src, err := hubspot.New(extract.Config{Name: "crm", Decode: decode, Now: f.Clock.Now})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = src.Read(context.Background(), "deals", nil, func(_ context.Context, b extract.Batch) error {
		defer b.Records.Release()
		rec := b.Records
		id := rec.Column(int(rec.Schema().FieldIndices("id")[0])).(*array.String)
		name := rec.Column(int(rec.Schema().FieldIndices("dealname")[0])).(*array.String)
		amount := rec.Column(int(rec.Schema().FieldIndices("amount")[0])).(*array.Decimal128)
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Println(id.Value(i), name.Value(i), amount.Value(i).ToString(2))
		}
		if b.Final {
			fmt.Printf("final batch, cursor %s\n", b.Cursor)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 101 Acme renewal 1500.00
	// 102 Globex new 980.50
	// final batch, cursor {"v":1,"objects":{"deals":{"since":1767225540000}}}
}
