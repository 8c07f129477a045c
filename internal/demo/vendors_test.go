package demo_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mkfake "github.com/revops/revops/extract/marketo/fake"
	sffake "github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/demo"
)

// With Vendors, the fakes hold the same world as the files: every opportunity with its full
// stage history, the leads, the activities as Tasks and Events, the soft-deleted accounts in the recycle
// bin, one Stripe subscription per world subscription and the customers, every lead in Marketo
// with its creation, first touch, MQL and SQL at the world's times; the fakes answer on
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
	checkActivities(t, dir, v.Salesforce)
	st := v.Stripe.State()
	if len(st.Customers) != sum.Rows["customers"] {
		t.Errorf("Stripe customers: %d, the files have %d", len(st.Customers), sum.Rows["customers"])
	}
	if len(st.Subscriptions) == 0 || len(st.Subscriptions) >= sum.Rows["subscriptions"] {
		t.Errorf("Stripe subscriptions: %d for %d schedule rows", len(st.Subscriptions), sum.Rows["subscriptions"])
	}
	checkMarketo(t, dir, v.Marketo.Truth())
	for vendor, file := range map[string]string{"salesforce": demo.FileSalesforceURL, "hubspot": demo.FileHubSpotURL,
		"marketo": demo.FileMarketoURL, "stripe": demo.FileStripeURL} {
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

// checkActivities compares Salesforce's Tasks and Events with activities.csv: one Task per
// call or e-mail (of that TaskSubtype) and one half-hour meeting Event per meeting, with its id,
// at its time (CreatedDate), by its owner, on its lead (WhoId) or on its opportunity (WhatId)
// and account.
func checkActivities(t *testing.T, dir string, sf *sffake.Server) {
	t.Helper()
	tasks, err := sf.Truth("Task")
	if err != nil {
		t.Fatal(err)
	}
	events, err := sf.Truth("Event")
	if err != nil {
		t.Fatal(err)
	}
	acts := readTable(t, dir, "data/crm/activities.csv")
	if len(tasks.Live)+len(events.Live) != len(acts) || len(tasks.Deleted)+len(events.Deleted) != 0 || len(events.Live) == 0 {
		t.Errorf("Salesforce: %d Tasks and %d Events (%d and %d deleted), the files have %d activities",
			len(tasks.Live), len(events.Live), len(tasks.Deleted), len(events.Deleted), len(acts))
	}
	text := func(v any) string { s, _ := v.(string); return s }
	onOpps := 0
	for _, a := range acts {
		rec, kind := tasks.Live[a["activity_id"]], map[string]string{"call": "Call", "email": "Email"}[a["activity_type"]]
		if a["activity_type"] == "meeting" {
			rec = events.Live[a["activity_id"]]
		}
		if rec == nil {
			t.Errorf("activity %s (%s) is not in Salesforce", a["activity_id"], a["activity_type"])
			continue
		}
		created, _ := rec["CreatedDate"].(time.Time)
		if kind == "" { // a meeting: an Event from its time, for half an hour
			start, _ := rec["StartDateTime"].(time.Time)
			end, _ := rec["EndDateTime"].(time.Time)
			if !start.Equal(created) || end.Sub(start) != 30*time.Minute || text(rec["Type"]) != "Meeting" {
				t.Errorf("meeting %v: Event %v", a, rec)
			}
		} else if text(rec["TaskSubtype"]) != kind {
			t.Errorf("activity %v: Task %v", a, rec)
		}
		if created.UTC().Format(time.RFC3339) != a["activity_at"] || text(rec["OwnerId"]) != a["owner_id"] ||
			text(rec["WhoId"]) != a["lead_id"] || text(rec["WhatId"]) != a["opportunity_id"] ||
			text(rec["AccountId"]) != a["account_id"] || text(rec["Subject"]) != a["subject"] {
			t.Errorf("activity %v: Salesforce has %v", a, rec)
		}
		if a["opportunity_id"] != "" {
			onOpps++
		}
	}
	if onOpps == 0 || onOpps == len(acts) {
		t.Errorf("%d of %d activities on opportunities", onOpps, len(acts))
	}
}

// checkMarketo compares the Marketo fake with the leads file: one Marketo lead per lead, naming
// it in sfdcLeadId, created at its creation (New Lead), with a Sales Touch at its first touch and
// revenue-stage changes to MQL and SQL at its MQL and SQL times — nothing else.
func checkMarketo(t *testing.T, dir string, truth mkfake.Truth) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	instant := func(local string) string { // leads.csv holds New York wall times
		if local == "" {
			return ""
		}
		tm, err := time.ParseInLocation(time.DateTime, local, ny)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC().Format(time.RFC3339)
	}
	type events struct{ created, touched, mql, sql, email string }
	want := map[string]events{}
	for _, l := range readTable(t, dir, "data/crm/leads.csv") {
		want[l["lead_id"]] = events{instant(l["created_at"]), instant(l["first_activity_at"]), instant(l["mql_at"]),
			instant(l["sql_at"]), l["email"]}
	}
	byMarketoID := map[int64]string{}
	for _, l := range truth.Leads {
		id, _ := l.Fields["sfdcLeadId"].(string)
		if _, dup := byMarketoID[l.ID]; dup || id == "" {
			t.Errorf("Marketo lead %d: sfdcLeadId %q", l.ID, id)
		}
		byMarketoID[l.ID] = id
	}
	if len(truth.Leads) != len(want) || len(truth.Deleted) != 0 {
		t.Errorf("Marketo: %d leads (%d deleted), the files have %d", len(truth.Leads), len(truth.Deleted), len(want))
	}
	got := map[string]events{}
	for _, l := range truth.Leads {
		e := got[byMarketoID[l.ID]]
		e.email = l.Email
		got[byMarketoID[l.ID]] = e
	}
	at := func(a mkfake.Activity) string { return a.ActivityDate.UTC().Format(time.RFC3339) }
	for _, a := range truth.Activities {
		id := byMarketoID[a.LeadID]
		e := got[id]
		switch stage, _ := a.Attr("New Stage").(string); {
		case a.TypeID == mkfake.TypeNewLead && e.created == "":
			e.created = at(a)
		case a.TypeID == 100001 && e.touched == "":
			e.touched = at(a)
		case a.TypeID == mkfake.TypeChangeRevenueStage && stage == "MQL" && e.mql == "":
			e.mql = at(a)
		case a.TypeID == mkfake.TypeChangeRevenueStage && stage == "SQL" && e.sql == "":
			e.sql = at(a)
		default:
			t.Errorf("Marketo lead %d (%s): unexpected activity %+v", a.LeadID, id, a)
		}
		got[id] = e
	}
	mqls := 0
	for id, w := range want {
		if got[id] != w {
			t.Errorf("lead %s: Marketo has %+v, the files %+v", id, got[id], w)
		}
		if w.mql != "" {
			mqls++
		}
	}
	if mqls == 0 {
		t.Error("no MQL in the world: the comparison proves nothing")
	}
}
