package main

import (
	"io"
	"os"
	"time"
)

// env is everything the CLI takes from its process: the only place environment is read.
type env struct {
	lookupEnv func(string) (string, bool)
	now       func() time.Time
	// isTerminal reports whether w is an interactive terminal.
	isTerminal func(w io.Writer) bool
	// exit ends the process at once (crash drills); tests replace it.
	exit func(code int)
	// program is how the user invoked revops (for the commands it suggests).
	program string
}

func osEnv() env {
	return env{
		lookupEnv:  os.LookupEnv,
		now:        time.Now,
		isTerminal: isTerminal,
		exit:       os.Exit,
		program:    os.Args[0],
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
