package certs_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

func TestInitCreatesThenLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	now := time.Now()
	opts := certs.Options{IssuerURL: "https://issuer.idgate.test", Airlines: []string{"ig", "U2"}, Now: func() time.Time { return now }}
	p, created, err := certs.Init(dir, opts)
	if err != nil || !created {
		t.Fatalf("Init: created=%v err=%v", created, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v %v", fi.Mode(), err)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "*.key"))
	if len(keys) != 14 { // root, 2 issuers, status list, gate reader, 2 TLS, verifier request, 2 airlines, IACA, mDL DS, wallet provider CA and signer
		t.Fatalf("%d key files", len(keys))
	}
	for _, k := range keys {
		if fi, _ := os.Stat(k); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", k, fi.Mode())
		}
	}

	// The mDL Document Signer chains to the IACA, which trust.json trusts for the mDL docType
	// only; a credential signer under the development root is no Document Signer.
	if _, err := p.Trust.Verify(certs.PurposeMdoc, certs.MdocDocTypeMDL, p.MDLDocumentSigner.Chain(), now); err != nil {
		t.Errorf("mDL Document Signer not trusted: %v", err)
	}
	if _, err := p.Trust.Verify(certs.PurposeMdoc, "org.example.other", p.MDLDocumentSigner.Chain(), now); err == nil {
		t.Error("the IACA is trusted for another docType")
	}
	if _, err := p.Trust.Verify(certs.PurposeMdoc, certs.MdocDocTypeMDL, p.MDLIssuer.Chain(), now); err == nil {
		t.Error("the SD-JWT VC licence signer is trusted as an mdoc Document Signer")
	}
	if ds := p.MDLDocumentSigner.Chain()[0]; ds.Subject.Country[0] != "UT" || p.IACA.Subject.Country[0] != "UT" {
		t.Errorf("mdoc country %v / %v", ds.Subject.Country, p.IACA.Subject.Country)
	}

	// The wallet provider's key attestation signer chains to its own CA, which trust.json
	// trusts for key attestations only; no signer under the development root signs them.
	if _, err := p.Trust.Verify(certs.PurposeWalletProvider, "https://wallet.example", p.WalletProvider.Chain(), now); err != nil {
		t.Errorf("wallet provider not trusted: %v", err)
	}
	if _, err := p.Trust.Verify(certs.PurposeWalletProvider, "*", p.EmployeeIssuer.Chain(), now); err == nil {
		t.Error("a credential signer is trusted as a wallet provider")
	}
	if _, err := p.Trust.Verify(certs.PurposeCredential, "x", p.WalletProvider.Chain(), now); err == nil {
		t.Error("the wallet provider is trusted as a credential signer")
	}

	// The verifier's request signer names the DNS hosts (not the IPs) and wallets trust it.
	rp := p.VerifierRP.Chain()[0]
	if err := certs.ProfileRequestSigner.Check(rp); err != nil || len(rp.DNSNames) != 1 || rp.DNSNames[0] != "localhost" || len(rp.IPAddresses) != 0 {
		t.Errorf("verifier request signer: %v, SAN %v %v", err, rp.DNSNames, rp.IPAddresses)
	}
	if _, err := p.Trust.Verify(certs.PurposeVerifier, "x509_san_dns:localhost", p.VerifierRP.Chain(), now); err != nil {
		t.Errorf("verifier request signer not trusted for wallets: %v", err)
	}
	if _, err := p.Trust.Verify(certs.PurposeVerifier, "x509_san_dns:localhost", p.EmployeeIssuer.Chain(), now); err == nil {
		t.Error("a credential signer is trusted as a verifier")
	}
	if !p.Root.IsCA || p.Root.KeyUsage&x509.KeyUsageCertSign == 0 || p.Root.NotAfter.Sub(now) < 9*365*24*time.Hour {
		t.Errorf("root: IsCA=%v ku=%v notAfter=%v", p.Root.IsCA, p.Root.KeyUsage, p.Root.NotAfter)
	}
	for _, tc := range []struct {
		s    certs.Signer
		cn   string
		prof certs.Profile
	}{
		{p.EmployeeIssuer, certs.CNIssuerEmployee, certs.ProfileCredentialSigner},
		{p.MDLIssuer, certs.CNIssuerMDL, certs.ProfileCredentialSigner},
		{p.StatusList, certs.CNStatusList, certs.ProfileStatusListSigner},
	} {
		leaf := tc.s.Chain()[0]
		if err := tc.prof.Check(leaf); err != nil || len(leaf.UnknownExtKeyUsage) != 1 || len(leaf.ExtKeyUsage) != 0 {
			t.Errorf("%s: profile %v, EKUs %v %v", tc.cn, err, leaf.UnknownExtKeyUsage, leaf.ExtKeyUsage)
		}
		if leaf.Subject.CommonName != tc.cn || len(leaf.URIs) != 1 || leaf.URIs[0].String() != opts.IssuerURL ||
			leaf.KeyUsage != x509.KeyUsageDigitalSignature || len(tc.s.Chain()) != 1 {
			t.Errorf("%s: cn=%q uris=%v ku=%v", tc.cn, leaf.Subject.CommonName, leaf.URIs, leaf.KeyUsage)
		}
	}

	// trust.json trusts each signer for its purpose only.
	tl, err := certs.LoadTrustList(filepath.Join(dir, certs.FileTrust))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name    string
		p       certs.Purpose
		scope   string
		s       certs.Signer
		wantErr error
	}{
		{"employee credential", certs.PurposeCredential, "https://idgate.test/EmployeeID", p.EmployeeIssuer, nil},
		{"mdl credential", certs.PurposeCredential, "urn:mdl", p.MDLIssuer, nil},
		{"status list", certs.PurposeStatusList, "*", p.StatusList, nil},
		{"airline IG", certs.PurposeBoardingPass, "IG", p.Airlines["IG"], nil},
		{"airline U2", certs.PurposeBoardingPass, "U2", p.Airlines["U2"], nil},
		{"issuer signing status list", certs.PurposeStatusList, "*", p.EmployeeIssuer, certs.ErrExtKeyUsage},
		{"status signer as credential", certs.PurposeCredential, "x", p.StatusList, certs.ErrExtKeyUsage},
		{"airline as credential", certs.PurposeCredential, "x", p.Airlines["IG"], certs.ErrExtKeyUsage},
		{"IG signer for U2", certs.PurposeBoardingPass, "U2", p.Airlines["IG"], certs.ErrNameNotAllowed},
	}
	for _, c := range checks {
		if _, err := tl.Verify(c.p, c.scope, c.s.Chain(), now); !errors.Is(err, c.wantErr) && !(c.wantErr == nil && err == nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.wantErr)
		}
	}
	if pinned := tl.Certificates(certs.PurposeBoardingPass, "IG", now); len(pinned) != 1 || !pinned[0].Equal(p.Airlines["IG"].Chain()[0]) {
		t.Errorf("pinned IG certs: %d", len(pinned))
	}

	// The signers really sign with the key of their leaf.
	digest := sha256.Sum256([]byte("boarding"))
	sig, err := p.Airlines["U2"].Sign(rand.Reader, digest[:], nil)
	if err != nil || !ecdsa.VerifyASN1(p.Airlines["U2"].Chain()[0].PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Fatalf("airline signature: %v", err)
	}

	// Gate reader: key agreement only, usable for ECDH against a wallet's ephemeral key.
	if p.GateReaderCert.KeyUsage != x509.KeyUsageKeyAgreement || certs.ProfileGateReader.Check(p.GateReaderCert) != nil {
		t.Errorf("gate reader ku = %v", p.GateReaderCert.KeyUsage)
	}
	if _, err := tl.Verify(certs.PurposeCredential, "x", []*x509.Certificate{p.GateReaderCert}, now); err == nil {
		t.Error("gate reader certificate verified as a signer")
	}
	eph, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ephECDH, _ := eph.ECDH()
	gateECDH, _ := p.GateReader.ECDH()
	pubFromCert, _ := p.GateReaderCert.PublicKey.(*ecdsa.PublicKey).ECDH()
	z1, err1 := ephECDH.ECDH(pubFromCert)
	z2, err2 := gateECDH.ECDH(ephECDH.PublicKey())
	if err1 != nil || err2 != nil || !bytes.Equal(z1, z2) {
		t.Fatalf("ECDH mismatch: %v %v", err1, err2)
	}

	// TLS leaves: ServerAuth for the hosts, under the root.
	tc, err := certs.LoadTLSCertificate(dir, certs.FileTLSVerifier)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.Root)
	for _, host := range []string{"localhost", "127.0.0.1"} {
		if _, err := tc.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("TLS cert for %s: %v", host, err)
		}
	}

	// Second run: loads, reports created=false, and leaves every file untouched.
	before, _ := os.ReadFile(filepath.Join(dir, "root.crt"))
	p2, created, err := certs.Init(dir, opts)
	if err != nil || created {
		t.Fatalf("re-Init: created=%v err=%v", created, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "root.crt"))
	if !bytes.Equal(before, after) || !p2.Root.Equal(p.Root) {
		t.Fatal("re-Init changed the root")
	}
	s, err := certs.LoadSigner(dir, certs.FileIssuerEmployee)
	if err != nil || !s.Chain()[0].Equal(p.EmployeeIssuer.Chain()[0]) {
		t.Fatalf("LoadSigner: %v", err)
	}
}

func TestInitRefuses(t *testing.T) {
	t.Run("partial PKI", func(t *testing.T) {
		dir := t.TempDir()
		if _, _, err := certs.Init(dir, certs.Options{}); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, "status-list.key"))
		before, _ := os.ReadFile(filepath.Join(dir, "root.key"))
		if _, _, err := certs.Init(dir, certs.Options{}); !errors.Is(err, certs.ErrPKI) {
			t.Fatalf("err = %v, want ErrPKI", err)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, "root.key")); !bytes.Equal(before, after) {
			t.Fatal("partial PKI was overwritten")
		}
	})
	for _, tc := range []struct {
		name string
		opts certs.Options
	}{
		{"bad airline", certs.Options{Airlines: []string{"IGX"}}},
		{"bad airline chars", certs.Options{Airlines: []string{"I-"}}},
		{"relative issuer URL", certs.Options{IssuerURL: "/issuer"}},
		{"ftp issuer URL", certs.Options{IssuerURL: "ftp://x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pki")
			if _, _, err := certs.Init(dir, tc.opts); !errors.Is(err, certs.ErrPKI) {
				t.Fatalf("err = %v, want ErrPKI", err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatal("rejected options still created the directory")
			}
		})
	}
}

func TestNewSigner(t *testing.T) {
	dir := t.TempDir()
	p, _, err := certs.Init(dir, certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := certs.NewSigner(other, p.StatusList.Chain()); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("mismatched key: %v", err)
	}
	if _, err := certs.NewSigner(other, nil); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("empty chain: %v", err)
	}
	// Chain() hands out a copy.
	c := p.StatusList.Chain()
	c[0] = nil
	if p.StatusList.Chain()[0] == nil {
		t.Fatal("Chain exposes internal slice")
	}
	// Corrupt files fail with typed errors.
	os.WriteFile(filepath.Join(dir, "bad.key"), []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bad.crt"), []byte("nope"), 0o600)
	if _, err := certs.LoadSigner(dir, "bad"); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := certs.LoadSigner(dir, "missing"); err == nil {
		t.Fatal("missing files loaded")
	}
}

func TestInitScopesIssuersToTheirVCT(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	pki, _, err := certs.Init(dir, certs.Options{EmployeeVCT: "urn:test:employee", LicenceVCT: "urn:test:mdl"})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := certs.LoadTrustList(filepath.Join(dir, certs.FileTrust))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tc := range []struct {
		vct    string
		signer certs.Signer
		ok     bool
	}{
		{"urn:test:employee", pki.EmployeeIssuer, true},
		{"urn:test:mdl", pki.MDLIssuer, true},
		{"urn:test:mdl", pki.EmployeeIssuer, false},
		{"urn:test:employee", pki.MDLIssuer, false},
		{"urn:test:other", pki.MDLIssuer, false},
	} {
		_, err := trust.Verify(certs.PurposeCredential, tc.vct, tc.signer.Chain(), now)
		if (err == nil) != tc.ok {
			t.Errorf("%s signed by %s: err %v, want ok=%v", tc.vct, tc.signer.Chain()[0].Subject.CommonName, err, tc.ok)
		}
	}
}

// TestLoadIssuerNeedsNoOtherKeys: an issuer's PKI folder without the gate readers', the
// verifier's and the airlines' private keys loads, and the loaded PKI holds none of them.
func TestLoadIssuerNeedsNoOtherKeys(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := certs.Init(dir, certs.Options{IssuerURL: "https://issuer.idgate.test", Airlines: []string{"IG"}, Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{certs.FileGateReader, certs.FileVerifierRP, certs.AirlineFile("IG"), certs.FileRoot} {
		if err := os.Remove(filepath.Join(dir, f+".key")); err != nil {
			t.Fatal(err)
		}
	}
	p, err := certs.LoadIssuer(dir)
	if err != nil {
		t.Fatalf("LoadIssuer without others' keys: %v", err)
	}
	if p.GateReader != nil || p.VerifierRP != nil || len(p.Airlines) != 0 {
		t.Fatalf("issuer PKI holds keys it does not need: reader %v, rp %v, airlines %v", p.GateReader != nil, p.VerifierRP != nil, p.Airlines)
	}
	if p.GateReaderCert == nil || p.EmployeeIssuer == nil || p.MDLDocumentSigner == nil || p.Trust == nil {
		t.Fatal("issuer PKI lacks what it needs")
	}
	if _, err := certs.Load(dir, nil); err == nil {
		t.Fatal("Load (every key) succeeded without the gate reader key")
	}
}
