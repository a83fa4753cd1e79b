package credential_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
)

// issuable issues subject claims SubjectClaims accepted and verifies a presentation disclosing
// every one of them; any failure is a claim set the validator should have refused.
type issuable struct {
	env *credentialtest.Env
	v   *credential.Verifier
	key *ecdsa.PrivateKey
}

func newIssuable(t testing.TB) *issuable {
	env := credentialtest.New(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &issuable{env: env, v: env.Verifier(t), key: key}
}

func (is *issuable) check(t testing.TB, typ credential.Type, subject map[string]any) {
	t.Helper()
	now := time.Now().Add(-time.Minute)
	signer := is.env.Licence
	if typ == credential.EmployeeID {
		signer = is.env.Employee
	}
	vc, err := credential.Issue(credential.IssueRequest{
		Type: typ, Issuer: credentialtest.IssuerURL, Subject: subject, HolderKey: &is.key.PublicKey,
		Status: credential.StatusRef{Index: 0, URI: is.env.StatusURI}, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	}, signer)
	if err != nil {
		t.Fatalf("SubjectClaims accepted what Issue refuses: %v\n%v", err, subject)
	}
	names := make([]string, 0, len(subject))
	for k := range subject {
		names = append(names, k)
	}
	h := &credentialtest.Holder{Key: is.key, Credential: vc}
	pres := h.Present(t, names, "aud", "n", time.Now())
	res, err := is.v.Verify(context.Background(), pres, credential.Expectation{Audience: "aud", Nonce: "n", Claims: names})
	if err != nil {
		t.Fatalf("SubjectClaims accepted what a verifier refuses: %v\n%v", err, subject)
	}
	if len(res.Claims) < len(subject) {
		t.Fatalf("verified %d claims of %d", len(res.Claims), len(subject))
	}
}

// TestSubjectClaimsRefuseUnissuable covers what an attack run enrolled and the issuer then
// failed to sign: SD-JWT's reserved names at any depth, deep nesting, wrong shapes, oversize.
func TestSubjectClaimsRefuseUnissuable(t *testing.T) {
	at := time.Now()
	deep := any("x")
	for range 40 {
		deep = map[string]any{"a": deep}
	}
	priv := func(m map[string]any) []any {
		p := map[string]any{"vehicle_category_code": "B"}
		for k, v := range m {
			p[k] = v
		}
		return []any{p}
	}
	for _, tc := range []struct {
		name, claim string
		value       any
		field       string // the error names it
	}{
		{"_sd in a privilege", "driving_privileges", priv(map[string]any{"_sd": []any{"x"}}), "driving_privileges[0]"},
		{"... in a code", "driving_privileges", priv(map[string]any{"codes": []any{map[string]any{"code": "78", "...": "x"}}}), "driving_privileges[0].codes[0]"},
		{"_sd_alg nested", "driving_privileges", priv(map[string]any{"codes": []any{map[string]any{"_sd_alg": "sha-256", "code": "1"}}}), "driving_privileges[0].codes[0]"},
		{"_sd_hash nested", "driving_privileges", priv(map[string]any{"_sd_hash": "x"}), "driving_privileges[0]"},
		{"40 deep", "driving_privileges", priv(map[string]any{"codes": []any{map[string]any{"code": deep}}}), "driving_privileges[0].codes[0].code"},
		{"40 deep in a text claim", "resident_address", deep, "resident_address"},
		{"object for text", "resident_city", map[string]any{"_sd": []any{}}, "resident_city"},
		{"array for text", "given_name", []any{"a"}, "given_name"},
		{"number for text", "document_number", 7.0, "document_number"},
		{"null", "resident_city", nil, "resident_city"},
		{"long text", "family_name", strings.Repeat("x", credential.MaxStringBytes+1), "family_name"},
		{"height fraction", "height", 170.5, "height"},
		{"weight string", "weight", "70", "weight"},
		{"unknown privilege field", "driving_privileges", priv(map[string]any{"cnf": "x"}), "driving_privileges[0].cnf"},
		{"long privilege name", "driving_privileges", priv(map[string]any{strings.Repeat("y", 1000): "x"}), "driving_privileges[0]"},
		{"too many privileges", "driving_privileges", func() []any {
			var l []any
			for range credential.MaxPrivileges + 1 {
				l = append(l, map[string]any{"vehicle_category_code": "B"})
			}
			return l
		}(), "driving_privileges"},
		{"bad privilege date", "driving_privileges", priv(map[string]any{"expiry_date": "2030-02-30"}), "driving_privileges[0].expiry_date"},
		{"code without code", "driving_privileges", priv(map[string]any{"codes": []any{map[string]any{"sign": "="}}}), "driving_privileges[0].codes[0]"},
		{"face template object", credential.FaceTemplateClaim, map[string]any{}, credential.FaceTemplateClaim},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs := credential.Select(credential.DrivingLicence, credentialtest.Attributes)
			attrs[tc.claim] = tc.value
			_, err := credential.SubjectClaims(credential.DrivingLicence, attrs, at)
			if err == nil {
				t.Fatal("accepted")
			}
			if credential.CodeOf(err) != credential.CodeInvalidRequest || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("%v: want invalid_request naming %s", err, tc.field)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

// TestSubjectClaimsAcceptedAreIssuable is the validator's property: every claim set it accepts
// is signed by Issue and verified by a relying party. Claim sets come from a seeded generator
// that mutates valid ones with hostile values (reserved names, deep and wide values, wrong
// shapes, edge sizes), so both sides of the line are exercised.
func TestSubjectClaimsAcceptedAreIssuable(t *testing.T) {
	is := newIssuable(t)
	r := rand.New(rand.NewPCG(1, 2))
	const rounds = 300
	accepted := 0
	for i := range rounds {
		typ := credential.DrivingLicence
		if i%3 == 0 {
			typ = credential.EmployeeID
		}
		spec, _ := credential.Lookup(typ)
		attrs := credential.Select(typ, credentialtest.Attributes)
		for range 1 + r.IntN(3) {
			names := append(append([]string{}, spec.Required...), spec.Optional...)
			name := names[r.IntN(len(names))]
			attrs[name] = genValue(r, name, 0)
		}
		// A round trip through JSON, as enrolment and the stores do.
		raw, err := json.Marshal(attrs)
		if err != nil {
			t.Fatal(err)
		}
		var decoded map[string]any
		if err := json.Unmarshal(raw, &decoded); err != nil {
			t.Fatal(err)
		}
		subject, err := credential.SubjectClaims(typ, decoded, time.Now())
		if err != nil {
			if credential.CodeOf(err) != credential.CodeInvalidRequest {
				t.Fatalf("code %s: %v", credential.CodeOf(err), err)
			}
			continue
		}
		accepted++
		is.check(t, typ, subject)
	}
	t.Logf("%d of %d claim sets accepted and issued", accepted, rounds)
	// The generator must reach both sides; a test that only ever refuses proves nothing.
	if accepted < rounds/10 || accepted > rounds*9/10 {
		t.Fatalf("%d of %d claim sets accepted; the generator lost its balance", accepted, rounds)
	}
}

// FuzzSubjectClaimsIssuable runs the same property over arbitrary JSON attribute objects.
func FuzzSubjectClaimsIssuable(f *testing.F) {
	valid, _ := json.Marshal(credential.Select(credential.DrivingLicence, credentialtest.Attributes))
	f.Add(valid)
	for _, s := range []string{
		`"driving_privileges":[{"vehicle_category_code":"B","_sd":["x"]}]`,
		`"driving_privileges":[{"vehicle_category_code":"B","codes":[{"code":"78","sign":"=","value":"x"}]}]`,
		`"height":180,"weight":75,"sex":9`,
		`"resident_address":{"...":"x"}`,
	} {
		b := append([]byte(nil), valid[:len(valid)-1]...)
		f.Add(append(append(b, ','), s+"}"...))
	}
	is := newIssuable(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var attrs map[string]any
		if json.Unmarshal(body, &attrs) != nil {
			return
		}
		subject, err := credential.SubjectClaims(credential.DrivingLicence, attrs, time.Now())
		if err != nil {
			return
		}
		is.check(t, credential.DrivingLicence, subject)
	})
}

// genValue returns a value for claim name: mostly one of its valid shapes, often something
// hostile.
func genValue(r *rand.Rand, name string, depth int) any {
	switch r.IntN(6) {
	case 0:
		return genAny(r, depth)
	case 1:
		return strings.Repeat("é", r.IntN(credential.MaxStringBytes/2+8))
	}
	switch name {
	case "birth_date", "issue_date", "expiry_date", "portrait_capture_date":
		return []string{"1990-01-01", "2000-02-29", "2001-02-29", "1990-1-1"}[r.IntN(4)]
	case "issuing_country", "resident_country", "nationality":
		return []string{"DE", "FR", "de", "DEU"}[r.IntN(4)]
	case "sex", "height", "weight":
		return []any{0.0, 2.0, 9.0, 180.0, 999.0, 1000.0, -1.0, 1.5}[r.IntN(8)]
	case "driving_privileges":
		n := r.IntN(credential.MaxPrivileges + 2)
		l := make([]any, n)
		for i := range l {
			p := map[string]any{"vehicle_category_code": []string{"B", "A2", "", "C1E"}[r.IntN(4)]}
			if r.IntN(2) == 0 {
				p["expiry_date"] = "2030-01-01"
			}
			if r.IntN(3) == 0 {
				codes := make([]any, r.IntN(credential.MaxPrivilegeCodes+2))
				for j := range codes {
					c := map[string]any{"code": "78", "value": strings.Repeat("v", r.IntN(300))}
					if r.IntN(8) == 0 {
						c[genName(r)] = genAny(r, depth+3)
					}
					codes[j] = c
				}
				p["codes"] = codes
			}
			if r.IntN(8) == 0 {
				p[genName(r)] = genAny(r, depth+2)
			}
			l[i] = p
		}
		return l
	case credential.FaceTemplateClaim:
		return strings.Repeat("A", r.IntN(credential.MaxFaceTemplateBytes+64))
	}
	return []string{"Erika", "", "Ministry of Transport", "𝄞"}[r.IntN(4)]
}

func genName(r *rand.Rand) string {
	return []string{"_sd", "...", "_sd_alg", "_sd_hash", "code", "sign", "value", "iss", "cnf", "x", ""}[r.IntN(11)]
}

func genAny(r *rand.Rand, depth int) any {
	if depth > 8 {
		return "leaf"
	}
	switch r.IntN(7) {
	case 0:
		m := map[string]any{}
		for range r.IntN(4) {
			m[genName(r)] = genAny(r, depth+1)
		}
		return m
	case 1:
		l := make([]any, r.IntN(4))
		for i := range l {
			l[i] = genAny(r, depth+1)
		}
		return l
	case 2:
		return nil
	case 3:
		return r.IntN(2) == 0
	case 4:
		return r.Float64() * 1e6
	}
	return "s"
}
