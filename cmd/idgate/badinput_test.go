package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputExits2: every command given a bad flag, argument, environment value or named
// file says what is wrong in a line or two and exits 2; no panic, no flag list, nothing started.
func TestBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	pki := filepath.Join(dir, "pki")
	var out, errb bytes.Buffer
	if code := dispatch([]string{"certs", "init", "--dir", pki}, &out, &errb); code != 0 {
		t.Fatalf("certs init: %d %s", code, errb.String())
	}
	trust := filepath.Join(pki, "trust.json")
	junk := filepath.Join(dir, "junk.txt")
	if err := os.WriteFile(junk, []byte("not what was expected"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	verifier := []string{"verifier", "serve", "--trust", trust, "--listen", "127.0.0.1:0"}
	gates := append(append([]string(nil), verifier...), "--gates", pki)
	pass := []string{"airline", "issue-pass", "--pki", pki, "--name", "DOE/JANE", "--pnr", "ABC123", "--from", "LHR",
		"--to", "JFK", "--flight", "0101", "--date", "2026-12-01", "--seat", "12A", "--seq", "42"}

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // in stderr
	}{
		{"no command args: certs", []string{"certs"}, nil, "usage"},
		{"certs unknown", []string{"certs", "frob"}, nil, "unknown subcommand"},
		{"certs stray arg", []string{"certs", "init", "--dir", pki, "extra"}, nil, "unexpected argument"},
		{"certs bad airline", []string{"certs", "init", "--dir", filepath.Join(dir, "p2"), "--airline", "1"}, nil, "airline designator"},
		{"certs bad issuer url", []string{"certs", "init", "--dir", filepath.Join(dir, "p3"), "--issuer-url", "ftp://x"}, nil, "issuer URL"},
		{"certs dir is a file", []string{"certs", "init", "--dir", junk}, nil, "not a directory"},
		{"issuer no serve", []string{"issuer"}, nil, "usage"},
		{"issuer bad flag", []string{"issuer", "serve", "--nope"}, nil, "flag provided but not defined"},
		{"issuer stray arg", []string{"issuer", "serve", "now"}, nil, "unexpected argument"},
		{"issuer bad listen", []string{"issuer", "serve", "--listen", "bogus"}, nil, "--listen"},
		{"issuer missing pki", []string{"issuer", "serve", "--pki", missing, "--listen", "127.0.0.1:0"}, nil, "certs init"},
		{"issuer bad rate env", []string{"issuer", "serve"}, map[string]string{"IDGATE_ISSUER_RATE_PER_IP": "ten"}, "IDGATE_ISSUER_RATE_PER_IP"},
		{"issuer bad burst env", []string{"issuer", "serve"}, map[string]string{"IDGATE_ISSUER_RATE_BURST": "lots"}, "IDGATE_ISSUER_RATE_BURST"},
		{"issuer repeat window past the token", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0", "--models", "", "--portrait-key-file", filepath.Join(dir, "portrait.key"), "--token-repeat-window", "10m"}, nil, "token repeat window"},
		{"issuer zero repeat window", []string{"issuer", "serve", "--token-repeat-window", "0s"}, nil, "token-repeat-window"},
		{"issuer grace too short", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0", "--models", "", "--portrait-key-file", filepath.Join(dir, "portrait.key"), "--undelivered-grace", "5s"}, nil, "undelivered grace"},
		{"issuer bad grace env", []string{"issuer", "serve"}, map[string]string{"IDGATE_ISSUER_UNDELIVERED_GRACE": "soon"}, "IDGATE_ISSUER_UNDELIVERED_GRACE"},
		{"issuer key attestation unknown configuration", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0",
			"--require-key-attestation", "passport"}, nil, "unknown credential configuration"},
		{"issuer key storage level", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0",
			"--require-key-attestation", "mdl", "--key-storage", "strong"}, nil, "--key-storage"},
		{"issuer key storage without requirement", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0"},
			map[string]string{"IDGATE_ISSUER_KEY_STORAGE": "high"}, "need --require-key-attestation"},
		{"issuer wallet providers missing", []string{"issuer", "serve", "--pki", pki, "--db", "memory", "--listen", "127.0.0.1:0",
			"--require-key-attestation", "mdl", "--wallet-providers", missing}, nil, "--wallet-providers"},
		{"verifier no serve", []string{"verifier", "run"}, nil, "usage"},
		{"verifier missing trust", []string{"verifier", "serve", "--trust", missing, "--listen", "127.0.0.1:0"}, nil, "trust list"},
		{"verifier junk trust", []string{"verifier", "serve", "--trust", junk, "--listen", "127.0.0.1:0"}, nil, "trust list"},
		{"verifier bad listen", []string{"verifier", "serve", "--trust", trust, "--listen", "bogus"}, nil, "--listen"},
		{"verifier zero ttl flag", append(verifier, "--status-max-ttl", "0"), nil, "status-max-ttl"},
		{"verifier bad ttl env", verifier, map[string]string{"IDGATE_STATUS_MAX_TTL": "soon"}, "IDGATE_STATUS_MAX_TTL"},
		{"verifier negative ttl env", verifier, map[string]string{"IDGATE_STATUS_MAX_TTL": "-5m"}, "IDGATE_STATUS_MAX_TTL"},
		{"verifier bad allow-http env", verifier, map[string]string{"IDGATE_STATUS_ALLOW_HTTP": "yes"}, "IDGATE_STATUS_ALLOW_HTTP"},
		{"verifier bad rp-open env", verifier, map[string]string{"IDGATE_RP_OPEN": "maybe"}, "IDGATE_RP_OPEN"},
		{"verifier bad rp token", verifier, map[string]string{"IDGATE_RP_TOKEN_SHA256": "abc"}, "IDGATE_RP_TOKEN_SHA256"},
		{"gate missing pki", append(append([]string(nil), verifier...), "--gates", missing), nil, "--gates"},
		{"gate bad retention", gates, map[string]string{"IDGATE_GATE_RETENTION": "forever"}, "IDGATE_GATE_RETENTION"},
		{"gate zero retention", gates, map[string]string{"IDGATE_GATE_RETENTION": "0s"}, "IDGATE_GATE_RETENTION"},
		{"gate bad threshold", gates, map[string]string{"IDGATE_GATE_THRESHOLD": "NaN"}, "IDGATE_GATE_THRESHOLD"},
		{"gate bad partners", gates, map[string]string{"IDGATE_GATE_PASS_PARTNERS": "IG"}, "IDGATE_GATE_PASS_PARTNERS"},
		{"gate bad token", gates, map[string]string{"IDGATE_GATE_TERMINAL_TOKEN_SHA256": "zz"}, "IDGATE_GATE_TERMINAL_TOKEN_SHA256"},
		{"gate db not a url", gates, map[string]string{"IDGATE_GATE_DB": "host=db user=gate"}, "IDGATE_GATE_DB"},
		{"gate bad sqlite sync", gates, map[string]string{"IDGATE_GATE_SQLITE_SYNC": "off"}, "IDGATE_GATE_SQLITE_SYNC"},
		{"gate bad liveness threshold", gates, map[string]string{"IDGATE_GATE_LIVENESS_THRESHOLD": "2"}, "IDGATE_GATE_LIVENESS_THRESHOLD"},
		{"gate bad require liveness", gates, map[string]string{"IDGATE_GATE_REQUIRE_LIVENESS": "always"}, "IDGATE_GATE_REQUIRE_LIVENESS"},
		{"airline unknown", []string{"airline", "frob"}, nil, "unknown subcommand"},
		{"issue-pass missing pki", append(append([]string(nil), pass...), "--pki", missing), nil, "certs init"},
		{"issue-pass bad date", append(append([]string(nil), pass...), "--date", "tomorrow"), nil, "date"},
		{"issue-pass stray arg", append(append([]string(nil), pass...), "extra"), nil, "unexpected argument"},
		{"airline serve missing pki", []string{"airline", "serve", "--pki", missing, "--listen", "127.0.0.1:0"}, nil, "certs init"},
		{"airline serve bad listen", []string{"airline", "serve", "--pki", pki, "--listen", "bogus"}, nil, "--listen"},
		{"wallet no args", []string{"wallet"}, nil, "usage"},
		{"wallet list no wallet", []string{"wallet", "list", "--dir", missing}, nil, "wallet init"},
		{"face compare junk", []string{"face", "compare", "not-a-template", "nor-this"}, nil, "neither"},
		{"face calibrate missing", []string{"face", "calibrate", missing}, nil, "no such file"},
		{"face template no models", []string{"face", "template", "--models", missing, junk}, nil, "models"},
		{"models build missing input", []string{"models", "build", "--out", filepath.Join(dir, "m"), "--tfjs", missing}, nil, "no such file"},
		{"demo stray arg", []string{"demo", "--boarding=false", "now"}, nil, "unexpected argument"},
		{"demo no models", []string{"demo", "--dir", dir, "--models", missing}, nil, "make models"},
		{"demo photos missing", []string{"demo", "--dir", dir, "--faces", missing}, nil, "--faces"},
		{"loadtest stray arg", []string{"loadtest", "now"}, nil, "unexpected argument"},
		{"loadtest bad duration", []string{"loadtest", "--duration", "long"}, nil, "duration"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := dispatch(tc.args, &out, &errb)
			msg := errb.String()
			if code != 2 || !strings.Contains(msg, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, msg, tc.want)
			}
			if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
				t.Errorf("stderr shows a panic: %s", msg)
			}
			if strings.Contains(msg, "environment overrides in brackets") || strings.Count(msg, "\n") > 12 {
				t.Errorf("stderr is a usage dump rather than the reason:\n%s", msg)
			}
		})
	}
}

// TestEnvDuration: a malformed or non-positive value is an error naming the variable; unset
// or empty is the default.
func TestEnvDuration(t *testing.T) {
	const key = "IDGATE_TEST_DURATION"
	for _, tc := range []struct {
		val  string
		set  bool
		want string // "" means an error
	}{
		{"", false, "6h0m0s"}, {"", true, "6h0m0s"}, {"90s", true, "1m30s"}, {"2h", true, "2h0m0s"},
		{"5", true, ""}, {"soon", true, ""}, {"0s", true, ""}, {"-1m", true, ""}, {"1h ", true, ""},
	} {
		os.Unsetenv(key)
		if tc.set {
			t.Setenv(key, tc.val)
		}
		d, err := envDuration(key, 6*60*60*1e9)
		switch {
		case tc.want == "" && (err == nil || !strings.Contains(err.Error(), key)):
			t.Errorf("%q: %v, %v; want an error naming %s", tc.val, d, err, key)
		case tc.want != "" && (err != nil || d.String() != tc.want):
			t.Errorf("%q: %v, %v; want %s", tc.val, d, err, tc.want)
		}
	}
}

func TestEnvBool(t *testing.T) {
	const key = "IDGATE_TEST_BOOL"
	for val, want := range map[string]any{"": false, "1": true, "true": true, "TRUE": true, "0": false, "false": false, "yes": nil, "on": nil, "2": nil} {
		t.Setenv(key, val)
		b, err := envBool(key)
		if want == nil {
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%q: %v, %v; want an error naming %s", val, b, err, key)
			}
		} else if err != nil || b != want {
			t.Errorf("%q: %v, %v; want %v", val, b, err, want)
		}
	}
}
