package statuslist

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/idgate/idgate/internal/b64url"
)

// algES256 is the only JWS algorithm accepted: the idgate PKI is P-256 throughout, and an
// allow-list of one rules out "none", HMAC confusion and curve/algorithm mismatches.
const algES256 = "ES256"

// jwsHeader is the protected header of a status list token.
type jwsHeader struct {
	Alg  string   `json:"alg"`
	Typ  string   `json:"typ"`
	X5C  []string `json:"x5c,omitempty"`
	Kid  string   `json:"kid,omitempty"`
	Crit []string `json:"crit,omitempty"`
}

// signES256 produces a compact JWS over payload with s, converting crypto.Signer's ASN.1
// signature to the fixed 64-byte r||s form of RFC 7518 §3.4.
func signES256(hdr jwsHeader, payload []byte, s crypto.Signer) (string, error) {
	pub, ok := s.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", newErr(ErrInvalidList, nil, "signer key is %T, ES256 needs ECDSA P-256", s.Public())
	}
	h, err := json.Marshal(hdr)
	if err != nil {
		return "", err
	}
	signingInput := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))
	der, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) != 0 {
		return "", newErr(ErrInvalidList, err, "signer returned a non-ASN.1 ECDSA signature")
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(raw), nil
}

// compactJWS is a parsed, not yet verified, compact JWS.
type compactJWS struct {
	header       jwsHeader
	payload      []byte
	signingInput []byte
	sig          []byte
}

func parseCompact(token []byte) (*compactJWS, error) {
	tok := string(bytes.TrimSpace(token))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, newErr(ErrInvalidList, nil, "not a compact JWS (%d parts)", len(parts))
	}
	hb, err := b64url.Decode(parts[0])
	if err != nil {
		return nil, newErr(ErrInvalidList, err, "header encoding")
	}
	var hdr jwsHeader
	if err := strictUnmarshal(hb, &hdr); err != nil {
		return nil, newErr(ErrInvalidList, err, "header JSON")
	}
	payload, err := b64url.Decode(parts[1])
	if err != nil {
		return nil, newErr(ErrInvalidList, err, "payload encoding")
	}
	sig, err := b64url.Decode(parts[2])
	if err != nil {
		return nil, newErr(ErrInvalidList, err, "signature encoding")
	}
	return &compactJWS{header: hdr, payload: payload, signingInput: []byte(parts[0] + "." + parts[1]), sig: sig}, nil
}

// verifyES256 checks the r||s signature with pub.
func (j *compactJWS) verifyES256(pub crypto.PublicKey) error {
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return newErr(ErrInvalidList, nil, "signing certificate key is %T, ES256 needs ECDSA P-256", pub)
	}
	if len(j.sig) != 64 {
		return newErr(ErrInvalidList, nil, "ES256 signature is %d bytes, want 64", len(j.sig))
	}
	digest := sha256.Sum256(j.signingInput)
	r, s := new(big.Int).SetBytes(j.sig[:32]), new(big.Int).SetBytes(j.sig[32:])
	if !ecdsa.Verify(ek, digest[:], r, s) {
		return newErr(ErrInvalidList, nil, "bad signature")
	}
	return nil
}

// strictUnmarshal decodes exactly one JSON value into v: json.Unmarshal rejects any trailing
// data, including a stray '}' or ']' that Decoder.More would let through.
func strictUnmarshal(b []byte, v any) error {
	return json.Unmarshal(b, v)
}
