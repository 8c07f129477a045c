package main

import (
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/file"
	"github.com/revops/revops/extract/hubspot"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/stripe"
)

// sources is the one list of connectors this build knows, by the type written in revops.yaml.
func sources() *extract.Registry {
	r := extract.NewRegistry()
	r.Register("file", file.New)
	r.Register("hubspot", hubspot.New)
	r.Register("salesforce", salesforce.New)
	r.Register("stripe", stripe.New)
	return r
}
