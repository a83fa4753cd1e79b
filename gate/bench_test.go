package gate_test

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/internal/cpuratio"
	"github.com/idgate/idgate/statuslist"
)

// BenchmarkGateVerify is one complete 1:1 gate decision (allow) in the domain: nonce, ID
// presentation (issuer signature, KB-JWT, trust list, cached status list), boarding pass
// signature, flight and name checks, JWE open of the face template, 1:1 compare, single-use
// insert. Compare with BenchmarkCryptoBound, the public-key work it cannot avoid.
func BenchmarkGateVerify(b *testing.B) {
	next := verifyBench(b, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next()
	}
}

// BenchmarkGateVerifyMdoc is BenchmarkGateVerify with the mDL mdoc as the ID: DeviceResponse
// decoding, IACA chain, issuerAuth and device signatures, element digests, status.
func BenchmarkGateVerifyMdoc(b *testing.B) {
	next := verifyBench(b, true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next()
	}
}

// verifyBench sets up a gate and returns a function that runs one allowed Verify and returns
// its wall and thread-CPU durations. Requests are prepared in batches outside the timer: each
// has its own nonce and pass (single use is real). With mdocID the ID is the mDL mdoc.
func verifyBench(b *testing.B, mdocID bool) func() (wall time.Duration, cpu int64) {
	w := gatetest.New(b)
	cfg := w.Config(b)
	// Production caching of the status list (the test env's checker refetches every time).
	checker := statuslist.NewChecker(statuslist.CheckerConfig{HTTP: &http.Client{Timeout: 2 * time.Second}, Trust: w.Env.Trust, MaxTTL: time.Hour})
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: w.Env.Trust, Status: checker})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Credentials = cv
	svc, err := gate.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		b.Fatal(err)
	}
	holders := make([]*gatetest.Passenger, 8)
	mdocs := make([]*gatetest.MdocPassenger, len(holders))
	for i := range holders {
		holders[i] = w.Passenger(b, "Mustermann", "Erika")
		mdocs[i] = w.MdocPassenger(b, "Mustermann", "Erika")
	}
	const batch = 128
	seq, i := 0, 0
	reqs := make([]*gate.VerifyRequest, batch)
	prepare := func() {
		defer runtime.GC() // the batch's signing garbage is not the gate's to collect
		for i := range reqs {
			seq++
			p := holders[seq%len(holders)]
			n, err := svc.GateNonce(ctx, "A1")
			if err != nil {
				b.Fatal(err)
			}
			reqs[i] = &gate.VerifyRequest{Presentation: p.Present(b, n), BCBP: w.Pass(b, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: seq}),
				LiveFace: gate.LiveFace{Template: w.LiveTemplate(b, p)}}
			if mdocID {
				m := mdocs[seq%len(mdocs)]
				reqs[i].Presentation, reqs[i].Mdoc, reqs[i].Nonce = "", m.Present(b, n), n.Nonce
				reqs[i].Template = w.LiveTemplateOf(b, m.Face)
			}
		}
	}
	prepare()
	run := func() (time.Duration, int64) {
		if i == batch {
			b.StopTimer()
			prepare()
			i = 0
			b.StartTimer()
		}
		c0, t0 := cpuratio.ThreadCPU(), time.Now()
		if d := svc.Verify(ctx, "A1", reqs[i]); !d.Allowed() {
			b.Fatalf("deny: %v", d.Reasons)
		}
		i++
		return time.Since(t0), cpuratio.ThreadCPU() - c0
	}
	run() // warms the status list and x5c caches
	return run
}

// BenchmarkCryptoBound is the floor of one gate verification: three ES256 verifications
// (issuer signature, KB-JWT, boarding pass) and one P-256 ECDH (ECDH-ES key agreement of the
// sealed face template).
func BenchmarkCryptoBound(b *testing.B) {
	op := cryptoBound(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
}

func cryptoBound(b *testing.B) func() {
	keys := make([]*ecdsa.PrivateKey, 3)
	sigs := make([][]byte, 3)
	digest := sha256.Sum256([]byte("idgate gate crypto bound"))
	for i := range keys {
		keys[i], _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		sigs[i], _ = ecdsa.SignASN1(rand.Reader, keys[i], digest[:])
	}
	reader, _ := ecdh.P256().GenerateKey(rand.Reader)
	eph, _ := ecdh.P256().GenerateKey(rand.Reader)
	ephPub := eph.PublicKey()
	return func() {
		for j := range keys {
			if !ecdsa.VerifyASN1(&keys[j].PublicKey, digest[:], sigs[j]) {
				b.Fatal("verify")
			}
		}
		if _, err := reader.ECDH(ephPub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGateVsCryptoBound interleaves one gate verification and one crypto-bound operation
// per iteration and reports both costs and their ratio (bound time / gate time: the fraction of
// the crypto bound the gate reaches). Interleaving keeps the ratio meaningful on a shared,
// noisy machine where two separate benchmarks see different load. cpu-ratio is the same ratio
// in thread CPU time (the goroutine is locked to its thread): robust when other processes keep
// the cores busy, but blind to GC work done on other threads, so read both.
func BenchmarkGateVsCryptoBound(b *testing.B) { gateVsCryptoBound(b, false) }

// BenchmarkGateVsCryptoBoundMdoc is BenchmarkGateVsCryptoBound with the mDL mdoc as the ID:
// the same bound (issuerAuth, device signature, pass; one ECDH).
func BenchmarkGateVsCryptoBoundMdoc(b *testing.B) { gateVsCryptoBound(b, true) }

func gateVsCryptoBound(b *testing.B, mdocID bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	verify, bound := verifyBench(b, mdocID), cryptoBound(b)
	var tv, tb time.Duration
	var cv, cb int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, c := verify()
		tv, cv = tv+w, cv+c
		c1, t1 := cpuratio.ThreadCPU(), time.Now()
		bound()
		tb, cb = tb+time.Since(t1), cb+cpuratio.ThreadCPU()-c1
	}
	b.ReportMetric(float64(tv.Nanoseconds())/float64(b.N), "gate-ns/op")
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "bound-ns/op")
	b.ReportMetric(float64(tb)/float64(tv), "ratio")
	b.ReportMetric(float64(cb)/float64(cv), "cpu-ratio")
}
