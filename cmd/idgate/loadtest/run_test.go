package loadtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
)

const (
	testOperatorToken = "operator-token-for-tests"
	testCheckinToken  = "checkin-token-for-tests"
	testTerminalToken = "terminal-token-for-tests"
)

// target starts the real gate API (verifier.GateAPI over gate.Service, memory store) on a
// loopback listener in this process, over a fresh PKI; it returns the base URL and PKI.
func target(t *testing.T) (string, *certs.PKI) {
	t.Helper()
	return targetNonceTTL(t, 0)
}

// targetNonceTTL is target with gate nonces that live ttl (0: the gate's default).
func targetNonceTTL(t *testing.T, ttl time.Duration) (string, *certs.PKI) {
	t.Helper()
	pki, _, err := certs.Init(filepath.Join(t.TempDir(), "pki"), certs.Options{
		IssuerURL: "https://issuer.loadtest.test", EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence,
	})
	if err != nil {
		t.Fatal(err)
	}
	checker := statuslist.NewChecker(statuslist.CheckerConfig{HTTP: &http.Client{Timeout: 5 * time.Second}, Trust: pki.Trust, MaxTTL: time.Hour})
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: pki.Trust, Status: checker})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := gate.New(gate.Config{Credentials: cv, Mdoc: &mdoc.Verifier{Trust: pki.Trust}, Passes: pki.Trust, ReaderKey: pki.GateReader,
		Store: gate.NewMemoryStore(), Audience: "https://verifier.loadtest.test", NonceTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	g := &verifier.GateAPI{Gates: svc, OperatorToken: verifier.HashToken(testOperatorToken), CheckinToken: verifier.HashToken(testCheckinToken),
		TerminalToken: verifier.HashToken(testTerminalToken)}
	srv := verifier.NewServer(func(ctx *fasthttp.RequestCtx) {
		if !g.Routes(ctx) {
			ctx.SetStatusCode(http.StatusNotFound)
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return "http://" + l.Addr().String(), pki
}

func checkShape(t *testing.T, r *Report) {
	t.Helper()
	if r.Requests <= 0 || r.DurationS <= 0 || r.ThroughputRPS <= 0 || r.Cores <= 0 || r.Connections <= 0 {
		t.Fatalf("empty report: %+v", r)
	}
	if !(0 < r.P50MS && r.P50MS <= r.P99MS && r.P99MS <= r.P999MS && r.P999MS <= r.MaxMS) {
		t.Fatalf("percentiles out of order: %+v", r)
	}
}

func TestRunAgainstTarget(t *testing.T) {
	base, pki := target(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want func(t *testing.T, r *Report)
	}{
		{"closed loop", Config{Passengers: 40, Connections: 3, BoundDuration: 100 * time.Millisecond},
			func(t *testing.T, r *Report) {
				if r.Requests != 40 || !r.Exhausted || r.Loop != "closed" || r.Mode != "verify" {
					t.Fatalf("%+v", r)
				}
				if r.CryptoBoundRPS <= 0 || r.Ratio <= 0 || r.BoundWhen == "" || r.BoundCPUUS <= 0 ||
					r.CryptoBoundRPS != max(r.BoundBeforeRPS, r.BoundAfterRPS) || min(r.BoundBeforeRPS, r.BoundAfterRPS) <= 0 {
					t.Fatalf("no bound: %+v", r)
				}
			}},
		{"mdoc", Config{Passengers: 30, Connections: 2, Mdoc: true, BoundDuration: 100 * time.Millisecond},
			func(t *testing.T, r *Report) {
				if r.Requests != 30 || r.Mode != "verify-mdoc" || r.CryptoBoundRPS <= 0 {
					t.Fatalf("%+v", r)
				}
			}},
		{"half rate", Config{Passengers: 40, Connections: 2, Duration: 200 * time.Millisecond, HalfRate: true, BoundDuration: -1},
			func(t *testing.T, r *Report) {
				h := r.HalfRate
				if h == nil || h.Loop != "open" || h.TargetRPS != r.ThroughputRPS/2 || h.Errors != 0 || h.Requests <= 0 {
					t.Fatalf("half-rate phase: %+v of %+v", h, r)
				}
				checkShape(t, h)
			}},
		{"open loop", Config{Passengers: 30, Connections: 2, Rate: 300, BoundDuration: -1},
			func(t *testing.T, r *Report) {
				if r.Loop != "open" || r.TargetRPS != 300 || r.Requests != 30 || r.CryptoBoundRPS != 0 || r.LagP99MS <= 0 {
					t.Fatalf("%+v", r)
				}
			}},
		{"open loop bounded by time", Config{Passengers: 50, Connections: 2, Rate: 100, Duration: 200 * time.Millisecond, BoundDuration: -1},
			func(t *testing.T, r *Report) {
				if r.Requests != 20 || r.Exhausted { // arrivals at 0, 10, ..., 190 ms
					t.Fatalf("want the 20 arrivals scheduled in 200 ms: %+v", r)
				}
			}},
		{"identify", Config{IdentifyGallery: 25, Connections: 2},
			func(t *testing.T, r *Report) {
				if r.Mode != "identify" || r.Gallery != 25 || r.Requests != 25 || r.GalleryMS <= 0 || r.EnrolS <= 0 {
					t.Fatalf("%+v", r)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Target, cfg.PKIDir, cfg.OperatorToken, cfg.CheckinToken, cfg.TerminalToken = base, pki.Dir, testOperatorToken, testCheckinToken, testTerminalToken
			cfg.Gate = strings.ReplaceAll(tc.name, " ", "-")[:min(len(tc.name), 16)]
			r, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkShape(t, r)
			if r.Errors != 0 || r.Server != base {
				t.Fatalf("errors %d (%v), server %q", r.Errors, r.ErrorCodes, r.Server)
			}
			tc.want(t, r)
		})
	}
}

// TestRunOutlastsNonceLifetime: a timed phase longer than the gate nonces' lifetime sends no
// request with an expired nonce, because each batch is bound to its nonces just before it is
// driven and sent within three quarters of their lifetime.
func TestRunOutlastsNonceLifetime(t *testing.T) {
	const ttl = 3 * time.Second
	base, pki := targetNonceTTL(t, ttl)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"open", Config{Passengers: 600, Connections: 2, Rate: 50, Duration: 3 * ttl}},
		{"mdoc", Config{Passengers: 400, Connections: 2, Rate: 40, Duration: 2 * ttl, Mdoc: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Target, cfg.PKIDir, cfg.OperatorToken, cfg.TerminalToken = base, pki.Dir, testOperatorToken, testTerminalToken
			cfg.Gate, cfg.BoundDuration = "TTL-"+tc.name, -1
			r, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkShape(t, r)
			if r.Errors != 0 {
				t.Fatalf("%d of %d failed: %v", r.Errors, r.Requests, r.ErrorCodes)
			}
			// The phase outlasted the nonces: most of its scheduled arrivals were sent.
			if r.DurationS < 1.5*ttl.Seconds() || float64(r.Requests) < 0.6*cfg.Rate*cfg.Duration.Seconds() {
				t.Fatalf("%d requests in %.1f s: the phase did not outlast the %v nonce lifetime", r.Requests, r.DurationS, ttl)
			}
		})
	}
}

func TestRunRejectsWrongOperatorToken(t *testing.T) {
	base, pki := target(t)
	_, err := Run(context.Background(), Config{Target: base, PKIDir: pki.Dir, OperatorToken: "wrong", TerminalToken: testTerminalToken, Passengers: 1})
	if !errors.Is(err, &Error{Code: CodeSetup}) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("got %v, want a setup error naming HTTP 401", err)
	}
}

// TestLoadCountsDenials shows the generator does not count what the server refused as
// success: a replayed presentation (nonce used) and a stranger's face are errors, by reason.
func TestLoadCountsDenials(t *testing.T) {
	base, pki := target(t)
	status, err := startStatusServer()
	if err != nil {
		t.Fatal(err)
	}
	defer status.Close()
	status.setSigner(pki.StatusList)
	a, err := newAPI(base, testOperatorToken, "", testTerminalToken, 2)
	if err != nil {
		t.Fatal(err)
	}
	f := flight{Carrier: carrier, Number: randomFlightNumber(), Date: time.Now().UTC().Format(time.DateOnly)}
	if err := a.putGate("G1", gateUpdate{Carrier: f.Carrier, Number: f.Number, Date: f.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	w, err := newWorld(pki, status.URI, f, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	body := func(i int, stranger bool) []byte {
		p, err := w.passenger(i)
		if err != nil {
			t.Fatal(err)
		}
		n, err := a.gateNonce("G1")
		if err != nil {
			t.Fatal(err)
		}
		pres, err := p.present(n, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		live := p.live
		if stranger {
			other, _ := w.passenger(i + 1)
			live = other.live
		}
		b, err := verifyBody(pres, p.bcbp, live, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := body(0, false)
	l := &load{addr: strings.TrimPrefix(base, "http://"), url: base + "/v1/gates/G1/verify", token: testTerminalToken,
		bodies: [][]byte{ok, ok, body(2, true)}, connections: 1, duration: time.Minute}
	o := l.run()
	want := map[string]int{"403:nonce_invalid": 1, "403:face_mismatch": 1}
	if o.n != 3 || o.errors != 2 || len(o.codes) != 2 || o.codes["403:nonce_invalid"] != 1 || o.codes["403:face_mismatch"] != 1 {
		t.Fatalf("sent %d, errors %d, codes %v; want 3, 2, %v", o.n, o.errors, o.codes, want)
	}
	if in := signingInputs(strings.Split(string(ok), `"`)[3], strings.Split(string(ok), `"`)[7]); in.IssuerJWT < 500 || in.KBJWT < 100 || in.BCBP < 60 {
		t.Fatalf("signing inputs %+v look wrong", in)
	}
}

func TestCryptoBound(t *testing.T) {
	in := SigningInputs{IssuerJWT: 1800, KBJWT: 250, BCBP: 90}
	rps, cpu, err := cryptoBound(in, 50*time.Millisecond)
	if err != nil || rps <= 0 || cpu <= 0 {
		t.Fatalf("bound %v/s, %v µs, %v", rps, cpu, err)
	}
	op, err := newBoundOp(in)
	if err != nil {
		t.Fatal(err)
	}
	if !op.run() {
		t.Fatal("valid signatures did not verify")
	}
	op.msgs[1][0] ^= 1 // the bound must be doing real verifications
	if op.run() {
		t.Fatal("a tampered message verified")
	}
}
