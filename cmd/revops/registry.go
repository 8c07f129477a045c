package main

import (
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/chargebee"
	"github.com/revops/revops/extract/file"
	"github.com/revops/revops/extract/hubspot"
	"github.com/revops/revops/extract/marketo"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/stripe"
	"github.com/revops/revops/extract/zuora"
)

// sources is the one list of connectors this build knows, by the type written in revops.yaml.
func sources() *extract.Registry {
	r := extract.NewRegistry()
	r.Register("chargebee", chargebee.New)
	r.Register("file", file.New)
	r.Register("hubspot", hubspot.New)
	r.Register("marketo", marketo.New)
	r.Register("salesforce", salesforce.New)
	r.Register("stripe", stripe.New)
	r.Register("zuora", zuora.New)
	return r
}
