package pipelines

import (
	"io/fs"

	"github.com/revops/revops/config"
	"github.com/revops/revops/transform"
	"github.com/revops/revops/warehouse"
)

// LoadModels parses and validates the project's models (and, when the project enables them,
// the packaged ones in builtin) against the streams of plan. It runs no SQL.
func LoadModels(p *config.Project, plan *Plan, d warehouse.Dialect, builtin fs.FS, lookupEnv func(string) (string, bool)) (*transform.Project, error) {
	opts := transform.Options{
		Dir: p.Dir, Paths: p.Models.Paths, MacroPaths: p.Models.MacroPaths,
		Defaults:  transform.Config{Materialized: p.Models.Materialized, Schema: p.Models.Schema},
		Vars:      p.Vars,
		Dialect:   d,
		LookupEnv: lookupEnv,
	}
	if p.Models.Builtin {
		opts.Builtin = builtin
	}
	bySource := map[string]int{}
	for _, s := range plan.Streams {
		i, ok := bySource[s.Source]
		if !ok {
			i = len(opts.Sources)
			bySource[s.Source] = i
			opts.Sources = append(opts.Sources, transform.SourceDecl{Name: s.Source, Schema: s.Table.Schema})
		}
		opts.Sources[i].Tables = append(opts.Sources[i].Tables, transform.SourceTableDecl{
			Name: s.Stream.Name, PrimaryKey: s.Stream.PrimaryKey})
	}
	return transform.Load(opts)
}

// Selection is what --select/--exclude chose: streams to extract and models to build.
type Selection struct {
	Plan   *Plan
	Models []*transform.Model
}

// Select applies --select/--exclude to streams and models together (see transform.Project.Select):
// "source:crm+" extracts crm and builds everything downstream; "+fct_bookings" builds the model,
// its upstream models, and extracts the streams they read.
func Select(tp *transform.Project, plan *Plan, include, exclude []string) (Selection, error) {
	ids, err := tp.Select(include, exclude)
	if err != nil {
		return Selection{}, err
	}
	out := Selection{Plan: &Plan{}, Models: tp.ModelsOf(ids)}
	for _, s := range plan.Streams {
		if ids["source."+s.Source+"."+s.Stream.Name] {
			out.Plan.Streams = append(out.Plan.Streams, s)
		}
	}
	return out, nil
}

// AddModels appends the model steps.
func (r *Report) AddModels(results []transform.ModelResult) {
	for _, m := range results {
		st := Step{Kind: "model", StreamReport: StreamReport{
			Name: m.Model.Name, Table: m.Model.Config.Schema + "." + m.Model.Identifier(), Status: m.Status,
			Rows: max(m.Rows, 0), Inserted: m.Inserted, Updated: m.Updated, AddedColumns: m.AddedColumns,
			StartedAt: m.StartedAt, ElapsedSeconds: m.ElapsedSeconds,
		}, Materialized: m.Materialized, Path: m.Model.Path, SkippedBecause: m.SkippedBecause,
			CompiledSQLHash: m.CompiledHash, Incremental: m.Incremental}
		if m.Error != nil {
			st.Error = m.Error.Error()
		}
		r.Steps = append(r.Steps, st)
	}
}
