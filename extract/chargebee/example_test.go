package chargebee_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/chargebee"
	"github.com/revops/revops/extract/chargebee/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// A Chargebee source reads a fake site: the first read lists every subscription item, and its
// last cursor makes the next read return only what changed since.
func Example() {
	clock := fakeapi.NewClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	site := fake.New(fake.Options{Clock: clock, APIKeys: []string{"test_example_key"}})
	if _, err := site.Seed(fake.SeedOptions{Customers: 10, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(site)
	defer srv.Close()

	config := fmt.Sprintf("base_url: %s\napi_key: test_example_key\nobjects: [subscription_items]\n", srv.URL)
	src, err := chargebee.New(extract.Config{Name: "billing", Now: clock.Now, Decode: func(v any) error {
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
		err := src.Read(context.Background(), chargebee.SubscriptionItems, from, func(_ context.Context, b extract.Batch) error {
			defer b.Records.Release()
			rows += int(b.Records.NumRows())
			from = b.Cursor
			return nil
		})
		fmt.Println("rows:", rows, "error:", err)
		return from
	}
	cursor := read(nil) // every item of every subscription

	clock.Advance(time.Hour)
	sub := site.Truth().Subscriptions[0]
	if _, err := site.UpdateSubscription(sub.ID, func(s *fake.Subscription) { s.Items[0].Quantity += 10 }); err != nil {
		fmt.Println(err)
		return
	}
	read(cursor) // only the changed subscription's items
	// Output:
	// rows: 11 error: <nil>
	// rows: 1 error: <nil>
}
