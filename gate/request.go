package gate

import (
	"bytes"
	"encoding/base64"
	"errors"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/internal/b64url"
	"github.com/idgate/idgate/internal/jsonscan"
)

// Size bounds of request fields. The HTTP layer bounds the whole body too
// (verifier.MaxServerBodyBytes, at least MaxBodyBytes).
const (
	MaxBodyBytes       = 3 << 20 // a live JPEG (base64) plus presentation and pass
	MaxPresentationLen = 64 << 10
	MaxMdocLen         = 64 << 10 // base64url characters of a DeviceResponse
	maxNonceLen        = 256
	MaxJPEGBytes       = 2 << 20 // a 1-2 MP gate camera capture
)

// LiveFace is the gate camera's capture: a template computed at the gate, or a JPEG for the
// verifier's FaceExtractor. Exactly one is set.
type LiveFace struct {
	Template string `json:"live_template,omitempty"` // biometric.Template.EncodeString form
	JPEG     []byte `json:"live_jpeg,omitempty"`     // a JPEG only; standard base64 in JSON
}

// VerifyRequest is the body of POST /v1/gates/{gate}/verify. The passenger's ID is exactly one
// of Presentation and Mdoc; Nonce goes with Mdoc only.
type VerifyRequest struct {
	Presentation string `json:"presentation,omitempty"` // SD-JWT VC + KB-JWT disclosing names and face_template
	// Mdoc is an ISO/IEC 18013-5 DeviceResponse (base64url, no padding) of the mDL disclosing
	// family_name, given_name and org.idgate.mdl.1 face_template, device-signed over
	// MdocSessionTranscript(audience, Nonce).
	Mdoc string `json:"mdoc,omitempty"`
	// Nonce is the gate nonce the terminal obtained and the mdoc's transcript binds; a
	// DeviceResponse does not carry it readably.
	Nonce string `json:"nonce,omitempty"`
	BCBP  string `json:"bcbp"` // the signed boarding pass as scanned
	LiveFace
}

// IdentifyRequest is the body of POST /v1/gates/{gate}/identify.
type IdentifyRequest struct {
	LiveFace
}

// EnrolRequest is the body of POST /v1/flights/{flight}/{date}/enrol. The ID is exactly one of
// Presentation and Mdoc (with Nonce, the check-in nonce), as in VerifyRequest.
type EnrolRequest struct {
	Presentation string `json:"presentation,omitempty"`
	Mdoc         string `json:"mdoc,omitempty"`
	Nonce        string `json:"nonce,omitempty"`
	BCBP         string `json:"bcbp"`
	// Departure is the scheduled departure time; retention counts from it. Optional: the
	// flight's DefaultDeparture is used when absent. It must lie within -24 h..+48 h of the
	// flight date (else the enrolment is denied malformed_request).
	Departure *time.Time `json:"departure,omitempty"`
}

// DecodeVerifyRequest strictly decodes and bounds a verify request. It never panics; every
// rejection is an *Error with Code malformed_request. Member names are matched exactly
// (case-sensitively), duplicates and null values are rejected: see decodeStrict.
func DecodeVerifyRequest(body []byte) (*VerifyRequest, error) {
	var r VerifyRequest
	if err := decodeStrict(body, r.set); err != nil {
		return nil, err
	}
	if err := checkID(r.Presentation, r.Mdoc, r.Nonce); err != nil {
		return nil, err
	}
	if r.BCBP == "" || len(r.BCBP) > boardingpass.MaxLen {
		return nil, errorf(ReasonMalformedRequest, "bcbp: required, at most %d characters", boardingpass.MaxLen)
	}
	if err := r.LiveFace.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeIdentifyRequest strictly decodes and bounds an identify request.
func DecodeIdentifyRequest(body []byte) (*IdentifyRequest, error) {
	var r IdentifyRequest
	if err := decodeStrict(body, r.set); err != nil {
		return nil, err
	}
	if err := r.LiveFace.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeEnrolRequest strictly decodes and bounds an enrolment request.
func DecodeEnrolRequest(body []byte) (*EnrolRequest, error) {
	var r EnrolRequest
	if err := decodeStrict(body, r.set); err != nil {
		return nil, err
	}
	if err := checkID(r.Presentation, r.Mdoc, r.Nonce); err != nil {
		return nil, err
	}
	if r.BCBP == "" || len(r.BCBP) > boardingpass.MaxLen {
		return nil, errorf(ReasonMalformedRequest, "bcbp: required, at most %d characters", boardingpass.MaxLen)
	}
	return &r, nil
}

// checkID checks that a request carries exactly one ID: a presentation, or an mdoc with the
// nonce its transcript binds (base64url without padding, within bounds).
func checkID(presentation, mdoc, nonce string) error {
	switch {
	case (presentation == "") == (mdoc == ""):
		return errorf(ReasonMalformedRequest, "exactly one of presentation and mdoc is required")
	case len(presentation) > MaxPresentationLen:
		return errorf(ReasonMalformedRequest, "presentation: at most %d bytes", MaxPresentationLen)
	case presentation != "" && nonce != "":
		return errorf(ReasonMalformedRequest, "nonce goes with mdoc only (a presentation's KB-JWT carries its own)")
	case mdoc == "":
		return nil
	case len(mdoc) > MaxMdocLen || !isBase64URL(mdoc):
		return errorf(ReasonMalformedRequest, "mdoc: base64url without padding, at most %d characters", MaxMdocLen)
	case nonce == "" || len(nonce) > maxNonceLen:
		return errorf(ReasonMalformedRequest, "nonce: required with mdoc, at most %d characters", maxNonceLen)
	}
	return nil
}

// isBase64URL reports whether s is canonical unpadded base64url (encoding/base64 would skip CR
// and LF), so one byte string has one spelling.
var isBase64URL = b64url.Valid

func (f *LiveFace) check() error {
	switch {
	case (f.Template == "") == (len(f.JPEG) == 0):
		return errorf(ReasonMalformedRequest, "exactly one of live_template and live_jpeg is required")
	case len(f.Template) > biometric.MaxEncodedStringLen:
		return errorf(ReasonMalformedRequest, "live_template too long")
	case len(f.JPEG) > MaxJPEGBytes:
		return errorf(ReasonMalformedRequest, "live_jpeg larger than %d bytes", MaxJPEGBytes)
	case len(f.JPEG) > 0 && !isJPEG(f.JPEG):
		return errorf(ReasonMalformedRequest, "live_jpeg must be a JPEG")
	}
	return nil
}

// isJPEG reports whether b starts with a JPEG SOI marker and a marker. Gate cameras send
// JPEG; other formats (a 16-bit PNG decodes to 8 bytes a pixel) never reach the extractor.
func isJPEG(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) }

// Member bits for duplicate detection; zero means an unknown member name.
const (
	memberPresentation uint8 = 1 << iota
	memberBCBP
	memberTemplate
	memberJPEG
	memberDeparture
	memberMdoc
	memberNonce
)

// setMember stores one member's decoded value and returns its bit (0: unknown name).
type setMember func(name, raw, val []byte) (uint8, error)

// decodeStrict decodes exactly one flat JSON object in one pass (internal/jsonscan). It accepts
// a subset of what encoding/json (Decoder + DisallowUnknownFields + More) accepts and yields the
// same struct; it rejects in addition, by design: member names that differ in case or contain
// escapes (encoding/json folds case), duplicate members (encoding/json keeps the last), null
// values, invalid UTF-8 and unpaired surrogates (encoding/json substitutes U+FFFD), and
// anything but whitespace after the object (More lets a stray '}' or ']' through).
func decodeStrict(body []byte, set setMember) error {
	if len(body) > MaxBodyBytes {
		return errorf(ReasonMalformedRequest, "body larger than %d bytes", MaxBodyBytes)
	}
	var seen uint8
	err := jsonscan.FlatObject(body, func(name, raw, val []byte) error {
		bit, err := set(name, raw, val)
		switch {
		case err != nil:
			return err
		case bit == 0:
			return errUnknownMember
		case seen&bit != 0:
			return errDuplicateMember
		}
		seen |= bit
		return nil
	})
	if err != nil {
		return errorf(ReasonMalformedRequest, "body is not the expected JSON object")
	}
	return nil
}

var (
	errUnknownMember   = errors.New("unknown member")
	errDuplicateMember = errors.New("duplicate member")
)

// credentialMembers points at the ID and pass members of a verify or enrol request.
type credentialMembers struct{ pres, mdoc, nonce, bcbp *string }

// set stores a credential member (presentation, mdoc, nonce, bcbp) and returns its bit.
func (c credentialMembers) set(name, val []byte) uint8 {
	switch string(name) {
	case "presentation":
		*c.pres = string(val)
		return memberPresentation
	case "mdoc":
		*c.mdoc = string(val)
		return memberMdoc
	case "nonce":
		*c.nonce = string(val)
		return memberNonce
	case "bcbp":
		*c.bcbp = string(val)
		return memberBCBP
	}
	return 0
}

// set stores a live-face member, decoding live_jpeg exactly as encoding/json decodes []byte.
func (f *LiveFace) set(name, val []byte) (uint8, error) {
	switch string(name) {
	case "live_template":
		f.Template = string(val)
		return memberTemplate, nil
	case "live_jpeg":
		b := make([]byte, base64.StdEncoding.DecodedLen(len(val)))
		n, err := base64.StdEncoding.Decode(b, val)
		if err != nil {
			return 0, err
		}
		f.JPEG = b[:n]
		return memberJPEG, nil
	}
	return 0, nil
}

func (r *VerifyRequest) set(name, _, val []byte) (uint8, error) {
	if bit := (credentialMembers{&r.Presentation, &r.Mdoc, &r.Nonce, &r.BCBP}).set(name, val); bit != 0 {
		return bit, nil
	}
	return r.LiveFace.set(name, val)
}

func (r *IdentifyRequest) set(name, _, val []byte) (uint8, error) { return r.LiveFace.set(name, val) }

func (r *EnrolRequest) set(name, raw, val []byte) (uint8, error) {
	if bit := (credentialMembers{&r.Presentation, &r.Mdoc, &r.Nonce, &r.BCBP}).set(name, val); bit != 0 {
		return bit, nil
	}
	if string(name) != "departure" {
		return 0, nil
	}
	// The raw literal, as encoding/json hands it to time.Time.UnmarshalJSON.
	var t time.Time
	if err := t.UnmarshalJSON(raw); err != nil {
		return 0, err
	}
	r.Departure = &t
	return memberDeparture, nil
}
