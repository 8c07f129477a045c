package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Manifest is target/manifest.json: every node of the project, its dependencies and the hash
// of its compiled SQL, for tools and for `revops docs`.
type Manifest struct {
	ManifestVersion int                       `json:"manifest_version"`
	GeneratedAt     time.Time                 `json:"generated_at"`
	RevopsVersion   string                    `json:"revops_version"`
	Project         string                    `json:"project"`
	Dialect         string                    `json:"dialect"`
	Nodes           map[string]ManifestNode   `json:"nodes"`
	Sources         map[string]ManifestSource `json:"sources"`
	Macros          []string                  `json:"macros"`
	ParentMap       map[string][]string       `json:"parent_map"`
	ChildMap        map[string][]string       `json:"child_map"`
}

// ManifestNode is one model.
type ManifestNode struct {
	UniqueID     string           `json:"unique_id"`
	ResourceType string           `json:"resource_type"` // model
	Name         string           `json:"name"`
	Package      string           `json:"package"`
	Path         string           `json:"path"`
	Description  string           `json:"description,omitempty"`
	Config       Config           `json:"config"`
	Relation     string           `json:"relation"`
	DependsOn    []string         `json:"depends_on"`
	Columns      []ManifestColumn `json:"columns"`
	Checks       []ManifestCheck  `json:"checks"`
	RawSQL       string           `json:"raw_sql"`
	// CompiledSQL is the full build's SQL (is_incremental() false); CompiledSQLHash its SHA-256.
	CompiledSQL     string `json:"compiled_sql"`
	CompiledSQLHash string `json:"compiled_sql_hash"`
	// CompiledIncrementalSQL is an incremental model's SQL for a run that merges new rows.
	CompiledIncrementalSQL  string `json:"compiled_incremental_sql,omitempty"`
	CompiledIncrementalHash string `json:"compiled_incremental_sql_hash,omitempty"`
}

// ManifestSource is one source table.
type ManifestSource struct {
	UniqueID    string           `json:"unique_id"`
	Source      string           `json:"source_name"`
	Table       string           `json:"name"`
	Relation    string           `json:"relation"`
	Description string           `json:"description,omitempty"`
	Extracted   bool             `json:"extracted"`
	Path        string           `json:"path"`
	Columns     []ManifestColumn `json:"columns"`
	Checks      []ManifestCheck  `json:"checks"`
}

// ManifestColumn is a documented column.
type ManifestColumn struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	DataType    string `json:"data_type,omitempty"`
}

// ManifestCheck is a check declared on a node, as the checks package names it.
type ManifestCheck struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Column   string `json:"column,omitempty"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// ManifestOptions fill the parts of a manifest the project does not know.
type ManifestOptions struct {
	RevopsVersion string
	Project       string
	Now           time.Time
	// Checks are the checks of each node, by unique id (from the checks package).
	Checks map[string][]ManifestCheck
}

// Manifest compiles every model and describes the project.
func (p *Project) Manifest(opts ManifestOptions) (*Manifest, error) {
	mf := &Manifest{ManifestVersion: 1, GeneratedAt: opts.Now.UTC(), RevopsVersion: opts.RevopsVersion,
		Project: opts.Project, Dialect: p.Dialect.Name(), Nodes: map[string]ManifestNode{},
		Sources: map[string]ManifestSource{}, ParentMap: map[string][]string{}, ChildMap: map[string][]string{}}
	for name := range p.Macros {
		mf.Macros = append(mf.Macros, name)
	}
	slices.Sort(mf.Macros)
	for _, m := range p.SortedModels() {
		c, err := p.Compile(m, false)
		if err != nil {
			return nil, err
		}
		n := ManifestNode{UniqueID: m.UniqueID(), ResourceType: "model", Name: m.Name, Package: m.Package,
			Path: m.Path, Description: m.Description, Config: m.Config, DependsOn: nonNil(m.DependsOn),
			Columns: manifestColumns(m.Columns), Checks: nonNilChecks(opts.Checks[m.UniqueID()]),
			RawSQL: m.RawSQL, CompiledSQL: c.SQL, CompiledSQLHash: c.Hash}
		if m.Built() {
			n.Relation = p.Dialect.QuoteIdent(m.Config.Schema, m.Identifier())
		}
		if m.Config.Materialized == Incremental {
			ci, err := p.Compile(m, true)
			if err != nil {
				return nil, err
			}
			n.CompiledIncrementalSQL, n.CompiledIncrementalHash = ci.SQL, ci.Hash
		}
		mf.Nodes[n.UniqueID] = n
		mf.ParentMap[n.UniqueID] = nonNil(m.DependsOn)
		mf.ChildMap[n.UniqueID] = nonNil(p.Children(n.UniqueID))
	}
	for id, s := range p.Sources {
		mf.Sources[id] = ManifestSource{UniqueID: id, Source: s.Source, Table: s.Table,
			Relation: p.Dialect.QuoteIdent(s.Schema, s.Identifier), Description: s.Description,
			Extracted: s.Extracted, Path: s.File, Columns: manifestColumns(s.Columns), Checks: nonNilChecks(opts.Checks[id])}
		mf.ChildMap[id] = nonNil(p.Children(id))
	}
	return mf, nil
}

func manifestColumns(cols []Column) []ManifestColumn {
	out := make([]ManifestColumn, 0, len(cols))
	for _, c := range cols {
		out = append(out, ManifestColumn{Name: c.Name, Description: c.Description, DataType: c.DataType})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

func nonNilChecks(s []ManifestCheck) []ManifestCheck {
	if s == nil {
		return []ManifestCheck{}
	}
	return s
}

// Write stores the manifest as dir/manifest.json atomically.
func (mf *Manifest) Write(dir string) error {
	data, err := json.MarshalIndent(mf, "", "  ")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, "manifest.json"), append(data, '\n'))
}

// writeFileAtomic writes path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteCompiled writes every model's compiled SQL under dir (target/compiled), mirroring the
// model files; an incremental model also gets <name>.incremental.sql. It returns the files written.
func (p *Project) WriteCompiled(dir string, models []*Model) ([]string, error) {
	var written []string
	for _, m := range models {
		variants := []bool{false}
		if m.Config.Materialized == Incremental {
			variants = append(variants, true)
		}
		for _, inc := range variants {
			c, err := p.Compile(m, inc)
			if err != nil {
				return written, err
			}
			path := filepath.Join(dir, filepath.FromSlash(m.CompiledPath(inc)))
			if err := writeFileAtomic(path, []byte(c.SQL+"\n")); err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}
