package walletsdk_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/oid4vp"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

const employeeQuery = `{"credentials":[{"id":"employee","format":"dc+sd-jwt",
	"meta":{"vct_values":["` + oid4vcitest.VCT + `"]},"claims":[{"path":["given_name"]}]}]}`

type vpFixture struct {
	w *walletsdk.Wallet
	v *oid4vptest.Verifier
}

// newVPFixture holds one employee ID from the OpenID4VCI double and trusts the verifier
// double's root.
func newVPFixture(t *testing.T) *vpFixture {
	t.Helper()
	iss := oid4vcitest.New(t)
	v, stop, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	v.IssuerKey = &iss.CA.LeafKey.PublicKey
	key := make([]byte, 32)
	rand.Read(key)
	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: key, VerifierTrust: v.Trust})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	return &vpFixture{w: w, v: v}
}

func (f *vpFixture) create(t *testing.T, dcql, mode, method string) *oid4vptest.Tx {
	t.Helper()
	tx, err := f.v.Create(dcql, mode, method)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestResolveAndRespondVP(t *testing.T) {
	f := newVPFixture(t)
	for _, tc := range []struct{ mode, method, clientID string }{
		{oid4vp.ModeDirectPostJWT, "get", ""},
		{oid4vp.ModeDirectPostJWT, "post", ""},
		{oid4vp.ModeDirectPost, "get", ""},
		{oid4vp.ModeDirectPostJWT, "post", oid4vp.X509HashClientID(f.v.Signer.Chain()[0])},
	} {
		t.Run(tc.mode+"/"+tc.method+"/"+tc.clientID, func(t *testing.T) {
			tx := f.create(t, employeeQuery, tc.mode, tc.method)
			if tc.clientID != "" {
				tx.Request.ClientID = tc.clientID
			}
			req, err := f.w.ResolveVP(t.Context(), f.v.LinkFor(tx))
			if err != nil {
				t.Fatal(err)
			}
			if req.Verifier.ClientID != tx.Request.ClientID || req.Verifier.DNSNames[0] != oid4vptest.Host ||
				!strings.Contains(req.Verifier.Subject, "oid4vptest relying party") || req.ResponseMode != tc.mode {
				t.Fatalf("verifier identity: %+v", req.Verifier)
			}
			if len(req.Queries) != 1 || req.Queries[0].ID != "employee" || len(req.Queries[0].Candidates) != 1 {
				t.Fatalf("queries: %+v", req.Queries)
			}
			c := req.Queries[0].Candidates[0]
			if len(c.Disclosed) != 1 || c.Disclosed[0].Path != `["given_name"]` || c.Disclosed[0].Values[0] != oid4vcitest.GivenName {
				t.Fatalf("disclosed: %+v", c.Disclosed)
			}
			if got := f.v.Get(tx.ID); got.Done {
				t.Fatal("resolving posted a response")
			}
			res, err := f.w.RespondVP(t.Context(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.RedirectURI, "#response_code=") {
				t.Fatalf("redirect_uri %q", res.RedirectURI)
			}
			got := f.v.Get(tx.ID)
			if got.Err != nil || got.Claims["employee"]["given_name"] != oid4vcitest.GivenName {
				t.Fatalf("verifier result: %+v", got)
			}
			if _, leaked := got.Claims["employee"]["family_name"]; leaked {
				t.Fatal("an unrequested claim was disclosed")
			}
			if tc.method == "post" && got.WalletNonce == "" {
				t.Fatal("no wallet_nonce posted")
			}
			// The same response again: the verifier's single use shows as verifier_rejected.
			if _, err := f.w.RespondVP(t.Context(), req, nil); walletsdk.CodeOf(err) != walletsdk.CodeVerifierRejected {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}

// Each request differs from a valid one in one property; the wallet refuses it while
// resolving, so nothing reaches the response_uri.
func TestResolveVPAttacks(t *testing.T) {
	f := newVPFixture(t)
	other, err := oid4vptest.OtherSigner()
	if err != nil {
		t.Fatal(err)
	}
	leaf := f.v.Signer.Chain()[0]
	otherHash := oid4vp.X509HashClientID(other.Chain()[0])
	for _, tc := range []struct {
		name   string
		method string
		knob   func(tx *oid4vptest.Tx)
		reason string
	}{
		{"untrusted certificate", "get", func(tx *oid4vptest.Tx) { tx.SignWith = other }, oid4vp.ReasonUntrustedVerifier},
		{"x509_san_dns not the certificate's", "get", func(tx *oid4vptest.Tx) {
			tx.Request.ClientID = oid4vp.X509SanDNSClientID("rp.example")
		}, oid4vp.ReasonClientIDMismatch},
		{"x509_san_dns not the response_uri host", "get", func(tx *oid4vptest.Tx) {
			tx.Request.ResponseURI = strings.Replace(tx.Request.ResponseURI, oid4vptest.Host, "127.0.0.1", 1)
		}, oid4vp.ReasonClientIDMismatch},
		{"x509_hash of another certificate", "get", func(tx *oid4vptest.Tx) { tx.Request.ClientID = otherHash }, oid4vp.ReasonClientIDMismatch},
		{"typ wrong", "get", func(tx *oid4vptest.Tx) { tx.Typ = "JWT" }, oid4vp.ReasonMalformedRequest},
		{"client_id inner differs from the link's", "get", func(tx *oid4vptest.Tx) {
			tx.LinkClientID = oid4vp.X509HashClientID(leaf)
		}, oid4vp.ReasonClientIDMismatch},
		{"wallet_nonce not echoed", "post", func(tx *oid4vptest.Tx) {
			tx.Mutate = func(ro *oid4vp.RequestObject) { ro.WalletNonce = "not-the-wallets" }
		}, oid4vp.ReasonWalletNonce},
		{"expired", "get", func(tx *oid4vptest.Tx) {
			tx.Mutate = func(ro *oid4vp.RequestObject) { ro.ExpiresAt = time.Now().Add(-time.Hour).Unix() }
		}, oid4vp.ReasonRequestExpired},
		{"trust anchor in x5c", "get", func(tx *oid4vptest.Tx) {
			tx.Header = func(h map[string]any, s certs.Signer) {
				h["x5c"] = certs.EncodeX5C(append(s.Chain(), f.v.Root))
			}
		}, oid4vp.ReasonUntrustedVerifier},
		{"signed redirect_uri prefix", "get", func(tx *oid4vptest.Tx) {
			tx.Request.ClientID = "redirect_uri:" + tx.Request.ResponseURI
		}, oid4vp.ReasonUnsupportedPrefix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx := f.create(t, employeeQuery, oid4vp.ModeDirectPostJWT, tc.method)
			tc.knob(tx)
			if tx.LinkClientID == "" && tx.Request.ClientID != oid4vp.X509SanDNSClientID(oid4vptest.Host) {
				tx.LinkClientID = tx.Request.ClientID
			}
			_, err := f.w.ResolveVP(t.Context(), f.v.LinkFor(tx))
			if walletsdk.CodeOf(err) != walletsdk.CodeVPRequest || oid4vp.ReasonOf(err) != tc.reason {
				t.Fatalf("got %v, want %s (%s)", err, walletsdk.CodeVPRequest, tc.reason)
			}
			if f.v.Get(tx.ID).Done {
				t.Fatal("a refused request was answered")
			}
		})
	}
}

func TestResolveVPUnsatisfiableQuery(t *testing.T) {
	f := newVPFixture(t)
	for name, dcql := range map[string]string{
		"wrong vct": `{"credentials":[{"id":"mdl","format":"dc+sd-jwt","meta":{"vct_values":["urn:other"]}}]}`,
		"claim missing": `{"credentials":[{"id":"e","format":"dc+sd-jwt","meta":{"vct_values":["` + oid4vcitest.VCT +
			`"]},"claims":[{"path":["passport_number"]}]}]}`,
		"value outside values": `{"credentials":[{"id":"e","format":"dc+sd-jwt","meta":{"vct_values":["` + oid4vcitest.VCT +
			`"]},"claims":[{"path":["given_name"],"values":["Max"]}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			tx := f.create(t, dcql, oid4vp.ModeDirectPostJWT, "get")
			req, err := f.w.ResolveVP(t.Context(), f.v.LinkFor(tx))
			if walletsdk.CodeOf(err) != walletsdk.CodeNoMatchingCredential || req != nil {
				t.Fatalf("got %v", err)
			}
			if !errors.Is(err, oid4vp.Reason(oid4vp.AccessDenied, oid4vp.ReasonNoMatch)) {
				t.Fatalf("cause: %v", err)
			}
			if f.v.Get(tx.ID).Done {
				t.Fatal("an unsatisfiable request was answered")
			}
		})
	}
}

// HAIP's haip-vp:// scheme carries the same by-reference request.
func TestResolveVPHAIPScheme(t *testing.T) {
	f := newVPFixture(t)
	tx := f.create(t, employeeQuery, oid4vp.ModeDirectPostJWT, "get")
	link := strings.Replace(f.v.LinkFor(tx), "openid4vp://", "haip-vp://", 1)
	req, err := f.w.ResolveVP(t.Context(), link)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.RespondVP(t.Context(), req, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.v.Get(tx.ID); got.Claims["employee"]["given_name"] != oid4vcitest.GivenName {
		t.Fatalf("verifier result %+v", got)
	}
}

func TestDeclineVP(t *testing.T) {
	f := newVPFixture(t)
	tx := f.create(t, employeeQuery, oid4vp.ModeDirectPostJWT, "get")
	req, err := f.w.ResolveVP(t.Context(), f.v.LinkFor(tx))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.RespondVP(t.Context(), req, map[string]string{"other": "x"}); walletsdk.CodeOf(err) != walletsdk.CodeConfig {
		t.Fatalf("choice for an unknown query: %v", err)
	}
	if _, err := f.w.RespondVP(t.Context(), req, map[string]string{"employee": "not-stored"}); walletsdk.CodeOf(err) != walletsdk.CodeConfig {
		t.Fatalf("choice of a credential that does not answer: %v", err)
	}
	if _, err := f.w.DeclineVP(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if got := f.v.Get(tx.ID); got.WalletError != string(oid4vp.AccessDenied) || got.Claims != nil {
		t.Fatalf("verifier saw %+v", got)
	}
}

func TestResolveVPTransport(t *testing.T) {
	f := newVPFixture(t)
	tx := f.create(t, employeeQuery, oid4vp.ModeDirectPostJWT, "get")
	redirect := httptest.NewServer(http.RedirectHandler(f.v.URL+"/request/"+tx.ID, http.StatusFound))
	t.Cleanup(redirect.Close)
	cid := oid4vp.X509SanDNSClientID(oid4vptest.Host)
	if _, err := f.w.ResolveVP(t.Context(), oid4vp.AuthorizationURL(cid, redirect.URL+"/r", "get")); walletsdk.CodeOf(err) != walletsdk.CodeTransport {
		t.Fatalf("redirect followed? %v", err)
	}
	wrongType := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>"))
	}))
	t.Cleanup(wrongType.Close)
	if _, err := f.w.ResolveVP(t.Context(), oid4vp.AuthorizationURL(cid, wrongType.URL+"/r", "get")); walletsdk.CodeOf(err) != walletsdk.CodeVPRequest {
		t.Fatalf("content type: %v", err)
	}
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
		w.Write([]byte(strings.Repeat("a", 1<<20)))
	}))
	t.Cleanup(huge.Close)
	if _, err := f.w.ResolveVP(t.Context(), oid4vp.AuthorizationURL(cid, huge.URL+"/r", "get")); walletsdk.CodeOf(err) != walletsdk.CodeResponseTooLarge {
		t.Fatalf("size bound: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.w.ResolveVP(ctx, f.v.LinkFor(tx)); walletsdk.CodeOf(err) != walletsdk.CodeTransport {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := f.w.ResolveVP(t.Context(), "https://rp.example/?client_id=a&request_uri=https://rp.example/r"); walletsdk.CodeOf(err) != walletsdk.CodeVPRequest {
		t.Fatalf("not a link: %v", err)
	}
	noTrust, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), Passphrase: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noTrust.ResolveVP(t.Context(), f.v.LinkFor(tx)); walletsdk.CodeOf(err) != walletsdk.CodeConfig {
		t.Fatalf("no verifier trust: %v", err)
	}
}

// A query that waives holder binding (require_cryptographic_holder_binding: false) is still
// answered with a KB-JWT for the verifier's client_id and nonce (see the package doc).
func TestRespondVPHolderBindingWaived(t *testing.T) {
	f := newVPFixture(t)
	q := strings.Replace(employeeQuery, `"format":"dc+sd-jwt",`, `"format":"dc+sd-jwt","require_cryptographic_holder_binding":false,`, 1)
	tx := f.create(t, q, oid4vp.ModeDirectPostJWT, "get")
	if tx.Request.DCQLQuery.Credential("employee").HolderBindingRequired() {
		t.Fatal("the query does not waive holder binding")
	}
	req, err := f.w.ResolveVP(t.Context(), f.v.LinkFor(tx))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.RespondVP(t.Context(), req, nil); err != nil {
		t.Fatal(err)
	}
	got := f.v.Get(tx.ID)
	if got.Err != nil || got.Claims["employee"]["given_name"] != oid4vcitest.GivenName || !got.KeyBound["employee"] {
		t.Fatalf("verifier result: %+v", got)
	}
}
