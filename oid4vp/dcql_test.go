package oid4vp

import (
	"errors"
	"strings"
	"testing"
)

func TestParseQueryRejects(t *testing.T) {
	sd := func(rest string) string {
		return `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}` + rest + `}]}`
	}
	cases := map[string]string{
		"not an object":           `[]`,
		"no credentials":          `{}`,
		"empty credentials":       `{"credentials":[]}`,
		"credentials null":        `{"credentials":null}`,
		"id missing":              `{"credentials":[{"format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`,
		"id bad charset":          `{"credentials":[{"id":"a b","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`,
		"id not string":           `{"credentials":[{"id":1,"format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`,
		"duplicate id":            `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}},{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`,
		"unknown format":          `{"credentials":[{"id":"a","format":"x","meta":{}}]}`,
		"meta missing":            `{"credentials":[{"id":"a","format":"dc+sd-jwt"}]}`,
		"vct_values missing":      `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{}}]}`,
		"vct_values empty":        `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[]}}]}`,
		"vct_values not strings":  `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[1]}}]}`,
		"doctype missing":         `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}`,
		"mdoc path of one":        `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns"]}]}]}`,
		"mdoc path with null":     `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns",null]}]}]}`,
		"multiple not bool":       sd(`,"multiple":"yes"`),
		"binding not bool":        sd(`,"require_cryptographic_holder_binding":1`),
		"claims empty":            sd(`,"claims":[]`),
		"path missing":            sd(`,"claims":[{"id":"x"}]`),
		"path empty":              sd(`,"claims":[{"path":[]}]`),
		"path negative index":     sd(`,"claims":[{"path":["a",-1]}]`),
		"path fractional index":   sd(`,"claims":[{"path":["a",1.5]}]`),
		"path object element":     sd(`,"claims":[{"path":[{}]}]`),
		"path bool element":       sd(`,"claims":[{"path":[true]}]`),
		"values empty":            sd(`,"claims":[{"path":["a"],"values":[]}]`),
		"values object":           sd(`,"claims":[{"path":["a"],"values":[{}]}]`),
		"values float":            sd(`,"claims":[{"path":["a"],"values":[1.5]}]`),
		"values null":             sd(`,"claims":[{"path":["a"],"values":[null]}]`),
		"intent_to_retain sd-jwt": sd(`,"claims":[{"path":["a"],"intent_to_retain":true}]`),
		"duplicate claim id":      sd(`,"claims":[{"id":"x","path":["a"]},{"id":"x","path":["b"]}]`),
		"claim_sets no claims":    sd(`,"claim_sets":[["x"]]`),
		"claim_sets unnamed":      sd(`,"claims":[{"path":["a"]}],"claim_sets":[["x"]]`),
		"claim_sets unknown id":   sd(`,"claims":[{"id":"x","path":["a"]}],"claim_sets":[["y"]]`),
		"claim_sets empty set":    sd(`,"claims":[{"id":"x","path":["a"]}],"claim_sets":[[]]`),
		"authorities empty":       sd(`,"trusted_authorities":[]`),
		"authority no values":     sd(`,"trusted_authorities":[{"type":"aki"}]`),
		"sets empty":              `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}],"credential_sets":[]}`,
		"set unknown id":          `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}],"credential_sets":[{"options":[["b"]]}]}`,
		"set no options":          `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}],"credential_sets":[{}]}`,
		"set required not bool":   `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}],"credential_sets":[{"options":[["a"]],"required":"no"}]}`,
		"trailing garbage":        `{"credentials":[]} x`,
		"too large":               `{"x":"` + strings.Repeat("a", MaxQueryBytes) + `"}`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseQuery([]byte(q))
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v, want invalid_request", err)
			}
		})
	}
	_, err := ParseQuery([]byte(`{"credentials":[{"id":"a","format":"ldp_vc","meta":{}}]}`))
	if !errors.Is(err, ErrVPFormatsNotSupported) {
		t.Fatalf("ldp_vc: err = %v", err)
	}
}

func TestParseQueryIgnoresUnknownProperties(t *testing.T) {
	q, err := ParseQuery([]byte(`{"future":1,"credentials":[{"id":"a","format":"dc+sd-jwt","x":{},"meta":{"vct_values":["v"],"y":2},
		"claims":[{"path":["a",0,null],"z":[]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Credentials[0].Claims[0].Path.String(); got != `["a",0,null]` {
		t.Fatalf("path = %s", got)
	}
	if !q.Credentials[0].HolderBindingRequired() || q.RequiresState() {
		t.Fatal("holder binding must default to required")
	}
}

func pidCredential(claims map[string]any) Credential {
	return Credential{Format: FormatSDJWT, VCT: "urn:eudi:pid:1", Claims: claims, HolderBound: true}
}

func TestEvaluateClaimSets(t *testing.T) {
	q, err := ParseQuery([]byte(specQueryClaimSets))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		claims  map[string]any
		wantSet int // -2: no match
	}{
		{"age claim preferred", map[string]any{"age_equivalents": map[string]any{"18": true}, "family_name": "D", "birthdate": "2000-01-01"}, 0},
		{"age false falls back", map[string]any{"age_equivalents": map[string]any{"18": false}, "family_name": "D", "birthdate": "2000-01-01"}, 1},
		{"name and birthdate", map[string]any{"family_name": "D", "birthdate": "2000-01-01"}, 1},
		{"nothing fits", map[string]any{"family_name": "D"}, -2},
		{"wrong type on path", map[string]any{"age_equivalents": "18"}, -2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := q.Evaluate([]Credential{pidCredential(tc.claims)})
			if tc.wantSet == -2 {
				if !errors.Is(err, Reason(AccessDenied, ReasonNoMatch)) {
					t.Fatalf("err = %v, want no match", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Candidates["pid"][0].Selection.ClaimSet; got != tc.wantSet {
				t.Fatalf("claim set = %d, want %d", got, tc.wantSet)
			}
		})
	}
}

func TestEvaluateCredentialSets(t *testing.T) {
	q, err := ParseQuery([]byte(specQueryCredentialSets))
	if err != nil {
		t.Fatal(err)
	}
	pid := pidCredential(map[string]any{"given_name": "E"})
	card := Credential{Format: FormatSDJWT, VCT: "https://shop.example/card", Claims: map[string]any{}}
	mdl := Credential{Format: FormatMDoc, Doctype: "org.iso.18013.5.1.mDL", HolderBound: true,
		Claims: map[string]any{"org.iso.18013.5.1": map[string]any{"document_number": "1"}}}
	mdlOtherIssuer := mdl
	mdl.AuthorityKeyIDs = []string{"VPojg6BMKODZMHkiYcgMSIHSwAs"}

	ev, err := q.Evaluate([]Credential{pid, card})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ev.Selected, ",") != "pid,card" {
		t.Fatalf("selected %v", ev.Selected)
	}
	ev, err = q.Evaluate([]Credential{mdl, pid})
	if err != nil || strings.Join(ev.Selected, ",") != "mdl" {
		t.Fatalf("first option preferred: %v %v", ev, err)
	}
	ev, err = q.Evaluate([]Credential{mdlOtherIssuer, pid})
	if err != nil || strings.Join(ev.Selected, ",") != "pid" {
		t.Fatalf("aki must exclude the other issuer's mdl: %v %v", ev, err)
	}
	if _, err := q.Evaluate([]Credential{card}); !errors.Is(err, Reason(AccessDenied, ReasonNoMatch)) {
		t.Fatalf("required set unmet: err = %v", err)
	}
	unbound := pid
	unbound.HolderBound = false
	if _, err := q.Evaluate([]Credential{unbound}); err == nil {
		t.Fatal("a credential without holder binding satisfied a query that requires it")
	}
}

func TestSelectPaths(t *testing.T) {
	doc := map[string]any{"nationalities": []any{"DE", "FR"}, "address": map[string]any{"street_address": "x"}, "degrees": []any{map[string]any{"type": "BSc"}, map[string]any{"type": "MSc"}}}
	q, err := ParseQuery([]byte(specQueryNested))
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Credentials[0].Claims[3].Path.Select(doc); len(got) != 2 {
		t.Fatalf("null selects every element: %v", got)
	}
	for _, tc := range []struct {
		path ClaimPath
		n    int
	}{
		{ClaimPath{Key("degrees"), All(), Key("type")}, 2},
		{ClaimPath{Key("degrees"), Index(1), Key("type")}, 1},
		{ClaimPath{Key("degrees"), Index(2)}, 0},
		{ClaimPath{Key("address"), Index(0)}, 0},
		{ClaimPath{Key("nationalities"), Key("x")}, 0},
		{NewPath("address", "street_address"), 1},
	} {
		if got := tc.path.Select(doc); len(got) != tc.n {
			t.Errorf("%s selects %d, want %d", tc.path, len(got), tc.n)
		}
	}
	if !valueMatches(float64(90210), []any{int64(90210)}) || valueMatches("90210", []any{int64(90210)}) || valueMatches(true, []any{"true"}) {
		t.Fatal("values compare type and value")
	}
}
