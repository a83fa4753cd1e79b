package loadtest

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// SigningInputs are the byte lengths that one gate verification hashes for its three ES256
// verifications: the issuer-signed JWT's and the KB-JWT's "header.payload", and the boarding
// pass before '^'. Run fills them from a real generated passenger.
type SigningInputs struct {
	IssuerJWT, KBJWT, BCBP int
}

// boundOp is one gate verification's unavoidable public-key work, ready to run repeatedly.
type boundOp struct {
	keys   [3]*ecdsa.PublicKey
	msgs   [3][]byte
	sigs   [3][]byte
	reader *ecdh.PrivateKey
	peer   *ecdh.PublicKey
}

func newBoundOp(in SigningInputs) (*boundOp, error) {
	op := &boundOp{}
	for i, n := range []int{in.IssuerJWT, in.KBJWT, in.BCBP} {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		msg := make([]byte, max(n, 1))
		_, _ = rand.Read(msg)
		d := sha256.Sum256(msg)
		sig, err := ecdsa.SignASN1(rand.Reader, k, d[:])
		if err != nil {
			return nil, err
		}
		op.keys[i], op.msgs[i], op.sigs[i] = &k.PublicKey, msg, sig
	}
	var err error
	if op.reader, err = ecdh.P256().GenerateKey(rand.Reader); err != nil {
		return nil, err
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	op.peer = eph.PublicKey()
	return op, nil
}

// run is exactly 3× (SHA-256 + ECDSA P-256 verify) and 1× P-256 ECDH. A failed verification
// would mean the measurement is wrong, so it is reported rather than counted.
func (op *boundOp) run() bool {
	ok := true
	for i := range op.keys {
		d := sha256.Sum256(op.msgs[i])
		ok = ecdsa.VerifyASN1(op.keys[i], d[:], op.sigs[i]) && ok
	}
	_, err := op.reader.ECDH(op.peer)
	return ok && err == nil
}

// cryptoBound measures gate verifications per second that the machine's cores could do if
// each were nothing but that public-key work: GOMAXPROCS goroutines for about d. cpuUS is
// the CPU time (getrusage) per operation in µs, which neighbours on the machine do not
// inflate the way they lower the rate.
func cryptoBound(in SigningInputs, d time.Duration) (rps, cpuUS float64, err error) {
	op, err := newBoundOp(in)
	if err != nil {
		return 0, 0, errf(CodeWorld, err, "crypto bound keys")
	}
	workers := runtime.GOMAXPROCS(0)
	var total atomic.Int64
	var bad atomic.Bool
	var wg sync.WaitGroup
	cpu := startCPU(selfCPU{})
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(0)
			for time.Now().Before(deadline) {
				for range 8 { // check the clock every few ops, not every op
					if !op.run() {
						bad.Store(true)
					}
				}
				n += 8
			}
			total.Add(n)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	n := int(total.Load())
	if bad.Load() {
		return 0, 0, errf(CodeWorld, nil, "crypto bound: a verification failed")
	}
	return float64(n) / elapsed.Seconds(), cpu.perRequest(n), nil
}
