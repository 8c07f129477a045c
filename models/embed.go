// Package models holds the canonical revenue models that ship inside revops. A project turns
// them on with `models: {builtin: true}` in revops.yaml and replaces any one of them with a
// model file of the same name. The files are plain SQL and YAML, as a project's own.
package models

import (
	"embed"
	"io/fs"
)

//go:embed sql
var files embed.FS

// FS returns the packaged models: model and schema files, with macros under macros/.
func FS() fs.FS {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot fail
	}
	return sub
}
