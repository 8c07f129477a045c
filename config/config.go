// Package config reads a project's revops.yaml strictly: every unknown key, wrong type or missing
// required field is reported with file:line:column and what is expected, before anything runs.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/internal/yamlx"
)

// FileName is the project file in a project directory.
const FileName = "revops.yaml"

// Version is the only config version this build reads.
const Version = 1

// Project is a parsed, validated revops.yaml.
type Project struct {
	Version   int            `yaml:"version,required"`
	Name      string         `yaml:"name"`
	Warehouse Warehouse      `yaml:"warehouse"`
	Vars      map[string]any `yaml:"vars"`
	Models    Models         `yaml:"models"`
	Extract   Extract        `yaml:"extract"`
	Sources   []Source       `yaml:"sources"`
	Exports   []Export       `yaml:"exports"`
	Metrics   Metrics        `yaml:"metrics"`

	// Dir is the project directory (absolute) and File the config file's path.
	Dir  string `yaml:"-"`
	File string `yaml:"-"`
}

// Warehouse configures where data lands.
type Warehouse struct {
	// Type is the engine: duckdb (default).
	Type string `yaml:"type"`
	// Path is the DuckDB database file, relative to the project (default revops.duckdb).
	Path string `yaml:"path"`
	// Threads caps DuckDB's threads (0 = all cores).
	Threads int `yaml:"threads"`
	// MemoryLimit caps DuckDB's memory, e.g. "4GB" ("" = DuckDB's default, 80% of RAM).
	MemoryLimit string `yaml:"memory_limit"`
}

// Models configures the SQL models.
type Models struct {
	// Paths are the directories of model files and their YAML (default: models).
	Paths []string `yaml:"paths"`
	// MacroPaths are the directories of macro files (default: macros).
	MacroPaths []string `yaml:"macro_paths"`
	// Schema is the schema models are built in unless they say otherwise (default: main).
	Schema string `yaml:"schema"`
	// Materialized is the default materialization (default: view).
	Materialized string `yaml:"materialized"`
	// Threads is how many models build at once (default 4).
	Threads int `yaml:"threads"`
	// Builtin enables the canonical revenue models shipped inside revops.
	Builtin bool `yaml:"builtin"`
}

// Extract configures extraction.
type Extract struct {
	// Parallelism is how many streams extract at once (default 4).
	Parallelism int `yaml:"parallelism"`
	// CommitRows is how many rows a stream stages before it commits data and cursor together
	// (default 500000); a crash loses at most this much progress, never data.
	CommitRows int64 `yaml:"commit_rows"`
}

// Source is one upstream system.
type Source struct {
	Name string `yaml:"name,required"`
	Type string `yaml:"type,required"`
	// Schema is the warehouse schema its tables land in (default: the source's name).
	Schema string `yaml:"schema"`
	// Enabled false skips the source.
	Enabled *bool `yaml:"enabled"`
	// OnTypeChange is "error" (default) or "string": what a load does when a column's type
	// changes incompatibly upstream.
	OnTypeChange string `yaml:"on_type_change"`
	// Settings holds the connector's own keys; the connector decodes them strictly.
	Settings *yaml.Node `yaml:",remain"`
}

// IsEnabled reports whether the source runs.
func (s Source) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// TargetSchema is the schema the source's tables land in.
func (s Source) TargetSchema() string {
	if s.Schema != "" {
		return s.Schema
	}
	return s.Name
}

// Export writes a table or query result to a file after a run.
type Export struct {
	Name string `yaml:"name,required"`
	// Table ("schema.table" or "table") or Query (SQL) is exported; exactly one is set.
	Table string `yaml:"table"`
	Query string `yaml:"query"`
	// Format is parquet (default) or csv.
	Format string `yaml:"format"`
	// Path is the output file, relative to the project.
	Path string `yaml:"path,required"`
}

// Metrics configures the Prometheus metrics every run, extract, build and check leaves when it
// ends (see pipelines/metrics.go for the series).
type Metrics struct {
	// TextfileDir receives revops_<project>_<command>.prom for node_exporter's textfile
	// collector, relative to the project (default: the target directory).
	TextfileDir string `yaml:"textfile_dir"`
	// Pushgateway is the URL of a Prometheus Pushgateway to push to ("" = none).
	Pushgateway string `yaml:"pushgateway"`
	// Job is the Pushgateway job label (default revops).
	Job string `yaml:"job"`
}

// Options are what Load needs from its environment.
type Options struct {
	// LookupEnv resolves ${NAME} references (os.LookupEnv in main).
	LookupEnv func(string) (string, bool)
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ErrNotFound is returned when the directory has no revops.yaml.
var ErrNotFound = errors.New("no " + FileName + " found")

// Load reads and validates dir/revops.yaml.
func Load(dir string, opts Options) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve project dir %s: %w", dir, err)
	}
	file := filepath.Join(abs, FileName)
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s: create one with `revops init %s` or pass --project DIR", ErrNotFound, abs, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	p, err := Parse(file, data, opts)
	if err != nil {
		return nil, err
	}
	p.Dir = abs
	return p, nil
}

// Parse decodes and validates config text; file names the file in errors.
func Parse(file string, data []byte, opts Options) (*Project, error) {
	root, err := yamlx.Parse(file, data)
	if err != nil {
		return nil, err
	}
	dec := &yamlx.Decoder{File: file, LookupEnv: opts.LookupEnv, Dir: filepath.Dir(file)}
	if v := versionOf(root); v != 0 && v != Version {
		return nil, dec.Fail(root, "version %d is not supported by this revops (it reads version %d); upgrade revops", v, Version)
	}
	var p Project
	if err := dec.Decode(root, &p); err != nil {
		return nil, err
	}
	p.File = file
	p.Dir = filepath.Dir(file)
	if errs := p.validate(dec, root); len(errs) > 0 {
		return nil, errs
	}
	p.applyDefaults()
	return &p, nil
}

func versionOf(root *yaml.Node) int {
	if root.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "version" {
			var v int
			if root.Content[i+1].Decode(&v) == nil {
				return v
			}
		}
	}
	return 0
}

func (p *Project) applyDefaults() {
	if p.Warehouse.Type == "" {
		p.Warehouse.Type = "duckdb"
	}
	if p.Warehouse.Path == "" {
		p.Warehouse.Path = "revops.duckdb"
	}
	if p.Extract.Parallelism == 0 {
		p.Extract.Parallelism = 4
	}
	if p.Extract.CommitRows == 0 {
		p.Extract.CommitRows = 500_000
	}
	if len(p.Models.Paths) == 0 {
		p.Models.Paths = []string{"models"}
	}
	if len(p.Models.MacroPaths) == 0 {
		p.Models.MacroPaths = []string{"macros"}
	}
	if p.Models.Schema == "" {
		p.Models.Schema = "main"
	}
	if p.Models.Materialized == "" {
		p.Models.Materialized = "view"
	}
	if p.Models.Threads == 0 {
		p.Models.Threads = 4
	}
	if p.Vars == nil {
		p.Vars = map[string]any{}
	}
	if p.Metrics.Job == "" {
		p.Metrics.Job = "revops"
	}
}

// validate checks what decoding cannot; errors point at the offending node.
func (p *Project) validate(dec *yamlx.Decoder, root *yaml.Node) yamlx.Errors {
	var errs yamlx.Errors
	fail := func(n *yaml.Node, format string, args ...any) {
		var e *yamlx.Error
		if errors.As(dec.Fail(n, format, args...), &e) {
			errs = append(errs, e)
		}
	}
	at := func(path ...any) *yaml.Node { return locate(root, path...) }
	if p.Version != Version {
		fail(at("version"), "version must be %d", Version)
	}
	switch p.Warehouse.Type {
	case "", "duckdb":
	default:
		fail(at("warehouse", "type"), "warehouse type %q is not supported; expected duckdb", p.Warehouse.Type)
	}
	if u := p.Metrics.Pushgateway; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			fail(at("metrics", "pushgateway"), "pushgateway %q is not an http(s) URL such as http://pushgateway:9091", u)
		}
	}
	if p.Warehouse.Threads < 0 {
		fail(at("warehouse", "threads"), "threads must be 0 (all cores) or more")
	}
	if p.Models.Threads < 0 {
		fail(at("models", "threads"), "threads must be 1 or more")
	}
	switch p.Models.Materialized {
	case "", "view", "table", "incremental", "ephemeral":
	default:
		fail(at("models", "materialized"), "materialized %q is not one of view, table, incremental, ephemeral", p.Models.Materialized)
	}
	if p.Models.Schema != "" && !identRE.MatchString(p.Models.Schema) || strings.HasPrefix(p.Models.Schema, "_revops") {
		fail(at("models", "schema"), "schema %q must be lower case letters, digits and _ (and not _revops)", p.Models.Schema)
	}
	if p.Extract.Parallelism < 0 {
		fail(at("extract", "parallelism"), "parallelism must be 1 or more")
	}
	if p.Extract.CommitRows < 0 {
		fail(at("extract", "commit_rows"), "commit_rows must be 1 or more")
	}
	seen := map[string]bool{}
	for i, s := range p.Sources {
		if !identRE.MatchString(s.Name) {
			fail(at("sources", i, "name"), "source name %q must be lower case letters, digits and _ (starting with a letter or _)", s.Name)
		}
		if seen[s.Name] {
			fail(at("sources", i, "name"), "source name %q is used twice", s.Name)
		}
		seen[s.Name] = true
		if s.Schema != "" && !identRE.MatchString(s.Schema) {
			fail(at("sources", i, "schema"), "schema %q must be lower case letters, digits and _", s.Schema)
		}
		if s.TargetSchema() == "_revops" || strings.HasPrefix(s.TargetSchema(), "_revops") {
			fail(at("sources", i, "name"), "schema %q is reserved for revops' own state; choose another name or schema", s.TargetSchema())
		}
		switch s.OnTypeChange {
		case "", "error", "string":
		default:
			fail(at("sources", i, "on_type_change"), "on_type_change must be error or string, got %q", s.OnTypeChange)
		}
	}
	exportNames := map[string]bool{}
	for i, e := range p.Exports {
		if exportNames[e.Name] {
			fail(at("exports", i, "name"), "export name %q is used twice", e.Name)
		}
		exportNames[e.Name] = true
		if (e.Table == "") == (e.Query == "") {
			fail(at("exports", i), "export %q needs exactly one of table or query", e.Name)
		}
		switch e.Format {
		case "", "parquet", "csv":
		default:
			fail(at("exports", i, "format"), "export format must be parquet or csv, got %q", e.Format)
		}
	}
	return errs
}

// locate finds the node at a path of mapping keys (string) and list indexes (int); it returns the
// deepest node found, so an error always has a position.
func locate(n *yaml.Node, path ...any) *yaml.Node {
	for _, step := range path {
		next := (*yaml.Node)(nil)
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						next = n.Content[i+1]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// SourceDecoder returns a strict decoder for source i's connector settings.
func (p *Project) SourceDecoder(i int, lookupEnv func(string) (string, bool)) func(v any) error {
	settings := p.Sources[i].Settings
	return func(v any) error {
		dec := &yamlx.Decoder{File: p.File, LookupEnv: lookupEnv, Dir: p.Dir}
		return dec.Decode(settings, v)
	}
}

// WarehousePath is the absolute DuckDB file path.
func (p *Project) WarehousePath() string {
	if p.Warehouse.Path == ":memory:" || filepath.IsAbs(p.Warehouse.Path) {
		return p.Warehouse.Path
	}
	return filepath.Join(p.Dir, p.Warehouse.Path)
}

// MetricsDir is where the metrics textfiles are written.
func (p *Project) MetricsDir() string {
	if p.Metrics.TextfileDir == "" {
		return p.TargetDir()
	}
	if filepath.IsAbs(p.Metrics.TextfileDir) {
		return p.Metrics.TextfileDir
	}
	return filepath.Join(p.Dir, p.Metrics.TextfileDir)
}

// TargetDir is where artifacts (run_results.json, the lock) are written.
func (p *Project) TargetDir() string { return filepath.Join(p.Dir, "target") }

// MergeVars overlays vars given on the command line (a YAML or JSON mapping) on the project's.
func (p *Project) MergeVars(text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	const want = "--vars: expected a YAML or JSON mapping such as '{as_of_date: 2026-10-31}'"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return fmt.Errorf("%s: %w", want, err)
	}
	plain, err := yamlx.Plain(&doc)
	over, ok := plain.(map[string]any)
	if err != nil || !ok {
		return fmt.Errorf("%s, got %q", want, text)
	}
	if p.Vars == nil {
		p.Vars = map[string]any{}
	}
	maps.Copy(p.Vars, over)
	return nil
}
