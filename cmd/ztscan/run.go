package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, as SPEC.md fixes them.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2 // bad usage or bad input
	exitScan     = 3 // the scan itself could not run
)

// exitError carries the exit code an error maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func inputError(err error) error { return &exitError{code: exitUsage, err: err} }

func scanError(err error) error { return &exitError{code: exitScan, err: err} }

// findings is returned by commands whose result says "fail the build";
// it is not an error to print.
type findings struct{ code int }

func (f findings) Error() string { return "findings at or above --fail-on" }

// env is what commands may touch of the outside world; tests pass their
// own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run is the whole CLI: it parses args, runs the command and returns the
// exit code. main is the only caller of os.Exit.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCommand(e)
	root.SetArgs(defaultToScan(root, args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var f findings
	if errors.As(err, &f) {
		return f.code
	}
	var ee *exitError
	code := exitUsage // cobra's own errors are usage errors
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintf(stderr, "ztscan: %s\n", oneLine(err.Error()))
	return code
}

// oneLine keeps error output to the one line SPEC asks for; a multi-line
// error (several rule files wrong) is joined with "; ".
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}

// defaultToScan makes `ztscan [flags]` mean `ztscan scan [flags]`.
func defaultToScan(root *cobra.Command, args []string) []string {
	if len(args) == 0 {
		return []string{"scan"}
	}
	first := args[0]
	switch first {
	case "-h", "--help", "help", "completion", "__complete", "__completeNoDesc":
		return args
	}
	for _, c := range root.Commands() {
		if c.Name() == first || c.HasAlias(first) {
			return args
		}
	}
	if strings.HasPrefix(first, "-") {
		return append([]string{"scan"}, args...)
	}
	return args // an unknown command: cobra says so
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ztscan",
		Short: "Compliance scanner and audit reporter for Zero Trust Linux servers",
		Long: `ztscan collects facts of a Linux server (or of an unpacked image with --root),
judges them with Rego rules against the Zero Trust checklist, and reports
pass, fail, error or skip for every control.

Exit codes: 0 no failing result at or above --fail-on; 1 there are;
2 bad usage or bad input; 3 the scan itself could not run.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.AddCommand(
		newScanCommand(e),
		newCollectCommand(e),
		newEvalCommand(e),
		newRulesCommand(e),
		newConfigCommand(e),
		newDiffCommand(e),
		newVersionCommand(e),
	)
	return root
}
