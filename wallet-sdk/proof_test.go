package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

// The proof JWT has the shape of OpenID4VCI 1.0 Appendix F.1: typ openid4vci-proof+jwt, the
// public JWK in the header, aud/iat/nonce claims and no iss (anonymous pre-authorised flow).
func TestBuildProofShape(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Unix(1_700_000_000, 0)
	proof, err := buildProof(key, "https://credential-issuer.example.com", "tZignsnFbp", now, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(proof, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	jwkHdr, _ := hdr["jwk"].(map[string]any)
	if hdr["typ"] != proofType || hdr["alg"] != "ES256" || jwkHdr["kty"] != "EC" || jwkHdr["crv"] != "P-256" || jwkHdr["d"] != nil {
		t.Fatalf("header %v", hdr)
	}
	pk, _ := publicJWK(key)
	tok, err := jwt.Parse([]byte(proof), jwt.WithKey(jwa.ES256, pk), jwt.WithValidate(false))
	if err != nil {
		t.Fatal(err)
	}
	nonce, _ := tok.Get("nonce")
	if tok.Audience()[0] != "https://credential-issuer.example.com" || !tok.IssuedAt().Equal(now) || nonce != "tZignsnFbp" || tok.Issuer() != "" {
		t.Fatalf("claims aud=%v iat=%v nonce=%v iss=%q", tok.Audience(), tok.IssuedAt(), nonce, tok.Issuer())
	}
}

// opaqueSigner hides the private key behind crypto.Signer, as a Secure Enclave key does.
type opaqueSigner struct{ k *ecdsa.PrivateKey }

func (o opaqueSigner) Public() crypto.PublicKey { return &o.k.PublicKey }
func (o opaqueSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	return o.k.Sign(r, d, opts)
}

// enclaveKeyStore stands in for a hardware KeyStore: keys never leave it as *ecdsa.PrivateKey.
type enclaveKeyStore struct {
	mu   sync.Mutex
	keys map[string]*ecdsa.PrivateKey
}

func (e *enclaveKeyStore) Generate() (string, error) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id := randomID()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys[id] = k
	return id, nil
}

func (e *enclaveKeyStore) Signer(id string) (crypto.Signer, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k, ok := e.keys[id]
	if !ok {
		return nil, newErr(CodeNotFound, "no key", nil)
	}
	return opaqueSigner{k}, nil
}

func (e *enclaveKeyStore) Delete(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.keys, id)
	return nil
}

func (e *enclaveKeyStore) List() ([]string, error) { return nil, nil }

func TestHardwareStyleKeyStore(t *testing.T) {
	iss := oid4vcitest.New(t)
	ks := &enclaveKeyStore{keys: map[string]*ecdsa.PrivateKey{}}
	w, err := New(Config{Dir: t.TempDir(), StoreKey: testKey(), KeyStore: ks})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := w.Present(t.Context(), creds[0].ID, PresentationRequest{Audience: "https://rp", Nonce: "n", Claims: []string{"given_name"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyAsRP(t, iss.CA, pres, "https://rp", "n"); err != nil {
		t.Fatalf("presentation signed through an opaque signer does not verify: %v", err)
	}
	if ids, _ := w.store.List(kindKeys); len(ids) != 0 {
		t.Fatal("a hardware key store must leave no software keys in the store")
	}
}
