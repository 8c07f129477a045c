package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/revops/revops/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// cli is one invocation: its streams, environment and the flags every verb shares.
type cli struct {
	stdout, stderr io.Writer
	env            env
	log            *slog.Logger

	project   string
	logLevel  string
	logFormat string
}

// command is one verb.
type command struct {
	name     string
	args     string // positional arguments, for usage
	summary  string
	examples []string
	flags    func(fs *flag.FlagSet) // declares the verb's own flags
	run      func(ctx context.Context, c *cli, args []string) int
}

func commands() []*command {
	return []*command{
		initCommand(), demoCommand(), runCommand(), extractCommand(), buildCommand(),
		checkCommand(), compileCommand(), docsCommand(), lsCommand(), queryCommand(), showCommand(), versionCommand(),
	}
}

// run is the whole CLI: it parses args, runs the verb and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, e env) int {
	c := &cli{stdout: stdout, stderr: stderr, env: e}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if cmd := find(args[1]); cmd != nil {
				c.usage(cmd, stdout)
				return exitOK
			}
		}
		c.overview(stdout)
		if len(args) == 0 {
			return exitConfig
		}
		return exitOK
	}
	if args[0] == "--version" {
		args[0] = "version"
	}
	cmd := find(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "revops: unknown command %q\n\n", args[0])
		c.overview(stderr)
		return exitConfig
	}
	fs := flag.NewFlagSet("revops "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.project, "project", ".", "project directory (holding revops.yaml)")
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error (default: warn on a terminal, info otherwise)")
	fs.StringVar(&c.logFormat, "log-format", "auto", "auto (text on a terminal, JSON otherwise), text or json")
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		c.usage(cmd, stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "revops %s: %v\n\n", cmd.name, err)
		c.usage(cmd, stderr)
		return exitConfig
	}
	log, err := c.newLogger()
	if err != nil {
		fmt.Fprintf(stderr, "revops %s: %v\n", cmd.name, err)
		return exitConfig
	}
	c.log = log
	return cmd.run(ctx, c, pos)
}

func find(name string) *command {
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// parseInterleaved parses flags wherever they appear among the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (c *cli) overview(w io.Writer) {
	fmt.Fprint(w, `revops — ELT and data quality for revenue operations

Usage: revops <command> [flags]

Commands:
`)
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, `
Run 'revops <command> --help' for a command's flags and examples.
Exit codes: 0 ok, 1 check failed, 2 warnings with --warn-error, 3 runtime error,
            4 config or usage error, 5 another run holds the project lock.
`)
}

func (c *cli) usage(cmd *command, w io.Writer) {
	fmt.Fprintf(w, "revops %s — %s\n\nUsage: %s\n\nFlags:\n", cmd.name, cmd.summary, strings.TrimSpace("revops "+cmd.name+" [flags] "+cmd.args))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.String("project", ".", "project directory (holding revops.yaml)")
	fs.String("log-level", "", "debug, info, warn or error (default: warn on a terminal, info otherwise)")
	fs.String("log-format", "auto", "auto (text on a terminal, JSON otherwise), text or json")
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	if len(cmd.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, ex := range cmd.examples {
			fmt.Fprintf(w, "  %s\n", ex)
		}
	}
}

func (c *cli) newLogger() (*slog.Logger, error) {
	term := c.env.isTerminal(c.stderr)
	level := slog.LevelInfo
	if term {
		level = slog.LevelWarn
	}
	if c.logLevel != "" {
		if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
			return nil, fmt.Errorf("--log-level %q: expected debug, info, warn or error", c.logLevel)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.logFormat) {
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, opts)), nil
	case "auto", "":
		if term {
			return slog.New(slog.NewTextHandler(c.stderr, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(c.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: expected auto, text or json", c.logFormat)
}

// loadProject reads the project's config; on error it prints it and returns the exit code.
func (c *cli) loadProject(cmdName string) (*config.Project, int) {
	p, err := config.Load(c.project, config.Options{LookupEnv: c.env.lookupEnv})
	if err != nil {
		c.errorf(cmdName, "%v", err)
		return nil, exitConfig
	}
	return p, exitOK
}

func (c *cli) errorf(cmdName, format string, args ...any) {
	fmt.Fprintf(c.stderr, "revops %s: %s\n", cmdName, fmt.Sprintf(format, args...))
}

func versionCommand() *command {
	return &command{
		name: "version", summary: "print the version",
		examples: []string{"revops version"},
		run: func(_ context.Context, c *cli, _ []string) int {
			fmt.Fprintf(c.stdout, "revops %s\n", version)
			return exitOK
		},
	}
}
