package sdjwt

import (
	"reflect"
	"testing"
)

// TestVerifyClaimsDoNotAliasDisclosures: Verify rewrites the decoded payload in place, but
// disclosure values (here a recursively disclosed address and array elements) are copied, so
// changing the returned claims leaves Verified.Disclosures as received.
func TestVerifyClaimsDoNotAliasDisclosures(t *testing.T) {
	iss := newP256(t)
	s, err := Issue(sampleClaims(), samplePaths, IssueOptions{Signer: iss, Decoys: 3})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(s, VerifyOptions{IssuerKey: fixedKey(iss.Public())})
	if err != nil {
		t.Fatal(err)
	}
	var addr *Disclosure
	before := make([]any, len(v.Disclosures))
	for i, d := range v.Disclosures {
		before[i] = deepCopy(d.Value)
		if d.Name == "address" {
			addr = d
		}
	}
	if addr == nil {
		t.Fatal("no address disclosure")
	}
	if _, ok := addr.Value.(map[string]any)["_sd"]; !ok {
		t.Fatal("address disclosure should carry its own _sd")
	}
	a := v.Claims["address"].(map[string]any)
	if _, ok := a["_sd"]; ok || a["locality"] != "Köln" {
		t.Fatalf("processed address %v", a)
	}
	if _, ok := v.Claims["_sd"]; ok {
		t.Fatal("_sd left in claims")
	}
	if _, ok := v.Claims["_sd_alg"]; ok {
		t.Fatal("_sd_alg left in claims")
	}
	a["locality"] = "changed"
	for _, dp := range v.Claims["driving_privileges"].([]any) {
		dp.(map[string]any)["vehicle_category_code"] = "changed"
	}
	for i, d := range v.Disclosures {
		if !reflect.DeepEqual(d.Value, before[i]) {
			t.Fatalf("disclosure %q changed with the claims", d.Name)
		}
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
