package biometric

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/idgate/idgate/internal/b64url"
)

// SealedContentType is the JWE "cty" of a sealed template.
const SealedContentType = "application/vnd.idgate.face-template"

// MaxSealedLen bounds Open's input. A sealed template is ~1 KB (header with epk, 40-byte
// wrapped key, ~580-byte payload, all base64url); 4 KiB leaves room without letting a caller
// make the JWE parser chew megabytes.
const MaxSealedLen = 4096

// Seal encrypts t to a gate reader's P-256 key as a compact JWE (RFC 7516):
// alg ECDH-ES+A256KW, enc A256GCM, cty SealedContentType; the plaintext is MarshalBinary.
// recipient is an *ecdsa.PublicKey or *ecdh.PublicKey on P-256.
func Seal(t Template, recipient crypto.PublicKey) (string, error) {
	pub, err := p256Public(recipient)
	if err != nil {
		return "", err
	}
	plain, err := t.MarshalBinary()
	if err != nil {
		return "", err
	}
	hdr := jwe.NewHeaders()
	if err := hdr.Set(jwe.ContentTypeKey, SealedContentType); err != nil {
		return "", fmt.Errorf("biometric: seal header: %w", err)
	}
	out, err := jwe.Encrypt(plain,
		jwe.WithKey(jwa.ECDH_ES_A256KW, pub),
		jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(hdr),
		jwe.WithCompact())
	if err != nil {
		return "", fmt.Errorf("biometric: seal: %w", err)
	}
	return string(out), nil
}

// Open decrypts a Seal output with the reader's private key (*ecdh.PrivateKey or
// *ecdsa.PrivateKey on P-256; pass the ecdh form on hot paths, the ecdsa form costs a
// scalar base multiplication per call to convert). The input must be a compact JWE whose
// protected header holds exactly alg ECDH-ES+A256KW, enc A256GCM, cty SealedContentType, epk
// and optionally apu/apv (no zip, no crit, nothing else), and the plaintext must be a valid
// template encoding. Every failure of the sealed value itself wraps ErrSealed (or
// ErrTooLarge); the cause is deliberately not more specific, so Open is no oracle for an
// attacker.
//
// Opening is one pass with the standard library (see openCompact): jwx parsed the JWE twice
// and built its header maps twice, which cost as much as the ECDH itself at the gate.
func Open(sealed string, key crypto.PrivateKey) (Template, error) {
	priv, err := p256Private(key)
	if err != nil {
		return Template{}, err
	}
	if len(sealed) > MaxSealedLen {
		return Template{}, fmt.Errorf("%w: sealed template of %d bytes, max %d", ErrTooLarge, len(sealed), MaxSealedLen)
	}
	plain, err := openCompact(sealed, priv)
	if err != nil {
		return Template{}, err
	}
	t, err := ParseTemplate(plain)
	if err != nil {
		return Template{}, fmt.Errorf("%w: payload: %w", ErrSealed, err)
	}
	return t, nil
}

// Sizes fixed by the profile: A256KW wraps the 32-byte A256GCM key into 40 bytes
// (RFC 3394), GCM uses a 96-bit IV and a 128-bit tag (RFC 7518 §5.3).
const (
	sealAlg        = "ECDH-ES+A256KW"
	sealEnc        = "A256GCM"
	cekLen         = 32
	wrappedCEKLen  = cekLen + 8
	gcmIVLen       = 12
	gcmTagLen      = 16
	p256CoordBytes = 32
)

// sealB64 is base64url without padding that rejects non-canonical trailing bits, so each
// part has exactly one accepted encoding.
var sealB64 = base64.RawURLEncoding.Strict()

// openCompact decrypts a compact JWE (RFC 7516 §7.1) with alg ECDH-ES+A256KW and enc
// A256GCM: ECDH with the header's epk, Concat KDF (RFC 7518 §4.6.2) to the key-encryption
// key, AES key unwrap (RFC 3394) of the content key, AES-GCM with the encoded protected
// header as additional data (RFC 7516 §5.2 step 14).
func openCompact(sealed string, priv *ecdh.PrivateKey) ([]byte, error) {
	var parts [5]string
	rest := sealed
	for i := range 4 {
		j := strings.IndexByte(rest, '.')
		if j < 0 {
			return nil, fmt.Errorf("%w: not a compact JWE", ErrSealed)
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	if strings.IndexByte(rest, '.') >= 0 {
		return nil, fmt.Errorf("%w: not a compact JWE", ErrSealed)
	}
	parts[4] = rest
	for _, p := range parts { // one spelling per sealed template: no skipped CR/LF
		if !b64url.Valid(p) {
			return nil, fmt.Errorf("%w: not a compact JWE", ErrSealed)
		}
	}
	// One buffer for every decoded part; the ciphertext and tag end up adjacent, as
	// cipher.AEAD.Open wants them.
	buf := make([]byte, 0, sealB64.DecodedLen(len(sealed)))
	var off [6]int
	for i, p := range parts {
		var err error
		if buf, err = sealB64.AppendDecode(buf, []byte(p)); err != nil {
			return nil, fmt.Errorf("%w: not a compact JWE", ErrSealed)
		}
		off[i+1] = len(buf)
	}
	part := func(i int) []byte { return buf[off[i]:off[i+1]:off[i+1]] }
	hdrJSON, wrapped, iv, tag := part(0), part(1), part(2), part(4)
	if len(wrapped) != wrappedCEKLen || len(iv) != gcmIVLen || len(tag) != gcmTagLen {
		return nil, fmt.Errorf("%w: unexpected JWE part sizes", ErrSealed)
	}
	hdr, err := parseSealHeader(hdrJSON)
	if err != nil {
		return nil, err
	}
	z, err := priv.ECDH(hdr.epk)
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	kek := concatKDF256(z, sealAlg, hdr.apu, hdr.apv)
	cek, ok := unwrapKey(kek[:], wrapped)
	if !ok {
		return nil, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	blk, err := aes.NewCipher(cek[:])
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	gcm, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	ctAndTag := buf[off[3]:off[5]]
	plain, err := gcm.Open(ctAndTag[:0], iv, ctAndTag, []byte(parts[0]))
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	return plain, nil
}

// sealHeader is the part of the protected header Open acts on.
type sealHeader struct {
	epk      *ecdh.PublicKey
	apu, apv []byte
}

// parseSealHeader reads the protected header strictly, in one scan without maps or
// reflection: a JSON object whose members are exactly alg, enc, cty and epk, optionally apu
// and apv, each once (names match exactly, unlike encoding/json's case-insensitive struct
// fields; zip, crit or anything else is a rejection, not something to ignore). Values are
// plain strings (epk an object of plain strings): Seal never escapes, so an escape sequence
// or a control character is refused too.
func parseSealHeader(b []byte) (sealHeader, error) {
	var h sealHeader
	var alg, enc, cty, x, y []byte // alias b: compared and decoded, never kept
	var seen, seenEPK uint8
	s := hdrScanner{b: b}
	ok := s.object(func(name []byte) bool {
		var bit uint8
		var dst *[]byte
		switch string(name) {
		case "alg":
			bit, dst = 1, &alg
		case "enc":
			bit, dst = 2, &enc
		case "cty":
			bit, dst = 4, &cty
		case "apu", "apv":
			bit = 8
			if name[2] == 'v' {
				bit = 16
			}
			v, ok := s.str()
			if !ok || seen&bit != 0 {
				return false
			}
			seen |= bit
			d, err := sealB64.AppendDecode(nil, v)
			if bit == 8 {
				h.apu = d
			} else {
				h.apv = d
			}
			return err == nil
		case "epk":
			if seen&32 != 0 {
				return false
			}
			seen |= 32
			var kty, crv []byte
			return s.object(func(name []byte) bool {
				var bit uint8
				var dst *[]byte
				switch string(name) {
				case "kty":
					bit, dst = 1, &kty
				case "crv":
					bit, dst = 2, &crv
				case "x":
					bit, dst = 4, &x
				case "y":
					bit, dst = 8, &y
				default:
					return false // a "d" would be private material; nothing else belongs here
				}
				v, ok := s.str()
				if !ok || seenEPK&bit != 0 {
					return false
				}
				seenEPK |= bit
				*dst = v
				return true
			}) && seenEPK == 15 && string(kty) == "EC" && string(crv) == "P-256"
		default:
			return false
		}
		v, ok := s.str()
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		*dst = v
		return true
	})
	s.space()
	if !ok || s.i != len(b) || string(alg) != sealAlg || string(enc) != sealEnc || string(cty) != SealedContentType || seen&32 == 0 {
		return sealHeader{}, fmt.Errorf("%w: unexpected JWE header", ErrSealed)
	}
	epk, err := parseEPK(x, y)
	if err != nil {
		return sealHeader{}, fmt.Errorf("%w: unexpected JWE header", ErrSealed)
	}
	h.epk = epk
	return h, nil
}

// hdrScanner is the small JSON subset parseSealHeader accepts.
type hdrScanner struct {
	b []byte
	i int
}

func (s *hdrScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *hdrScanner) byte(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes; the result aliases b.
func (s *hdrScanner) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return nil, false
		}
		s.i++
	}
	return nil, false
}

// object reads '{' members '}' and calls member for each name; member reads the value.
func (s *hdrScanner) object(member func(name []byte) bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		name, ok := s.str()
		if !ok || !s.byte(':') || !member(name) {
			return false
		}
		if s.byte('}') {
			return true
		}
		if !s.byte(',') {
			return false
		}
	}
}

// parseEPK builds the ephemeral public key from full-length P-256 coordinates
// (RFC 7518 §6.2.1); NewPublicKey checks the point is on the curve.
func parseEPK(x, y []byte) (*ecdh.PublicKey, error) {
	if len(x) != sealB64.EncodedLen(p256CoordBytes) || len(y) != sealB64.EncodedLen(p256CoordBytes) {
		return nil, errors.New("epk coordinates")
	}
	var pt [1 + 2*p256CoordBytes]byte
	pt[0] = 4
	nx, errX := sealB64.Decode(pt[1:1+p256CoordBytes], x)
	ny, errY := sealB64.Decode(pt[1+p256CoordBytes:], y)
	if errX != nil || errY != nil || nx != p256CoordBytes || ny != p256CoordBytes {
		return nil, errors.New("epk coordinates")
	}
	return ecdh.P256().NewPublicKey(pt[:])
}

// concatKDF256 is the Concat KDF of RFC 7518 §4.6.2 (NIST SP 800-56A §5.8.1) with SHA-256
// for a 256-bit key: one round, AlgorithmID = the "alg" value for ECDH-ES with key wrapping,
// PartyUInfo/PartyVInfo = apu/apv, SuppPubInfo = keydatalen in bits.
func concatKDF256(z []byte, alg string, apu, apv []byte) [sha256.Size]byte {
	in := make([]byte, 0, 4+len(z)+4+len(alg)+4+len(apu)+4+len(apv)+4)
	in = binary.BigEndian.AppendUint32(in, 1) // round counter
	in = append(in, z...)
	in = binary.BigEndian.AppendUint32(in, uint32(len(alg)))
	in = append(in, alg...)
	in = binary.BigEndian.AppendUint32(in, uint32(len(apu)))
	in = append(in, apu...)
	in = binary.BigEndian.AppendUint32(in, uint32(len(apv)))
	in = append(in, apv...)
	in = binary.BigEndian.AppendUint32(in, 8*sha256.Size)
	return sha256.Sum256(in)
}

// unwrapKey is the AES key unwrap of RFC 3394 §2.2.2 for a 256-bit key (n = 4 blocks),
// with the integrity check against the default IV A6A6A6A6A6A6A6A6 in constant time.
func unwrapKey(kek, wrapped []byte) ([cekLen]byte, bool) {
	var cek [cekLen]byte
	blk, err := aes.NewCipher(kek)
	if err != nil || len(wrapped) != wrappedCEKLen {
		return cek, false
	}
	const n = cekLen / 8
	a := binary.BigEndian.Uint64(wrapped[:8])
	copy(cek[:], wrapped[8:])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			binary.BigEndian.PutUint64(b[:8], a^uint64(n*j+i))
			copy(b[8:], cek[(i-1)*8:i*8])
			blk.Decrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8])
			copy(cek[(i-1)*8:i*8], b[8:])
		}
	}
	var got, iv [8]byte
	binary.BigEndian.PutUint64(got[:], a)
	binary.BigEndian.PutUint64(iv[:], 0xA6A6A6A6A6A6A6A6)
	return cek, subtle.ConstantTimeCompare(got[:], iv[:]) == 1
}

// p256Public accepts the two standard-library forms of a P-256 public key and returns the
// ecdsa form jwx expects.
func p256Public(k crypto.PublicKey) (*ecdsa.PublicKey, error) {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if k == nil || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: recipient must be a P-256 key", ErrInvalidKey)
		}
		if _, err := k.ECDH(); err != nil { // also rejects points not on the curve
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return k, nil
	case *ecdh.PublicKey:
		if k == nil || k.Curve() != ecdh.P256() {
			return nil, fmt.Errorf("%w: recipient must be a P-256 key", ErrInvalidKey)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), k.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%w: %T is not an ECDH P-256 public key", ErrInvalidKey, k)
}

// p256Private returns the reader key in the crypto/ecdh form Open computes with.
func p256Private(k crypto.PrivateKey) (*ecdh.PrivateKey, error) {
	switch k := k.(type) {
	case *ecdh.PrivateKey:
		if k == nil || k.Curve() != ecdh.P256() {
			return nil, fmt.Errorf("%w: key must be a P-256 key", ErrInvalidKey)
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if k == nil || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: key must be a P-256 key", ErrInvalidKey)
		}
		priv, err := k.ECDH()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("%w: %T is not an ECDH P-256 private key", ErrInvalidKey, k)
}
