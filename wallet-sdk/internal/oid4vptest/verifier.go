// Package oid4vptest is an OpenID4VP 1.0 verifier double for the wallet SDK's tests, built
// from package oid4vp on a loopback httptest server: it signs Request Objects with an
// x509_san_dns:localhost certificate under its own root, serves them at request_uri (GET and
// POST with wallet_nonce), and at response_uri decrypts the response, checks the vp_token
// against the DCQL query and every KB-JWT against client_id and nonce, or with MdocTrust every
// mdoc DeviceResponse over the OpenID4VP handover SessionTranscript. Knobs alter one property
// of a request for attack tests.
package oid4vptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
)

// Host is the verifier's DNS name: its certificate's SAN and its URLs' host.
const Host = "localhost"

// Verifier is the running double.
type Verifier struct {
	Root   *x509.Certificate
	Signer certs.Signer // leaf with SAN dNSName Host and the request-signing profile
	Trust  *certs.TrustList
	Server *httptest.Server
	URL    string // http://localhost:PORT
	// IssuerKey verifies the issuer signature of presented SD-JWTs.
	IssuerKey crypto.PublicKey
	// MdocTrust holds the IACA roots presented mdocs must chain to (nil refuses mso_mdoc).
	MdocTrust mdoc.Trust

	mu  sync.Mutex
	txs map[string]*Tx
}

// Tx is one transaction: the request as signed and, once answered, the outcome.
type Tx struct {
	ID          string
	Link        string
	Request     *oid4vp.RequestObject
	Key         *oid4vp.EncryptionKey
	Method      string // get or post
	WalletNonce string // what the wallet posted
	Done        bool
	Claims      map[string]map[string]any // verified claims per query id
	VPToken     oid4vp.VPToken            // the vp_token as received
	KeyBound    map[string]bool           // per query id: the presentation carried a verified KB-JWT
	WalletError string
	Err         error

	// Knobs, applied when the Request Object is served.
	LinkClientID string                                    // the link's client_id ("" = the request's)
	SignWith     certs.Signer                              // another signer
	Typ          string                                    // JOSE typ ("" = oauth-authz-req+jwt)
	Mutate       func(ro *oid4vp.RequestObject)            // change the request before signing
	Header       func(h map[string]any, leaf certs.Signer) // change the header before signing
}

// New starts the double; it is stopped with stop.
func New() (v *Verifier, stop func(), err error) {
	root, rootKey, err := NewRoot("oid4vptest verifier root")
	if err != nil {
		return nil, nil, err
	}
	signer, _, err := NewLeaf(root, rootKey, "oid4vptest relying party", Host)
	if err != nil {
		return nil, nil, err
	}
	v = &Verifier{Root: root, Signer: signer, txs: map[string]*Tx{},
		Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeVerifier, Scope: certs.ScopeAny, Roots: []*x509.Certificate{root}})}
	mux := http.NewServeMux()
	mux.HandleFunc("/request/{id}", v.serveRequest)
	mux.HandleFunc("POST /response/{id}", v.serveResponse)
	v.Server = httptest.NewServer(mux)
	_, port, _ := net.SplitHostPort(v.Server.Listener.Addr().String())
	v.URL = "http://" + Host + ":" + port
	return v, v.Server.Close, nil
}

// OtherSigner returns a request signer with SAN Host under a root the wallet does not trust.
func OtherSigner() (certs.Signer, error) {
	root, key, err := NewRoot("untrusted root")
	if err != nil {
		return nil, err
	}
	s, _, err := NewLeaf(root, key, "impostor", Host)
	return s, err
}

// Create makes a transaction for a DCQL query in the given response mode and request_uri
// method; set knobs on the returned Tx before the wallet resolves Link.
func (v *Verifier) Create(dcql, mode, method string) (*Tx, error) {
	q, err := oid4vp.ParseQuery([]byte(dcql))
	if err != nil {
		return nil, err
	}
	key, err := oid4vp.NewEncryptionKey()
	if err != nil {
		return nil, err
	}
	id := oid4vp.NewNonce()[:16]
	tx := &Tx{ID: id, Key: key, Method: method, Request: &oid4vp.RequestObject{
		ClientID: oid4vp.X509SanDNSClientID(Host), ResponseType: "vp_token", ResponseMode: mode,
		ResponseURI: v.URL + "/response/" + id, Nonce: oid4vp.NewNonce(), State: oid4vp.NewNonce(),
		DCQLQuery: q, ClientMetadata: oid4vp.NewClientMetadata(key),
	}}
	v.mu.Lock()
	v.txs[id] = tx
	v.mu.Unlock()
	return tx, nil
}

// LinkFor is the openid4vp:// link of tx, with its knobs applied.
func (v *Verifier) LinkFor(tx *Tx) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	cid := tx.Request.ClientID
	if tx.LinkClientID != "" {
		cid = tx.LinkClientID
	}
	return oid4vp.AuthorizationURL(cid, v.URL+"/request/"+tx.ID, tx.Method)
}

// Get returns a snapshot of transaction id.
func (v *Verifier) Get(id string) Tx {
	v.mu.Lock()
	defer v.mu.Unlock()
	return *v.txs[id]
}

func (v *Verifier) tx(id string) *Tx {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.txs[id]
}

func (v *Verifier) serveRequest(w http.ResponseWriter, r *http.Request) {
	tx := v.tx(r.PathValue("id"))
	if tx == nil {
		http.NotFound(w, r)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	ro := *tx.Request
	switch {
	case r.Method == http.MethodPost && tx.Method == "post":
		if err := r.ParseForm(); err != nil || r.PostForm.Get("wallet_nonce") == "" {
			http.Error(w, "wallet_nonce missing", http.StatusBadRequest)
			return
		}
		var md map[string]any
		if json.Unmarshal([]byte(r.PostForm.Get("wallet_metadata")), &md) != nil || md["vp_formats_supported"] == nil {
			http.Error(w, "wallet_metadata missing", http.StatusBadRequest)
			return
		}
		tx.WalletNonce = r.PostForm.Get("wallet_nonce")
		ro.WalletNonce = tx.WalletNonce
	case r.Method == http.MethodGet && tx.Method != "post":
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if tx.Mutate != nil {
		tx.Mutate(&ro)
	}
	signer := v.Signer
	if tx.SignWith != nil {
		signer = tx.SignWith
	}
	jwt, err := v.sign(&ro, signer, tx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
	fmt.Fprint(w, jwt)
}

// sign is oid4vp.SignRequestObject with the header knobs: the double must be able to sign
// what idgate's verifier never would.
func (v *Verifier) sign(ro *oid4vp.RequestObject, signer certs.Signer, tx *Tx) (string, error) {
	if tx.Typ == "" && tx.Header == nil {
		return oid4vp.SignRequestObject(ro, signer, time.Now(), 5*time.Minute)
	}
	now := time.Now()
	ro.Audience, ro.IssuedAt, ro.ExpiresAt = oid4vp.SelfIssuedAudience, now.Unix(), now.Add(5*time.Minute).Unix()
	h := map[string]any{"typ": oid4vp.RequestObjectType, "x5c": certs.EncodeX5C(signer.Chain())}
	if tx.Typ != "" {
		h["typ"] = tx.Typ
	}
	if tx.Header != nil {
		tx.Header(h, signer)
	}
	h["alg"] = "ES256"
	hdr, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(ro)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	der, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return "", err
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(raw), nil
}

func (v *Verifier) serveResponse(w http.ResponseWriter, r *http.Request) {
	tx := v.tx(r.PathValue("id"))
	if tx == nil {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, oid4vp.MaxResponseBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	fail := func(err error) {
		tx.Err = err
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": oid4vp.ReasonOf(err)})
	}
	if tx.Done {
		fail(fmt.Errorf("transaction already answered"))
		return
	}
	resp, err := oid4vp.DecodeResponse(r.PostForm, oid4vp.DecodeOptions{Mode: tx.Request.ResponseMode, Key: tx.Key.DecryptionKey()})
	if err != nil {
		fail(err)
		return
	}
	tx.Done = true
	if resp.State != tx.Request.State {
		fail(fmt.Errorf("state mismatch"))
		return
	}
	if resp.Error != "" {
		tx.WalletError = resp.Error
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{}")
		return
	}
	tx.VPToken = resp.VPToken
	got, err := tx.Request.DCQLQuery.CheckVPToken(resp.VPToken, func(cq *oid4vp.CredentialQuery, p string) (*oid4vp.Credential, error) {
		if cq.Format == oid4vp.FormatMDoc {
			return v.verifyMdoc(tx, cq, p)
		}
		vr, err := sdjwt.Verify(p, sdjwt.VerifyOptions{
			IssuerKey:  func(jws.Headers) (crypto.PublicKey, error) { return v.IssuerKey, nil },
			KeyBinding: &sdjwt.KBOptions{Required: cq.HolderBindingRequired(), Audience: tx.Request.ClientID, Nonce: tx.Request.Nonce},
		})
		if err != nil {
			return nil, err
		}
		vct, _ := vr.Claims["vct"].(string)
		return &oid4vp.Credential{Format: oid4vp.FormatSDJWT, VCT: vct, Claims: vr.Claims, HolderBound: vr.KeyBinding != nil}, nil
	})
	if err != nil {
		fail(err)
		return
	}
	tx.Claims, tx.KeyBound = map[string]map[string]any{}, map[string]bool{}
	for id, ps := range got {
		tx.Claims[id], tx.KeyBound[id] = ps[0].Credential.Claims, ps[0].Credential.HolderBound
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"redirect_uri": v.URL + "/done#response_code=" + oid4vp.NewNonce()})
}

// NewRoot makes a root CA certificate valid for a day.
func NewRoot(cn string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	certs.ProfileRoot.Apply(tmpl)
	root, err := certs.CreateCertificate(tmpl, nil, key.Public(), key)
	return root, key, err
}

// NewLeaf issues a request-signing leaf with SAN dNSName dns under root; the key is returned
// too, for peers that sign outside Go.
func NewLeaf(root *x509.Certificate, rootKey *ecdsa.PrivateKey, cn, dns string) (certs.Signer, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{dns},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	certs.ProfileRequestSigner.Apply(tmpl)
	leaf, err := certs.CreateCertificate(tmpl, root, key.Public(), rootKey)
	if err != nil {
		return nil, nil, err
	}
	s, err := certs.NewSigner(key, []*x509.Certificate{leaf})
	return s, key, err
}

// verifyMdoc checks a base64url DeviceResponse for an mso_mdoc query over the transcript of tx.
func (v *Verifier) verifyMdoc(tx *Tx, cq *oid4vp.CredentialQuery, p string) (*oid4vp.Credential, error) {
	if v.MdocTrust == nil {
		return nil, fmt.Errorf("the double has no MdocTrust")
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, err
	}
	var tp []byte
	if tx.Request.ResponseMode == oid4vp.ModeDirectPostJWT {
		tp = tx.Key.Thumbprint()
	}
	st, err := oid4vp.SessionTranscript(tx.Request.ClientID, tx.Request.Nonce, tp, tx.Request.ResponseURI)
	if err != nil {
		return nil, err
	}
	doc, err := (&mdoc.Verifier{Trust: v.MdocTrust}).Verify(raw, mdoc.VerifyOptions{DocType: cq.Meta.DoctypeValue, SessionTranscript: st})
	if err != nil {
		return nil, err
	}
	return &oid4vp.Credential{Format: oid4vp.FormatMDoc, Doctype: doc.DocType, Claims: doc.Claims(), HolderBound: true}, nil
}
