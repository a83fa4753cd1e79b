package walletsdk_test

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

// NodeVerifierEnv names the directory of test/oid4vp with its npm dependencies installed;
// scripts/oid4vp-interop.sh sets it.
const NodeVerifierEnv = "IDGATE_OID4VP_NODE_DIR"

type nodeResult struct {
	ClientID  string              `json:"client_id"`
	Nonce     string              `json:"nonce"`
	StateOK   bool                `json:"state_ok"`
	VPToken   map[string][]string `json:"vp_token"`
	JWEHeader map[string]any      `json:"jwe_header"`
	EncKID    string              `json:"enc_kid"`
}

// The wallet SDK against @openid4vc/openid4vp as the verifier: the independent library signs
// the Request Object (x5c), the wallet resolves, validates and answers it, the library parses
// (and decrypts) the response, and the vp_token it extracted is checked here: KB-JWT aud is
// the library's client_id with its prefix, nonce the library's, only the requested claim
// disclosed.
func TestInteropNodeVerifier(t *testing.T) {
	dir := os.Getenv(NodeVerifierEnv)
	if dir == "" {
		t.Skip(NodeVerifierEnv + " not set: run scripts/oid4vp-interop.sh")
	}
	iss := oid4vcitest.New(t)
	root, rootKey, err := oid4vptest.NewRoot("interop verifier root")
	if err != nil {
		t.Fatal(err)
	}
	signer, signerKey, err := oid4vptest.NewLeaf(root, rootKey, "interop relying party", oid4vptest.Host)
	if err != nil {
		t.Fatal(err)
	}
	untrustedRoot, untrustedKey, _ := oid4vptest.NewRoot("not trusted")
	impostor, impostorKey, _ := oid4vptest.NewLeaf(untrustedRoot, untrustedKey, "impostor", oid4vptest.Host)

	key := make([]byte, 32)
	rand.Read(key)
	trust := certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeVerifier, Scope: certs.ScopeAny, Roots: []*x509.Certificate{root}})
	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: key, VerifierTrust: trust})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix, mode, method string
		signer               certs.Signer
		key                  *ecdsa.PrivateKey
		wantReason           string
	}{
		{oid4vp.PrefixX509SanDNS, oid4vp.ModeDirectPostJWT, "get", signer, signerKey, ""},
		{oid4vp.PrefixX509Hash, oid4vp.ModeDirectPostJWT, "post", signer, signerKey, ""},
		{oid4vp.PrefixX509SanDNS, oid4vp.ModeDirectPost, "post", signer, signerKey, ""},
		{oid4vp.PrefixX509Hash, oid4vp.ModeDirectPost, "get", signer, signerKey, ""},
		{oid4vp.PrefixX509SanDNS, oid4vp.ModeDirectPostJWT, "get", impostor, impostorKey, oid4vp.ReasonUntrustedVerifier},
	} {
		t.Run(tc.prefix+"/"+tc.mode+"/"+tc.method+"/"+tc.signer.Chain()[0].Subject.CommonName, func(t *testing.T) {
			lines, stop := startNodeVerifier(t, dir, tc.signer, tc.key, tc.prefix, tc.mode, tc.method)
			defer stop()
			var first struct {
				Link  string `json:"link"`
				Error string `json:"error"`
			}
			readLine(t, lines, &first)
			if first.Link == "" {
				t.Fatalf("node verifier: %s", first.Error)
			}
			req, err := w.ResolveVP(t.Context(), first.Link)
			if tc.wantReason != "" {
				if oid4vp.ReasonOf(err) != tc.wantReason {
					t.Fatalf("got %v, want %s", err, tc.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve the library's request: %v", err)
			}
			if _, err := w.RespondVP(t.Context(), req, nil); err != nil {
				t.Fatalf("respond: %v", err)
			}
			var second struct {
				Result *nodeResult `json:"result"`
				Error  string      `json:"error"`
			}
			readLine(t, lines, &second)
			if second.Result == nil {
				t.Fatalf("the library refused the response: %s", second.Error)
			}
			r := second.Result
			if !strings.HasPrefix(r.ClientID, tc.prefix+":") || !r.StateOK || len(r.VPToken) != 1 || len(r.VPToken["employee"]) != 1 {
				t.Fatalf("library result: %+v", r)
			}
			if tc.mode == oid4vp.ModeDirectPostJWT && (r.JWEHeader["alg"] != "ECDH-ES" || r.JWEHeader["kid"] != r.EncKID || r.JWEHeader["enc"] != "A256GCM") {
				t.Fatalf("JWE header %v (verifier key %s)", r.JWEHeader, r.EncKID)
			}
			v, err := sdjwt.Verify(r.VPToken["employee"][0], sdjwt.VerifyOptions{
				IssuerKey:  func(jws.Headers) (crypto.PublicKey, error) { return &iss.CA.LeafKey.PublicKey, nil },
				KeyBinding: &sdjwt.KBOptions{Required: true, Audience: r.ClientID, Nonce: r.Nonce},
			})
			if err != nil {
				t.Fatalf("vp_token the library extracted does not verify for its client_id and nonce: %v", err)
			}
			if v.Claims["given_name"] != oid4vcitest.GivenName || v.Claims["family_name"] != nil {
				t.Fatalf("disclosed %v", v.Claims)
			}
		})
	}
}

func startNodeVerifier(t *testing.T, dir string, s certs.Signer, key *ecdsa.PrivateKey, prefix, mode, method string) (*bufio.Scanner, func()) {
	t.Helper()
	priv, err := jwk.FromRaw(key)
	if err != nil {
		t.Fatal(err)
	}
	privJSON, _ := json.Marshal(priv)
	cmd := exec.CommandContext(t.Context(), "node", filepath.Join(dir, "verifier.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"LEAF_X5C="+base64.StdEncoding.EncodeToString(s.Chain()[0].Raw),
		"LEAF_JWK="+string(privJSON),
		"DCQL="+employeeQuery, "MODE="+mode, "METHOD="+method, "PREFIX="+prefix)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return sc, func() {
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
}

func readLine(t *testing.T, sc *bufio.Scanner, v any) {
	t.Helper()
	if !sc.Scan() {
		t.Fatalf("node verifier exited early: %v", sc.Err())
	}
	if err := json.Unmarshal(sc.Bytes(), v); err != nil {
		t.Fatalf("node verifier printed %q: %v", sc.Text(), err)
	}
}
