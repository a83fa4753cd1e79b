package loadtest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/sdjwt"
)

func TestPresignature(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := scalarOf(key)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[32]byte]bool{}
	for i := range 20 {
		ps, err := newPresignature()
		if err != nil {
			t.Fatal(err)
		}
		if seen[ps.r] {
			t.Fatal("two presignatures share r: k repeated")
		}
		seen[ps.r] = true
		digest := sha256.Sum256([]byte{byte(i)})
		sig, ok := ps.sign(d, digest[:])
		if !ok {
			t.Fatal("s = 0")
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(&key.PublicKey, digest[:], r, s) {
			t.Fatalf("signature %d does not verify", i)
		}
		digest[0] ^= 1
		if ecdsa.Verify(&key.PublicKey, digest[:], r, s) {
			t.Fatalf("signature %d verifies another digest", i)
		}
	}
}

// TestSoakRequest checks a soak body end to end with sdjwt.Verify: the presentation with the
// presigned KB-JWT verifies for its audience and nonce and no other, and the body is the JSON
// the gate reads.
func TestSoakRequest(t *testing.T) {
	pki, _, err := certs.Init(filepath.Join(t.TempDir(), "pki"), certs.Options{
		IssuerURL: "https://issuer.loadtest.test", EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence,
		Airlines: []string{carrier},
	})
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(pki, "https://issuer.loadtest.test/status/1", flight{Carrier: carrier, Number: "1234", Date: "2026-06-01"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.passenger(0) // a driving licence
	if err != nil {
		t.Fatal(err)
	}
	h, err := newSoakHolder(p)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := newPresignature()
	if err != nil {
		t.Fatal(err)
	}
	n := nonce{Nonce: "n-0123456789", Audience: "https://verifier.loadtest.test/gates/G1"}
	kb, err := h.keyBinding(n, time.Now(), ps)
	if err != nil {
		t.Fatal(err)
	}
	issuerKey := func(*sdjwt.Header) (crypto.PublicKey, error) { return pki.MDLIssuer.Chain()[0].PublicKey, nil }
	verify := func(aud, nc string) error {
		_, err := sdjwt.Verify(p.selected+kb, sdjwt.VerifyOptions{ResolveKey: issuerKey,
			KeyBinding: &sdjwt.KBOptions{Required: true, Audience: aud, Nonce: nc}})
		return err
	}
	if err := verify(n.Audience, n.Nonce); err != nil {
		t.Fatalf("soak KB-JWT refused: %v", err)
	}
	if verify(n.Audience, "another nonce") == nil || verify("https://elsewhere.test", n.Nonce) == nil {
		t.Fatal("soak KB-JWT accepted for another nonce or audience")
	}
	pass, err := soakPass(w, h, soakPassBase)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Presentation, BCBP, Live string
	}
	dec := json.NewDecoder(strings.NewReader(string(h.body(kb, pass))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&struct {
		Presentation *string `json:"presentation"`
		BCBP         *string `json:"bcbp"`
		Live         *string `json:"live_template"`
	}{&body.Presentation, &body.BCBP, &body.Live}); err != nil {
		t.Fatalf("body: %v", err)
	}
	if body.Presentation != p.selected+kb || body.Live != p.live || !strings.HasPrefix(body.BCBP, "M1") {
		t.Fatalf("body members wrong: %+v", body)
	}
}

func TestSoakWindow(t *testing.T) {
	for _, tc := range []struct{ d, w, want time.Duration }{
		{10 * time.Minute, 0, time.Minute},
		{10 * time.Minute, time.Minute, time.Minute},
		{20 * time.Second, time.Minute, 5 * time.Second},
		{2 * time.Minute, 30 * time.Second, 30 * time.Second},
	} {
		if got := soakWindow(tc.d, tc.w); got != tc.want {
			t.Errorf("soakWindow(%v, %v) = %v, want %v", tc.d, tc.w, got, tc.want)
		}
	}
}

func TestJudgeSoak(t *testing.T) {
	good := func() *SoakReport {
		r := &SoakReport{DurationS: 600.2, Requests: 1000,
			Start: ServerSample{RSSBytes: 100 << 20, Goroutines: 60, OpenFiles: 50},
			End:   ServerSample{RSSBytes: 105 << 20, Goroutines: 61, OpenFiles: 50}}
		for _, p99 := range []float64{4, 6, 5, 4, 9, 5, 4, 5, 6, 5} {
			r.Windows = append(r.Windows, SoakWindow{Requests: 100, P99MS: p99})
		}
		return r
	}
	for _, tc := range []struct {
		name   string
		change func(r *SoakReport)
		failed string // the one check that fails; "" for none
	}{
		{"goal met", func(*SoakReport) {}, ""},
		{"short", func(r *SoakReport) { r.DurationS = 20 }, "duration"},
		{"an error", func(r *SoakReport) { r.Errors = 1 }, "errors"},
		{"memory grows", func(r *SoakReport) { r.End.RSSBytes = 111 << 20 }, "rss"},
		{"memory shrinks", func(r *SoakReport) { r.End.RSSBytes = 60 << 20 }, ""},
		{"goroutines grow", func(r *SoakReport) { r.End.Goroutines = 67 }, "goroutines"},
		{"goroutines unknown", func(r *SoakReport) { r.End.Goroutines = 0 }, "goroutines"},
		{"files leak", func(r *SoakReport) { r.End.OpenFiles = 80 }, "open_files"},
		{"p99 climbs", func(r *SoakReport) {
			for i := 5; i < 10; i++ {
				r.Windows[i].P99MS = 12
			}
		}, "p99"},
		{"one window", func(r *SoakReport) { r.Windows = r.Windows[:1] }, "p99"},
		{"p99 spike", func(r *SoakReport) { r.Windows[3].P99MS = 11 }, "p99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.change(r)
			v := judgeSoak(r)
			var failed []string
			for _, c := range v.Checks {
				if !c.Pass {
					failed = append(failed, c.Name)
				}
			}
			want := []string{}
			if tc.failed != "" {
				want = []string{tc.failed}
			}
			if strings.Join(failed, ",") != strings.Join(want, ",") || v.Pass != (tc.failed == "") {
				t.Fatalf("failed checks %v (pass %v), want %v: %+v", failed, v.Pass, want, v.Checks)
			}
		})
	}
}

func TestParseGauges(t *testing.T) {
	in := "# HELP go_goroutines Goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 42\n" +
		"idgate_gate_requests_total{route=\"verify\",status=\"200\"} 7\nprocess_open_fds 12\n" +
		"process_resident_memory_bytes 4.2e+07\ngo_memstats_heap_alloc_bytes -1\ngo_goroutines_other 9\n"
	got := parseGauges([]byte(in))
	if len(got) != 3 || got["go_goroutines"] != 42 || got["process_open_fds"] != 12 || got["process_resident_memory_bytes"] != 42e6 {
		t.Fatalf("got %v", got)
	}
}

// TestRunSoak is a short soak against the in-process gate API: requests built while it runs
// are all allowed, every window is reported, and the figures are read from /metrics.
func TestRunSoak(t *testing.T) {
	base, pki := target(t)
	r, err := Run(context.Background(), Config{Target: base, PKIDir: pki.Dir, OperatorToken: testOperatorToken,
		TerminalToken: testTerminalToken, Gate: "soak", Passengers: 200, Connections: 2, Duration: 300 * time.Millisecond,
		BoundDuration: -1, Soak: 2 * time.Second, HalfRateConnections: 4})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Soak
	if s == nil {
		t.Fatalf("no soak in %+v", r)
	}
	if s.Errors != 0 || s.Requests == 0 || len(s.Windows) != 4 || s.TargetRPS != SoakFraction*r.ThroughputRPS {
		t.Fatalf("soak: %d errors (%v), %d requests, %d windows, target %v of %v", s.Errors, s.ErrorCodes, s.Requests,
			len(s.Windows), s.TargetRPS, r.ThroughputRPS)
	}
	sent := 0
	for _, w := range s.Windows {
		sent += w.Requests
	}
	if sent != s.Requests {
		t.Fatalf("windows hold %d requests, the soak %d", sent, s.Requests)
	}
	// In-process target: goroutines, heap, RSS and open files are this test process's own,
	// exported by the same /metrics handler the verifier serves.
	if s.Start.Goroutines <= 0 || s.End.HeapBytes <= 0 || s.End.RSSBytes <= 0 || s.End.OpenFiles <= 0 {
		t.Fatalf("server samples not read: start %+v end %+v", s.Start, s.End)
	}
	if s.Verdict.Pass || len(s.Verdict.Checks) != 6 || s.Verdict.Checks[0].Name != "duration" || s.Verdict.Checks[0].Pass {
		t.Fatalf("a 2 s soak is judged short of the 10-minute goal: %+v", s.Verdict)
	}
}
