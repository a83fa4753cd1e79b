package credential_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
)

func TestSubjectClaims(t *testing.T) {
	at := time.Date(2026, 5, 16, 12, 0, 0, 0, time.UTC)
	base := func(mod func(m map[string]any)) map[string]any {
		m := credential.Select(credential.DrivingLicence, credentialtest.Attributes)
		cp := map[string]any{}
		for k, v := range m {
			cp[k] = v
		}
		if mod != nil {
			mod(cp)
		}
		return cp
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]any
		ok    bool
	}{
		{"valid", base(nil), true},
		{"missing document_number", base(func(m map[string]any) { delete(m, "document_number") }), false},
		{"unknown claim", base(func(m map[string]any) { m["shoe_size"] = "42" }), false},
		{"registered claim smuggled in", base(func(m map[string]any) { m["iss"] = "x" }), false},
		{"bad birth_date", base(func(m map[string]any) { m["birth_date"] = "1990-02-30" }), false},
		{"bad country", base(func(m map[string]any) { m["issuing_country"] = "Germany" }), false},
		{"bad sex", base(func(m map[string]any) { m["sex"] = 3.0 }), false},
		{"sex as json.Number", base(func(m map[string]any) { m["sex"] = json.Number("2") }), true},
		{"empty privileges", base(func(m map[string]any) { m["driving_privileges"] = []any{} }), false},
		{"privilege without category", base(func(m map[string]any) {
			m["driving_privileges"] = []any{map[string]any{"issue_date": "2010-01-01"}}
		}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := credential.SubjectClaims(credential.DrivingLicence, tc.attrs, at)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && credential.CodeOf(err) != credential.CodeInvalidRequest {
				t.Fatalf("code %s", credential.CodeOf(err))
			}
		})
	}
}

func TestAgeOver(t *testing.T) {
	attrs := credential.Select(credential.DrivingLicence, credentialtest.Attributes) // born 1990-05-17
	for _, tc := range []struct {
		at       string
		over35   bool
		over36   bool
		birthday string
	}{
		{"2026-05-16", true, false, "day before the 36th birthday"},
		{"2026-05-17", true, true, "on the birthday"},
	} {
		at, _ := time.Parse(time.DateOnly, tc.at)
		c, err := credential.SubjectClaims(credential.DrivingLicence, attrs, at)
		if err != nil {
			t.Fatal(err)
		}
		if c["age_over_18"] != true || c["age_over_65"] != false || c["age_birth_year"] != 1990 {
			t.Fatalf("%s: %v", tc.birthday, c)
		}
	}
	young := map[string]any{}
	for k, v := range attrs {
		young[k] = v
	}
	young["birth_date"] = "2008-05-17"
	for _, tc := range []struct {
		at   string
		want bool
	}{{"2026-05-16", false}, {"2026-05-17", true}} {
		at, _ := time.Parse(time.DateOnly, tc.at)
		c, _ := credential.SubjectClaims(credential.DrivingLicence, young, at)
		if c["age_over_18"] != tc.want {
			t.Fatalf("at %s age_over_18 = %v, want %v", tc.at, c["age_over_18"], tc.want)
		}
	}
}

// TestIssueKeepsRegisteredClaimsPlain checks that the claims SD-JWT VC forbids from being
// selectively disclosable are in the signed payload, and every subject claim is not.
func TestIssueKeepsRegisteredClaimsPlain(t *testing.T) {
	env := credentialtest.New(t)
	h := env.Issue(t, credentialtest.IssueOpts{})
	jwt := h.Credential[:strings.IndexByte(h.Credential, '~')]
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"iss", "iat", "nbf", "exp", "vct", "cnf", "status", "_sd", "_sd_alg"} {
		if _, ok := payload[c]; !ok {
			t.Errorf("payload lacks %s", c)
		}
	}
	for _, c := range []string{"family_name", "given_name", "birth_date", "age_over_18", "driving_privileges"} {
		if _, ok := payload[c]; ok {
			t.Errorf("%s is in the clear", c)
		}
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if !strings.Contains(string(hdr), `"typ":"dc+sd-jwt"`) || !strings.Contains(string(hdr), `"x5c"`) {
		t.Fatalf("header %s", hdr)
	}
}

func TestVerifyTimeClaims(t *testing.T) {
	env := credentialtest.New(t)
	v := env.Verifier(t)
	for _, tc := range []struct {
		name string
		opts credentialtest.IssueOpts
		code credential.Code
	}{
		{"issued in the future", credentialtest.IssueOpts{IAT: time.Now().Add(time.Hour)}, credential.CodeIssuedInFuture},
		{"expired", credentialtest.IssueOpts{IAT: time.Now().Add(-2 * time.Hour), TTL: time.Hour}, credential.CodeExpired},
		{"employee ID", credentialtest.IssueOpts{Type: credential.EmployeeID}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := env.Issue(t, tc.opts)
			pres := h.Present(t, []string{"given_name"}, "aud", "n", time.Now())
			_, err := v.Verify(context.Background(), pres, credential.Expectation{Audience: "aud", Nonce: "n"})
			if got := credential.CodeOf(err); (tc.code == "" && err != nil) || (tc.code != "" && got != tc.code) {
				t.Fatalf("err %v, want %q", err, tc.code)
			}
		})
	}
	if _, err := v.Verify(context.Background(), "x", credential.Expectation{}); credential.CodeOf(err) != credential.CodeInvalidRequest {
		t.Fatalf("missing expectation: %v", err)
	}
}

// FuzzVerify feeds arbitrary presentations to the full verifier: it must never panic and
// must never accept anything but the seed it was given.
func FuzzVerify(f *testing.F) {
	env := credentialtest.New(f)
	h := env.Issue(f, credentialtest.IssueOpts{})
	good := h.Present(f, []string{"age_over_18"}, "aud", "n", time.Now())
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(strings.Replace(good, "~", "~~", 1))
	f.Add("eyJhbGciOiJub25lIn0.e30.~")
	v := env.Verifier(f)
	f.Fuzz(func(t *testing.T, s string) {
		res, err := v.Verify(context.Background(), s, credential.Expectation{Audience: "aud", Nonce: "n"})
		if err == nil && s != good {
			// Another string may only verify if it is the same presentation modulo encoding
			// the verifier normalises (none today).
			t.Fatalf("accepted a mutated presentation: %q -> %v", s, res.Claims)
		}
	})
}

// FuzzVerifyEdit fuzzes edits of one valid presentation rather than whole strings: each fuzz
// worker builds its own test CA and presentation (keys are random per process), so a string
// corpus made by one process is untrusted in the others and never gets past the chain check.
// An edit (replace cut bytes at pos with ins) applies to whichever presentation the process
// has; only the empty edit may verify.
func FuzzVerifyEdit(f *testing.F) {
	env := credentialtest.New(f)
	h := env.Issue(f, credentialtest.IssueOpts{})
	good := h.Present(f, []string{"age_over_18", "given_name"}, "aud", "n", time.Now())
	f.Add(uint16(0), uint16(0), "")
	f.Add(uint16(len(good)-1), uint16(1), "A")
	f.Add(uint16(strings.IndexByte(good, '~')), uint16(1), "~~")
	f.Add(uint16(strings.IndexByte(good, '.')+1), uint16(4), "eyJh")
	f.Add(uint16(strings.LastIndexByte(good, '~')), uint16(0), "~WyJzYWx0IiwiYWdlX292ZXJfMjEiLHRydWVd")
	v := env.Verifier(f)
	f.Fuzz(func(t *testing.T, pos, cut uint16, ins string) {
		p := min(int(pos), len(good))
		q := min(p+int(cut), len(good))
		s := good[:p] + ins + good[q:]
		res, err := v.Verify(context.Background(), s, credential.Expectation{Audience: "aud", Nonce: "n"})
		if (err == nil) == (res == nil) || (err != nil && credential.CodeOf(err) == "") {
			t.Fatalf("result %v, err %v", res, err)
		}
		if err == nil && s != good {
			t.Fatalf("accepted an edited presentation (at %d, cut %d, insert %q)", p, q-p, ins)
		}
	})
}

// TestExpiredIssuerCertCannotBackdate: the chain is judged at iat, which the signer picks, so
// a key whose certificate has expired could mint "old" credentials valid for a year. A
// credential may not outlive its signing certificate.
func TestExpiredIssuerCertCannotBackdate(t *testing.T) {
	env := credentialtest.New(t)
	expired := env.CA.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(credentialtest.IssuerURL), certstest.Expired())
	h := env.Issue(t, credentialtest.IssueOpts{Signer: expired, IAT: time.Now().Add(-36 * time.Hour), TTL: 365 * 24 * time.Hour})
	pres := h.Present(t, []string{"given_name"}, "aud", "n", time.Now())
	_, err := env.Verifier(t).Verify(context.Background(), pres, credential.Expectation{Audience: "aud", Nonce: "n"})
	if credential.CodeOf(err) != credential.CodeIssuerCertTime {
		t.Fatalf("err %v, want %s", err, credential.CodeIssuerCertTime)
	}
}
