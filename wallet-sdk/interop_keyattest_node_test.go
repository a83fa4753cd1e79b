package walletsdk_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/keyattest"
)

// NodeKeyAttestEnv names the directory of test/oid4vci with its npm dependencies installed;
// scripts/keyattest-interop.sh sets it.
const NodeKeyAttestEnv = "IDGATE_OID4VCI_NODE_DIR"

// recorder is an HTTP transport that keeps the credential requests the wallet sends.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/credential") && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) last(t *testing.T) map[string][]string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		t.Fatal("no credential request sent")
	}
	var req struct {
		Proofs map[string][]string `json:"proofs"`
	}
	if err := json.Unmarshal(r.bodies[len(r.bodies)-1], &req); err != nil {
		t.Fatal(err)
	}
	return req.Proofs
}

type nodeOutcome struct {
	Error            string           `json:"error"`
	ProofKey         map[string]any   `json:"proof_key"`
	AttestedKeys     []map[string]any `json:"attested_keys"`
	KeyStorage       []string         `json:"key_storage"`
	AttestationNonce string           `json:"attestation_nonce"`
	Typ              string           `json:"typ"`
	JWT              string           `json:"jwt"`
}

// idgate's wallet SDK and @openid4vc/openid4vci: the library, as the issuer, verifies the jwt
// proof with its key_attestation header and the attestation proof that the wallet sent to
// idgate's issuer (signature, nonce, proof key among attested_keys, wallet provider chain);
// and idgate reads the key attestation the library makes.
func TestInteropNodeKeyAttestation(t *testing.T) {
	dir := os.Getenv(NodeKeyAttestEnv)
	if dir == "" {
		t.Skip(NodeKeyAttestEnv + " not set: run scripts/keyattest-interop.sh")
	}
	ctx := t.Context()
	iss := newAttestingIssuer(t, nil)
	rec := &recorder{}
	platform := newAttestingPlatform(iss.provider, keyattest.ISO18045High)
	if _, err := openWalletHTTP(t, platform, &http.Client{Transport: rec}).AcceptOffer(ctx, iss.offer(t, credential.DrivingLicence), ""); err != nil {
		t.Fatal(err)
	}
	jwtProof := rec.last(t)["jwt"][0]

	// An issuer that takes only attestation proofs: it trusts another wallet provider, so it
	// refuses; the request is recorded and judged by the library against the provider's root.
	only := newAttestingIssuer(t, dropJWTProofType(t))
	rec2 := &recorder{}
	_, _ = openWalletHTTP(t, newAttestingPlatform(iss.provider, keyattest.ISO18045High), &http.Client{Transport: rec2}).
		AcceptOffer(ctx, only.offer(t, credential.DrivingLicence), "")
	attProof := rec2.last(t)["attestation"][0]

	// A wallet provider key and certificate the library signs with.
	wpKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "interop wallet provider"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	certs.ProfileKeyAttestation.Apply(tmpl)
	wpCert, err := certs.CreateCertificate(tmpl, iss.wpCA.Cert, &wpKey.PublicKey, iss.wpCA.Key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(wpKey)
	device, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	deviceJWK, _ := jwk.FromRaw(&device.PublicKey)

	nonceOf := func(compact string) string {
		b, _ := base64.RawURLEncoding.DecodeString(strings.Split(compact, ".")[1])
		var c struct {
			Nonce string `json:"nonce"`
		}
		_ = json.Unmarshal(b, &c)
		return c.Nonce
	}
	run := func(job map[string]any) map[string]nodeOutcome {
		t.Helper()
		in, _ := json.Marshal(job)
		cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "keyattest.mjs"))
		cmd.Dir, cmd.Stdin = dir, bytes.NewReader(in)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, stderr.String())
		}
		var res map[string]nodeOutcome
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("node output %q: %v", out, err)
		}
		return res
	}
	rootPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.wpCA.Root().Raw}))
	res := run(map[string]any{
		"credential_issuer": iss.url, "nonce": nonceOf(jwtProof), "now": time.Now().Unix(), "provider_root_pem": rootPEM,
		"jwt_proof":        jwtProof,
		"provider_key_pem": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"provider_x5c":     certs.EncodeX5C([]*x509.Certificate{wpCert}), "device_jwk": deviceJWK,
	})
	jp := res["jwt_proof"]
	if jp.Error != "" || len(jp.AttestedKeys) != 1 || jp.AttestedKeys[0]["x"] != jp.ProofKey["x"] ||
		len(jp.KeyStorage) != 1 || jp.KeyStorage[0] != keyattest.ISO18045High || jp.AttestationNonce != nonceOf(jwtProof) {
		t.Fatalf("the library's issuer on idgate's jwt proof with key_attestation: %+v", jp)
	}
	ap := run(map[string]any{"credential_issuer": only.url, "nonce": nonceOf(attProof), "now": time.Now().Unix(),
		"provider_root_pem": rootPEM, "attestation_proof": attProof})["attestation_proof"]
	if ap.Error != "" || ap.Typ != keyattest.Typ || len(ap.AttestedKeys) != 1 {
		t.Fatalf("the library's issuer on idgate's attestation proof: %+v", ap)
	}
	// A proof whose attestation the library cannot chain to the root it trusts is refused.
	other := run(map[string]any{"credential_issuer": iss.url, "nonce": nonceOf(jwtProof), "now": time.Now().Unix(),
		"provider_root_pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certstest.NewCA(t).Root().Raw})), "jwt_proof": jwtProof})
	t.Logf("untrusted root: %s", other["jwt_proof"].Error)
	if other["jwt_proof"].Error == "" {
		t.Fatal("the library accepted an attestation under a root it does not trust")
	}

	// The library's own attestation: idgate reads its claims, and refuses its typ
	// keyattestation+jwt, the pre-1.0 name (OpenID4VCI 1.0 Appendix D.1: key-attestation+jwt).
	created := res["created"]
	if created.Error != "" || created.JWT == "" {
		t.Fatalf("the library made no attestation: %+v", created)
	}
	_, err = keyattest.Verify(ctx, []byte(created.JWT), keyattest.VerifyOptions{
		Trust: iss.wpCA.TrustList(certs.PurposeWalletProvider, certs.ScopeAny), Now: time.Now(), RequireExp: true})
	if !errors.Is(err, keyattest.ErrType) {
		t.Fatalf("library attestation: %v, want the typ refused", err)
	}
}

// dropJWTProofType makes an issuer's metadata list only the attestation proof type for mdl.
func dropJWTProofType(t *testing.T) func(string, []byte) []byte {
	return func(path string, body []byte) []byte {
		if path != "/.well-known/openid-credential-issuer" {
			return body
		}
		var md map[string]any
		if err := json.Unmarshal(body, &md); err != nil {
			t.Error(err)
			return body
		}
		cfg := md["credential_configurations_supported"].(map[string]any)["mdl"].(map[string]any)
		delete(cfg["proof_types_supported"].(map[string]any), "jwt")
		out, _ := json.Marshal(md)
		return out
	}
}
