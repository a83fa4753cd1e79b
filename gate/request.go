package gate

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
)

// Size bounds of request fields. The HTTP layer also bounds the whole body (verifier.MaxBodyBytes).
const (
	MaxBodyBytes        = 3 << 20 // a live JPEG (base64) plus presentation and pass
	MaxPresentationLen  = 64 << 10
	MaxJPEGBytes        = 2 << 20 // a 1-2 MP gate camera capture
	maxJSONDepthAllowed = 4       // the request objects are flat; deeper nesting is rejected early
)

// LiveFace is the gate camera's capture: a template computed at the gate, or a JPEG for the
// verifier's FaceExtractor. Exactly one is set.
type LiveFace struct {
	Template string `json:"live_template,omitempty"` // biometric.Template.EncodeString form
	JPEG     []byte `json:"live_jpeg,omitempty"`     // a JPEG only; standard base64 in JSON
}

// GateRequest is the body of POST /v1/gates/{gate}/verify.
type GateRequest struct {
	Presentation string `json:"presentation"` // SD-JWT VC + KB-JWT disclosing names and face_template
	BCBP         string `json:"bcbp"`         // the signed boarding pass as scanned
	LiveFace
}

// IdentifyRequest is the body of POST /v1/gates/{gate}/identify.
type IdentifyRequest struct {
	LiveFace
}

// EnrolRequest is the body of POST /v1/flights/{flight}/{date}/enrol.
type EnrolRequest struct {
	Presentation string `json:"presentation"`
	BCBP         string `json:"bcbp"`
	// Departure is the scheduled departure time; retention counts from it. Optional: the
	// flight's DefaultDeparture is used when absent. It must lie within -24 h..+48 h of the
	// flight date (else the enrolment is denied malformed_request).
	Departure *time.Time `json:"departure,omitempty"`
}

// DecodeGateRequest strictly decodes and bounds a verify request. It never panics; every
// rejection is an *Error with Code malformed_request.
func DecodeGateRequest(body []byte) (*GateRequest, error) {
	var r GateRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	if r.Presentation == "" || len(r.Presentation) > MaxPresentationLen {
		return nil, errorf(ReasonMalformedRequest, "presentation: required, at most %d bytes", MaxPresentationLen)
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
	if err := decodeStrict(body, &r); err != nil {
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
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	if r.Presentation == "" || len(r.Presentation) > MaxPresentationLen {
		return nil, errorf(ReasonMalformedRequest, "presentation: required, at most %d bytes", MaxPresentationLen)
	}
	if r.BCBP == "" || len(r.BCBP) > boardingpass.MaxLen {
		return nil, errorf(ReasonMalformedRequest, "bcbp: required, at most %d characters", boardingpass.MaxLen)
	}
	return &r, nil
}

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

// decodeStrict decodes exactly one JSON object with known fields only and bounded depth.
func decodeStrict(body []byte, v any) error {
	if len(body) > MaxBodyBytes {
		return errorf(ReasonMalformedRequest, "body larger than %d bytes", MaxBodyBytes)
	}
	if depth(body) > maxJSONDepthAllowed {
		return errorf(ReasonMalformedRequest, "JSON nested too deeply")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(ReasonMalformedRequest, "body is not the expected JSON object")
	}
	if dec.More() {
		return errorf(ReasonMalformedRequest, "trailing data after the JSON object")
	}
	return nil
}

// depth is the maximum bracket nesting of body, ignoring brackets inside strings.
func depth(body []byte) int {
	d, maxD, inStr, esc := 0, 0, false, false
	for _, c := range body {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			d++
			maxD = max(maxD, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return maxD
}
