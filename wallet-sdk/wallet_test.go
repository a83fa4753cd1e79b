package walletsdk

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func newTestWallet(t testing.TB) *Wallet {
	t.Helper()
	w, err := New(Config{Dir: t.TempDir(), StoreKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// dirContains reports whether any file under dir holds needle.
func dirContains(t testing.TB, dir string, needle []byte) bool {
	t.Helper()
	found := false
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		found = found || bytes.Contains(b, needle)
		return nil
	})
	return found
}

func TestAcceptOfferHappyPath(t *testing.T) {
	for _, byRef := range []bool{false, true} {
		t.Run(map[bool]string{false: "by value", true: "by reference"}[byRef], func(t *testing.T) {
			iss := newIssuerDouble(t)
			dir := t.TempDir()
			w, err := New(Config{Dir: dir, StoreKey: testKey()})
			if err != nil {
				t.Fatal(err)
			}
			uri := iss.OfferURI()
			if byRef {
				uri = iss.OfferRefURI()
			}
			creds, err := w.AcceptOffer(context.Background(), uri, iss.txCode)
			if err != nil {
				t.Fatal(err)
			}
			if len(creds) != 1 {
				t.Fatalf("got %d credentials", len(creds))
			}
			c := creds[0]
			if c.VCT != testVCT || c.Issuer != iss.URL || c.ConfigurationID != testConfigID ||
				c.Claims["given_name"] != testGivenName || c.Claims["cnf"] != nil || c.ExpiresAt.Before(time.Now()) {
				t.Fatalf("credential view: %+v", c)
			}
			addr, _ := c.Claims["address"].(map[string]any)
			if addr["locality"] != "Berlin" {
				t.Fatalf("nested claims: %v", c.Claims["address"])
			}
			if got := strings.Join(c.Disclosable, ","); got != "address,birth_date,family_name,given_name" {
				t.Fatalf("disclosable: %s", got)
			}
			list, err := w.Credentials()
			if err != nil || len(list) != 1 || list[0].ID != c.ID {
				t.Fatalf("Credentials() = %v, %v", list, err)
			}
			keys, _ := w.keys.List()
			if len(keys) != 1 || keys[0] != c.KeyID {
				t.Fatalf("keys %v, credential key %s", keys, c.KeyID)
			}
			// Nothing readable at rest: neither a claim value nor the credential's JWS.
			for _, needle := range []string{testGivenName, testStreet, "eyJ"} {
				if dirContains(t, dir, []byte(needle)) {
					t.Fatalf("%q found in plaintext under the wallet directory", needle)
				}
			}
			filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
				info, _ := e.Info()
				if !e.IsDir() && info.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v", p, info.Mode().Perm())
				}
				return nil
			})
			// A second wallet instance over the same directory sees the same credential.
			if got, err := w.FindCredential(testVCT); err != nil || got.ID != c.ID {
				t.Fatalf("FindCredential = %v, %v", got, err)
			}
		})
	}
}

func TestAcceptOfferFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*issuerDouble)
		uri    func(*issuerDouble) string
		txCode string
		code   string
		proto  string // expected ProtocolError.ErrorCode, if any
	}{
		{name: "metadata names another issuer", setup: func(d *issuerDouble) { d.metadataIssuer = "https://evil.example" }, code: CodeIssuerMismatch},
		{name: "wrong tx code", txCode: "000000", code: CodeTokenError, proto: "invalid_grant"},
		{name: "missing tx code", txCode: "-", code: CodeTxCodeRequired},
		{name: "wrong pre-authorized code", setup: func(d *issuerDouble) { d.code = "something-else" }, uri: func(d *issuerDouble) string {
			u := d.OfferURI()
			d.code = "the-real-code"
			return u
		}, code: CodeTokenError, proto: "invalid_grant"},
		{name: "bound to another key", setup: func(d *issuerDouble) { d.bindOtherKey = true }, code: CodeKeyMismatch},
		{name: "other vct", setup: func(d *issuerDouble) { d.issueVCT = "urn:other" }, code: CodeVCTMismatch},
		{name: "signature not by x5c leaf", setup: func(d *issuerDouble) { d.signWithOther = true }, code: CodeBadSignature},
		{name: "already expired", setup: func(d *issuerDouble) { d.exp = -time.Minute }, code: CodeInvalidCredential},
		{name: "nonce always invalid", setup: func(d *issuerDouble) { d.alwaysBadNonce = true }, code: CodeCredentialError, proto: "invalid_nonce"},
		{name: "response too large", setup: func(d *issuerDouble) { d.hugeCredential = true }, code: CodeResponseTooLarge},
		{name: "unsupported format", uri: func(d *issuerDouble) string {
			return strings.Replace(d.OfferURI(), testConfigID, "mdoc-only", 1)
		}, code: CodeUnsupportedOffer},
		{name: "unknown configuration", uri: func(d *issuerDouble) string {
			return strings.Replace(d.OfferURI(), testConfigID, "nope", 1)
		}, code: CodeUnsupportedOffer},
		{name: "issuer unreachable", uri: func(d *issuerDouble) string {
			u := d.OfferURI()
			d.srv.Close()
			return u
		}, code: CodeTransport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := newIssuerDouble(t)
			if tt.setup != nil {
				tt.setup(iss)
			}
			uri := iss.OfferURI()
			if tt.uri != nil {
				uri = tt.uri(iss)
			}
			tx := iss.txCode
			switch tt.txCode {
			case "-":
				tx = ""
			case "":
			default:
				tx = tt.txCode
			}
			w := newTestWallet(t)
			creds, err := w.AcceptOffer(context.Background(), uri, tx)
			if err == nil {
				t.Fatalf("accepted: %+v", creds)
			}
			if CodeOf(err) != tt.code {
				t.Fatalf("got %v, want code %s", err, tt.code)
			}
			if tt.proto != "" {
				var pe *ProtocolError
				if !errors.As(err, &pe) || pe.ErrorCode != tt.proto {
					t.Fatalf("protocol error = %v, want %s", pe, tt.proto)
				}
			}
			// Fail closed: no credential stored and no orphan device key left behind.
			if list, _ := w.Credentials(); len(list) != 0 {
				t.Fatalf("stored %d credentials after a failure", len(list))
			}
			if keys, _ := w.keys.List(); len(keys) != 0 {
				t.Fatalf("left %d device keys after a failure", len(keys))
			}
		})
	}
}

func TestAcceptOfferInvalidNonceRetry(t *testing.T) {
	iss := newIssuerDouble(t)
	iss.staleTokenNonce = true
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.txCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || iss.nonceCalls != 1 || iss.credentialCalls != 2 {
		t.Fatalf("creds=%d nonce calls=%d credential calls=%d, want 1/1/2", len(creds), iss.nonceCalls, iss.credentialCalls)
	}
}

func TestAcceptOfferRefusesPlainHTTPToRemoteHosts(t *testing.T) {
	w := newTestWallet(t)
	uri := "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fissuer.example%2Foffer"
	_, err := w.AcceptOffer(context.Background(), uri, "")
	if CodeOf(err) != CodeTransport || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v", err)
	}
}

func TestDeleteRemovesCredentialAndKey(t *testing.T) {
	iss := newIssuerDouble(t)
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.txCode)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(creds[0].ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := w.Credentials(); len(list) != 0 {
		t.Fatal("credential still listed")
	}
	if keys, _ := w.keys.List(); len(keys) != 0 {
		t.Fatal("device key not deleted")
	}
	if err := w.Delete(creds[0].ID); CodeOf(err) != CodeNotFound {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := w.FindCredential(testVCT); CodeOf(err) != CodeNotFound {
		t.Fatalf("FindCredential after delete: %v", err)
	}
}
