package boardingpass

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/es256"
)

// Our airline-signing profile (see doc.go): security type '1', data = base64url (unpadded) of
// the raw P-256 ECDSA signature r||s over SHA-256 of every character before '^'.
const (
	SecurityTypeES256 = '1'
	sigLen            = 64                                     // r||s, 32 bytes each
	sigB64Len         = (sigLen*8 + 5) / 6                     // 86 base64url characters
	securityHeader    = "^" + string(SecurityTypeES256) + "56" // 0x56 == 86
)

var b64 = base64.RawURLEncoding.Strict()

// Keys returns the signing certificates trusted for purpose p and scope (the airline
// designator) at time at. *certs.TrustList satisfies it.
type Keys interface {
	Certificates(p certs.Purpose, scope string, at time.Time) []*x509.Certificate
}

// fastKeys is optionally implemented by Keys (certs.TrustList is): a precomputed ES256
// verifier for a returned certificate's key, or nil to use crypto/ecdsa.
type fastKeys interface {
	ES256Key(pub crypto.PublicKey) *es256.Key
}

// Sign appends the security section to unsigned, which must be a valid M-format pass without
// one. The key must be ECDSA P-256.
func Sign(unsigned string, s certs.Signer) (string, error) {
	p, err := Parse(unsigned)
	if err != nil {
		return "", err
	}
	if p.Security != nil {
		return "", errAt(CodeBadSecurity, "security section already present", strings.IndexByte(unsigned, '^'))
	}
	if len(unsigned)+len(securityHeader)+sigB64Len > MaxLen {
		return "", errAt(CodeTooLong, "", MaxLen)
	}
	pub, ok := s.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", &Error{Code: CodeUnsupportedSigner, Offset: -1}
	}
	digest := sha256.Sum256([]byte(unsigned))
	der, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", &Error{Code: CodeUnsupportedSigner, Offset: -1, Err: err}
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 || rs.R == nil || rs.S == nil ||
		rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 256 || rs.S.BitLen() > 256 {
		return "", &Error{Code: CodeUnsupportedSigner, Offset: -1, Err: errors.New("signer returned a malformed ECDSA signature")}
	}
	var raw [sigLen]byte
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	out := make([]byte, 0, len(unsigned)+len(securityHeader)+sigB64Len)
	out = append(out, unsigned...)
	out = append(out, securityHeader...)
	out = b64.AppendEncode(out, raw[:])
	return string(out), nil
}

// Verify parses s, requires our ES256 security section, and checks the signature against the
// certificates keys trusts for the issuing airline at time at: the unique conditional
// "airline designator of boarding pass issuer" when present, else leg 1's operating carrier.
// A certificate counts only if it holds a P-256 key and at is within its validity.
//
// Verify answers "which airline signed this?", not "may it board flight X?": a gate must use
// VerifyFor, or any trusted airline could sign passes for another airline's flights.
func Verify(s string, keys Keys, at time.Time) (*Pass, error) { return verify(s, keys, at, "") }

// VerifyFor is Verify with the signing airline fixed by the caller: the signature must verify
// under a certificate keys trusts for carrier (the operating carrier of the flight being
// boarded), whatever issuer the pass itself declares. A pass signed by another airline fails
// with CodeSignatureInvalid; no partner (codeshare) airline is accepted in carrier's place.
func VerifyFor(s string, keys Keys, at time.Time, carrier string) (*Pass, error) {
	if carrier == "" {
		return nil, &Error{Code: CodeUnknownAirline, Offset: -1}
	}
	return verify(s, keys, at, carrier)
}

// verify checks s against the keys of airline, or of the pass's own issuer when airline is "".
func verify(s string, keys Keys, at time.Time, airline string) (*Pass, error) {
	p, err := Parse(s)
	if err != nil {
		return nil, err
	}
	sec := p.Security
	if sec == nil {
		return nil, &Error{Code: CodeUnsigned, Offset: len(s)}
	}
	signedLen := len(s) - len(sec.Data) - 4 // everything before '^'
	if sec.Type != SecurityTypeES256 {
		return nil, errAt(CodeBadSecurity, "type of security data", signedLen+1)
	}
	if len(sec.Data) != sigB64Len {
		return nil, errAt(CodeBadSecurity, "length of security data", signedLen+2)
	}
	// Stack copies keep the hot path free of []byte(string) allocations.
	var enc [sigB64Len]byte
	var raw [sigLen]byte
	copy(enc[:], sec.Data)
	if n, err := b64.Decode(raw[:], enc[:]); err != nil || n != sigLen {
		return nil, &Error{Code: CodeSignatureInvalid, Field: "security data", Offset: signedLen + 4, Err: err}
	}
	if airline == "" {
		airline = p.Legs[0].Carrier
		if p.Unique != nil && p.Unique.Issuer != "" {
			airline = p.Unique.Issuer
		}
	}
	if airline == "" {
		return nil, &Error{Code: CodeUnknownAirline, Offset: -1}
	}
	cands := keys.Certificates(certs.PurposeBoardingPass, airline, at)
	if len(cands) == 0 {
		return nil, &Error{Code: CodeUnknownAirline, Field: airline, Offset: -1}
	}
	var signed [MaxLen]byte
	digest := sha256.Sum256(signed[:copy(signed[:], s[:signedLen])])
	var derBuf [72]byte
	der := rawToDER(derBuf[:0], raw[:])
	fast, _ := keys.(fastKeys)
	for _, c := range cands {
		pub, ok := c.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || at.Before(c.NotBefore) || at.After(c.NotAfter) {
			continue
		}
		if fast != nil {
			if k := fast.ES256Key(pub); k != nil && k.Public().Equal(pub) {
				if k.VerifyES256(digest[:], raw[:]) {
					return p, nil
				}
				continue
			}
		}
		if ecdsa.VerifyASN1(pub, digest[:], der) {
			return p, nil
		}
	}
	return nil, &Error{Code: CodeSignatureInvalid, Field: airline, Offset: -1}
}

// rawToDER encodes r||s as the ASN.1 SEQUENCE{INTEGER r, INTEGER s} that VerifyASN1 takes,
// without big.Int or encoding/asn1 allocations on the gate's hot path.
func rawToDER(b, raw []byte) []byte {
	r, s := derInt(raw[:32]), derInt(raw[32:])
	b = append(b, 0x30, byte(derIntLen(r)+derIntLen(s)))
	b = appendDERInt(b, r)
	return appendDERInt(b, s)
}

// derInt strips leading zeros and returns the minimal unsigned magnitude (at least one byte).
func derInt(v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

func derIntLen(v []byte) int {
	if v[0]&0x80 != 0 {
		return len(v) + 3
	}
	return len(v) + 2
}

func appendDERInt(b, v []byte) []byte {
	if v[0]&0x80 != 0 { // keep it positive
		b = append(b, 0x02, byte(len(v)+1), 0)
	} else {
		b = append(b, 0x02, byte(len(v)))
	}
	return append(b, v...)
}
