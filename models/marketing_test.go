package models_test

import (
	"maps"
	"testing"
)

// marketo is a Marketo source (the marketo connector's leads, activities and lead_lifecycle
// tables, in schema marketing) around the CRM leads of marketingCRMLeads:
//
//	101 X@ACME.com, no CRM id: L1's by email; MQL twice (the first counts), a Lead stage change before
//	102 y@beta.io naming L3, MQL 2 Feb; 106 names L3 too, with an earlier MQL (1 Feb): 106 wins
//	103 y@beta.io, no CRM id, never MQL: L2's by email, since L3 (matched by id) is out of the running
//	104 deleted (a tombstone), with an MQL and a web visit that staging drops
//	105 nobody in the CRM
func marketo() map[string]string {
	return map[string]string{
		"marketing.leads": `select * from (values
			(101, 'X@ACME.com', 'Xia', 'Li', 'Acme', 'Web', 'MQL', null, timestamptz '2024-01-08 10:00:00+00', timestamptz '2024-01-10 09:00:00+00', false, null),
			(102, 'y@beta.io', 'Yan', 'Ode', 'Beta', 'Event', 'SQL', 'L3', timestamptz '2024-02-01 10:00:00+00', timestamptz '2024-02-02 09:00:00+00', false, null),
			(103, 'y@beta.io', null, 'Ode', 'Beta', 'Web', 'Open', null, timestamptz '2024-01-15 10:00:00+00', timestamptz '2024-01-15 10:00:00+00', false, null),
			(104, null, null, null, null, null, null, null, null, null, true, timestamptz '2024-01-07 00:00:00+00'),
			(105, 'nobody@else.io', 'No', 'Body', 'Else', 'Web', 'MQL', '', timestamptz '2024-02-20 10:00:00+00', timestamptz '2024-03-01 09:00:00+00', false, null),
			(106, 'yan.ode@beta.io', 'Yan', 'Ode', 'Beta', 'Web', 'MQL', 'L3', timestamptz '2024-02-01 10:05:00+00', timestamptz '2024-02-01 12:00:00+00', false, null)
		) as t(id, email, first_name, last_name, company, lead_source, lead_status, sfdc_lead_id, created_at, updated_at, deleted, deleted_at)`,
		"marketing.activities": `select * from (values
			('g1', 1, 101, timestamptz '2024-01-08 10:00:00+00', 12, 'New Lead', null, 101, 'Xia Li'),
			('g2', 2, 101, timestamptz '2024-01-09 08:00:00+00', 101, 'Change Revenue Stage', null, 1, 'Lead Lifecycle'),
			('g3', 3, 104, timestamptz '2024-01-05 09:00:00+00', 1, 'Visit Webpage', null, 7, 'acme.com/pricing'),
			('g4', 4, 106, timestamptz '2024-02-01 12:00:00+00', 101, 'Change Revenue Stage', null, 1, 'Lead Lifecycle'),
			('g5', 5, 102, timestamptz '2024-02-01 11:00:00+00', 100001, null, null, null, null)
		) as t(marketo_guid, id, lead_id, activity_date, activity_type_id, activity_type_name, campaign_id, primary_attribute_value_id, primary_attribute_value)`,
		"marketing.lead_lifecycle": `select * from (values
			('g7', 101, timestamptz '2024-01-08 11:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', null, 'Lead', null, false),
			('g2', 101, timestamptz '2024-01-09 08:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', 'Lead', 'MQL', null, true),
			('g6', 101, timestamptz '2024-01-10 09:00:00+00', 13, 'Change Data Value', 'Lead Status', 'Open', 'MQL', 'API', true),
			('g8', 102, timestamptz '2024-02-02 09:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', null, 'MQL', null, true),
			('g9', 104, timestamptz '2024-01-06 09:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', null, 'MQL', null, true),
			('g10', 105, timestamptz '2024-03-01 09:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', null, 'MQL', null, true),
			('g4', 106, timestamptz '2024-02-01 12:00:00+00', 101, 'Change Revenue Stage', 'Lead Lifecycle', null, 'MQL', null, true)
		) as t(marketo_guid, lead_id, changed_at, activity_type_id, activity_type_name, subject, old_value, new_value, reason, is_mql)`,
	}
}

// marketingCRMLeads are the CRM's leads (files contract): L2 and L3 share an email but for
// case and spacing, and L3's has no other lead in Marketo than the ones naming it.
const marketingCRMLeads = `select * from (values
	('L1', 'x@acme.com', 'Acme', 'Web', 'Converted', timestamp '2024-01-08 10:00:00', timestamp '2024-01-08 12:00:00', timestamp '2024-01-09 10:00:00', 'O1', timestamp '2024-01-08 10:03:00'),
	('L2', 'y@beta.io', 'Beta', 'Web', 'Working', timestamp '2024-01-15 10:00:00', timestamp '2024-01-20 10:00:00', null, null, timestamp '2024-01-15 11:00:00'),
	('L3', 'Y@Beta.io ', 'Beta', 'Event', 'New', timestamp '2024-02-01 10:00:00', null, null, null, null)
) as t(lead_id, email, company, source, status, created_at, mql_at, sql_at, converted_opportunity_id, first_activity_at)`

// marketingFixture is the CRM files contract with marketingCRMLeads and the Marketo source,
// with vars.
func marketingFixture(vars map[string]any) fixture {
	f := crmFixture(vars)
	f.tables["crm.leads"] = marketingCRMLeads
	maps.Copy(f.tables, marketo())
	return f
}

var marketoVars = map[string]any{"marketing_system": "marketo", "marketing_crm_lead_id_field": "sfdc_lead_id"}

// Marketo's leads and activities in the source-agnostic staging shapes: deleted leads and their
// activities removed, the CRM lead id from the named field, the MQL the first is_mql change.
func TestMarketoStaging(t *testing.T) {
	wh := marketingFixture(marketoVars).build(t, "stg_marketing__leads stg_marketing__activities")
	want(t, "stg_marketing__leads", rows(t, wh, `select lead_id, email, email_normalized, first_name, company, lead_source, status,
		crm_lead_id, created_at, mql_at, source_system from stg_marketing__leads order by 1`),
		"101|X@ACME.com|x@acme.com|Xia|Acme|Web|MQL|∅|2024-01-08 10:00:00 +0000 UTC|2024-01-09 08:00:00 +0000 UTC|marketo",
		"102|y@beta.io|y@beta.io|Yan|Beta|Event|SQL|L3|2024-02-01 10:00:00 +0000 UTC|2024-02-02 09:00:00 +0000 UTC|marketo",
		"103|y@beta.io|y@beta.io|∅|Beta|Web|Open|∅|2024-01-15 10:00:00 +0000 UTC|∅|marketo",
		"105|nobody@else.io|nobody@else.io|No|Else|Web|MQL|∅|2024-02-20 10:00:00 +0000 UTC|2024-03-01 09:00:00 +0000 UTC|marketo",
		"106|yan.ode@beta.io|yan.ode@beta.io|Yan|Beta|Web|MQL|L3|2024-02-01 10:05:00 +0000 UTC|2024-02-01 12:00:00 +0000 UTC|marketo")
	want(t, "stg_marketing__activities", rows(t, wh, `select activity_id, lead_id, activity_type, activity_at, detail, is_mql,
		source_system from stg_marketing__activities order by 1`),
		"g1|101|New Lead|2024-01-08 10:00:00 +0000 UTC|Xia Li|false|marketo",
		"g2|101|Change Revenue Stage|2024-01-09 08:00:00 +0000 UTC|Lead Lifecycle|true|marketo",
		"g4|106|Change Revenue Stage|2024-02-01 12:00:00 +0000 UTC|Lead Lifecycle|true|marketo",
		"g5|102|100001|2024-02-01 11:00:00 +0000 UTC|∅|false|marketo")

	// Without the CRM id field, no lead names a CRM lead; without lead_lifecycle, no MQL is known.
	f := marketingFixture(map[string]any{"marketing_system": "marketo"})
	delete(f.tables, "marketing.lead_lifecycle")
	wh = f.build(t, "stg_marketing__leads stg_marketing__activities")
	want(t, "without the id field and lifecycle", rows(t, wh, `select count(*), count(crm_lead_id), count(mql_at),
		(select count(*) filter (where is_mql) from stg_marketing__activities) from stg_marketing__leads`), "5|0|0|0")
}

// mql_source: marketing takes each CRM lead's MQL from its marketing lead — the one naming it
// (the earliest MQL of several), else the one with its email when the email is held once on each
// side among the leads not matched by id — and NULL when none matches; the funnel follows.
func TestMQLSource(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  map[string]any
		leads []string
		mqls  []string
	}{
		{"crm (the default)", marketoVars,
			[]string{"L1|2024-01-08 12:00:00 +0000 UTC|∅|∅", "L2|2024-01-20 10:00:00 +0000 UTC|∅|∅", "L3|∅|∅|∅"},
			[]string{"L1|2024-01-08 12:00:00 +0000 UTC", "L2|2024-01-20 10:00:00 +0000 UTC"}},
		{"marketing", map[string]any{"mql_source": "marketing"},
			[]string{"L1|2024-01-09 08:00:00 +0000 UTC|101|email", "L2|∅|103|email", "L3|2024-02-01 12:00:00 +0000 UTC|106|crm_lead_id"},
			[]string{"L1|2024-01-09 08:00:00 +0000 UTC", "L3|2024-02-01 12:00:00 +0000 UTC"}},
		{"marketing, matched by email only", map[string]any{"mql_source": "marketing", "marketing_crm_lead_id_field": nil},
			// L2 and L3 share y@beta.io, as do 102 and 103: ambiguous, so only L1 matches.
			[]string{"L1|2024-01-09 08:00:00 +0000 UTC|101|email", "L2|∅|∅|∅", "L3|∅|∅|∅"},
			[]string{"L1|2024-01-09 08:00:00 +0000 UTC"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := maps.Clone(marketoVars)
			maps.Copy(vars, tc.vars)
			wh := marketingFixture(vars).build(t, "+fct_lead_funnel_cohort")
			want(t, "stg_crm__leads", rows(t, wh, `select lead_id, mql_at, marketing_lead_id, mql_matched_by
				from stg_crm__leads order by 1`), tc.leads...)
			want(t, "funnel MQLs", rows(t, wh, `select lead_id, first_entered_at from fct_lead_funnel
				where stage = 'mql' order by 1`), tc.mqls...)
		})
	}
}

// The marketing models switch themselves off without a marketing system or its tables, and
// mql_source: marketing without them is an error that says what to set.
func TestMarketingModelsOff(t *testing.T) {
	exists := `select count(*) from information_schema.tables where table_name like 'stg_marketing%'`
	wh := marketingFixture(nil).build(t, "+fct_lead_funnel")
	want(t, "no marketing_system", rows(t, wh, exists), "0")
	f := crmFixture(marketoVars) // marketing_system set, but the project has no marketing source
	wh = f.build(t, "+fct_lead_funnel")
	want(t, "no marketing tables", rows(t, wh, exists), "0")

	for _, tc := range []struct {
		vars map[string]any
		msg  string
	}{
		{map[string]any{"mql_source": "marketing"}, "var mql_source: marketing reads the marketing system's leads"},
		{map[string]any{"mql_source": "hubspot"}, "var mql_source must be crm or marketing, not hubspot"},
		{map[string]any{"marketing_system": "pardot"}, "var marketing_system must be marketo, hubspot or none, not pardot"},
	} {
		tb := &fatalRecorder{T: t}
		func() {
			defer func() { _ = recover() }()
			marketingFixture(tc.vars).build(tb, "+fct_lead_funnel")
		}()
		if !tb.failed || !contains(tb.msg, tc.msg) {
			t.Errorf("%v: failed=%v %q", tc.vars, tb.failed, tb.msg)
		}
	}
}

// HubSpot contacts feed the same shapes: the MQL from the lifecycle-stage date, one activity per
// stage reached, archived contacts left out.
func TestHubSpotMarketingStaging(t *testing.T) {
	f := crmFixture(map[string]any{"marketing_system": "hubspot", "marketing_crm_lead_id_field": "salesforceleadid",
		"mql_source": "marketing"})
	f.tables["crm.leads"] = marketingCRMLeads
	f.tables["marketing.contacts"] = `select * from (values
		('901', 'x@acme.com', 'Xia', 'Li', 'lead', 'Working', 'ORGANIC_SEARCH', 'L1', timestamptz '2024-01-08 10:00:00+00', timestamptz '2024-01-08 13:00:00+00', timestamptz '2024-01-08 10:00:00+00', timestamptz '2024-01-08 13:00:00+00', false),
		('902', 'gone@beta.io', null, null, 'marketingqualifiedlead', null, null, 'L2', timestamptz '2024-01-15 10:00:00+00', timestamptz '2024-01-16 10:00:00+00', timestamptz '2024-01-15 10:00:00+00', timestamptz '2024-01-16 10:00:00+00', true)
	) as t(id, email, firstname, lastname, lifecyclestage, hs_lead_status, hs_analytics_source, salesforceleadid,
	       hs_lifecyclestage_lead_date, hs_lifecyclestage_marketingqualifiedlead_date, created_at, updated_at, archived)`
	// The other stages' date-entered properties, never set here.
	for _, st := range []string{"subscriber", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"} {
		f.tables["marketing.contacts"] = `select *, cast(null as timestamptz) as hs_lifecyclestage_` + st + `_date from (` + f.tables["marketing.contacts"] + `)`
	}
	wh := f.build(t, "stg_marketing__activities +fct_lead_funnel")
	want(t, "stg_marketing__leads", rows(t, wh, `select lead_id, email_normalized, status, crm_lead_id, mql_at, source_system
		from stg_marketing__leads order by 1`),
		"901|x@acme.com|Working|L1|2024-01-08 13:00:00 +0000 UTC|hubspot")
	want(t, "stg_marketing__activities", rows(t, wh, `select activity_id, lead_id, activity_type, activity_at, detail, is_mql
		from stg_marketing__activities order by activity_at`),
		"901:lead|901|Change Lifecycle Stage|2024-01-08 10:00:00 +0000 UTC|lead|false",
		"901:marketingqualifiedlead|901|Change Lifecycle Stage|2024-01-08 13:00:00 +0000 UTC|marketingqualifiedlead|true")
	want(t, "stg_crm__leads", rows(t, wh, `select lead_id, mql_at, marketing_lead_id, mql_matched_by from stg_crm__leads order by 1`),
		"L1|2024-01-08 13:00:00 +0000 UTC|901|crm_lead_id", "L2|∅|∅|∅", "L3|∅|∅|∅")
}
