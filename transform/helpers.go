package transform

import (
	"fmt"
	"strings"

	"github.com/revops/revops/transform/jinja"
	"github.com/revops/revops/warehouse"
)

// The cross-database helpers render the same intent as each engine's SQL. Their arguments are
// SQL expressions written as strings, as in dbt: {{ dateadd('month', 1, 'start_date') }}.
//
//	date_trunc(part, expr)            the start of the part containing expr
//	dateadd(part, n, expr)            expr plus n parts
//	datediff(part, start, end)        part boundaries crossed from start to end (end − start)
//	date_spine(part, start, end)      a subquery of one row per part in [start, end): column date_<part>
//	month_spine(start, end)           date_spine('month', start, end): column date_month
//	safe_cast(expr, type)             a cast that yields NULL instead of failing
//	hash(expr)                        the MD5 of expr as text (hex)
//	surrogate_key([exprs])            a stable key from several columns (NULL-safe); alias generate_surrogate_key
//	current_timestamp()               the time now (prefer var('as_of_date') in revenue models)
//
// part is one of: second, minute, hour, day, week, month, quarter, year.
var dateParts = []string{"second", "minute", "hour", "day", "week", "month", "quarter", "year"}

// sqlDialect is what a helper needs to know about an engine.
type sqlDialect struct {
	name  string
	quote func(parts ...string) string
	lit   func(v any) (string, error)
}

func helpers(d warehouse.Dialect) map[string]any {
	sd := sqlDialect{name: d.Name(), quote: d.QuoteIdent, lit: d.QuoteLiteral}
	wrap := func(f func(sqlDialect, *jinja.Call) (string, error)) jinja.Func {
		return func(c *jinja.Call) (any, error) { return f(sd, c) }
	}
	return map[string]any{
		"date_trunc":             wrap(dateTrunc),
		"dateadd":                wrap(dateAdd),
		"datediff":               wrap(dateDiff),
		"date_spine":             wrap(dateSpine),
		"month_spine":            wrap(monthSpine),
		"safe_cast":              wrap(safeCast),
		"hash":                   wrap(hashExpr),
		"surrogate_key":          wrap(surrogateKey),
		"generate_surrogate_key": wrap(surrogateKey),
		"current_timestamp":      wrap(currentTimestamp),
	}
}

func datePart(c *jinja.Call, i int) (string, error) {
	p, err := c.String(i)
	if err != nil {
		return "", err
	}
	p = strings.ToLower(strings.TrimSpace(p))
	for _, known := range dateParts {
		if p == known {
			return p, nil
		}
	}
	return "", fmt.Errorf("date part %q is not one of %s", p, strings.Join(dateParts, ", "))
}

// exprArg is an argument that is a SQL expression: a string, or a number written as one.
func exprArg(c *jinja.Call, i int) (string, error) {
	if i >= len(c.Args) {
		return "", fmt.Errorf("argument %d is missing", i+1)
	}
	switch v := c.Args[i].(type) {
	case string:
		return v, nil
	case int64:
		return fmt.Sprint(v), nil
	case int:
		return fmt.Sprint(v), nil
	case fmt.Stringer:
		return v.String(), nil
	}
	return "", fmt.Errorf("argument %d must be a SQL expression written as a string, got %v", i+1, c.Args[i])
}

// sqlArgs checks that c has n arguments and returns them as SQL expressions; when the first
// is a date part, it is validated and lower-cased.
func sqlArgs(c *jinja.Call, n int, usage string, firstIsPart bool) ([]string, error) {
	if len(c.Args) != n {
		return nil, fmt.Errorf("takes %d arguments: %s", n, usage)
	}
	out := make([]string, n)
	for i := range n {
		var err error
		if i == 0 && firstIsPart {
			out[i], err = datePart(c, 0)
		} else {
			out[i], err = exprArg(c, i)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func dateTrunc(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 2, "date_trunc('month', 'created_at')", true)
	if err != nil {
		return "", err
	}
	if d.name == "bigquery" {
		return fmt.Sprintf("timestamp_trunc(cast(%s as timestamp), %s)", a[1], a[0]), nil
	}
	return fmt.Sprintf("date_trunc('%s', %s)", a[0], a[1]), nil // duckdb, snowflake
}

func dateAdd(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 3, "dateadd('month', 1, 'start_date')", true)
	if err != nil {
		return "", err
	}
	part, n, e := a[0], a[1], a[2]
	switch d.name {
	case "bigquery":
		return fmt.Sprintf("datetime_add(cast(%s as datetime), interval %s %s)", e, n, part), nil
	case "snowflake":
		return fmt.Sprintf("dateadd(%s, %s, %s)", part, n, e), nil
	default: // DuckDB's to_days(), to_months(), to_quarters() …
		return fmt.Sprintf("(%s + to_%ss(cast(%s as bigint)))", e, part, n), nil
	}
}

func dateDiff(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 3, "datediff('day', 'start_date', 'end_date')", true)
	if err != nil {
		return "", err
	}
	part, start, end := a[0], a[1], a[2]
	switch d.name {
	case "bigquery":
		return fmt.Sprintf("datetime_diff(cast(%s as datetime), cast(%s as datetime), %s)", end, start, part), nil
	case "snowflake":
		return fmt.Sprintf("datediff(%s, %s, %s)", part, start, end), nil
	default:
		return fmt.Sprintf("date_diff('%s', %s, %s)", part, start, end), nil
	}
}

func dateSpine(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 3, "date_spine('month', \"date '2025-01-01'\", \"date '2026-01-01'\")", true)
	if err != nil {
		return "", err
	}
	return spine(d, a[0], a[1], a[2]), nil
}

func monthSpine(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 2, "month_spine(\"date '2025-01-01'\", \"date '2026-01-01'\")", false)
	if err != nil {
		return "", err
	}
	return spine(d, "month", a[0], a[1]), nil
}

// spine renders a parenthesized subquery with one column date_<part>: every part start in
// [start, end).
func spine(d sqlDialect, part, start, end string) string {
	col := d.quote("date_" + part)
	switch d.name {
	case "bigquery":
		if part == "day" || part == "week" || part == "month" || part == "quarter" || part == "year" {
			return fmt.Sprintf("(select d as %s from unnest(generate_date_array(cast(%s as date), date_sub(cast(%s as date), interval 1 day), interval 1 %s)) as d)",
				col, start, end, part)
		}
		return fmt.Sprintf("(select t as %s from unnest(generate_timestamp_array(cast(%s as timestamp), timestamp_sub(cast(%s as timestamp), interval 1 second), interval 1 %s)) as t)",
			col, start, end, part)
	case "snowflake":
		return fmt.Sprintf("(select dateadd(%s, seq4(), cast(%s as timestamp)) as %s from table(generator(rowcount => 100000)) "+
			"qualify dateadd(%s, seq4(), cast(%s as timestamp)) < cast(%s as timestamp))", part, start, col, part, start, end)
	default:
		if part == "second" || part == "minute" || part == "hour" {
			return fmt.Sprintf("(select range as %s from range(cast(%s as timestamp), cast(%s as timestamp), interval 1 %s))", col, start, end, part)
		}
		return fmt.Sprintf("(select cast(range as date) as %s from range(cast(%s as date), cast(%s as date), interval 1 %s))", col, start, end, part)
	}
}

func safeCast(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 2, "safe_cast('amount', 'decimal(18,2)')", false)
	if err != nil {
		return "", err
	}
	if d.name == "bigquery" {
		return fmt.Sprintf("safe_cast(%s as %s)", a[0], a[1]), nil
	}
	return fmt.Sprintf("try_cast(%s as %s)", a[0], a[1]), nil
}

func textType(d sqlDialect) string {
	if d.name == "bigquery" {
		return "string"
	}
	return "varchar"
}

func hashExpr(d sqlDialect, c *jinja.Call) (string, error) {
	a, err := sqlArgs(c, 1, "hash('email')", false)
	if err != nil {
		return "", err
	}
	if d.name == "bigquery" {
		return fmt.Sprintf("to_hex(md5(cast(%s as string)))", a[0]), nil
	}
	return fmt.Sprintf("md5(cast(%s as varchar))", a[0]), nil
}

// surrogateKey hashes the columns joined by '-', with NULL written as a marker so that
// (NULL, 'a') and (”, 'a') differ — the dbt_utils convention.
func surrogateKey(d sqlDialect, c *jinja.Call) (string, error) {
	var cols []string
	switch {
	case len(c.Args) == 1:
		if l, ok := c.Args[0].([]any); ok {
			for i := range l {
				s, ok := l[i].(string)
				if !ok {
					return "", fmt.Errorf("takes a list of SQL expressions written as strings, got %v", l[i])
				}
				cols = append(cols, s)
			}
			break
		}
		fallthrough
	default:
		for i := range c.Args {
			e, err := exprArg(c, i)
			if err != nil {
				return "", err
			}
			cols = append(cols, e)
		}
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("takes a list of columns: surrogate_key(['account_id', 'month'])")
	}
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = fmt.Sprintf("coalesce(cast(%s as %s), '_revops_null_')", col, textType(d))
	}
	joined := strings.Join(parts, " || '-' || ")
	if d.name == "bigquery" {
		return fmt.Sprintf("to_hex(md5(%s))", joined), nil
	}
	return fmt.Sprintf("md5(%s)", joined), nil
}

func currentTimestamp(d sqlDialect, c *jinja.Call) (string, error) {
	if len(c.Args) != 0 {
		return "", fmt.Errorf("takes no arguments")
	}
	if d.name == "duckdb" {
		return "current_timestamp", nil
	}
	return "current_timestamp()", nil
}
