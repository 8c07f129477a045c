package main

// Exit codes: the contract schedulers act on (documented in README.md).
const (
	exitOK       = 0 // success
	exitCheck    = 1 // an error-severity check failed
	exitWarn     = 2 // only warnings, and --warn-error was given
	exitRuntime  = 3 // a runtime error: extract, load or model failed
	exitConfig   = 4 // config or usage error: nothing ran
	exitLocked   = 5 // another revops run holds the project lock
	exitCanceled = 130
)
