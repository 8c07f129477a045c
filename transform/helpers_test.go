package transform

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

var update = flag.Bool("update", false, "rewrite golden files")

// otherDialect stands in for BigQuery and Snowflake, whose warehouses cannot run here: their
// helper renderings are kept in a golden file, reviewed by hand against each engine's docs.
type otherDialect struct{ name string }

func (d otherDialect) Name() string { return d.name }
func (d otherDialect) QuoteIdent(parts ...string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		if d.name == "bigquery" {
			q[i] = "`" + p + "`"
		} else {
			q[i] = `"` + strings.ToUpper(p) + `"`
		}
	}
	return strings.Join(q, ".")
}
func (d otherDialect) QuoteLiteral(v any) (string, error)        { return fmt.Sprintf("'%v'", v), nil }
func (d otherDialect) ColumnType(arrow.DataType) (string, error) { return "", nil }

const helperTemplate = `date_trunc: {{ date_trunc('month', 'created_at') }}
dateadd: {{ dateadd('day', 7, 'created_at') }}
datediff: {{ datediff('month', 'start_date', 'end_date') }}
month_spine: {{ month_spine("date '2026-01-01'", "date '2026-04-01'") }}
date_spine_hour: {{ date_spine('hour', "timestamp '2026-01-01 00:00:00'", "timestamp '2026-01-01 03:00:00'") }}
safe_cast: {{ safe_cast('amount', 'decimal(18,2)') }}
hash: {{ hash('email') }}
surrogate_key: {{ surrogate_key(['account_id', 'date_month']) }}
dbt_utils: {{ dbt_utils.generate_surrogate_key(['a']) }}
current_timestamp: {{ current_timestamp() }}
`

func TestHelpersPerDialect(t *testing.T) {
	var got strings.Builder
	for _, d := range []string{"duckdb", "bigquery", "snowflake"} {
		opts := func(o *Options) {
			if d != "duckdb" {
				o.Dialect = otherDialect{d}
			}
		}
		p := mustLoad(t, map[string]string{"models/h.sql": helperTemplate}, opts)
		out, _, err := p.render(p.Models["h"], false)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "## %s\n%s\n\n", d, out)
	}
	golden := filepath.Join("testdata", "helpers.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got.String() != string(want) {
		t.Errorf("helpers differ from %s (rerun with -update after review):\n%s", golden, got.String())
	}
}

// TestHelpersRunOnDuckDB evaluates each DuckDB rendering and checks the value.
func TestHelpersRunOnDuckDB(t *testing.T) {
	wh := openWarehouse(t)
	tests := []struct{ expr, want string }{
		{"{{ date_trunc('month', \"timestamp '2026-03-15 10:00:00'\") }}", "2026-03-01 00:00:00 +0000 UTC"},
		{"cast({{ dateadd('month', 1, \"date '2026-01-31'\") }} as date)", "2026-02-28 00:00:00 +0000 UTC"},
		{"cast({{ dateadd('quarter', -1, \"date '2026-05-15'\") }} as date)", "2026-02-15 00:00:00 +0000 UTC"},
		{"cast({{ dateadd('week', 2, \"date '2026-01-01'\") }} as date)", "2026-01-15 00:00:00 +0000 UTC"},
		{"{{ datediff('month', \"date '2026-01-31'\", \"date '2026-02-01'\") }}", "1"},
		{"{{ datediff('day', \"date '2026-03-01'\", \"date '2026-02-01'\") }}", "-28"},
		{"(select count(*) from {{ month_spine(\"date '2026-01-01'\", \"date '2026-04-01'\") }})", "3"},
		{"(select max(date_month) from {{ month_spine(\"date '2026-01-01'\", \"date '2026-04-01'\") }})", "2026-03-01 00:00:00 +0000 UTC"},
		{"(select count(*) from {{ date_spine('hour', \"timestamp '2026-01-01 00:00:00'\", \"timestamp '2026-01-01 03:00:00'\") }})", "3"},
		{"{{ safe_cast(\"'12x'\", 'integer') }} is null", "true"},
		{"{{ hash(\"'a'\") }}", "0cc175b9c0f1b6a831c399e269772661"},
		{"{{ surrogate_key([\"'a'\", 'null']) }} = {{ surrogate_key([\"'a'\", \"'_revops_null_'\"]) }}", "true"},
		{"{{ surrogate_key([\"'a'\", 'null']) }} = {{ surrogate_key([\"'a'\", \"''\"]) }}", "false"},
	}
	for _, tt := range tests {
		p := mustLoad(t, map[string]string{"models/h.sql": "select " + tt.expr}, nil)
		sql, _, err := p.render(p.Models["h"], false)
		if err != nil {
			t.Fatal(err)
		}
		if got := queryString(t, wh, sql); got != tt.want {
			t.Errorf("%s\n  rendered %s\n  = %s, want %s", tt.expr, sql, got, tt.want)
		}
	}
}

func TestHelperErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"{{ dateadd('fortnight', 1, 'x') }}": `date part "fortnight" is not one of`,
		"{{ datediff('day', 'x') }}":         "takes 3 arguments",
		"{{ surrogate_key([]) }}":            "takes a list of columns",
	} {
		_, err := load(t, map[string]string{"models/h.sql": "select " + expr}, nil)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "models/h.sql:1:") {
			t.Errorf("%s: err = %v, want %q with a position", expr, err, want)
		}
	}
}
