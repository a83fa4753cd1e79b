package verifier

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
)

// NodeWalletEnv names the directory of test/oid4vp with its npm dependencies installed;
// scripts/oid4vp-interop.sh sets it.
const NodeWalletEnv = "IDGATE_OID4VP_NODE_DIR"

// @openid4vc/openid4vp as the wallet against this verifier's OpenID4VP routes: the library
// resolves the link (POST request_uri), validates the signed request, builds and submits the
// response (encrypted for direct_post.jwt); the verifier accepts it and the relying party reads
// exactly the requested claims.
func TestInteropNodeWallet(t *testing.T) {
	dir := os.Getenv(NodeWalletEnv)
	if dir == "" {
		t.Skip(NodeWalletEnv + " not set: run scripts/oid4vp-interop.sh")
	}
	// Each enc the verifier advertises, encrypted by the library's jose and decrypted by oid4vp.
	for _, tc := range []struct{ mode, enc string }{
		{oid4vp.ModeDirectPostJWT, oid4vp.EncA128GCM}, {oid4vp.ModeDirectPostJWT, oid4vp.EncA256GCM}, {oid4vp.ModeDirectPost, ""},
	} {
		mode := tc.mode
		t.Run(strings.TrimSuffix(mode+"_"+tc.enc, "_"), func(t *testing.T) {
			w := newVPWorld(t, mode)
			h := w.env.Issue(t, credentialtest.IssueOpts{})
			c := w.create(t, licenceQuery)
			priv, err := jwk.FromRaw(h.Key)
			if err != nil {
				t.Fatal(err)
			}
			privJSON, _ := json.Marshal(priv)
			// A library wallet that trusts another root refuses the request and posts nothing.
			other := runNodeWallet(t, dir, c.AuthorizationRequest, h.Credential, string(privJSON), certstest.NewCA(t).Root().Raw)
			if other.Error == "" {
				t.Fatalf("the library accepted a request under a root it does not trust: %+v", other)
			}
			if st, o := w.outcome(t, c.ID); st != http.StatusOK || o.Status != "pending" {
				t.Fatalf("after the refused request: %d %+v", st, o)
			}
			res := runNodeWallet(t, dir, c.AuthorizationRequest, h.Credential, string(privJSON), w.env.CA.Root().Raw, "ENC="+tc.enc)
			if res.Error != "" {
				t.Fatalf("node wallet: %s", res.Error)
			}
			if res.Enc != tc.enc {
				t.Fatalf("the library encrypted with %q (header members %v), want %q", res.Enc, res.JWEHeader, tc.enc)
			}
			t.Logf("the library's JWE header members: %v", res.JWEHeader)
			if res.Status != http.StatusOK || res.ClientID != w.vp.ClientID() {
				t.Fatalf("verifier answered the library's response %d %s (client_id %s)", res.Status, res.Body, res.ClientID)
			}
			st, o := w.outcome(t, c.ID)
			if st != http.StatusOK || o.Status != "verified" {
				t.Fatalf("outcome %d %+v", st, o)
			}
			got := o.Credentials["licence"][0].Claims
			if got["family_name"] != "Mustermann" || got["age_over_18"] != true || len(got) != 2 {
				t.Fatalf("relying party read %v", got)
			}
		})
	}
}

// Same-device with the library as the wallet: idgate's response_uri answers it the
// redirect_uri with a response_code, and the relying party reads the outcome with that code.
func TestInteropNodeWalletSameDevice(t *testing.T) {
	dir := os.Getenv(NodeWalletEnv)
	if dir == "" {
		t.Skip(NodeWalletEnv + " not set: run scripts/oid4vp-interop.sh")
	}
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	h := w.env.Issue(t, credentialtest.IssueOpts{})
	c, _ := w.sameDevice(t)
	priv, err := jwk.FromRaw(h.Key)
	if err != nil {
		t.Fatal(err)
	}
	privJSON, _ := json.Marshal(priv)
	res := runNodeWallet(t, dir, c.AuthorizationRequest, h.Credential, string(privJSON), w.env.CA.Root().Raw)
	if res.Error != "" {
		t.Fatalf("node wallet: %s", res.Error)
	}
	_, code := redirectOf(t, res.Status, []byte(res.Body))
	if st, _ := w.outcomeWith(t, c.ID, ""); st != http.StatusForbidden {
		t.Fatalf("read without the response_code: %d", st)
	}
	if st, raw := w.outcomeWith(t, c.ID, code); st != http.StatusOK || !strings.Contains(string(raw), `"verified"`) {
		t.Fatalf("outcome: %d %s", st, raw)
	}
}

type nodeWalletResult struct {
	ClientID  string   `json:"client_id"`
	Status    int      `json:"status"`
	Body      string   `json:"body"`
	Enc       string   `json:"enc"`
	JWEHeader []string `json:"jwe_header_members"`
	Error     string   `json:"error"`
}

func runNodeWallet(t *testing.T, dir, link, cred, holderJWK string, root []byte, env ...string) nodeWalletResult {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "node", filepath.Join(dir, "wallet.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LINK="+link, "CREDENTIAL="+cred, "HOLDER_JWK="+holderJWK,
		"TRUST_ROOT="+base64.StdEncoding.EncodeToString(root))
	cmd.Env = append(cmd.Env, env...)
	raw, _ := cmd.Output() // a refusal exits 1 with {"error"}
	var res nodeWalletResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("node wallet printed %q: %v", raw, err)
	}
	return res
}
