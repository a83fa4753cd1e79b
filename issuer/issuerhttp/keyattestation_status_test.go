package issuerhttp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/keyattest"
	"github.com/idgate/idgate/statuslist"
)

// A key attestation that names its wallet provider's Token Status List is checked against the
// list, fetched over loopback HTTP and verified under the provider's status-list anchor: a
// valid entry is accepted, a revoked one refused, an unreachable list refused (fail closed).
func TestKeyAttestationStatusList(t *testing.T) {
	wp := certstest.NewCA(t)
	list, err := statuslist.New(1, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := list.Set(3, 1); err != nil { // entry 3: the wallet provider revoked that wallet
		t.Fatal(err)
	}
	lists := httptest.NewServer(nil)
	defer lists.Close()
	uri := lists.URL + "/wallets/1"
	signer := wp.Issue(t, "wallet provider status", certstest.WithProfile(certs.ProfileStatusListSigner))
	lists.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/wallets/1" {
			http.NotFound(w, r)
			return
		}
		tok, err := statuslist.Sign(statuslist.Token{Subject: uri, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), List: list}, signer)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", statuslist.MediaType)
		_, _ = w.Write([]byte(tok))
	})
	trust := certs.NewTrustList(wp.Anchor(certs.PurposeWalletProvider, certs.ScopeAny), wp.Anchor(certs.PurposeStatusList, certs.ScopeAny))
	base := newFixture(t, func(c *issuer.Config) {
		c.KeyAttestation = issuer.KeyAttestationConfig{Trust: trust, Status: statuslist.NewChecker(statuslist.CheckerConfig{Trust: trust}),
			Required: map[string]keyattest.Policy{string(credential.DrivingLicence): {}}}
	})
	f := &attestFixture{fixture: base, provider: wp.Issue(t, walletProviderCN, certstest.WithProfile(certs.ProfileKeyAttestation))}
	for _, tt := range []struct {
		name string
		ref  statuslist.Reference
		want string // "" accepted, else a part of error_description
	}{
		{"valid entry", statuslist.Reference{Index: 4, URI: uri}, ""},
		{"revoked entry", statuslist.Reference{Index: 3, URI: uri}, "key attestation refused (revoked)"},
		{"unreachable list", statuslist.Reference{Index: 4, URI: lists.URL + "/gone"}, "key attestation refused (status_unchecked)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, nonce := f.licenceToken(t)
			h := newHolder(t)
			att := f.attestation(t, nonce, func(c *keyattest.Claims) { c.Status = &tt.ref }, h)
			st, res := f.call("POST", "/credential", tok, "application/json", credentialBody("mdl", f.attestedProof(t, h, nonce, att)))
			desc, _ := res["error_description"].(string)
			switch {
			case tt.want == "" && st != http.StatusOK:
				t.Fatalf("%d %v", st, res)
			case tt.want != "" && (st != http.StatusBadRequest || res["error"] != "invalid_proof" || !strings.Contains(desc, tt.want)):
				t.Fatalf("%d %v, want invalid_proof %q", st, res, tt.want)
			}
		})
	}
}
