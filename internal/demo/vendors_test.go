package demo_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/internal/demo"
)

// With Vendors, the fakes hold the same world as the files: every opportunity with its full
// stage history, the leads and their first touches, the soft-deleted accounts in the recycle
// bin, one Stripe subscription per world subscription and the customers; the fakes answer on
// 127.0.0.1 at the addresses written under .vendors/.
func TestVendorsHoldTheWorld(t *testing.T) {
	dir, sum := generate(t, demo.Options{Vendors: true})
	v := sum.Vendors
	if v == nil {
		t.Fatal("no vendors")
	}
	defer v.Close()
	truth := func(object string) (live, deleted int) {
		t.Helper()
		tr, err := v.Salesforce.Truth(object)
		if err != nil {
			t.Fatal(err)
		}
		return len(tr.Live), len(tr.Deleted)
	}
	count := func(object string) int { live, deleted := truth(object); return live + deleted }
	for object, want := range map[string]int{
		"Opportunity": sum.Rows["opportunities"], "OpportunityHistory": sum.Rows["opportunity_history"],
		"Account": sum.Rows["accounts"], "Contact": sum.Rows["contacts"], "Lead": sum.Rows["leads"],
		"User": sum.Rows["users"],
	} {
		if got := count(object); got != want || want == 0 {
			t.Errorf("Salesforce %s: %d records, the files have %d", object, got, want)
		}
	}
	if _, deleted := truth("Account"); deleted != sum.Planted[demo.PlantedSoftDeletedAccounts] {
		t.Errorf("deleted accounts: %d, planted %d", deleted, sum.Planted[demo.PlantedSoftDeletedAccounts])
	}
	if tasks := count("Task"); tasks == 0 || tasks > sum.Rows["leads"] {
		t.Errorf("first touches: %d tasks for %d leads", tasks, sum.Rows["leads"])
	}
	st := v.Stripe.State()
	if len(st.Customers) != sum.Rows["customers"] {
		t.Errorf("Stripe customers: %d, the files have %d", len(st.Customers), sum.Rows["customers"])
	}
	if len(st.Subscriptions) == 0 || len(st.Subscriptions) >= sum.Rows["subscriptions"] {
		t.Errorf("Stripe subscriptions: %d for %d schedule rows", len(st.Subscriptions), sum.Rows["subscriptions"])
	}
	for vendor, file := range map[string]string{"salesforce": demo.FileSalesforceURL, "hubspot": demo.FileHubSpotURL, "stripe": demo.FileStripeURL} {
		data, err := os.ReadFile(filepath.Join(dir, ".vendors", file))
		if err != nil {
			t.Fatal(err)
		}
		url := strings.TrimSpace(string(data))
		if url != v.URLs[vendor] || !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Errorf("%s: %q in .vendors, served at %q", vendor, url, v.URLs[vendor])
		}
		resp, err := http.Get(url + "/__fake/stats")
		if err != nil {
			t.Fatalf("%s: %v", vendor, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s admin: %s", vendor, resp.Status)
		}
	}
}
