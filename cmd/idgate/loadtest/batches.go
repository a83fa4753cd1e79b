package loadtest

import (
	"runtime"
	"time"
)

// bodySource yields a timed phase's request bodies batch by batch.
type bodySource interface {
	// next returns up to n bodies and the instant after which none of them may be sent (zero:
	// no limit). No bodies means the source is exhausted.
	next(n int) (bodies [][]byte, sendBy time.Time, err error)
	// unsent gives back the bodies of the last batch that were not sent, by index in it.
	unsent(idx []int)
	left() int
	// lifetime is the last batch's usable span (zero: unbounded).
	lifetime() time.Duration
}

// fixedBodies is a source of pre-built bodies without a nonce (identify, the HTTP floor).
type fixedBodies struct{ bodies [][]byte }

func (f *fixedBodies) next(int) ([][]byte, time.Time, error) {
	b := f.bodies
	f.bodies = nil
	return b, time.Time{}, nil
}
func (f *fixedBodies) unsent([]int)            {}
func (f *fixedBodies) left() int               { return len(f.bodies) }
func (f *fixedBodies) lifetime() time.Duration { return 0 }

// nonceMargin is the share of a gate nonce's lifetime kept unused: a batch's requests are sent
// within the first three quarters of its oldest nonce's lifetime, the rest absorbing the
// request's own latency and a Target's clock skew.
const nonceMargin = 4

// freshBodies binds passengers to gate nonces in batches, just before they are driven: one
// gate nonce and KB-JWT (or mdoc DeviceResponse) each, so no request leaves with a nonce
// older than three quarters of its lifetime, however long the phase or slow the machine.
type freshBodies struct {
	cfg     Config
	a       *api
	pax     []*passenger
	queue   []int // indexes into pax not yet sent
	batch   []int // the last batch's indexes
	usable  time.Duration
	inputs  SigningInputs
	inputOK bool
	built   [][]byte // every body sent, in order (the HTTP floor replays them)
}

func newFreshBodies(cfg Config, a *api, pax []*passenger) *freshBodies {
	q := make([]int, len(pax))
	for i := range q {
		q[i] = i
	}
	return &freshBodies{cfg: cfg, a: a, pax: pax, queue: q}
}

func (f *freshBodies) left() int               { return len(f.queue) }
func (f *freshBodies) lifetime() time.Duration { return f.usable }

func (f *freshBodies) unsent(idx []int) {
	back := make([]int, 0, len(idx)+len(f.queue))
	for _, i := range idx {
		back = append(back, f.batch[i])
	}
	f.queue = append(back, f.queue...)
}

func (f *freshBodies) next(n int) ([][]byte, time.Time, error) {
	n = min(n, len(f.queue), maxOutstandingNonces/2)
	f.batch, f.queue = f.queue[:n:n], f.queue[n:]
	bodies := make([][]byte, n)
	expires := make([]time.Time, n)
	t0 := time.Now() // no nonce of the batch was issued before this
	err := parallel(n, 2*runtime.GOMAXPROCS(0), func(k int) error {
		p := f.pax[f.batch[k]]
		nc, err := f.a.gateNonce(f.cfg.Gate)
		if err != nil {
			return err
		}
		expires[k] = nc.ExpiresAt
		want := k == 0 && !f.inputOK
		var in SigningInputs
		bodies[k], in, err = bindBody(f.cfg, p, nc, want)
		if want {
			f.inputs = in
		}
		return err
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	f.inputOK = f.inputOK || n > 0
	if n == 0 {
		return nil, time.Time{}, nil
	}
	first := expires[0]
	for _, e := range expires[1:] {
		if e.Before(first) {
			first = e
		}
	}
	life := first.Sub(t0)
	if life <= 0 {
		return nil, time.Time{}, errf(CodeSetup, nil, "gate nonces expire before they are fetched (expires_at %v, fetched from %v): the clocks differ", first, t0)
	}
	f.usable = life - life/nonceMargin
	f.built = append(f.built, bodies...)
	return bodies, t0.Add(f.usable), nil
}

// batchSize is how many requests to bind for the next segment: enough for rps over the
// shorter of what is left of the phase and half the usable nonce lifetime (the other half
// leaves room for building the batch), plus a request per connection in flight.
func batchSize(rps float64, remaining, usable time.Duration, connections int) int {
	span := remaining
	if usable > 0 {
		span = min(span, usable/2)
	}
	return int(rps*span.Seconds()*1.2) + 2*connections
}
