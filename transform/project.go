package transform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/transform/jinja"
	"github.com/revops/revops/warehouse"
)

// Options say where a project's files are and what it may reference.
type Options struct {
	// Dir is the project directory; Paths and MacroPaths are relative to it.
	Dir        string
	Paths      []string // model directories (default: models)
	MacroPaths []string // macro directories (default: macros)
	// Builtin holds the packaged models (nil: none). Files under macros/ are macros; every other
	// .sql file is a model and every .yml file a schema file. A project model of the same name
	// replaces a packaged one.
	Builtin fs.FS
	// Defaults are the project-wide model settings: Materialized (default view) and Schema
	// (default main).
	Defaults Config
	// Vars are the values of var() (revops.yaml vars merged with --vars).
	Vars map[string]any
	// Sources are the tables revops extracts, which source() may name.
	Sources []SourceDecl
	// Dialect renders identifiers, literals and the cross-database helpers.
	Dialect warehouse.Dialect
	// LookupEnv serves env_var(); nil means no variable is defined.
	LookupEnv func(string) (string, bool)
}

// Project is a parsed and validated set of models and sources.
type Project struct {
	Models  map[string]*Model  // by name; enabled models only
	Sources map[string]*Source // by unique id
	Macros  map[string]*jinja.Macro
	Vars    map[string]any
	Dialect warehouse.Dialect

	opts     Options
	disabled map[string]*Model
	children map[string][]string // unique id → ids of the nodes that depend on it
}

// file is one model, macro or schema file found on disk or in the packaged models.
type file struct {
	path    string // as shown to users
	pkg     string
	rel     string // relative to its models directory (for path: selection and compiled output)
	data    []byte
	isMacro bool
}

// Load reads, parses and validates a project: every model's template, config and references,
// and the DAG (unknown refs and cycles are errors). It runs no SQL. The error lists every
// problem found, each with file:line.
func Load(opts Options) (*Project, error) {
	if opts.Dialect == nil {
		return nil, errors.New("load models: no SQL dialect")
	}
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"models"}
	}
	if len(opts.MacroPaths) == 0 {
		opts.MacroPaths = []string{"macros"}
	}
	if opts.Defaults.Materialized == "" {
		opts.Defaults.Materialized = View
	}
	if opts.Defaults.Schema == "" {
		opts.Defaults.Schema = "main"
	}
	if opts.Vars == nil {
		opts.Vars = map[string]any{}
	}
	files, err := collect(opts)
	if err != nil {
		return nil, err
	}
	p := &Project{
		Models: map[string]*Model{}, Sources: map[string]*Source{}, Macros: map[string]*jinja.Macro{},
		Vars: opts.Vars, Dialect: opts.Dialect, opts: opts, disabled: map[string]*Model{},
	}
	var errs []error
	errs = append(errs, p.loadMacros(files)...)
	entries, sources, schemaErrs := p.loadSchemas(files)
	errs = append(errs, schemaErrs...)
	errs = append(errs, p.loadSources(sources)...)
	errs = append(errs, p.loadModels(files, entries)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := p.link(); err != nil {
		return nil, err
	}
	return p, nil
}

// collect lists the project's files, then the packaged ones.
func collect(opts Options) ([]file, error) {
	var out []file
	add := func(dirs []string, isMacro bool) error {
		for _, d := range dirs {
			root := filepath.Join(opts.Dir, d)
			err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					if errors.Is(err, fs.ErrNotExist) && p == root {
						return nil // a project without models/ or macros/ is fine
					}
					return err
				}
				if e.IsDir() && strings.HasPrefix(e.Name(), ".") && p != root {
					return filepath.SkipDir
				}
				if e.IsDir() || !wanted(e.Name(), isMacro) {
					return nil
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				shown, _ := filepath.Rel(opts.Dir, p)
				rel, _ := filepath.Rel(root, p)
				out = append(out, file{path: filepath.ToSlash(shown), pkg: PackageProject,
					rel: filepath.ToSlash(rel), data: data, isMacro: isMacro})
				return nil
			})
			if err != nil {
				return fmt.Errorf("read %s: %w", root, err)
			}
		}
		return nil
	}
	if err := add(opts.Paths, false); err != nil {
		return nil, err
	}
	if err := add(opts.MacroPaths, true); err != nil {
		return nil, err
	}
	if opts.Builtin != nil {
		err := fs.WalkDir(opts.Builtin, ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			isMacro := strings.HasPrefix(p, "macros/")
			if e.IsDir() || !wanted(e.Name(), isMacro) {
				return nil
			}
			data, err := fs.ReadFile(opts.Builtin, p)
			if err != nil {
				return err
			}
			out = append(out, file{path: "revops:" + p, pkg: PackageBuiltin, rel: p, data: data, isMacro: isMacro})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read packaged models: %w", err)
		}
	}
	return out, nil
}

func wanted(name string, isMacro bool) bool {
	ext := path.Ext(name)
	if isMacro {
		return ext == ".sql"
	}
	return ext == ".sql" || ext == ".yml" || ext == ".yaml"
}

func (p *Project) loadMacros(files []file) []error {
	var errs []error
	where := map[string]string{}
	for _, f := range files {
		if !f.isMacro {
			continue
		}
		t, err := jinja.Parse(f.path, string(f.data))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for name, m := range t.Macros() {
			if prev, ok := where[name]; ok {
				if f.pkg == PackageBuiltin && !strings.HasPrefix(prev, "revops:") {
					continue // project files come first: the project's macro replaces the packaged one
				}
				errs = append(errs, fmt.Errorf("%s: macro %q is also defined in %s; rename one", f.path, name, prev))
				continue
			}
			where[name] = f.path
			p.Macros[name] = m
		}
	}
	return errs
}

// loadSchemas decodes every schema file; a project entry for a model replaces a packaged one.
func (p *Project) loadSchemas(files []file) (map[string]modelEntryAt, []sourceEntryAt, []error) {
	entries := map[string]modelEntryAt{}
	var sources []sourceEntryAt
	var errs []error
	for _, f := range files {
		if f.isMacro || path.Ext(f.path) == ".sql" {
			continue
		}
		sf, err := parseSchemaFile(f.path, f.data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range sf.Models {
			if prev, ok := entries[e.Name]; ok {
				if prev.pkg == f.pkg {
					errs = append(errs, posErr(f.path, e.node, "model %q is also described in %s; keep one entry", e.Name, prev.file))
					continue
				}
				if f.pkg == PackageBuiltin {
					continue // the project's entry wins
				}
			}
			entries[e.Name] = modelEntryAt{modelEntry: e, file: f.path, pkg: f.pkg}
		}
		for _, s := range sf.Sources {
			sources = append(sources, sourceEntryAt{sourceEntry: s, file: f.path, pkg: f.pkg})
		}
	}
	return entries, sources, errs
}

type modelEntryAt struct {
	modelEntry
	file, pkg string
}

type sourceEntryAt struct {
	sourceEntry
	file, pkg string
}

func posErr(file string, n *yaml.Node, format string, args ...any) error {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	return &yamlx.Error{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// loadSources registers the extracted tables, then the schema files' source entries, which
// document extracted tables or declare external ones.
func (p *Project) loadSources(entries []sourceEntryAt) []error {
	var errs []error
	declared := map[string]bool{}
	for _, d := range p.opts.Sources {
		declared[d.Name] = true
		for _, t := range d.Tables {
			s := &Source{Source: d.Name, Table: t.Name, Schema: d.Schema, Identifier: t.Name, Extracted: true,
				TimeZone: t.TimeZone, PrimaryKey: t.PrimaryKey, File: "revops.yaml"}
			p.Sources[s.UniqueID()] = s
		}
	}
	for _, e := range entries {
		for _, t := range e.Tables {
			id := "source." + e.Name + "." + t.Name
			s, ok := p.Sources[id]
			switch {
			case ok && s.Extracted:
				if e.Schema != "" && e.Schema != s.Schema {
					errs = append(errs, fmt.Errorf("%s: source %q is extracted into schema %q by revops.yaml; remove schema: %q here",
						e.file, e.Name, s.Schema, e.Schema))
					continue
				}
			case ok:
				if e.pkg == PackageBuiltin {
					continue
				}
				errs = append(errs, fmt.Errorf("%s: source table %s.%s is also declared in %s", e.file, e.Name, t.Name, s.File))
				continue
			case declared[e.Name]:
				errs = append(errs, fmt.Errorf("%s: source %q has no table %q in revops.yaml (it extracts %s); fix the name or extract the table",
					e.file, e.Name, t.Name, strings.Join(p.sourceTables(e.Name), ", ")))
				continue
			case e.pkg == PackageBuiltin:
				continue // packaged docs for a source the project does not have
			default:
				schema := e.Schema
				if schema == "" {
					schema = e.Name
				}
				s = &Source{Source: e.Name, Table: t.Name, Schema: schema, Identifier: t.Name, File: e.file}
				if t.Identifier != "" {
					s.Identifier = t.Identifier
				}
				p.Sources[id] = s
			}
			if t.Description != "" {
				s.Description = t.Description
			} else if s.Description == "" {
				s.Description = e.Description
			}
			if t.TimeZone != "" {
				s.TimeZone = t.TimeZone
			} else if s.TimeZone == "" {
				s.TimeZone = e.TimeZone
			}
			s.Columns = append(s.Columns, columnsOf(e.file, t.Columns)...)
			s.Checks = append(s.Checks, checkDecls(e.file, "", allChecks(t.Checks, t.Tests, t.DataTests))...)
			if !s.Extracted || s.File == "revops.yaml" {
				s.File = e.file
			}
		}
	}
	return errs
}

func (p *Project) sourceTables(source string) []string {
	var out []string
	for _, s := range p.Sources {
		if s.Source == source {
			out = append(out, s.Table)
		}
	}
	sort.Strings(out)
	return out
}

// loadModels parses every model file and applies its schema entry and config.
func (p *Project) loadModels(files []file, entries map[string]modelEntryAt) []error {
	var errs []error
	byName := map[string]file{}
	for _, f := range files {
		if f.isMacro || path.Ext(f.path) != ".sql" {
			continue
		}
		name := strings.TrimSuffix(path.Base(f.rel), ".sql")
		if prev, ok := byName[name]; ok {
			if prev.pkg == f.pkg {
				errs = append(errs, fmt.Errorf("%s: model %q is also defined in %s; model names must be unique", f.path, name, prev.path))
				continue
			}
			if f.pkg == PackageBuiltin {
				continue // the project's file overrides the packaged model
			}
		}
		byName[name] = f
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		f := byName[name]
		m, err := p.parseModel(name, f, entries)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m.Config.Enabled {
			p.Models[name] = m
		} else {
			p.disabled[name] = m
		}
	}
	for name, e := range entries {
		if _, ok := byName[name]; !ok && e.pkg == PackageProject {
			errs = append(errs, posErr(e.file, e.node, "model %q has no SQL file%s", name, yamlx.DidYouMean(name, names)))
		}
	}
	return errs
}

func (p *Project) parseModel(name string, f file, entries map[string]modelEntryAt) (*Model, error) {
	t, err := jinja.Parse(f.path, string(f.data))
	if err != nil {
		return nil, err
	}
	m := &Model{Name: name, Path: f.path, Package: f.pkg, RawSQL: string(f.data), tmpl: t}
	m.Config = p.opts.Defaults
	m.Config.Enabled = true
	m.Config.Tags = slices.Clone(m.Config.Tags)
	if e, ok := entries[name]; ok {
		m.Description = e.Description
		m.Columns = columnsOf(e.file, e.Columns)
		m.Checks = checkDecls(e.file, "", allChecks(e.Checks, e.Tests, e.DataTests))
		if e.Config != nil {
			if err := applyYAMLConfig(&m.Config, e.file, e.Config); err != nil {
				return nil, err
			}
		}
	}
	// The parse render runs config() and records refs and sources; its output is discarded.
	r := &renderer{p: p, m: m, parse: true}
	if _, err := r.render(); err != nil {
		return nil, err
	}
	if err := validateConfig(m); err != nil {
		return nil, err
	}
	deps := map[string]bool{}
	for _, id := range r.deps {
		deps[id] = true
	}
	for _, c := range t.Calls("ref", "source") {
		if !c.Literal {
			continue
		}
		id, err := staticDep(c)
		if err != nil {
			return nil, &jinja.Error{Pos: jinja.Pos{File: f.path, Line: c.Line, Col: c.Col}, Msg: err.Error()}
		}
		if !deps[id] {
			if m.staticOnly == nil {
				m.staticOnly = map[string]bool{}
			}
			m.staticOnly[id] = true
		}
		deps[id] = true
	}
	for id := range deps {
		m.DependsOn = append(m.DependsOn, id)
	}
	sort.Strings(m.DependsOn)
	m.refPos = r.refPos
	for _, c := range t.Calls("ref", "source") {
		if c.Literal {
			if id, err := staticDep(c); err == nil {
				if _, ok := m.refPos[id]; !ok {
					m.refPos[id] = jinja.Pos{File: f.path, Line: c.Line, Col: c.Col}
				}
			}
		}
	}
	return m, nil
}

// staticDep is the unique id a literal ref()/source() call names.
func staticDep(c jinja.StaticCall) (string, error) {
	switch {
	case c.Name == "ref" && len(c.Args) == 1:
		return "model." + c.Args[0], nil
	case c.Name == "ref" && len(c.Args) == 2:
		return "model." + c.Args[1], nil
	case c.Name == "source" && len(c.Args) == 2:
		return "source." + c.Args[0] + "." + c.Args[1], nil
	case c.Name == "ref":
		return "", fmt.Errorf("ref() takes a model name: ref('model')")
	}
	return "", fmt.Errorf("source() takes a source and a table: source('crm', 'accounts')")
}

func applyYAMLConfig(c *Config, file string, e *configEntry) error {
	if e.Materialized != "" {
		c.Materialized = e.Materialized
	}
	if e.UniqueKey != nil {
		k, err := stringList(file, e.UniqueKey, "unique_key")
		if err != nil {
			return err
		}
		c.UniqueKey = k
	}
	if e.IncrementalStrategy != "" {
		c.IncrementalStrategy = e.IncrementalStrategy
	}
	if e.OnSchemaChange != "" {
		c.OnSchemaChange = e.OnSchemaChange
	}
	if e.Tags != nil {
		t, err := stringList(file, e.Tags, "tags")
		if err != nil {
			return err
		}
		c.Tags = addTags(c.Tags, t...)
	}
	if e.Enabled != nil {
		c.Enabled = *e.Enabled
	}
	if e.Schema != "" {
		c.Schema = e.Schema
	}
	if e.Alias != "" {
		c.Alias = e.Alias
	}
	return nil
}

func validateConfig(m *Model) error {
	c := m.Config
	for _, err := range []error{validMaterialization(c.Materialized), validStrategy(c.IncrementalStrategy), validOnSchemaChange(c.OnSchemaChange)} {
		if err != nil {
			return fmt.Errorf("%s: model %s: %w", m.Path, m.Name, err)
		}
	}
	if c.Materialized == Incremental && c.strategy() != StrategyAppend && len(c.UniqueKey) == 0 {
		return fmt.Errorf("%s: model %s: incremental_strategy %s needs a unique_key", m.Path, m.Name, c.strategy())
	}
	if c.Materialized == Ephemeral && len(m.Checks)+countColumnChecks(m.Columns) > 0 {
		return fmt.Errorf("%s: model %s is ephemeral (never built), so it cannot have checks; materialize it as a view or table", m.Path, m.Name)
	}
	return nil
}

func countColumnChecks(cols []Column) int {
	n := 0
	for _, c := range cols {
		n += len(c.Checks)
	}
	return n
}
