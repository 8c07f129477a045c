package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/internal/yamlx"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error, in order of appearance
	}{
		{"typo in top-level key", "version: 1\nwarehose:\n  type: duckdb\n",
			[]string{"revops.yaml:2:1:", `unknown key "warehose"`, `did you mean "warehouse"?`}},
		{"typo in nested key", "version: 1\nwarehouse:\n  pth: x.duckdb\n",
			[]string{"revops.yaml:3:3:", `warehouse: unknown key "pth"`, `did you mean "path"?`}},
		{"wrong type", "version: 1\nextract:\n  parallelism: many\n",
			[]string{"revops.yaml:3:16:", "extract.parallelism: expected a whole number", `"many"`}},
		{"list expected", "version: 1\nsources: file\n",
			[]string{"revops.yaml:2:10:", "sources: expected a list"}},
		{"missing required", "version: 1\nsources:\n  - type: file\n",
			[]string{"revops.yaml:3:5:", `sources[0]: missing required key "name"`}},
		{"missing version", "name: x\n",
			[]string{"revops.yaml:1:1:", `missing required key "version"`}},
		{"unsupported version", "version: 2\n",
			[]string{"version 2 is not supported", "reads version 1"}},
		{"duplicate source", "version: 1\nsources:\n  - {name: a, type: file}\n  - {name: a, type: file}\n",
			[]string{"revops.yaml:4:12:", `source name "a" is used twice`}},
		{"bad source name", "version: 1\nsources:\n  - {name: Bad-Name, type: file}\n",
			[]string{"revops.yaml:3:12:", "lower case"}},
		{"reserved schema", "version: 1\nsources:\n  - {name: x, type: file, schema: _revops}\n",
			[]string{"schema must be lower case", ""}},
		{"bad warehouse type", "version: 1\nwarehouse: {type: oracle}\n",
			[]string{"revops.yaml:2:19:", `warehouse type "oracle" is not supported`}},
		{"pushgateway not a URL", "version: 1\nmetrics: {pushgateway: 'pushgateway:9091'}\n",
			[]string{"revops.yaml:2:", `pushgateway "pushgateway:9091" is not an http(s) URL`}},
		{"unknown metrics key", "version: 1\nmetrics: {push: x}\n", []string{"revops.yaml:2:", "push"}},
		{"bad policy", "version: 1\nsources:\n  - {name: a, type: file, on_type_change: drop}\n",
			[]string{"on_type_change must be error or string"}},
		{"export needs table or query", "version: 1\nexports:\n  - {name: e, path: x.parquet}\n",
			[]string{"revops.yaml:3:5:", "needs exactly one of table or query"}},
		{"duplicate key", "version: 1\nversion: 1\n", []string{"revops.yaml:2:1:", `duplicate key "version"`}},
		{"unset env var", "version: 1\nwarehouse:\n  path: ${NOPE}\n",
			[]string{"revops.yaml:3:9:", "environment variable NOPE is not set"}},
		{"several errors at once", "version: 1\nwarehose: {}\nextract: {parallelism: x}\n",
			[]string{"revops.yaml:2:1:", "revops.yaml:3:24:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("revops.yaml", []byte(tt.yaml), Options{LookupEnv: env(nil)})
			if err == nil {
				t.Fatal("want an error, got none")
			}
			msg := err.Error()
			if tt.name == "reserved schema" {
				// _revops fails the identifier rule or the reserved rule; either names the schema.
				if !strings.Contains(msg, "_revops") {
					t.Fatalf("error %q does not name the schema", msg)
				}
				return
			}
			pos := 0
			for _, w := range tt.want {
				i := strings.Index(msg[pos:], w)
				if i < 0 {
					t.Fatalf("error %q\nlacks %q (after offset %d)", msg, w, pos)
				}
				pos += i
			}
		})
	}
}

func TestParseDefaultsAndVars(t *testing.T) {
	p, err := Parse("/p/revops.yaml", []byte("version: 1\nvars: {as_of_date: 2026-10-31, fiscal_start_month: 2}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Warehouse.Type != "duckdb" || p.WarehousePath() != "/p/revops.duckdb" || p.Extract.Parallelism != 4 ||
		p.Extract.CommitRows != 500000 || p.Models.Paths[0] != "models" {
		t.Fatalf("defaults not applied: %+v", p)
	}
	if p.Vars["as_of_date"] != "2026-10-31" {
		t.Fatalf("an unquoted date var must stay its text, got %#v", p.Vars["as_of_date"])
	}
	if err := p.MergeVars(`{as_of_date: 2026-11-30, currency: EUR}`); err != nil {
		t.Fatal(err)
	}
	if p.Vars["as_of_date"] != "2026-11-30" || p.Vars["currency"] != "EUR" || p.Vars["fiscal_start_month"] != 2 {
		t.Fatalf("vars = %v", p.Vars)
	}
	if err := p.MergeVars("[1, 2]"); err == nil {
		t.Fatal("a list as --vars must be an error")
	}
}

// A connector's settings are decoded strictly by the connector, with positions in revops.yaml,
// and secrets are expanded but never echoed.
func TestSourceSettingsAndSecrets(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := "version: 1\nsources:\n  - name: crm\n    type: fake\n    token: ${CRM_TOKEN}\n    key: ${file:token.txt}\n    page_size: 200\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(dir, Options{LookupEnv: env(map[string]string{"CRM_TOKEN": "s3cr3t"})})
	if err != nil {
		t.Fatal(err)
	}
	type settings struct {
		Token    yamlx.Secret `yaml:"token,required"`
		Key      yamlx.Secret `yaml:"key"`
		PageSize int          `yaml:"page_size"`
	}
	var s settings
	if err := p.SourceDecoder(0, env(map[string]string{"CRM_TOKEN": "s3cr3t"}))(&s); err != nil {
		t.Fatal(err)
	}
	if s.Token.Reveal() != "s3cr3t" || s.Key.Reveal() != "file-secret" || s.PageSize != 200 {
		t.Fatalf("settings = %+v", s)
	}
	for _, shown := range []string{s.Token.String(), fmtV(s), jsonOf(t, s)} {
		if strings.Contains(shown, "s3cr3t") || strings.Contains(shown, "file-secret") {
			t.Fatalf("secret leaked: %s", shown)
		}
	}
	type strict struct {
		Token yamlx.Secret `yaml:"token"`
	}
	err = p.SourceDecoder(0, env(map[string]string{"CRM_TOKEN": "s3cr3t"}))(&strict{})
	var errs yamlx.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Line != 6 || !strings.Contains(err.Error(), `unknown key "key"`) {
		t.Fatalf("want 2 unknown-key errors from line 6, got %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("secret leaked into error: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(t.TempDir(), Options{})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "revops init") {
		t.Fatalf("err = %v", err)
	}
}

// Vars are recorded in run_results.json, so they are never expanded from the environment.
func TestVarsAreNotExpanded(t *testing.T) {
	p, err := Parse("revops.yaml", []byte("version: 1\nvars: {token: '${API_TOKEN}'}\n"),
		Options{LookupEnv: env(map[string]string{"API_TOKEN": "s3cr3t"})})
	if err != nil {
		t.Fatal(err)
	}
	if p.Vars["token"] != "${API_TOKEN}" {
		t.Fatalf("vars.token = %v", p.Vars["token"])
	}
}
