package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// A project whose CRM is HubSpot (the fake: companies, a deal moved through the default
// pipeline so that its stage history is recorded, an archived deal, a contact with lifecycle
// dates and a call, a deal whose amount and close date change over time) builds the pipeline,
// bookings and funnel models from the HubSpot staging.
func TestHubSpotToPipeline(t *testing.T) {
	clock := fakeapi.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	f := fake.New(fake.Options{Clock: clock})
	f.SetPipelines(fake.DefaultPipelines(clock.Now())...)
	put := func(typ string, props map[string]string) string {
		t.Helper()
		ids, err := f.Put(typ, fake.Record{Properties: props})
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(f.PutOwners(fake.Owner{Email: "ae@acme.example", FirstName: "Ann", LastName: "Ae"}))
	acme := put("companies", map[string]string{"name": "Acme", "domain": "acme.com", "type": "SMB"})
	contact := put("contacts", map[string]string{"email": "jd@acme.com", "lifecyclestage": "opportunity",
		"hs_lifecyclestage_lead_date": "2026-01-05T09:00:00Z", "hs_lifecyclestage_marketingqualifiedlead_date": "2026-01-06T09:00:00Z",
		"hs_lifecyclestage_opportunity_date": "2026-01-07T09:00:00Z"})
	check(f.Associate("contacts", contact, "companies", acme))
	clock.Advance(2 * time.Minute)
	call := put("calls", map[string]string{"hs_timestamp": clock.Now().Format(time.RFC3339), "hs_call_title": "Intro"})
	check(f.Associate("calls", call, "contacts", contact))
	clock.Set(time.Date(2026, 1, 7, 10, 0, 0, 0, time.UTC))
	deal := put("deals", map[string]string{"dealname": "Acme new", "amount": "1200", "pipeline": "default",
		"dealstage": "appointmentscheduled", "closedate": "2026-03-31T00:00:00Z", "dealtype": "newbusiness"})
	check(f.Associate("deals", deal, "companies", acme))
	gone := put("deals", map[string]string{"dealname": "Dup", "amount": "5", "pipeline": "default", "dealstage": "appointmentscheduled"})
	// An open deal whose amount and close date change over time (one change with no stage
	// change): each month-end snapshot shows them as they were then.
	grow := put("deals", map[string]string{"dealname": "Acme expansion", "amount": "1000", "pipeline": "default",
		"dealstage": "appointmentscheduled", "closedate": "2026-02-28T00:00:00Z", "dealtype": "existingbusiness"})
	check(f.Associate("deals", grow, "companies", acme))
	clock.Set(time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC))
	check(f.Update("deals", grow, map[string]string{"amount": "1500.50", "closedate": "2026-03-31T00:00:00Z"}))
	clock.Set(time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC))
	check(f.Update("deals", deal, map[string]string{"dealstage": "closedwon", "closedate": "2026-02-10T00:00:00Z"}))
	check(f.Archive("deals", gone))
	clock.Set(time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC))
	check(f.Update("deals", grow, map[string]string{"dealstage": "qualifiedtobuy", "amount": "2000"}))
	clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	check(f.Update("deals", grow, map[string]string{"closedate": "2026-04-30T00:00:00Z"}))
	clock.Set(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"revops.yaml": `version: 1
vars:
  as_of_date: 2026-03-15
  crm_system: hubspot
models:
  builtin: true
sources:
  - name: crm
    type: hubspot
    base_url: ` + srv.URL + `
    token: ${HS_TOKEN}
`})
	if r := revops(t, map[string]string{"HS_TOKEN": fake.DefaultToken}, "run", "--project", dir); r.code != exitOK {
		t.Fatalf("run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct{ q, want string }{
		{`select stage_name, status, booking_type, amount, close_date from dim_opportunity where opportunity_id = '` + deal + `'`,
			"stage_name,status,booking_type,amount,close_date\nClosed Won,Won,new_business,1200.000000,2026-02-10\n"},
		{`select snapshot_date, stage_name, weighted_amount_reporting from fct_pipeline_snapshot where opportunity_id = '` + deal + `' order by 1`,
			"snapshot_date,stage_name,weighted_amount_reporting\n2026-01-31,Appointment Scheduled,240.000000\n"},
		// The expansion deal as of each month-end: January after the amount and close date
		// changed with no stage change, February after the stage and amount changed (the close
		// date then still March's), March (as_of_date) with today's values.
		{`select snapshot_date, stage_name, amount, close_date from fct_pipeline_snapshot where opportunity_id = '` + grow + `' order by 1`,
			"snapshot_date,stage_name,amount,close_date\n2026-01-31,Appointment Scheduled,1500.500000,2026-03-31\n" +
				"2026-02-28,Qualified To Buy,2000.000000,2026-03-31\n2026-03-15,Qualified To Buy,2000.000000,2026-04-30\n"},
		// Its history: one row per change of stage, amount or close date, with the values after it.
		{`select created_at, stage_name, amount, close_date from stg_crm__opportunity_history where opportunity_id = '` + grow + `' order by 1`,
			"created_at,stage_name,amount,close_date\n" +
				"2026-01-07T10:00:00Z,Appointment Scheduled,1000.000000,2026-02-28\n" +
				"2026-01-20T08:00:00Z,Appointment Scheduled,1500.500000,2026-03-31\n" +
				"2026-02-20T12:00:00Z,Qualified To Buy,2000.000000,2026-03-31\n" +
				"2026-03-01T12:00:00Z,Qualified To Buy,2000.000000,2026-04-30\n"},
		{`select booked_arr from fct_bookings`, "booked_arr\n1200.000000\n"},
		{`select stage from fct_lead_funnel order by stage_number`, "stage\nlead\nmql\nopportunity\nwon\n"},
		{`select minutes_to_first_touch, within_sla from fct_speed_to_lead`, "minutes_to_first_touch,within_sla\n2,true\n"},
	} {
		if q := revops(t, nil, "query", "--project", dir, "--output", "csv", c.q); q.stdout != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q %s", c.q, q.stdout, c.want, q.stderr)
		}
	}
}
