// Package fake is a faithful, stateful, in-memory fake of the HubSpot CRM API for tests and for
// `revops demo`. It serves, over HTTP (an http.Handler; tests use httptest on loopback):
//
//	GET  /crm/v3/objects/{type}                    list: limit ≤ 100 (≤ 50 with propertiesWithHistory),
//	                                               after, properties, propertiesWithHistory,
//	                                               associations, archived=true (only archived records)
//	GET  /crm/v3/objects/{type}/{id}               one record
//	POST /crm/v3/objects/{type}/search             search: filterGroups, one sort, properties,
//	                                               limit ≤ 200, after (an offset), 10,000-result cap
//	POST /crm/v3/objects/{type}/batch/read         ≤ 100 ids, properties, propertiesWithHistory
//	GET  /crm/v3/properties/{type}                 property definitions
//	GET  /crm/v3/pipelines/deals                   deal pipelines with their stages
//	GET  /crm/v3/owners                            owners: limit ≤ 500, after, archived, email
//	GET  /crm/v4/objects/{type}/{id}/associations/{toType}
//	POST /crm/v4/associations/{type}/{toType}/batch/read
//	POST /oauth/v1/token                           grant_type=refresh_token, client_id, client_secret,
//	                                               refresh_token (form) → access_token, expires_in
//
// The date-versioned paths HubSpot now documents (/crm/objects/2026-03/{type}, …/search,
// …/batch/read, …/{id}) serve the same objects as /crm/v3/objects.
//
// Object types are contacts (0-1), companies (0-2), deals (0-3), calls (0-48), emails (0-49),
// meetings (0-47), notes (0-46) and tasks (0-27). Contacts carry their last-modified time in
// lastmodifieddate, every other type in hs_lastmodifieddate; a filter on a property a type does
// not have is HubSpot's 400 VALIDATION_ERROR, so the classic contacts/hs_lastmodifieddate bug
// fails loudly.
//
// What it reproduces: OAuth public apps (Options.OAuthApps, AddOAuthApp): the token endpoint
// issues access tokens that expire after Options.AccessTokenTTL on the fake clock (or at once
// through POST /__fake/tokens/expire) and refuses an unknown client id, a wrong client secret
// or an unknown or revoked refresh token with 400 {"status":"BAD_CLIENT_ID" |
// "BAD_CLIENT_SECRET" | "BAD_REFRESH_TOKEN","message":…} [I]; the private-app bearer token (a missing, unknown or revoked token is 401
// INVALID_AUTHENTICATION, an expired OAuth token 401 EXPIRED_AUTHENTICATION, with HubSpot's
// bodies); property values as strings or null; paging.next.link built from the request's own
// host; archived records only through archived=true; the search index lag (Options.SearchLag:
// until then search shows a record's previous version); the 10,000-result search cap; an
// unspecified order among search results that tie on the sort property; the search limit
// (5 requests per second → 429 SECONDLY, without rate headers); the rolling ten-second and
// daily limits (429 TEN_SECONDLY_ROLLING / DAILY, X-HubSpot-RateLimit-* headers, Retry-After
// only when Options.RetryAfter is set); property history (propertiesWithHistory), which the
// fake keeps for every property; and, through fakeapi, injected 429s, 5xx, slow, hanging and
// truncated responses.
//
// The Go API seeds and mutates data (Put, Update, UpdateAt, Touch, Archive, Restore,
// Associate, PutOwners, ArchiveOwner, SetPipelines, IssueOAuthToken, RevokeToken), installs
// a hook called before each API request (SetHook: mutations between pages), changes the limits
// (SetSearchLag, SetRetryAfter, SetLimits), and reads the ground truth (Truth, IDs,
// Associations, Owners, Searches). The same operations are served under /__fake/hubspot/ (see adminRoutes), next to
// fakeapi's /__fake/ endpoints (faults, clock, stats).
//
// Facts tagged [I] in the spec (the text of the 10,000-cap error, association type ids, the
// 207 for ids without associations, the 50-record page with history) are the fake's best
// reading; each is in one place in the code.
package fake
