package walletcli

import (
	"bytes"
	"crypto"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

// fakeVerifier is the relying-party HTTP edge: it creates requests and verifies presentations
// with sdjwt.Verify against the test CA's issuer key. tamperNonce makes it expect another nonce
// than it handed out, so every presentation is rejected.
func fakeVerifier(t *testing.T, ca *oid4vcitest.CA, tamperNonce bool) *httptest.Server {
	const nonce = "rp-nonce-1"
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/presentation-requests", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			VCT    string   `json:"vct"`
			Claims []string `json:"claims"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": "req-1", "nonce": nonce, "audience": srv.URL,
			"expires_at": time.Now().Add(time.Minute), "vct": in.VCT, "claims": in.Claims})
	})
	mux.HandleFunc("POST /v1/presentation-requests/req-1/verify", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Presentation string `json:"presentation"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		want := nonce
		if tamperNonce {
			want = "another"
		}
		v, err := sdjwt.Verify(in.Presentation, sdjwt.VerifyOptions{
			IssuerKey:  func(jws.Headers) (crypto.PublicKey, error) { return &ca.LeafKey.PublicKey, nil },
			KeyBinding: &sdjwt.KBOptions{Required: true, Audience: srv.URL, Nonce: want},
		})
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"code": sdjwt.ErrorCode(err), "message": "rejected"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"request_id": "req-1", "claims": v.Claims})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func run(t *testing.T, env Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestWalletCLIEndToEnd(t *testing.T) {
	for _, mode := range []string{"key file", "passphrase"} {
		t.Run(mode, func(t *testing.T) {
			env := Env{Getenv: func(string) string { return "" }}
			if mode == "passphrase" {
				env.Getenv = func(k string) string {
					if k == PassphraseEnv {
						return "correct horse battery staple"
					}
					return ""
				}
			}
			iss := oid4vcitest.New(t)
			dir := filepath.Join(t.TempDir(), "w")
			if code, _, errs := run(t, env, "init", "--dir", dir); code != 0 {
				t.Fatalf("init: %d %s", code, errs)
			}
			_, err := os.Stat(filepath.Join(dir, keyFile))
			if (mode == "key file") != (err == nil) {
				t.Fatalf("key file present=%v in %s mode", err == nil, mode)
			}
			if code, _, errs := run(t, env, "init", "--dir", dir); code != 0 {
				t.Fatalf("re-init must be idempotent: %d %s", code, errs)
			}
			code, out, errs := run(t, env, "accept-offer", "--dir", dir, iss.OfferURI(), "--tx-code", iss.TxCode)
			if code != 0 || !strings.Contains(out, oid4vcitest.VCT) {
				t.Fatalf("accept-offer: %d %q %s", code, out, errs)
			}
			code, out, _ = run(t, env, "list", "--dir", dir)
			if code != 0 || !strings.Contains(out, "given_name") || strings.Contains(out, oid4vcitest.GivenName) {
				t.Fatalf("list shows claim names, not values: %d %q", code, out)
			}
			code, out, _ = run(t, env, "list", "--dir", dir, "--json")
			var items []struct {
				ID     string         `json:"id"`
				Claims map[string]any `json:"claims"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &items) != nil || len(items) != 1 || items[0].Claims["given_name"] != oid4vcitest.GivenName {
				t.Fatalf("list --json: %d %q", code, out)
			}

			rp := fakeVerifier(t, iss.CA, false)
			code, out, errs = run(t, env, "present", "--dir", dir, "--verifier", rp.URL, "--vct", oid4vcitest.VCT, "--claims", "given_name")
			if code != 0 || !strings.Contains(out, oid4vcitest.GivenName) || strings.Contains(out, oid4vcitest.FamilyName) {
				t.Fatalf("present: %d %q %s", code, out, errs)
			}
			code, out, _ = run(t, env, "present", "--dir", dir, "--verifier", rp.URL, "--credential", items[0].ID, "--claims", "family_name,birth_date")
			if code != 0 || !strings.Contains(out, oid4vcitest.FamilyName) || strings.Contains(out, oid4vcitest.GivenName) {
				t.Fatalf("present by id: %d %q", code, out)
			}
			bad := fakeVerifier(t, iss.CA, true)
			code, out, _ = run(t, env, "present", "--dir", dir, "--verifier", bad.URL, "--vct", oid4vcitest.VCT, "--claims", "given_name")
			if code != 1 || !strings.Contains(out, "kb_nonce") {
				t.Fatalf("rejected presentation must exit 1 and print the answer: %d %q", code, out)
			}
		})
	}
}

func TestWalletCLIErrors(t *testing.T) {
	env := Env{Getenv: func(string) string { return "" }}
	dir := filepath.Join(t.TempDir(), "w")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand", nil, 2, "usage"},
		{"unknown subcommand", []string{"frobnicate"}, 2, "unknown"},
		{"init without dir", []string{"init"}, 2, "usage"},
		{"list before init", []string{"list", "--dir", dir}, 2, "wallet init"},
		{"accept without uri", []string{"accept-offer", "--dir", dir}, 2, "usage"},
		{"present without target", []string{"present", "--dir", dir, "--verifier", "http://127.0.0.1:1", "--claims", "a"}, 2, "usage"},
		{"bad offer", []string{"accept-offer", "--dir", dir, "https://nothing.example/"}, 1, "invalid_offer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "bad offer" {
				run(t, env, "init", "--dir", dir)
			}
			code, _, errs := run(t, env, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.msg) {
				t.Fatalf("got %d %q, want %d containing %q", code, errs, tt.code, tt.msg)
			}
		})
	}
}
