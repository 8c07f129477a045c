// Package zuora is the "zuora" source: it reads a Zuora Billing tenant — the product catalog,
// accounts and contacts, subscriptions with every version, their rate plans and rate plan
// charge segments, invoices and invoice items — into one table per object, incrementally, with
// ZOQL queries through Zuora's REST actions (POST /v1/action/query and /v1/action/queryMore).
//
// # Configuration
//
//	sources:
//	  - name: billing
//	    type: zuora
//	    base_url: https://rest.zuora.com      # default; your tenant's REST endpoint, e.g.
//	                                          # https://rest.eu.zuora.com, https://rest.na.zuora.com,
//	                                          # https://rest.apisandbox.zuora.com, https://rest.sandbox.eu.zuora.com;
//	                                          # also the only switch to the fake
//	    client_id: ${ZUORA_CLIENT_ID}         # required: an OAuth client of an API user
//	    client_secret: ${ZUORA_CLIENT_SECRET} # required: a secret; ${ENV} or ${file:PATH}; never logged
//	    entity_id: ""                         # multi-entity tenants: the Zuora-Entity-Ids to read
//	    objects: [accounts, subscriptions, rate_plan_charges]   # default: every stream
//	    replace: [accounts]                   # streams read in full and replaced on every run
//	                                          # (the catalog streams always are; see Deletes)
//	    batch_size: 2000                      # records per query page, 1–2000 (default 2000)
//	    requests_per_minute: 1000             # 1–50000 (default 1000; the tenant's limit is 50,000
//	                                          # API requests a minute, shared by its integrations)
//	    timeout: 120s                         # per HTTP request
//	    max_attempts: 8                       # sends of one request before giving up (1–20)
//	    lookback: 10m                         # re-read changes this far before the cursor (0s–24h)
//	    extra_fields:                         # more fields (custom fields) to read into _extra
//	      accounts: [Region__c]
//
// # Streams
//
// Every stream has the primary key id, the columns created_date and updated_date
// (timestamp[us, UTC]) and "_extra" (JSON: the fields of extra_fields, and any other field a
// record carries that no column reads; Zuora leaves null fields out of records, so _extra holds
// only non-null ones). Incremental streams have updated_date as their CursorField; the catalog
// streams and those listed under replace are read in full and replaced (Replace).
//
//	products                   id, name, sku, description, category, effective_start_date,
//	                           effective_end_date                                 (Replace)
//	product_rate_plans         id, product_id, name, description, effective_start_date,
//	                           effective_end_date                                 (Replace)
//	product_rate_plan_charges  id, product_rate_plan_id, name, charge_type, charge_model,
//	                           billing_period, default_quantity, uom              (Replace)
//	accounts                   id, account_number, name, currency, crm_id, status,
//	                           bill_cycle_day, bill_to_id, sold_to_id, parent_id, payment_term,
//	                           batch, balance, auto_pay
//	contacts                   id, account_id, first_name, last_name, work_email, country
//	subscriptions              id, name (the subscription number), account_id, invoice_owner_id,
//	                           original_id, previous_subscription_id, version, status, term_type,
//	                           subscription_start_date, subscription_end_date, term_start_date,
//	                           term_end_date, initial_term, renewal_term, auto_renew,
//	                           contract_effective_date, service_activation_date, cancelled_date,
//	                           currency*
//	rate_plans                 id, subscription_id, product_rate_plan_id, name, amendment_type
//	rate_plan_charges          id, rate_plan_id, subscription_id*, account_id*, currency*,
//	                           original_id, charge_number, name, segment, version, charge_type,
//	                           charge_model, billing_period, effective_start_date,
//	                           effective_end_date, mrr, dmrc, tcv, dtcv, quantity, price,
//	                           is_last_segment, product_rate_plan_charge_id
//	invoices                   id, account_id, invoice_number, invoice_date, due_date, status,
//	                           amount, amount_without_tax, tax_amount, balance, currency*,
//	                           posted_date
//	invoice_items              id, invoice_id, subscription_id, rate_plan_charge_id, account_id*,
//	                           currency*, charge_name, charge_amount, tax_amount, quantity,
//	                           unit_price, service_start_date, service_end_date, charge_date,
//	                           processing_type, sku
//
// Columns marked * are not fields of the object: ZOQL has no joins, so they are looked up by
// id in the related objects (a charge's rate plan → its subscription version → its account →
// the account's currency; an invoice item's invoice → its account), 199 ids per query, cached
// for the read. These relations never change once a record exists, so the values cannot go
// stale. currency is the account's (Zuora bills a subscription in its invoice owner's
// currency, the same account unless invoice_owner_id differs).
//
// Dates (effective_start_date, term_end_date, invoice_date, …) are date32; datetimes are
// timestamp[us, UTC], read from Zuora's offset datetimes (e.g. 2025-01-31T09:30:00.000-08:00;
// a datetime without an offset is an error, never silently UTC). Money and quantities are
// DECIMAL(38,6) in major units, as Zuora sends them (JSON numbers or strings, parsed from their
// text, never through float64; past six decimals they are rounded half to even), with the
// currency on the same row.
//
// # MRR
//
// Zuora keeps every version of a subscription: an amendment or a cancellation creates version
// n+1 (same name and original_id, previous_subscription_id the version before) and the version
// before becomes Expired. Each version carries every segment of each of its charges: a
// rate_plan_charges row is one segment (segment 1, 2, … of one charge_number), effective over
// [effective_start_date, effective_end_date) — a segment ends on the day the next one starts,
// and effective_end_date is NULL while open-ended (evergreen). So the piecewise MRR schedule of
// the canonical billing_recurring_line is: for each subscription name, its latest version
// (max(version) per original_id), its rate_plan_charges with charge_type = 'Recurring', one
// line per segment — customer account_id × subscription × [effective_start_date,
// effective_end_date) × mrr × currency. Discount charges have charge_model like 'Discount%'.
//
// # Incremental reads
//
// ZOQL has no order by, so a keyset on (UpdatedDate, Id) cannot page inside a query. Each
// incremental read instead queries a closed range of UpdatedDate and pages it with query
// locators:
//
//	select … from Object where UpdatedDate >= 'lo' and UpdatedDate < 'hi'
//
// with hi = the read's start (the clock, truncated to Zuora's one-second precision) and lo =
// the cursor's watermark minus lookback. The cursor, {"v":1,"object":…,"since":…}, says
// "every record updated before since was emitted". The batches of a range's pages keep the
// previous watermark; its last page carries since = hi. A range longer than 30 days is split
// into 30-day windows, each committed when done. The first read has no lower bound. So:
//
//   - records sharing one UpdatedDate are never split by a cursor: ranges are half-open and a
//     watermark is only ever a range's end, whatever the page boundaries;
//   - a record updated while its range is paged moves to UpdatedDate ≥ hi and is read by the
//     next run (Zuora's locators page a snapshot of the result; if a page misses it, or shows
//     its old state, the next run has its new one);
//   - a record committed late, with an UpdatedDate below the watermark, is read if it is no
//     older than lookback (default 10 minutes);
//   - a run killed anywhere re-reads, from its last committed cursor, at most the range it was
//     in; the loader merges on id, so nothing is lost or duplicated.
//
// An expired locator (fns:INVALID_QUERY_LOCATOR, after 15 minutes idle) restarts its window's
// query. A field the tenant does not have (fns:INVALID_FIELD: an older WSDL version, a
// feature that is off) is dropped from the select list with a warning, and its column stays
// NULL; Id and UpdatedDate cannot be dropped.
//
// # Deletes
//
// Zuora does not hard-delete subscriptions (amendments and cancellations are versions), but
// some records can be deleted (draft invoices, unused catalog items, accounts without
// transactions), and deleted records simply vanish from ZOQL; there is no deleted-records feed
// in the query actions. The catalog streams are therefore read in full on every run and
// replaced, so catalog deletes disappear. An incremental stream keeps a deleted record's last
// row; list it under replace to read it in full every run (fine for small tenants), or run
// with --full-refresh now and then. Subscriptions never need it.
//
// # Errors and retries
//
// Requests are spaced by requests_per_minute. A 429 is retried after its Retry-After (else
// RateLimit-Reset, else a backoff: 0.5 s doubling, capped at 30 s, with jitter); 5xx, network
// errors and cut-short bodies are retried with the backoff; faults that no retry cures
// (INVALID_FIELD, INVALID_TYPE, INVALID_VALUE, MALFORMED_QUERY, INVALID_QUERY_LOCATOR) are
// not, even with a 500. A 401 ("Authentication error": the token expired or was revoked) gets
// a new token from POST /oauth/token and the request again; a token is also renewed a minute
// before its expires_in runs out. A rejected login or a 403 wraps ErrUnauthorized. Errors are
// *APIError, with Zuora's fault code or reason code, message and Zuora-Request-Id. The client
// secret and tokens are never logged nor put in errors.
//
// The fake in extract/zuora/fake serves the same API for tests and demos.
package zuora
