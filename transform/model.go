package transform

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/transform/jinja"
)

// Materializations.
const (
	View        = "view"
	Table       = "table"
	Incremental = "incremental"
	Ephemeral   = "ephemeral"
)

// Incremental strategies.
const (
	StrategyMerge        = "merge"
	StrategyDeleteInsert = "delete+insert"
	StrategyAppend       = "append"
)

// Packages a model can come from.
const (
	PackageProject = "project" // a file of the project
	PackageBuiltin = "revops"  // shipped inside the binary
)

// Config is a model's configuration, from (lowest to highest precedence) the project defaults,
// the model's YAML entry and the {{ config() }} call in its SQL.
type Config struct {
	Materialized        string   `json:"materialized"`
	UniqueKey           []string `json:"unique_key,omitempty"`
	IncrementalStrategy string   `json:"incremental_strategy,omitempty"`
	// OnSchemaChange is what an incremental run does when the model's columns no longer match the
	// table's: fail (the default), ignore, append_new_columns or sync_all_columns.
	OnSchemaChange string   `json:"on_schema_change,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	Enabled        bool     `json:"enabled"`
	Schema         string   `json:"schema"`
	Alias          string   `json:"alias,omitempty"`
}

// Column documents one column of a model or source table.
type Column struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	DataType    string      `json:"data_type,omitempty"`
	Checks      []CheckDecl `json:"-"`
}

// CheckDecl is one entry of a `checks:` list, kept as written for the checks package to decode.
type CheckDecl struct {
	File   string
	Column string // "" for a table-level check
	Node   *yaml.Node
}

// Model is one SQL model.
type Model struct {
	Name        string
	Path        string // as shown to users: relative to the project, or "revops:" + the packaged path
	Package     string // PackageProject or PackageBuiltin
	Description string
	Config      Config
	Columns     []Column
	Checks      []CheckDecl // table-level checks
	// DependsOn lists the unique ids of the models and sources the model reads, sorted.
	DependsOn []string
	// RawSQL is the file's text.
	RawSQL string

	tmpl   *jinja.Template
	refPos map[string]jinja.Pos // where each dependency is first named, for errors
	// staticOnly marks dependencies found only by the static walk of every branch, not by the
	// parse render.
	staticOnly map[string]bool
}

// UniqueID is "model.<name>".
func (m *Model) UniqueID() string { return "model." + m.Name }

// Identifier is the relation name in the warehouse (the alias, else the model name).
func (m *Model) Identifier() string {
	if m.Config.Alias != "" {
		return m.Config.Alias
	}
	return m.Name
}

// Source is a table the project reads but does not build: a stream revops extracts (declared in
// revops.yaml) or an external table declared in a schema file's `sources:`.
type Source struct {
	Source      string // the source's name, first argument of source()
	Table       string // second argument of source()
	Schema      string
	Identifier  string // the table's name in the warehouse (default Table)
	Description string
	Extracted   bool   // true when revops extracts it
	TimeZone    string // default zone of its naive timestamps, for freshness checks
	PrimaryKey  []string
	Columns     []Column
	Checks      []CheckDecl
	File        string // where it is declared
}

// UniqueID is "source.<source>.<table>".
func (s *Source) UniqueID() string { return "source." + s.Source + "." + s.Table }

// Name is "<source>.<table>".
func (s *Source) Name() string { return s.Source + "." + s.Table }

// SourceDecl is what the caller knows about the sources revops extracts (from revops.yaml).
type SourceDecl struct {
	Name   string
	Schema string
	Tables []SourceTableDecl
}

// SourceTableDecl is one extracted table.
type SourceTableDecl struct {
	Name       string
	PrimaryKey []string
	TimeZone   string
}

func validMaterialization(m string) error {
	switch m {
	case View, Table, Incremental, Ephemeral:
		return nil
	}
	return fmt.Errorf("materialized %q is not one of view, table, incremental, ephemeral", m)
}

func validStrategy(s string) error {
	switch s {
	case "", StrategyMerge, StrategyDeleteInsert, StrategyAppend:
		return nil
	}
	return fmt.Errorf("incremental_strategy %q is not one of merge, delete+insert, append", s)
}

func validOnSchemaChange(s string) error {
	switch s {
	case "", "fail", "ignore", "append_new_columns", "sync_all_columns":
		return nil
	}
	return fmt.Errorf("on_schema_change %q is not one of fail, ignore, append_new_columns, sync_all_columns", s)
}

// strategy is the incremental strategy in effect: the configured one, else merge with a unique
// key and append without.
func (c Config) strategy() string {
	switch {
	case c.IncrementalStrategy != "":
		return c.IncrementalStrategy
	case len(c.UniqueKey) > 0:
		return StrategyMerge
	}
	return StrategyAppend
}

func (c Config) onSchemaChange() string {
	if c.OnSchemaChange == "" {
		return "fail"
	}
	return c.OnSchemaChange
}

// addTags merges tags, keeping them sorted and unique.
func addTags(have []string, more ...string) []string {
	for _, t := range more {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(have, t) {
			have = append(have, t)
		}
	}
	slices.Sort(have)
	return have
}
