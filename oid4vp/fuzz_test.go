package oid4vp

import (
	"net/url"
	"testing"
)

func FuzzParseQuery(f *testing.F) {
	for _, q := range []string{specQueryMDL, specQueryClaimSets, specQueryCredentialSets, specQueryNested} {
		f.Add([]byte(q))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseQuery(b)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// An accepted query round-trips through its canonical form and evaluates without panic.
		out, err := q.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseQuery(out); err != nil {
			t.Fatalf("canonical form %s rejected: %v", out, err)
		}
		_, _ = q.Evaluate([]Credential{{Format: FormatSDJWT, VCT: "urn:eudi:pid:1", HolderBound: true, Claims: map[string]any{"a": []any{map[string]any{"b": 1.0}}}}})
	})
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add(specJWE, "", "")
	f.Add("", `{"example_credential_id":["eyJhb...YMetA"]}`, "s")
	f.Add("", `{"mdl":["o2d2ZXJzaW9u"],"pid":["a~b~c"]}`, "")
	key := specKey(f).DecryptionKey()
	f.Fuzz(func(t *testing.T, response, vpToken, state string) {
		form := url.Values{}
		if response != "" {
			form.Set("response", response)
		}
		if vpToken != "" {
			form.Set("vp_token", vpToken)
		}
		if state != "" {
			form.Set("state", state)
		}
		for _, mode := range []string{ModeDirectPost, ModeDirectPostJWT} {
			r, err := DecodeResponse(form, DecodeOptions{Mode: mode, Key: key})
			if err != nil {
				if ReasonOf(err) == "" {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if r.Error == "" && len(r.VPToken) == 0 {
				t.Fatal("accepted a response with neither vp_token nor error")
			}
		}
	})
}
