// Package hubspot is the HubSpot CRM source: companies, contacts, deals, owners, deal pipeline
// stages, deal stage and property history and engagements, read through HubSpot's CRM v3/v4 APIs with a
// private-app token or an OAuth public app's refresh token, and emitted as Arrow record batches. Its fake, for tests and the demo, is
// package hubspot/fake.
//
// # Configuration
//
//	sources:
//	  - name: crm
//	    type: hubspot
//	    token: ${HUBSPOT_TOKEN}          # a private app's access token (${ENV} or ${file:PATH}), or:
//	    # auth:                          # an OAuth public app installed in the portal (not with token)
//	    #   grant: refresh_token         # required; the only grant
//	    #   client_id: ${HUBSPOT_CLIENT_ID}
//	    #   client_secret: ${HUBSPOT_CLIENT_SECRET}
//	    #   refresh_token: ${file:secrets/hubspot_refresh_token}
//	    base_url: https://api.hubapi.com # default; http is accepted only on a loopback host (a fake)
//	    objects: [companies, contacts, deals, owners, deal_pipeline_stages, deal_stage_history,
//	              deal_property_history, engagements]
//	    engagement_types: [calls, emails, meetings]  # default; also notes, tasks
//	    properties:                      # extra properties to read, into _extra; "all" reads every one
//	      deals: [hs_date_entered_closedwon, my_custom_score]
//	      contacts: all
//	    page_size: 200                   # search page size, 1–200 (list pages are at most 100)
//	    lookback: 5m                     # each incremental window starts this long before the last
//	    index_lag: 1m                    # each window ends this long before now
//	    requests_per_second: 9           # 1–19: at most 10·n+1 requests in any 10 s; 0: no
//	                                     # client-side pacing (a proxy that paces, or a fake)
//	    search_requests_per_second: 4    # 1–4: at most n+1 searches in any second
//	    timeout: 60s                     # per HTTP request
//
// objects lists streams (default: all of them). New validates everything, naming the key of each
// problem, and does no network I/O. Exactly one of token and auth is set. The token and the auth
// values are yamlx.Secrets: they are never logged, printed or put in an error.
//
// With auth, the source gets access tokens from POST {base_url}/oauth/v1/token (grant_type
// refresh_token, client_id, client_secret, refresh_token; form-encoded) on the first request,
// keeps each for its expires_in (1800 s) less a margin (a quarter of it, at most 5 minutes), and
// gets a new one before that passes (on the source's clock) and when HubSpot answers 401 to
// it (revoked or expired early): the request is resent once with the new token; a second 401
// fails the read. Concurrent reads share one token and one refresh. A refresh token that
// HubSpot refuses (400 BAD_REFRESH_TOKEN, BAD_CLIENT_ID, …: wrong, revoked, or the app
// uninstalled) fails the read with an error wrapping ErrUnauthorized that quotes HubSpot's
// status and message, never a credential; 429 and 5xx from the token endpoint are retried. A
// new refresh_token in the answer replaces the configured one for the process's life (HubSpot
// sends the same one back).
//
// # Streams
//
// Column names are HubSpot's property names (lower-case snake case already), except: id (the
// record id), owner_id (hubspot_owner_id), created_at (createdate, or hs_createdate for
// engagements), updated_at (the last-modified property). Property values, strings in HubSpot's
// API, are converted by declared type: datetimes to timestamp[us, UTC] (ISO 8601, dates and
// epoch milliseconds are read), money to decimal(18,2) (rounded half away from zero), other
// numbers to float64, booleans to bool, enumerations stay strings. A value that does not
// convert fails the read, naming the record, the column and the value. Properties that no column
// takes (those asked for with properties) go to _extra, a JSON object (the arrow.json
// extension, a JSON column in DuckDB); null when there are none.
//
//	companies      key id; name, domain, industry, type, country, city, state, numberofemployees,
//	               annualrevenue (decimal), lifecyclestage, owner_id, parent_company_id
//	contacts       key id; email, firstname, lastname, jobtitle, lifecyclestage, hs_lead_status,
//	               owner_id, associatedcompanyid, company_id, hs_analytics_source,
//	               hs_analytics_first_timestamp, country, hs_lifecyclestage_{stage}_date for the
//	               eight default lifecycle stages (the funnel's date-entered properties)
//	deals          key id; dealname, amount and amount_in_home_currency (decimal),
//	               deal_currency_code, closedate, dealstage, pipeline, dealtype, hs_is_closed,
//	               hs_is_closed_won, hs_deal_stage_probability, hs_forecast_probability,
//	               closed_lost_reason, owner_id, company_id
//	engagements    key (engagement_type, id); engagement_type (call, email, meeting, note, task),
//	               occurred_at (hs_timestamp), owner_id, title, direction, status, contact_id,
//	               company_id, deal_id — first touch is min(occurred_at) per contact
//
// Each of these ends with created_at, updated_at (the cursor field), archived (the deleted
// field: the loader keeps archived rows as soft deletes), archived_at and _extra. company_id,
// contact_id and deal_id come from the v4 associations API: the association labeled Primary,
// else the smallest id.
//
//	deal_stage_history    key (deal_id, changed_at, stage); one row per change of a deal's
//	                      dealstage (propertiesWithHistory): source_type, source_id,
//	                      updated_by_user_id, deal_updated_at (the cursor field)
//	deal_property_history key (deal_id, property, changed_at); one row per change of a deal's
//	                      dealstage, amount or closedate (propertiesWithHistory): value (the
//	                      property's text as HubSpot records it: a decimal for amount, ISO 8601
//	                      or epoch milliseconds for closedate; null when the change cleared
//	                      it), source_type, source_id, updated_by_user_id, deal_updated_at (the
//	                      cursor field). Of a property's changes sharing a millisecond, the
//	                      newest is kept. With it, a deal's stage, amount and close date can be
//	                      rebuilt as of any instant (the pipeline snapshots of the CRM staging)
//	owners                key id, replaced on every read; active and archived (deactivated)
//	                      owners: email, first_name, last_name, user_id, type, team_id and
//	                      team_name (the primary team), created_at, updated_at, archived, _extra
//	deal_pipeline_stages  key (pipeline_id, stage_id), replaced on every read; pipeline_label,
//	                      pipeline_display_order, pipeline_archived, stage_label, display_order,
//	                      probability (float64, from the metadata string), is_closed, archived,
//	                      created_at, updated_at, _extra
//
// # Incremental reads, archives and the cursor
//
// The first read of an object type is a full read through the list API (after paging), then
// every archived record (archived=true). Later reads are windows: a search for records whose
// last-modified property (lastmodifieddate for contacts, hs_lastmodifieddate for every other
// type) lies between the last watermark minus lookback and now minus index_lag, then the
// archived records whose archivedAt falls in the window. Search never returns archived records;
// they arrive with archived = true.
//
// Search paging is by keyset, not by offset: each request starts at offset 0 from the last
// modified time read, so no query reaches HubSpot's 10,000-result cap, and records that change
// between pages cannot shift a page over a record. A full page holds back its last modified
// time (its ties may continue past the page); a full page of one modified time switches to
// paging by hs_object_id within it, so any number of records sharing a timestamp (a portal-wide
// batch update) is read without looping. HubSpot allows one sort rule, so ties are never assumed
// to come in id order.
//
// index_lag covers search's indexing delay (a change is searchable "a few moments" after it is
// made) and lookback re-reads the end of the previous window, for late commits and clock skew;
// rows read twice are merged by the loader on the primary key.
//
// Pages are emitted in batches of whole pages, about 2,000 rows each (a batch costs the loader
// as much as thousands of rows, and pages hold at most 200), each batch with the cursor reached
// after its last page; a read that fails first emits the pages it has converted. A cursor never
// points past a record not yet emitted: a read killed at any point and restarted from the last
// loaded cursor completes the window it was in, then reads a new one. The cursor is JSON,
// versioned; an unknown version asks for a full refresh. An empty read still ends with one
// (empty) Final batch carrying the cursor. List pages are fetched one ahead: the next page is
// on its way while the current one's associations are read and its rows converted.
//
// Limits: association changes do not always move a record's last-modified time in HubSpot;
// such a change reaches company_id on the record's next change or a full refresh. Archived rows
// carry no association columns. The history of an archived deal stays as last read.
// deal_stage_history and deal_property_history are read the same way (a deal's modified time
// is their cursor; ids by list or search, then batch reads of 50 deals with
// propertiesWithHistory: one request per 50 changed deals, whatever the number of properties),
// but each stream makes its own requests: a project that needs only one can list it alone.
// Properties that do not fit a search request (3,000 characters) or a list URL are read by
// batch read after each page.
//
// # Requests, limits and errors
//
// Requests go through internal/httpretry: every request waits on a limiter of
// requests_per_second, searches on one of search_requests_per_second (HubSpot allows five a
// second). A 429 is retried after Retry-After when HubSpot sends one; otherwise after one second
// for the search limit (SECONDLY), after X-HubSpot-RateLimit-Interval-Milliseconds or ten
// seconds for TEN_SECONDLY_ROLLING; a DAILY 429 stops the read with an error wrapping
// ErrDailyLimit. 5xx answers and bodies cut short are retried with exponential backoff and
// jitter (up to eight attempts). A 401 fails at once with an error wrapping ErrUnauthorized
// (with auth: after one refresh of the access token and one resend);
// other errors are APIErrors carrying HubSpot's category, message and correlation id.
package hubspot
