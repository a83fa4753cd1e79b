package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
)

// TestDemo runs `idgate demo --boarding=false` end to end: PKI, issuer and verifier over real
// HTTP on 127.0.0.1, wallet issuance of both credential types, a selective presentation over
// OpenID4VP that is accepted, a replay and a revoked credential that are rejected.
func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"demo", "--dir", t.TempDir(), "--boarding=false"}, &out, &errb); code != 0 {
		t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"over OpenID4VP", `discloses ["age_over_19"] ["photo_ref"]`, `"status":"verified"`,
		"ACCEPTED", "nonce_replayed", "revoked", "attested the device key", "Demo finished"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoBoarding is the demo as `make run` runs it, with the gate: portrait enrolment from
// the built-in photos, the rental desk reading age_over_19 from the mdoc licence over
// OpenID4VP, an impostor denied, the passenger boarding, a second use denied, the passenger
// boarding the next flight with the mdoc licence and its replay denied. It needs the face
// models.
func TestDemoBoarding(t *testing.T) {
	models := os.Getenv("IDGATE_MODELS")
	if models == "" {
		t.Skip("IDGATE_MODELS not set (make test sets it)")
	}
	var out, errb bytes.Buffer
	if code := dispatch([]string{"demo", "--dir", t.TempDir(), "--models", models}, &out, &errb); code != 0 {
		t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{`discloses ["org.iso.18013.5.1","age_over_19"]`, `"claims":{"org.iso.18013.5.1":{"age_over_19":true}}`,
		"face_mismatch", "ALLOW", "already_boarded", "boards with the mdoc licence (live photo", "→ DENY [nonce_invalid]", "revoked"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "demo") {
		t.Fatalf("--help: %d %q", code, out.String())
	}
	if code := dispatch([]string{"nope"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
	for _, c := range [][]string{
		{"issuer"}, {"issuer", "serve"}, {"verifier"}, {"verifier", "serve"}, {"demo"}, {"certs", "init"},
		{"wallet"}, {"wallet", "init"}, {"wallet", "accept-offer"}, {"wallet", "list"}, {"wallet", "present"},
		{"airline", "issue-pass"}, {"face", "template"}, {"face", "compare"}, {"face", "calibrate"},
		{"models", "build"},
	} {
		out.Reset()
		errb.Reset()
		code := dispatch(append(c, "--help"), &out, &errb)
		if code != 0 {
			t.Errorf("%s --help exited %d: %s", c, code, errb.String())
		}
	}
}

// TestCertsInitThenIssuePass runs two commands the way an operator would: a PKI, then a
// signed boarding pass that verifies against the PKI's trust list.
func TestCertsInitThenIssuePass(t *testing.T) {
	dir := t.TempDir() + "/pki"
	var out, errb bytes.Buffer
	if code := dispatch([]string{"certs", "init", "--dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("certs init: %d %s", code, errb.String())
	}
	out.Reset()
	args := []string{"airline", "issue-pass", "--pki", dir, "--airline", "IG", "--name", "DOE/JANE", "--pnr", "ABC123",
		"--from", "LHR", "--to", "JFK", "--flight", "101", "--date", "2026-12-01", "--seat", "12A", "--seq", "42"}
	if code := dispatch(args, &out, &errb); code != 0 {
		t.Fatalf("issue-pass: %d %s", code, errb.String())
	}
	trust, err := certs.LoadTrustList(dir + "/trust.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := boardingpass.Verify(strings.TrimSpace(out.String()), trust, time.Now())
	if err != nil || p.Surname() != "DOE" {
		t.Fatalf("pass %q: %v", out.String(), err)
	}
	if code := dispatch(append(args[:len(args)-2], "--seq", "forty-two"), &out, &errb); code != 2 {
		t.Fatalf("bad --seq exited %d, want 2", code)
	}
}

func TestLoopbackListen(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8082", true}, {"127.0.0.2:1", true}, {"[::1]:8082", true}, {"localhost:8082", true},
		{":8082", false}, {"0.0.0.0:8082", false}, {"[::]:8082", false}, {"10.0.0.5:8082", false},
		{"example.com:8082", false}, {"127.0.0.1", false}, {"", false},
	} {
		if got := loopbackListen(tc.addr); got != tc.want {
			t.Errorf("loopbackListen(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

// TestVerifierRefusesOpenRPAPIOffLoopback: without IDGATE_RP_TOKEN_SHA256 the verifier will not
// serve the relying-party API on a non-loopback address unless --rp-open says so (it fails
// before listening, so the test binds nothing).
func TestVerifierRefusesOpenRPAPIOffLoopback(t *testing.T) {
	t.Setenv("IDGATE_RP_TOKEN_SHA256", "")
	t.Setenv("IDGATE_RP_OPEN", "")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"certs", "init", "--dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("certs init: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	code := dispatch([]string{"verifier", "serve", "--trust", filepath.Join(dir, certs.FileTrust), "--listen", "0.0.0.0:0"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "IDGATE_RP_TOKEN_SHA256 is not set") {
		t.Fatalf("exit %d, stderr %q; want 1 and the reason", code, stderr.String())
	}
}

// TestIssuerRejectsBadRateLimits: a malformed or negative rate limit stops `issuer serve`
// with usage status 2 before anything listens.
func TestIssuerRejectsBadRateLimits(t *testing.T) {
	for _, tc := range []struct {
		env, val string
		args     []string
	}{
		{"IDGATE_ISSUER_RATE_PER_IP", "ten", nil},
		{"IDGATE_ISSUER_RATE_BURST", "1.5", nil},
		{"", "", []string{"--rate-per-ip", "-1"}},
		{"", "", []string{"--rate-burst", "0"}},
	} {
		if tc.env != "" {
			t.Setenv(tc.env, tc.val)
		}
		var stdout, stderr bytes.Buffer
		args := append([]string{"issuer", "serve", "--listen", "127.0.0.1:0"}, tc.args...)
		if code := dispatch(args, &stdout, &stderr); code != 2 {
			t.Errorf("%s=%q %v: exit %d, want 2 (stderr %q)", tc.env, tc.val, tc.args, code, stderr.String())
		}
		if tc.env != "" {
			os.Unsetenv(tc.env)
		}
	}
}

// TestVerifierRejectsBadRateLimits: a malformed or out-of-range relying-party limit stops
// `verifier serve` with usage status 2 before the trust list is read.
func TestVerifierRejectsBadRateLimits(t *testing.T) {
	for _, tc := range []struct {
		env, val string
		args     []string
	}{
		{"IDGATE_VERIFIER_RATE_PER_IP", "ten", nil},
		{"IDGATE_VERIFIER_RATE_BURST", "1.5", nil},
		{"IDGATE_VERIFIER_OPEN_REQUESTS_PER_CLIENT", "many", nil},
		{"", "", []string{"--rate-per-ip", "-1"}},
		{"", "", []string{"--rate-burst", "0"}},
		{"", "", []string{"--open-requests-per-client", "0"}},
		{"", "", []string{"--trusted-proxies", "proxy.example"}},
	} {
		if tc.env != "" {
			t.Setenv(tc.env, tc.val)
		}
		var stdout, stderr bytes.Buffer
		args := append([]string{"verifier", "serve", "--trust", filepath.Join(t.TempDir(), "none.json"), "--listen", "127.0.0.1:0"}, tc.args...)
		if code := dispatch(args, &stdout, &stderr); code != 2 {
			t.Errorf("%s=%q %v: exit %d, want 2 (stderr %q)", tc.env, tc.val, tc.args, code, stderr.String())
		}
		if tc.env != "" {
			os.Unsetenv(tc.env)
		}
	}
}

// TestIssuerBehindTLSProxyNeedsTrustedProxies: with an https public URL the plain-HTTP issuer
// sits behind a TLS proxy, and a limit keyed by the TCP peer would be one bucket for everyone:
// without --trusted-proxies it refuses to start (usage, 2) unless the limit is turned off
// explicitly. Past that check the run stops at the missing PKI (2, a bad --pki), which is all
// this needs.
// A malformed --trusted-proxies is a usage error.
func TestIssuerBehindTLSProxyNeedsTrustedProxies(t *testing.T) {
	pki := filepath.Join(t.TempDir(), "no-pki")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "name it with --trusted-proxies"},
		{[]string{"--trusted-proxies", "10.0.0.0/8"}, 2, "load PKI"},
		{[]string{"--rate-per-ip", "0"}, 2, "rate limiting off (--rate-per-ip 0)"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"issuer", "serve", "--pki", pki, "--public-url", "https://issuer.example"}, tc.args...)
		if code := dispatch(args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Fatalf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"issuer", "serve", "--trusted-proxies", "proxy.example"}, &stdout, &stderr); code != 2 {
		t.Fatalf("malformed --trusted-proxies: exit %d, want 2", code)
	}
}
