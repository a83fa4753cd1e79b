package biometric

// Error is the typed error returned by this package. Code is a stable machine-readable string
// (safe to put in API responses and metrics); the message is for humans. Detailed causes are
// attached with fmt.Errorf("%w: ...") so callers match with errors.Is against the sentinels
// below and read the code with errors.As.
type Error struct {
	Code string
	msg  string
}

func (e *Error) Error() string { return "biometric: " + e.msg }

// Sentinel errors. Compare with errors.Is; never by string.
var (
	// ErrInvalidTemplate: wrong length, non-finite values or a bad model id.
	ErrInvalidTemplate error = &Error{Code: "invalid_template", msg: "invalid template"}
	// ErrMalformedEncoding: bytes or text that are not a template encoding.
	ErrMalformedEncoding error = &Error{Code: "malformed_encoding", msg: "malformed template encoding"}
	// ErrUnsupportedVersion: a template encoding with an unknown version byte.
	ErrUnsupportedVersion error = &Error{Code: "unsupported_version", msg: "unsupported template encoding version"}
	// ErrTooLarge: input above the size bound, rejected before parsing.
	ErrTooLarge error = &Error{Code: "input_too_large", msg: "input too large"}
	// ErrModelMismatch: templates from different models cannot be compared.
	ErrModelMismatch error = &Error{Code: "model_mismatch", msg: "templates come from different models"}
	// ErrInvalidOperatingPoint: a threshold that is not a positive finite number.
	ErrInvalidOperatingPoint error = &Error{Code: "invalid_operating_point", msg: "invalid operating point"}
	// ErrInvalidArgument: a caller error such as k <= 0 or an empty id.
	ErrInvalidArgument error = &Error{Code: "invalid_argument", msg: "invalid argument"}
	// ErrDuplicateID: Gallery.Add with an id that is already enrolled.
	ErrDuplicateID error = &Error{Code: "duplicate_id", msg: "id already enrolled"}
	// ErrInvalidKey: a key that is not an ECDH P-256 key of the expected kind.
	ErrInvalidKey error = &Error{Code: "invalid_key", msg: "invalid key"}
	// ErrSealed: a sealed template that cannot be opened (wrong key, tampered, wrong header).
	ErrSealed error = &Error{Code: "sealed_template_rejected", msg: "sealed template rejected"}
)
