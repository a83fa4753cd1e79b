package biometric

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/idgate/idgate/internal/b64url"
)

// Binary layout, version 1 (all multi-byte values little-endian):
//
//	offset 0      magic 0xF7 ("face template")
//	offset 1      version 0x01
//	offset 2      L = length of the model id, 1..MaxModelIDLen
//	offset 3      model id, L bytes of printable ASCII
//	offset 3+L    Dim float32 values (IEEE 754, little-endian), finite
//
// The total length must be exactly 3+L+4*Dim: trailing bytes are an error, not ignored, so one
// template has exactly one encoding.
const (
	encMagic     = 0xF7
	encVersion1  = 0x01
	encHeaderLen = 3
	// MaxEncodedLen is the largest valid binary encoding.
	MaxEncodedLen = encHeaderLen + MaxModelIDLen + 4*Dim
	// MaxEncodedStringLen is the largest valid EncodeString output.
	MaxEncodedStringLen = (MaxEncodedLen*8 + 5) / 6
)

// MarshalBinary encodes the template in the versioned binary layout above.
func (t Template) MarshalBinary() ([]byte, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	out := make([]byte, encHeaderLen+len(t.Model)+4*Dim)
	out[0], out[1], out[2] = encMagic, encVersion1, byte(len(t.Model))
	n := copy(out[encHeaderLen:], t.Model)
	body := out[encHeaderLen+n:]
	for i, x := range t.Vector {
		binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(x))
	}
	return out, nil
}

// ParseTemplate decodes a binary template. It never panics; every rejection wraps one of
// ErrTooLarge, ErrMalformedEncoding, ErrUnsupportedVersion or ErrInvalidTemplate.
func ParseTemplate(b []byte) (Template, error) {
	var t Template
	if len(b) > MaxEncodedLen {
		return t, fmt.Errorf("%w: %d bytes, max %d", ErrTooLarge, len(b), MaxEncodedLen)
	}
	if len(b) < encHeaderLen {
		return t, fmt.Errorf("%w: %d bytes is shorter than the header", ErrMalformedEncoding, len(b))
	}
	if b[0] != encMagic {
		return t, fmt.Errorf("%w: bad magic 0x%02x", ErrMalformedEncoding, b[0])
	}
	if b[1] != encVersion1 {
		return t, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, b[1])
	}
	l := int(b[2])
	if l == 0 || l > MaxModelIDLen {
		return t, fmt.Errorf("%w: model id length %d", ErrMalformedEncoding, l)
	}
	if want := encHeaderLen + l + 4*Dim; len(b) != want {
		return t, fmt.Errorf("%w: %d bytes, want exactly %d", ErrMalformedEncoding, len(b), want)
	}
	model := ModelID(b[encHeaderLen : encHeaderLen+l])
	if err := validModelID(model); err != nil {
		return t, err
	}
	body := b[encHeaderLen+l:]
	for i := range t.Vector {
		x := math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		if !finite(x) {
			return Template{}, fmt.Errorf("%w: value %d is not finite", ErrInvalidTemplate, i)
		}
		t.Vector[i] = x
	}
	t.Model = model
	return t, nil
}

// EncodeString returns the binary encoding as unpadded base64url (RFC 4648 §5), suitable for
// JSON claims and URLs.
func (t Template) EncodeString() (string, error) {
	b, err := t.MarshalBinary()
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ParseTemplateString decodes EncodeString output. Padding and the standard alphabet are
// rejected so a template has a single text form.
func ParseTemplateString(s string) (Template, error) {
	if len(s) > MaxEncodedStringLen {
		return Template{}, fmt.Errorf("%w: %d characters, max %d", ErrTooLarge, len(s), MaxEncodedStringLen)
	}
	b, err := b64url.Decode(s)
	if err != nil {
		return Template{}, fmt.Errorf("%w: base64url: %v", ErrMalformedEncoding, err)
	}
	return ParseTemplate(b)
}
