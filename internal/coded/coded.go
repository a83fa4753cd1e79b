// Package coded is the error scaffold of idgate's domain packages (certs, statuslist): an error
// with a stable machine Code, a human Detail and an underlying cause. A package declares its
// error type as an instance of Error named by a package marker, so that errors.Is matches two
// errors of one package with the same Code and never an error of another package.
package coded

import "fmt"

// Package names the package an Error belongs to: Prefix is its message prefix ("certs").
type Package interface{ Prefix() string }

// Error is a package P's typed error: Code is stable for machines (logs, metrics, API
// responses), Detail is for humans, Err is the cause.
type Error[P Package] struct {
	Code   string
	Detail string
	Err    error // underlying cause, if any
}

func (e *Error[P]) Error() string {
	var p P
	msg := p.Prefix() + ": " + e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error[P]) Unwrap() error { return e.Err }

// Is matches any error of the same package with the same Code.
func (e *Error[P]) Is(target error) bool {
	t, ok := target.(*Error[P])
	return ok && t.Code == e.Code
}

// New is an error of kind's Code with a formatted Detail and a cause.
func New[P Package](kind *Error[P], cause error, format string, args ...any) *Error[P] {
	return &Error[P]{Code: kind.Code, Detail: fmt.Sprintf(format, args...), Err: cause}
}
