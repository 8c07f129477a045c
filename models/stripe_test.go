package models_test

import (
	"strings"
	"testing"
)

// stripeTables are the Stripe connector's tables (the columns the staging reads): S1, 100 a
// month from January 2025, invoiced monthly. January's line carries a 20 discount from a once
// coupon, February's 10 from a forever coupon, March's both a once (5) and the forever (10)
// discount, April's a 7 discount whose discount row is gone (it counts as recurring).
func stripeTables() map[string]string {
	return map[string]string{
		"billing.customers": `select * from (values ('cus_1', 'a@acme.example', 'Acme', null, false))
			as t(id, email, name, metadata, deleted)`,
		"billing.prices": `select * from (values ('price_m', 'usd', 100.00, 'recurring', 'month', 1, 'licensed'))
			as t(id, currency, unit_amount, price_type, recurring_interval, recurring_interval_count, recurring_usage_type)`,
		"billing.subscriptions": `select * from (values ('sub_1', 'cus_1', 'active', null::timestamptz, null::timestamptz))
			as t(id, customer_id, status, ended_at, trial_end)`,
		"billing.subscription_items": `select * from (values ('si_1', 'sub_1', 'price_m', 'prod_1', 1, timestamptz '2025-01-01 00:00:00+00', false))
			as t(id, subscription_id, price_id, product_id, quantity, created, deleted)`,
		"billing.invoices": `select * from (values ('in_1', 'paid', false), ('in_2', 'paid', false), ('in_3', 'paid', false), ('in_4', 'open', false))
			as t(id, status, deleted)`,
		"billing.invoice_lines": lines(
			`('in_1', 'il_1', 'si_1', '2025-01-01', '2025-02-01', 1, false, 100.00, 20.00, '[{"amount": 2000, "discount": "di_once"}]')`,
			`('in_2', 'il_2', 'si_1', '2025-02-01', '2025-03-01', 1, false, 100.00, 10.00, '[{"amount": 1000, "discount": "di_fv"}]')`,
			`('in_3', 'il_3', 'si_1', '2025-03-01', '2025-04-01', 1, false, 100.00, 15.00, '[{"amount": 500, "discount": "di_once2"}, {"amount": 1000, "discount": "di_fv"}]')`,
			`('in_4', 'il_4', 'si_1', '2025-04-01', '2025-05-01', 1, false, 100.00, 7.00, '[{"amount": 700, "discount": "di_gone"}]')`),
		"billing.discounts": `select * from (values ('di_once', 'once'), ('di_once2', 'once'), ('di_fv', 'forever'))
			as t(id, coupon_duration)`,
	}
}

// lines is an invoice_lines table of S1's price from rows (invoice_id, id, subscription_item_id,
// period_start, period_end, quantity, proration, amount, discount_amount, discount_amounts).
func lines(rows ...string) string {
	return `select invoice_id, id, 'sub_1' as subscription_id, subscription_item_id, 'price_m' as price_id,
		'prod_1' as product_id, 'usd' as currency, cast(period_start as timestamptz) as period_start,
		cast(period_end as timestamptz) as period_end, quantity, 100.00 as unit_amount, '10000' as unit_amount_decimal,
		proration, amount, false as deleted, discount_amount, cast(discount_amounts as json) as discount_amounts
		from (values ` + strings.Join(rows, ",\n") + `) as t(invoice_id, id, subscription_item_id, period_start, period_end,
		quantity, proration, amount, discount_amount, discount_amounts)`
}

// Spec §4.6 for Stripe: a once coupon's discount is not MRR (once_discounts: exclude, the
// default); with once_discounts: include it lowers the month of its invoice.
func TestStripeOnceDiscounts(t *testing.T) {
	for _, c := range []struct {
		once string
		want []string
	}{
		{"exclude", []string{"2025-01-01|100|0|100", "2025-02-01|100|10|90", "2025-03-01|100|10|90", "2025-04-01|100|7|93"}},
		{"include", []string{"2025-01-01|100|20|80", "2025-02-01|100|10|90", "2025-03-01|100|15|85", "2025-04-01|100|7|93"}},
	} {
		t.Run(c.once, func(t *testing.T) {
			tables := stripeTables()
			f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "stripe", "as_of_date": "2025-04-30",
				"once_discounts": c.once}, tables: tables}
			wh := f.build(t, "stg_billing__recurring_lines")
			want(t, "lines", rows(t, wh, `select cast(valid_from as date), mrr_gross, mrr_discount, mrr_net
				from stg_billing__recurring_lines order by valid_from`), c.want...)
		})
	}
}

// Spec §4.2 for Stripe: S1 goes from 1 to 3 seats on 15 February. Stripe bills the change as
// proration lines (a credit for the unused time on 1 seat, a charge for the remaining time on
// 3) and the March invoice at 3 seats: the 3 seats count from 15 February, so the February
// month-end snapshot has them and the expansion is February's.
func TestStripeMidPeriodUpgrade(t *testing.T) {
	tables := stripeTables()
	tables["billing.invoices"] = `select * from (values ('in_1', 'paid', false), ('in_2', 'paid', false), ('in_p', 'paid', false), ('in_3', 'paid', false))
		as t(id, status, deleted)`
	tables["billing.invoice_lines"] = lines(
		`('in_1', 'il_1', 'si_1', '2025-01-01', '2025-02-01', 1, false, 100.00, 0.00, null)`,
		`('in_2', 'il_2', 'si_1', '2025-02-01', '2025-03-01', 1, false, 100.00, 0.00, null)`,
		`('in_p', 'il_p1', 'si_1', '2025-02-15', '2025-03-01', 1, true, -50.00, 0.00, null)`,
		`('in_p', 'il_p2', 'si_1', '2025-02-15', '2025-03-01', 3, true, 150.00, 0.00, null)`,
		`('in_3', 'il_3', 'si_1', '2025-03-01', '2025-04-01', 3, false, 300.00, 0.00, null)`)
	f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "stripe", "as_of_date": "2025-03-31"}, tables: tables}
	wh := f.build(t, "+fct_customer_mrr_month")
	want(t, "lines", rows(t, wh, `select cast(valid_from as date), coalesce(cast(cast(valid_to as date) as varchar), '-'), quantity, mrr_net
		from stg_billing__recurring_lines order by valid_from`),
		"2025-01-01|2025-02-01|1|100", "2025-02-01|2025-02-15|1|100", "2025-02-15|-|3|300")
	want(t, "movements", rows(t, wh, `select date_month, mrr, change_category, mrr_change
		from fct_customer_mrr_month where change_category is not null order by date_month`),
		"2025-01-01|100|new|100", "2025-02-01|300|expansion|200")
}

// An item taken off a live subscription stops counting where Stripe credits its unused time: S1
// keeps si_1, and si_2 (added in January, 50 a month) is removed on 10 March.
func TestStripeRemovedItem(t *testing.T) {
	tables := stripeTables()
	tables["billing.subscription_items"] = `select * from (values
		('si_1', 'sub_1', 'price_m', 'prod_1', 1, timestamptz '2025-01-01 00:00:00+00', false),
		('si_2', 'sub_1', 'price_m', 'prod_1', 1, timestamptz '2025-01-01 00:00:00+00', true))
		as t(id, subscription_id, price_id, product_id, quantity, created, deleted)`
	tables["billing.invoices"] = `select * from (values ('in_1', 'paid', false), ('in_2', 'paid', false), ('in_3', 'paid', false), ('in_p', 'paid', false))
		as t(id, status, deleted)`
	tables["billing.invoice_lines"] = lines(
		`('in_1', 'il_1', 'si_1', '2025-01-01', '2025-02-01', 1, false, 100.00, 0.00, null)`,
		`('in_1', 'il_2', 'si_2', '2025-01-01', '2025-02-01', 1, false, 100.00, 0.00, null)`,
		`('in_2', 'il_3', 'si_1', '2025-02-01', '2025-03-01', 1, false, 100.00, 0.00, null)`,
		`('in_2', 'il_4', 'si_2', '2025-02-01', '2025-03-01', 1, false, 100.00, 0.00, null)`,
		`('in_3', 'il_5', 'si_1', '2025-03-01', '2025-04-01', 1, false, 100.00, 0.00, null)`,
		`('in_3', 'il_6', 'si_2', '2025-03-01', '2025-04-01', 1, false, 100.00, 0.00, null)`,
		`('in_p', 'il_p', 'si_2', '2025-03-10', '2025-04-01', 1, true, -70.97, 0.00, null)`)
	f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "stripe", "as_of_date": "2025-05-31"}, tables: tables}
	wh := f.build(t, "+fct_customer_mrr_month")
	want(t, "si_2", rows(t, wh, `select cast(valid_from as date), cast(cast(valid_to as date) as varchar)
		from stg_billing__recurring_lines where subscription_item_id = 'si_2' order by valid_from`),
		"2025-01-01|2025-02-01", "2025-02-01|2025-03-01", "2025-03-01|2025-03-10")
	want(t, "movements", rows(t, wh, `select date_month, mrr, change_category, mrr_change
		from fct_customer_mrr_month where change_category is not null order by date_month`),
		"2025-01-01|200|new|200", "2025-03-01|100|contraction|-100")
}
