package file

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/extract"
)

// cursorVersion is the version of the cursor JSON this package writes and reads.
const cursorVersion = 1

// timestampLayout renders cursor timestamps: UTC, microseconds (the warehouse's precision).
const timestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// state is the cursor of a stream, as JSON:
//
//	full:   {"v":1,"mode":"full","files":[{"path":"data/a.csv","size":10,"mtime_ns":1700000000000000000}]}
//	files:  {"v":1,"mode":"files","files":[{"path":...,"size":...,"mtime_ns":...,"sha256":"…"}]}
//	cursor: {"v":1,"mode":"cursor","field":"updated_at","type":"timestamp","max":"2024-05-01T00:00:00.000000Z","at_max":2}
type state struct {
	V     int         `json:"v"`
	Mode  mode        `json:"mode"`
	Files []fileEntry `json:"files,omitempty"`
	// Field and Type are the cursor column and its type; Max its greatest value loaded (nil when
	// no row had one); AtMax the number of rows holding Max when it was computed.
	Field string  `json:"field,omitempty"`
	Type  string  `json:"type,omitempty"`
	Max   *string `json:"max,omitempty"`
	AtMax int64   `json:"at_max,omitempty"`
}

// fileEntry is a loaded file, sorted by Path in state.Files.
type fileEntry struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	MtimeNS int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256,omitempty"`
}

// decodeState parses a cursor; a nil or empty cursor is a nil state.
func decodeState(c extract.Cursor) (*state, error) {
	if len(c) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(c))
	dec.DisallowUnknownFields()
	var s state
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if s.V != cursorVersion {
		return nil, fmt.Errorf("version %d is not %d (written by another revops version?)", s.V, cursorVersion)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *state) check() error {
	switch s.Mode {
	case modeFull, modeFiles:
		return checkEntries(s.Files)
	case modeCursor:
		if s.Field == "" || s.Type == "" {
			return errors.New("cursor state without field or type")
		}
		if s.Max != nil {
			if _, err := parseCursorValue(s.Type, *s.Max); err != nil {
				return fmt.Errorf("max: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("unknown mode %q", s.Mode)
}

func checkEntries(files []fileEntry) error {
	for i, f := range files {
		if f.Path == "" || f.Size < 0 {
			return fmt.Errorf("file %d: empty path or negative size", i)
		}
		if i > 0 && files[i-1].Path >= f.Path {
			return fmt.Errorf("files not sorted or duplicated at %q", f.Path)
		}
		if _, err := hex.DecodeString(f.SHA256); err != nil || len(f.SHA256) != 0 && len(f.SHA256) != 64 {
			return fmt.Errorf("file %q: sha256 %q is not 64 hex digits", f.Path, f.SHA256)
		}
	}
	return nil
}

func (s *state) encode() (extract.Cursor, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode cursor: %w", err)
	}
	return b, nil
}

// lookup returns the entry for path.
func (s *state) lookup(path string) (fileEntry, bool) {
	i, ok := slices.BinarySearchFunc(s.Files, path, func(e fileEntry, p string) int { return strings.Compare(e.Path, p) })
	if !ok {
		return fileEntry{}, false
	}
	return s.Files[i], true
}

// upsert adds or replaces an entry, keeping Files sorted.
func (s *state) upsert(e fileEntry) {
	i, ok := slices.BinarySearchFunc(s.Files, e.Path, func(f fileEntry, p string) int { return strings.Compare(f.Path, p) })
	if ok {
		s.Files[i] = e
		return
	}
	s.Files = slices.Insert(s.Files, i, e)
}

// parseCursorValue checks a cursor value's text for its type and returns it in canonical form.
func parseCursorValue(typ, v string) (string, error) {
	switch {
	case typ == "string":
		return v, nil
	case typ == "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		return strconv.FormatInt(n, 10), err
	case typ == "double":
		f, err := strconv.ParseFloat(v, 64)
		return strconv.FormatFloat(f, 'g', -1, 64), err
	case typ == "date":
		d, err := time.Parse(time.DateOnly, v)
		return d.Format(time.DateOnly), err
	case typ == "timestamp":
		t, err := time.Parse(time.RFC3339Nano, v)
		return t.UTC().Format(timestampLayout), err
	case strings.HasPrefix(typ, "decimal("):
		n, err := parseDecimal(v, decimalScale(typ))
		if err != nil {
			return "", err
		}
		return formatDecimal(n, decimalScale(typ)), nil
	}
	return "", fmt.Errorf("type %q cannot be a cursor", typ)
}

// predecessor returns the greatest value of typ below v, so that a filter "> predecessor(v)"
// keeps the rows equal to v. ok is false for types without one (string).
func predecessor(typ, v string) (string, bool, error) {
	switch {
	case typ == "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n == math.MinInt64 {
			return "", false, err
		}
		return strconv.FormatInt(n-1, 10), true, nil
	case typ == "double":
		f, err := strconv.ParseFloat(v, 64)
		return strconv.FormatFloat(math.Nextafter(f, math.Inf(-1)), 'g', -1, 64), err == nil, err
	case typ == "date":
		d, err := time.Parse(time.DateOnly, v)
		return d.AddDate(0, 0, -1).Format(time.DateOnly), err == nil, err
	case typ == "timestamp":
		t, err := time.Parse(time.RFC3339Nano, v)
		return t.UTC().Truncate(time.Microsecond).Add(-time.Microsecond).Format(timestampLayout), err == nil, err
	case strings.HasPrefix(typ, "decimal("):
		scale := decimalScale(typ)
		n, err := parseDecimal(v, scale)
		if err != nil {
			return "", false, err
		}
		return formatDecimal(n.Sub(n, big.NewInt(1)), scale), true, nil
	}
	return "", false, nil
}

// parseDecimal parses decimal text into an integer count of 10^-scale units.
func parseDecimal(v string, scale int) (*big.Int, error) {
	intPart, frac, _ := strings.Cut(v, ".")
	if len(frac) > scale {
		return nil, fmt.Errorf("decimal %q has more than %d decimals", v, scale)
	}
	n, ok := new(big.Int).SetString(intPart+frac+strings.Repeat("0", scale-len(frac)), 10)
	if !ok {
		return nil, fmt.Errorf("decimal %q is not a number", v)
	}
	return n, nil
}

// formatDecimal renders n units of 10^-scale as decimal text.
func formatDecimal(n *big.Int, scale int) string {
	sign, digits := "", new(big.Int).Abs(n).String()
	if n.Sign() < 0 {
		sign = "-"
	}
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}
