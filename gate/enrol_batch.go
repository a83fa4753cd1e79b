package gate

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// MaxEnrolBatch bounds the items of one EnrolBatch (and of one enrol-batch body): a batch is
// verified on every core and then written in one transaction, so it must stay short enough
// not to hold the store's writer for long. Over HTTP the body bound (MaxBodyBytes, 3 MiB)
// usually binds first: a presentation with its x5c chain and sealed template plus a pass is
// about 4.5 KB, so about 650 items fit in one body.
const MaxEnrolBatch = 1000

// EnrolBatch enrols many check-ins for flight f at once: an airline's check-in uploading a
// flight's passengers. Each item is checked exactly as Enrol checks it (its own check-in
// nonce, credential, pass, flight, name and sealed template), on GOMAXPROCS workers; then
// every allowed item is written in one Store transaction (Store.EnrolBatch). Decisions come back in request order, one per item.
//
//   - More than MaxEnrolBatch items, or a nil item: that many (that item) malformed_request.
//   - The store write fails: every allowed item is denied internal_error and nothing of the
//     batch is stored (the transaction rolls back). The nonces of the items not stored are put back (under one deadline for the batch), so
//     those items, the ones denied internal_error, can be sent again as they were.
//   - Two items for the same booking (PassID): both are decided on their own, and when both
//     are allowed the later one's template replaces the earlier one's, exactly as two Enrol
//     calls in request order would (the check-in token holder may re-enrol a booking anyway).
//   - ctx ending stops the batch: items not yet checked are denied internal_error without
//     consuming their nonces.
func (s *Service) EnrolBatch(ctx context.Context, f Flight, reqs []*EnrolRequest) []*Decision {
	start := time.Now()
	out := make([]*Decision, len(reqs))
	if len(reqs) > MaxEnrolBatch {
		for i := range out {
			out[i] = s.enrolDenied(f, ReasonMalformedRequest, start)
		}
		return out
	}
	checks := make([]*enrolCheck, len(reqs))
	parallelFor(len(reqs), runtime.GOMAXPROCS(0), func(i int) {
		if reqs[i] != nil && ctx.Err() == nil {
			select {
			case s.batchSlots <- struct{}{}: // a core, shared with every other batch
				defer func() { <-s.batchSlots }()
			case <-ctx.Done():
			}
		}
		switch {
		case reqs[i] == nil:
			checks[i] = &enrolCheck{d: deniedEnrol(f, ReasonMalformedRequest)}
		case ctx.Err() != nil:
			checks[i] = &enrolCheck{d: deniedEnrol(f, ReasonInternal)}
		default:
			checks[i] = s.checkEnrol(ctx, f, reqs[i])
		}
	})
	allowed := make([]*enrolCheck, 0, len(checks))
	for _, c := range checks {
		if c.d.Allowed() {
			allowed = append(allowed, c)
		}
	}
	if len(allowed) > 0 {
		n, err := s.storeEnrolments(ctx, allowed)
		if err != nil {
			s.cfg.Logger.Error("gate store", "op", "enrol_batch", "items", len(allowed), "stored", n, "err", err)
			s.storeFailed(ctx, allowed[n:]...)
		}
		s.addEnrolled(f.Key(), allowed[:n])
	}
	for i, c := range checks {
		out[i] = c.d
		s.record("enrol", c.d, c.ref, start)
	}
	return out
}

// storeEnrolments writes the allowed enrolments in order, all or none, and returns how many
// are stored.
func (s *Service) storeEnrolments(ctx context.Context, vs []*enrolCheck) (int, error) {
	es := make([]Enrolment, len(vs))
	for i, v := range vs {
		es[i] = v.e
	}
	if err := s.cfg.Store.EnrolBatch(ctx, es); err != nil {
		return 0, err
	}
	return len(vs), nil
}

// deniedEnrol is an enrolment decision denied before any check ran.
func deniedEnrol(f Flight, r Reason) *Decision {
	d := newDecision("")
	d.Flight = &f
	d.deny(r)
	return d.finish()
}

func (s *Service) enrolDenied(f Flight, r Reason, start time.Time) *Decision {
	d := deniedEnrol(f, r)
	s.record("enrol", d, "", start)
	return d
}

// parallelFor calls fn(0..n-1) on at most workers goroutines and returns when all returned.
// Items are handed out one at a time, so a slow item does not hold up a fixed share.
func parallelFor(n, workers int, fn func(i int)) {
	workers = max(1, min(workers, n))
	if workers == 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
