package mobile_test

import (
	"crypto"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/keyattest"
	"github.com/idgate/idgate/wallet-sdk/mobile"
)

// backend stands in for the wallet provider's backend: it attests the platform stand-in's
// keys, signing with a wallet provider certificate of the test PKI.
type backend struct {
	platform *platform
	provider certs.Signer
}

func (b *backend) AttestKey(alias, nonce string) (string, error) {
	b.platform.mu.Lock()
	k := b.platform.keys[alias]
	b.platform.mu.Unlock()
	if k == nil {
		return "", errors.New("no key under alias")
	}
	now := time.Now()
	return keyattest.Issue(b.provider, keyattest.Claims{IssuedAt: now, ExpiresAt: now.Add(time.Hour), Nonce: nonce,
		AttestedKeys: []crypto.PublicKey{&k.PublicKey}, KeyStorage: []string{keyattest.ISO18045High}})
}

// The facade's wallet with a key attester receives a licence from the real issuer that
// requires key attestations; OpenWalletWithKeyAttester refuses a missing key store or attester.
func TestKeyAttester(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca, wp := certstest.NewCA(t), certstest.NewCA(t)
	svc, err := issuer.New(issuer.Config{
		Store: memory.New(), PublicURL: url,
		Signers:      map[credential.Type]certs.Signer{credential.DrivingLicence: ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(url))},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
		KeyAttestation: issuer.KeyAttestationConfig{
			Trust:    wp.TrustList(certs.PurposeWalletProvider, certs.ScopeAny),
			Required: map[string]keyattest.Policy{string(credential.DrivingLicence): {KeyStorage: []string{keyattest.ISO18045High}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	srv.Start()
	defer srv.Close()
	holder, err := svc.Enrol(t.Context(), "test", []credential.Type{credential.DrivingLicence}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
		"driving_privileges": []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	offer := func() string {
		o, err := svc.CreateOffer(t.Context(), "test", holder.ID, credential.DrivingLicence)
		if err != nil {
			t.Fatal(err)
		}
		return o.URI
	}
	storeKey := make([]byte, 32)
	rand.Read(storeKey)

	p := &platform{sig: "der"}
	w, err := mobile.OpenWalletWithKeyAttester(t.TempDir(), storeKey, nil, nil, p,
		&backend{platform: p, provider: wp.Issue(t, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))})
	if err != nil {
		t.Fatal(err)
	}
	preview, err := w.PreviewOffer(offer())
	if err != nil || !strings.Contains(preview, `"key_attestation_required":true`) {
		t.Fatalf("preview %s %v", preview, err)
	}
	if _, err := w.AcceptOffer(offer(), ""); err != nil {
		t.Fatal(err)
	}
	// Without an attester the same platform gets invalid_proof from the issuer.
	plain, err := mobile.OpenWalletWithRoots(t.TempDir(), storeKey, nil, nil, &platform{sig: "der"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.AcceptOffer(offer(), ""); mobile.ErrorCode(err) != "credential_error" {
		t.Fatalf("without attester: %v", err)
	}
	if _, err := mobile.OpenWalletWithKeyAttester(t.TempDir(), storeKey, nil, nil, p, nil); mobile.ErrorCode(err) != "config" {
		t.Fatalf("nil attester: %v", err)
	}
}
