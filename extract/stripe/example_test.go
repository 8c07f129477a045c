package stripe_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/stripe"
	"github.com/revops/revops/extract/stripe/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// A Stripe source reads a fake account: the first read lists everything, and its last cursor
// makes the next read replay only the events since.
func Example() {
	clock := fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	account := fake.New(fake.Options{Clock: clock})
	cus, _ := account.CreateCustomer(fake.Customer{Name: "Acme", Currency: "jpy", Balance: -5000})
	clock.Advance(time.Hour)
	srv := httptest.NewServer(account)
	defer srv.Close()

	config := fmt.Sprintf("base_url: %s\napi_key: sk_test_fake\nobjects: [customers]\n", srv.URL)
	src, err := stripe.New(extract.Config{Name: "billing", Now: clock.Now, Decode: func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(config))
		if err != nil {
			return err
		}
		return (&yamlx.Decoder{File: "revops.yaml"}).Decode(root, v)
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	read := func(from extract.Cursor) extract.Cursor {
		rows := 0
		err := src.Read(context.Background(), "customers", from, func(_ context.Context, b extract.Batch) error {
			defer b.Records.Release()
			rows += int(b.Records.NumRows())
			from = b.Cursor
			return nil
		})
		fmt.Println("rows:", rows, "error:", err)
		return from
	}
	cursor := read(nil) // the listing, then the events of the last minutes (none)

	clock.Advance(time.Hour)
	_ = account.UpdateCustomer(cus.ID, func(c *fake.Customer) { c.Email = "billing@acme.example" })
	clock.Advance(time.Hour)
	read(cursor) // only the update
	// Output:
	// rows: 1 error: <nil>
	// rows: 1 error: <nil>
}
