package models_test

import (
	"fmt"
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
		"billing.invoice_lines": `select * from (values
			('in_1', 'il_1', 1, 20.00, '[{"amount": 2000, "discount": "di_once"}]'::json),
			('in_2', 'il_2', 2, 10.00, '[{"amount": 1000, "discount": "di_fv"}]'::json),
			('in_3', 'il_3', 3, 15.00, '[{"amount": 500, "discount": "di_once2"}, {"amount": 1000, "discount": "di_fv"}]'::json),
			('in_4', 'il_4', 4, 7.00, '[{"amount": 700, "discount": "di_gone"}]'::json)
			) as t(invoice_id, id, m, discount_amount, discount_amounts)`,
		"billing.discounts": `select * from (values ('di_once', 'once'), ('di_once2', 'once'), ('di_fv', 'forever'))
			as t(id, coupon_duration)`,
	}
}

// invoiceLinesSQL completes the invoice lines with the columns every line shares.
const invoiceLinesSQL = `select invoice_id, id, 'sub_1' as subscription_id, 'si_1' as subscription_item_id,
	'price_m' as price_id, 'prod_1' as product_id, 'usd' as currency,
	timestamptz '2025-01-01 00:00:00+00' + to_months(m - 1) as period_start,
	timestamptz '2025-01-01 00:00:00+00' + to_months(m) as period_end,
	1 as quantity, 100.00 as unit_amount, '10000' as unit_amount_decimal, false as proration, false as deleted,
	discount_amount, discount_amounts from (%s)`

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
			tables["billing.invoice_lines"] = fmt.Sprintf(invoiceLinesSQL, tables["billing.invoice_lines"])
			f := fixture{vars: map[string]any{"crm_system": "none", "billing_system": "stripe", "as_of_date": "2025-04-30",
				"once_discounts": c.once}, tables: tables}
			wh := f.build(t, "stg_billing__recurring_lines")
			want(t, "lines", rows(t, wh, `select cast(valid_from as date), mrr_gross, mrr_discount, mrr_net
				from stg_billing__recurring_lines order by valid_from`), c.want...)
		})
	}
}
