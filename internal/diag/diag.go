// Package diag is the one shape of a problem found in what the user gave
// us — the configuration, the repository's GitBook format, an OpenAPI spec —
// so that each problem is rendered once each to text, CI annotations and
// JSON, instead of being formatted as text and parsed back.
package diag

import (
	"errors"
	"fmt"
	"strings"
)

// Severity says whether a problem stops the run.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is a problem at a place in a file. Line and Col are 1-based;
// 0 means unknown. Field names the key or JSON pointer when there is one.
type Diagnostic struct {
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Field    string   `json:"field,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Errorf makes an error-severity diagnostic.
func Errorf(file string, line, col int, format string, args ...any) Diagnostic {
	return Diagnostic{File: file, Line: line, Col: col, Severity: Error, Message: fmt.Sprintf(format, args...)}
}

// Warnf makes a warning.
func Warnf(file string, line, col int, format string, args ...any) Diagnostic {
	return Diagnostic{File: file, Line: line, Col: col, Severity: Warning, Message: fmt.Sprintf(format, args...)}
}

// Pos is "file:line:col", as far as it is known.
func (d Diagnostic) Pos() string {
	switch {
	case d.File == "":
		return ""
	case d.Line == 0:
		return d.File
	case d.Col == 0:
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)
}

// String is the form people read: "file:line:col: message", the way
// compilers and linters print, with the field when there is one.
func (d Diagnostic) String() string {
	msg := d.Message
	if d.Field != "" {
		msg = d.Field + ": " + msg
	}
	if p := d.Pos(); p != "" {
		return p + ": " + msg
	}
	return msg
}

// Error lets a diagnostic travel as an error.
func (d Diagnostic) Error() string { return d.String() }

// List is the problems of one input, in the order found.
type List []Diagnostic

// Errors returns the error-severity diagnostics.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns the warnings.
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Err is nil when the list has no errors, else an error listing them
// (errors.As finds a Diagnostic in it).
func (l List) Err() error {
	errs := l.Errors()
	if len(errs) == 0 {
		return nil
	}
	list := make([]error, len(errs))
	for i, d := range errs {
		list[i] = d
	}
	return errors.Join(list...)
}

// String lists the diagnostics one per line.
func (l List) String() string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// As returns the diagnostics carried in err's tree (a Diagnostic or a
// joined list of them), for callers that render them.
func As(err error) List {
	var out List
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if d, ok := e.(Diagnostic); ok {
			out = append(out, d)
			return
		}
		if p, ok := e.(*Diagnostic); ok && p != nil {
			out = append(out, *p)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
