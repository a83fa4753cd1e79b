package sdjwt

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func errorsIs(err error, code string) bool { return errors.Is(err, &Error{Code: code}) }

// RFC 9901 §4.2.1–§4.2.3 worked examples, plus the draft-era vector named in
// our brief (same claim, different salt; its digest is our own computation,
// cross-checked by decoding).
func TestRFCDisclosureDigests(t *testing.T) {
	tests := []struct {
		name, enc, digest, salt, claim string
		value                          any
	}{
		{"4.2.1 family_name", "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
			"X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0", "_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"},
		{"4.2.2 array element FR", "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0",
			"w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs", "lklxF5jMYlGTPUovMNIvCA", "", "FR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDisclosure(tc.enc)
			if err != nil {
				t.Fatal(err)
			}
			if d.Salt != tc.salt || d.Name != tc.claim || d.Value != tc.value {
				t.Fatalf("decoded %q %q %v", d.Salt, d.Name, d.Value)
			}
			got, err := d.Digest(SHA256)
			if err != nil || got != tc.digest {
				t.Fatalf("digest %q, want %q (%v)", got, tc.digest, err)
			}
		})
	}
}

// RFC 9901 §4.2.1 notes that other JSON encodings of the same array are
// equally valid disclosures (with different digests).
func TestRFCAlternativeEncodings(t *testing.T) {
	for _, enc := range []string{
		"WwoiXzI2YmM0TFQtYWM2cTJLSTZjQlc1ZXMiLAoiZmFtaWx5X25hbWUiLAoiTcO2Yml1cyIKXQ",
		"WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd",
		"WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0", // draft-era salt
	} {
		d, err := ParseDisclosure(enc)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "family_name" || d.Value != "Möbius" || d.Encoded != enc {
			t.Fatalf("%s decoded to %q=%v", enc, d.Name, d.Value)
		}
	}
}

// The full RFC examples, verified with the published Appendix A.5 key.
func TestRFCExamplesVerify(t *testing.T) {
	key := rfcIssuerKey(t)
	tests := []struct {
		file  string
		check func(t *testing.T, c map[string]any)
	}{
		{"rfc9901_section5_1.txt", func(t *testing.T, c map[string]any) {
			want := map[string]any{"street_address": "123 Main St", "locality": "Anytown", "region": "Anystate", "country": "US"}
			if c["given_name"] != "John" || c["family_name"] != "Doe" || c["phone_number_verified"] != true ||
				c["updated_at"] != 1570000000.0 || !reflect.DeepEqual(c["address"], want) ||
				!reflect.DeepEqual(c["nationalities"], []any{"US", "DE"}) {
				t.Fatalf("claims %v", c)
			}
		}},
		{"rfc9901_appendix_a1.txt", func(t *testing.T, c map[string]any) { // structured
			if !reflect.DeepEqual(c["address"], map[string]any{"region": "港区", "country": "JP"}) {
				t.Fatalf("address %v", c["address"])
			}
		}},
		{"rfc9901_appendix_a2.txt", func(t *testing.T, c map[string]any) { // recursive + array
			vc := c["verified_claims"].(map[string]any)
			ver := vc["verification"].(map[string]any)
			ev := ver["evidence"].([]any)
			if ver["time"] != "2012-04-23T18:25Z" || len(ev) != 1 || ev[0].(map[string]any)["method"] != "pipp" {
				t.Fatalf("verification %v", ver)
			}
			cl := vc["claims"].(map[string]any)
			if cl["given_name"] != "Max" || cl["family_name"] != "Müller" {
				t.Fatalf("claims %v", cl)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			v, err := Verify(readVector(t, tc.file), VerifyOptions{IssuerKey: fixedKey(key)})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"_sd", "_sd_alg"} {
				if _, ok := v.Claims[k]; ok {
					t.Fatalf("%s left in claims", k)
				}
			}
			if v.Claims["iss"] == nil {
				t.Fatal("iss lost")
			}
			tc.check(t, v.Claims)
		})
	}
}

// RFC 9901 Appendix A.4 presentation with a KB-JWT by the cnf.jwk holder key.
func TestRFCKeyBindingExample(t *testing.T) {
	s := readVector(t, "rfc9901_appendix_a4_kb.txt")
	kb := &KBOptions{Required: true, Audience: "https://verifier.example.org", Nonce: "1234567890",
		Now: time.Unix(1748454271, 0)}
	v, err := Verify(s, VerifyOptions{IssuerKey: fixedKey(rfcIssuerKey(t)), KeyBinding: kb})
	if err != nil {
		t.Fatal(err)
	}
	if v.HolderKey == nil || v.KeyBinding["nonce"] != "1234567890" {
		t.Fatalf("kb %v", v.KeyBinding)
	}
	cs := v.Claims["credentialSubject"].(map[string]any)
	if cs["vaccine"].(map[string]any)["atcCode"] != "J07BX03" {
		t.Fatalf("claims %v", cs)
	}
	bad := []struct {
		mut  func(o *KBOptions)
		code string
	}{
		{func(o *KBOptions) { o.Audience = "https://other.example" }, CodeKBAud},
		{func(o *KBOptions) { o.Nonce = "123456789" }, CodeKBNonce},
		{func(o *KBOptions) { o.Now = o.Now.Add(time.Hour) }, CodeKBIat},
		{func(o *KBOptions) { o.Now = o.Now.Add(-time.Hour) }, CodeKBIat},
	}
	for _, b := range bad {
		o := *kb
		b.mut(&o)
		_, err := Verify(s, VerifyOptions{IssuerKey: fixedKey(rfcIssuerKey(t)), KeyBinding: &o})
		wantCode(t, err, b.code)
	}
}
