package gate

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/credential"
)

// flightGallery is a flight's enrolments opened into in-memory 1:N indexes, one per template
// model (templates of different models are never compared). It is built from the Store on
// first use and kept in step by Enrol. Each entry remembers its departure, so that every
// Purge drops what is past retention even when another instance sharing the Store deleted
// the rows (and this instance's Store.Purge reports nothing). Decrypted vectors live only here.
type flightGallery struct {
	mu        sync.RWMutex
	loaded    bool
	byModel   map[biometric.ModelID]*biometric.Gallery
	model     map[PassID]biometric.ModelID
	departure map[PassID]time.Time
	// status is each entry's ID status reference, idExpires its ID's expiry: Identify checks
	// both at boarding time.
	status    map[PassID]credential.StatusRef
	idExpires map[PassID]time.Time
	// With Config.GallerySync (gallery_sync.go): sealed is each entry's row hash (JWE and
	// departure: a row seen again unchanged is not opened twice); localVer the ver at which
	// this instance last enrolled the pass itself; syncedAt the start of the last successful
	// read, nextSync the earliest next one; purgedBefore the last retention cutoff.
	sealed       map[PassID][32]byte
	localVer     map[PassID]uint64
	ver          uint64
	syncedAt     time.Time
	nextSync     time.Time
	purgedBefore time.Time
	syncing      atomic.Bool // one sync at a time; other requests use the gallery as it is
}

func (s *Service) flightGallery(ctx context.Context, flight string) (*flightGallery, error) {
	v, _ := s.galleries.LoadOrStore(flight, &flightGallery{})
	fg := v.(*flightGallery)
	fg.mu.RLock()
	loaded, due := fg.loaded, s.syncDue(fg)
	fg.mu.RUnlock()
	if loaded {
		if due && fg.syncing.CompareAndSwap(false, true) {
			func() {
				defer fg.syncing.Store(false) // even if the Store panics: syncs must not stop for good
				s.sync(ctx, fg, flight)
			}()
		}
		return fg, nil
	}
	fg.mu.Lock()
	defer fg.mu.Unlock()
	if fg.loaded {
		return fg, nil
	}
	now := s.cfg.Now()
	es, err := s.cfg.Store.Enrolments(ctx, flight)
	if err != nil {
		return nil, &Error{Code: ReasonInternal, Msg: "store", Err: err}
	}
	fg.byModel = map[biometric.ModelID]*biometric.Gallery{}
	fg.model = map[PassID]biometric.ModelID{}
	fg.departure = map[PassID]time.Time{}
	fg.status, fg.idExpires = map[PassID]credential.StatusRef{}, map[PassID]time.Time{}
	fg.sealed, fg.localVer = map[PassID][32]byte{}, map[PassID]uint64{}
	s.openInto(fg, flight, es, runtime.GOMAXPROCS(0))
	fg.loaded, fg.syncedAt, fg.nextSync = true, now, now.Add(s.cfg.GallerySync)
	return fg, nil
}

// openInto opens the sealed templates of es (one ECDH-ES JWE each, the cost of a first load)
// on workers goroutines and adds them to fg, whose write lock the caller holds. Rows are
// distinct passes (the Store's key), so the order they are added in does not matter; addMu
// serialises the cheap map and gallery updates. A row that does not open is skipped.
func (s *Service) openInto(fg *flightGallery, flight string, es []Enrolment, workers int) {
	var addMu sync.Mutex
	parallelFor(len(es), workers, func(i int) {
		e := &es[i]
		t, err := biometric.Open(e.Sealed, s.readerKey())
		if err != nil { // a row that no longer opens (key rotated) cannot match anyone
			s.cfg.Logger.Warn("gallery row does not open", "flight", flight, "pass_ref", string(e.Pass[:min(16, len(e.Pass))]))
			return
		}
		addMu.Lock()
		fg.addLocked(e.Pass, t, e)
		fg.sealed[e.Pass] = rowHash(e)
		addMu.Unlock()
	})
}

// addLocked adds or replaces pass's template t, opened from e; fg.mu must be held for writing.
func (fg *flightGallery) addLocked(pass PassID, t biometric.Template, e *Enrolment) {
	fg.removeLocked(pass)
	g := fg.byModel[t.Model]
	if g == nil {
		g = biometric.NewGallery(t.Model)
		fg.byModel[t.Model] = g
	}
	if g.Add(string(pass), t) == nil {
		fg.model[pass] = t.Model
		fg.departure[pass] = e.Departure
		fg.status[pass], fg.idExpires[pass] = e.Status, e.IDExpires
	}
}

// statusOf returns the status reference of pass's enrolment (the zero value, which names no
// list, when it is gone).
func (fg *flightGallery) statusOf(pass PassID) credential.StatusRef {
	fg.mu.RLock()
	defer fg.mu.RUnlock()
	return fg.status[pass]
}

// idExpiresOf returns the expiry of pass's enrolled ID (zero, unknown, when it is gone).
func (fg *flightGallery) idExpiresOf(pass PassID) time.Time {
	fg.mu.RLock()
	defer fg.mu.RUnlock()
	return fg.idExpires[pass]
}

// removeLocked drops pass's template; fg.mu must be held for writing.
func (fg *flightGallery) removeLocked(pass PassID) {
	if m, ok := fg.model[pass]; ok {
		fg.byModel[m].Remove(string(pass))
		delete(fg.model, pass)
		delete(fg.departure, pass)
		delete(fg.status, pass)
		delete(fg.idExpires, pass)
		delete(fg.sealed, pass)
	}
}

// purgeBefore drops the templates whose departure is before cutoff and reports whether the
// gallery is now empty (so the Service can forget it; a later Identify reloads from the Store).
func (fg *flightGallery) purgeBefore(cutoff time.Time) (empty bool) {
	fg.mu.Lock()
	defer fg.mu.Unlock()
	if cutoff.After(fg.purgedBefore) {
		fg.purgedBefore = cutoff // a sync must not bring back what retention dropped
	}
	for pass, dep := range fg.departure {
		if dep.Before(cutoff) {
			fg.removeLocked(pass)
		}
	}
	return fg.loaded && len(fg.model) == 0
}

// search returns the two nearest enrolments of the live template's model.
func (fg *flightGallery) search(live biometric.Template) ([]biometric.Candidate, error) {
	fg.mu.RLock()
	g := fg.byModel[live.Model]
	fg.mu.RUnlock()
	if g == nil {
		return nil, nil
	}
	return g.Search(live, 2)
}

// Len is the number of templates in the flight's galleries.
func (fg *flightGallery) Len() int {
	fg.mu.RLock()
	defer fg.mu.RUnlock()
	return len(fg.model)
}
