package loadtest

import "fmt"

// Code is a stable machine name for what went wrong in a load test run.
type Code string

const (
	CodeConfig   Code = "config"   // invalid Config
	CodeWorld    Code = "world"    // PKI, status list server or temp dir
	CodeServer   Code = "server"   // the verifier process did not start or become ready
	CodeSetup    Code = "setup"    // gate configuration, nonces, enrolment through the API
	CodeGenerate Code = "generate" // building passengers (credentials, passes, presentations)
	CodeProtocol Code = "protocol" // the verifier answered something we cannot read
)

// Error is every error Run returns; match with errors.As or errors.Is(err, &Error{Code: ...}).
type Error struct {
	Code Code
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("loadtest %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("loadtest %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by Code, so errors.Is(err, &Error{Code: CodeServer}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func errf(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}
