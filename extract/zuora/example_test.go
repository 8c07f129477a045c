package zuora_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zuora"
	"github.com/revops/revops/extract/zuora/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// A Zuora source reads a fake tenant's rate plan charge segments: the first read lists
// everything, and its last cursor makes the next read return only what changed — here the
// new subscription version an amendment created, whose charge now has two segments.
func Example() {
	clock := fakeapi.NewClock(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	tenant := fake.New(fake.Options{Clock: clock})
	acc, _ := tenant.CreateAccount(fake.Account{Name: "Acme", Currency: "EUR"})
	sub, _ := tenant.Subscribe(fake.NewSubscription{AccountID: acc.ID, StartDate: "2025-01-01", TermMonths: 12,
		RatePlans: []fake.RatePlanSpec{{Name: "Seats", Charges: []fake.ChargeSpec{{Name: "Seats", Price: "10", Quantity: "10"}}}}})
	clock.Advance(time.Hour)
	srv := httptest.NewServer(tenant)
	defer srv.Close()

	config := fmt.Sprintf("base_url: %s\nclient_id: %s\nclient_secret: %s\nobjects: [rate_plan_charges]\n",
		srv.URL, fake.DefaultClientID, fake.DefaultClientSecret)
	src, err := zuora.New(extract.Config{Name: "billing", Now: clock.Now, Decode: func(v any) error {
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
		var lines []string
		err := src.Read(context.Background(), zuora.RatePlanCharges, from, func(_ context.Context, b extract.Batch) error {
			defer b.Records.Release()
			col := func(name string) int { return b.Records.Schema().FieldIndices(name)[0] }
			seg := b.Records.Column(col("segment")).(*array.Int64)
			start := b.Records.Column(col("effective_start_date")).(*array.Date32)
			end := b.Records.Column(col("effective_end_date")).(*array.Date32)
			mrr := b.Records.Column(col("mrr")).(*array.Decimal128)
			cur := b.Records.Column(col("currency")).(*array.String)
			for i := 0; i < int(b.Records.NumRows()); i++ {
				lines = append(lines, fmt.Sprintf("segment %d: %s to %s, MRR %s %s", seg.Value(i),
					start.Value(i).FormattedString(), end.Value(i).FormattedString(), mrr.Value(i).ToString(6), cur.Value(i)))
			}
			from = b.Cursor
			return nil
		})
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Println(l)
		}
		fmt.Println("error:", err)
		return from
	}
	cursor := read(nil)

	charge := tenant.Truth().RatePlanCharges[0].ChargeNumber
	_, _ = tenant.Amend(sub.Name, fake.Amendment{EffectiveDate: "2025-04-01",
		Update: []fake.ChargeUpdate{{ChargeNumber: charge, Quantity: "15"}}})
	clock.Advance(time.Hour)
	read(cursor)
	// Output:
	// segment 1: 2025-01-01 to 2026-01-01, MRR 100.000000 EUR
	// error: <nil>
	// segment 1: 2025-01-01 to 2025-04-01, MRR 100.000000 EUR
	// segment 2: 2025-04-01 to 2026-01-01, MRR 150.000000 EUR
	// error: <nil>
}
