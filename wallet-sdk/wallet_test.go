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

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
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
			iss := oid4vcitest.New(t)
			dir := t.TempDir()
			w, err := New(Config{Dir: dir, StoreKey: testKey()})
			if err != nil {
				t.Fatal(err)
			}
			uri := iss.OfferURI()
			if byRef {
				uri = iss.OfferRefURI()
			}
			creds, err := w.AcceptOffer(context.Background(), uri, iss.TxCode)
			if err != nil {
				t.Fatal(err)
			}
			if len(creds) != 1 {
				t.Fatalf("got %d credentials", len(creds))
			}
			c := creds[0]
			if c.VCT != oid4vcitest.VCT || c.Issuer != iss.URL || c.ConfigurationID != oid4vcitest.ConfigID ||
				c.Claims["given_name"] != oid4vcitest.GivenName || c.Claims["cnf"] != nil || c.ExpiresAt.Before(time.Now()) {
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
			for _, needle := range []string{oid4vcitest.GivenName, oid4vcitest.Street, "eyJ"} {
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
			if got, err := w.FindCredential(oid4vcitest.VCT); err != nil || got.ID != c.ID {
				t.Fatalf("FindCredential = %v, %v", got, err)
			}
		})
	}
}

func TestAcceptOfferFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*oid4vcitest.Issuer)
		uri    func(*oid4vcitest.Issuer) string
		txCode string
		code   string
		proto  string // expected ProtocolError.ErrorCode, if any
	}{
		{name: "metadata names another issuer", setup: func(d *oid4vcitest.Issuer) { d.MetadataIssuer = "https://evil.example" }, code: CodeIssuerMismatch},
		{name: "credential claims another issuer", setup: func(d *oid4vcitest.Issuer) { d.CredentialIss = "https://dmv.example" }, code: CodeIssuerMismatch},
		{name: "wrong tx code", txCode: "000000", code: CodeTokenError, proto: "invalid_grant"},
		{name: "missing tx code", txCode: "-", code: CodeTxCodeRequired},
		{name: "wrong pre-authorized code", setup: func(d *oid4vcitest.Issuer) { d.Code = "something-else" }, uri: func(d *oid4vcitest.Issuer) string {
			u := d.OfferURI()
			d.Code = "the-real-code"
			return u
		}, code: CodeTokenError, proto: "invalid_grant"},
		{name: "bound to another key", setup: func(d *oid4vcitest.Issuer) { d.BindOtherKey = true }, code: CodeKeyMismatch},
		{name: "other vct", setup: func(d *oid4vcitest.Issuer) { d.IssueVCT = "urn:other" }, code: CodeVCTMismatch},
		{name: "signature not by x5c leaf", setup: func(d *oid4vcitest.Issuer) { d.SignWithOther = true }, code: CodeBadSignature},
		{name: "already expired", setup: func(d *oid4vcitest.Issuer) { d.Exp = -time.Minute }, code: CodeInvalidCredential},
		{name: "nonce always invalid", setup: func(d *oid4vcitest.Issuer) { d.AlwaysBadNonce = true }, code: CodeCredentialError, proto: "invalid_nonce"},
		{name: "response too large", setup: func(d *oid4vcitest.Issuer) { d.OversizeBy = maxCredentialBody }, code: CodeResponseTooLarge},
		{name: "unsupported format", uri: func(d *oid4vcitest.Issuer) string {
			return strings.Replace(d.OfferURI(), oid4vcitest.ConfigID, "jwt-vc-only", 1)
		}, code: CodeUnsupportedOffer},
		{name: "unknown configuration", uri: func(d *oid4vcitest.Issuer) string {
			return strings.Replace(d.OfferURI(), oid4vcitest.ConfigID, "nope", 1)
		}, code: CodeUnsupportedOffer},
		{name: "issuer unreachable", uri: func(d *oid4vcitest.Issuer) string {
			u := d.OfferURI()
			d.Server.Close()
			return u
		}, code: CodeTransport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := oid4vcitest.New(t)
			if tt.setup != nil {
				tt.setup(iss)
			}
			uri := iss.OfferURI()
			if tt.uri != nil {
				uri = tt.uri(iss)
			}
			tx := iss.TxCode
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
	iss := oid4vcitest.New(t)
	iss.StaleTokenNonce = true
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	if nonceCalls, credCalls := iss.Calls(); len(creds) != 1 || nonceCalls != 1 || credCalls != 2 {
		t.Fatalf("creds=%d nonce calls=%d credential calls=%d, want 1/1/2", len(creds), nonceCalls, credCalls)
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
	iss := oid4vcitest.New(t)
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.TxCode)
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
	if _, err := w.FindCredential(oid4vcitest.VCT); CodeOf(err) != CodeNotFound {
		t.Fatalf("FindCredential after delete: %v", err)
	}
}

// Concurrent issuance and presentation on one wallet (run with -race).
func TestConcurrentUse(t *testing.T) {
	iss := oid4vcitest.New(t)
	w := newTestWallet(t)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
			if err == nil {
				_, err = w.Present(t.Context(), creds[0].ID, PresentationRequest{Audience: "a", Nonce: "n", Claims: []string{"given_name"}})
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if list, err := w.Credentials(); err != nil || len(list) != n {
		t.Fatalf("Credentials = %d, %v", len(list), err)
	}
}
