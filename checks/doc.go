// Package checks is revops' data-quality engine: the check kinds declared in YAML next to
// sources and models, their strict decoding (Parse), a runner that evaluates them against the
// warehouse with as few table scans as possible (Runner), their results (Result, Summary,
// Outcome) and their history in the warehouse (EnsureHistory, SaveResults).
//
// # Declaring checks
//
// Checks are listed under a source table, a model, or one of their columns:
//
//	models:
//	  - name: dim_opportunity
//	    checks:                                   # table-level
//	      - row_count: {min: 1}
//	      - freshness: {column: updated_at, warn_after: 24h, error_after: 2d}
//	    columns:
//	      - name: opportunity_id
//	        checks: [not_null, unique]
//	      - name: stage_name
//	        checks:
//	          - accepted_values: {values: [Prospecting, Proposal, Closed Won, Closed Lost], severity: warn}
//	      - name: amount
//	        checks:
//	          - not_null_from_stage: {stage_column: stage_name, stages: [Prospecting, Proposal, Negotiation, Closed Won], from: Proposal, error_if: "> 5%"}
//
// An entry is a kind name (not_null), or a mapping with one key, the kind, holding its
// arguments (accepted_values: {values: [a, b]}); unique, "unique:" and "unique: {}" are the
// same. dbt's forms are accepted too: the arguments under arguments:, and severity,
// warn_if, error_if, where, tags and limit under config:. Keys are decoded strictly: an
// unknown key, a wrong type or a missing argument is an error naming file:line:column, with a
// suggestion ("unknown key "valuez" (did you mean "values"?)").
//
// Keys every kind accepts:
//
//   - name: the check's ID (must be unique in the project); default kind.target[.column][.hash]
//     where hash is 8 hex digits of the arguments and where filter, absent without them.
//   - description, tags: for people and selection.
//   - severity: error (default) or warn. A met error condition fails an error-severity check
//     (status fail: exit code 1, and a build skips the target's dependents); with severity warn
//     it only warns.
//   - warn_if, error_if: conditions on the observed value: an operator (> >= < <= == !=) and a
//     number, optionally with %, which compares the rate (the observed count as a percent of the
//     kind's denominator) instead of the count: "> 0", ">= 5", "> 2%", "< 10 or > 90".
//     Defaults: each kind has a failure condition (most: > 0) used as error_if when neither is
//     given; with only error_if, the failure condition becomes warn_if (as in dbt: "error above
//     5%, warn on any"); with only warn_if, the check never errors. Kinds without a rate reject
//     percent thresholds.
//   - where: a SQL filter on the target's rows, used as written.
//   - sample: how many failing rows to keep (default 5, 0 = none). Samples show the target's key
//     columns only (the check's own columns when the target has none), ordered by them, so they
//     are stable and no other values (secrets) leak into artifacts. Exceptions, by design: a sql
//     check shows what its query returns when that lacks the key columns, and reconciliations
//     show the compared measures beside the keys.
//   - column: for a column kind declared at table level, the column it checks.
//
// In SQL written in a check (sql, reconcile's left and right), {{ ref('model') }},
// {{ source('src', 'table') }} and {{ this }} name relations; the relations a check reads are in
// Spec.DependsOn, so the DAG runs it after them.
//
// # Kinds
//
// Column kinds (declared under a column, or with column:):
//
//   - not_null: observed = NULL rows; rate = percent of rows. Default: error if > 0.
//   - unique: observed = non-NULL rows repeating an earlier row's value (count − count distinct;
//     NULLs are not duplicates); rate = percent of rows. Default: error if > 0. The sample lists
//     every row holding a repeated value.
//   - accepted_values: values (list, required), quote (default true: compare as text; false:
//     numbers and booleans compared as such). Observed = non-NULL rows with another value.
//   - range (alias accepted_range): min and/or max (numbers, or text such as dates), inclusive
//     (default true). Observed = non-NULL rows outside the range.
//   - regex: pattern (RE2, matched anywhere in the value; anchor with ^ and $). Observed =
//     non-NULL rows whose text does not match.
//   - relationships: to (ref('…') or source('…', '…'), required), field (default: the column's
//     name). Observed = non-NULL rows whose value is not in to.field.
//   - not_null_from_stage: stage_column, stages (ordered list), from (a stage of the list).
//     Rows at stage from or later must have the column; observed = such rows where it is NULL;
//     rate = percent of those rows ("amount and close_date required from Proposal on").
//   - duplicate_rate: columns (default: the column declared under), normalize (email | domain
//     | name | none). Observed = percent of rows in a duplicate cluster (rows sharing a
//     normalized key) — revops-kpis.md's duplicate rate; " Acme.com", "acme.com" and
//     "https://www.acme.com/" are one domain; "J.Doe+crm@Gmail.com" and "jdoe@googlemail.com"
//     one e-mail; "Acme, Inc." and "ACME" one name. Default: error if > 0.
//
// Table kinds:
//
//   - row_count: min and/or max. Observed = rows. Default: error if < min or > max (with
//     neither, if < 1).
//   - unique_combination (alias unique_combination_of_columns): columns. Observed = rows
//     repeating an earlier row's combination (NULLs equal, as in GROUP BY).
//   - freshness: column (a timestamp or date; or declared under it) or source: extract (the
//     end of the stream's last successful extract, from _revops.run_streams); time_zone;
//     warn_after / error_after ("90m", "24h", "2d", "3 business days", or dbt's {count: 12,
//     period: hour}); calendar: {weekdays: [mon, tue, wed, thu, fri], holidays: [2026-12-25]}.
//     Observed = the age of the newest value in hours, or in business days when the thresholds
//     are (only business days count, each by the part of it that elapsed; DST-correct).
//     Defaults: warn/error when older than warn_after/error_after; an empty table is infinitely
//     old. Deadline form: deadline: {business_day: 3, after: month_end | quarter_end | year_end,
//     fiscal_year_start_month: 1-12, expect: period_end | period_start} — the latest period
//     whose deadline (the end of the N-th business day on or after the period's end, in
//     time_zone) has passed must be covered: the newest value at or after the period's end
//     (period_end, default: the next period's rows have arrived, so the closed one is complete)
//     or at or after its start (period_start: for one row per period keyed by its first day).
//     Observed = business days past the deadline while uncovered, else 0; default: error if > 0.
//   - volume_anomaly: column, time_zone, bucket (day), seasonality (day_of_week, default |
//     day_of_month | none), lookback (history buckets, default 8), min_history (default 4),
//     method (percent, default | zscore). Only complete buckets count: the last is yesterday in
//     time_zone. Observed = |rows − mean of the same season's history| in percent of the mean,
//     or in standard deviations (floored at 1 row); history before the table's first day does
//     not count, and with less than min_history buckets the check is skipped. Defaults: percent
//     warn if > 25, error if > 50; zscore warn if > 2, error if > 3.
//   - reconcile: left and right (SQL), on (key columns; none = compare totals), measures,
//     tolerance: {absolute, percent} (either suffices; default exact). Each side is summed per
//     key; a missing key is 0. Observed = keys out of tolerance; rate = percent of keys. The
//     sample shows the keys and left_/right_ measures.
//   - arr_rollforward: the waterfall identity of revenue-models.md §5 on an ARR waterfall model
//     (the target, or model: ref('…')): starting + new + expansion + reactivation +
//     contraction + churned (+ fx_adjustment) = ending, and each month's starting = the previous month's
//     ending with no month missing. columns: {month, starting, new, expansion, reactivation,
//     contraction, churned, fx_adjustment, ending} (defaults date_month, starting_arr, new_arr,
//     expansion_arr, reactivation_arr, contraction_arr, churned_arr, none, ending_arr),
//     partition_by, signed (default true: contraction and churned stored ≤ 0), tolerance
//     (default 0.01). Observed = months that do not tie.
//   - bookings_vs_billing: CRM bookings vs billing new + expansion ARR per account, within
//     lag_months (default 2) of each booking month: bookings (default the target), billing
//     (required), months (default 12), booking_types (default [new_business, expansion]),
//     tolerance, bookings_columns {account, date, arr, type}, billing_columns {account, month,
//     new, expansion, multiplier: 12}. Observed = account-months out of tolerance.
//   - extract_totals (sources): the rows loaded vs the latest total the connector recorded in
//     _revops.source_totals (RecordSourceTotal). Observed = |loaded − total|; rate = percent of
//     the total ("> 0.5%" as a tolerance). Without a recorded total it is not evaluated.
//   - sql: query (or the value itself): returns the violating rows. Observed = their count.
//
// # Time zones
//
// A TIMESTAMPTZ column holds instants. A naive TIMESTAMP or a DATE column is read as local time
// in the check's time_zone, else the target's; a local time that occurs twice (clocks falling
// back) is read as the later, standard-time instant. A naive column without a declared zone is
// not evaluated — the error says what to declare; revops never assumes UTC. "Now" is
// Runner.Now.
//
// # Running
//
// Runner.Run evaluates specs and returns one Result per spec in input order; a check that
// cannot be evaluated (a missing column, a query error) is a Result with Status error, never a
// runner error. With Fuse (the CLI's default) the aggregate checks of one relation — not_null,
// unique, accepted_values, range, regex, not_null_from_stage, row_count, unique_combination,
// freshness of a column — are computed together: one aggregate query with all their measures
// (count_if(…) per predicate, count(col), max(col) …), one more for the count(DISTINCT …)
// measures if any, run side by side, then one query picking the sample rows of every check of
// the relation that did not pass. A query error in a fused scan re-runs its checks one by one,
// so the error lands on the check that caused it. The other kinds run their own queries, in
// parallel up to Runner.Parallelism. Without Fuse each check runs its own queries (as dbt tests
// and Soda checks do); the results are identical apart from SQL and timing (Bench verifies it).
// Each Result lists every query that computed it, the fused ones included; ElapsedSeconds of a
// fused check is the time of its shared scan plus its own queries.
//
// On the embedded DuckDB warehouse fusion saves little time: DuckDB scans only the columns a
// query names and a query costs about a millisecond to start, so the cost of a check is its
// per-row work (hashing for count(DISTINCT), regular expressions), which fusing does not share.
// It issues 6 queries instead of 40 for Bench's 30 checks, which is what counts on warehouses
// that charge per query or per bytes scanned.
//
// # Results and exit codes
//
// Statuses: pass; warn; fail (an error-severity condition met); error (not evaluated);
// skipped (not run: not enough history, or an upstream model failed — SkippedResult).
// Outcome maps results to the exit-code contract: 1 if any check failed, else 3 if any could
// not be evaluated, else 2 if any warned and --warn-error was given, else 0. A failure wins over
// an evaluation error because it is a confirmed data problem someone must act on; the reason
// names both. Summary prints a table and a line counting the statuses and naming the checks
// that failed, warned or were not evaluated.
//
// # History
//
// EnsureHistory creates _revops.check_results (one row per check per run: run_id, check_id,
// name, kind, target, column_name, severity, status, observed, observed_rate, failing_rows,
// threshold, message, error, checked_at, elapsed_seconds) and _revops.source_totals (source,
// stream, total, observed_at: the totals connectors read from source APIs, for
// extract_totals). SaveResults appends a run's results.
//
// # Engines
//
// Identifiers and literals go through the warehouse Dialect; only user-written SQL (sql,
// reconcile sides, where) is used as written. The few engine functions (count_if, FILTER,
// struct_pack, regexp_matches, timezone) are DuckDB's; on another engine every check is
// reported as not evaluated until its functions are added.
package checks
