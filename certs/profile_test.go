package certs_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

// TestSignerProfilesPerPurpose: a certificate under the trusted root with the allowed name is a
// signer for a purpose only when it carries that purpose's profile: a TLS server certificate,
// one without EKU, one with anyExtendedKeyUsage, another role's, and one whose key usage is
// wrong are refused with a typed error, through Verify (x5c chains) and Certificates (pinned).
func TestSignerProfilesPerPurpose(t *testing.T) {
	now := time.Now()
	ca := certstest.NewCA(t)
	const cn = "idgate Signer"
	for _, pc := range []struct {
		purpose certs.Purpose
		prof    certs.Profile
		other   certs.Profile
	}{
		{certs.PurposeCredential, certs.ProfileCredentialSigner, certs.ProfileStatusListSigner},
		{certs.PurposeStatusList, certs.ProfileStatusListSigner, certs.ProfileBoardingPassSigner},
		{certs.PurposeBoardingPass, certs.ProfileBoardingPassSigner, certs.ProfileCredentialSigner},
	} {
		for _, tc := range []struct {
			name string
			opts []certstest.Option
			want error
		}{
			{"its profile", []certstest.Option{certstest.WithProfile(pc.prof)}, nil},
			{"serverAuth only", []certstest.Option{certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth)}, certs.ErrExtKeyUsage},
			{"no EKU", []certstest.Option{certstest.WithExtKeyUsage()}, certs.ErrExtKeyUsage},
			{"anyExtendedKeyUsage", []certstest.Option{certstest.WithExtKeyUsage(x509.ExtKeyUsageAny)}, certs.ErrExtKeyUsage},
			{"another role", []certstest.Option{certstest.WithProfile(pc.other)}, certs.ErrExtKeyUsage},
			{"gate reader", []certstest.Option{certstest.WithProfile(certs.ProfileGateReader)}, certs.ErrKeyUsage},
			{"without digitalSignature", []certstest.Option{certstest.WithProfile(pc.prof), certstest.WithKeyUsage(x509.KeyUsageContentCommitment)}, certs.ErrKeyUsage},
			{"also keyCertSign", []certstest.Option{certstest.WithProfile(pc.prof), certstest.WithKeyUsage(x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign)}, certs.ErrKeyUsage},
		} {
			t.Run(string(pc.purpose)+"/"+tc.name, func(t *testing.T) {
				s := ca.Issue(t, cn, tc.opts...)
				a := ca.Anchor(pc.purpose, "*", cn)
				a.Certs = s.Chain()[:1]
				tl := certs.NewTrustList(a)
				_, err := tl.Verify(pc.purpose, "x", s.Chain(), now)
				if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
					t.Fatalf("Verify: %v, want %v", err, tc.want)
				}
				if pinned := tl.Certificates(pc.purpose, "x", now); (len(pinned) == 1) != (tc.want == nil) {
					t.Fatalf("Certificates: %d pinned, want ok=%v", len(pinned), tc.want == nil)
				}
			})
		}
	}
}

func TestProfileCheckGateReader(t *testing.T) {
	ca := certstest.NewCA(t)
	for _, tc := range []struct {
		name string
		opts []certstest.Option
		want error
	}{
		{"its profile", []certstest.Option{certstest.WithProfile(certs.ProfileGateReader)}, nil},
		{"signer", []certstest.Option{certstest.WithProfile(certs.ProfileCredentialSigner)}, certs.ErrKeyUsage},
		{"key agreement without EKU", []certstest.Option{certstest.WithKeyUsage(x509.KeyUsageKeyAgreement), certstest.WithExtKeyUsage()}, certs.ErrExtKeyUsage},
		{"key agreement and signature", []certstest.Option{certstest.WithProfile(certs.ProfileGateReader), certstest.WithKeyUsage(x509.KeyUsageKeyAgreement | x509.KeyUsageDigitalSignature)}, certs.ErrKeyUsage},
	} {
		err := certs.ProfileGateReader.Check(ca.Issue(t, certs.CNGateReader, tc.opts...).Chain()[0])
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestLoadRefusesPKIWithoutProfiles: a PKI directory whose certificates predate the profiles
// (no EKU) fails to load, naming the file and what to do, instead of failing at the first
// verification.
func TestLoadRefusesPKIWithoutProfiles(t *testing.T) {
	for _, file := range []string{certs.FileIssuerEmployee, certs.FileStatusList, certs.AirlineFile("IG"), certs.FileGateReader} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := certs.Init(dir, certs.Options{}); err != nil {
				t.Fatal(err)
			}
			root, err := certs.LoadSigner(dir, certs.FileRoot)
			if err != nil {
				t.Fatal(err)
			}
			old, err := certs.LoadSigner(dir, file)
			if err != nil && file != certs.FileGateReader {
				t.Fatal(err)
			}
			var leaf *x509.Certificate
			if old != nil {
				leaf = old.Chain()[0]
			} else {
				_, leaf, _ = certs.LoadGateReader(dir)
			}
			// Reissue the same key and name the way an older Init did: key usage, no EKU.
			tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: leaf.Subject.CommonName}, NotBefore: leaf.NotBefore,
				NotAfter: leaf.NotAfter, KeyUsage: leaf.KeyUsage, URIs: leaf.URIs, BasicConstraintsValid: true}
			c, err := certs.CreateCertificate(tmpl, root.Chain()[0], leaf.PublicKey, root)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, file+".crt"), certs.EncodeCertsPEM([]*x509.Certificate{c}), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err = certs.Init(dir, certs.Options{})
			if !errors.Is(err, certs.ErrPKI) || !strings.Contains(err.Error(), "extended key usage") || !strings.Contains(err.Error(), "idgate certs init") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
