package boardingpass

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/es256"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// airline is an in-process test signer: a key and its self-signed certificate.
type airline struct {
	crypto.Signer
	cert *x509.Certificate
}

func (a *airline) Chain() []*x509.Certificate { return []*x509.Certificate{a.cert} }

func newAirline(t testing.TB, designator string, curve elliptic.Curve, notBefore, notAfter time.Time) *airline {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return certify(t, key, designator, notBefore, notAfter)
}

func certify(t testing.TB, key crypto.Signer, designator string, notBefore, notAfter time.Time) *airline {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "airline-" + designator},
		NotBefore:    notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &airline{Signer: key, cert: c}
}

func validAirline(t testing.TB, designator string) *airline {
	return newAirline(t, designator, elliptic.P256(), testNow.Add(-24*time.Hour), testNow.Add(365*24*time.Hour))
}

// keyMap is a Keys that records what it was asked.
type keyMap struct {
	m         map[string][]*x509.Certificate
	lastP     certs.Purpose
	lastScope string
}

// fastKeyMap is a keyMap that also offers precomputed verifiers (as certs.TrustList does), so
// Verify takes its certs/es256 path.
type fastKeyMap struct {
	*keyMap
	fast map[*ecdsa.PublicKey]*es256.Key
}

func (k *fastKeyMap) ES256Key(pub crypto.PublicKey) *es256.Key {
	ek, _ := pub.(*ecdsa.PublicKey)
	return k.fast[ek]
}

func withFast(t testing.TB, k *keyMap) *fastKeyMap {
	f := &fastKeyMap{keyMap: k, fast: map[*ecdsa.PublicKey]*es256.Key{}}
	for _, cs := range k.m {
		for _, c := range cs {
			if pub, ok := c.PublicKey.(*ecdsa.PublicKey); ok && pub.Curve == elliptic.P256() {
				pk, err := es256.Precompute(pub)
				if err != nil {
					t.Fatal(err)
				}
				f.fast[pub] = pk
			}
		}
	}
	return f
}

func (k *keyMap) Certificates(p certs.Purpose, scope string, _ time.Time) []*x509.Certificate {
	k.lastP, k.lastScope = p, scope
	if p != certs.PurposeBoardingPass {
		return nil
	}
	return k.m[scope]
}

func keysFor(as map[string]*airline) *keyMap {
	k := &keyMap{m: map[string][]*x509.Certificate{}}
	for d, a := range as {
		k.m[d] = append(k.m[d], a.cert)
	}
	return k
}

// unsignedOf strips the security section of a published vector.
func unsignedOf(s string) string {
	if i := strings.LastIndexByte(s, '^'); i >= 0 {
		return s[:i]
	}
	return s
}

func TestSignVerify(t *testing.T) {
	ac, lh, ig := validAirline(t, "AC"), validAirline(t, "LH"), validAirline(t, "IG")
	keys := keysFor(map[string]*airline{"AC": ac, "LH": lh, "IG": ig})
	cli, err := threeLegs().Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		unsigned string
		signer   *airline
		scope    string
	}{
		{"mandatory only: leg 1 carrier", unsignedOf(vecIATA1), ac, "AC"},
		{"two legs: issuer designator", unsignedOf(vecIATA2), ac, "AC"},
		{"LH v2 with airline use", vecLHHome, lh, "LH"},
		{"three legs built in code", cli, ig, "IG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := Sign(tc.unsigned, tc.signer)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(signed, tc.unsigned+"^156") || len(signed) != len(tc.unsigned)+4+86 {
				t.Fatalf("signed form %q", signed)
			}
			if _, err := Verify(signed, withFast(t, keys), testNow); err != nil {
				t.Fatalf("precomputed keys: %v", err)
			}
			p, err := Verify(signed, keys, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if keys.lastP != certs.PurposeBoardingPass || keys.lastScope != tc.scope {
				t.Errorf("Keys asked for (%s, %q), want (%s, %q)", keys.lastP, keys.lastScope, certs.PurposeBoardingPass, tc.scope)
			}
			if got, _ := p.Encode(); got != signed {
				t.Errorf("verified pass re-encodes to %q", got)
			}
		})
	}
}

// TestVerifyTamper flips every character before '^' and every signature character.
func TestVerifyTamper(t *testing.T) {
	ac := validAirline(t, "AC")
	keys := keysFor(map[string]*airline{"AC": ac})
	fast := withFast(t, keys)
	signed, err := Sign(unsignedOf(vecIATA2), ac)
	if err != nil {
		t.Fatal(err)
	}
	caret := strings.LastIndexByte(signed, '^')
	invalid := 0
	for i := 0; i < len(signed); i++ {
		if i >= caret && i < caret+4 {
			continue // header bytes: covered by TestVerifyErrors
		}
		b := []byte(signed)
		b[i] = flip(b[i])
		_, err := Verify(string(b), keys, testNow)
		if err == nil {
			t.Fatalf("flipping byte %d (%q) still verifies", i, signed[i])
		}
		if _, errFast := Verify(string(b), fast, testNow); errFast == nil || errFast.Error() != err.Error() {
			t.Fatalf("flipping byte %d: precomputed keys say %v, crypto/ecdsa %v", i, errFast, err)
		}
		if errors.Is(err, ErrSignatureInvalid) {
			invalid++
		}
	}
	// Most flips still parse and must then fail on the signature itself.
	if invalid < caret/2 {
		t.Errorf("only %d of %d flips reached the signature check", invalid, len(signed))
	}
}

// flip changes c to another printable character of the same kind where possible.
func flip(c byte) byte {
	switch {
	case c == 'Z':
		return 'Y'
	case c == '9':
		return '8'
	case c == ' ':
		return 'X'
	case c == 'z':
		return 'y'
	}
	return c + 1
}

func TestVerifyErrors(t *testing.T) {
	ac := validAirline(t, "AC")
	other := validAirline(t, "AC")
	expired := newAirline(t, "AC", elliptic.P256(), testNow.Add(-48*time.Hour), testNow.Add(-time.Hour))
	p384 := newAirline(t, "AC", elliptic.P384(), testNow.Add(-time.Hour), testNow.Add(time.Hour))
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ed := certify(t, edKey, "AC", testNow.Add(-time.Hour), testNow.Add(time.Hour))

	unsigned := unsignedOf(vecIATA1)
	signed, err := Sign(unsigned, ac)
	if err != nil {
		t.Fatal(err)
	}
	sig := signed[len(unsigned)+4:]
	k := func(cs ...*airline) Keys {
		m := &keyMap{m: map[string][]*x509.Certificate{}}
		for _, c := range cs {
			m.m["AC"] = append(m.m["AC"], c.cert)
		}
		return m
	}
	tests := []struct {
		name string
		in   string
		keys Keys
		code Code
	}{
		{"unsigned", unsigned, k(ac), CodeUnsigned},
		{"IATA sample security data", vecIATA1, k(ac), CodeBadSecurity},
		{"wrong type", unsigned + "^256" + sig, k(ac), CodeBadSecurity},
		{"short length", unsigned + "^155" + sig[:85], k(ac), CodeBadSecurity},
		{"not base64url", unsigned + "^156" + sig[:85] + "+", k(ac), CodeSignatureInvalid},
		{"non-canonical base64 tail", unsigned + "^156" + sig[:85] + nonCanonical(sig[85]), k(ac), CodeSignatureInvalid},
		{"no trusted key", signed, k(), CodeUnknownAirline},
		{"other key for the airline", signed, k(other), CodeSignatureInvalid},
		{"expired certificate", signed, k(expired), CodeSignatureInvalid},
		{"P-384 certificate ignored", signed, k(p384), CodeSignatureInvalid},
		{"Ed25519 certificate ignored", signed, k(ed), CodeSignatureInvalid},
		{"blank carrier", strings.Replace(signed, "YULFRAAC ", "YULFRA   ", 1), k(ac), CodeUnknownAirline},
		{"malformed pass", "M1" + signed[3:], k(ac), CodeBadJulianDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Verify(tc.in, tc.keys, testNow)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || p != nil {
				t.Fatalf("Verify = %v, %v; want %s", p, err, tc.code)
			}
		})
	}
	// Any of several trusted certificates may verify.
	if _, err := Verify(signed, k(expired, other, ac), testNow); err != nil {
		t.Errorf("rotation: %v", err)
	}
	if !errors.Is(&Error{Code: CodeUnsigned, Offset: 3}, ErrUnsigned) || errors.Is(ErrUnsigned, ErrSignatureInvalid) {
		t.Error("errors.Is does not match on Code")
	}
}

// nonCanonical returns a base64url character that decodes to the same 4 high bits as c but
// sets the 2 unused low bits, which a strict decoder must refuse.
func nonCanonical(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i|1])
}

type failingSigner struct{ *airline }

func (f failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("hsm offline")
}

func TestSignErrors(t *testing.T) {
	ac := validAirline(t, "AC")
	p384 := newAirline(t, "AC", elliptic.P384(), testNow.Add(-time.Hour), testNow.Add(time.Hour))
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ed := certify(t, edKey, "AC", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	tests := []struct {
		name string
		in   string
		s    certs.Signer
		code Code
	}{
		{"already signed", vecIATA1, ac, CodeBadSecurity},
		{"malformed", "M1XX", ac, CodeTooShort},
		{"P-384 key", vecLHHome, p384, CodeUnsupportedSigner},
		{"Ed25519 key", vecLHHome, ed, CodeUnsupportedSigner},
		{"signer fails", vecLHHome, failingSigner{ac}, CodeUnsupportedSigner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Sign(tc.in, tc.s)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || s != "" {
				t.Fatalf("Sign = %q, %v; want %s", s, err, tc.code)
			}
		})
	}
}

// TestRawToDER checks the hand-rolled DER against encoding/asn1 via ecdsa.VerifyASN1 for
// signatures whose r or s have high bits set or leading zero bytes.
func TestRawToDER(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	digest := make([]byte, 32)
	seen := map[string]bool{}
	for i := 0; i < 200 && len(seen) < 3; i++ {
		digest[0] = byte(i)
		r, s, err := ecdsa.Sign(rand.Reader, key, digest)
		if err != nil {
			t.Fatal(err)
		}
		var raw [64]byte
		r.FillBytes(raw[:32])
		s.FillBytes(raw[32:])
		seen[kind(raw[0])+kind(raw[32])] = true
		if !ecdsa.VerifyASN1(&key.PublicKey, digest, rawToDER(nil, raw[:])) {
			t.Fatalf("DER of r=%x s=%x does not verify", r, s)
		}
	}
	if len(seen) < 3 {
		t.Errorf("only saw %v shapes", seen)
	}
}

func kind(b byte) string {
	if b&0x80 != 0 {
		return "H"
	}
	return "L"
}

// TestVerifyFor: the caller, not the pass, names the airline whose keys must verify it. A pass
// that airline ZZ signed for IG's flight (declaring itself issued by ZZ, or by IG) verifies
// with Verify (ZZ is trusted for ZZ) but never with VerifyFor(..., "IG").
func TestVerifyFor(t *testing.T) {
	ig, zz := validAirline(t, "IG"), validAirline(t, "ZZ")
	keys := keysFor(map[string]*airline{"IG": ig, "ZZ": zz})
	build := func(issuer string, s certs.Signer) string {
		p := &Pass{Name: "SMITH/JOHN", ETicket: 'E', Version: 8,
			Unique: &UniqueConditional{IssuanceSource: 'W', DocumentType: 'B', Issuer: issuer, IssueDate: "6330"},
			Legs: []Leg{{PNR: "ABC123", From: "FRA", To: "LHR", Carrier: "IG", Flight: "0101", JulianDate: 330,
				Compartment: 'Y', Seat: "012A", Sequence: "0001", Status: '1'}}}
		u, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		out, err := Sign(u, s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name    string
		pass    string
		carrier string
		code    Code // "" = verifies
	}{
		{"IG signs its own flight", build("IG", ig), "IG", ""},
		{"ZZ signs IG's flight as ZZ", build("ZZ", zz), "IG", CodeSignatureInvalid},
		{"ZZ signs IG's flight claiming IG", build("IG", zz), "IG", CodeSignatureInvalid},
		{"IG's pass checked for ZZ", build("IG", ig), "ZZ", CodeSignatureInvalid},
		{"carrier without keys", build("IG", ig), "XX", CodeUnknownAirline},
		{"no carrier", build("IG", ig), "", CodeUnknownAirline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := VerifyFor(tc.pass, keys, testNow, tc.carrier)
			if tc.code == "" {
				if err != nil || p == nil {
					t.Fatalf("VerifyFor = %v", err)
				}
				if keys.lastScope != tc.carrier {
					t.Errorf("asked for %q's keys, want %q", keys.lastScope, tc.carrier)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || p != nil {
				t.Fatalf("VerifyFor = %v, %v; want %s", p, err, tc.code)
			}
		})
	}
	// The self-declared issuer is what plain Verify trusts: the ZZ-signed pass verifies there.
	if _, err := Verify(build("ZZ", zz), keys, testNow); err != nil {
		t.Fatalf("Verify of ZZ's own signature: %v", err)
	}
}
