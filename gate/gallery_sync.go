package gate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"time"

	"github.com/idgate/idgate/biometric"
)

// gallerySyncSkew widens each sync's window: enrolled_at comes from the enrolling instance's
// clock, which may run behind this one's by up to this much.
const gallerySyncSkew = 2 * time.Minute

// syncDue reports whether a loaded gallery should read the Store for other instances'
// enrolments (Config.GallerySync); fg.mu must be held.
func (s *Service) syncDue(fg *flightGallery) bool {
	return s.cfg.GallerySync > 0 && fg.loaded && !s.cfg.Now().Before(fg.nextSync)
}

// rowHash identifies an enrolment row's content: its JWE, departure and status reference. A
// re-enrolment with the same JWE but a corrected departure is a change too (retention follows
// it), and so is one by a reissued ID carrying the same sealed template under another status
// entry (Identify must check the new one).
func rowHash(e *Enrolment) [32]byte {
	h := sha256.New()
	h.Write([]byte(e.Sealed))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(e.Departure.UnixMilli()))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(int64(e.Status.Index)))
	h.Write(b[:])
	h.Write([]byte(e.Status.URI))
	binary.BigEndian.PutUint64(b[:], uint64(e.IDExpires.UnixMilli()))
	h.Write(b[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// sync brings fg up to date with the flight's enrolments made or replaced through any
// instance sharing the Store since the last sync. The Store read and the JWE opens run
// outside fg.mu (searches go on meanwhile); the write lock is held only to apply the result.
// A row is applied only if this instance has not enrolled that pass itself since the read
// began (its own entry is as new or newer) and its departure is not past the last retention
// cutoff. A row that does not open removes the pass's entry: an old face must not keep
// matching once the Store holds another. A Store error is logged and retried after
// GallerySync, not on every request; until then a passenger enrolled elsewhere is not found
// here (no_match: fail closed).
func (s *Service) sync(ctx context.Context, fg *flightGallery, flight string) {
	start := s.cfg.Now()
	fg.mu.RLock()
	since, v0 := fg.syncedAt.Add(-gallerySyncSkew), fg.ver
	fg.mu.RUnlock()
	es, err := s.cfg.Store.EnrolmentsSince(ctx, flight, since)
	if err != nil {
		s.cfg.Logger.Error("gate store", "op", "enrolments_since", "err", err)
		fg.mu.Lock()
		fg.nextSync = start.Add(s.cfg.GallerySync)
		fg.mu.Unlock()
		return
	}
	type row struct {
		e    *Enrolment
		hash [32]byte
		t    biometric.Template
		ok   bool
	}
	var rows []row
	fg.mu.RLock()
	for i := range es {
		if h := rowHash(&es[i]); fg.sealed[es[i].Pass] != h {
			rows = append(rows, row{e: &es[i], hash: h})
		}
	}
	fg.mu.RUnlock()
	parallelFor(len(rows), runtime.GOMAXPROCS(0), func(i int) {
		r := &rows[i]
		t, err := biometric.Open(r.e.Sealed, s.readerKey())
		if err != nil {
			s.cfg.Logger.Warn("gallery row does not open", "flight", flight, "pass_ref", string(r.e.Pass[:min(16, len(r.e.Pass))]))
			return
		}
		r.t, r.ok = t, true
	})
	fg.mu.Lock()
	defer fg.mu.Unlock()
	for _, r := range rows {
		pass := r.e.Pass
		if fg.localVer[pass] > v0 || r.e.Departure.Before(fg.purgedBefore) {
			continue
		}
		if r.ok {
			fg.addLocked(pass, r.t, r.e)
		} else {
			fg.removeLocked(pass)
		}
		fg.sealed[pass] = r.hash // also for a row that does not open: not retried every sync
	}
	fg.syncedAt, fg.nextSync = start, start.Add(s.cfg.GallerySync)
}
