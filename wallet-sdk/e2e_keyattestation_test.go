package walletsdk_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/keyattest"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// attestingPlatform stands in for Android Keystore / the Secure Enclave together with the
// wallet provider's backend (keyattest.SoftwareKeys): for each key it returns a key attestation
// signed by the wallet provider of the test PKI (what the backend makes of the platform's own
// attestation), with the issuer's nonce, or misbehaves as told.
type attestingPlatform struct {
	keyattest.SoftwareKeys
	attestNone bool   // the backend gives no attestation
	attestFor  string // "other": attest a key that is not the alias's

	mu      sync.Mutex
	attests int
}

// newAttestingPlatform attests keys with provider at key_storage level keyStorage.
func newAttestingPlatform(provider certs.Signer, keyStorage string) *attestingPlatform {
	return &attestingPlatform{SoftwareKeys: keyattest.SoftwareKeys{
		Provider: provider, Issuer: "https://wallet-provider.example",
		KeyStorage: []string{keyStorage}, UserAuthentication: []string{keyattest.ISO18045High},
	}}
}

func (p *attestingPlatform) AttestKey(alias, nonce string) (string, error) {
	if _, err := p.PublicKey(alias); err != nil {
		return "", err
	}
	p.mu.Lock()
	p.attests++
	p.mu.Unlock()
	if p.attestNone {
		return "", nil
	}
	if p.attestFor == "other" {
		other := newAttestingPlatform(p.Provider, p.KeyStorage[0])
		if _, err := other.GenerateP256(alias); err != nil {
			return "", err
		}
		return other.SoftwareKeys.AttestKey(alias, nonce)
	}
	return p.SoftwareKeys.AttestKey(alias, nonce)
}

// attestingIssuer is the real issuer over loopback HTTP requiring key attestations (key storage
// at least moderate) for the driving licence, trusting one wallet provider; mutate rewrites
// its answers (an issuer that differs from idgate's).
type attestingIssuer struct {
	url      string
	svc      *issuer.Service
	wpCA     *certstest.CA // the trusted wallet provider's CA
	provider certs.Signer
	holderID string
}

func newAttestingIssuer(t *testing.T, mutate func(path string, body []byte) []byte) *attestingIssuer {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca, wp := certstest.NewCA(t), certstest.NewCA(t)
	moderate, _ := keyattest.AtLeast(keyattest.ISO18045Moderate)
	svc, err := issuer.New(issuer.Config{
		Store: memory.New(), PublicURL: url,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(url)),
			credential.DrivingLicence: ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(url)),
		},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
		KeyAttestation: issuer.KeyAttestationConfig{
			Trust:    wp.TrustList(certs.PurposeWalletProvider, certs.ScopeAny),
			Required: map[string]keyattest.Policy{string(credential.DrivingLicence): {KeyStorage: moderate}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := issuerhttp.Handler(svc, issuerhttp.Config{})
	if mutate != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			inner.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := mutate(r.URL.Path, rec.Body.Bytes())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = io.Copy(w, bytes.NewReader(body))
		})
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	holder, err := svc.Enrol(t.Context(), "test", []credential.Type{credential.DrivingLicence, credential.EmployeeID}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"employee_number": "E-42", "organisation": "Ministry of Transport",
		"issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
		"driving_privileges": []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &attestingIssuer{url: url, svc: svc, holderID: holder.ID, wpCA: wp,
		provider: wp.Issue(t, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))}
}

func (a *attestingIssuer) offer(t *testing.T, ct credential.Type) string {
	t.Helper()
	o, err := a.svc.CreateOffer(t.Context(), "test", a.holderID, ct)
	if err != nil {
		t.Fatal(err)
	}
	return o.URI
}

func openWallet(t *testing.T, platform walletsdk.PlatformKeys) *walletsdk.Wallet {
	t.Helper()
	return openWalletHTTP(t, platform, nil)
}

func openWalletHTTP(t *testing.T, platform walletsdk.PlatformKeys, client *http.Client) *walletsdk.Wallet {
	t.Helper()
	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32), PlatformKeys: platform, HTTP: client})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// The wallet SDK against the real issuer over loopback HTTP: a licence whose configuration
// requires a key attestation is issued to a wallet whose platform attests its key, bound to
// that key; a wallet without attestations, or with a key storage below the issuer's level, is
// refused invalid_proof and keeps nothing; the employee ID needs none.
func TestEndToEndKeyAttestation(t *testing.T) {
	iss := newAttestingIssuer(t, nil)
	ctx := t.Context()

	platform := newAttestingPlatform(iss.provider, keyattest.ISO18045High)
	w := openWallet(t, platform)
	// The preview tells the app which credentials need an attested key.
	for ct, want := range map[credential.Type]bool{credential.DrivingLicence: true, credential.EmployeeID: false} {
		p, err := w.PreviewOffer(ctx, iss.offer(t, ct))
		if err != nil || len(p.Credentials) != 1 || p.Credentials[0].KeyAttestationRequired != want {
			t.Fatalf("preview of %s: %+v %v, want key attestation required %v", ct, p, err, want)
		}
	}
	creds, err := w.AcceptOffer(ctx, iss.offer(t, credential.DrivingLicence), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].VCT != credential.VCTDrivingLicence || platform.attests != 1 {
		t.Fatalf("credentials %+v, %d attestations", creds, platform.attests)
	}
	// The employee ID requires no attestation: none is asked of the wallet provider.
	if _, err := w.AcceptOffer(ctx, iss.offer(t, credential.EmployeeID), ""); err != nil || platform.attests != 1 {
		t.Fatalf("employee ID: %v, %d attestations", err, platform.attests)
	}

	refused := func(name string, w *walletsdk.Wallet, want string) {
		t.Helper()
		_, err := w.AcceptOffer(ctx, iss.offer(t, credential.DrivingLicence), "")
		var pe *walletsdk.ProtocolError
		if walletsdk.CodeOf(err) != walletsdk.CodeCredentialError || !errors.As(err, &pe) || pe.ErrorCode != "invalid_proof" ||
			!strings.Contains(pe.Description, want) {
			t.Fatalf("%s: %v, want invalid_proof %q", name, err, want)
		}
		if creds, _ := w.Credentials(); len(creds) != 0 {
			t.Fatalf("%s: the wallet kept %d credentials", name, len(creds))
		}
	}
	refused("software keys", openWallet(t, nil), "requires a key attestation")
	refused("platform without attestation", openWallet(t, &attestingPlatform{SoftwareKeys: keyattest.SoftwareKeys{Provider: iss.provider}, attestNone: true}), "requires a key attestation")
	refused("key storage too weak", openWallet(t, newAttestingPlatform(iss.provider, keyattest.ISO18045Basic)), "key_storage")
	untrusted := certstest.NewCA(t).Issue(t, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))
	refused("untrusted wallet provider", openWallet(t, newAttestingPlatform(untrusted, keyattest.ISO18045High)), "untrusted")

	// An attestation of another key never leaves the wallet.
	misattesting := newAttestingPlatform(iss.provider, keyattest.ISO18045High)
	misattesting.attestFor = "other"
	other := openWallet(t, misattesting)
	if _, err := other.AcceptOffer(ctx, iss.offer(t, credential.DrivingLicence), ""); walletsdk.CodeOf(err) != walletsdk.CodeKeyStore {
		t.Fatalf("attestation of another key: %v", err)
	}
}

// An issuer that takes only the attestation proof type (its metadata lists no jwt proof): the
// wallet sends its key attestation as the proof, and the credential is bound to that key.
func TestEndToEndAttestationProofType(t *testing.T) {
	iss := newAttestingIssuer(t, dropJWTProofType(t))
	platform := newAttestingPlatform(iss.provider, keyattest.ISO18045Moderate)
	w := openWallet(t, platform)
	creds, err := w.AcceptOffer(t.Context(), iss.offer(t, credential.DrivingLicence), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || platform.attests != 1 {
		t.Fatalf("credentials %+v, %d attestations", creds, platform.attests)
	}
	// Without an attestation there is no proof to send: refused before the credential endpoint.
	if _, err := openWallet(t, nil).AcceptOffer(t.Context(), iss.offer(t, credential.DrivingLicence), ""); walletsdk.CodeOf(err) != walletsdk.CodeUnsupportedOffer {
		t.Fatalf("software keys, attestation-only issuer: %v", err)
	}
}
