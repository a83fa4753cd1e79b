package oid4vp

import (
	"errors"
	"testing"
)

// fakeVerify stands in for the verifier's presentation checks: the presentation string names
// a credential prepared by the test.
func fakeVerify(creds map[string]*Credential) PresentationVerifier {
	return func(cq *CredentialQuery, p string) (*Credential, error) {
		c, ok := creds[p]
		if !ok {
			return nil, errors.New("signature invalid")
		}
		return c, nil
	}
}

func TestCheckVPToken(t *testing.T) {
	q, err := ParseQuery([]byte(`{"credentials":[
		{"id":"id","format":"dc+sd-jwt","meta":{"vct_values":["urn:idgate:employee:1"]},"claims":[{"path":["given_name"]},{"path":["age_over_18"],"values":[true]}]},
		{"id":"card","format":"dc+sd-jwt","meta":{"vct_values":["urn:card"]},"require_cryptographic_holder_binding":false},
		{"id":"multi","format":"dc+sd-jwt","multiple":true,"meta":{"vct_values":["urn:m"]}},
		{"id":"unused","format":"dc+sd-jwt","meta":{"vct_values":["urn:u"]}}],
		"credential_sets":[{"options":[["id"]]},{"required":false,"options":[["card"],["multi"]]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	good := &Credential{Format: FormatSDJWT, VCT: "urn:idgate:employee:1", HolderBound: true, Claims: map[string]any{"given_name": "A", "age_over_18": true}}
	creds := map[string]*Credential{
		"good":     good,
		"minor":    {Format: FormatSDJWT, VCT: good.VCT, HolderBound: true, Claims: map[string]any{"given_name": "A", "age_over_18": false}},
		"noname":   {Format: FormatSDJWT, VCT: good.VCT, HolderBound: true, Claims: map[string]any{"age_over_18": true}},
		"wrongvct": {Format: FormatSDJWT, VCT: "urn:other", HolderBound: true, Claims: good.Claims},
		"unbound":  {Format: FormatSDJWT, VCT: good.VCT, Claims: good.Claims},
		"card":     {Format: FormatSDJWT, VCT: "urn:card"},
		"m":        {Format: FormatSDJWT, VCT: "urn:m", HolderBound: true},
		"u":        {Format: FormatSDJWT, VCT: "urn:u", HolderBound: true},
	}
	tests := []struct {
		name   string
		vt     VPToken
		reason string
	}{
		{"valid", VPToken{"id": {"good"}}, ""},
		{"valid with optional set", VPToken{"id": {"good"}, "card": {"card"}, "multi": {"m", "m"}}, ""},
		{"claim missing", VPToken{"id": {"noname"}}, ReasonQueryNotSatisfied},
		{"wrong vct", VPToken{"id": {"wrongvct"}}, ReasonQueryNotSatisfied},
		{"value outside values", VPToken{"id": {"minor"}}, ReasonQueryNotSatisfied},
		{"holder binding missing", VPToken{"id": {"unbound"}}, ReasonHolderBinding},
		{"presentation fails verification", VPToken{"id": {"forged"}}, ReasonPresentationInvalid},
		{"unknown query id", VPToken{"id": {"good"}, "other": {"good"}}, ReasonUnknownQueryID},
		{"extra unrequested credential", VPToken{"id": {"good"}, "unused": {"u"}}, ReasonUnrequested},
		{"two without multiple", VPToken{"id": {"good", "good"}}, ReasonTooManyPresentations},
		{"required set missing", VPToken{"card": {"card"}}, ReasonCredentialMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := q.CheckVPToken(tc.vt, fakeVerify(creds))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(out["id"]) != 1 || out["id"][0].Credential != good {
					t.Fatalf("out = %+v", out)
				}
				return
			}
			if ReasonOf(err) != tc.reason || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v, want %s", err, tc.reason)
			}
		})
	}
	// Without credential_sets every query is required.
	q2, _ := ParseQuery([]byte(`{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["urn:m"]}},{"id":"b","format":"dc+sd-jwt","meta":{"vct_values":["urn:m"]}}]}`))
	if _, err := q2.CheckVPToken(VPToken{"a": {"m"}}, fakeVerify(creds)); ReasonOf(err) != ReasonCredentialMissing {
		t.Fatalf("missing b: err = %v", err)
	}
}
