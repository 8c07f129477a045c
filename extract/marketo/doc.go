// Package marketo is the "marketo" source: it reads an Adobe Marketo Engage subscription's
// leads, activity log, activity types and lead lifecycle changes (the MQL signal) through the
// REST and Bulk Extract APIs, and emits them as Arrow record batches. Its fake, for tests and
// the demo, is package marketo/fake.
//
// # Configuration
//
//	sources:
//	  - name: marketing
//	    type: marketo
//	    base_url: https://123-ABC-456.mktorest.com  # required: the REST host (Admin > Integration >
//	                                                # Web Services), no /rest; identity is on it too
//	    client_id: ${MARKETO_CLIENT_ID}             # required, secrets: the API user's LaunchPoint
//	    client_secret: ${MARKETO_CLIENT_SECRET}     # service; never logged nor put in errors
//	    streams: [activity_types, leads, activities, lead_lifecycle]   # default: all four
//	    activity_type_ids: [1, 2, 12, 13]   # default: every type of activities/types.json
//	    lead_fields: [email, leadStatus]    # default: every describe field (id, createdAt and
//	                                        # updatedAt are always read)
//	    batch_size: 300                     # records per REST call, 1–300
//	    requests_per_20s: 80                # 1–100; at most 1.2× this in any 20 s (Marketo: 100
//	                                        # for all the subscription's API users together);
//	                                        # 0: no client-side pacing (606 answers are backed off)
//	    max_concurrency: 5                  # calls in flight across streams, 1–10 (Marketo: 10)
//	    daily_quota: 50000                  # the subscription's daily calls
//	    daily_quota_stop_fraction: 0.8      # stop once today's usage reaches 80% (0: never)
//	    start_date: 2006-01-01              # the oldest data a first read asks for
//	    lookback: 24h                       # each incremental read re-reads this much (0–720h)
//	    use_bulk: auto                      # leads: auto | always | never (see below)
//	    max_export_days: 31                 # bulk export window, 1–31 days
//	    timeout: 60s                        # per HTTP request
//	    max_attempts: 10                    # sends of one call before giving up, 1–20
//	    mql:                                # which lifecycle changes are MQL (see Lead lifecycle)
//	      lead_status_field: Lead Status
//	      lead_status_values: [MQL, Marketing Qualified, Marketing Qualified Lead]
//	      program_statuses: []
//	      revenue_stages: [MQL]
//	      score_field: Lead Score
//	      score_threshold: 0                # 0: score changes never mark an MQL
//
// New validates everything, reporting every problem at once with what to do, and does no network
// I/O. Set start_date to the subscription's creation date: a first read of leads exports every
// window of max_export_days from it.
//
// # Streams
//
// Column names are snake case. Times are timestamp[us, UTC] (Marketo sends ISO 8601 with a zone),
// money is DECIMAL(38,6), JSON columns use the arrow.json extension type.
//
//	leads           key id; one column per describe field (or per lead_fields), typed by its
//	                dataType: string, email, text, textarea, phone, url, reference → utf8;
//	                integer, score → int64; float, percent → float64; currency → decimal(38,6);
//	                boolean → bool; date → date32; datetime → timestamp. Fields of other
//	                dataTypes go to _extra (JSON, keyed by REST name). Then deleted (bool, the
//	                stream's DeletedField), deleted_at, _extra. The schema comes from describe at
//	                read time (Stream.Schema is nil): a field added to the subscription becomes a
//	                column at the next read, filled for the leads that read returns (run a full
//	                refresh to fill it for every lead). Cursor field updated_at.
//	activities      key marketo_guid (the id as text in older subscriptions); id, lead_id,
//	                activity_date (the cursor field), activity_type_id, activity_type_name,
//	                campaign_id, primary_attribute_value_id, primary_attribute_value,
//	                attributes (JSON object of attribute name → value), _extra. Append-only:
//	                rows re-read by the lookback are merged on the key.
//	activity_types  key id, replaced on every read; name, description,
//	                primary_attribute_name, primary_attribute_data_type, attributes (JSON),
//	                _extra.
//	lead_lifecycle  key marketo_guid; lead_id, changed_at (the cursor field), activity_type_id,
//	                activity_type_name, subject (the field, program or revenue model changed),
//	                old_value, new_value, reason, is_mql.
//
// # Leads: bulk export windows, lead-change activities, deletes
//
// A read of leads has two phases, each resumable from the cursor of any batch it emitted.
//
//  1. Changed leads. With use_bulk auto or always: Bulk Extract exports filtered on updatedAt
//     (the last change of the lead), in windows of max_export_days from the cursor (start_date
//     on the first read) to the read's start; one export per window, its file a batch (5,000 rows
//     at most; the cursor moves past the window with its last batch). When the subscription
//     lacks the updatedAt filter (1035), a first read, or any read with use_bulk always, exports
//     every window on createdAt instead — a full export, as Marketo allows nothing else — and an
//     incremental read with use_bulk auto reads through REST. With use_bulk never, and with auto
//     when the day's bulk export quota is spent (1029), the REST path scans the New Lead, Change
//     Data Value and Change Score activities from the cursor (leadchanges.json is not used: it
//     misses score changes) and reads the leads they name with leads.json, by id in batches of
//     batch_size; a lead already read in this read is read again only for a later change. Each
//     page is a batch whose cursor is its latest activity minus lookback. The REST path only
//     sees changes Marketo records as those activities, and a first read through it only the
//     leads whose New Lead activity Marketo still keeps: prefer bulk.
//  2. Deleted leads: activities/deletedleads.json from the delete cursor; each deleted lead is
//     a row with id, deleted = true and deleted_at (the loader keeps it as a soft delete; its
//     other columns are null). Lead ids are never reused.
//
// At the end the cursor is the read's start minus lookback (bulk), or the latest activity read
// minus lookback (REST), never earlier than before. Rows read twice — the lookback, a lead
// whose updatedAt is a window's boundary second, a read resumed inside a window — are merged by
// the loader on id.
//
// Each export is created, enqueued (a full queue, 1029 "too many jobs", is waited out, 30 s at
// a time for up to an hour), polled (5 s, slowing to 60 s) until Completed, then downloaded in
// ranged requests of 8 MiB (206 answers), its size and sha256 checksum verified (downloaded
// again up to three times on a mismatch), and stripped of carriage returns and NUL bytes, which
// Marketo's files carry. A Completed export whose file answers 404 is created again (three
// times at most). An export left unfinished by an error or a cancellation is canceled.
//
// # Activities and the lead lifecycle: date-based paging tokens
//
// The types (activity_type_ids, or every type of types.json) are read in groups of at most ten,
// by id. Each group mints a paging token at its types' earliest cursor (start_date on the first
// read) and pages activities.json while moreResult is true. Marketo scans a fixed number of
// activities of all types per call and then filters, so pages can be empty while moreResult is
// true; they are paged through (an unchanged token on 100 empty pages in a row is an error).
// Each page moves the group's types to the page's latest activityDate minus lookback, and its
// rows join the next batch: a batch is emitted once it holds 5,000 rows (and before an error is
// returned, so that a spent quota keeps what was read), with the cursor after its last page;
// when the group is done, its types move to the latest activityDate it saw (or the read's start
// when it saw none) minus lookback. While a page's rows are converted and emitted, the next page
// is already requested (one request at a time; the Read still emits in order and returns only
// when that request is done). The cursor is JSON: per type id, the time from which the next
// read asks for a token. Activities that Marketo records late, dated more than lookback before
// the latest activity already read, are missed; activities are purged by Marketo after a while,
// so old windows can shrink between runs.
//
// lead_lifecycle reads the same way the types named (case-insensitively) Change Data Value —
// only changes of mql.lead_status_field (the field's display name, as primary attribute) —,
// Change Score, Change Status in Progression, and Change Revenue Stage (and …Manually). new_value
// and old_value are the New/Old Value, Status or Stage attribute; is_mql is true when:
//
//   - Change Data Value: new_value is one of lead_status_values;
//   - Change Score of score_field: score_threshold > 0 and the score crosses it (old below,
//     new at or above);
//   - Change Status in Progression: new_value is one of program_statuses;
//   - Change Revenue Stage: new_value is one of revenue_stages.
//
// Values compare case-insensitively. A lead's MQL date is min(changed_at) where is_mql.
//
// # Requests, limits and errors
//
// One token serves every stream of the source: it comes from GET /identity/oauth/token (client
// credentials in the query, so errors name the path only), is sent as "Authorization: Bearer",
// and is renewed 15 s before it expires (a token returned with less life than that is used until
// it expires). Requests wait on a limiter of requests_per_20s (none when it is 0) and a semaphore
// of max_concurrency. Marketo answers errors with HTTP 200 and {"success":false,"errors":[…]}:
//
//	600, 601, 602        re-authenticate and send again
//	502, 604, 606, 608,  retry with exponential backoff (1 s doubling to 30 s, with jitter), as
//	611, 615, 713        are HTTP 429 and 5xx and bodies cut short
//	607                  stop cleanly with a *QuotaError (errors.Is ErrDailyQuota) saying the quota
//	                     resets at midnight US Central; batches emitted before keep their cursors
//	603                  fail with an *APIError matching ErrAccessDenied (a configuration problem)
//	1029                 wait for the queue, or — the daily export quota — fall back to REST
//	                     (use_bulk auto) or fail with ErrExportQuota (always)
//	1035                 fall back to createdAt exports or REST (see above)
//
// At the first call and every 250 calls after, stats/usage.json is read: once today's
// calls reach daily_quota_stop_fraction × daily_quota, the read stops with a *QuotaError. A GET
// whose URL would pass 7,000 characters goes as a POST with _method=GET and the query in a form
// body (Marketo answers 414 past 8 KB). A read canceled through its context returns ctx.Err().
package marketo
