package sdjwt

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// opaqueSigner hides the concrete key type, like an HSM handle does.
type opaqueSigner struct{ s crypto.Signer }

func (o opaqueSigner) Public() crypto.PublicKey { return o.s.Public() }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.s.Sign(r, d, opts)
}

func sampleClaims() map[string]any {
	return map[string]any{
		"iss": "https://issuer.example", "sub": "user_42", "iat": 1683000000,
		"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12",
		"nationalities": []any{"DE", "FR", "NL"},
		"address":       map[string]any{"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"},
		"driving_privileges": []any{
			map[string]any{"vehicle_category_code": "A", "issue_date": "2018-08-09"},
			map[string]any{"vehicle_category_code": "B", "issue_date": "2017-02-23"},
		},
		"big": 9007199254740993, // > 2^53: survives issuance exactly
	}
}

var samplePaths = []string{
	"/given_name", "/family_name", "/birthdate",
	"/nationalities/1", "/nationalities/2",
	"/address", "/address/street_address", "/address/locality", // recursive
	"/driving_privileges/*", "/driving_privileges/*/issue_date",
}

func TestIssueRoundTrip(t *testing.T) {
	ec := newP256(t)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		signer crypto.Signer
		alg    jwa.SignatureAlgorithm
		hash   string
	}{
		{"ES256 opaque signer", opaqueSigner{ec}, "", ""},
		{"EdDSA sha-512", ed, jwa.EdDSA, SHA512},
		{"ES256 sha-384", ec, jwa.ES256, SHA384},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Issue(sampleClaims(), samplePaths, IssueOptions{Signer: tc.signer, Alg: tc.alg, HashAlg: tc.hash,
				Decoys: 2, Header: map[string]any{"typ": "dc+sd-jwt", "kid": "k1"}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := Verify(s, VerifyOptions{IssuerKey: fixedKey(tc.signer.Public())})
			if err != nil {
				t.Fatal(err)
			}
			want := sampleClaims()
			want["iat"], want["big"] = 1683000000.0, 9007199254740992.0 // float64 view after decode
			if !reflect.DeepEqual(v.Claims, want) {
				t.Fatalf("claims\n got %v\nwant %v", v.Claims, want)
			}
			if v.Header.Type() != "dc+sd-jwt" || v.Header.KeyID() != "k1" {
				t.Fatal("headers lost")
			}
			if !strings.Contains(s, "9007199254740993") && !payloadContains(t, s, "9007199254740993") {
				t.Fatal("big integer not issued exactly")
			}
			tok, _ := Parse(s)
			if len(tok.Disclosures) != 12 {
				t.Fatalf("disclosures %d", len(tok.Disclosures))
			}
		})
	}
}

func payloadContains(t *testing.T, s, sub string) bool {
	c, err := parseCompact(s[:strings.IndexByte(s, '~')])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(c.payload), sub)
}

func TestIssueHidesAndSorts(t *testing.T) {
	k := newP256(t)
	s, err := Issue(sampleClaims(), samplePaths, IssueOptions{Signer: k, Decoys: 3})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := Parse(s)
	payload, _ := unverifiedPayload(tok.IssuerJWT)
	for _, hidden := range []string{"given_name", "family_name", "birthdate", "address"} {
		if _, ok := payload[hidden]; ok {
			t.Fatalf("%s visible in payload", hidden)
		}
	}
	sd := payload["_sd"].([]any)
	strs := make([]string, len(sd))
	for i, d := range sd {
		strs[i] = d.(string)
	}
	if !slices.IsSorted(strs) || len(sd) < 4+3 || len(sd) > 4+6 {
		t.Fatalf("_sd unsorted or wrong decoy count: %d", len(sd))
	}
	if payload["_sd_alg"] != SHA256 {
		t.Fatal("_sd_alg missing")
	}
	if nat := payload["nationalities"].([]any); nat[0] != "DE" || nat[1].(map[string]any)["..."] == nil {
		t.Fatalf("nationalities %v", nat)
	}
}

func TestPresentAndPaths(t *testing.T) {
	k := newP256(t)
	s, err := Issue(sampleClaims(), samplePaths, IssueOptions{Signer: k})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := tok.Paths()
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{"/address/locality", "/address/street_address", "/address", "/birthdate",
		"/driving_privileges/0/issue_date", "/driving_privileges/0", "/driving_privileges/1/issue_date",
		"/driving_privileges/1", "/family_name", "/given_name", "/nationalities/1", "/nationalities/2"}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Fatalf("paths %v", paths)
	}
	tests := []struct {
		paths []string
		check func(c map[string]any) bool
		n     int
	}{
		{[]string{"/given_name"}, func(c map[string]any) bool { return c["given_name"] == "Erika" && c["family_name"] == nil }, 1},
		{[]string{"/address/locality"}, func(c map[string]any) bool {
			return reflect.DeepEqual(c["address"], map[string]any{"locality": "Köln", "country": "DE"})
		}, 2},
		{[]string{"/address"}, func(c map[string]any) bool { return len(c["address"].(map[string]any)) == 3 }, 3},
		{[]string{"/nationalities/2"}, func(c map[string]any) bool { return reflect.DeepEqual(c["nationalities"], []any{"DE", "NL"}) }, 1},
		{[]string{"/driving_privileges/*/vehicle_category_code"}, func(c map[string]any) bool {
			dp := c["driving_privileges"].([]any)
			return len(dp) == 2 && dp[0].(map[string]any)["issue_date"] == nil
		}, 2},
		{[]string{"/sub"}, func(c map[string]any) bool { return c["sub"] == "user_42" && c["given_name"] == nil }, 0},
	}
	for _, tc := range tests {
		p, err := tok.Present(tc.paths)
		if err != nil {
			t.Fatal(tc.paths, err)
		}
		if len(p.Disclosures) != tc.n {
			t.Fatalf("%v: %d disclosures, want %d", tc.paths, len(p.Disclosures), tc.n)
		}
		v, err := Verify(p.String(), VerifyOptions{IssuerKey: fixedKey(k.Public())})
		if err != nil {
			t.Fatal(tc.paths, err)
		}
		if !tc.check(v.Claims) {
			t.Fatalf("%v: claims %v", tc.paths, v.Claims)
		}
	}
	_, err = tok.Present([]string{"/no_such_claim"})
	wantCode(t, err, CodePathInvalid)
}

func TestIssueErrors(t *testing.T) {
	k := newP256(t)
	tests := []struct {
		name   string
		claims map[string]any
		paths  []string
		opts   IssueOptions
		code   string
	}{
		{"missing claim", sampleClaims(), []string{"/nope"}, IssueOptions{Signer: k}, CodePathInvalid},
		{"index out of range", sampleClaims(), []string{"/nationalities/3"}, IssueOptions{Signer: k}, CodePathInvalid},
		{"star on object", sampleClaims(), []string{"/address/*"}, IssueOptions{Signer: k}, CodePathInvalid},
		{"below scalar", sampleClaims(), []string{"/sub/x"}, IssueOptions{Signer: k}, CodePathInvalid},
		{"root", sampleClaims(), []string{"/"}, IssueOptions{Signer: k}, CodePathInvalid},
		{"reserved claim", map[string]any{"a": map[string]any{"_sd": 1}}, nil, IssueOptions{Signer: k}, CodeClaimConflict},
		{"no signer", sampleClaims(), nil, IssueOptions{}, CodeConfigInvalid},
		{"HS256", sampleClaims(), nil, IssueOptions{Signer: k, Alg: jwa.HS256}, CodeAlgNotAllowed},
		{"bad hash", sampleClaims(), nil, IssueOptions{Signer: k, HashAlg: "md5"}, CodeSDAlgUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Issue(tc.claims, tc.paths, tc.opts)
			wantCode(t, err, tc.code)
		})
	}
}

func TestKeyBindingRoundTrip(t *testing.T) {
	issuer, holder := newP256(t), newP256(t)
	claims := sampleClaims()
	claims["cnf"] = holderJWK(holder)
	s, err := Issue(claims, samplePaths, IssueOptions{Signer: issuer})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := Parse(s)
	p, _ := tok.Present([]string{"/given_name"})
	now := time.Unix(1_800_000_000, 0)
	kb, err := AddKeyBinding(p.String(), holder, jwa.ES256, "https://gate.example", "n-1", now)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(kb, VerifyOptions{IssuerKey: fixedKey(issuer.Public()),
		KeyBinding: &KBOptions{Required: true, Audience: "https://gate.example", Nonce: "n-1", Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyBinding["aud"] != "https://gate.example" || v.Claims["given_name"] != "Erika" {
		t.Fatalf("%v", v.KeyBinding)
	}
	if _, err := AddKeyBinding(kb, holder, jwa.ES256, "a", "n", now); ErrorCode(err) != CodeKBMalformed {
		t.Fatalf("double KB: %v", err)
	}
}
