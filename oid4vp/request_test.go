package oid4vp

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

type rpFixture struct {
	ca     *certstest.CA
	signer certs.Signer
	trust  *certs.TrustList
	key    *EncryptionKey
	query  *Query
}

func newRP(t *testing.T) *rpFixture {
	t.Helper()
	ca := certstest.NewCA(t)
	key, err := NewEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQuery([]byte(specQueryClaimSets))
	if err != nil {
		t.Fatal(err)
	}
	return &rpFixture{
		ca:     ca,
		signer: ca.Issue(t, "rp", certstest.WithDNS("rp.example")),
		trust:  ca.TrustList(certs.PurposeVerifier, certs.ScopeAny),
		key:    key,
		query:  q,
	}
}

func (f *rpFixture) request(mode string) *RequestObject {
	return &RequestObject{
		ClientID:       X509SanDNSClientID("rp.example"),
		ResponseType:   "vp_token",
		ResponseMode:   mode,
		ResponseURI:    "https://rp.example/v1/openid4vp/response/abc",
		Nonce:          NewNonce(),
		State:          "st1",
		DCQLQuery:      f.query,
		ClientMetadata: NewClientMetadata(f.key),
	}
}

func (f *rpFixture) sign(t *testing.T, ro *RequestObject, s certs.Signer) string {
	t.Helper()
	jwt, err := SignRequestObject(ro, s, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

func TestRequestObjectRoundTrip(t *testing.T) {
	f := newRP(t)
	for _, clientID := range []string{X509SanDNSClientID("rp.example"), X509HashClientID(f.signer.Chain()[0])} {
		ro := f.request(ModeDirectPostJWT)
		ro.ClientID = clientID
		ro.WalletNonce = "wn"
		jwt := f.sign(t, ro, f.signer)
		link, err := ParseAuthorizationURL(AuthorizationURL(clientID, "https://rp.example/r/1", "post"))
		if err != nil || link.RequestURIMethod != "post" || link.ClientID != clientID {
			t.Fatalf("link: %+v %v", link, err)
		}
		ar, err := ValidateRequestObject(jwt, ValidateOptions{Trust: f.trust, ClientID: link.ClientID, WalletNonce: "wn"})
		if err != nil {
			t.Fatalf("%s: %v", clientID, err)
		}
		if ar.Nonce != ro.Nonce || ar.EncryptTo.KID != f.key.KID || ar.Enc != EncA256GCM || ar.DCQLQuery.Credentials[0].ID != "pid" {
			t.Fatalf("validated request differs: %+v", ar)
		}
	}
}

// Each case is a well-formed request differing from a valid one in one property.
func TestRequestObjectAttacks(t *testing.T) {
	f := newRP(t)
	otherCA := certstest.NewCA(t)
	tests := []struct {
		name   string
		edit   func(ro *RequestObject) (certs.Signer, ValidateOptions)
		reason string
	}{
		{"signed by an untrusted certificate", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			return otherCA.Issue(t, "rp", certstest.WithDNS("rp.example")), ValidateOptions{}
		}, ReasonUntrustedVerifier},
		{"x509_san_dns not in the certificate", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ClientID = X509SanDNSClientID("evil.example")
			ro.ResponseURI = "https://evil.example/r"
			return nil, ValidateOptions{ClientID: ro.ClientID}
		}, ReasonClientIDMismatch},
		{"response_uri host differs from x509_san_dns", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ResponseURI = "https://evil.example/r"
			return nil, ValidateOptions{}
		}, ReasonClientIDMismatch},
		{"x509_hash of another certificate", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ClientID = X509HashClientID(f.ca.Cert)
			return nil, ValidateOptions{ClientID: ro.ClientID}
		}, ReasonClientIDMismatch},
		{"link client_id differs", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			return nil, ValidateOptions{ClientID: X509SanDNSClientID("other.example")}
		}, ReasonClientIDMismatch},
		{"wallet_nonce not echoed", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			return nil, ValidateOptions{WalletNonce: "mine"}
		}, ReasonWalletNonce},
		{"expired", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.IssuedAt, ro.ExpiresAt = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-10*time.Minute).Unix()
			return nil, ValidateOptions{}
		}, ReasonRequestExpired},
		{"aud of another wallet", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.Audience = "https://wallet.other"
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
		{"response_type code", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ResponseType = "code"
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
		{"nonce outside charset", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.Nonce = "a b"
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
		{"http response_uri", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ResponseURI = "http://rp.example/r"
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
		{"no encryption key for direct_post.jwt", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ClientMetadata = NewClientMetadata(nil)
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
		{"redirect_uri prefix", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			ro.ClientID = "redirect_uri:https://rp.example/r"
			return nil, ValidateOptions{ClientID: ro.ClientID}
		}, ReasonUnsupportedPrefix},
		{"no state while holder binding is waived", func(ro *RequestObject) (certs.Signer, ValidateOptions) {
			q, _ := ParseQuery([]byte(specQueryCredentialSets))
			ro.DCQLQuery, ro.State = q, ""
			return nil, ValidateOptions{}
		}, ReasonMalformedRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ro := f.request(ModeDirectPostJWT)
			s, opts := tc.edit(ro)
			if s == nil {
				s = f.signer
			}
			if opts.ClientID == "" {
				opts.ClientID = ro.ClientID
			}
			opts.Trust = f.trust
			_, err := ValidateRequestObject(f.sign(t, ro, s), opts)
			if ReasonOf(err) != tc.reason {
				t.Fatalf("err = %v, want reason %s", err, tc.reason)
			}
		})
	}
}

func TestRequestObjectTampered(t *testing.T) {
	f := newRP(t)
	jwt := f.sign(t, f.request(ModeDirectPost), f.signer)
	parts := strings.Split(jwt, ".")
	other := f.sign(t, f.request(ModeDirectPost), f.signer)
	swapped := parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2]
	_, err := ValidateRequestObject(swapped, ValidateOptions{Trust: f.trust, ClientID: X509SanDNSClientID("rp.example")})
	if !errors.Is(err, Reason(InvalidRequestObject, ReasonSignature)) {
		t.Fatalf("err = %v", err)
	}
	// A chain that includes the trust anchor is refused (HAIP).
	withRoot := &chainSigner{Signer: f.signer, chain: append(f.signer.Chain(), f.ca.Root())}
	_, err = ValidateRequestObject(f.sign(t, f.request(ModeDirectPost), withRoot), ValidateOptions{Trust: f.trust, ClientID: X509SanDNSClientID("rp.example")})
	if ReasonOf(err) != ReasonUntrustedVerifier {
		t.Fatalf("anchor in x5c: err = %v", err)
	}
}

type chainSigner struct {
	certs.Signer
	chain []*x509.Certificate
}

func (c *chainSigner) Chain() []*x509.Certificate { return c.chain }

func TestParseAuthorizationURL(t *testing.T) {
	for _, bad := range []string{
		"https://rp.example/?client_id=a&request_uri=https://x/r",
		"openid4vp://?client_id=a",
		"openid4vp://?request_uri=https://x/r",
		"openid4vp://?client_id=a&request_uri=https://x/r&request_uri_method=POST",
		"openid4vp://?client_id=a&request_uri=ftp://x/r",
		"openid4vp://?client_id=a&client_id=b&request_uri=https://x/r",
		"openid4vp://?client_id=a&request=eyJ",
	} {
		if _, err := ParseAuthorizationURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
