package file

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	// The in-process engine that computes cursor maxima; it registers the "duckdb" driver.
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/extract"
)

// cursorStats is what one pass over a stream's files tells about its cursor column.
type cursorStats struct {
	max    *string // the greatest value, canonical text; nil when no row has one
	atMax  int64   // rows whose value equals max
	newer  int64   // rows whose value is greater than the previous max
	atPrev int64   // rows whose value equals the previous max
}

// scanCursor reads the cursor column of fs's files with an in-memory DuckDB, parsing it as the
// warehouse does (declared type, format, time zone, CSV options). prev is the previous max or nil.
func scanCursor(ctx context.Context, fs *extract.FileSet, col extract.Column, prev *string) (cursorStats, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return cursorStats{}, fmt.Errorf("open in-memory duckdb: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return cursorStats{}, fmt.Errorf("open in-memory duckdb: %w", err)
	}
	defer conn.Close()
	if col.Type == "timestamp" {
		// Values without an offset are read in the column's zone; the max is rendered in UTC.
		tz := col.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		if _, err := conn.ExecContext(ctx, "SET TimeZone = "+quoteLiteral(tz)); err != nil {
			return cursorStats{}, fmt.Errorf("set time zone %s: %w", tz, err)
		}
	}
	var st cursorStats
	var max sql.NullString
	row := conn.QueryRowContext(ctx, cursorQuery(fs, col, prev))
	if err := row.Scan(&max, &st.atMax, &st.newer, &st.atPrev); err != nil {
		return cursorStats{}, fmt.Errorf("compute max(%s) over %d files: %w", col.Name, len(fs.Paths), err)
	}
	if max.Valid {
		v, err := parseCursorValue(col.Type, max.String)
		if err != nil {
			return cursorStats{}, fmt.Errorf("max(%s) = %q: %w", col.Name, max.String, err)
		}
		st.max = &v
	}
	return st, nil
}

// cursorQuery selects, over the files: the rendered max, the rows at the max, and the rows
// greater than and equal to prev.
func cursorQuery(fs *extract.FileSet, col extract.Column, prev *string) string {
	prevLit := "CAST(NULL AS " + duckType(col.Type) + ")"
	if prev != nil {
		prevLit = "CAST(" + quoteLiteral(*prev) + " AS " + duckType(col.Type) + ")"
	}
	return "WITH t AS MATERIALIZED (SELECT " + valueExpr(col, fileColumn(fs, col)) + " AS x FROM " + reader(fs, col) + "), " +
		"m AS (SELECT max(x) AS mx FROM t) " +
		"SELECT " + render(col.Type, "mx") + ", count(*) FILTER (WHERE x = mx), " +
		"count(*) FILTER (WHERE x > " + prevLit + "), count(*) FILTER (WHERE x = " + prevLit + ") " +
		"FROM m LEFT JOIN t ON true GROUP BY mx"
}

// fileColumn is the cursor column's name in the files.
func fileColumn(fs *extract.FileSet, col extract.Column) string {
	if col.From != "" && (fs.Format != extract.CSV || fs.CSV.Header) {
		return col.From
	}
	return col.Name
}

// reader is the DuckDB table function reading the files (text columns where the format has no types).
func reader(fs *extract.FileSet, col extract.Column) string {
	paths := make([]string, len(fs.Paths))
	for i, p := range fs.Paths {
		paths[i] = quoteLiteral(p)
	}
	list := "[" + strings.Join(paths, ", ") + "]"
	switch fs.Format {
	case extract.CSV:
		return "read_csv(" + list + ", " + csvArgs(fs) + ")"
	case extract.JSONL:
		return "read_json(" + list + ", format = 'newline_delimited', columns = {" +
			quoteLiteral(fileColumn(fs, col)) + ": 'VARCHAR'})"
	default:
		return "read_parquet(" + list + ", union_by_name = true)"
	}
}

func csvArgs(fs *extract.FileSet) string {
	o := fs.CSV
	args := []string{
		"all_varchar = true",
		"header = " + strconv.FormatBool(o.Header),
		"delim = " + quoteLiteral(o.Delimiter),
		"quote = " + quoteLiteral(o.Quote),
		"escape = " + quoteLiteral(o.Quote),
		"nullstr = [" + quoteLiteral("") + ", " + quoteLiteral(o.NullValue) + "]",
		"skip = " + strconv.Itoa(o.SkipRows),
	}
	if o.Header {
		return strings.Join(append(args, "union_by_name = true"), ", ")
	}
	names := make([]string, len(fs.Columns))
	for i, c := range fs.Columns {
		names[i] = quoteLiteral(c.Name)
	}
	return strings.Join(append(args, "names = ["+strings.Join(names, ", ")+"]"), ", ")
}

// valueExpr converts the file column to the declared type, as the warehouse does.
func valueExpr(col extract.Column, name string) string {
	c, t := quoteIdent(name), duckType(col.Type)
	if col.Format != "" {
		return "CAST(strptime(CAST(" + c + " AS VARCHAR), " + quoteLiteral(col.Format) + ") AS " + t + ")"
	}
	return "CAST(" + c + " AS " + t + ")"
}

// render turns a value of the cursor type into the cursor's text.
func render(typ, expr string) string {
	if typ == "timestamp" {
		return "strftime(" + expr + " AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')"
	}
	return "CAST(" + expr + " AS VARCHAR)"
}

// duckType is DuckDB's type for a portable cursor type.
func duckType(typ string) string {
	switch typ {
	case "integer":
		return "BIGINT"
	case "double":
		return "DOUBLE"
	case "date":
		return "DATE"
	case "timestamp":
		return "TIMESTAMPTZ"
	case "string":
		return "VARCHAR"
	}
	return strings.ToUpper(typ) // decimal(p,s), already validated
}

// quoteLiteral renders s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent renders s as a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
