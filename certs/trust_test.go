package certs_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

func TestTrustListVerify(t *testing.T) {
	ca := certstest.NewCA(t)
	other := certstest.NewCA(t)
	inter := ca.Intermediate(t, "idgate Test Intermediate")
	expiredInter := ca.Intermediate(t, "expired intermediate", certstest.Expired())
	now := time.Now()
	const cn = "idgate Employee ID Issuer"

	trust := certs.NewTrustList(
		ca.Anchor(certs.PurposeCredential, "EmployeeID", cn),
		ca.Anchor(certs.PurposeStatusList, certs.ScopeAny),
		ca.Anchor(certs.PurposeBoardingPass, "IG"),
	)
	good := ca.Issue(t, cn, certstest.WithURI("https://issuer.example"))
	tests := []struct {
		name    string
		p       certs.Purpose
		scope   string
		chain   []*x509.Certificate
		at      time.Time
		wantErr error
	}{
		{"valid", certs.PurposeCredential, "EmployeeID", good.Chain(), now, nil},
		{"valid via intermediate", certs.PurposeCredential, "EmployeeID", inter.Issue(t, cn).Chain(), now, nil},
		{"any scope", certs.PurposeStatusList, "whatever", ca.Issue(t, "sl").Chain(), now, nil},
		{"expired leaf", certs.PurposeCredential, "EmployeeID", ca.Issue(t, cn, certstest.Expired()).Chain(), now, certs.ErrNotValidAtTime},
		{"not yet valid leaf", certs.PurposeCredential, "EmployeeID", ca.Issue(t, cn, certstest.NotYetValid()).Chain(), now, certs.ErrNotValidAtTime},
		{"valid cert, time before issuance", certs.PurposeCredential, "EmployeeID", good.Chain(), now.Add(-48 * time.Hour), certs.ErrNotValidAtTime},
		{"expired intermediate", certs.PurposeCredential, "EmployeeID", expiredInter.Issue(t, cn, certstest.WithValidity(now.Add(-72*time.Hour), now.Add(time.Hour))).Chain(), now, certs.ErrNotValidAtTime},
		{"missing intermediate", certs.PurposeCredential, "EmployeeID", inter.Issue(t, cn).Chain()[:1], now, certs.ErrUntrusted},
		{"unknown root", certs.PurposeCredential, "EmployeeID", other.Issue(t, cn).Chain(), now, certs.ErrUntrusted},
		{"wrong scope", certs.PurposeCredential, "mDL", good.Chain(), now, certs.ErrUntrusted},
		{"wrong airline", certs.PurposeBoardingPass, "BA", ca.Issue(t, "x").Chain(), now, certs.ErrUntrusted},
		{"name not allowed", certs.PurposeCredential, "EmployeeID", ca.Issue(t, "Mallory").Chain(), now, certs.ErrNameNotAllowed},
		{"key agreement only", certs.PurposeCredential, "EmployeeID", ca.Issue(t, cn, certstest.WithKeyUsage(x509.KeyUsageKeyAgreement)).Chain(), now, certs.ErrKeyUsage},
		{"empty chain", certs.PurposeCredential, "EmployeeID", nil, now, certs.ErrMalformed},
		{"nil cert", certs.PurposeCredential, "EmployeeID", []*x509.Certificate{nil}, now, certs.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Twice: the second call may come from the cache and must agree.
			for range 2 {
				leaf, err := trust.Verify(tc.p, tc.scope, tc.chain, tc.at)
				if tc.wantErr == nil {
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					if !leaf.Equal(tc.chain[0]) {
						t.Fatal("returned leaf is not chain[0]")
					}
					continue
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				var ce *certs.Error
				if !errors.As(err, &ce) || ce.Code == "" {
					t.Fatalf("err %v has no code", err)
				}
			}
		})
	}
}

func TestTrustListCacheRechecksTimeAndPurpose(t *testing.T) {
	ca := certstest.NewCA(t)
	now := time.Now()
	s := ca.Issue(t, "signer", certstest.WithValidity(now.Add(-time.Hour), now.Add(time.Hour)))
	trust := certs.NewTrustList(ca.Anchor(certs.PurposeCredential, certs.ScopeAny))
	if _, err := trust.Verify(certs.PurposeCredential, "vct", s.Chain(), now); err != nil {
		t.Fatal(err)
	}
	if _, err := trust.Verify(certs.PurposeCredential, "vct", s.Chain(), now.Add(2*time.Hour)); !errors.Is(err, certs.ErrNotValidAtTime) {
		t.Fatalf("cached chain after expiry: err = %v", err)
	}
	if _, err := trust.Verify(certs.PurposeStatusList, "*", s.Chain(), now); !errors.Is(err, certs.ErrUntrusted) {
		t.Fatalf("cached chain under another purpose: err = %v", err)
	}
	x5c := certs.EncodeX5C(s.Chain())
	if leaf, err := trust.VerifyX5C(certs.PurposeCredential, "vct", x5c, now); err != nil || !leaf.Equal(s.Chain()[0]) {
		t.Fatalf("VerifyX5C: %v", err)
	}
	if _, err := trust.VerifyX5C(certs.PurposeCredential, "vct", []string{"AAAA"}, now); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("VerifyX5C garbage: %v", err)
	}
	ders := [][]byte{s.Chain()[0].Raw}
	if leaf, err := trust.VerifyDER(certs.PurposeCredential, "vct", ders, now); err != nil || !leaf.Equal(s.Chain()[0]) {
		t.Fatalf("VerifyDER: %v", err)
	}
	if _, err := trust.VerifyDER(certs.PurposeStatusList, "*", ders, now); !errors.Is(err, certs.ErrUntrusted) {
		t.Fatalf("VerifyDER under another purpose: err = %v", err)
	}
	if _, err := trust.VerifyDER(certs.PurposeCredential, "vct", [][]byte{{0x30, 0x00}}, now); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("VerifyDER garbage: %v", err)
	}
	if _, err := trust.VerifyDER(certs.PurposeCredential, "vct", nil, now); !errors.Is(err, certs.ErrMalformed) {
		t.Fatalf("VerifyDER empty: %v", err)
	}
}

func TestTrustListSpecChainUntrusted(t *testing.T) {
	chain, err := certs.ParseX5C(rfc7515X5C(t))
	if err != nil {
		t.Fatal(err)
	}
	// Trusting its own root still fails: the chain is SHA-1 signed and long expired.
	trust := certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeCredential, Scope: "*", Roots: chain[2:]})
	if _, err := trust.Verify(certs.PurposeCredential, "x", chain, time.Now()); err == nil {
		t.Fatal("RFC 7515 example chain verified")
	}
	at := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := trust.Verify(certs.PurposeCredential, "x", chain, at); !errors.Is(err, certs.ErrUntrusted) {
		t.Fatalf("SHA-1 chain at 2010: err = %v, want ErrUntrusted", err)
	}
}

func TestTrustListCertificates(t *testing.T) {
	ca := certstest.NewCA(t)
	other := certstest.NewCA(t)
	now := time.Now()
	ig := ca.Issue(t, "idgate Airline IG").Chain()[0]
	expired := ca.Issue(t, "idgate Airline IG", certstest.Expired()).Chain()[0]
	foreign := other.Issue(t, "idgate Airline IG").Chain()[0]
	wrongName := ca.Issue(t, "idgate Airline XX").Chain()[0]
	noSign := ca.Issue(t, "idgate Airline IG", certstest.WithKeyUsage(x509.KeyUsageKeyAgreement)).Chain()[0]
	a := ca.Anchor(certs.PurposeBoardingPass, "IG", "idgate Airline IG")
	a.Certs = []*x509.Certificate{ig, expired, foreign, wrongName, noSign, ig}
	trust := certs.NewTrustList(a)

	got := trust.Certificates(certs.PurposeBoardingPass, "IG", now)
	if len(got) != 1 || !got[0].Equal(ig) {
		t.Fatalf("Certificates = %d certs, want only the valid IG cert", len(got))
	}
	if got := trust.Certificates(certs.PurposeBoardingPass, "BA", now); len(got) != 0 {
		t.Fatalf("BA: %d certs", len(got))
	}
	if got := trust.Certificates(certs.PurposeBoardingPass, "IG", now.Add(2*365*24*time.Hour)); len(got) != 0 {
		t.Fatalf("after expiry: %d certs", len(got))
	}
}

func BenchmarkVerify(b *testing.B) {
	ca := certstest.NewCA(b)
	s := ca.Intermediate(b, "int").Issue(b, "idgate Employee ID Issuer")
	chain := s.Chain()
	x5c := certs.EncodeX5C(chain)
	now := time.Now()
	anchor := ca.Anchor(certs.PurposeCredential, certs.ScopeAny)
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// A fresh trust list has an empty cache: full crypto/x509 verification.
			if _, err := certs.NewTrustList(anchor).Verify(certs.PurposeCredential, "vct", chain, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		trust := certs.NewTrustList(anchor)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := trust.Verify(certs.PurposeCredential, "vct", chain, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached-x5c", func(b *testing.B) {
		trust := certs.NewTrustList(anchor)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := trust.VerifyX5C(certs.PurposeCredential, "vct", x5c, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+cached", func(b *testing.B) {
		trust := certs.NewTrustList(anchor)
		b.ReportAllocs()
		for b.Loop() {
			c, err := certs.ParseX5C(x5c)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := trust.Verify(certs.PurposeCredential, "vct", c, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestTrustListConcurrent(t *testing.T) {
	ca := certstest.NewCA(t)
	trust := certs.NewTrustList(ca.Anchor(certs.PurposeCredential, certs.ScopeAny, "ok"))
	good, bad := ca.Issue(t, "ok").Chain(), ca.Issue(t, "bad").Chain()
	now := time.Now()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			var err error
			for range 50 {
				if i%2 == 0 {
					_, err = trust.Verify(certs.PurposeCredential, "v", good, now)
				} else if _, e := trust.Verify(certs.PurposeCredential, "v", bad, now); !errors.Is(e, certs.ErrNameNotAllowed) {
					err = fmt.Errorf("disallowed name: err = %v", e)
				}
				if err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
