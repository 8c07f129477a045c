package models_test

import (
	"maps"
	"testing"
)

// hubspotHistory is a HubSpot CRM source: deals, their stage history, the pipeline's stages and,
// with props, the history of amount and close date (deal_property_history).
func hubspotHistory(props bool) fixture {
	tables := map[string]string{
		// D1's amount is cleared today; D2 has no property history; D3 is archived; D4 has no
		// stage history (so no rows).
		"crm.deals": `select * from (values
			('D1', 'default', cast(null as decimal(18, 2)), timestamptz '2024-03-31 00:00:00+00', false),
			('D2', 'default', cast(500 as decimal(18, 2)), timestamptz '2024-06-30 00:00:00+00', false),
			('D3', 'default', cast(700 as decimal(18, 2)), timestamptz '2024-06-30 00:00:00+00', true),
			('D4', 'default', cast(900 as decimal(18, 2)), timestamptz '2024-06-30 00:00:00+00', false)
		) as t(id, pipeline, amount, closedate, archived)`,
		"crm.deal_stage_history": `select * from (values
			('D1', 'appt', timestamptz '2024-01-01 00:00:00+00'),
			('D1', 'qual', timestamptz '2024-02-01 00:00:00+00'),
			('D2', 'appt', timestamptz '2024-01-05 00:00:00+00'),
			('D3', 'appt', timestamptz '2024-01-05 00:00:00+00')
		) as t(deal_id, stage, changed_at)`,
		"crm.deal_pipeline_stages": `select * from (values
			('default', 'appt', 'Appointment', cast(0.2 as double), false),
			('default', 'qual', 'Qualified', 0.4, false)
		) as t(pipeline_id, stage_id, stage_label, probability, is_closed)`,
	}
	if props {
		// D1: the amount is first recorded after the first stage change, changes with the close
		// date (epoch milliseconds) on Jan 15 and with the stage on Feb 1, and is cleared on
		// Mar 1; the dealstage rows are ignored (deal_stage_history has the stages).
		tables["crm.deal_property_history"] = `select * from (values
			('D1', 'amount', timestamptz '2024-01-10 00:00:00+00', '100'),
			('D1', 'amount', timestamptz '2024-01-15 00:00:00+00', '150.5'),
			('D1', 'amount', timestamptz '2024-02-01 00:00:00+00', '200'),
			('D1', 'amount', timestamptz '2024-03-01 00:00:00+00', null),
			('D1', 'closedate', timestamptz '2024-01-01 00:00:00+00', '2024-02-29T00:00:00.000Z'),
			('D1', 'closedate', timestamptz '2024-01-15 00:00:00+00', '1711843200000'),
			('D1', 'dealstage', timestamptz '2024-01-20 00:00:00+00', 'qual'),
			('D3', 'amount', timestamptz '2024-01-06 00:00:00+00', '1'),
			('D4', 'amount', timestamptz '2024-01-06 00:00:00+00', '900')
		) as t(deal_id, property, changed_at, value)`
	}
	return fixture{vars: map[string]any{"crm_system": "hubspot", "billing_system": "none", "as_of_date": "2024-04-30"}, tables: maps.Clone(tables)}
}

const historyQuery = `select opportunity_id, history_id, strftime(created_at, '%Y-%m-%d'), stage_name, amount, close_date, probability
	from stg_crm__opportunity_history order by opportunity_id, created_at`

// HubSpot's opportunity history: one row per change of stage, amount or close date, each with
// the three as they stood at that instant (amount and close date from deal_property_history).
func TestHubSpotOpportunityHistoryAsOf(t *testing.T) {
	wh := hubspotHistory(true).build(t, "stg_crm__opportunity_history")
	want(t, "history", rows(t, wh, historyQuery),
		"D1|D1-1704067200000-appt|2024-01-01|Appointment|100|2024-02-29|20",
		"D1|D1-1704844800000-appt|2024-01-10|Appointment|100|2024-02-29|20",
		"D1|D1-1705276800000-appt|2024-01-15|Appointment|150.5|2024-03-31|20",
		"D1|D1-1706745600000-qual|2024-02-01|Qualified|200|2024-03-31|40",
		"D1|D1-1709251200000-qual|2024-03-01|Qualified|∅|2024-03-31|40",
		"D2|D2-1704412800000-appt|2024-01-05|Appointment|500|2024-06-30|20")
}

// Without deal_property_history (an older configuration) every row takes the deal's current
// amount and close date, as before.
func TestHubSpotOpportunityHistoryWithoutPropertyHistory(t *testing.T) {
	wh := hubspotHistory(false).build(t, "stg_crm__opportunity_history")
	want(t, "history", rows(t, wh, historyQuery),
		"D1|D1-1704067200000-appt|2024-01-01|Appointment|∅|2024-03-31|20",
		"D1|D1-1706745600000-qual|2024-02-01|Qualified|∅|2024-03-31|40",
		"D2|D2-1704412800000-appt|2024-01-05|Appointment|500|2024-06-30|20")
}

// The columns and their types are the same with and without deal_property_history.
func TestHubSpotOpportunityHistoryColumns(t *testing.T) {
	q := `select column_name, data_type from information_schema.columns where table_name = 'stg_crm__opportunity_history' order by ordinal_position`
	with := rows(t, hubspotHistory(true).build(t, "stg_crm__opportunity_history"), q)
	want(t, "columns", rows(t, hubspotHistory(false).build(t, "stg_crm__opportunity_history"), q), with...)
	want(t, "columns", with, "history_id|VARCHAR", "opportunity_id|VARCHAR", "stage_name|VARCHAR", "amount|DECIMAL(38,6)",
		"close_date|DATE", "probability|DOUBLE", "forecast_category|VARCHAR", "created_at|TIMESTAMP WITH TIME ZONE",
		"source_system|VARCHAR")
}
