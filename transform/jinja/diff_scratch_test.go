package jinja

import (
	"encoding/json"
	"os"
	"testing"
)

func TestDiffScratch(t *testing.T) {
	data, err := os.ReadFile("/tmp/jdiff/case.json")
	if err != nil {
		t.Skip()
	}
	var c struct {
		Ctx map[string]any
		Src string
	}
	dec := json.NewDecoder(bytesReader(data))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	tp, err := Parse("case", c.Src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tp.Render(&Env{Globals: fix(c.Ctx).(map[string]any)})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/jdiff/got.txt", []byte(out), 0o644)
}

func fix(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = fix(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fix(x[k])
		}
	}
	return v
}

type br struct {
	b []byte
	i int
}

func (r *br) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, os.ErrClosed
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}
func bytesReader(b []byte) *br { return &br{b: b} }
