// Package chargebee is the "chargebee" source: it reads a Chargebee site's billing records
// (Product Catalog 2.0) — the catalog, coupons, customers, subscriptions with their items,
// coupons and discounts, invoices and credit notes with their line items — into one table per
// stream, incrementally, from the API v2 list endpoints.
//
// # Configuration
//
//	sources:
//	  - name: billing
//	    type: chargebee
//	    site: acme                        # https://acme.chargebee.com (test sites: acme-test)
//	    # base_url: http://127.0.0.1:8080 # instead of site: a proxy or a fake; the only switch
//	    api_key: ${CHARGEBEE_API_KEY}     # required: a full-access or read-only API key;
//	                                      # ${ENV} or ${file:PATH}; never logged
//	    objects: [customers, subscriptions, subscription_items]   # default: all streams
//	    page_size: 100                    # records per list request, 1–100 (default 100)
//	    requests_per_minute: 120          # 1–3500 (default 120, under the 150 of Starter and
//	                                      # test sites; Performance allows 1000, Enterprise 3500)
//	    timeout: 60s                      # per HTTP request
//	    max_attempts: 10                  # sends of one request before giving up (1–20)
//	    overlap: 1s                       # seconds of updated_at re-read by the next run (1s–1h)
//	    currency_exponents: {CLF: 4}      # override a currency's decimals (see Amounts)
//
// # Streams
//
// Every stream has a boolean "deleted" column (its DeletedField: deleted records are kept,
// flagged) and "_extra" (JSON: the record's other non-null attributes — fields this connector
// does not know, or whose value did not have the expected type — never dropped). Top-level
// streams have the primary key id and the cursor field updated_at, with resource_version.
//
//	item_families          id, name, description, status, channel
//	items                  id, name, external_name, description, item_family_id, type
//	                       (plan | addon | charge), status, unit, metered, usage_calculation,
//	                       included_in_mrr, is_shippable, is_giftable, enabled_for_checkout,
//	                       enabled_in_portal, item_applicability, channel, archived_at, metadata
//	item_prices            id, name, external_name, description, item_id, item_family_id,
//	                       item_type, status, pricing_model, currency_code, price,
//	                       price_in_decimal, period, period_unit, free_quantity, trial_period,
//	                       trial_period_unit, billing_cycles, is_taxable, tiers (JSON, minor
//	                       units), channel, created_at, archived_at, metadata
//	coupons                id, name, invoice_name, discount_type, discount_percentage,
//	                       discount_amount, currency_code, duration_type, duration_month,
//	                       period, period_unit, apply_on, apply_discount_on, status,
//	                       max_redemptions, redemptions, valid_till, created_at, archived_at,
//	                       item_constraints, meta_data
//	customers              id, first_name, last_name, email, phone, company,
//	                       preferred_currency_code, auto_collection, net_term_days, taxability,
//	                       vat_number, locale, channel, card_status, primary_payment_source_id,
//	                       promotional_credits, refundable_credits, excess_payments,
//	                       unbilled_charges, mrr, created_at, billing_address, meta_data
//	subscriptions          id, customer_id, status (future | in_trial | active | non_renewing |
//	                       paused | cancelled | transferred), currency_code, billing_period,
//	                       billing_period_unit, mrr, plan_id, plan_quantity, plan_unit_price,
//	                       plan_amount (Product Catalog 1.0 sites), exchange_rate,
//	                       base_currency_code, remaining_billing_cycles, auto_collection,
//	                       po_number, start_date, trial_start, trial_end, current_term_start,
//	                       current_term_end, next_billing_at, started_at, activated_at,
//	                       cancelled_at, cancel_reason, cancel_reason_code, pause_date,
//	                       resume_date, has_scheduled_changes, due_invoices_count, channel,
//	                       created_at, meta_data
//	invoices               id, customer_id, subscription_id, recurring, status, price_type,
//	                       currency_code, base_currency_code, exchange_rate, date, due_date,
//	                       net_term_days, paid_at, voided_at, generated_at, sub_total, tax, total,
//	                       amount_paid, amount_adjusted, write_off_amount, credits_applied,
//	                       amount_due, amount_to_collect, round_off_amount, new_sales_amount,
//	                       discount_amount (the sum of discounts[].amount), discounts (JSON),
//	                       first_invoice, term_finalized, has_advance_charges, dunning_status,
//	                       channel
//	credit_notes           id, customer_id, subscription_id, reference_invoice_id, type,
//	                       reason_code, create_reason_code, status, price_type, currency_code,
//	                       base_currency_code, exchange_rate, date, sub_total, total,
//	                       amount_allocated, amount_refunded, amount_available,
//	                       round_off_amount, fractional_correction, refunded_at, voided_at,
//	                       generated_at, channel
//
// Child streams have one row per element of their parent's array, the parent's key, status and
// stamps (their cursor field is the parent's updated_at), and are deleted with their parent:
//
//	subscription_items     PK (subscription_id, item_price_id): customer_id, currency_code,
//	                       subscription_status, subscription_updated_at,
//	                       subscription_resource_version, item_type, quantity,
//	                       quantity_in_decimal, unit_price, unit_price_in_decimal, amount,
//	                       amount_in_decimal, free_quantity, free_quantity_in_decimal,
//	                       billing_period, billing_period_unit (the subscription's when the item
//	                       has none), billing_cycles, trial_end, service_period_days,
//	                       charge_on_event, charge_once, charge_on_option, metered_quantity,
//	                       last_calculated_at, item_tiers (JSON, minor units)
//	subscription_coupons   PK (subscription_id, coupon_id): customer_id, coupon_code, apply_till,
//	                       applied_count, and the subscription columns as above
//	subscription_discounts PK (subscription_id, id): customer_id, coupon_id, invoice_name, type
//	                       (percentage | fixed_amount), percentage, amount, currency_code,
//	                       duration_type, period, period_unit, included_in_mrr, apply_on,
//	                       item_price_id, created_at, apply_till, applied_count, index,
//	                       subscription_currency_code, and the subscription columns as above
//	invoice_line_items     PK (invoice_id, id): currency_code, invoice_status, invoice_date,
//	                       invoice_updated_at, invoice_resource_version, customer_id,
//	                       subscription_id, date_from, date_to, entity_type (plan_item_price |
//	                       addon_item_price | charge_item_price | adhoc), entity_id,
//	                       description, entity_description, pricing_model, quantity,
//	                       quantity_in_decimal, unit_amount, unit_amount_in_decimal, amount,
//	                       amount_in_decimal, discount_amount, item_level_discount_amount,
//	                       is_taxed, tax_amount, tax_rate, tax_exempt_reason
//	credit_note_line_items PK (credit_note_id, id): currency_code, reference_invoice_id,
//	                       credit_note_type (adjustment | refundable), credit_note_status,
//	                       credit_note_reason_code, credit_note_create_reason_code (e.g.
//	                       subscription_change), credit_note_date, credit_note_updated_at,
//	                       credit_note_resource_version, customer_id, subscription_id, and the
//	                       line columns of invoice_line_items (date_from, date_to, entity_type,
//	                       entity_id, quantity, unit_amount, amount, …)
//
// Chargebee sends a parent's whole array every time, and nothing when an element is removed: an
// item taken off a subscription keeps its last row. So a child row is current only when its
// parent stamp is the newest of its parent's rows: per subscription_id keep the rows with the
// highest subscription_resource_version (per invoice_id, invoice_resource_version; per
// credit_note_id, credit_note_resource_version). The canonical models apply this rule.
//
// For MRR (revenue-models §3): subscription_items carries item_price_id, item_type, quantity,
// unit_price, amount, billing_period and billing_period_unit with the subscription's currency
// and status; subscription_discounts carries the discounts (included_in_mrr, type, percentage
// or amount, duration); subscriptions carries status, the start, trial, term and cancel dates
// and Chargebee's own mrr (a current snapshot); invoice_line_items carries the billed history
// (date_from, date_to, entity_type, discount_amount, is_taxed); credit_note_line_items carries
// the mid-term decreases (seats removed, downgrades), which Chargebee credits (a credit note of
// reason subscription_change over the rest of the term) without an invoice line.
//
// Times are timestamp[us, UTC] (Chargebee sends unix seconds). Percentages and rates are
// DECIMAL(38,6).
//
// # Amounts
//
// Chargebee amounts are integers in the currency's minor unit. Every money column is
// DECIMAL(38,6) in major units with the currency beside it (currency_code, or
// preferred_currency_code for customers): the minor amount divided by 10^exponent of the
// currency, exactly, never through a float. Exponents follow ISO 4217: 0 for BIF, CLP, DJF,
// GNF, ISK, JPY, KMF, KRW, PYG, RWF, UGX, UYI, VND, VUV, XAF, XOF and XPF; 3 for BHD, IQD, JOD,
// KWD, LYD, OMR and TND; 4 for CLF and UYW; 2 for every other currency. A record without a
// currency (a customer of a single-currency site) has NULL amounts, and its raw amounts stay in
// _extra. The *_in_decimal attributes (multi-decimal pricing, major units) are kept as text.
//
// # Incremental reads
//
// Every read lists GET /api/v2/{resource}?limit=page_size&sort_by[asc]=updated_at
// &include_deleted=true, from updated_at[after]=<cursor's updated_at − overlap> when a cursor
// is given, following next_offset — an opaque string (a JSON array in practice) passed back
// verbatim — until a page has none. Each page is one batch; its cursor holds the highest
// updated_at emitted and the id and resource_version of each record emitted in the last overlap
// seconds. The next read re-reads those seconds — catching records stamped in a second that
// was still open, or committed late — and skips the records it already emitted unless their
// resource_version changed: nothing is duplicated across runs and nothing is lost, also when
// many records share one updated_at across page boundaries, when records change between pages
// (they move to the end of the listing and are read again), and when a run is killed and
// resumed from its last committed cursor. Deleted records come back with deleted: true.
//
// A change committed later than overlap after its updated_at is missed; raise overlap if a
// site shows that. A cursor remembers at most 10,000 records: beyond that some records of the
// window are read again (merged by the loader), never lost.
//
// # Errors and retries
//
// Requests are spaced to requests_per_minute (in bursts of at most a twelfth of it, so that no
// clock minute exceeds the plan's limit). 429 (api_request_limit_exceeded), 5xx, network errors
// and cut-short bodies are retried with exponential backoff (1 s doubling, capped at 60 s, with
// jitter) or the server's Retry-After. Other errors are final and carry Chargebee's
// api_error_code, param and message (*APIError), with what to do: a 401 or 403 wraps
// ErrUnauthorized (check api_key), a 404 names the path (check site), and
// configuration_incompatible names the stream to remove from objects. The key is sent as the
// Basic auth username and never appears in errors or logs.
//
// The fake in extract/chargebee/fake serves the same API for tests and demos.
package chargebee
