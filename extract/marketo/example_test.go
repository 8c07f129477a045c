package marketo_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/marketo"
	"github.com/revops/revops/extract/marketo/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// A Marketo source reads a fake subscription's activities: the first read pages from
// start_date, and its last cursor makes the next read ask only for what came since (less the
// lookback).
func Example() {
	clock := fakeapi.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	mkto := fake.New(fake.Options{Clock: clock})
	lead, _ := mkto.AddLead(fake.Lead{Email: "ada@example.com", LeadStatus: "New", CreatedAt: clock.Now().Add(-48 * time.Hour)})
	_, _ = mkto.AddActivity(fake.Activity{LeadID: lead.ID, TypeID: fake.TypeVisitWebpage, ActivityDate: clock.Now().Add(-24 * time.Hour)})
	srv := httptest.NewServer(mkto)
	defer srv.Close()

	config := fmt.Sprintf("base_url: %s\nclient_id: revops-client\nclient_secret: revops-secret\n"+
		"streams: [activities]\nstart_date: 2025-05-01\nlookback: 1h\n", srv.URL)
	src, err := marketo.New(extract.Config{Name: "marketing", Now: clock.Now, Decode: func(v any) error {
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
		err := src.Read(context.Background(), marketo.Activities, from, func(_ context.Context, b extract.Batch) error {
			defer b.Records.Release()
			rows += int(b.Records.NumRows())
			from = b.Cursor
			return nil
		})
		fmt.Println("rows:", rows, "error:", err)
		return from
	}
	cursor := read(nil) // New Lead and Visit Webpage

	clock.Advance(time.Hour)
	_ = mkto.UpdateLead(lead.ID, time.Time{}, map[string]any{"leadStatus": "MQL"})
	read(cursor) // the Change Data Value, and the visit again: the lookback re-reads the hour
	// before the latest activity already read (the loader merges it on marketo_guid)
	// Output:
	// rows: 2 error: <nil>
	// rows: 2 error: <nil>
}
