package salesforce_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// The connector reads a fake org exactly as it reads a real one: only login_url differs.
func Example() {
	clock := fakeapi.NewClock(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	org := fake.New(fake.Options{Clock: clock, Clients: []fake.Client{{ID: "demo", Secret: "demo-secret", Username: "etl@acme.test"}}})
	srv := httptest.NewServer(org)
	defer srv.Close()
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		if _, err := org.Insert("Account", fake.Record{"Name": name, "AnnualRevenue": 1.25e6}); err != nil {
			panic(err)
		}
	}
	clock.Advance(10 * time.Minute) // past the default safety lag

	config := fmt.Sprintf(`
login_url: %s
auth: {grant: client_credentials, client_id: demo, client_secret: "${SF_SECRET}"}
objects: [Account]
`, srv.URL)
	decode := func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(config))
		if err != nil {
			return err
		}
		env := func(name string) (string, bool) { return "demo-secret", name == "SF_SECRET" }
		return (&yamlx.Decoder{File: "revops.yaml", LookupEnv: env}).Decode(root, v)
	}
	src, err := salesforce.New(extract.Config{Name: "crm", Decode: decode, Now: clock.Now})
	if err != nil {
		panic(err)
	}
	for _, s := range src.Streams() {
		fmt.Println("stream", s.Name, "key", s.PrimaryKey, "cursor", s.CursorField, "deleted", s.DeletedField)
	}
	rows := 0
	err = src.Read(context.Background(), "account", nil, func(_ context.Context, b extract.Batch) error {
		defer b.Records.Release()
		rows += int(b.Records.NumRows())
		return nil
	})
	fmt.Println("rows", rows, "error", err)
	// Output:
	// stream account key [id] cursor system_modstamp deleted is_deleted
	// rows 3 error <nil>
}
