package walletsdk

import (
	"errors"
	"net/url"
	"testing"
)

// Spec vectors: OpenID4VCI 1.0 §4.1.2 (by value) and §4.1.3 (by reference).
const (
	specOfferByValue = `openid-credential-offer://?credential_offer=%7B%22credential_issuer%22:%22https://credential-issuer.example.com%22,%22credential_configuration_ids%22:%5B%22org.iso.18013.5.1.mDL%22%5D,%22grants%22:%7B%22urn:ietf:params:oauth:grant-type:pre-authorized_code%22:%7B%22pre-authorized_code%22:%22oaKazRN8I0IbtZ0C7JuMn5%22,%22tx_code%22:%7B%22input_mode%22:%22text%22,%22description%22:%22Please%20enter%20the%20serial%20number%20of%20your%20physical%20drivers%20license%22%7D%7D%7D%7D`
	specOfferByRef   = `openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom%2Fcredential-offer%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM`
	// §4.1.1 example offer, pre-authorised grant with a numeric tx_code.
	specOfferJSON = `{
   "credential_issuer": "https://credential-issuer.example.com",
   "credential_configuration_ids": ["UniversityDegreeCredential", "org.iso.18013.5.1.mDL"],
   "grants": {
      "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
         "pre-authorized_code": "oaKazRN8I0IbtZ0C7JuMn5",
         "tx_code": {"length": 4, "input_mode": "numeric",
            "description": "Please provide the one-time code that was sent via e-mail"}
      }
   }
}`
)

func TestParseOfferURISpecVectors(t *testing.T) {
	ref, err := ParseOfferURI(specOfferByValue)
	if err != nil {
		t.Fatal(err)
	}
	o := ref.Offer
	g := o.Grants.PreAuthorizedCode
	if o.CredentialIssuer != "https://credential-issuer.example.com" || len(o.CredentialConfigurationIDs) != 1 ||
		o.CredentialConfigurationIDs[0] != "org.iso.18013.5.1.mDL" || g.PreAuthorizedCode != "oaKazRN8I0IbtZ0C7JuMn5" ||
		g.TxCode == nil || g.TxCode.InputMode != "text" {
		t.Fatalf("by value: got %+v grant %+v", o, g)
	}
	ref, err = ParseOfferURI(specOfferByRef)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Offer != nil || ref.URI != "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM" {
		t.Fatalf("by reference: got %+v", ref)
	}
	o, err = ParseOffer([]byte(specOfferJSON))
	if err != nil {
		t.Fatal(err)
	}
	if tc := o.Grants.PreAuthorizedCode.TxCode; tc == nil || tc.Length != 4 || tc.InputMode != "numeric" {
		t.Fatalf("tx_code: %+v", tc)
	}
}

func offerURI(json string) string {
	return "openid-credential-offer://?credential_offer=" + url.QueryEscape(json)
}

func TestParseOfferURIRejects(t *testing.T) {
	const okGrant = `"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"c"}}`
	tests := []struct {
		name, uri, code string
	}{
		{"empty", "", CodeInvalidOffer},
		{"wrong scheme", "ftp://?credential_offer=%7B%7D", CodeInvalidOffer},
		{"no parameter", "openid-credential-offer://?foo=bar", CodeInvalidOffer},
		{"both parameters", specOfferByValue + "&credential_offer_uri=https%3A%2F%2Fa.example", CodeInvalidOffer},
		{"offer twice", specOfferByValue + "&credential_offer=x", CodeInvalidOffer},
		{"uri not http", "openid-credential-offer://?credential_offer_uri=file%3A%2F%2F%2Fetc%2Fpasswd", CodeInvalidOffer},
		{"not json", offerURI("{"), CodeInvalidOffer},
		{"issuer missing", offerURI(`{"credential_configuration_ids":["a"],` + okGrant + `}`), CodeInvalidOffer},
		{"issuer with query", offerURI(`{"credential_issuer":"https://i.example?x=1","credential_configuration_ids":["a"],` + okGrant + `}`), CodeInvalidOffer},
		{"issuer with fragment", offerURI(`{"credential_issuer":"https://i.example#f","credential_configuration_ids":["a"],` + okGrant + `}`), CodeInvalidOffer},
		{"no configs", offerURI(`{"credential_issuer":"https://i.example","credential_configuration_ids":[],` + okGrant + `}`), CodeInvalidOffer},
		{"repeated config", offerURI(`{"credential_issuer":"https://i.example","credential_configuration_ids":["a","a"],` + okGrant + `}`), CodeInvalidOffer},
		{"authorization code only", offerURI(`{"credential_issuer":"https://i.example","credential_configuration_ids":["a"],"grants":{"authorization_code":{}}}`), CodeUnsupportedOffer},
		{"empty code", offerURI(`{"credential_issuer":"https://i.example","credential_configuration_ids":["a"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":""}}}`), CodeInvalidOffer},
		{"bad input mode", offerURI(`{"credential_issuer":"https://i.example","credential_configuration_ids":["a"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"c","tx_code":{"input_mode":"voice"}}}}`), CodeInvalidOffer},
		{"oversized", "openid-credential-offer://?credential_offer=" + string(make([]byte, maxOfferURILen)), CodeInvalidOffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOfferURI(tt.uri)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, &Error{Code: tt.code}) {
				t.Fatalf("got %v, want code %s", err, tt.code)
			}
		})
	}
}

func FuzzParseOffer(f *testing.F) {
	f.Add(specOfferByValue)
	f.Add(specOfferByRef)
	f.Add(specOfferJSON)
	f.Add(offerURI(specOfferJSON))
	f.Add(`{"credential_issuer":"https://i.example","credential_configuration_ids":["a"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"c","tx_code":{}}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, err := range []error{func() error { _, err := ParseOfferURI(s); return err }(),
			func() error { _, err := ParseOffer([]byte(s)); return err }()} {
			if err != nil && CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
		}
		if ref, err := ParseOfferURI(s); err == nil {
			if (ref.Offer == nil) == (ref.URI == "") {
				t.Fatalf("accepted offer URI must yield exactly one of offer or URI: %+v", ref)
			}
			if ref.Offer != nil && (ref.Offer.Grants.PreAuthorizedCode == nil || ref.Offer.Grants.PreAuthorizedCode.PreAuthorizedCode == "") {
				t.Fatal("accepted offer without pre-authorized code")
			}
		}
	})
}
