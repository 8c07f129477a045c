package fake

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record is one record's fields by API name. Values the Go API accepts and returns:
// string (id, reference and text types), bool, int64 (int, long; any Go integer is accepted),
// float64 (double, percent, currency; integers accepted), time.Time (datetime, and date at
// midnight UTC; RFC 3339 and Salesforce datetime text, and "2006-01-02" for dates, accepted),
// and nil.
type Record map[string]any

// Truth is an object's ground truth: what a correct extract must hold after merging by Id.
type Truth struct {
	// Live are the records not deleted, by Id.
	Live map[string]Record
	// Deleted are the records in the recycle bin (visible to queryAll with IsDeleted = true),
	// by Id. Records purged from the recycle bin are in neither map.
	Deleted map[string]Record
}

// object is one object's definition and rows.
type object struct {
	name      string
	keyPrefix string
	custom    bool
	fields    []Field
	byLower   map[string]int
	rows      map[string]Record
	seq       int
	// deleteLog feeds getDeleted; logFloor is the newest deletion dropped from it.
	deleteLog []deletion
	logFloor  time.Time
	// changed is when the field list last changed (describe's If-Modified-Since).
	changed time.Time
}

type deletion struct {
	id string
	at time.Time
}

func newObject(d objectDef, now time.Time) (*object, error) {
	o := &object{name: d.name, keyPrefix: d.keyPrefix, custom: d.custom, byLower: map[string]int{},
		rows: map[string]Record{}, changed: now}
	for _, f := range d.fields {
		if err := o.addField(f); err != nil {
			return nil, fmt.Errorf("object %s: %w", d.name, err)
		}
	}
	return o, nil
}

func (o *object) addField(f Field) error {
	f, err := normalizeField(f)
	if err != nil {
		return err
	}
	if _, dup := o.byLower[strings.ToLower(f.Name)]; dup {
		return fmt.Errorf("field %s already exists", f.Name)
	}
	o.byLower[strings.ToLower(f.Name)] = len(o.fields)
	o.fields = append(o.fields, f)
	return nil
}

// field returns the field named name (case-insensitively).
func (o *object) field(name string) (Field, bool) {
	i, ok := o.byLower[strings.ToLower(name)]
	if !ok {
		return Field{}, false
	}
	return o.fields[i], true
}

func (o *object) has(name string) bool {
	_, ok := o.byLower[strings.ToLower(name)]
	return ok
}

// nextID returns a new 18-character id: key prefix, "FK", a base-62 sequence (so ids sort in
// creation order) and the case-safe checksum suffix Salesforce appends to 15-character ids.
func (o *object) nextID() string {
	for {
		o.seq++
		id := o.keyPrefix + "FK" + base62(uint64(o.seq), 10)
		id += idSuffix(id)
		if _, taken := o.rows[id]; !taken {
			return id
		}
	}
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func base62(n uint64, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = base62Digits[n%62]
		n /= 62
	}
	return string(b)
}

// idSuffix is the 3-character suffix that makes a 15-character id case-insensitively unique.
func idSuffix(id15 string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	out := make([]byte, 3)
	for i := range 3 {
		flags := 0
		for j := range 5 {
			if c := id15[i*5+j]; c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		out[i] = alphabet[flags]
	}
	return string(out)
}

// normalize converts a Go value for field f to the stored form (see Record).
func normalize(f Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if n, ok := v.(json.Number); ok {
		v = string(n)
		if f.Type != "string" && !isText(f.Type) {
			x, err := strconv.ParseFloat(string(n), 64)
			if err != nil {
				return nil, fmt.Errorf("field %s: %q is not a number", f.Name, n)
			}
			v = x
		}
	}
	switch f.Type {
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case "int", "long":
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) {
				return int64(x), nil
			}
		}
	case "double", "percent", "currency":
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
	case "datetime":
		t, err := toTime(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		t = t.UTC().Truncate(time.Millisecond)
		if isStamp(f.Name) {
			t = t.Truncate(time.Second) // SystemModstamp and friends have second precision
		}
		return t, nil
	case "date":
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return nil, fmt.Errorf("field %s: %q is not a date (2006-01-02)", f.Name, s)
			}
			return t, nil
		}
		if t, ok := v.(time.Time); ok {
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		}
	case "address", "location", "base64":
		return nil, fmt.Errorf("field %s: the fake does not store %s values", f.Name, f.Type)
	default: // text types
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("field %s (%s): cannot store a %T", f.Name, f.Type, v)
}

func isText(t string) bool {
	switch t {
	case "id", "reference", "string", "picklist", "multipicklist", "combobox", "textarea", "email",
		"phone", "url", "encryptedstring", "anyType", "time":
		return true
	}
	return false
}

func isStamp(name string) bool {
	return name == "SystemModstamp" || name == "LastModifiedDate" || name == "CreatedDate"
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, sfDatetime, "2006-01-02T15:04:05.000Z0700"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a datetime", x)
	}
	return time.Time{}, fmt.Errorf("cannot use a %T as a datetime", v)
}

// sfDatetime is the REST datetime format: UTC, milliseconds, an offset without a colon.
const sfDatetime = "2006-01-02T15:04:05.000-0700"

// setFields normalizes and stores fields of rec into row, rejecting unknown and compound ones.
func (o *object) setFields(row Record, rec Record) error {
	for k, v := range rec {
		f, ok := o.field(k)
		if !ok {
			return fmt.Errorf("%s has no field %q", o.name, k)
		}
		nv, err := normalize(f, v)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		row[f.Name] = nv
	}
	return nil
}

// stampOf returns the explicit stamp in rec (SystemModstamp, else LastModifiedDate), or def.
func (o *object) stampOf(rec Record, def time.Time) (time.Time, error) {
	for _, name := range []string{"SystemModstamp", "LastModifiedDate"} {
		for k, v := range rec {
			if strings.EqualFold(k, name) && v != nil {
				t, err := toTime(v)
				if err != nil {
					return time.Time{}, fmt.Errorf("%s: field %s: %w", o.name, name, err)
				}
				return t.UTC().Truncate(time.Second), nil
			}
		}
	}
	return def, nil
}

// insert adds a record; its stamps default to stamp.
func (o *object) insert(rec Record, stamp time.Time) (string, error) {
	row := Record{}
	for _, f := range o.fields {
		switch {
		case f.Type == "boolean":
			row[f.Name] = false // Salesforce booleans are never null
		case f.Type == "address" || f.Type == "location" || f.Type == "base64":
			continue
		default:
			row[f.Name] = nil
		}
	}
	if err := o.setFields(row, rec); err != nil {
		return "", err
	}
	id, _ := row["Id"].(string)
	if id == "" {
		id = o.nextID()
	} else if _, dup := o.rows[id]; dup {
		return "", fmt.Errorf("%s %s already exists", o.name, id)
	}
	row["Id"] = id
	for _, name := range []string{"CreatedDate", "LastModifiedDate", "SystemModstamp"} {
		if o.has(name) && row[name] == nil {
			row[name] = stamp
		}
	}
	if o.has("Name") && row["Name"] == nil && (row["FirstName"] != nil || row["LastName"] != nil) && o.name != "Account" {
		first, _ := row["FirstName"].(string)
		last, _ := row["LastName"].(string)
		row["Name"] = strings.TrimSpace(first + " " + last)
	}
	o.rows[id] = row
	return id, nil
}

// touch sets a row's modification stamps.
func (o *object) touch(row Record, stamp time.Time) {
	if o.has("LastModifiedDate") {
		row["LastModifiedDate"] = stamp
	}
	row["SystemModstamp"] = stamp
}

// softDelete moves a row to the recycle bin and logs the deletion.
func (o *object) softDelete(row Record, at time.Time) {
	row["IsDeleted"] = true
	o.touch(row, at)
	o.deleteLog = append(o.deleteLog, deletion{id: row["Id"].(string), at: at})
}

func (o *object) truth() Truth {
	t := Truth{Live: map[string]Record{}, Deleted: map[string]Record{}}
	for id, row := range o.rows {
		if row["IsDeleted"] == true {
			t.Deleted[id] = maps.Clone(row)
		} else {
			t.Live[id] = maps.Clone(row)
		}
	}
	return t
}

// sortedIDs returns the object's ids in byte order.
func (o *object) sortedIDs() []string {
	ids := slices.Collect(maps.Keys(o.rows))
	slices.Sort(ids)
	return ids
}
