package gate

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
)

// warnCounter counts Warn records (the gallery logs a row that does not open).
type warnCounter struct {
	slog.Handler
	n atomic.Int64
}

func (w *warnCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	w.n.Add(1)
	return nil
}

// sealedFlight returns a Service whose store holds n enrolments of random templates for one
// flight, every foreign-th one sealed to another key (it cannot open), and the templates.
func sealedFlight(tb testing.TB, n, foreign int, log slog.Handler) (*Service, string, []biometric.Template) {
	tb.Helper()
	reader, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if log == nil {
		log = slog.DiscardHandler
	}
	store := NewMemoryStore()
	s, err := New(Config{Credentials: noCredentials{}, Passes: certs.NewTrustList(), ReaderKey: reader,
		Store: store, Audience: "https://v.test", Logger: slog.New(log)})
	if err != nil {
		tb.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(5, 6))
	const flight = "IG0101/2026-11-27"
	dep := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	tmpls := make([]biometric.Template, n)
	es := make([]Enrolment, n)
	for i := range tmpls {
		v := make([]float32, biometric.Dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64() / 16)
		}
		tmpls[i], _ = biometric.NewTemplate("m", v)
		to := &reader.PublicKey
		if foreign > 0 && i%foreign == 0 {
			to = &other.PublicKey
		}
		sealed, err := biometric.Seal(tmpls[i], to)
		if err != nil {
			tb.Fatal(err)
		}
		es[i] = Enrolment{Flight: flight, Pass: PassID(fmt.Sprintf("%064x", i)), Sealed: sealed, Departure: dep, EnrolledAt: dep, Status: credential.StatusRef{URI: benchStatusURI, Index: i}, IDExpires: time.Now().Add(24 * time.Hour)}
	}
	if err := store.EnrolBatch(context.Background(), es); err != nil {
		tb.Fatal(err)
	}
	return s, flight, tmpls
}

// TestFirstLoadParallel: concurrent first uses of a flight's gallery all see one complete
// load (rows that do not open skipped and warned); run with -race.
func TestFirstLoadParallel(t *testing.T) {
	const n, foreign = 97, 10
	log := &warnCounter{}
	s, flight, tmpls := sealedFlight(t, n, foreign, log)
	var wg sync.WaitGroup
	got := make([]*flightGallery, 8)
	for i := range got {
		wg.Go(func() {
			fg, err := s.flightGallery(context.Background(), flight)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = fg
			_ = fg.Len()
		})
	}
	wg.Wait()
	skipped := (n + foreign - 1) / foreign
	for i, fg := range got {
		if fg == nil || fg != got[0] || fg.Len() != n-skipped {
			t.Fatalf("caller %d: gallery %p of %d, want %p of %d", i, fg, fg.Len(), got[0], n-skipped)
		}
	}
	if w := log.n.Load(); w != int64(skipped) {
		t.Fatalf("%d warnings, want %d", w, skipped)
	}
	for i, tm := range tmpls {
		c, err := got[0].search(tm)
		if err != nil {
			t.Fatal(err)
		}
		found := len(c) > 0 && c[0].ID == string(PassID(fmt.Sprintf("%064x", i))) && c[0].Distance < 1e-3
		if found != (i%foreign != 0) {
			t.Fatalf("row %d: found=%v (candidates %+v)", i, found, c)
		}
	}
}

// BenchmarkGalleryFirstLoad opens a flight's sealed templates (one ECDH-ES JWE each) into a
// new gallery: serially (the old first load) and on GOMAXPROCS workers.
func BenchmarkGalleryFirstLoad(b *testing.B) {
	const n = 1000
	s, flight, _ := sealedFlight(b, n, 0, nil)
	es, err := s.cfg.Store.Enrolments(context.Background(), flight)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("rows=%d/workers=%d", n, workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fg := &flightGallery{byModel: map[biometric.ModelID]*biometric.Gallery{}, model: map[PassID]biometric.ModelID{}, departure: map[PassID]time.Time{}}
				fg.mu.Lock()
				s.openInto(fg, flight, es, workers)
				fg.mu.Unlock()
				if fg.Len() != n {
					b.Fatalf("%d rows loaded", fg.Len())
				}
			}
		})
	}
}
