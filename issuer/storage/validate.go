package storage

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds every backend enforces on input; larger values fail with ErrInvalid.
const (
	MaxKeyLen         = 256      // IDs, names, actions, VCTs, thumbprints, c_nonces
	MaxTextLen        = 2048     // URIs and other free text
	MaxJSONBytes      = 64 << 10 // encoded Holder.Attributes / AuditEvent.Details
	MaxJSONDepth      = 32       // nesting of Holder.Attributes
	MaxPortraitBytes  = 1 << 20  // a sealed Portrait
	MaxStatusListSize = 1 << 24  // slots per status list
	DefaultLimit      = 100      // page size when a limit <= 0 is given
	MaxLimit          = 1000     // largest page a List method returns
)

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// ClampLimit maps a caller's page size onto 1..MaxLimit (<= 0 means DefaultLimit).
func ClampLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// checkString: required strings must be non-empty; all must be valid UTF-8 without NUL
// (PostgreSQL TEXT cannot hold NUL, and every backend must accept the same inputs).
func checkString(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return invalid("%s is empty", field)
	case len(s) > max:
		return invalid("%s longer than %d bytes", field, max)
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		return invalid("%s is not valid UTF-8 text", field)
	}
	return nil
}

func checkHash(field string, h []byte, required bool) error {
	if h == nil && !required {
		return nil
	}
	if len(h) != sha256.Size {
		return invalid("%s must be a %d-byte SHA-256 digest", field, sha256.Size)
	}
	return nil
}

// checkTime: instants must fit int64 nanoseconds since the epoch (years 1678..2262).
func checkTime(field string, t time.Time, required bool) error {
	if t.IsZero() {
		if required {
			return invalid("%s is zero", field)
		}
		return nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return invalid("%s out of range", field)
	}
	return nil
}

func checkTimePtr(field string, t *time.Time) error {
	if t == nil {
		return nil
	}
	return checkTime(field, *t, true)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// jsonDepth reports whether v nests maps/slices deeper than max.
func jsonTooDeep(v any, max int) bool {
	if max < 0 {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if jsonTooDeep(e, max-1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if jsonTooDeep(e, max-1) {
				return true
			}
		}
	}
	return false
}

// Validate checks h against the bounds above.
func (h Holder) Validate() error {
	if err := firstErr(checkString("holder id", h.ID, MaxKeyLen, true), checkTime("created_at", h.CreatedAt, false)); err != nil {
		return err
	}
	if jsonTooDeep(map[string]any(h.Attributes), MaxJSONDepth) {
		return invalid("attributes nested deeper than %d", MaxJSONDepth)
	}
	b, err := json.Marshal(h.Attributes)
	if err != nil {
		return invalid("attributes are not JSON: %v", err)
	}
	if len(b) > MaxJSONBytes {
		return invalid("attributes larger than %d bytes", MaxJSONBytes)
	}
	if h.Portrait != nil {
		if h.Portrait.HolderID != h.ID {
			return invalid("portrait of another holder")
		}
		return h.Portrait.Validate()
	}
	return nil
}

// Validate checks p: a sealed image of 1..MaxPortraitBytes bytes that expires.
func (p Portrait) Validate() error {
	if len(p.Sealed) == 0 || len(p.Sealed) > MaxPortraitBytes {
		return invalid("sealed portrait must be 1..%d bytes", MaxPortraitBytes)
	}
	return firstErr(checkString("holder id", p.HolderID, MaxKeyLen, true), checkTime("portrait expires_at", p.ExpiresAt, true),
		checkString("credential id", p.CredentialID, MaxKeyLen, false))
}

// Validate checks o; ExpiresAt is required because a pre-authorised code must expire.
func (o Offer) Validate() error {
	switch o.CredentialType {
	case CredentialTypeEmployeeID, CredentialTypeMDL, CredentialTypeMDLMdoc:
	default:
		return invalid("unknown credential type")
	}
	return firstErr(
		checkString("offer id", o.ID, MaxKeyLen, true),
		checkString("holder id", o.HolderID, MaxKeyLen, true),
		checkHash("pre-authorised code hash", o.PreAuthCodeHash, true),
		checkHash("tx code hash", o.TxCodeHash, false),
		checkTime("created_at", o.CreatedAt, false),
		checkTime("expires_at", o.ExpiresAt, true),
		checkTimePtr("redeemed_at", o.RedeemedAt),
		checkHash("token salt", o.TokenSalt, false),
	)
}

// Validate checks t; ExpiresAt is required because a bearer token must expire.
func (t AccessToken) Validate() error {
	return firstErr(
		checkHash("token hash", t.TokenHash, true),
		checkString("offer id", t.OfferID, MaxKeyLen, true),
		checkString("c_nonce", t.CNonce, MaxKeyLen, false),
		checkTime("c_nonce_expires_at", t.CNonceExpiresAt, false),
		checkTime("expires_at", t.ExpiresAt, true),
		checkTimePtr("used_at", t.UsedAt),
		checkString("credential id", t.CredentialID, MaxKeyLen, false),
	)
}

// Validate checks l: Bits must be 1, 2, 4 or 8 (IETF Token Status List).
func (l StatusList) Validate() error {
	switch l.Bits {
	case 1, 2, 4, 8:
	default:
		return invalid("status list bits must be 1, 2, 4 or 8")
	}
	if l.Size < 1 || l.Size > MaxStatusListSize {
		return invalid("status list size must be 1..%d", MaxStatusListSize)
	}
	return firstErr(
		checkString("status list id", l.ID, MaxKeyLen, true),
		checkString("status list uri", l.URI, MaxTextLen, true),
		checkTime("created_at", l.CreatedAt, false),
	)
}

// StatusFits reports whether status can be encoded in a slot of the given bit width.
func StatusFits(status uint8, bits int) bool {
	return bits >= 8 || int(status) < 1<<bits
}

// Validate checks c's own fields (StatusIndex is not checked: the store assigns it; whether
// Status fits the list's Bits is checked by the store against the list).
func (c Credential) Validate() error {
	return firstErr(
		checkString("credential id", c.ID, MaxKeyLen, true),
		checkString("holder id", c.HolderID, MaxKeyLen, true),
		checkString("offer id", c.OfferID, MaxKeyLen, false),
		checkString("vct", c.VCT, MaxTextLen, true),
		checkString("status list id", c.StatusListID, MaxKeyLen, true),
		checkString("holder key thumbprint", c.HolderKeyThumbprint, MaxKeyLen, false),
		checkTime("issued_at", c.IssuedAt, false),
		checkTime("expires_at", c.ExpiresAt, false),
		checkTime("updated_at", c.UpdatedAt, false),
		checkTimePtr("pending_until", c.PendingUntil),
	)
}

// Validate checks t.
func (t OperatorToken) Validate() error {
	return firstErr(
		checkHash("operator token hash", t.Hash, true),
		checkString("operator token name", t.Name, MaxKeyLen, true),
		checkTime("created_at", t.CreatedAt, false),
	)
}

// Validate checks e (Seq is ignored: the store assigns it).
func (e AuditEvent) Validate() error {
	if err := firstErr(
		checkTime("time", e.Time, false),
		checkString("actor", e.Actor, MaxKeyLen, false),
		checkString("action", e.Action, MaxKeyLen, true),
		checkString("subject", e.Subject, MaxTextLen, false),
	); err != nil {
		return err
	}
	n := 2
	for k, v := range e.Details {
		if err := firstErr(checkString("details key", k, MaxKeyLen, true), checkString("details value", v, MaxJSONBytes, false)); err != nil {
			return err
		}
		n += len(k) + len(v) + 6 // quotes, colon, comma
	}
	if n > MaxJSONBytes {
		return invalid("details larger than %d bytes", MaxJSONBytes)
	}
	return nil
}

// Validate checks f.
func (f CredentialFilter) Validate() error {
	return firstErr(
		checkString("holder id", f.HolderID, MaxKeyLen, false),
		checkString("after id", f.AfterID, MaxKeyLen, false),
		checkTime("pending_before", f.PendingBefore, false),
	)
}

// ValidateAudit checks every event of a write's audit list.
func ValidateAudit(events []AuditEvent) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}
