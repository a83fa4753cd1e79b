package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// TestMDLInteropVerifierOpenID4VP: @auth0/mdl 3.0.1 (test/mdl, run by scripts/mdl-interop.sh
// with IDGATE_MDL_NODE_DIR set) as the wallet of an OpenID4VP direct_post.jwt transaction:
// it issues an mDL under a Document Signer of an IACA idgate trusts and device-signs a
// DeviceResponse over the SessionTranscript it computes itself from the request's client_id,
// nonce, encryption key and response_uri. idgate's verifier takes it through every check up to
// the status list, which @auth0/mdl's MSO cannot reference (status_missing, failing closed);
// over a transcript for another nonce the device signature fails (kb_signature_invalid).
func TestMDLInteropVerifierOpenID4VP(t *testing.T) {
	dir := os.Getenv("IDGATE_MDL_NODE_DIR")
	if dir == "" {
		t.Skip("IDGATE_MDL_NODE_DIR unset: @auth0/mdl interop runs in scripts/mdl-interop.sh")
	}
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	w.advance(time.Minute) // @auth0/mdl signs valid from its own now; the world's clock stands still
	a := w.mdoc
	dsKey := newP256(t)
	dsCert, err := certs.NewDocumentSigner(a.authority, a.iaca, a.iacaKey, &dsKey.PublicKey, "auth0 DS")
	if err != nil {
		t.Fatal(err)
	}
	query := `{"dcql_query":{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
		"claims":[{"path":["org.iso.18013.5.1","age_over_19"],"values":[true]},{"path":["org.iso.18013.5.1","family_name"]}]}]}}`
	for _, tc := range []struct {
		name, nonce, want string
	}{
		{"transcript of the request", "", "status_missing"},
		{"transcript of another nonce", oid4vp.NewNonce(), "kb_signature_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, query)
			ar := w.resolve(t, c.AuthorizationRequest)
			nonce := ar.Nonce
			if tc.nonce != "" {
				nonce = tc.nonce
			}
			res := runMDLNode(t, dir, map[string]any{
				"op": "issue", "dsKey": nodeJWK(dsKey), "dsCert": string(certs.EncodeCertsPEM([]*x509.Certificate{dsCert})),
				"deviceKey": nodeJWK(newP256(t)), "docType": mdoc.DocTypeMDL, "nameSpace": mdoc.NamespaceMDL,
				"values":     map[string]any{"family_name": "Mustermann", "given_name": "Erika", "age_over_19": true},
				"request":    []string{"family_name", "age_over_19"},
				"validUntil": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
				"clientId":   ar.ClientID, "nonce": nonce, "jwk": ar.EncryptTo, "responseUri": ar.ResponseURI,
			})
			if res["ok"] != true {
				t.Fatalf("@auth0/mdl issue: %v", res["error"])
			}
			resp, _ := hex.DecodeString(res["response"].(string))
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"mdl": {base64.RawURLEncoding.EncodeToString(resp)}}, state: ar.State, to: encKey(ar)})
			if st != http.StatusUnprocessableEntity || checkWalletError(t, raw).Code != tc.want {
				t.Fatalf("response_uri: %d %s, want %s", st, raw, tc.want)
			}
			if _, o := w.outcome(t, c.ID); o.Error != tc.want {
				t.Fatalf("outcome %+v", o)
			}
		})
	}
}

func nodeJWK(k *ecdsa.PrivateKey) map[string]any {
	pub, _ := k.PublicKey.Bytes()
	d, _ := k.Bytes()
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]any{"kty": "EC", "crv": "P-256", "x": b64(pub[1:33]), "y": b64(pub[33:]), "d": b64(d)}
}

func runMDLNode(t *testing.T, dir string, in map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	cmd := exec.Command("node", filepath.Join(dir, "interop.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("node output %q: %v", out, err)
	}
	return res
}
