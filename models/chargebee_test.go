package models_test

import "testing"

// chargebeeTables are the Chargebee connector's tables (the columns the staging reads), in
// USD, as of 2024-12-31:
//
//   - CA (CRM id in meta_data) has SA1, active from 15 January: a monthly plan of 10 seats
//     (100), a yearly addon (240 a year: 20 a month), a one-off charge (not MRR), a metered
//     addon (not MRR) and, from an older version of the subscription, an addon since removed
//     (OLD, ignored). Discounts: 10% for three months from 10 April (12 off April–June), 3 a
//     year off the yearly addon forever (0.25 a month), 5 not included in MRR and 50 once
//     (neither counts).
//   - CB (CRM id in a custom field, _extra) has SB1, a yearly plan of 1,200 (100 a month) from
//     1 February, cancelled on 20 May; SB2 in trial since November; SB3, 60 a month from 1
//     September with a 20% coupon forever (no discount row: the coupon's definition), not
//     renewing after its term ends on 1 December.
//   - CC has SC3, a Product Catalog 1.0 plan on the subscription (2 × 15 every 3 months: 10 a
//     month) from 1 March; SC4, 40 a month from 1 June, paused on 15 August (a paused line, no
//     MRR, from then); SC1 in the future and SC2 deleted (neither counts).
func chargebeeTables() map[string]string {
	return map[string]string{
		"billing.customers": `select * from (values
			('CA', 'Acme', 'Ada', 'L', 'ada@acme.example', '{"crm_account_id": "001A"}'::json, '{}'::json, false),
			('CB', '', 'Bob', 'Smith', 'bob@beta.example', null, '{"crm_account_id": "001B"}'::json, false),
			('CC', 'Cyan', null, null, 'c@cyan.example', '{"other": "x"}'::json, null, false),
			('CD', 'Gone', null, null, 'x@gone.example', null, null, true)
		) as t(id, company, first_name, last_name, email, meta_data, _extra, deleted)`,
		"billing.subscriptions": `select *, null::timestamptz as resume_date from (values
			('SA1', 'CA', 'active', 'usd', 1, 'month', null, null, null, null, null, null,
			 timestamptz '2024-01-15 00:00:00+00', null, timestamptz '2024-01-15 00:00:00+00', timestamptz '2024-01-15 00:00:00+00',
			 null, timestamptz '2025-01-15 00:00:00+00', null, timestamptz '2024-12-01 00:00:00+00', false),
			('SB1', 'CB', 'cancelled', 'USD', 1, 'year', null, null, null, null, null, null,
			 timestamptz '2024-02-01 00:00:00+00', null, timestamptz '2024-02-01 00:00:00+00', timestamptz '2024-02-01 00:00:00+00',
			 timestamptz '2024-05-20 00:00:00+00', null, null, timestamptz '2024-05-20 00:00:00+00', false),
			('SB2', 'CB', 'in_trial', 'USD', 1, 'month', null, null, null, null,
			 timestamptz '2024-11-01 00:00:00+00', timestamptz '2025-01-01 00:00:00+00',
			 timestamptz '2024-11-01 00:00:00+00', null, null, timestamptz '2024-11-01 00:00:00+00',
			 null, timestamptz '2025-01-01 00:00:00+00', null, timestamptz '2024-11-01 00:00:00+00', false),
			('SB3', 'CB', 'non_renewing', 'USD', 1, 'month', null, null, null, null, null, null,
			 timestamptz '2024-09-01 00:00:00+00', null, timestamptz '2024-09-01 00:00:00+00', timestamptz '2024-09-01 00:00:00+00',
			 null, timestamptz '2024-12-01 00:00:00+00', null, timestamptz '2024-10-01 00:00:00+00', false),
			('SC1', 'CC', 'future', 'USD', 1, 'month', null, null, null, null, null, null,
			 null, timestamptz '2025-01-01 00:00:00+00', null, timestamptz '2024-12-01 00:00:00+00',
			 null, null, null, timestamptz '2024-12-01 00:00:00+00', false),
			('SC2', 'CC', 'active', 'USD', 1, 'month', null, null, null, null, null, null,
			 timestamptz '2024-01-01 00:00:00+00', null, timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 00:00:00+00',
			 null, null, null, timestamptz '2024-12-01 00:00:00+00', true),
			('SC3', 'CC', 'active', 'USD', 3, 'month', 'legacy', 2, 15.00, 30.00, null, null,
			 timestamptz '2024-03-01 00:00:00+00', null, timestamptz '2024-03-01 00:00:00+00', timestamptz '2024-03-01 00:00:00+00',
			 null, timestamptz '2025-03-01 00:00:00+00', null, timestamptz '2024-03-01 00:00:00+00', false),
			('SC4', 'CC', 'paused', 'USD', 1, 'month', null, null, null, null, null, null,
			 timestamptz '2024-06-01 00:00:00+00', null, timestamptz '2024-06-01 00:00:00+00', timestamptz '2024-06-01 00:00:00+00',
			 null, null, timestamptz '2024-08-15 00:00:00+00', timestamptz '2024-08-15 00:00:00+00', false)
		) as t(id, customer_id, status, currency_code, billing_period, billing_period_unit, plan_id, plan_quantity,
		       plan_unit_price, plan_amount, trial_start, trial_end, started_at, start_date, activated_at, created_at,
		       cancelled_at, current_term_end, pause_date, updated_at, deleted)`,
		"billing.subscription_items": `select * from (values
			('SA1', 2, 'P-M', 'plan', 10, null, 100.00, null, 10.00, 1, 'month', false, false),
			('SA1', 2, 'ADD-Y', 'addon', 2, null, 240.00, null, 120.00, 1, 'year', false, false),
			('SA1', 2, 'ONB', 'charge', 1, null, 500.00, null, 500.00, null, null, true, false),
			('SA1', 2, 'MET', 'addon', 1, null, 30.00, null, 30.00, 1, 'month', false, false),
			('SA1', 1, 'OLD', 'addon', 1, null, 50.00, null, 50.00, 1, 'month', false, false),
			('SB1', 5, 'P-Y', 'plan', 1, null, 1200.00, null, 1200.00, 1, 'year', false, false),
			('SB2', 6, 'P-M', 'plan', 3, null, 30.00, null, 10.00, 1, 'month', false, false),
			('SB3', 7, 'P-M', 'plan', null, '6', null, '60', 10.00, 1, 'month', false, false),
			('SC1', 8, 'P-M', 'plan', 1, null, 10.00, null, 10.00, 1, 'month', false, false),
			('SC2', 9, 'P-M', 'plan', 1, null, 10.00, null, 10.00, 1, 'month', false, true),
			('SC4', 10, 'P-M', 'plan', 4, null, 40.00, null, 10.00, 1, 'month', false, false)
		) as t(subscription_id, subscription_resource_version, item_price_id, item_type, quantity, quantity_in_decimal,
		       amount, amount_in_decimal, unit_price, billing_period, billing_period_unit, charge_once, deleted)`,
		"billing.subscription_discounts": `select * from (values
			('SA1', 2, 'd1', null::varchar, 'percentage', 10.0, null, 'limited_period', 3, 'month', 'invoice_amount', null,
			 timestamptz '2024-04-10 00:00:00+00', null::timestamptz, true, false),
			('SA1', 2, 'd2', null, 'fixed_amount', null, 5.00, 'forever', null, null, 'invoice_amount', null,
			 timestamptz '2024-01-15 00:00:00+00', null, false, false),
			('SA1', 2, 'd3', null, 'fixed_amount', null, 50.00, 'one_time', null, null, 'invoice_amount', null,
			 timestamptz '2024-01-15 00:00:00+00', null, true, false),
			('SA1', 2, 'd4', null, 'fixed_amount', null, 3.00, 'forever', null, null, 'specific_item_price', 'ADD-Y',
			 timestamptz '2024-01-01 00:00:00+00', null, true, false)
		) as t(subscription_id, subscription_resource_version, id, coupon_id, type, percentage, amount, duration_type,
		       period, period_unit, apply_on, item_price_id, created_at, apply_till, included_in_mrr, deleted)`,
		"billing.subscription_coupons": `select * from (values
			('SB3', 7, 'C20', null::timestamptz, false)
		) as t(subscription_id, subscription_resource_version, coupon_id, apply_till, deleted)`,
		"billing.coupons": `select * from (values
			('C20', 'percentage', 20.0, null::decimal(38, 6), 'forever', null::bigint, null::bigint, null::varchar, 'each_specified_item',
			 '[{"constraint": "all", "item_type": "plan"}, {"constraint": "none", "item_type": "addon"}]'::json)
		) as t(id, discount_type, discount_percentage, discount_amount, duration_type, period, duration_month, period_unit,
		       apply_on, item_constraints)`,
		"billing.item_prices": `select * from (values
			('P-M', 'plan-m', 'plan', 1, 'month'), ('ADD-Y', 'addon-y', 'addon', 1, 'year'),
			('ONB', 'onboarding', 'charge', null, null), ('MET', 'metered', 'addon', 1, 'month'), ('P-Y', 'plan-y', 'plan', 1, 'year')
		) as t(id, item_id, item_type, period, period_unit)`,
		"billing.items": `select * from (values
			('plan-m', false), ('addon-y', false), ('onboarding', false), ('metered', true), ('plan-y', false)
		) as t(id, metered)`,
	}
}

// §3 for Chargebee: the canonical recurring lines, and the movements they make.
func TestChargebeeStaging(t *testing.T) {
	f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "chargebee", "as_of_date": "2024-12-31"},
		tables: chargebeeTables()}
	wh := f.build(t, "+fct_customer_mrr_month")
	want(t, "customers", rows(t, wh, `select customer_id, name, email_domain, coalesce(crm_account_id, '-') from stg_billing__customers order by 1`),
		"CA|Acme|acme.example|001A", "CB|Bob Smith|beta.example|001B", "CC|Cyan|cyan.example|-")
	want(t, "lines", rows(t, wh, `select subscription_item_id, coalesce(product_id, '-'), currency, valid_from, coalesce(cast(valid_to as varchar), '-'),
		quantity, mrr_gross, mrr_discount, mrr_net, is_trial, is_paused, is_metered, status_at_valid_from
		from stg_billing__recurring_lines order by 1, 4`),
		"SA1/ADD-Y|addon-y|USD|2024-01-15|-|2|20|0|20|false|false|false|active",
		"SA1/MET|metered|USD|2024-01-15|-|1|30|0|30|false|false|true|active",
		"SA1/P-M|plan-m|USD|2024-01-15|-|10|100|0|100|false|false|false|active",
		"SA1/discount/d1|-|USD|2024-04-10|2024-07-10 00:00:00|1|0|12|-12|false|false|false|active",
		"SA1/discount/d4|-|USD|2024-01-15|-|1|0|0.25|-0.25|false|false|false|active",
		"SB1/P-Y|plan-y|USD|2024-02-01|2024-05-20 00:00:00|1|100|0|100|false|false|false|cancelled",
		"SB2/P-M|plan-m|USD|2024-11-01|-|3|30|0|30|true|false|false|in_trial",
		"SB3/P-M|plan-m|USD|2024-09-01|2024-12-01 00:00:00|6|60|0|60|false|false|false|non_renewing",
		"SB3/coupon/C20|-|USD|2024-09-01|2024-12-01 00:00:00|1|0|12|-12|false|false|false|non_renewing",
		"SC3/legacy|-|USD|2024-03-01|-|2|10|0|10|false|false|false|active",
		"SC4/P-M|plan-m|USD|2024-06-01|2024-08-15 00:00:00|4|40|0|40|false|false|false|paused",
		"SC4/P-M|plan-m|USD|2024-08-15|-|4|40|0|40|false|true|false|paused")
	want(t, "movements", rows(t, wh, `select date_month, customer_id, mrr, change_category, mrr_change
		from fct_customer_mrr_month where change_category is not null order by customer_id, date_month`),
		"2024-01-01|CA|119.75|new|119.75",
		"2024-04-01|CA|107.75|contraction|-12",
		"2024-07-01|CA|119.75|expansion|12",
		"2024-02-01|CB|100|new|100",
		"2024-05-01|CB|0|churn|-100",
		"2024-09-01|CB|48|reactivation|48",
		"2024-12-01|CB|0|churn|-48",
		"2024-03-01|CC|10|new|10",
		"2024-06-01|CC|50|expansion|40",
		"2024-08-01|CC|10|contraction|-40")
}
