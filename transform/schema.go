package transform

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/internal/yamlx"
)

// schemaFile is a YAML file next to the models (dbt's "properties" files).
type schemaFile struct {
	Version int           `yaml:"version"`
	Models  []modelEntry  `yaml:"models"`
	Sources []sourceEntry `yaml:"sources"`
}

type modelEntry struct {
	Name        string        `yaml:"name,required"`
	Description string        `yaml:"description"`
	Config      *configEntry  `yaml:"config"`
	Columns     []columnEntry `yaml:"columns"`
	Checks      []*yaml.Node  `yaml:"checks"`
	Tests       []*yaml.Node  `yaml:"tests"`      // dbt's name
	DataTests   []*yaml.Node  `yaml:"data_tests"` // dbt's newer name

	node *yaml.Node
}

// allChecks joins the checks list with dbt's names for it (tests, data_tests).
func allChecks(lists ...[]*yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

type configEntry struct {
	Materialized        string     `yaml:"materialized"`
	UniqueKey           *yaml.Node `yaml:"unique_key"`
	IncrementalStrategy string     `yaml:"incremental_strategy"`
	OnSchemaChange      string     `yaml:"on_schema_change"`
	Tags                *yaml.Node `yaml:"tags"`
	Enabled             *bool      `yaml:"enabled"`
	Schema              string     `yaml:"schema"`
	Alias               string     `yaml:"alias"`
}

type columnEntry struct {
	Name        string       `yaml:"name,required"`
	Description string       `yaml:"description"`
	DataType    string       `yaml:"data_type"`
	Checks      []*yaml.Node `yaml:"checks"`
	Tests       []*yaml.Node `yaml:"tests"`      // dbt's name
	DataTests   []*yaml.Node `yaml:"data_tests"` // dbt's newer name
}

type sourceEntry struct {
	Name        string             `yaml:"name,required"`
	Description string             `yaml:"description"`
	Schema      string             `yaml:"schema"`
	TimeZone    string             `yaml:"time_zone"`
	Tables      []sourceTableEntry `yaml:"tables"`
}

type sourceTableEntry struct {
	Name        string        `yaml:"name,required"`
	Description string        `yaml:"description"`
	Identifier  string        `yaml:"identifier"`
	TimeZone    string        `yaml:"time_zone"`
	Columns     []columnEntry `yaml:"columns"`
	Checks      []*yaml.Node  `yaml:"checks"`
	Tests       []*yaml.Node  `yaml:"tests"`      // dbt's name
	DataTests   []*yaml.Node  `yaml:"data_tests"` // dbt's newer name
}

// parseSchemaFile decodes one YAML file strictly; errors carry file:line:col.
func parseSchemaFile(file string, data []byte) (*schemaFile, error) {
	root, err := yamlx.Parse(file, data)
	if err != nil {
		return nil, err
	}
	dec := &yamlx.Decoder{File: file}
	var sf schemaFile
	if err := dec.Decode(root, &sf); err != nil {
		return nil, err
	}
	if sf.Version != 0 && sf.Version != 2 && sf.Version != 1 {
		return nil, &yamlx.Error{File: file, Line: root.Line, Column: root.Column,
			Msg: fmt.Sprintf("version %d is not supported; write version: 2 (as dbt) or leave it out", sf.Version)}
	}
	// Keep each model entry's node for error positions.
	if models := mappingValue(root, "models"); models != nil && models.Kind == yaml.SequenceNode {
		for i := range sf.Models {
			if i < len(models.Content) {
				sf.Models[i].node = models.Content[i]
			}
		}
	}
	return &sf, nil
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// stringList reads a string or a list of strings (unique_key: id, tags: [a, b]).
func stringList(file string, n *yaml.Node, what string) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	bad := &yamlx.Error{File: file, Line: n.Line, Column: n.Column,
		Msg: fmt.Sprintf("%s: expected a string or a list of strings", what)}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, bad
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, bad
}

func checkDecls(file, column string, nodes []*yaml.Node) []CheckDecl {
	out := make([]CheckDecl, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, CheckDecl{File: file, Column: column, Node: n})
	}
	return out
}

func columnsOf(file string, entries []columnEntry) []Column {
	out := make([]Column, 0, len(entries))
	for _, c := range entries {
		out = append(out, Column{Name: c.Name, Description: c.Description, DataType: c.DataType,
			Checks: checkDecls(file, c.Name, allChecks(c.Checks, c.Tests, c.DataTests))})
	}
	return out
}
