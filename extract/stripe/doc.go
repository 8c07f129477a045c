// Package stripe is the "stripe" source: it reads a Stripe account's billing objects — the
// catalog, customers, subscriptions and their items, discounts, invoices and their lines, credit
// notes — into one table per object, incrementally, from Stripe's list endpoints and its event
// log.
//
// # Configuration
//
//	sources:
//	  - name: billing
//	    type: stripe
//	    api_key: ${STRIPE_API_KEY}        # required: a secret (sk_…) or restricted (rk_…) key;
//	                                      # ${ENV} or ${file:PATH}; never logged
//	    base_url: https://api.stripe.com  # default; the only switch to a fake or a proxy
//	    api_version: 2025-03-31.basil     # default; sent as Stripe-Version on every request
//	    objects: [customers, subscriptions, subscription_items]   # default: all streams
//	    page_size: 100                    # objects per list request, 1–100 (default 100)
//	    requests_per_second: 20           # 1–100 (default 20, under test mode's 25/s); 0: no
//	                                      # client-side pacing (a proxy that paces, or a fake)
//	    timeout: 60s                      # per HTTP request
//	    max_attempts: 8                   # sends of one request before giving up (1–20)
//	    currency_exponents: {ugx: 2}      # override a currency's decimals (see Amounts)
//
// A restricted key needs read access to every configured object (discounts: coupons too) and to
// events.
//
// # Streams
//
// Every stream has the primary key id (invoice_lines: invoice_id, id), a livemode and a
// metadata (JSON) column where Stripe has them, "_extra" (JSON: the object's other non-null
// fields, never dropped) and "_observed_at" (when the row's state was current: the event's
// time, or when the listing read it; the stream's CursorField). Streams whose objects can be
// deleted have a boolean "deleted" column (their DeletedField): deleted rows are kept, flagged.
//
//	products            id, name, description, active, type, unit_label, default_price_id,
//	                    created, updated, deleted
//	prices              id, product_id, active, currency, unit_amount, unit_amount_decimal,
//	                    price_type, billing_scheme, recurring_interval, recurring_interval_count,
//	                    recurring_usage_type, tiers_mode, lookup_key, nickname, created, deleted
//	coupons             id, name, percent_off, amount_off, currency, duration,
//	                    duration_in_months, max_redemptions, times_redeemed, valid, redeem_by,
//	                    created, deleted
//	customers           id, email, name, description, currency, balance, created, delinquent,
//	                    discount_id, tax_exempt, deleted
//	discounts           id, coupon_id, customer_id, subscription_id, subscription_item_id,
//	                    invoice_id, invoice_item_id, promotion_code_id, start, end,
//	                    coupon_percent_off, coupon_amount_off, coupon_currency, coupon_duration,
//	                    coupon_duration_in_months, deleted (customer-, subscription- and
//	                    item-level discounts)
//	subscriptions       id, customer_id, status, currency, collection_method, created,
//	                    start_date, billing_cycle_anchor, current_period_start,
//	                    current_period_end, trial_start, trial_end, cancel_at,
//	                    cancel_at_period_end, canceled_at, ended_at, cancellation_reason,
//	                    cancellation_feedback, cancellation_comment, discount_ids,
//	                    latest_invoice_id, schedule_id, pause_collection
//	subscription_items  id, subscription_id, customer_id, price_id, product_id, quantity,
//	                    created, current_period_start, current_period_end, currency,
//	                    unit_amount, unit_amount_decimal, price_type, billing_scheme,
//	                    recurring_interval, recurring_interval_count, recurring_usage_type,
//	                    discount_ids, deleted
//	invoices            id, customer_id, subscription_id, status, billing_reason,
//	                    collection_method, currency, number, created, period_start, period_end,
//	                    due_date, effective_at, amount_due, amount_paid, amount_remaining,
//	                    subtotal, total, total_excluding_tax, total_discount_amount,
//	                    discount_ids, finalized_at, paid_at, voided_at, marked_uncollectible_at,
//	                    deleted (deleted drafts)
//	invoice_lines       invoice_id, id, amount, currency, description, quantity, period_start,
//	                    period_end, price_id, product_id, unit_amount, unit_amount_decimal,
//	                    line_type (subscription | invoiceitem), subscription_id,
//	                    subscription_item_id, invoice_item_id, proration, discount_amount (the
//	                    sum), discount_ids, discount_amounts (JSON [{amount, discount}]: each
//	                    discount's part in minor units, as Stripe sends it), discountable, deleted
//	credit_notes        id, number, invoice_id, customer_id, status, type, reason, currency,
//	                    amount, subtotal, total, discount_amount, memo, created, effective_at,
//	                    voided_at
//
// Times are timestamp[us, UTC] (Stripe sends unix seconds). Subscriptions are never deleted in
// Stripe; a canceled one has status canceled, canceled_at and ended_at. The price fields of
// subscription_items and invoice_lines are the price's immutable terms (amount, currency,
// interval), so they never go stale.
//
// API versions: both object shapes are read into the same rows — before 2025-03-31.basil
// (current_period_* on the subscription, invoice.subscription, lines with price, plan, type,
// proration, subscription_item) and from basil on (current_period_* on each item,
// invoice.parent.subscription_details, lines with parent{…_details} and pricing{price_details}).
// This matters even with a pinned api_version, because events carry the shape of the version
// current when they were created. A basil subscription's current_period_start/end are the
// earliest start and the latest end of its items. A discount embeds its coupon before
// 2025-09-30.clover and names it (source.coupon) from clover on: with a clover api_version the
// listings expand it, and for an event's snapshot it is fetched (GET /v1/coupons/{id}, once per
// read; its terms never change). The coupon_* columns stay empty for a coupon deleted since.
//
// # Amounts
//
// Stripe amounts are integers in the currency's minor unit. Every money column is
// DECIMAL(38,6) in major units with the currency in a column beside it (currency, or
// coupon_currency): the minor amount divided by 10^exponent. The exponent is 0 for BIF, CLP,
// DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, UGX, VND, VUV, XAF, XOF and XPF, 3 for BHD, JOD, KWD,
// OMR and TND, and 2 for every other currency (ISK, HUF and TWD included: Stripe's API keeps
// them two-decimal). Six decimals hold every currency and sub-cent prices
// (unit_amount_decimal) to 1/10,000 of a cent; finer ones are rounded half to even, and the
// exact text is kept in unit_amount_decimal (minor units, as Stripe sends it). Sums such as
// total_discount_amount add the list's amounts.
//
// # Incremental reads
//
// Stripe's lists filter on created only; nothing filters on "updated". So each stream is read
// in two phases, and its cursor says which one it is in:
//
//  1. Full listing (the first read, and after a gap): every object, newest first, page by page
//     with starting_after (subscriptions with status=all; prices active, then inactive;
//     subscription items and invoice lines through their parents, paging /v1/subscription_items
//     and /v1/invoices/{id}/lines when the embedded list has more). Each page is one batch
//     whose cursor resumes after it. When the starting_after object has disappeared (deleted,
//     or no longer matching), Stripe answers resource_missing; the listing restarts with
//     created[lte] of that object, so nothing shifts or is lost (rows of that second are read
//     twice; the loader merges them). Objects created during the listing land before its head
//     and are read by the next phase.
//  2. Events: GET /v1/events for the stream's types (customer.*, customer.subscription.*,
//     invoice.*, …) created since the cursor, in windows of a day, applied oldest first. Each
//     event carries its object's full state, which becomes the row (items and lines are
//     re-fetched when the snapshot's list has more). customer.deleted, product.deleted,
//     price.deleted, coupon.deleted, customer.discount.deleted and invoice.deleted rows are
//     flagged deleted; items that left a subscription (in the event's previous_attributes) and
//     the lines of a deleted draft are flagged deleted too.
//
// The events phase starts five minutes before the listing began, and each cursor is five
// minutes before the last event it covers: replaying an event twice is harmless (events are
// applied in order and carry full states), and the margin absorbs clock skew and events that
// become listable late. A cursor never passes a row that was not emitted, so a run killed at
// any point resumes from its last committed cursor without loss.
//
// Stripe keeps events for 30 days. A cursor older than that (less an hour of margin), or an
// event that expires while its window is being paged, is a gap: the stream is listed in full
// again, then follows events as before. Objects deleted during a gap are not listed any more,
// so their rows are not flagged; run the pipeline with --full-refresh to replace the tables
// after a long outage.
//
// # Errors and retries
//
// Requests are spaced by requests_per_second. A response's Stripe-Should-Retry header decides
// (true: retry, false: fail, even a 500); without it 409, 429, 5xx, network errors and cut-short
// bodies are retried, with exponential backoff (0.5 s doubling, capped at 5 s, with jitter) or
// the server's Retry-After. Errors carry Stripe's type, code, param, message and Request-Id
// (*APIError); a 401 or 403 wraps ErrUnauthorized. The key is never logged nor put in errors.
//
// The fake in extract/stripe/fake serves the same API for tests and demos. Contract tests run the
// connector against stripe-mock, Stripe's mock server driven by its OpenAPI spec, and check the
// fake's JSON against stripe-mock's objects (`make test` installs stripe-mock into bin/).
package stripe
