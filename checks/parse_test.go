package checks

import (
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	col := []struct{ yaml, kind, id string }{
		{`- not_null`, "not_null", "not_null.opps.email"},
		{`- unique:`, "unique", "unique.opps.email"},
		{`- unique: {}`, "unique", "unique.opps.email"},
		{`- {accepted_values: {values: [a, b]}}`, "accepted_values", "accepted_values.opps.email.20757105"},
		{"- accepted_values:\n    values: [a, b]\n    severity: warn", "accepted_values", "accepted_values.opps.email.20757105"},
		{"- accepted_values:\n    arguments: {values: [a, b]}\n    config: {severity: warn}", "accepted_values", "accepted_values.opps.email.20757105"},
		{`- accepted_range: {min: 1}`, "range", "range.opps.email.5f18a75e"},
		{`- not_null: {name: email_required}`, "not_null", "email_required"},
		{`- not_null: {where: "id > 1"}`, "not_null", "not_null.opps.email.04c2cb60"},
	}
	for _, c := range col {
		specs, err := tryParse(c.yaml, oppsTarget, "email")
		if err != nil {
			t.Errorf("%s: %v", c.yaml, err)
			continue
		}
		sp := specs[0]
		if sp.Kind != c.kind || sp.ID != c.id || sp.Column != "email" || sp.File != "schema.yml" || sp.Line != 1 {
			t.Errorf("%s: got kind %s id %s column %s at %s:%d", c.yaml, sp.Kind, sp.ID, sp.Column, sp.File, sp.Line)
		}
	}
	sp := parseChecks(t, "- accepted_values:\n    values: [a]\n    severity: warn\n    warn_if: \">= 2\"\n    error_if: \"> 10%\"\n    tags: [crm]\n    sample: 3\n    description: d", oppsTarget, "email")[0]
	if sp.Severity != SeverityWarn || sp.WarnIf != ">= 2" || sp.ErrorIf != "> 10%" || sp.Sample != 3 || sp.Tags[0] != "crm" || sp.Description != "d" {
		t.Errorf("got %+v", sp)
	}
	if got := sp.Threshold(); got != "warn if >= 2 or > 10%" {
		t.Errorf("threshold %q", got)
	}
	// Relations a check reads are dependencies.
	sp = parseChecks(t, `- relationships: {to: "ref('accounts')", field: id}`, oppsTarget, "account_id")[0]
	if len(sp.DependsOn) != 1 || sp.DependsOn[0] != "accounts" {
		t.Errorf("depends on %v", sp.DependsOn)
	}
	sp = parseChecks(t, `- sql: "select * from {{ ref('a') }} join {{ source('crm', 'b') }} using (id) join {{ this }} using (id)"`, oppsTarget, "")[0]
	if strings.Join(sp.DependsOn, ",") != "a,crm.b" {
		t.Errorf("depends on %v", sp.DependsOn)
	}
}

func TestThresholdText(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{`- not_null: {column: x}`, "error if > 0"},
		{`- not_null: {column: x, severity: warn}`, "warn if > 0"},
		{`- not_null: {column: x, error_if: "> 5%"}`, "warn if > 0, error if > 5%"},
		{`- not_null: {column: x, warn_if: "> 1%"}`, "warn if > 1%"},
		{`- not_null: {column: x, warn_if: "> 1%", error_if: "> 5%"}`, "warn if > 1%, error if > 5%"},
		{`- row_count: {min: 10, max: 20}`, "error if < 10 or > 20"},
		{`- freshness: {column: x, warn_after: 24h, error_after: 2d}`, "warn if older than 24h, error if older than 2d"},
		{`- freshness: {column: x, deadline: {business_day: 3}, time_zone: UTC}`, "error if late for business day 3 after month end"},
		{`- volume_anomaly: {column: x, time_zone: UTC}`, "warn if > 25%, error if > 50%"},
	}
	for _, c := range cases {
		sp := parseChecks(t, c.yaml, oppsTarget, "")
		if len(sp) == 0 {
			continue
		}
		if got := sp[0].Threshold(); got != c.want {
			t.Errorf("%s: %q, want %q", c.yaml, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		yaml, col, want string
	}{
		{"- accepted_values:\n    valuez: [a]", "stage",
			`schema.yml:2:5: accepted_values: unknown key "valuez" (did you mean "values"?); expected one of: values, quote, name,`},
		{"- accepted_values: {values: [a], severty: warn}", "stage", `schema.yml:1:34: accepted_values: unknown key "severty" (did you mean "severity"?)`},
		{"- accepted_values: {}", "stage", `schema.yml:1:20: accepted_values: missing required key "values"`},
		{"- accepted_values:\n  values: [a]", "stage",
			`schema.yml:1:3: a check is a kind name or a mapping with one key, the kind (e.g. accepted_values: {values: [a, b]}); got keys accepted_values, values; if "values" is an argument of "accepted_values", indent it under "accepted_values"`},
		{"- not_nul", "stage", `schema.yml:1:3: unknown check kind "not_nul" (did you mean "not_null"?)`},
		{"- not_null: {column: x}", "stage", `schema.yml:1:14: not_null: column: is not needed here; the check is declared under column "stage"`},
		{"- not_null", "", `schema.yml:1:3: not_null needs a column: declare it under a column, or give column: NAME`},
		{"- row_count", "stage", `schema.yml:1:3: row_count is a table-level check; declare it under the model's checks, not under column "stage"`},
		{"- row_count: {min: 1, error_if: \"> 5%\"}", "", `schema.yml:1:33: row_count: error_if: a percent threshold needs a rate`},
		{"- not_null: {warn_if: \"5\"}", "stage", `schema.yml:1:23: not_null: warn_if: condition "5" has no operator`},
		{"- not_null: {error_if: \"> five\"}", "stage", `schema.yml:1:24: not_null: error_if: condition "> five": "five" is not a number`},
		{"- not_null: {severity: fatal}", "stage", `schema.yml:1:24: not_null: severity: expected warn or error, got "fatal"`},
		{"- accepted_values: {values: a}", "stage", `schema.yml:1:29: accepted_values: values: expected a list, got "a"`},
		{"- accepted_values: {values: [a, null]}", "stage", `schema.yml:1:33: accepted_values: values[1]: null is not a value`},
		{"- accepted_values: {values: [a, 1], quote: false}", "stage", `schema.yml:1:30: accepted_values: values[0]: "a" is text, but quote: false`},
		{"- regex: {pattern: '(unclosed'}", "stage", `schema.yml:1:20: regex: pattern: error parsing regexp`},
		{"- range: {}", "stage", `schema.yml:1:3: range: give min, max or both`},
		{"- relationships: {field: id}", "account_id", `schema.yml:1:18: relationships: missing required key "to"`},
		{"- relationships: {to: \"ref('nope')x\"}", "account_id", `schema.yml:1:23: relationships: to: cannot resolve "ref('nope')x"`},
		{"- not_null_from_stage: {stage_column: s, stages: [a, b], from: c}", "amount", `schema.yml:1:64: not_null_from_stage: from: "c" is not one of the stages`},
		{"- duplicate_rate: {normalize: phone}", "email", `schema.yml:1:31: duplicate_rate: normalize: "phone" is not one of email, domain, name, none`},
		{"- freshness: {column: x}", "", `schema.yml:1:3: freshness: give warn_after and/or error_after`},
		{"- freshness: {column: x, error_after: 2 weeks}", "", `schema.yml:1:39: freshness: error_after: "2 weeks" is not an age`},
		{"- freshness: {column: x, error_after: 2 business days}", "", `schema.yml:1:3: freshness: business days are counted in a time zone; declare time_zone:`},
		{"- freshness: {column: x, time_zone: Mars/Olympus, error_after: 1h}", "", `schema.yml:1:37: freshness: time_zone: unknown zone "Mars/Olympus"`},
		{"- freshness: {source: extract, error_after: 1h}", "", `schema.yml:1:23: freshness: source: extract applies to sources; opps is a model`},
		{"- freshness: {column: x, time_zone: UTC, deadline: {business_day: 3}, error_after: 1h}", "", `freshness: give either deadline or warn_after/error_after, not both`},
		{"- freshness: {column: x, time_zone: UTC, deadline: {business_day: 3, after: week_end}}", "", `freshness: deadline: after: expected month_end, quarter_end or year_end`},
		{"- freshness: {column: x, time_zone: UTC, deadline: {business_day: 3}, calendar: {weekdays: [mon, funday]}}", "", `freshness: calendar: weekdays: "funday" is not a weekday`},
		{"- volume_anomaly: {column: x}", "", `volume_anomaly: days are counted in a time zone`},
		{"- volume_anomaly: {column: x, time_zone: UTC, method: mad}", "", `volume_anomaly: method: expected percent or zscore`},
		{"- volume_anomaly: {column: x, time_zone: UTC, method: zscore, error_if: \"> 5%\"}", "", `volume_anomaly: error_if: a percent threshold needs a rate`},
		{"- sql: \"select 1 from {{ var('x') }}\"", "", `schema.yml:1:8: sql: query: {{ var('x') }}: only ref('model'), source('source', 'table') and this may appear`},
		{"- sql: {}", "", `schema.yml:1:8: sql: missing required key "query"`},
		{"- reconcile: {left: a, right: b}", "", `reconcile: missing required key "measures"`},
		{"- arr_rollforward: {columns: {openning: x}}", "", `schema.yml:1:31: arr_rollforward: columns: unknown key "openning"; expected one of: month, starting,`},
		{"- extract_totals", "", `schema.yml:1:3: extract_totals compares a source's loaded rows`},
		{"- [not_null]", "x", `schema.yml:1:3: a check is a kind name`},
	}
	for _, c := range cases {
		_, err := tryParse(c.yaml, oppsTarget, c.col)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.yaml, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: no error, want %q", c.yaml, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s:\n got  %v\n want %s", c.yaml, err, c.want)
		}
	}
}

func TestCheckIDs(t *testing.T) {
	specs := parseChecks(t, "- not_null\n- unique\n- not_null", oppsTarget, "email")
	err := CheckIDs(specs)
	if err == nil || !strings.Contains(err.Error(), `schema.yml:3: check "not_null.opps.email" is also declared at schema.yml:1; give one of them a name`) {
		t.Fatalf("got %v", err)
	}
	if err := CheckIDs(specs[:2]); err != nil {
		t.Fatal(err)
	}
}

func TestKinds(t *testing.T) {
	got := strings.Join(Kinds(), " ")
	for _, k := range []string{"not_null", "accepted_range", "range", "freshness", "sql", "unique_combination_of_columns"} {
		if !strings.Contains(" "+got+" ", " "+k+" ") {
			t.Errorf("Kinds() lacks %s: %s", k, got)
		}
	}
	// Every kind parses from a minimal example and runs either in the fused scan or on its own.
	examples := map[string]string{
		"not_null":            "not_null: {column: a}",
		"unique":              "unique: {column: a}",
		"accepted_values":     "accepted_values: {column: a, values: [x]}",
		"range":               "range: {column: a, min: 0}",
		"regex":               "regex: {column: a, pattern: x}",
		"relationships":       "relationships: {column: a, to: \"ref('b')\"}",
		"not_null_from_stage": "not_null_from_stage: {column: a, stage_column: s, stages: [x], from: x}",
		"duplicate_rate":      "duplicate_rate: {column: a}",
		"row_count":           "row_count",
		"unique_combination":  "unique_combination: {columns: [a, b]}",
		"freshness":           "freshness: {column: a, error_after: 1h}",
		"volume_anomaly":      "volume_anomaly: {column: a, time_zone: UTC}",
		"reconcile":           "reconcile: {left: select 1 as m, right: select 1 as m, measures: [m]}",
		"arr_rollforward":     "arr_rollforward",
		"bookings_vs_billing": "bookings_vs_billing: {billing: \"ref('b')\"}",
		"extract_totals":      "extract_totals: {source: s, stream: t}",
		"sql":                 "sql: select 1",
	}
	if len(examples) != len(kinds) {
		t.Errorf("%d examples for %d kinds", len(examples), len(kinds))
	}
	for name, ex := range examples {
		sp := parseChecks(t, "- "+ex, oppsTarget, "")[0]
		_, agg := sp.check.(aggregator)
		_, sol := sp.check.(solo)
		if sp.Kind != name || agg == sol {
			t.Errorf("%s: kind %s, aggregator %v, solo %v", name, sp.Kind, agg, sol)
		}
	}
	src := sourceTarget()
	for _, ex := range []string{"freshness: {source: extract, error_after: 1h}", "extract_totals"} {
		sp := parseChecks(t, "- "+ex, src, "")[0]
		if _, ok := sp.check.(solo); !ok {
			t.Errorf("%s does not run on its own", ex)
		}
	}
}

func sourceTarget() Target {
	return Target{Kind: "source", Name: "crm.accounts", Relation: []string{"crm", "accounts"}}
}
