package pgstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

// caEnv is set by scripts/with-postgres.sh: the PEM of the throw-away CA that signed the test
// cluster's server certificate (for 127.0.0.1, ::1 and localhost).
const caEnv = "IDGATE_TEST_POSTGRES_CA"

// tlsPassword goes into every DSN below; the cluster trusts local connections and never asks
// for it, so it can only show up in an error if the store leaked it.
const tlsPassword = "s3cret-tls-pw"

// Production DSNs must use sslmode=verify-full with sslrootcert: the server's certificate must
// chain to that CA and name the host. The store then works over TLS; a server whose
// certificate chains to another CA (even one with the same name) is refused at Open, with an
// *Error that carries neither the password nor a partial store. sslmode=require is also shown
// to work, but it only encrypts: it accepts any certificate, so an active attacker can sit in
// the middle. It is here to pin that behaviour, not as a recommendation.
func TestTLS(t *testing.T) {
	ca := os.Getenv(caEnv)
	if ca == "" {
		t.Skipf("%s not set: run under scripts/with-postgres.sh to test PostgreSQL over TLS", caEnv)
	}
	caCert := readCert(t, ca)
	impostor := impostorCA(t, caCert)
	missing := filepath.Join(t.TempDir(), "no-such-ca.pem")

	type want int
	const (
		plain      want = iota // works, not encrypted
		encrypted              // works over TLS, certificate not verified by the client
		verifiedCA             // works over TLS, chain verified up to the test CA
		verified               // ... and the host name checked (verify-full)
		refused                // Open fails: the certificate does not chain to sslrootcert
		badDSN                 // Open fails before connecting: sslrootcert unreadable
	)
	for _, tc := range []struct {
		name, host, mode, root string
		want                   want
	}{
		{"verify-full trusted CA 127.0.0.1", "127.0.0.1", "verify-full", ca, verified},
		{"verify-full trusted CA localhost", "localhost", "verify-full", ca, verified},
		{"verify-ca trusted CA", "127.0.0.1", "verify-ca", ca, verifiedCA},
		{"require without root cert encrypts only (production: verify-full)", "127.0.0.1", "require", "", encrypted},
		{"disable stays plain", "127.0.0.1", "disable", "", plain},
		{"verify-full untrusted CA of the same name", "127.0.0.1", "verify-full", impostor, refused},
		{"verify-full untrusted CA via localhost", "localhost", "verify-full", impostor, refused},
		{"verify-full system roots only", "127.0.0.1", "verify-full", "", refused},
		{"require with untrusted root cert verifies like verify-ca", "127.0.0.1", "require", impostor, refused},
		{"verify-full missing root cert file", "127.0.0.1", "verify-full", missing, badDSN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := withTLS(t, freshSchema(t), tc.host, tc.mode, tc.root)
			if r := Redact(dsn); strings.Contains(r, tlsPassword) {
				t.Fatalf("Redact leaks the password: %s", r)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := Open(ctx, Config{DSN: dsn, MaxConns: 2})
			if tc.want >= refused {
				checkRefused(t, s, err, tc.want == badDSN)
				return
			}
			if err != nil {
				t.Fatalf("Open(%s): %v", Redact(dsn), err)
			}
			defer s.Close()
			useStore(ctx, t, s)
			checkConn(ctx, t, s, tc.want != plain, tc.want >= verified, caCert)
		})
	}
}

// checkRefused: Open failed closed, with an *Error from Open that names neither the password
// nor (for a refused certificate) anything but an unknown authority.
func checkRefused(t *testing.T, s *Store, err error, badDSN bool) {
	t.Helper()
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if s != nil {
		t.Fatalf("Open returned a store with its error %v", err)
	}
	t.Logf("refused: %v", err)
	var pe *Error
	if !errors.As(err, &pe) || pe.Op != "Open" {
		t.Fatalf("error %v (%T); want *Error from Open", err, err)
	}
	if strings.Contains(err.Error(), tlsPassword) {
		t.Fatalf("error leaks the password: %v", err)
	}
	if badDSN {
		if !errors.Is(err, ErrInvalidDSN) {
			t.Fatalf("error %v; want ErrInvalidDSN", err)
		}
		return
	}
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("error %v; want an x509.UnknownAuthorityError inside", err)
	}
}

// useStore runs real operations: a gate round trip and single use.
func useStore(ctx context.Context, t *testing.T, s *Store) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := gate.GateConfig{Gate: "T1", Flight: gate.Flight{Carrier: "IG", Number: "0101", Date: "2026-11-27"},
		Boarding: true, Departure: now.Add(time.Hour), UpdatedAt: now}
	if err := s.PutGate(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Gate(ctx, "T1"); err != nil || got != g {
		t.Fatalf("Gate = %+v, %v; want %+v", got, err, g)
	}
	if err := s.MarkBoarded(ctx, flight, "p", now, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkBoarded(ctx, flight, "p", now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("second MarkBoarded: %v; want ErrAlreadyBoarded", err)
	}
}

// checkConn asks both ends: the server whether this session is SSL, the client whether Go's
// TLS stack verified the chain (verify-full only; verify-ca checks it in a callback that leaves
// no verified chain) and that it ends at the test CA.
func checkConn(ctx context.Context, t *testing.T, s *Store, wantSSL, wantVerified bool, ca *x509.Certificate) {
	t.Helper()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	var ssl bool
	if err := c.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil {
		t.Fatal(err)
	}
	if ssl != wantSSL {
		t.Fatalf("pg_stat_ssl.ssl = %v; want %v", ssl, wantSSL)
	}
	tc, isTLS := c.Conn().PgConn().Conn().(*tls.Conn)
	if isTLS != wantSSL {
		t.Fatalf("client connection is TLS: %v; want %v", isTLS, wantSSL)
	}
	if !isTLS {
		return
	}
	st := tc.ConnectionState()
	if st.Version < tls.VersionTLS12 {
		t.Fatalf("TLS version %#x", st.Version)
	}
	chains := st.VerifiedChains
	if !wantVerified {
		return
	}
	if len(chains) == 0 || !chains[0][len(chains[0])-1].Equal(ca) {
		t.Fatalf("verified chains %d; want one ending at the test CA", len(chains))
	}
}

// withTLS returns dsn with its host, password and TLS parameters set (sslrootcert dropped
// when root is empty).
func withTLS(t *testing.T, dsn, host, mode, root string) string {
	t.Helper()
	if !IsURL(dsn) { // key=value: a later key overrides an earlier one
		dsn += " host=" + host + " password=" + tlsPassword + " sslmode=" + mode
		if root != "" {
			dsn += " sslrootcert='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(root) + "'"
		}
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if p := u.Port(); p != "" {
		u.Host = host + ":" + p
	} else {
		u.Host = host
	}
	u.User = url.UserPassword(u.User.Username(), tlsPassword)
	q := u.Query()
	q.Set("sslmode", mode)
	q.Del("sslrootcert")
	if root != "" {
		q.Set("sslrootcert", root)
	}
	q.Set("connect_timeout", "10")
	u.RawQuery = q.Encode()
	return u.String()
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := pem.Decode(b)
	if p == nil || p.Type != "CERTIFICATE" {
		t.Fatalf("%s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(p.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// impostorCA writes a self-signed CA with the trusted CA's subject but its own key into a temp
// file: a certificate must chain by signature, not by name.
func impostorCA(t *testing.T, like *x509.Certificate) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               like.Subject,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "impostor-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
