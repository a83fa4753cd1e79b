package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
)

// fixedAttester is a software key store whose attester answers what the test sets.
type fixedAttester struct {
	*SoftwareKeyStore
	att string
	err error
}

func (f *fixedAttester) AttestKey(string, string) (string, error) { return f.att, f.err }

var errBackend = errors.New("backend unreachable")

// The wallet sends only an attestation of its own key with the issuer's nonce; anything else
// the key store returns fails the request with key_store before it leaves the phone.
func TestKeyAttestationChecked(t *testing.T) {
	store := testStore(t)
	ks := &fixedAttester{SoftwareKeyStore: NewSoftwareKeyStore(store)}
	w := &Wallet{store: store, keys: ks}
	id, err := ks.Generate()
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ks.Signer(id)
	provider := certstest.NewCA(t).Issue(t, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	attest := func(pub crypto.PublicKey, nonce string) string {
		s, err := keyattest.Issue(provider, keyattest.Claims{IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour),
			AttestedKeys: []crypto.PublicKey{pub}, Nonce: nonce})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tt := range []struct {
		name     string
		att      string
		err      error
		wantCode string
	}{
		{"none", "", nil, ""},
		{"own key and nonce", attest(signer.Public(), "n1"), nil, ""},
		{"platform failure", "", errBackend, CodeKeyStore},
		{"malformed", "not-a-jwt", nil, CodeKeyStore},
		{"another key", attest(&other.PublicKey, "n1"), nil, CodeKeyStore},
		{"another nonce", attest(signer.Public(), "n0"), nil, CodeKeyStore},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ks.att, ks.err = tt.att, tt.err
			got, err := w.keyAttestation(id, signer, "n1")
			switch {
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Fatalf("err %v, want %v", err, tt.err)
			case CodeOf(err) != tt.wantCode:
				t.Fatalf("err %v, want code %q", err, tt.wantCode)
			case err == nil && got != tt.att:
				t.Fatalf("attestation %q, want %q", got, tt.att)
			}
		})
	}

	// PlatformKeyStore over a platform without an attester gives none.
	pks := NewPlatformKeyStore(&rejectingKeys{}, store)
	if att, err := pks.AttestKey("x", "n"); att != "" || err != nil {
		t.Fatalf("platform without attester: %q %v", att, err)
	}
}
