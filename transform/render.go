package transform

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/revops/revops/internal/yamlx"
	"github.com/revops/revops/transform/jinja"
)

// Relation is what ref(), source() and this render to: the quoted name of a warehouse relation
// (or of an ephemeral model's CTE).
type Relation struct {
	Schema     string
	Identifier string
	quoted     string
}

// String renders the quoted relation.
func (r Relation) String() string { return r.quoted }

// Attr serves {{ this.schema }}, {{ ref('m').identifier }} and dbt's .name / .table.
func (r Relation) Attr(name string) (any, bool) {
	switch name {
	case "schema":
		return r.Schema, true
	case "identifier", "name", "table":
		return r.Identifier, true
	case "database":
		return "", true
	}
	return nil, false
}

// renderer renders one model: in the parse pass (parse = true) it records config() and the
// dependencies; in the compile pass it resolves them and collects the ephemeral models used.
type renderer struct {
	p           *Project
	m           *Model
	parse       bool
	incremental bool

	deps       []string
	refPos     map[string]jinja.Pos
	ephemerals []*Model // in first-use order
}

func (r *renderer) render() (string, error) {
	r.refPos = map[string]jinja.Pos{}
	env := &jinja.Env{Globals: r.globals(), Macros: r.p.Macros}
	return r.m.tmpl.Render(env)
}

func (r *renderer) globals() map[string]any {
	g := map[string]any{
		"ref":            jinja.Func(r.ref),
		"source":         jinja.Func(r.source),
		"var":            jinja.Func(r.varFunc),
		"config":         jinja.Func(r.config),
		"is_incremental": jinja.Func(func(*jinja.Call) (any, error) { return r.incremental, nil }),
		"env_var":        jinja.Func(r.envVar),
		"this":           r.relationOf(r.m),
		"target":         target{dialect: r.p.Dialect.Name(), schema: r.p.opts.Defaults.Schema},
		"model":          modelInfo{r.m},
		"literal":        jinja.Func(r.literal),
		// identifier('segment__c') quotes a column name held in a var through the dialect.
		"identifier": jinja.Func(func(c *jinja.Call) (any, error) {
			name, err := c.String(0)
			if err != nil {
				return nil, fmt.Errorf("takes a column name: identifier(var('salesforce_account_segment_field')): %w", err)
			}
			if len(c.Args) != 1 || name == "" {
				return nil, fmt.Errorf("takes one non-empty column name: identifier(var('salesforce_account_segment_field'))")
			}
			return r.p.Dialect.QuoteIdent(name), nil
		}),
		// source_exists('crm', 'opportunities') tells whether the project declares that source
		// table, so that packaged models can turn themselves on for the sources a project has.
		"source_exists": jinja.Func(func(c *jinja.Call) (any, error) {
			src, err := c.String(0)
			if err != nil {
				return nil, err
			}
			tbl, err := c.String(1)
			if err != nil {
				return nil, err
			}
			_, err = r.p.lookupSource(src, tbl)
			return err == nil, nil
		}),
	}
	h := helpers(r.p.Dialect)
	maps.Copy(g, h)
	// dbt's namespaces, so that ported models keep working: dbt.dateadd(...), dbt_utils.generate_surrogate_key(...).
	g["dbt"] = namespace{name: "dbt", funcs: h}
	g["dbt_utils"] = namespace{name: "dbt_utils", funcs: h}
	g["revops"] = namespace{name: "revops", funcs: h}
	// exceptions.raise_compiler_error(msg) stops compilation with msg, as in dbt: models use it
	// to reject a var they cannot work with.
	g["exceptions"] = namespace{name: "exceptions", funcs: map[string]any{
		"raise_compiler_error": jinja.Func(func(c *jinja.Call) (any, error) {
			msg, err := c.String(0)
			if err != nil {
				return nil, err
			}
			return nil, errors.New(msg)
		}),
	}}
	return g
}

func (r *renderer) relationOf(m *Model) Relation {
	if m.Config.Materialized == Ephemeral {
		id := ephemeralName(m.Name)
		return Relation{Identifier: id, quoted: r.p.Dialect.QuoteIdent(id)}
	}
	return Relation{Schema: m.Config.Schema, Identifier: m.Identifier(),
		quoted: r.p.Dialect.QuoteIdent(m.Config.Schema, m.Identifier())}
}

func ephemeralName(model string) string { return "__revops_eph_" + model }

func (r *renderer) note(id string, pos jinja.Pos) {
	if _, ok := r.refPos[id]; !ok {
		r.refPos[id] = pos
		r.deps = append(r.deps, id)
	}
}

func (r *renderer) ref(c *jinja.Call) (any, error) {
	var name string
	switch len(c.Args) {
	case 1, 2:
		n, err := c.String(len(c.Args) - 1)
		if err != nil {
			return nil, err
		}
		name = n
	default:
		return nil, fmt.Errorf("takes a model name: ref('model')")
	}
	id := "model." + name
	r.note(id, c.Pos)
	if r.parse {
		return Relation{Identifier: name, quoted: r.p.Dialect.QuoteIdent(r.p.opts.Defaults.Schema, name)}, nil
	}
	m, err := r.p.lookupModel(name)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(r.m.DependsOn, id) {
		return nil, undeclaredDep(id)
	}
	if m.Config.Materialized == Ephemeral && !slices.Contains(r.ephemerals, m) {
		r.ephemerals = append(r.ephemerals, m)
	}
	return r.relationOf(m), nil
}

func undeclaredDep(id string) error {
	return fmt.Errorf("%s was not found when the model was parsed (it is only reached with "+
		"computed arguments); name it literally somewhere in the model, e.g. in a comment: "+
		"-- depends_on: {{ ref('...') }}", id)
}

func (r *renderer) source(c *jinja.Call) (any, error) {
	if len(c.Args) != 2 {
		return nil, fmt.Errorf("takes a source and a table: source('crm', 'accounts')")
	}
	src, err := c.String(0)
	if err != nil {
		return nil, err
	}
	tbl, err := c.String(1)
	if err != nil {
		return nil, err
	}
	id := "source." + src + "." + tbl
	r.note(id, c.Pos)
	s, err := r.p.lookupSource(src, tbl)
	if err != nil {
		if r.parse {
			return Relation{Identifier: tbl, quoted: r.p.Dialect.QuoteIdent(src, tbl)}, nil // reported by link
		}
		return nil, err
	}
	if !r.parse && !slices.Contains(r.m.DependsOn, id) {
		return nil, undeclaredDep(id)
	}
	return Relation{Schema: s.Schema, Identifier: s.Identifier, quoted: r.p.Dialect.QuoteIdent(s.Schema, s.Identifier)}, nil
}

func (r *renderer) varFunc(c *jinja.Call) (any, error) {
	name, err := c.String(0)
	if err != nil {
		return nil, err
	}
	if v, ok := r.p.Vars[name]; ok {
		return v, nil
	}
	if len(c.Args) > 1 {
		return c.Args[1], nil
	}
	if d, ok := c.Kwarg("default"); ok {
		return d, nil
	}
	known := slices.Sorted(maps.Keys(r.p.Vars))
	return nil, &jinja.Error{Pos: c.Pos, Msg: fmt.Sprintf("var(%q) is not set%s", name, yamlx.DidYouMean(name, known)),
		Hint: fmt.Sprintf("set it under vars: in revops.yaml, pass --vars '{%s: ...}', or give a default: var('%s', ...)", name, name)}
}

// literal renders a value as a SQL literal through the dialect: {{ literal(var('as_of_date')) }}
// gives '2026-10-31' with any quote inside escaped, so a var never splices raw text into SQL.
func (r *renderer) literal(c *jinja.Call) (any, error) {
	if len(c.Args) != 1 {
		return nil, fmt.Errorf("takes one value: literal(var('as_of_date'))")
	}
	return r.p.Dialect.QuoteLiteral(c.Args[0])
}

func (r *renderer) envVar(c *jinja.Call) (any, error) {
	name, err := c.String(0)
	if err != nil {
		return nil, err
	}
	if r.p.opts.LookupEnv != nil {
		if v, ok := r.p.opts.LookupEnv(name); ok {
			return v, nil
		}
	}
	if len(c.Args) > 1 {
		return c.Args[1], nil
	}
	return nil, fmt.Errorf("environment variable %s is not set and no default is given: env_var('%s', 'default')", name, name)
}

var configKeys = []string{"materialized", "unique_key", "incremental_strategy", "on_schema_change", "tags", "enabled", "schema", "alias"}

// config applies {{ config(...) }} in the parse pass; it renders nothing.
func (r *renderer) config(c *jinja.Call) (any, error) {
	if !r.parse {
		return "", nil
	}
	if len(c.Args) > 0 {
		return nil, fmt.Errorf("takes keyword arguments only: config(materialized='table')")
	}
	keys := slices.Sorted(maps.Keys(c.Kwargs))
	cfg := &r.m.Config
	for _, k := range keys {
		v := c.Kwargs[k]
		var err error
		switch k {
		case "materialized":
			cfg.Materialized, err = asString(k, v)
		case "unique_key":
			cfg.UniqueKey, err = asStrings(k, v)
		case "incremental_strategy":
			cfg.IncrementalStrategy, err = asString(k, v)
		case "on_schema_change":
			cfg.OnSchemaChange, err = asString(k, v)
		case "tags":
			var t []string
			t, err = asStrings(k, v)
			cfg.Tags = addTags(cfg.Tags, t...)
		case "enabled":
			b, ok := v.(bool)
			if !ok {
				err = fmt.Errorf("enabled must be true or false, got %v", v)
			}
			cfg.Enabled = b
		case "schema":
			cfg.Schema, err = asString(k, v)
		case "alias":
			cfg.Alias, err = asString(k, v)
		default:
			return nil, &jinja.Error{Pos: c.Pos, Msg: fmt.Sprintf("config(): unknown setting %q%s", k, yamlx.DidYouMean(k, configKeys)),
				Hint: "supported: " + strings.Join(configKeys, ", ")}
		}
		if err != nil {
			return nil, err
		}
	}
	return "", nil
}

func asString(key string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %v", key, v)
	}
	return s, nil
}

func asStrings(key string, v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s must be a string or a list of strings, got %v", key, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a string or a list of strings, got %v", key, v)
}

// target is {{ target }}: target.type is the dialect ("duckdb"), target.schema the default schema.
type target struct{ dialect, schema string }

func (t target) Attr(name string) (any, bool) {
	switch name {
	case "type":
		return t.dialect, true
	case "name":
		return "default", true
	case "schema":
		return t.schema, true
	}
	return nil, false
}

// modelInfo is {{ model }}: model.name and model.path.
type modelInfo struct{ m *Model }

func (mi modelInfo) Attr(name string) (any, bool) {
	switch name {
	case "name":
		return mi.m.Name, true
	case "path":
		return mi.m.Path, true
	case "materialized":
		return mi.m.Config.Materialized, true
	}
	return nil, false
}

// namespace serves dbt.dateadd(...) and the like.
type namespace struct {
	name  string
	funcs map[string]any
}

func (n namespace) Attr(name string) (any, bool) {
	f, ok := n.funcs[name]
	return f, ok
}

func (p *Project) lookupModel(name string) (*Model, error) {
	if m, ok := p.Models[name]; ok {
		return m, nil
	}
	if m, ok := p.disabled[name]; ok {
		return nil, fmt.Errorf("model %q is disabled (enabled: false in %s); enable it or remove the ref", name, m.Path)
	}
	names := slices.Sorted(maps.Keys(p.Models))
	return nil, fmt.Errorf("no model named %q%s", name, yamlx.DidYouMean(name, names))
}

func (p *Project) lookupSource(src, tbl string) (*Source, error) {
	if s, ok := p.Sources["source."+src+"."+tbl]; ok {
		return s, nil
	}
	var srcs []string
	for _, s := range p.Sources {
		if !slices.Contains(srcs, s.Source) {
			srcs = append(srcs, s.Source)
		}
	}
	sort.Strings(srcs)
	if slices.Contains(srcs, src) {
		tables := p.sourceTables(src)
		return nil, fmt.Errorf("source %q has no table %q%s; it has: %s", src, tbl, yamlx.DidYouMean(tbl, tables), strings.Join(tables, ", "))
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no source named %q: declare it in revops.yaml (sources:) or in a schema file's sources:", src)
	}
	return nil, fmt.Errorf("no source named %q%s; known sources: %s", src, yamlx.DidYouMean(src, srcs), strings.Join(srcs, ", "))
}
