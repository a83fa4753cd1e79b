package mdoc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"math/big"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs/es256"
)

// COSE algorithm identifiers and header labels (RFC 9052, RFC 9053, RFC 9360).
const (
	algES256       = -7
	algESP256      = -9 // fully specified ECDSA P-256 SHA-256, the same signature as ES256
	algHMAC256     = 5  // HMAC 256/256
	headerAlg      = 1
	headerX5Chain  = 33
	maxX5ChainCert = 4
)

// sign1 is an untagged COSE_Sign1 as mdoc carries it: [protected, unprotected, payload, signature].
type sign1 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected map[int64]cbor.RawMessage
	Payload     []byte // nil for a detached payload (deviceSignature)
	Signature   []byte
}

// mac0 is an untagged COSE_Mac0: [protected, unprotected, payload, tag].
type mac0 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected map[int64]cbor.RawMessage
	Payload     []byte
	Tag         []byte
}

// protectedAlg returns the alg of a protected header bstr (which must be a map, or empty).
func protectedAlg(prot []byte, what string) (int64, error) {
	if len(prot) == 0 {
		return 0, newErr(CodeAlgNotAllowed, nil, "%s has no protected alg", what)
	}
	var h map[int64]cbor.RawMessage
	if err := decode(prot, &h, what+" protected header"); err != nil {
		return 0, err
	}
	var alg int64
	if err := decode(h[headerAlg], &alg, what+" alg"); err != nil {
		return 0, newErr(CodeAlgNotAllowed, err, "%s alg", what)
	}
	return alg, nil
}

// sigStructure is ToBeSigned of a COSE_Sign1 with empty external_aad (RFC 9052 §4.4).
func sigStructure(prot, payload []byte) ([]byte, error) {
	return encMode.Marshal([]any{"Signature1", prot, []byte{}, payload})
}

// verifyES256 checks a COSE ECDSA signature (raw r‖s, 64 bytes) over SHA-256(msg), with the
// precomputed fast key when there is one.
func verifyES256(pub *ecdsa.PublicKey, fast *es256.Key, msg, sig []byte) bool {
	if pub == nil || pub.Curve != elliptic.P256() || len(sig) != 64 {
		return false
	}
	h := sha256.Sum256(msg)
	if fast != nil && fast.Public().Equal(pub) {
		return fast.VerifyES256(h[:], sig)
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(pub, h[:], r, s)
}

// verifySign1 checks s's ES256 signature under pub; payload replaces s.Payload when detached.
func verifySign1(s *sign1, payload []byte, pub *ecdsa.PublicKey, fast *es256.Key, code Code, what string) error {
	alg, err := protectedAlg(s.Protected, what)
	if err != nil {
		return err
	}
	if alg != algES256 && alg != algESP256 {
		return newErr(CodeAlgNotAllowed, nil, "%s alg %d, want ES256 (-7 or -9)", what, alg)
	}
	tbs, err := sigStructure(s.Protected, payload)
	if err != nil {
		return newErr(CodeMalformed, err, "%s Sig_structure", what)
	}
	if !verifyES256(pub, fast, tbs, s.Signature) {
		return newErr(code, nil, "%s signature does not verify", what)
	}
	return nil
}

// signSign1 makes a COSE_Sign1 (ES256) with signer; payload nil means detached, in which case
// detached is what is signed. x5chain, when given, goes into the unprotected header.
func signSign1(signer crypto.Signer, payload, detached []byte, x5chain [][]byte) ([]byte, error) {
	prot, err := encMode.Marshal(map[int64]int64{headerAlg: algES256})
	if err != nil {
		return nil, err
	}
	unprot := map[int64]cbor.RawMessage{}
	if len(x5chain) > 0 {
		var v []byte
		if len(x5chain) == 1 {
			v, err = encMode.Marshal(x5chain[0])
		} else {
			v, err = encMode.Marshal(x5chain)
		}
		if err != nil {
			return nil, err
		}
		unprot[headerX5Chain] = v
	}
	signed := payload
	if payload == nil {
		signed = detached
	}
	tbs, err := sigStructure(prot, signed)
	if err != nil {
		return nil, err
	}
	sig, err := signP256(signer, tbs)
	if err != nil {
		return nil, err
	}
	return encMode.Marshal(sign1{Protected: prot, Unprotected: unprot, Payload: payload, Signature: sig})
}

// signP256 signs SHA-256(msg) with a P-256 signer and returns raw r‖s.
func signP256(signer crypto.Signer, msg []byte) ([]byte, error) {
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, newErr(CodeConfigInvalid, nil, "signer key is %T, want ECDSA P-256", signer.Public())
	}
	h := sha256.Sum256(msg)
	der, err := signer.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, newErr(CodeSignFailed, err, "sign")
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) > 0 {
		return nil, newErr(CodeSignFailed, err, "signer returned a malformed signature")
	}
	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])
	return out, nil
}

// verifyMac0 checks a COSE_Mac0 (HMAC 256/256) tag with key over the detached payload.
func verifyMac0(m *mac0, payload, key []byte, what string) error {
	alg, err := protectedAlg(m.Protected, what)
	if err != nil {
		return err
	}
	if alg != algHMAC256 {
		return newErr(CodeAlgNotAllowed, nil, "%s alg %d, want HMAC 256/256 (5)", what, alg)
	}
	tbs, err := encMode.Marshal([]any{"MAC0", m.Protected, []byte{}, payload})
	if err != nil {
		return newErr(CodeMalformed, err, "%s MAC_structure", what)
	}
	h := hmac.New(sha256.New, key)
	h.Write(tbs)
	if !hmac.Equal(h.Sum(nil), m.Tag) {
		return newErr(CodeDeviceAuthInvalid, nil, "%s tag does not verify", what)
	}
	return nil
}

// x5chain returns the certificates of an unprotected x5chain header: one bstr or an array of
// bstr, signer first (RFC 9360).
func x5chain(unprot map[int64]cbor.RawMessage) ([]*x509.Certificate, error) {
	ders, err := x5chainDER(unprot)
	if err != nil {
		return nil, err
	}
	return parseChain(ders)
}

// parseChain parses x5chain's DER certificates.
func parseChain(ders [][]byte) ([]*x509.Certificate, error) {
	chain := make([]*x509.Certificate, len(ders))
	for i, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, newErr(CodeMalformed, err, "x5chain[%d]", i)
		}
		chain[i] = c
	}
	return chain, nil
}

// x5chainDER returns the certificates of the unprotected x5chain (label 33, one bstr or an
// array of them) as DER, unparsed.
func x5chainDER(unprot map[int64]cbor.RawMessage) ([][]byte, error) {
	raw, ok := unprot[headerX5Chain]
	if !ok {
		return nil, newErr(CodeUntrustedIssuer, nil, "issuerAuth has no x5chain")
	}
	var ders [][]byte
	var one []byte
	if err := decMode.Unmarshal(raw, &one); err == nil {
		ders = [][]byte{one}
	} else if err := decode(raw, &ders, "x5chain"); err != nil {
		return nil, err
	}
	if len(ders) == 0 || len(ders) > maxX5ChainCert {
		return nil, newErr(CodeMalformed, nil, "x5chain has %d certificates", len(ders))
	}
	return ders, nil
}

// coseKey is an EC2 COSE_Key (RFC 9053 §7.1.1) with uncompressed coordinates.
type coseKey struct {
	Kty int64 `cbor:"1,keyasint"`
	// Kid is bstr in RFC 9052, but some wallets (@auth0/mdl) write a text string; it names the
	// key and plays no part in verification, so any type is kept as it came.
	Kid cbor.RawMessage `cbor:"2,keyasint,omitempty"`
	Alg int64           `cbor:"3,keyasint,omitempty"`
	Crv int64           `cbor:"-1,keyasint"`
	X   []byte          `cbor:"-2,keyasint"`
	Y   []byte          `cbor:"-3,keyasint"`
}

const (
	ktyEC2  = 2
	crvP256 = 1
)

// parseCOSEKey returns the P-256 public key of a COSE_Key.
func parseCOSEKey(raw []byte) (*ecdsa.PublicKey, error) {
	var k coseKey
	if err := decode(raw, &k, "deviceKey"); err != nil {
		return nil, newErr(CodeDeviceKey, err, "deviceKey")
	}
	if k.Kty != ktyEC2 || k.Crv != crvP256 || len(k.X) != 32 || len(k.Y) != 32 {
		return nil, newErr(CodeDeviceKey, nil, "deviceKey is kty %d crv %d, want EC2 P-256 with 32-byte x and y", k.Kty, k.Crv)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, k.X...), k.Y...))
	if err != nil {
		return nil, newErr(CodeDeviceKey, err, "deviceKey")
	}
	return pub, nil
}

// encodeCOSEKey writes pub as {1:2, -1:1, -2:x, -3:y}.
func encodeCOSEKey(pub *ecdsa.PublicKey) ([]byte, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, newErr(CodeConfigInvalid, nil, "device key must be ECDSA P-256")
	}
	b, err := pub.Bytes()
	if err != nil {
		return nil, newErr(CodeConfigInvalid, err, "device key")
	}
	return encMode.Marshal(coseKey{Kty: ktyEC2, Crv: crvP256, X: b[1:33], Y: b[33:]})
}
