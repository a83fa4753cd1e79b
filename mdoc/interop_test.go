package mdoc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

// Interop with an independent ISO/IEC 18013-5 implementation, @auth0/mdl 3.0.1 (pinned in
// test/mdl/package-lock.json), run by scripts/mdl-interop.sh with IDGATE_MDL_NODE_DIR set.

func nodeDir(t *testing.T) string {
	dir := os.Getenv("IDGATE_MDL_NODE_DIR")
	if dir == "" {
		t.Skip("IDGATE_MDL_NODE_DIR unset: @auth0/mdl interop runs in scripts/mdl-interop.sh")
	}
	return dir
}

func runNode(t *testing.T, dir string, in map[string]any) map[string]any {
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
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return res
}

func jwk(k *ecdsa.PrivateKey, kid string) map[string]any {
	pub, _ := k.PublicKey.Bytes()
	d, _ := k.Bytes()
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]any{"kty": "EC", "crv": "P-256", "x": b64(pub[1:33]), "y": b64(pub[33:]), "d": b64(d), "kid": kid}
}

func tagged(t *testing.T, st []byte) string {
	b, err := wrap24(st)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestInteropAuth0VerifiesIdgate: @auth0/mdl verifies a DeviceResponse issued and presented by
// idgate under an Annex B IACA, and sees only the two requested elements.
func TestInteropAuth0VerifiesIdgate(t *testing.T) {
	dir := nodeDir(t)
	f := newFixture(t)
	st := transcript(t, "interop")
	resp := f.present(t, f.issue(t), st)
	iacaPEM := string(certs.EncodeCertsPEM([]*x509.Certificate{f.iaca}))
	res := runNode(t, dir, map[string]any{"op": "verify", "response": hex.EncodeToString(resp), "transcript": tagged(t, st), "iaca": iacaPEM, "nameSpace": NamespaceMDL})
	if res["ok"] != true {
		t.Fatalf("@auth0/mdl rejected idgate's DeviceResponse: %v", res["error"])
	}
	claims, _ := res["claims"].(map[string]any)
	if len(claims) != 2 || claims["family_name"] != "Mustermann" || claims["age_over_19"] != true {
		t.Fatalf("claims %v", claims)
	}
	// The same response for another transcript, or under another IACA, must fail there too.
	res = runNode(t, dir, map[string]any{"op": "verify", "response": hex.EncodeToString(resp), "transcript": tagged(t, transcript(t, "other")), "iaca": iacaPEM, "nameSpace": NamespaceMDL})
	if res["ok"] == true {
		t.Fatal("@auth0/mdl accepted the response for another transcript")
	}
	other := newFixture(t)
	res = runNode(t, dir, map[string]any{"op": "verify", "response": hex.EncodeToString(resp), "transcript": tagged(t, st), "iaca": string(certs.EncodeCertsPEM([]*x509.Certificate{other.iaca})), "nameSpace": NamespaceMDL})
	if res["ok"] == true {
		t.Fatal("@auth0/mdl accepted the response under another IACA")
	}
}

// TestInteropIdgateVerifiesAuth0: idgate verifies a DeviceResponse issued and device-signed by
// @auth0/mdl with an idgate Document Signer key under the test IACA.
func TestInteropIdgateVerifiesAuth0(t *testing.T) {
	dir := nodeDir(t)
	f := newFixture(t)
	dsKey := newKey(t)
	dsCert, err := certs.NewDocumentSigner(f.authority, f.iaca, f.iacaKey, &dsKey.PublicKey, "auth0 DS")
	if err != nil {
		t.Fatal(err)
	}
	st := transcript(t, "interop")
	res := runNode(t, dir, map[string]any{
		"op": "issue", "dsKey": jwk(dsKey, "ds"), "dsCert": string(certs.EncodeCertsPEM([]*x509.Certificate{dsCert})),
		"deviceKey": jwk(f.device, "device"), "transcript": tagged(t, st), "docType": DocTypeMDL, "nameSpace": NamespaceMDL,
		"values": map[string]any{"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1984-08-12",
			"issuing_country": "UT", "age_over_19": true},
		"request":    []string{"family_name", "age_over_19"},
		"validUntil": f.now.Add(24 * time.Hour).UTC().Format(time.RFC3339),
	})
	if res["ok"] != true {
		t.Fatalf("@auth0/mdl issue: %v", res["error"])
	}
	resp, _ := hex.DecodeString(res["response"].(string))
	got, err := f.verifier().Verify(resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st})
	if err != nil {
		t.Fatalf("idgate rejected @auth0/mdl's DeviceResponse: %v", err)
	}
	if v, _ := got.Value(NamespaceMDL, "family_name"); v != "Mustermann" || len(got.Elements) != 2 || got.Signer.Subject.CommonName != "auth0 DS" {
		t.Fatalf("elements %+v", got.Elements)
	}
	if _, err := f.verifier().Verify(resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: transcript(t, "other")}); CodeOf(err) != CodeDeviceAuthInvalid {
		t.Fatalf("another transcript: err = %v", err)
	}
}
