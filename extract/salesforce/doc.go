// Package salesforce is the "salesforce" source: it extracts sObjects (Account, Contact,
// Opportunity, …) from a Salesforce org through the REST API (query and queryAll), switching to
// Bulk API 2.0 for large windows, incrementally on SystemModstamp, with soft and hard deletes.
// Package fake (extract/salesforce/fake) is a faithful in-memory org for tests and demos; the
// login URL is the only difference between the two.
//
// # Configuration
//
//	sources:
//	  - name: crm
//	    type: salesforce
//	    login_url: https://acme.my.salesforce.com  # default https://login.salesforce.com; My Domain for client_credentials
//	    api_version: v62.0                       # default v62.0
//	    auth:
//	      grant: client_credentials              # client_credentials | refresh_token | jwt
//	      client_id: ${SF_CLIENT_ID}
//	      client_secret: ${SF_CLIENT_SECRET}     # client_credentials; optional for refresh_token
//	      # refresh_token: ${SF_REFRESH_TOKEN}   # refresh_token
//	      # username: etl@acme.com               # jwt: the subject (a pre-authorized user)
//	      # private_key: ${file:secrets/sf.pem}  # jwt: PEM RSA key (PKCS#1 or PKCS#8), RS256
//	      # audience: https://login.salesforce.com  # jwt: default from login_url
//	    objects: [Account, Contact, Lead, Opportunity, OpportunityHistory, OpportunityLineItem,
//	              User, Task, Event, OpportunityStage]   # the default set; custom objects (X__c) too
//	    exclude_fields: {Account: [Big_Notes__c]}  # optional, per object
//	    page_size: 2000            # Sforce-Query-Options batchSize hint, 200..2000
//	    bulk: auto                 # auto | off | always
//	    bulk_threshold: 100000     # auto: Bulk API 2.0 when a window holds more records
//	    bulk_max_records: 0        # maxRecords per Bulk result page; 0: Salesforce chooses
//	    bulk_poll_interval: 2s
//	    bulk_timeout: 1h
//	    safety_lag: 2m             # each window ends this long before now
//	    lookback: 5m               # each run re-reads this long before its cursor
//	    requests_per_second: 0     # client-side spacing; 0: none
//	    api_reserve: 0             # stop cleanly when fewer daily API requests remain
//	    reconcile_deletes: true    # getDeleted each run (records purged or hard-deleted)
//	    timeout: 2m                # one HTTP request
//	    max_attempts: 8            # sends of one request on retryable failures
//	    mode: api                  # api (default) | files: read CSV exports instead (below)
//	    # files:                   # mode files only
//	    #   dir: exports/salesforce          # required
//	    #   pattern: "{object}.csv"          # default: Account.csv, Renewal__c.csv
//	    #   paths: {Account: accounts-2026-01-05.csv}   # per-object override, relative to dir
//	    #   describe_dir: describe           # optional: <Object>.json saved from sobjects/X/describe
//
// Credentials are [yamlx.Secret] values, written as ${ENV_VAR} or ${file:PATH} references; they
// never appear in logs or errors. New validates everything (each problem names its key) and
// does no network I/O. The token endpoint's instance_url, not login_url, receives every API
// call; there is no expires_in, so a 401 INVALID_SESSION_ID triggers a new login.
//
// # Streams and columns
//
// One stream per object, named by [SnakeCase] (OpportunityLineItem → opportunity_line_item),
// primary key id, cursor field system_modstamp, and deleted field is_deleted for objects that
// have IsDeleted (not User, OpportunityStage and a few other setup objects; the stream has no
// deleted field then). Streams does no I/O: the schema comes from describe at read time, so
// custom fields appear as soon as they exist and the SELECT list never names a field the
// object lacks.
//
// Columns are the describe fields, named by SnakeCase (AnnualRevenue → annual_revenue,
// Pricebook2Id → pricebook2_id, Renewal_Date__c → renewal_date__c; when two fields collide the
// later one keeps its lower-cased API name), typed by [ArrowType]: text-like types (id,
// reference, string, picklist, multipicklist, textarea, email, phone, url, time, …) → string;
// boolean → bool; int, long → int64; double, percent → float64; currency → decimal128 with
// describe's precision and scale (18,2 when unusable); date → date32; datetime →
// timestamp[us, UTC]. Compound address and location fields are left out (their components are
// fields of their own), and so are base64 fields. Each Arrow field's metadata keeps
// salesforce_name and salesforce_type.
//
// # Incremental reads
//
// A cursor is JSON: {"v":1,"object":"Account","field":"SystemModstamp","ts":…,"id":…,
// "deleted_until":…}. (ts, id) is a keyset position: every record ordered at or before it by
// (SystemModstamp, Id) has been emitted. A read covers [cursor − lookback, now − safety_lag)
// (everything below now − safety_lag on the first read, a full extract), with
//
//	SELECT <describe fields> FROM X
//	WHERE (SystemModstamp > ts OR (SystemModstamp = ts AND Id > 'id')) AND SystemModstamp < hi
//	ORDER BY SystemModstamp ASC, Id ASC
//
// through queryAll (query for objects without IsDeleted), following nextRecordsUrl verbatim
// and emitting a batch per page, each with the cursor reached so far. The next page is fetched
// while the current one is decoded and emitted (one page ahead, never more), and records are
// read from the JSON straight into the Arrow columns. Thousands of records may
// share one stamp: the Id tie-break resumes exactly between them. A record updated while its
// window is paged moves above the window's end; the page shows its new values, the cursor only
// advances over records still stamped inside the window (so it never passes a record not yet
// emitted), and the next window reads it again. A record whose commit lags its stamp is caught
// by safety_lag (if it lags less) or lookback (if its stamp falls below the cursor by less).
// The last batch carries the window's end, now − safety_lag. Re-reading is harmless: the loader
// merges on id.
//
// A QUERY_TIMEOUT halves the window (and the window doubles again after each success); a
// one-second window that still times out is read through Bulk (an error with bulk: off). With
// bulk: auto, a window whose first page reports more than bulk_threshold records continues
// through a Bulk API 2.0 queryAll job: it is polled until JobComplete, its CSV result pages are
// read by Sforce-Locator until "null" (a failed page is requested again), and their batches
// carry the cursor from before the job (Bulk results are unordered) until the window is done.
// A job that fails, or an object Bulk refuses, falls back to REST. An expired query locator
// (INVALID_QUERY_LOCATOR) restarts the window after the last record emitted.
//
// # Deletes
//
// Soft-deleted records arrive from queryAll with is_deleted true and their data. Records
// removed from the recycle bin (emptied, or after 15 days) or hard-deleted before a read saw
// them deleted are reconciled through getDeleted (sobjects/X/deleted) from deleted_until: each
// one not otherwise seen by the read is emitted as a tombstone (id, is_deleted true,
// system_modstamp the deletion time, other columns null). When the org's delete log no longer
// reaches back to deleted_until (earliestDateAvailable is later, or more than 29 days passed),
// the read still emits its records, then returns a *ResyncError ([ErrResync]): run a full
// refresh of the stream.
//
// # Errors
//
// Retried with exponential backoff and full jitter, honouring Retry-After (package httpretry):
// network errors, bodies cut short, 406, 420, 429, 5xx (HTML or empty bodies included) and 403
// REQUEST_LIMIT_EXCEEDED for concurrent long-running requests. A 401 logs in again and
// resends the same request (the same nextRecordsUrl). These stop a read, after the batches
// already emitted (their cursors cover them):
//
//   - *LimitError ([ErrRequestLimit]): 403 REQUEST_LIMIT_EXCEEDED "TotalRequests" (the org's
//     24-hour limit) or api_reserve reached; not retried;
//   - *AuthError: the token endpoint refused the credentials (Salesforce's error and
//     error_description, never the credentials);
//   - *APIError: any other API error (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
//     API_DISABLED_FOR_ORG, INSUFFICIENT_ACCESS, …), with its errorCode;
//   - *ResyncError ([ErrResync]), above; a cursor that does not parse, or was written for
//     another object or cursor field, asks for a full refresh;
//   - retries exhausted (httpretry.ErrExhausted), ctx.Err() when ctx ends, and emit's own
//     error, returned unchanged.
//
// # Backfills from CSV exports (mode: files)
//
// With mode: files the same streams are read from one CSV export per object instead of the API
// (auth is then optional, and no request is sent): a Data Loader export (upper-case API names
// as headers, ID,NAME,SYSTEMMODSTAMP,ISDELETED; "Export All" includes recycle-bin rows) or Bulk
// API 2.0 query results saved to disk (exact-case API names). Values are read by the same
// parsers as Bulk results: an empty field is null, datetimes are 2026-01-05T14:30:00.000Z (or
// the REST +0000 form), dates 2026-01-05, booleans true/false; a UTF-8 BOM and NUL bytes are
// dropped; relationship columns (Account.Name) are skipped; exclude_fields applies.
//
// Columns and types: with describe_dir, each object's saved describe (<describe_dir>/X.json,
// the body of GET sobjects/X/describe) gives exactly the columns, names and Arrow types an API
// read gives; columns the file lacks are null. Without it, the header gives the columns and a
// built-in map of the standard fields of the default objects gives their describe types
// (matched ignoring case, so SYSTEMMODSTAMP → system_modstamp timestamp); any other field,
// custom __c fields included, loads as a string, named by SnakeCase when the header has the
// API name's case, else lower-cased (CUSTOMERTIER__C → customertier__c, where an API read
// gives customer_tier__c): save the describe when custom fields need their types or names.
// A file without IsDeleted (a plain "Export") marks every row live.
//
// The export must have Id and the cursor field (SystemModstamp, else LastModifiedDate, else
// CreatedDate). Its rows are unordered, so batches carry the saved cursor until the last,
// which carries the greatest (stamp, Id) in the file, with deleted_until at the next whole
// minute: switching the source back to mode api (same stream, same cursor) continues exactly
// where the export ends, and getDeleted reconciles deletions from there (records hard-deleted
// within that minute after the export can be missed; the default lookback re-reads them if
// they were soft-deleted first). Exports older than 29 days end the first API read with
// ErrResync, as any cursor that old does. Bad input stops the read with an error naming the
// file, the line and the column (e.g. Account.csv: line 3, column 4 (ISDELETED): "maybe" is
// not a boolean). Count counts the file's rows whose IsDeleted is not true.
//
// Not implemented: splitting very wide SELECT lists across queries (use exclude_fields), parent relationship
// fields. The reader's clock (extract.Config.Now) must not run ahead of Salesforce's by more
// than safety_lag.
package salesforce
