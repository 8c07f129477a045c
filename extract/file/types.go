package file

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/revops/revops/extract"
)

const portableTypes = "string, boolean, integer, double, decimal(p,s), date, timestamp or json"

// parseType validates a portable type and returns its canonical spelling (lower case, no spaces).
func parseType(s string) (string, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	switch t {
	case "string", "boolean", "integer", "double", "date", "timestamp", "json":
		return t, nil
	}
	inner, ok := strings.CutPrefix(t, "decimal(")
	if !ok && t != "decimal" {
		return "", fmt.Errorf("type %q is not valid: use %s", s, portableTypes)
	}
	inner, ok = strings.CutSuffix(inner, ")")
	ps, ss, comma := strings.Cut(inner, ",")
	if !ok || !comma {
		return "", fmt.Errorf("type %q is not valid: write decimal(precision,scale), e.g. decimal(18,2)", s)
	}
	p, errP := strconv.Atoi(ps)
	sc, errS := strconv.Atoi(ss)
	switch {
	case errP != nil || errS != nil:
		return "", fmt.Errorf("type %q is not valid: precision and scale must be integers, e.g. decimal(18,2)", s)
	case p < 1 || p > 38:
		return "", fmt.Errorf("type %q: precision must be between 1 and 38", s)
	case sc < 0 || sc > p:
		return "", fmt.Errorf("type %q: scale must be between 0 and the precision (%d)", s, p)
	}
	return fmt.Sprintf("decimal(%d,%d)", p, sc), nil
}

// decimalScale returns the scale of a canonical decimal(p,s) type.
func decimalScale(t string) int {
	inner := strings.TrimSuffix(strings.TrimPrefix(t, "decimal("), ")")
	_, s, _ := strings.Cut(inner, ",")
	n, _ := strconv.Atoi(s)
	return n
}

// inferFormat infers a file format from a path or pattern's extension; compression suffixes
// (.gz, .zst) are skipped. tsv reports a .tsv file (CSV with a tab delimiter).
func inferFormat(pattern string) (format extract.FileFormat, tsv, ok bool) {
	name := strings.ToLower(path.Base(pattern))
	for _, c := range []string{".gz", ".zst"} {
		name = strings.TrimSuffix(name, c)
	}
	switch path.Ext(name) {
	case ".csv":
		return extract.CSV, false, true
	case ".tsv":
		return extract.CSV, true, true
	case ".jsonl", ".ndjson", ".json":
		return extract.JSONL, false, true
	case ".parquet":
		return extract.Parquet, false, true
	}
	return "", false, false
}

// resolveFormat returns the stream's format: the explicit one, or the one every pattern implies.
// tsv reports that every pattern names .tsv files (so the default delimiter is a tab).
func resolveFormat(explicit string, patterns []string) (extract.FileFormat, bool, error) {
	tsv := len(patterns) > 0
	var inferred extract.FileFormat
	var first string
	var problem error
	for _, p := range patterns {
		f, t, ok := inferFormat(p)
		tsv = tsv && t
		switch {
		case !ok:
			problem = fmt.Errorf("cannot infer the format of path %q from its extension: set format: csv, jsonl or parquet", p)
		case inferred == "":
			inferred, first = f, p
		case f != inferred:
			problem = fmt.Errorf("paths %q (%s) and %q (%s) have different formats: split them into two streams", first, inferred, p, f)
		}
	}
	if explicit != "" {
		switch f := extract.FileFormat(explicit); f {
		case extract.CSV, extract.JSONL, extract.Parquet:
			return f, tsv, nil
		}
		return "", false, fmt.Errorf("format %q is not valid: use csv, jsonl or parquet", explicit)
	}
	if problem != nil {
		return "", false, problem
	}
	if tsv != anyTSV(patterns) {
		return "", false, fmt.Errorf("paths mix .csv and .tsv files, which need different delimiters: split them into two streams")
	}
	return inferred, tsv, nil
}

// anyTSV reports whether some pattern names .tsv files.
func anyTSV(patterns []string) bool {
	for _, p := range patterns {
		if _, t, _ := inferFormat(p); t {
			return true
		}
	}
	return false
}
