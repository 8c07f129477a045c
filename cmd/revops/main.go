// Command revops is an ELT and data-quality engine for revenue operations: it extracts CRM,
// marketing and billing data, builds revenue models and checks that they can be trusted.
// Run `revops help` for the verbs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // IANA time zones travel with the binary
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, osEnv())
	stop()
	os.Exit(code)
}
