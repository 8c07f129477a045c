package yamlx

import (
	"strings"
	"testing"
	"time"
)

type sample struct {
	Name   string        `yaml:"name,required"`
	Keys   []string      `yaml:"keys"`
	Every  time.Duration `yaml:"every"`
	Ratio  float64       `yaml:"ratio"`
	On     *bool         `yaml:"on"`
	Token  Secret        `yaml:"token"`
	Labels map[string]int
	Nested struct {
		Deep string `yaml:"deep"`
	} `yaml:"nested"`
}

func decode(t *testing.T, text string, env map[string]string) (sample, error) {
	t.Helper()
	n, err := Parse("f.yaml", []byte(text))
	if err != nil {
		return sample{}, err
	}
	var s sample
	d := &Decoder{File: "f.yaml", LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	return s, d.Decode(n, &s)
}

func TestDecode(t *testing.T) {
	s, err := decode(t, "name: a\nkeys: id\nevery: 90m\nratio: 2\non: false\ntoken: pre-${T}-$${x}\nlabels: {a: 1}\nnested: {deep: x}\n",
		map[string]string{"T": "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "a" || len(s.Keys) != 1 || s.Keys[0] != "id" || s.Every != 90*time.Minute || s.Ratio != 2 ||
		s.On == nil || *s.On || s.Token.Reveal() != "pre-tok-${x}" || s.Labels["a"] != 1 || s.Nested.Deep != "x" {
		t.Fatalf("decoded %+v", s)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"name: a\nevery: soon\n", "f.yaml:2:8: every: expected a duration"},
		{"name: a\non: yes\n", `f.yaml:2:5: on: expected true or false, got "yes"`},
		{"name: a\nratio: [1]\n", "f.yaml:2:8: ratio: expected a number, got a list"},
		{"name: a\ntoken: ${UNSET}\n", "environment variable UNSET is not set"},
		{"name: a\ntoken: ${oops\n", "unterminated ${...} reference"},
		{"name: a\ntoken: ${file:/does/not/exist}\n", "read secret file /does/not/exist"},
		{"name: a\nnested: {deeep: 1}\n", `f.yaml:2:10: nested: unknown key "deeep"; expected one of: deep (did you mean "deep"?)`},
		{"keys: [a]\n", `f.yaml:1:1: the document: missing required key "name"`},
		{"name: {a: 1}\n", "f.yaml:1:7: name: expected a string, got a mapping"},
		{"", "the file is empty"},
	}
	for _, tt := range tests {
		_, err := decode(t, tt.text, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("decode %q: error %v, want %q", tt.text, err, tt.want)
		}
	}
}
