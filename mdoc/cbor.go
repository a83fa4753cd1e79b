package mdoc

import (
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Decoding bounds. A DeviceResponse carries a few documents with a portrait each; these bounds
// stop a hostile response from costing more than a few times that.
const (
	MaxResponseBytes = 1 << 20 // a whole DeviceResponse, IssuerSigned or embedded item
	maxNesting       = 16      // deepest legitimate path: response/doc/issuerSigned/nameSpaces/item/value/privileges/codes/...
	maxArray         = 1024
	maxMapPairs      = 1024
)

// tagEncodedCBOR is the CBOR tag of an embedded CBOR data item (RFC 8949 §3.4.5.1).
const tagEncodedCBOR = 24

// Tag numbers of the mdoc time types.
const (
	tagTDate    = 0    // tdate: RFC 3339 text
	tagFullDate = 1004 // full-date: RFC 8943 "YYYY-MM-DD"
)

var (
	// decMode is the one strict decoder of untrusted mdoc bytes: duplicate map keys, indefinite
	// lengths (ISO 18013-5 structures are definite-length), nesting beyond maxNesting and
	// oversized arrays and maps are refused; struct fields match their CBOR names exactly.
	decMode cbor.DecMode
	// encMode writes what idgate signs: core deterministic encoding (RFC 8949 §4.2.1).
	encMode cbor.EncMode
)

func init() {
	var err error
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		MaxNestedLevels:   maxNesting,
		MaxArrayElements:  maxArray,
		MaxMapPairs:       maxMapPairs,
		TagsMd:            cbor.TagsAllowed,
		UTF8:              cbor.UTF8RejectInvalid,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		TimeTag:           cbor.DecTagRequired,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
}

// decode decodes one complete data item of at most MaxResponseBytes into v.
func decode(b []byte, v any, what string) error {
	if len(b) > MaxResponseBytes {
		return newErr(CodeMalformed, nil, "%s is %d bytes, more than %d", what, len(b), MaxResponseBytes)
	}
	if err := decMode.Unmarshal(b, v); err != nil {
		return newErr(CodeMalformed, err, "%s", what)
	}
	return nil
}

// unwrap24 returns the bytes embedded in raw, which must be exactly #6.24(bstr).
func unwrap24(raw []byte, what string) ([]byte, error) {
	var t cbor.RawTag
	if err := decode(raw, &t, what); err != nil {
		return nil, err
	}
	if t.Number != tagEncodedCBOR {
		return nil, newErr(CodeMalformed, nil, "%s has tag %d, want 24 (embedded CBOR)", what, t.Number)
	}
	var inner []byte
	if err := decode(t.Content, &inner, what); err != nil {
		return nil, err
	}
	return inner, nil
}

// wrap24 returns #6.24(bstr b).
func wrap24(b []byte) ([]byte, error) {
	return encMode.Marshal(cbor.Tag{Number: tagEncodedCBOR, Content: b})
}

// TDate is an mdoc tdate: #6.0(tstr) in RFC 3339 with no fractional seconds, written in UTC.
type TDate time.Time

// Time returns t as a time.Time.
func (t TDate) Time() time.Time { return time.Time(t) }

// MarshalCBOR writes #6.0("YYYY-MM-DDThh:mm:ssZ").
func (t TDate) MarshalCBOR() ([]byte, error) {
	return encMode.Marshal(cbor.Tag{Number: tagTDate, Content: time.Time(t).UTC().Format("2006-01-02T15:04:05Z")})
}

// UnmarshalCBOR reads a tdate strictly: tag 0, RFC 3339 text, no fractional seconds.
func (t *TDate) UnmarshalCBOR(b []byte) error {
	var rt cbor.RawTag
	if err := decMode.Unmarshal(b, &rt); err != nil {
		return err
	}
	var s string
	if rt.Number != tagTDate {
		return newErr(CodeMalformed, nil, "tdate has tag %d, want 0", rt.Number)
	}
	if err := decMode.Unmarshal(rt.Content, &s); err != nil {
		return err
	}
	if strings.Contains(s, ".") {
		return newErr(CodeMalformed, nil, "tdate %q has fractional seconds", s)
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return newErr(CodeMalformed, err, "tdate %q", s)
	}
	*t = TDate(v)
	return nil
}

// FullDate is an mdoc full-date, #6.1004("YYYY-MM-DD") (RFC 8943), as birth_date, issue_date
// and expiry_date of the mDL carry it.
type FullDate string

// MarshalCBOR writes #6.1004(tstr).
func (d FullDate) MarshalCBOR() ([]byte, error) {
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return nil, newErr(CodeConfigInvalid, err, "full-date %q", string(d))
	}
	return encMode.Marshal(cbor.Tag{Number: tagFullDate, Content: string(d)})
}
