package hubspot

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/revops/revops/internal/jsonpage"
)

// decodeObjectPage decodes a page of CRM records (the answer of list, search and batch read)
// as encoding/json would into page, without reflection: field names match without regard to
// case, the last of duplicate members wins, null leaves a field as it is (and sets the
// properties map, the results and paging to nil), and a value of the wrong JSON type is an
// error. propertiesWithHistory and paging, rare or small, go through encoding/json.
func decodeObjectPage(body []byte, page *pageOf[object]) error {
	d := objectDecoder{sc: jsonpage.NewScanner(body), names: map[string]string{}}
	sc := d.sc
	if sc.Peek() == jsonpage.Null {
		if _, err := sc.Value(); err != nil {
			return err
		}
		return sc.End()
	}
	if err := sc.Object(); err != nil {
		return err
	}
	for {
		key, ok, err := sc.Key()
		if err != nil {
			return err
		}
		if !ok {
			return sc.End()
		}
		switch {
		case bytes.EqualFold(key, []byte("results")):
			if page.Results, err = d.results(); err != nil {
				return fmt.Errorf("results: %w", err)
			}
		case bytes.EqualFold(key, []byte("paging")):
			v, err := sc.Value()
			if err != nil {
				return err
			}
			if err := json.Unmarshal(v.Text, &page.Paging); err != nil {
				return fmt.Errorf("paging: %w", err)
			}
		default:
			if err := sc.Skip(); err != nil {
				return err
			}
		}
	}
}

// objectDecoder reads records, sharing property names and string storage across a page.
type objectDecoder struct {
	sc    *jsonpage.Scanner
	names map[string]string // property names seen, so that each is allocated once a page
	slab  []string          // values the properties' pointers point into
}

func (d *objectDecoder) results() ([]object, error) {
	sc := d.sc
	if sc.Peek() == jsonpage.Null {
		_, err := sc.Value()
		return nil, err
	}
	if err := sc.Array(); err != nil {
		return nil, err
	}
	out := []object{}
	for i := 0; ; i++ {
		more, err := sc.Elem()
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
		out = append(out, object{})
		if err := d.object(&out[i]); err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
	}
}

func (d *objectDecoder) object(o *object) error {
	sc := d.sc
	if sc.Peek() == jsonpage.Null {
		_, err := sc.Value()
		return err
	}
	if err := sc.Object(); err != nil {
		return err
	}
	for {
		key, ok, err := sc.Key()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		switch {
		case bytes.EqualFold(key, []byte("id")):
			err = d.text(key, &o.ID)
		case bytes.EqualFold(key, []byte("properties")):
			err = d.properties(o)
		case bytes.EqualFold(key, []byte("createdAt")):
			err = d.text(key, &o.CreatedAt)
		case bytes.EqualFold(key, []byte("updatedAt")):
			err = d.text(key, &o.UpdatedAt)
		case bytes.EqualFold(key, []byte("archivedAt")):
			err = d.text(key, &o.ArchivedAt)
		case bytes.EqualFold(key, []byte("archived")):
			var v jsonpage.Value
			if v, err = sc.Value(); err == nil {
				switch v.Kind {
				case jsonpage.Bool:
					o.Archived = string(v.Text) == "true"
				case jsonpage.Null:
				default:
					err = fmt.Errorf("archived is a JSON %s, not a boolean", v.Kind)
				}
			}
		case bytes.EqualFold(key, []byte("propertiesWithHistory")):
			var v jsonpage.Value
			if v, err = sc.Value(); err == nil {
				if err = json.Unmarshal(v.Text, &o.PropertiesWithHistory); err != nil {
					err = fmt.Errorf("propertiesWithHistory: %w", err)
				}
			}
		default:
			err = sc.Skip()
		}
		if err != nil {
			return err
		}
	}
}

// text reads a string member into *dst (null leaves it as it is).
func (d *objectDecoder) text(key []byte, dst *string) error {
	v, err := d.sc.Value()
	switch {
	case err != nil:
		return err
	case v.Kind == jsonpage.String:
		*dst = string(v.Text)
	case v.Kind != jsonpage.Null:
		return fmt.Errorf("%s is a JSON %s, not a string", key, v.Kind)
	}
	return nil
}

// properties reads the properties object: each value a string, or null (a nil pointer).
func (d *objectDecoder) properties(o *object) error {
	sc := d.sc
	switch k := sc.Peek(); k {
	case jsonpage.Null:
		o.Properties = nil
		_, err := sc.Value()
		return err
	case jsonpage.Object:
	default:
		return fmt.Errorf("properties is a JSON %s, not an object", k)
	}
	if err := sc.Object(); err != nil {
		return err
	}
	if o.Properties == nil {
		o.Properties = make(map[string]*string, 24)
	}
	for {
		key, ok, err := sc.Key()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		name, known := d.names[string(key)]
		if !known {
			name = string(key)
			d.names[name] = name
		}
		v, err := sc.Value()
		switch {
		case err != nil:
			return err
		case v.Kind == jsonpage.Null:
			o.Properties[name] = nil
		case v.Kind == jsonpage.String:
			o.Properties[name] = d.ptr(string(v.Text))
		default:
			return fmt.Errorf("property %s is a JSON %s, not a string", name, v.Kind)
		}
	}
}

// ptr stores s and returns a pointer to it; a page's values share a few allocations.
func (d *objectDecoder) ptr(s string) *string {
	if len(d.slab) == cap(d.slab) {
		d.slab = make([]string, 0, 512)
	}
	d.slab = append(d.slab, s)
	return &d.slab[len(d.slab)-1]
}
