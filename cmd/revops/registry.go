package main

import (
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/file"
)

// sources is the one list of connectors this build knows, by the type written in revops.yaml.
func sources() *extract.Registry {
	r := extract.NewRegistry()
	r.Register("file", file.New)
	return r
}
