package sdjwt

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"

	"github.com/idgate/idgate/internal/b64url"
)

// b64 is base64url without padding, rejecting non-canonical trailing bits
// (RFC 7515 §2), so one value has exactly one accepted encoding.
var b64 = base64.RawURLEncoding.Strict()

// Disclosure is one salted claim (RFC 9901 §4.2). Encoded is what gets hashed,
// so it is kept byte-for-byte as issued or received.
type Disclosure struct {
	Salt    string
	Name    string // "" for an array-element disclosure
	Value   any
	Encoded string // base64url of the JSON array, exactly as received/issued
}

// IsArrayElement reports whether d discloses an array element ([salt, value]).
func (d *Disclosure) IsArrayElement() bool { return d.Name == "" }

// NewDisclosure makes an object-property disclosure with a fresh 128-bit salt.
func NewDisclosure(name string, value any) (*Disclosure, error) {
	if err := checkClaimName(name); err != nil {
		return nil, err
	}
	return newDisclosure([]any{name, value}, name, value)
}

// NewArrayDisclosure makes an array-element disclosure with a fresh salt.
func NewArrayDisclosure(value any) (*Disclosure, error) {
	return newDisclosure([]any{value}, "", value)
}

func newDisclosure(rest []any, name string, value any) (*Disclosure, error) {
	var raw [saltBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, wrapErr(CodeSignFailed, "salt", err)
	}
	salt := b64.EncodeToString(raw[:])
	arr := append([]any{salt}, rest...)
	js, err := marshalJSON(arr)
	if err != nil {
		return nil, wrapErr(CodeDisclosureMalformed, "value is not JSON-encodable", err)
	}
	return &Disclosure{Salt: salt, Name: name, Value: value, Encoded: b64.EncodeToString(js)}, nil
}

// ParseDisclosure decodes a received disclosure strictly: canonical base64url,
// a JSON array of exactly 2 or 3 elements, a string salt and (for 3) a string
// claim name that is neither empty nor reserved (RFC 9901 §7.1 step 3).
func ParseDisclosure(encoded string) (*Disclosure, error) {
	return parseDisclosure(encoded, new(jsonDecoder))
}

func parseDisclosure(encoded string, dec *jsonDecoder) (*Disclosure, error) {
	if encoded == "" || len(encoded) > MaxTokenBytes {
		return nil, newErr(CodeDisclosureMalformed, "empty or oversized")
	}
	js, err := b64url.Decode(encoded)
	if err != nil {
		return nil, wrapErr(CodeDisclosureMalformed, "not base64url", err)
	}
	v, err := dec.decode(js, false)
	if err != nil {
		return nil, wrapErr(CodeDisclosureMalformed, "not a JSON array", err)
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, newErr(CodeDisclosureMalformed, "not a JSON array")
	}
	if len(arr) != 2 && len(arr) != 3 {
		return nil, newErr(CodeDisclosureMalformed, "array must have 2 or 3 elements")
	}
	salt, ok := arr[0].(string)
	if !ok {
		return nil, newErr(CodeDisclosureMalformed, "salt must be a string")
	}
	d := &Disclosure{Salt: salt, Encoded: encoded}
	switch len(arr) {
	case 2:
		d.Value = arr[1]
	case 3:
		name, ok := arr[1].(string)
		if !ok {
			return nil, newErr(CodeDisclosureMalformed, "claim name must be a string")
		}
		if err := checkClaimName(name); err != nil {
			return nil, err
		}
		d.Name, d.Value = name, arr[2]
	}
	return d, nil
}

// checkClaimName rejects names that would collide with SD-JWT machinery.
// "_sd" and "..." are forbidden by RFC 9901 §7.1; "_sd_alg" and "" are refused
// too (fail closed: neither has a legitimate use as a disclosed name, and ""
// would make the disclosure indistinguishable from an array element here).
func checkClaimName(name string) error {
	switch name {
	case "":
		return newErr(CodeDisclosureMalformed, "empty claim name")
	case "_sd", "...", "_sd_alg":
		return newErr(CodeDisclosureMalformed, "reserved claim name "+name)
	}
	return nil
}

// Digest returns base64url(hash(ASCII(Encoded))) — the hash input is the
// encoded string, not the JSON it decodes to (RFC 9901 §4.2.3).
func (d *Disclosure) Digest(hashAlg string) (string, error) {
	return digestOf(hashAlg, d.Encoded)
}

// marshalJSON encodes without HTML escaping (claim values like "<" stay as is)
// and without the trailing newline json.Encoder adds.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
