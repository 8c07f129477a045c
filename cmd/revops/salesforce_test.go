package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// A project whose CRM is Salesforce (the fake: accounts, stages, opportunities changed over
// time so that OpportunityHistory is written, a deleted deal, a converted lead and its first
// task) extracts over HTTP and builds the pipeline, bookings and funnel models from the
// Salesforce staging: the pipeline as of past month-ends comes from history.
func TestSalesforceToPipeline(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock, Clients: []fake.Client{{ID: "cid", Secret: "csecret", Username: "etl@acme.example"}}})
	must := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for i, st := range []struct {
		name, fc          string
		prob              int
		closed, won, live bool
	}{{"Prospecting", "Pipeline", 10, false, false, true}, {"Negotiation/Review", "Forecast", 90, false, false, true},
		{"Closed Won", "Closed", 100, true, true, true}, {"Closed Lost", "Omitted", 0, true, false, true}} {
		must(f.Insert("OpportunityStage", fake.Record{"MasterLabel": st.name, "ApiName": st.name, "IsActive": st.live,
			"SortOrder": i + 1, "IsClosed": st.closed, "IsWon": st.won, "ForecastCategory": st.fc, "DefaultProbability": st.prob}))
	}
	acme := must(f.Insert("Account", fake.Record{"Name": "Acme", "Website": "https://www.acme.com", "Type": "SMB", "Industry": "Tech"}))
	beta := must(f.Insert("Account", fake.Record{"Name": "Beta", "Website": "beta.io", "Type": "ENT", "Industry": "Finance"}))
	o1 := must(f.Insert("Opportunity", fake.Record{"AccountId": acme, "Name": "Acme new", "Type": "New Business",
		"StageName": "Prospecting", "Amount": 1000.0, "Probability": 10, "ForecastCategory": "Pipeline",
		"CloseDate": "2026-03-31", "IsClosed": false, "IsWon": false}))
	must(f.Insert("User", fake.Record{"Username": "ae@acme.example", "LastName": "Ae", "Name": "Ann Ae", "Email": "ae@acme.example", "IsActive": true}))
	must(f.Insert("Contact", fake.Record{"AccountId": acme, "LastName": "Doe", "Email": "JD@acme.com"}))
	must(f.Insert("OpportunityLineItem", fake.Record{"OpportunityId": o1, "Name": "Seats", "Quantity": 12.0,
		"UnitPrice": 100.0, "TotalPrice": 1200.0}))
	clock.Advance(time.Hour)
	lead := must(f.Insert("Lead", fake.Record{"LastName": "Doe", "Company": "Acme", "Email": "jd@acme.com",
		"Status": "Converted", "LeadSource": "Web", "IsConverted": true, "ConvertedOpportunityId": o1}))
	clock.Advance(3 * time.Minute)
	must(f.Insert("Task", fake.Record{"WhoId": lead, "Subject": "Call", "Status": "Completed"}))
	clock.Set(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC))
	o2 := must(f.Insert("Opportunity", fake.Record{"AccountId": beta, "Name": "Beta new", "Type": "New Business",
		"StageName": "Prospecting", "Amount": 5000.0, "Probability": 10, "ForecastCategory": "Pipeline",
		"CloseDate": "2026-04-30", "IsClosed": false, "IsWon": false}))
	o3 := must(f.Insert("Opportunity", fake.Record{"AccountId": beta, "Name": "Beta dup", "StageName": "Prospecting",
		"Amount": 10.0, "CloseDate": "2026-04-30", "IsClosed": false, "IsWon": false}))
	clock.Set(time.Date(2026, 2, 10, 16, 0, 0, 0, time.UTC))
	if err := f.Update("Opportunity", o1, fake.Record{"StageName": "Closed Won", "Amount": 1200.0, "Probability": 100,
		"ForecastCategory": "Closed", "CloseDate": "2026-02-10", "IsClosed": true, "IsWon": true}); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("Opportunity", o3); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	if err := f.Update("Opportunity", o2, fake.Record{"StageName": "Negotiation/Review", "Amount": 6000.0,
		"Probability": 90, "ForecastCategory": "Forecast"}); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"revops.yaml": `version: 1
vars:
  as_of_date: 2026-03-15
  crm_system: salesforce
models:
  builtin: true
sources:
  - name: crm
    type: salesforce
    login_url: ` + srv.URL + `
    auth: {grant: client_credentials, client_id: "${SF_ID}", client_secret: "${SF_SECRET}"}
`})
	env := map[string]string{"SF_ID": "cid", "SF_SECRET": "csecret"}
	if r := revops(t, env, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct{ q, want string }{
		{`select opportunity_id = '` + o1 + `' as is_o1, status, booking_type, amount from dim_opportunity order by created_at`,
			"is_o1,status,booking_type,amount\ntrue,Won,new_business,1200.000000\nfalse,Pipeline,new_business,6000.000000\n"},
		{`select snapshot_date, stage_name, amount, weighted_amount_reporting from fct_pipeline_snapshot order by 1`,
			"snapshot_date,stage_name,amount,weighted_amount_reporting\n2026-01-31,Prospecting,1000.000000,100.000000\n" +
				"2026-02-28,Prospecting,5000.000000,500.000000\n2026-03-15,Negotiation/Review,6000.000000,5400.000000\n"},
		{`select booking_type, tcv, booked_arr from fct_bookings`, "booking_type,tcv,booked_arr\nnew_business,1200.000000,1200.000000\n"},
		{`select minutes_to_first_touch, within_sla from fct_speed_to_lead`, "minutes_to_first_touch,within_sla\n3,true\n"},
		{`select stage, count(*) as leads from fct_lead_funnel group by 1 order by 1`, "stage,leads\nlead,1\nopportunity,1\nwon,1\n"},
		{`select stage_name, previous_stage from fct_opportunity_stage_history where opportunity_id = '` + o1 + `' order by visit_number`,
			"stage_name,previous_stage\nProspecting,\nClosed Won,Prospecting\n"},
	} {
		if q := revops(t, nil, "query", "--project", dir, "--output", "csv", c.q); q.stdout != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q %s", c.q, q.stdout, c.want, q.stderr)
		}
	}
}
