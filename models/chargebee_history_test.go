package models_test

import "testing"

// chargebeeHistoryTables are chargebeeTables with the billed history (invoice_line_items) and a
// customer CE:
//
//   - SA1 (CA) was billed 8 seats of P-M (80) each month from 15 January, and 10 (100) from
//     15 May (the latest period, still open); its addons were never invoiced (the current items).
//     So its 10% discount (10 April–10 July) is 10 until 15 May and 12 after. The setup charge
//     and an adhoc line are not MRR.
//   - CE has SE1, monthly from 10 February (calendar billing: a first period to 1 March, at a
//     prorated amount but counted at a whole month's price): 10 seats of P-M, 15 from the
//     mid-April upgrade (its prorated line for the rest of April counts, at a whole month's
//     price, from 15 April: spec §4.2); an addon ADD-X
//     (20 a month) billed for February and March and then taken off the subscription (its item
//     row is an older version's); a yearly addon ADD-Y (120) never invoiced. A second invoice
//     for March's period (the later one wins), a voided invoice, and a line removed from a
//     posted invoice (an older invoice_resource_version) do not count.
func chargebeeHistoryTables() map[string]string {
	t := chargebeeTables()
	t["billing.customers"] += ` union all select 'CE', 'Eon', null, null, 'e@eon.example', null::json, null::json, false`
	t["billing.subscriptions"] += ` union all select 'SE1', 'CE', 'active', 'USD', 1, 'month', null, null, null, null, null, null,
		timestamptz '2024-02-10 00:00:00+00', null, timestamptz '2024-02-10 00:00:00+00', timestamptz '2024-02-10 00:00:00+00',
		null, timestamptz '2025-01-01 00:00:00+00', null, timestamptz '2024-12-01 00:00:00+00', false, null`
	t["billing.subscription_items"] += ` union all select * from (values
			('SE1', 4, 'P-M', 'plan', 15, null, 150.00, null, 10.00, 1, 'month', false, false),
			('SE1', 4, 'ADD-Y', 'addon', 1, null, 120.00, null, 120.00, 1, 'year', false, false),
			('SE1', 3, 'ADD-X', 'addon', 1, null, 20.00, null, 20.00, 1, 'month', false, false))`
	t["billing.invoice_line_items"] = `select invoice_id, id, invoice_status, cast(invoice_date as timestamp) as invoice_date,
			invoice_resource_version, subscription_id, cast(date_from as timestamp) as date_from, cast(date_to as timestamp) as date_to,
			entity_type, entity_id, quantity, null::varchar as quantity_in_decimal, unit_amount, null::varchar as unit_amount_in_decimal,
			amount, null::varchar as amount_in_decimal, 0.00::decimal(38, 6) as discount_amount, false as is_taxed, false as deleted
		from (values
			('I1', 'L1', 'paid', '2024-01-15', 1, 'SA1', '2024-01-15', '2024-02-15', 'plan_item_price', 'P-M', 8, 10.00, 80.00),
			('I1', 'L2', 'paid', '2024-01-15', 1, 'SA1', '2024-01-15', '2024-01-15', 'charge_item_price', 'ONB', 1, 500.00, 500.00),
			('I1', 'L3', 'paid', '2024-01-15', 1, 'SA1', '2024-01-15', '2024-02-15', 'adhoc', null, 1, 5.00, 5.00),
			('I2', 'L1', 'paid', '2024-02-15', 1, 'SA1', '2024-02-15', '2024-03-15', 'plan_item_price', 'P-M', 8, 10.00, 80.00),
			('I3', 'L1', 'paid', '2024-03-15', 1, 'SA1', '2024-03-15', '2024-04-15', 'plan_item_price', 'P-M', 8, 10.00, 80.00),
			('I4', 'L1', 'paid', '2024-04-15', 1, 'SA1', '2024-04-15', '2024-05-15', 'plan_item_price', 'P-M', 8, 10.00, 80.00),
			('I5', 'L1', 'payment_due', '2024-05-15', 1, 'SA1', '2024-05-15', '2024-06-15', 'plan_item_price', 'P-M', 10, 10.00, 100.00),
			('J1', 'L1', 'paid', '2024-02-10', 1, 'SE1', '2024-02-10', '2024-03-01', 'plan_item_price', 'P-M', 10, 10.00, 62.07),
			('J1', 'L2', 'paid', '2024-02-10', 1, 'SE1', '2024-02-10', '2024-03-01', 'addon_item_price', 'ADD-X', 1, 20.00, 12.41),
			('J2', 'L1', 'paid', '2024-03-01', 1, 'SE1', '2024-03-01', '2024-04-01', 'plan_item_price', 'P-M', 10, 10.00, 100.00),
			('J2', 'L2', 'paid', '2024-03-01', 1, 'SE1', '2024-03-01', '2024-04-01', 'addon_item_price', 'ADD-X', 1, 20.00, 20.00),
			('J3', 'L1', 'paid', '2024-03-05', 1, 'SE1', '2024-03-01', '2024-04-01', 'plan_item_price', 'P-M', 10, 10.00, 100.00),
			('J4', 'L1', 'paid', '2024-04-01', 1, 'SE1', '2024-04-01', '2024-05-01', 'plan_item_price', 'P-M', 10, 10.00, 100.00),
			('J5', 'L1', 'paid', '2024-04-15', 1, 'SE1', '2024-04-15', '2024-05-01', 'plan_item_price', 'P-M', 15, 10.00, 80.00),
			('J6', 'L1', 'paid', '2024-05-01', 1, 'SE1', '2024-05-01', '2024-06-01', 'plan_item_price', 'P-M', 15, 10.00, 150.00),
			('J7', 'L1', 'voided', '2024-06-01', 1, 'SE1', '2024-06-01', '2024-07-01', 'plan_item_price', 'P-M', 99, 10.00, 990.00),
			('J8', 'L2', 'posted', '2024-06-01', 1, 'SE1', '2024-06-01', '2024-07-01', 'plan_item_price', 'P-M', 20, 10.00, 200.00),
			('J8', 'L1', 'posted', '2024-06-01', 2, 'SE1', '2024-06-01', '2024-07-01', 'plan_item_price', 'P-M', 15, 10.00, 150.00)
		) as t(invoice_id, id, invoice_status, invoice_date, invoice_resource_version, subscription_id, date_from, date_to,
		       entity_type, entity_id, quantity, unit_amount, amount)`
	return t
}

// §3 for Chargebee with invoice history: the billed periods make the schedule, a change counts
// from the date of the change (its prorated line's start), and items' current state does not rewrite
// the past; subscriptions without invoices keep their current items.
func TestChargebeeInvoiceHistory(t *testing.T) {
	f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "chargebee", "as_of_date": "2024-12-31"},
		tables: chargebeeHistoryTables()}
	wh := f.build(t, "+fct_customer_mrr_month")
	want(t, "lines", rows(t, wh, `select subscription_item_id, coalesce(product_id, '-'), currency, valid_from, coalesce(cast(valid_to as varchar), '-'),
		quantity, mrr_gross, mrr_discount, mrr_net, is_trial, is_paused, is_metered, status_at_valid_from
		from stg_billing__recurring_lines order by 1, 4`),
		"SA1/ADD-Y|addon-y|USD|2024-01-15|-|2|20|0|20|false|false|false|active",
		"SA1/MET|metered|USD|2024-01-15|-|1|30|0|30|false|false|true|active",
		"SA1/P-M|plan-m|USD|2024-01-15|2024-02-15 00:00:00|8|80|0|80|false|false|false|active",
		"SA1/P-M|plan-m|USD|2024-02-15|2024-03-15 00:00:00|8|80|0|80|false|false|false|active",
		"SA1/P-M|plan-m|USD|2024-03-15|2024-04-15 00:00:00|8|80|0|80|false|false|false|active",
		"SA1/P-M|plan-m|USD|2024-04-15|2024-05-15 00:00:00|8|80|0|80|false|false|false|active",
		"SA1/P-M|plan-m|USD|2024-05-15|-|10|100|0|100|false|false|false|active",
		"SA1/discount/d1|-|USD|2024-04-10|2024-05-15 00:00:00|1|0|10|-10|false|false|false|active",
		"SA1/discount/d1|-|USD|2024-05-15|2024-07-10 00:00:00|1|0|12|-12|false|false|false|active",
		"SA1/discount/d4|-|USD|2024-01-15|-|1|0|0.25|-0.25|false|false|false|active",
		"SB1/P-Y|plan-y|USD|2024-02-01|2024-05-20 00:00:00|1|100|0|100|false|false|false|cancelled",
		"SB2/P-M|plan-m|USD|2024-11-01|-|3|30|0|30|true|false|false|in_trial",
		"SB3/P-M|plan-m|USD|2024-09-01|2024-12-01 00:00:00|6|60|0|60|false|false|false|non_renewing",
		"SB3/coupon/C20|-|USD|2024-09-01|2024-12-01 00:00:00|1|0|12|-12|false|false|false|non_renewing",
		"SC3/legacy|-|USD|2024-03-01|-|2|10|0|10|false|false|false|active",
		"SC4/P-M|plan-m|USD|2024-06-01|2024-08-15 00:00:00|4|40|0|40|false|false|false|paused",
		"SC4/P-M|plan-m|USD|2024-08-15|-|4|40|0|40|false|true|false|paused",
		"SE1/ADD-X|-|USD|2024-02-10|2024-03-01 00:00:00|1|20|0|20|false|false|false|active",
		"SE1/ADD-X|-|USD|2024-03-01|2024-04-01 00:00:00|1|20|0|20|false|false|false|active",
		"SE1/ADD-Y|addon-y|USD|2024-02-10|-|1|10|0|10|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-02-10|2024-03-01 00:00:00|10|100|0|100|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-03-01|2024-04-01 00:00:00|10|100|0|100|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-04-01|2024-04-15 00:00:00|10|100|0|100|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-04-15|2024-05-01 00:00:00|15|150|0|150|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-05-01|2024-06-01 00:00:00|15|150|0|150|false|false|false|active",
		"SE1/P-M|plan-m|USD|2024-06-01|-|15|150|0|150|false|false|false|active")
	want(t, "CE's months", rows(t, wh, `select strftime(date_month, '%m'), mrr, coalesce(change_category, '-')
		from fct_customer_mrr_month where customer_id = 'CE' and date_month <= date '2024-07-01' order by 1`),
		"02|130|new", "03|130|-", "04|160|expansion", "05|160|-", "06|160|-", "07|160|-")
	want(t, "movements", rows(t, wh, `select date_month, customer_id, mrr, change_category, mrr_change
		from fct_customer_mrr_month where change_category is not null order by customer_id, date_month`),
		"2024-01-01|CA|99.75|new|99.75",
		"2024-04-01|CA|89.75|contraction|-10",
		"2024-05-01|CA|107.75|expansion|18",
		"2024-07-01|CA|119.75|expansion|12",
		"2024-02-01|CB|100|new|100",
		"2024-05-01|CB|0|churn|-100",
		"2024-09-01|CB|48|reactivation|48",
		"2024-12-01|CB|0|churn|-48",
		"2024-03-01|CC|10|new|10",
		"2024-06-01|CC|50|expansion|40",
		"2024-08-01|CC|10|contraction|-40",
		"2024-02-01|CE|130|new|130",
		"2024-04-01|CE|160|expansion|30")
}
