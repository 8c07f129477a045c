// Package render prints Arrow query results for people (an aligned table) and for programs
// (CSV with a header, or a JSON array of objects).
package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Format is an output format.
type Format string

// Formats.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
)

// ParseFormat validates a --output value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Table, CSV, JSON:
		return f, nil
	}
	return "", fmt.Errorf("--output %q: expected table, csv or json", s)
}

// maxCell is the widest a table cell is drawn; longer values are cut with "…".
const maxCell = 60

// Write prints up to limit rows (0 = all) of rr in format. It reports how many rows it printed
// and whether more rows were left unprinted.
func Write(w io.Writer, rr array.RecordReader, format Format, limit int) (n int, more bool, err error) {
	names := make([]string, rr.Schema().NumFields())
	for i, f := range rr.Schema().Fields() {
		names[i] = f.Name
	}
	var rows [][]any
	for rr.Next() && !more {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			if limit > 0 && len(rows) == limit {
				more = true
				break
			}
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = cell(rec.Column(c), r, format)
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		return 0, false, fmt.Errorf("read result: %w", err)
	}
	switch format {
	case CSV:
		err = writeCSV(w, names, rows)
	case JSON:
		err = writeJSON(w, names, rows)
	default:
		err = writeTable(w, names, rows)
	}
	return len(rows), more, err
}

// cell returns a printable value: text for table and CSV ("" for NULL in CSV), a JSON-ready value
// for JSON (numbers stay numbers, decimals keep their exact digits). Text is copied: Arrow string
// values alias buffers that are released or reused when the reader moves to the next record.
func cell(col arrow.Array, i int, format Format) any {
	if col.IsNull(i) {
		if format == Table {
			return "NULL"
		}
		if format == CSV {
			return ""
		}
		return nil
	}
	if format == JSON {
		switch col.DataType().ID() {
		case arrow.DECIMAL128, arrow.DECIMAL256:
			return json.Number(Text(col, i))
		case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64, arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
			return strings.Clone(col.ValueStr(i))
		}
		v := col.GetOneForMarshal(i)
		if s, ok := v.(string); ok {
			return strings.Clone(s)
		}
		return v
	}
	return Text(col, i)
}

func writeCSV(w io.Writer, names []string, rows [][]any) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(names); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	rec := make([]string, len(names))
	for _, row := range rows {
		for i, v := range row {
			rec[i] = v.(string)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, names []string, rows [][]any) error {
	out := make([]json.RawMessage, 0, len(rows))
	for _, row := range rows {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(names[i])
			val, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("write json: column %s: %w", names[i], err)
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(val)
		}
		b.WriteByte('}')
		out = append(out, json.RawMessage(b.String()))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func writeTable(w io.Writer, names []string, rows [][]any) error {
	widths := make([]int, len(names))
	for i, n := range names {
		widths[i] = utf8.RuneCountInString(n)
	}
	text := make([][]string, len(rows))
	for r, row := range rows {
		text[r] = make([]string, len(row))
		for i, v := range row {
			s := strings.ReplaceAll(v.(string), "\n", "\\n")
			if utf8.RuneCountInString(s) > maxCell {
				s = string([]rune(s)[:maxCell-1]) + "…"
			}
			text[r][i] = s
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, s := range cells {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)))
			}
		}
		b.WriteByte('\n')
	}
	line(names)
	sep := make([]string, len(names))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	b.WriteString(strings.Join(sep, "-+-") + "\n")
	for _, row := range text {
		line(row)
	}
	fmt.Fprintf(&b, "(%d rows)\n", len(rows))
	_, err := io.WriteString(w, b.String())
	return err
}
