package jinja

import (
	"errors"
	"strconv"
	"strings"

	"github.com/revops/revops/internal/yamlx"
)

// Pos is a place in a template: the file name given to Parse, a 1-based line and a 1-based
// column counted in characters (runes).
type Pos struct {
	File      string
	Line, Col int
}

// String is "file:line:col".
func (p Pos) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Error is every parse and render error. Its text is "file:line:col: msg", followed by
// " (hint: ...)" when Hint is set.
type Error struct {
	Pos  Pos
	Msg  string
	Hint string

	cause error // the error a Func returned, when it was not an *Error
}

func (e *Error) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// Unwrap is the error a Func returned, when this Error wraps one.
func (e *Error) Unwrap() error { return e.cause }

// hintError is an error raised below the evaluator (a value operation) that has no position
// yet; at wraps it into an *Error at the place of the expression that failed.
type hintError struct {
	msg, hint string
}

func (e *hintError) Error() string { return e.msg }

func newErr(msg string) error { return &hintError{msg: msg} }

func newHintErr(msg, hint string) error { return &hintError{msg: msg, hint: hint} }

// returnSignal carries the value of return(x) up to the macro call that catches it. It travels
// as an error so that rendering stops at once, without panics.
type returnSignal struct{ val any }

func (*returnSignal) Error() string { return "return() outside a macro" }

// at gives err the position p, unless it already has one (an *Error) or is a return signal.
func at(err error, p Pos) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *Error, *returnSignal:
		return err
	case *hintError:
		return &Error{Pos: p, Msg: e.msg, Hint: e.hint}
	}
	var je *Error
	if errors.As(err, &je) {
		return je
	}
	return &Error{Pos: p, Msg: err.Error(), cause: err}
}

// didYouMean is yamlx's suggestion as a hint: `did you mean "ref"?`, or "".
func didYouMean(got string, known []string) string {
	s := yamlx.DidYouMean(got, known)
	s = strings.TrimPrefix(s, " (")
	return strings.TrimSuffix(s, ")")
}

// joinHints joins the non-empty hints with "; ".
func joinHints(hints ...string) string {
	var b strings.Builder
	for _, h := range hints {
		if h == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(h)
	}
	return b.String()
}
