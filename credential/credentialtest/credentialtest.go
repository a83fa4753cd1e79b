// Package credentialtest builds the in-process credential world that credential- and
// verifier-side tests need: a test CA, the two credential issuers' signers, a trust list, a
// Token Status List served over real HTTP on 127.0.0.1 whose entries a test can flip, and
// holders that receive credentials and present them. Everything is generated in code; nothing
// is pasted.
package credentialtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/statuslist"
)

// IssuerURL is the iss of every credential the Env issues.
const IssuerURL = "https://issuer.idgate.test"

// Env is a credential ecosystem for tests.
type Env struct {
	CA           *certstest.CA
	Employee     certs.Signer
	Licence      certs.Signer
	StatusSigner certs.Signer
	Trust        *certs.TrustList
	StatusServer *httptest.Server
	StatusURI    string
	Now          time.Time

	mu     sync.Mutex
	list   *statuslist.List
	next   int
	status int // HTTP status the list endpoint answers with (200 normally)
}

// New builds an Env whose status list lives on a loopback HTTP server (closed at cleanup).
func New(t testing.TB) *Env {
	t.Helper()
	e := &Env{CA: certstest.NewCA(t), Now: time.Now(), status: http.StatusOK}
	e.Employee = e.CA.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(IssuerURL))
	e.Licence = e.CA.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(IssuerURL))
	e.StatusSigner = e.CA.Issue(t, "idgate Status List Signer", certstest.WithURI(IssuerURL))
	e.Trust = certs.NewTrustList(
		e.CA.Anchor(certs.PurposeCredential, credential.VCTEmployeeID, "idgate Employee ID Issuer"),
		e.CA.Anchor(certs.PurposeCredential, credential.VCTDrivingLicence, "idgate Driving Licence Issuer"),
		e.CA.Anchor(certs.PurposeStatusList, "*"),
	)
	var err error
	if e.list, err = statuslist.New(2, 1<<14); err != nil {
		t.Fatal(err)
	}
	e.StatusServer = httptest.NewServer(http.HandlerFunc(e.serveList))
	t.Cleanup(e.StatusServer.Close)
	e.StatusURI = e.StatusServer.URL + "/status/1"
	return e
}

func (e *Env) serveList(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.status != http.StatusOK {
		http.Error(w, "unavailable", e.status)
		return
	}
	tok, err := statuslist.Sign(statuslist.Token{
		Subject: e.StatusURI, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), TTL: time.Minute, List: e.list,
	}, e.StatusSigner)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/statuslist+jwt")
	_, _ = w.Write([]byte(tok))
}

// SetStatus flips a credential's list entry.
func (e *Env) SetStatus(t testing.TB, idx int, v uint8) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.list.Set(idx, v); err != nil {
		t.Fatal(err)
	}
}

// FailStatus makes the list endpoint answer with an HTTP error (0 restores it).
func (e *Env) FailStatus(code int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if code == 0 {
		code = http.StatusOK
	}
	e.status = code
}

// Checker returns a status checker without caching, so tests see flips at once.
func (e *Env) Checker() *statuslist.Checker {
	return statuslist.NewChecker(statuslist.CheckerConfig{
		HTTP: &http.Client{Timeout: 2 * time.Second}, Trust: e.Trust, MaxTTL: time.Nanosecond,
	})
}

// Verifier returns a credential verifier over the Env's trust list and status list.
func (e *Env) Verifier(t testing.TB) *credential.Verifier {
	v, err := credential.NewVerifier(credential.VerifierConfig{Trust: e.Trust, Status: e.Checker()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Holder is a wallet: a device key and the credentials bound to it.
type Holder struct {
	Key        *ecdsa.PrivateKey
	Credential string // SD-JWT VC with every disclosure
	StatusIdx  int
}

// Erika's attributes, valid for both credential types.
var Attributes = map[string]any{
	"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
	"employee_number": "E-42", "organisation": "Ministry of Transport", "photo_ref": "https://photos.idgate.test/erika",
	"issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
	"driving_privileges": []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}},
}

// IssueOpts adjusts one issuance.
type IssueOpts struct {
	Type   credential.Type
	Signer certs.Signer // default: the type's issuer
	Attrs  map[string]any
	Issuer string
	IAT    time.Time
	TTL    time.Duration
}

// Slot allocates a fresh entry of the Env's status list (VALID until SetStatus), for a
// status reference a test stores without issuing a credential.
func (e *Env) Slot() credential.StatusRef {
	e.mu.Lock()
	defer e.mu.Unlock()
	idx := e.next
	e.next++
	return credential.StatusRef{Index: idx, URI: e.StatusURI}
}

// Issue mints a credential for a new holder with a fresh status slot.
func (e *Env) Issue(t testing.TB, o IssueOpts) *Holder {
	t.Helper()
	if o.Type == "" {
		o.Type = credential.DrivingLicence
	}
	if o.Signer == nil {
		o.Signer = map[credential.Type]certs.Signer{credential.EmployeeID: e.Employee, credential.DrivingLicence: e.Licence}[o.Type]
	}
	if o.Attrs == nil {
		o.Attrs = Attributes
	}
	if o.Issuer == "" {
		o.Issuer = IssuerURL
	}
	if o.IAT.IsZero() {
		o.IAT = time.Now().Add(-time.Minute)
	}
	if o.TTL == 0 {
		o.TTL = 24 * time.Hour
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := credential.SubjectClaims(o.Type, credential.Select(o.Type, o.Attrs), o.IAT)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	idx := e.next
	e.next++
	e.mu.Unlock()
	vc, err := credential.Issue(credential.IssueRequest{
		Type: o.Type, Issuer: o.Issuer, Subject: subject, HolderKey: &key.PublicKey,
		Status: credential.StatusRef{Index: idx, URI: e.StatusURI}, IssuedAt: o.IAT, ExpiresAt: o.IAT.Add(o.TTL),
	}, o.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return &Holder{Key: key, Credential: vc, StatusIdx: idx}
}

// Present discloses claims (top-level names) with a KB-JWT for aud and nonce at iat.
func (h *Holder) Present(t testing.TB, claims []string, aud, nonce string, iat time.Time) string {
	t.Helper()
	tok, err := sdjwt.Parse(h.Credential)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(claims))
	for i, c := range claims {
		paths[i] = "/" + c
	}
	sel, err := tok.Present(paths)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sdjwt.AddKeyBinding(sel.String(), h.Key, jwa.ES256, aud, nonce, iat)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CachingChecker returns a status checker that caches lists up to maxTTL (steady state).
func (e *Env) CachingChecker(maxTTL time.Duration) *statuslist.Checker {
	return statuslist.NewChecker(statuslist.CheckerConfig{
		HTTP: &http.Client{Timeout: 2 * time.Second}, Trust: e.Trust, MaxTTL: maxTTL,
	})
}
