package checks

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/warehouse/duckdb"
)

var oppsTarget = Target{Kind: "model", Name: "opps", Relation: []string{"main", "opps"}, KeyColumns: []string{"id"}}

var testNow = time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)

// oppsFixture plants violations in 10 opportunities (ids 1-9, with id 9 twice).
func oppsFixture(t *testing.T) *duckdb.Warehouse {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE accounts (id INTEGER, name VARCHAR)`,
		`INSERT INTO accounts SELECT range, 'A' || range FROM range(100, 107) UNION ALL SELECT NULL, 'no id'`,
		`CREATE TABLE opps (id INTEGER, account_id INTEGER, email VARCHAR, stage VARCHAR, amount DECIMAL(18,2),
			close_date DATE, probability INTEGER, website VARCHAR, company VARCHAR)`,
		`INSERT INTO opps VALUES
			(1, 100, 'a@acme.com',         'Prospecting',   NULL, NULL,         10,   'acme.com',              'Acme, Inc.'),
			(2, 100, 'A@Acme.com ',        'Qualification', 500,  NULL,         20,   ' Acme.com',             'ACME'),
			(3, 101, NULL,                 'Proposal',      NULL, '2026-03-01', 50,   'https://www.acme.com/', 'Beta LLC'),
			(4, 102, 'b+x@beta.io',        'Proposal',      1000, NULL,         150,  'beta.io',               'Beta'),
			(5, 103, 'b@beta.io',          'Negotiation',   2000, '2026-04-01', 80,   'gamma.com',             'Gamma'),
			(6, 999, 'not-an-email',       'Closed Won',    3000, '2026-05-01', 100,  NULL,                    NULL),
			(7, 104, NULL,                 'Bogus',         -5,   '2026-06-01', 90,   'delta.com',             'Delta'),
			(8, 104, 'c@delta.com',        'Closed Lost',   10,   NULL,         0,    'delta.com',             'Delta Corp.'),
			(9, 105, 'j.o.e@gmail.com',    'Prospecting',   NULL, NULL,         NULL, 'eps.com',               'Eps'),
			(9, 106, 'joe@googlemail.com', 'Closed Won',    50,   '2026-07-01', 100,  'zeta.com',              'Zeta')`)
	return wh
}

const stages = `[Prospecting, Qualification, Proposal, Negotiation, Closed Won]`

func TestColumnKinds(t *testing.T) {
	wh := oppsFixture(t)
	cases := []struct {
		name, col, yaml string
		want            want
	}{
		{"not_null", "email", `- not_null`,
			want{status: StatusFail, observed: 2, rate: 20, failing: 2, sample: ids(int64(3), int64(7)), text: "2 of 10 rows (20.00%) null"}},
		{"not_null passes", "id", `- not_null`, want{status: StatusPass, observed: 0, rate: 0, failing: 0}},
		{"not_null percent error", "amount", `- not_null: {error_if: "> 25%"}`,
			want{status: StatusFail, observed: 3, rate: 30, failing: 3, sample: ids(int64(1), int64(3), int64(9))}},
		{"not_null percent below error warns", "amount", `- not_null: {error_if: "> 50%"}`,
			want{status: StatusWarn, observed: 3, rate: 30, failing: 3}},
		{"not_null severity warn", "email", `- not_null: {severity: warn}`, want{status: StatusWarn, observed: 2, rate: 20, failing: 2}},
		{"not_null where", "email", `- not_null: {where: "stage <> 'Bogus'"}`,
			want{status: StatusFail, observed: 1, rate: 100.0 / 9, failing: 1, sample: ids(int64(3))}},
		{"not_null sample limit", "amount", `- not_null: {sample: 2}`, want{status: StatusFail, observed: 3, rate: 30, failing: 3, sample: ids(int64(1), int64(3))}},
		{"not_null dbt config", "email", `- not_null: {config: {severity: warn, where: "id > 3"}}`, want{status: StatusWarn, observed: 1, rate: 100.0 / 7, failing: 1}},
		{"unique", "id", `- unique`,
			want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(9), int64(9)), text: "1 of 10 rows (10.00%) repeat another row's id"}},
		{"unique ignores nulls", "email", `- unique`, want{status: StatusPass, observed: 0, rate: 0, failing: 0}},
		{"accepted_values", "stage", `- accepted_values: {values: ` + stages[:len(stages)-1] + `, Closed Lost]}`,
			want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(7))}},
		{"accepted_values numbers", "probability", `- accepted_values: {values: [0, 10, 20, 50, 80, 90, 100], quote: false}`,
			want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(4))}},
		{"accepted_values quoted numbers", "probability", `- accepted_values: {values: [0, 10, 20, 50, 80, 90, 100, 150]}`,
			want{status: StatusPass, observed: 0, rate: 0, failing: 0}},
		{"range", "probability", `- range: {min: 0, max: 100}`,
			want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(4)), text: "outside [0, 100]"}},
		{"accepted_range exclusive", "probability", `- accepted_range: {min: 0, max: 100, inclusive: false}`,
			want{status: StatusFail, observed: 4, rate: 40, failing: 4, sample: ids(int64(4), int64(6), int64(8), int64(9))}},
		{"range min only", "amount", `- range: {min: 0}`, want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(7))}},
		{"range dates", "close_date", `- range: {min: "2026-04-01", max: "2026-06-30"}`,
			want{status: StatusFail, observed: 2, rate: 20, failing: 2, sample: ids(int64(3), int64(9))}},
		{"regex", "email", `- regex: {pattern: '^[^@\s]+@[^@\s]+\.[a-z]+$'}`,
			want{status: StatusFail, observed: 2, rate: 20, failing: 2, sample: ids(int64(2), int64(6))}},
		{"relationships", "account_id", `- relationships: {to: "ref('accounts')", field: id}`,
			want{status: StatusFail, observed: 1, rate: 10, failing: 1, sample: ids(int64(6)), text: "1 of 10 rows (10.00%) have a value of account_id not found in accounts.id"}},
		{"relationships where", "account_id", `- relationships: {to: "ref('accounts')", field: id, where: "stage = 'Closed Won'"}`,
			want{status: StatusFail, observed: 1, rate: 50, failing: 1, sample: ids(int64(6))}},
		{"relationships where passes", "account_id", `- relationships: {to: "ref('accounts')", field: id, where: "id > 6"}`,
			want{status: StatusPass, observed: 0, rate: 0, failing: 0}},
		{"not_null_from_stage amount", "amount", `- not_null_from_stage: {stage_column: stage, stages: ` + stages + `, from: Proposal}`,
			want{status: StatusFail, observed: 1, rate: 20, failing: 1, sample: ids(int64(3)), text: `1 of 5 rows at or beyond stage "Proposal" (20.00%)`}},
		{"not_null_from_stage close_date", "close_date", `- not_null_from_stage: {stage_column: stage, stages: ` + stages + `, from: Negotiation, error_if: "> 50%"}`,
			want{status: StatusPass, observed: 0, rate: 0, failing: 0}},
		{"not_null_from_stage percent", "close_date", `- not_null_from_stage: {stage_column: stage, stages: ` + stages + `, from: Proposal, warn_if: "> 10%", error_if: "> 25%"}`,
			want{status: StatusWarn, observed: 1, rate: 20, failing: 1, sample: ids(int64(4))}},
		{"duplicate_rate email", "email", `- duplicate_rate: {normalize: email}`,
			want{status: StatusFail, observed: 60, rate: 60, failing: 6, sample: ids(int64(1), int64(2), int64(4), int64(5), int64(9)), text: "in 3 duplicate clusters by normalized email"}},
		{"duplicate_rate domain", "website", `- duplicate_rate: {normalize: domain, warn_if: "> 10%", error_if: "> 55%"}`,
			want{status: StatusWarn, observed: 50, rate: 50, failing: 5, sample: ids(int64(1), int64(2), int64(3), int64(7), int64(8)), text: "in 2 duplicate clusters"}},
		{"duplicate_rate name", "company", `- duplicate_rate: {normalize: name, error_if: "> 60"}`,
			want{status: StatusWarn, observed: 60, rate: 60, failing: 6}},
		{"duplicate_rate none", "account_id", `- duplicate_rate`,
			want{status: StatusFail, observed: 40, rate: 40, failing: 4, sample: ids(int64(1), int64(2), int64(7), int64(8))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, wh, testNow, c.yaml, oppsTarget, c.col)
			check(t, r, c.want)
		})
	}
}

func TestTableKinds(t *testing.T) {
	wh := oppsFixture(t)
	cases := []struct {
		name, yaml string
		want       want
	}{
		{"row_count bounds", `- row_count: {min: 5, max: 8}`, want{status: StatusFail, observed: 10, rate: -1, text: "10 rows"}},
		{"row_count ok", `- row_count: {min: 5}`, want{status: StatusPass, observed: 10, rate: -1}},
		{"row_count empty", `- row_count: {where: "id > 100"}`, want{status: StatusFail, observed: 0, rate: -1}},
		{"row_count warn_if", `- row_count: {warn_if: "< 20"}`, want{status: StatusWarn, observed: 10, rate: -1}},
		{"unique_combination", `- unique_combination: {columns: [account_id]}`,
			want{status: StatusFail, observed: 2, rate: 20, failing: 2, sample: ids(int64(1), int64(2), int64(7), int64(8))}},
		{"unique_combination two columns", `- unique_combination_of_columns: {columns: [id, account_id]}`,
			want{status: StatusPass, observed: 0, rate: 0}},
		{"unique_combination nulls equal", `- unique_combination: {columns: [close_date]}`,
			want{status: StatusFail, observed: 4, rate: 40, failing: 4, sample: ids(int64(1), int64(2), int64(4), int64(8), int64(9))}},
		{"not_null at table level", `- not_null: {column: email}`, want{status: StatusFail, observed: 2, rate: 20, failing: 2}},
		{"sql", `- sql: "select id, amount from {{ this }} where amount > 1000"`,
			want{status: StatusFail, observed: 2, rate: -1, failing: 2, sample: ids(int64(5), int64(6)), text: "2 violating rows"}},
		{"sql query key", `- sql: {query: "select id from {{ ref('opps') }} where id > 100"}`, want{status: StatusPass, observed: 0, rate: -1}},
		{"sql without key columns", `- sql: {query: "select email from {{ this }} where stage = 'Bogus' or id = 1", warn_if: "> 0", error_if: "> 5"}`,
			want{status: StatusWarn, observed: 2, rate: -1, failing: 2, sample: []map[string]any{{"email": "a@acme.com"}, {"email": nil}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, wh, testNow, c.yaml, oppsTarget, "")
			check(t, r, c.want)
		})
	}
}

// TestFusedScan runs many checks of one table in one query and checks that each result
// carries that one query.
func TestFusedScan(t *testing.T) {
	wh := oppsFixture(t)
	specs := parseChecks(t, `
- not_null: {column: email}
- unique: {column: id}
- accepted_values: {column: stage, values: [Prospecting]}
- range: {column: probability, min: 0, max: 100}
- regex: {column: email, pattern: "@"}
- row_count: {min: 1}
- not_null: {column: amount, where: "stage = 'Closed Won'"}
`, oppsTarget, "")
	res := runBoth(t, wh, testNow, specs)
	scanSQL := res[0].SQL[0]
	for _, r := range res {
		if r.Status == StatusError {
			t.Fatalf("%s: %s", r.ID, r.Error)
		}
		if !slices.Contains(r.SQL, scanSQL) {
			t.Errorf("%s ran in another scan: %q", r.ID, r.SQL)
		}
	}
	// unique (an integer column) also probed the column's type, counted its distinct values in
	// a bitmap of the [min, max] the scan read, and failed, so it listed its duplicates.
	if len(res[1].SQL) != 4 || !strings.HasSuffix(res[1].SQL[0], "LIMIT 0") || res[1].SQL[1] != scanSQL ||
		!strings.Contains(scanSQL, `min("id")`) || !strings.Contains(res[1].SQL[2], "bitstring_agg") {
		t.Errorf("unique ran %q, want the probe, the scan, the bitmap query and its sample query", res[1].SQL)
	}
	// The checks that failed on a row predicate share one sample query; accepted_values also
	// asked the catalog whether the table is big enough to profile (it is not).
	if len(res[0].SQL) != 2 || len(res[2].SQL) != 3 || !strings.Contains(res[2].SQL[0], "duckdb_tables()") ||
		res[0].SQL[1] != res[2].SQL[2] || res[5].Status != StatusPass || len(res[5].SQL) != 1 {
		t.Errorf("not_null ran %q, accepted_values %q, row_count %q", res[0].SQL, res[2].SQL, res[5].SQL)
	}
	// A broken check in a fused scan is isolated: it errors, the others still evaluate.
	bad := parseChecks(t, `
- not_null: {column: email}
- accepted_values: {column: probability, values: [one, two], quote: true}
- range: {column: stage, min: 0}
`, oppsTarget, "")
	res = runBoth(t, wh, testNow, bad)
	if res[0].Status != StatusFail || res[1].Status != StatusFail || res[2].Status != StatusError {
		t.Errorf("statuses %s %s %s, want fail fail error (%s)", res[0].Status, res[1].Status, res[2].Status, res[2].Error)
	}
}

// TestProfiles covers predicates evaluated once per distinct value (profile.go): on a big base
// table, accepted_values and regex checks of a column with few values are counted from its
// value counts, those of a column with many values row by row, and checks on a view or with a
// where filter row by row too — all with the counts a plain count_if gives.
func TestProfiles(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE big AS SELECT i AS id,
		   CASE WHEN i % 997 = 0 THEN NULL WHEN i % 1009 = 0 THEN 'bogus' ELSE ['Prospecting', 'Proposal', 'Closed Won'][1 + i % 3] END AS stage,
		   'user' || i || CASE WHEN i % 5003 = 0 THEN '@nowhere' ELSE '@example.com' END AS email,
		   'c' || (i % 300) AS code
		 FROM range(1200000) t(i)`,
		`CREATE VIEW big_view AS SELECT * FROM big`)
	src := `
- {accepted_values: {column: stage, values: [Prospecting, Proposal, Closed Won]}}
- {regex: {column: stage, pattern: '^[A-Z]'}}
- {regex: {column: email, pattern: '^[^@]+@[a-z]+\.[a-z]+$'}}
- {accepted_values: {column: code, values: [c1, c2, c3]}}
- {accepted_values: {column: stage, name: stage_in_where, values: [Prospecting], where: "id % 2 = 0"}}
`
	wantCounts := countIf(t, wh, "big",
		"stage IS NOT NULL AND stage NOT IN ('Prospecting', 'Proposal', 'Closed Won')",
		"stage IS NOT NULL AND NOT regexp_matches(stage, '^[A-Z]')",
		"NOT regexp_matches(email, '^[^@]+@[a-z]+\\.[a-z]+$')",
		"code NOT IN ('c1', 'c2', 'c3')",
		"id % 2 = 0 AND stage IS NOT NULL AND stage <> 'Prospecting'")
	if wantCounts[0] == 0 || wantCounts[1] == 0 || wantCounts[2] == 0 {
		t.Fatalf("the fixture plants no violations: %v", wantCounts)
	}
	for _, c := range []struct {
		rel     string
		profile []bool // per check: counted from value counts
	}{
		{"big", []bool{true, true, false, true, false}},
		{"big_view", []bool{false, false, false, false, false}},
	} {
		t.Run(c.rel, func(t *testing.T) {
			for i, r := range runObserving(t, wh, c.rel, src, wantCounts) {
				profiled := slices.ContainsFunc(r.SQL, func(q string) bool { return strings.Contains(q, "GROUP BY") && strings.Contains(q, "_revops_n") })
				if profiled != c.profile[i] {
					t.Errorf("%s: counted from value counts %v, want %v: %q", r.ID, profiled, c.profile[i], r.SQL)
				}
			}
		})
	}
}

// TestRangeBounds covers range checks a fused scan proves to pass from the column's min and
// max (bounds.go): on a big base table, a range that holds is counted 0 without its per-row
// predicate, one that data breaks is counted row by row after the bounds query, and checks
// with a where filter or on a view are counted row by row alone — all with the counts a plain
// count_if gives (runBoth: and the same as one query per check).
func TestRangeBounds(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE ranges AS SELECT i AS id, i % 101 AS pct, DATE '2026-01-01' + CAST(i % 300 AS INTEGER) AS d,
		   CASE WHEN i % 100003 = 0 THEN -1 ELSE i % 50 END AS amt,
		   CASE WHEN i % 7 = 0 THEN NULL ELSE i % 10 END AS sparse, CAST(NULL AS INTEGER) AS empty
		 FROM range(1200000) t(i)`,
		`CREATE VIEW ranges_view AS SELECT * FROM ranges`)
	src := `
- {range: {column: pct, min: 0, max: 100}}
- {range: {column: pct, name: pct_narrow, min: 0, max: 98}}
- {range: {column: d, min: "2026-01-01", max: "2026-12-31"}}
- {range: {column: amt, min: 0}}
- {range: {column: amt, name: amt_open, min: 0, max: 49, inclusive: false}}
- {range: {column: sparse, min: 0, max: 9}}
- {range: {column: empty, min: 0}}
- {range: {column: pct, name: pct_where, min: 0, max: 50, where: "id % 2 = 0"}}
`
	preds := []string{"pct < 0 OR pct > 100", "pct < 0 OR pct > 98", "d < DATE '2026-01-01' OR d > DATE '2026-12-31'",
		"amt < 0", "amt <= 0 OR amt >= 49", "sparse < 0 OR sparse > 9", "empty < 0", "id % 2 = 0 AND (pct < 0 OR pct > 50)"}
	// Each check's per-row predicate, as the scan renders it.
	own := []string{`"pct" > 100)`, `"pct" > 98)`, `"d" > '2026-12-31')`, `("amt" < 0)`, `"amt" >= 49)`, `"sparse" > 9)`, `("empty" < 0)`, `"pct" > 50)`}
	want := countIf(t, wh, "ranges", preds...)
	if want[1] == 0 || want[3] == 0 || want[4] == 0 || want[7] == 0 {
		t.Fatalf("fixture: want violations in checks 2, 4, 5 and 8: %v", want)
	}
	for _, c := range []struct {
		rel     string
		bounded []bool // per check: ran the bounds query
		proven  []bool // per check: counted 0 without its per-row predicate
	}{
		{"ranges", []bool{true, true, true, true, true, true, true, false}, []bool{true, false, true, false, false, true, true, false}},
		{"ranges_view", make([]bool, 8), make([]bool, 8)},
	} {
		t.Run(c.rel, func(t *testing.T) {
			for i, r := range runObserving(t, wh, c.rel, src, want) {
				bounded := slices.ContainsFunc(r.SQL, func(q string) bool { return strings.Contains(q, "coalesce(min(") })
				rowByRow := slices.ContainsFunc(r.SQL, func(q string) bool { return strings.Contains(q, own[i]) })
				if bounded != c.bounded[i] || rowByRow == c.proven[i] {
					t.Errorf("%s: bounds query %v, counted row by row %v; want %v, %v: %q", r.ID, bounded, rowByRow, c.bounded[i], !c.proven[i], r.SQL)
				}
			}
		})
	}
}

// TestTableRowsSQL checks the catalog lookup profiles start from: a base table by one, two or
// three name parts in any case, and nothing for a view or a missing table.
func TestTableRowsSQL(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh, `CREATE TABLE tiny AS SELECT range AS id FROM range(10)`, `CREATE VIEW tiny_view AS SELECT * FROM tiny`)
	g := newSQL(wh.Dialect())
	for _, c := range []struct {
		parts []string
		want  []any // nil: no row
	}{
		{[]string{"tiny"}, []any{int64(10)}},
		{[]string{"main", "tiny"}, []any{int64(10)}},
		{[]string{"memory", "MAIN", "Tiny"}, []any{int64(10)}},
		{[]string{"main", "tiny_view"}, nil},
		{[]string{"other", "tiny"}, nil},
		{[]string{"x'; DROP TABLE tiny; --", "tiny"}, nil},
	} {
		rs, err := query(context.Background(), wh, g.tableRowsSQL(c.parts))
		if err != nil {
			t.Fatalf("%v: %v", c.parts, err)
		}
		var got []any
		if len(rs.data) > 0 {
			got = rs.data[0]
		}
		if (got == nil) != (c.want == nil) || (got != nil && asInt(got[0]) != asInt(c.want[0])) {
			t.Errorf("%v: got %v, want %v", c.parts, got, c.want)
		}
	}
}

// TestDistinctShortcuts covers how a fused scan counts distinct values: a bitmap for integer
// columns with a narrow range, hashing otherwise, and no query for a combination implied by a
// column proven unique and non-NULL. runBoth asserts each result equals one query per check.
func TestDistinctShortcuts(t *testing.T) {
	wh := openDB(t)
	mustExec(t, wh,
		`CREATE TABLE keys (id BIGINT, small SMALLINT, neg INTEGER, wide BIGINT, nulls INTEGER, name VARCHAR, grp INTEGER)`,
		`INSERT INTO keys SELECT i, i % 7, -1000 + (i % 50) * 3, i * 1000000000000, NULL, 'n' || (i % 40), i % 3 FROM range(100) t(i)`,
		`INSERT INTO keys VALUES (5, 1, 0, 7, NULL, 'x', 0)`)
	tg := Target{Kind: "model", Name: "keys", Relation: []string{"main", "keys"}, KeyColumns: []string{"id"}}
	cases := []struct {
		name, yaml string
		observed   float64
		queries    []string // substrings of the check's queries, in order
	}{
		{"bitmap id", `- unique: {column: id}`, 1, []string{"LIMIT 0", `min("id")`, "bitstring_agg(\"id\", 0, 99)", "ORDER BY"}},
		{"bitmap smallint", `- unique: {column: small}`, 94, []string{"LIMIT 0", `min("small")`, "bitstring_agg", "ORDER BY"}},
		{"bitmap negative range", `- unique: {column: neg}`, 50, []string{"LIMIT 0", `max("neg")`, "bitstring_agg(\"neg\", -1000, 0)", "ORDER BY"}},
		{"bitmap where", `- unique: {column: small, where: "grp = 1"}`, 26, []string{"LIMIT 0", "WHERE (grp = 1)", "FILTER (WHERE (grp = 1))", "ORDER BY"}},
		{"bitmap where nothing", `- unique: {column: small, where: "grp = 9"}`, 0, []string{"LIMIT 0", "WHERE (grp = 9)"}},
		{"too wide: hashed", `- unique: {column: wide}`, 0, []string{"LIMIT 0", `min("wide")`, `count(DISTINCT "wide")`}},
		{"all null", `- unique: {column: nulls}`, 0, []string{"LIMIT 0", `min("nulls")`}},
		{"text: hashed", `- unique: {column: name}`, 60, []string{"SELECT count(*)", `count(DISTINCT "name")`, "ORDER BY"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runBoth(t, wh, testNow, parseChecks(t, c.yaml, tg, ""))[0]
			if r.Status == StatusError || r.Observed == nil || *r.Observed != c.observed {
				t.Fatalf("observed %v (%s %s), want %v", r.Observed, r.Status, r.Error, c.observed)
			}
			if len(r.SQL) != len(c.queries) {
				t.Fatalf("ran %d queries, want %d: %q", len(r.SQL), len(c.queries), r.SQL)
			}
			for i, q := range c.queries {
				if !strings.Contains(r.SQL[i], q) {
					t.Errorf("query %d %q lacks %q", i, r.SQL[i], q)
				}
			}
		})
	}
	// A combination holding a column proven unique and non-NULL needs no DISTINCT query; one
	// whose column is not proven (a duplicate, then NULLs) is counted.
	mustExec(t, wh, `CREATE TABLE pk AS SELECT range AS id, range % 5 AS b, CASE WHEN range = 3 THEN NULL ELSE range END AS c FROM range(50)`)
	pk := Target{Kind: "model", Name: "pk", Relation: []string{"main", "pk"}, KeyColumns: []string{"id"}}
	res := runBoth(t, wh, testNow, parseChecks(t, `
- unique: {column: id}
- unique_combination: {columns: [b, id]}
- unique: {column: c}
- unique_combination: {columns: [c, b]}
- unique_combination: {columns: [id], where: "b = 1"}
`, pk, ""))
	for i, want := range []float64{0, 0, 0, 0, 0} {
		if r := res[i]; r.Status != StatusPass || *r.Observed != want {
			t.Errorf("%s: %s %v, want pass %v", r.ID, r.Status, *r.Observed, want)
		}
	}
	for _, q := range res[1].SQL {
		if strings.Contains(q, "DISTINCT") {
			t.Errorf("implied combination ran %q", q)
		}
	}
	if !slices.ContainsFunc(res[3].SQL, func(q string) bool { return strings.Contains(q, "count(DISTINCT row(") }) {
		t.Errorf("combination of a column with NULLs was not counted: %q", res[3].SQL)
	}
}

func TestCheckCannotBeEvaluated(t *testing.T) {
	wh := oppsFixture(t)
	r := runOne(t, wh, testNow, `- not_null: {column: no_such_column}`, oppsTarget, "")
	if r.Status != StatusError || r.Observed != nil || r.Error == "" {
		t.Fatalf("got %+v", r)
	}
	missing := Target{Kind: "model", Name: "gone", Relation: []string{"main", "gone"}}
	r = runOne(t, wh, testNow, `- sql: "select 1 from {{ this }}"`, missing, "")
	if r.Status != StatusError {
		t.Fatalf("got %+v", r)
	}
}

func TestNormalize(t *testing.T) {
	wh := openDB(t)
	g := newSQL(wh.Dialect())
	cases := []struct{ how, in, want string }{
		{"email", " J.Doe+crm@Gmail.com ", "jdoe@gmail.com"},
		{"email", "jdoe@googlemail.com", "jdoe@gmail.com"},
		{"email", "mailto:Ann@Acme.COM", "ann@acme.com"},
		{"email", "a.b@acme.com.", "a.b@acme.com"},
		{"email", "not an email", ""},
		{"email", "two@@acme.com", ""},
		{"domain", " Acme.com", "acme.com"},
		{"domain", "https://www.acme.com/", "acme.com"},
		{"domain", "HTTP://WWW2.Acme.com:8080/path?q=1#x", "acme.com"},
		{"domain", "sales@acme.com", "acme.com"},
		{"domain", "acme.com.", "acme.com"},
		{"domain", "  ", ""},
		{"name", "Acme, Inc.", "acme"},
		{"name", "ACME Corporation", "acme"},
		{"name", "The Acme Co.", "acme"},
		{"name", "Procter & Gamble", "procter and gamble"},
		{"name", "Müller  GmbH", "müller"},
		{"name", "Co", "co"},
		{"none", " As Is ", " As Is "},
	}
	for _, c := range cases {
		in := g.lit(c.in)
		var got *string
		q := "SELECT " + normalizeExpr(g, c.how, in)
		if err := wh.QueryRow(context.Background(), q).Scan(&got); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		s := ""
		if got != nil {
			s = *got
		}
		if s != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.how, c.in, s, c.want)
		}
	}
}
