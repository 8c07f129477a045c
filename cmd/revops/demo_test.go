package main

import (
	"path/filepath"
	"testing"

	"github.com/revops/revops/internal/demo"
)

// The vendor demo's Marketo: revops extracts every lead from the Marketo fake with its lifecycle
// changes, and with mql_source: marketing each Salesforce lead takes its MQL from the Marketo
// lead that names it (sfdcLeadId) — the world's MQL, which the Salesforce lead's MQL_Date__c
// holds too. (TestDemo checks that the whole funnel equals the one built from the files.)
func TestDemoMarketo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	sum, err := demo.Generate(dir, demo.Options{Vendors: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Vendors.Close()
	r := revops(t, nil, "run", "--project", dir, "--select", "+stg_crm__leads +stg_marketing__activities")
	if r.code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	q := revops(t, nil, "query", "--project", dir, "--output", "csv", `select
		(select count(*) from marketing_automation.leads) as marketo_leads,
		(select count(*) from marketing_automation.lead_lifecycle where is_mql) as marketo_mqls,
		(select count(*) from stg_marketing__activities where activity_type = 'Sales Touch') as touches,
		count(*) as crm_leads,
		count(*) filter (where l.mql_matched_by = 'crm_lead_id') as matched_by_id,
		count(l.mql_at) as mqls,
		count(*) filter (where l.mql_at is not distinct from cast(s.mql_date__c as timestamp)) as same_as_salesforce
	from stg_crm__leads as l join crm.lead as s on s.id = l.lead_id`)
	if want := "marketo_leads,marketo_mqls,touches,crm_leads,matched_by_id,mqls,same_as_salesforce\n" +
		"1981,922,1890,1981,1981,922,1981\n"; q.code != exitOK || q.stdout != want {
		t.Fatalf("Marketo in the demo warehouse:\n%s\nwant\n%s%s", q.stdout, want, q.stderr)
	}
}
