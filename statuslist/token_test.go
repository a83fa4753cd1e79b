package statuslist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/statuslist"
)

const listURI = "https://issuer.idgate.test/status/1"

type fixture struct {
	ca     *certstest.CA
	signer certs.Signer
	trust  *certs.TrustList
	list   *statuslist.List
	now    time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ca := certstest.NewCA(t)
	l, err := statuslist.New(2, 1000)
	if err != nil {
		t.Fatal(err)
	}
	l.Set(7, statuslist.Invalid)
	l.Set(8, statuslist.Suspended)
	return &fixture{
		ca:     ca,
		signer: ca.Issue(t, "idgate Status List Signer"),
		trust:  ca.TrustList(certs.PurposeStatusList, certs.ScopeAny, "idgate Status List Signer"),
		list:   l,
		now:    time.Now().Truncate(time.Second),
	}
}

func (f *fixture) token(t testing.TB, mod func(*statuslist.Token)) string {
	t.Helper()
	tok := statuslist.Token{Subject: listURI, IssuedAt: f.now, ExpiresAt: f.now.Add(time.Hour), TTL: 10 * time.Minute, List: f.list}
	if mod != nil {
		mod(&tok)
	}
	s, err := statuslist.Sign(tok, f.signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	jws := f.token(t, nil)
	hdr := decodeSeg(t, jws, 0)
	if hdr["alg"] != "ES256" || hdr["typ"] != "statuslist+jwt" || len(hdr["x5c"].([]any)) != 1 {
		t.Fatalf("header %v", hdr)
	}
	claims := decodeSeg(t, jws, 1)
	sl := claims["status_list"].(map[string]any)
	if claims["sub"] != listURI || claims["ttl"] != 600.0 || sl["bits"] != 2.0 || sl["lst"] == "" {
		t.Fatalf("claims %v", claims)
	}
	tok, err := statuslist.Verify([]byte(jws), f.trust, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Subject != listURI || !tok.IssuedAt.Equal(f.now) || !tok.ExpiresAt.Equal(f.now.Add(time.Hour)) || tok.TTL != 10*time.Minute {
		t.Fatalf("token %+v", tok)
	}
	for idx, want := range map[int]uint8{0: statuslist.Valid, 7: statuslist.Invalid, 8: statuslist.Suspended} {
		if got, _ := tok.List.Get(idx); got != want {
			t.Errorf("entry %d = %d, want %d", idx, got, want)
		}
	}
}

func decodeSeg(t testing.TB, jws string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// resign replaces the header and/or claims and signs with key, keeping the chain.
func resign(t testing.TB, f *fixture, jws string, hdrMod, claimMod func(map[string]any)) string {
	t.Helper()
	hdr, claims := decodeSeg(t, jws, 0), decodeSeg(t, jws, 1)
	if hdrMod != nil {
		hdrMod(hdr)
	}
	if claimMod != nil {
		claimMod(claims)
	}
	return signRaw(t, f.signer, hdr, claims)
}

func TestVerifyRejects(t *testing.T) {
	f := newFixture(t)
	other := certstest.NewCA(t)
	good := f.token(t, nil)
	parts := strings.Split(good, ".")
	rogueKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tests := []struct {
		name  string
		token string
		at    time.Time
		cause error // optional extra errors.Is target
	}{
		{"expired", f.token(t, func(tk *statuslist.Token) {
			tk.IssuedAt = f.now.Add(-3 * time.Hour)
			tk.ExpiresAt = f.now.Add(-2 * time.Hour)
		}), f.now, nil},
		{"issued in the future", f.token(t, func(tk *statuslist.Token) {
			tk.IssuedAt = f.now.Add(time.Hour)
			tk.ExpiresAt = f.now.Add(2 * time.Hour)
		}), f.now, nil},
		{"wrong typ", resign(t, f, good, func(h map[string]any) { h["typ"] = "JWT" }, nil), f.now, nil},
		{"no typ", resign(t, f, good, func(h map[string]any) { delete(h, "typ") }, nil), f.now, nil},
		{"alg none", unsigned(t, good, "none"), f.now, nil},
		{"alg HS256", unsigned(t, good, "HS256"), f.now, nil},
		{"crit", resign(t, f, good, func(h map[string]any) { h["crit"] = []string{"exp"} }, nil), f.now, nil},
		{"no x5c", resign(t, f, good, func(h map[string]any) { delete(h, "x5c") }, nil), f.now, nil},
		{"untrusted chain", statuslistSign(t, other.Issue(t, "idgate Status List Signer")), f.now, certs.ErrUntrusted},
		{"wrong signer name", statuslistSign(t, f.ca.Issue(t, "idgate Employee ID Issuer")), f.now, certs.ErrNameNotAllowed},
		{"expired signer cert", statuslistSign(t, f.ca.Issue(t, "idgate Status List Signer", certstest.Expired())), f.now, certs.ErrNotValidAtTime},
		{"TLS server certificate", statuslistSign(t, f.ca.Issue(t, "idgate Status List Signer", certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth))), f.now, certs.ErrExtKeyUsage},
		{"credential signer profile", statuslistSign(t, f.ca.Issue(t, "idgate Status List Signer", certstest.WithProfile(certs.ProfileCredentialSigner))), f.now, certs.ErrExtKeyUsage},
		{"signature by another key", parts[0] + "." + parts[1] + "." + sigWith(t, rogueKey, parts[0]+"."+parts[1]), f.now, nil},
		{"tampered claims", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x","iat":1,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`)) + "." + parts[2], f.now, nil},
		{"missing sub", resign(t, f, good, nil, func(c map[string]any) { delete(c, "sub") }), f.now, nil},
		{"missing iat", resign(t, f, good, nil, func(c map[string]any) { delete(c, "iat") }), f.now, nil},
		{"string iat", resign(t, f, good, nil, func(c map[string]any) { c["iat"] = "1700000000" }), f.now, nil},
		{"negative ttl", resign(t, f, good, nil, func(c map[string]any) { c["ttl"] = -5 }), f.now, nil},
		{"bad bits", resign(t, f, good, nil, func(c map[string]any) { c["status_list"].(map[string]any)["bits"] = 3 }), f.now, statuslist.ErrMalformed},
		{"bad lst", resign(t, f, good, nil, func(c map[string]any) { c["status_list"].(map[string]any)["lst"] = "!!" }), f.now, statuslist.ErrMalformed},
		{"two parts", parts[0] + "." + parts[1], f.now, nil},
		{"garbage", "not a jws", f.now, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := statuslist.Verify([]byte(tc.token), f.trust, tc.at)
			if !errors.Is(err, statuslist.ErrInvalidList) {
				t.Fatalf("err = %v, want ErrInvalidList", err)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Fatalf("err = %v, want it to wrap %v", err, tc.cause)
			}
		})
	}
}

func statuslistSign(t testing.TB, s certs.Signer) string {
	t.Helper()
	l, _ := statuslist.New(1, 16)
	now := time.Now()
	jws, err := statuslist.Sign(statuslist.Token{Subject: listURI, IssuedAt: now, ExpiresAt: now.Add(time.Hour), List: l}, s)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

func FuzzVerifyToken(f *testing.F) {
	fx := newFixture(f)
	good := fx.token(f, nil)
	f.Add([]byte(good))
	f.Add([]byte(unsigned(f, good, "none")))
	// The draft's §5.1 example header and payload, unsigned.
	f.Add([]byte(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"12","typ":"statuslist+jwt"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"exp":2291720170,"iat":1686920170,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"},"sub":"https://example.com/statuslists/1","ttl":43200}`)) + "."))
	f.Add([]byte("a.b.c"))
	f.Fuzz(func(t *testing.T, tok []byte) {
		got, err := statuslist.Verify(tok, fx.trust, fx.now)
		if err != nil {
			if !errors.Is(err, statuslist.ErrInvalidList) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got.List == nil || got.Subject == "" {
			t.Fatal("accepted token without list or subject")
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	jws := []byte(f.token(b, nil))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := statuslist.Verify(jws, f.trust, f.now); err != nil {
			b.Fatal(err)
		}
	}
}
