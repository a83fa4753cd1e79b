package boardingpass

import "strconv"

// Code is the stable, machine-readable reason a pass was rejected. Callers (gate UIs, logs,
// metrics) switch on it; the strings never change once published.
type Code string

// Codes returned by Parse, Encode, Sign and Verify.
const (
	CodeTooShort          Code = "too_short"          // input ends inside a mandatory field
	CodeTooLong           Code = "too_long"           // input longer than MaxLen
	CodeBadChar           Code = "bad_char"           // byte outside printable ASCII (0x20..0x7E)
	CodeBadFormatCode     Code = "bad_format_code"    // first character is not 'M'
	CodeBadLegCount       Code = "bad_leg_count"      // number of legs not a digit 1..4
	CodeBadHex            Code = "bad_hex"            // a size field is not two uppercase hex digits
	CodeSizeOverflow      Code = "size_overflow"      // a size field announces more than its section holds
	CodeBadJulianDate     Code = "bad_julian_date"    // date of flight not 001..366
	CodeBadVersion        Code = "bad_version"        // conditional section without '>' + version digit
	CodeTrailingData      Code = "trailing_data"      // bytes after the last section
	CodeBadSecurity       Code = "bad_security"       // malformed or unsupported security section
	CodeBadField          Code = "bad_field"          // Encode: value too wide, out of range or bad charset
	CodeUnsigned          Code = "unsigned"           // Verify: no security section
	CodeSignatureInvalid  Code = "signature_invalid"  // Verify: no trusted key verifies the signature
	CodeUnknownAirline    Code = "unknown_airline"    // Verify: no certificate trusted for the designator
	CodeUnsupportedSigner Code = "unsupported_signer" // Sign: key is not ECDSA P-256
)

// Error is every error this package returns. Field names the BCBP element (as in Resolution
// 792) and Offset is the byte position in the input where the problem was found (-1 when not
// about a position). Err, when set, is the underlying cause.
type Error struct {
	Code   Code
	Field  string
	Offset int
	Err    error
}

func (e *Error) Error() string {
	msg := "boardingpass: " + string(e.Code)
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Offset >= 0 {
		msg += " at offset " + strconv.Itoa(e.Offset)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnsigned) and friends match on Code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is; any *Error with the same Code matches.
var (
	ErrUnsigned         = &Error{Code: CodeUnsigned, Offset: -1}
	ErrSignatureInvalid = &Error{Code: CodeSignatureInvalid, Offset: -1}
	ErrUnknownAirline   = &Error{Code: CodeUnknownAirline, Offset: -1}
)

func errAt(code Code, field string, off int) *Error {
	return &Error{Code: code, Field: field, Offset: off}
}
