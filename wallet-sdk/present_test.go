package walletsdk

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/sdjwt"
)

// verifyAsRP checks a presentation the way a relying party does (x5c leaf key, KB-JWT bound
// to aud and nonce) and returns the disclosed claims.
func verifyAsRP(t *testing.T, ca *oid4vcitest.CA, pres, aud, nonce string) (*sdjwt.Verified, error) {
	t.Helper()
	return sdjwt.Verify(pres, sdjwt.VerifyOptions{
		IssuerKey:  func(jws.Headers) (crypto.PublicKey, error) { return &ca.LeafKey.PublicKey, nil },
		KeyBinding: &sdjwt.KBOptions{Required: true, Audience: aud, Nonce: nonce},
	})
}

func TestPresentDisclosesOnlyRequestedClaims(t *testing.T) {
	iss := oid4vcitest.New(t)
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	id := creds[0].ID
	const aud, nonce = "https://rp.example.org", "n-0S6_WzA2Mj"
	tests := []struct {
		name    string
		claims  []string
		visible map[string]any // top-level claim -> expected value (nil: just present)
		hidden  []string
		addr    map[string]bool // address sub-claim -> visible
	}{
		{"one top-level", []string{"given_name"}, map[string]any{"given_name": oid4vcitest.GivenName},
			[]string{"family_name", "birth_date", "address"}, nil},
		{"nested path", []string{"family_name", "/address/locality"}, map[string]any{"family_name": oid4vcitest.FamilyName},
			[]string{"given_name", "birth_date"}, map[string]bool{"locality": true, "street_address": false, "country": true}},
		{"slash name form", []string{"address/street_address"}, map[string]any{},
			[]string{"given_name", "family_name", "birth_date"}, map[string]bool{"locality": false, "street_address": true}},
		{"always-visible only", []string{"iss", "vct"}, map[string]any{"iss": iss.URL, "vct": oid4vcitest.VCT},
			[]string{"given_name", "family_name", "birth_date", "address"}, nil},
		{"nothing", nil, map[string]any{}, []string{"given_name", "family_name", "birth_date", "address"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pres, err := w.Present(t.Context(), id, PresentationRequest{Audience: aud, Nonce: nonce, VCT: oid4vcitest.VCT, Claims: tt.claims})
			if err != nil {
				t.Fatal(err)
			}
			v, err := verifyAsRP(t, iss.CA, pres, aud, nonce)
			if err != nil {
				t.Fatalf("relying party rejects the presentation: %v", err)
			}
			for k, want := range tt.visible {
				if got, ok := v.Claims[k]; !ok || got != want {
					t.Errorf("claim %s = %v, want %v", k, got, want)
				}
			}
			for _, k := range tt.hidden {
				if _, ok := v.Claims[k]; ok {
					t.Errorf("claim %s disclosed but not requested", k)
				}
			}
			addr, _ := v.Claims["address"].(map[string]any)
			for k, vis := range tt.addr {
				if _, ok := addr[k]; ok != vis {
					t.Errorf("address.%s visible=%v, want %v", k, ok, vis)
				}
			}
			// The undisclosed values are not in the bytes either.
			for _, k := range tt.hidden {
				if k == "given_name" && strings.Contains(pres, oid4vcitest.GivenName) {
					t.Error("given_name value leaks into the presentation")
				}
			}
			if v.KeyBinding["nonce"] != nonce || v.KeyBinding["aud"] != aud {
				t.Errorf("KB claims %v", v.KeyBinding)
			}
		})
	}
}

func TestPresentBindsAudienceAndNonce(t *testing.T) {
	iss := oid4vcitest.New(t)
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := w.Present(t.Context(), creds[0].ID, PresentationRequest{Audience: "https://rp.example", Nonce: "abc", Claims: []string{"given_name"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyAsRP(t, iss.CA, pres, "https://rp.example", "other-nonce"); sdjwt.ErrorCode(err) != sdjwt.CodeKBNonce {
		t.Fatalf("replay with another nonce: %v", err)
	}
	if _, err := verifyAsRP(t, iss.CA, pres, "https://other-rp.example", "abc"); sdjwt.ErrorCode(err) != sdjwt.CodeKBAud {
		t.Fatalf("other audience: %v", err)
	}
	// Dropping a disclosure after signing breaks sd_hash.
	tok, _ := sdjwt.Parse(pres)
	kb := tok.KeyBinding
	tok.KeyBinding = ""
	tok.Disclosures = nil
	if _, err := verifyAsRP(t, iss.CA, tok.String()+kb, "https://rp.example", "abc"); sdjwt.ErrorCode(err) != sdjwt.CodeKBSDHash {
		t.Fatalf("stripped disclosure: %v", err)
	}
}

func TestPresentErrors(t *testing.T) {
	iss := oid4vcitest.New(t)
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	id := creds[0].ID
	ok := PresentationRequest{Audience: "https://rp.example", Nonce: "n"}
	tests := []struct {
		name string
		id   string
		mod  func(*PresentationRequest)
		code string
	}{
		{"claim the credential lacks", id, func(r *PresentationRequest) { r.Claims = []string{"given_name", "passport_number"} }, CodeClaimNotAvailable},
		{"nested claim it lacks", id, func(r *PresentationRequest) { r.Claims = []string{"/address/planet"} }, CodeClaimNotAvailable},
		{"other vct", id, func(r *PresentationRequest) { r.VCT = "urn:other" }, CodeVCTMismatch},
		{"expired request", id, func(r *PresentationRequest) { r.ExpiresAt = time.Now().Add(-time.Second) }, CodeInvalidRequest},
		{"no nonce", id, func(r *PresentationRequest) { r.Nonce = "" }, CodeInvalidRequest},
		{"unknown credential", "0123", func(*PresentationRequest) {}, CodeNotFound},
		{"path traversal id", "../keys/x", func(*PresentationRequest) {}, CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.mod(&req)
			_, err := w.Present(t.Context(), tt.id, req)
			if CodeOf(err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
}
