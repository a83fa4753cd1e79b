package mobile_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"sync"
	"testing"

	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
	"github.com/idgate/idgate/wallet-sdk/mobile"
)

// platform stands in for Android Keystore / the iOS Secure Enclave at the system edge: its
// private keys never leave it; it returns the public key and signature in the format chosen.
type platform struct {
	spki  bool   // public key as SPKI DER (Android) instead of the uncompressed point (iOS)
	sig   string // "der" (both platforms), "raw" (r||s), "wrong" (another key's signature)
	mu    sync.Mutex
	keys  map[string]*ecdsa.PrivateKey
	signs int
}

func (p *platform) GenerateP256(alias string) ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = map[string]*ecdsa.PrivateKey{}
	}
	if p.keys[alias] != nil {
		return nil, errors.New("alias exists")
	}
	p.keys[alias] = k
	if p.spki {
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	}
	return k.PublicKey.Bytes()
}

func (p *platform) Sign(alias string, digest []byte) ([]byte, error) {
	p.mu.Lock()
	k := p.keys[alias]
	p.signs++
	p.mu.Unlock()
	if k == nil {
		return nil, errors.New("no key under alias")
	}
	switch p.sig {
	case "raw":
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...), nil
	case "wrong":
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return ecdsa.SignASN1(rand.Reader, other, digest)
	}
	return ecdsa.SignASN1(rand.Reader, k, digest)
}

func (p *platform) Delete(alias string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys[alias] == nil {
		return errors.New("no key under alias")
	}
	delete(p.keys, alias)
	return nil
}

func (p *platform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.keys)
}

// TestPlatformKeyStore issues and presents over OpenID4VP with device keys held only by the
// platform stand-in, for each public-key and signature format; a platform whose signature
// does not verify is refused with key_store and nothing is stored.
func TestPlatformKeyStore(t *testing.T) {
	iss, stopIssuer := oid4vcitest.Start()
	defer stopIssuer()
	rp, stopRP, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer stopRP()
	rp.IssuerKey = &iss.CA.LeafKey.PublicKey
	roots := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rp.Root.Raw})
	storeKey := make([]byte, 32)
	rand.Read(storeKey)

	tests := []struct {
		name     string
		platform *platform
		code     string
	}{
		{"ios point, der", &platform{sig: "der"}, ""},
		{"android spki, der", &platform{spki: true, sig: "der"}, ""},
		{"raw r||s", &platform{sig: "raw"}, ""},
		{"wrong signature", &platform{sig: "wrong"}, "key_store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := mobile.OpenWalletWithRoots(t.TempDir(), storeKey, roots, nil, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			idsJSON, err := w.AcceptOffer(iss.OfferURI(), iss.TxCode)
			if tt.code != "" {
				if got := mobile.ErrorCode(err); got != tt.code {
					t.Fatalf("AcceptOffer code %q (%v), want %q", got, err, tt.code)
				}
				if list, _ := w.ListJSON(); list != "[]" {
					t.Fatalf("credential stored after a refused signature: %s", list)
				}
				if n := tt.platform.count(); n != 0 {
					t.Fatalf("%d platform keys left after a refused issuance", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			json.Unmarshal([]byte(idsJSON), &ids)
			if len(ids) != 1 || tt.platform.count() != 1 {
				t.Fatalf("ids %v, platform keys %d", ids, tt.platform.count())
			}
			one, err := w.CredentialJSON(ids[0])
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				ID     string         `json:"id"`
				Claims map[string]any `json:"claims"`
			}
			json.Unmarshal([]byte(one), &c)
			if c.ID != ids[0] || c.Claims["family_name"] != "Mustermann" {
				t.Fatalf("CredentialJSON = %s", one)
			}

			before := tt.platform.signs
			tx, err := rp.Create(`{"credentials":[{"id":"employee","format":"dc+sd-jwt",
				"meta":{"vct_values":["`+oid4vcitest.VCT+`"]},"claims":[{"path":["family_name"]}]}]}`, oid4vp.ModeDirectPostJWT, "post")
			if err != nil {
				t.Fatal(err)
			}
			preview, err := w.ResolveVP(rp.LinkFor(tx))
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				RequestID string `json:"request_id"`
			}
			json.Unmarshal([]byte(preview), &p)
			if _, err := w.RespondVP(p.RequestID, ""); err != nil {
				t.Fatal(err)
			}
			if got := rp.Get(tx.ID).Claims["employee"]["family_name"]; got != "Mustermann" {
				t.Fatalf("verifier read %v", got)
			}
			if tt.platform.signs != before+1 {
				t.Fatalf("the key-binding JWT took %d platform signatures, want 1", tt.platform.signs-before)
			}

			if err := w.Delete(ids[0]); err != nil {
				t.Fatal(err)
			}
			if tt.platform.count() != 0 {
				t.Fatal("deleting the credential left its platform key")
			}
			if _, err := w.CredentialJSON(ids[0]); mobile.ErrorCode(err) != "not_found" {
				t.Fatalf("deleted credential: %v", err)
			}
		})
	}
}
