package gate

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/statuslist"
)

// noCredentials is never called by Identify; New requires a verifier. Its status checker
// answers validStatus.
type noCredentials struct{}

func (noCredentials) Verify(context.Context, string, credential.Expectation) (*credential.Result, error) {
	return nil, errors.New("not used")
}

func (noCredentials) StatusChecker() credential.StatusChecker { return validStatus{} }

// validStatus answers VALID for every entry of benchStatusURI and fails any other: it stands
// in for the status list server (the system edge) in these in-package tests. A production
// statuslist.Checker answers from its cache with a lock, a map lookup and a bit read.
type validStatus struct{}

const benchStatusURI = "https://status.idgate.test/1"

func (validStatus) Status(_ context.Context, ref statuslist.Reference) (uint8, error) {
	if ref.URI != benchStatusURI {
		return 0, errors.New("unknown list")
	}
	return statuslist.Valid, nil
}

// BenchmarkIdentify measures the identify path (gate lookup, template decode, 1:N search,
// ambiguity check, single-use lookup) over a flight gallery of n enrolments. The gallery is
// filled directly with random templates: sealing and opening 100k JWEs is setup, not the path.
func BenchmarkIdentify(b *testing.B) {
	for _, n := range []int{500, 100_000} {
		b.Run(fmt.Sprintf("gallery=%d", n), func(b *testing.B) {
			reader, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			s, err := New(Config{Credentials: noCredentials{}, Passes: certs.NewTrustList(), ReaderKey: reader,
				Store: NewMemoryStore(), Audience: "https://v.test"})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			g, err := s.PutGate(ctx, "A1", GateUpdate{Carrier: "IG", Number: "1", Date: "2026-11-27", Boarding: true})
			if err != nil {
				b.Fatal(err)
			}
			rng := mrand.New(mrand.NewPCG(3, 4))
			random := func() biometric.Template {
				v := make([]float32, biometric.Dim)
				for i := range v {
					v[i] = float32(rng.NormFloat64() / 16)
				}
				t, _ := biometric.NewTemplate("m", v)
				return t
			}
			fg := &flightGallery{loaded: true, byModel: map[biometric.ModelID]*biometric.Gallery{}, model: map[PassID]biometric.ModelID{},
				departure: map[PassID]time.Time{}, status: map[PassID]credential.StatusRef{}}
			var target biometric.Template
			for i := range n {
				t := random()
				if i == n/2 {
					target = t
				}
				fg.addLocked(PassID(fmt.Sprintf("%064x", i)), t, &Enrolment{Departure: g.Departure, Status: credential.StatusRef{URI: benchStatusURI, Index: i}, IDExpires: time.Now().Add(24 * time.Hour)})
			}
			s.galleries.Store(g.Flight.Key(), fg)
			probe := target
			probe.Vector[0] += 0.05
			live, _ := probe.EncodeString()
			req := &IdentifyRequest{LiveFace: LiveFace{Template: live}}
			if d := s.Identify(ctx, "A1", req); !d.Allowed() { // boards once; later iterations are already_boarded
				b.Fatalf("%+v", d)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if d := s.Identify(ctx, "A1", req); d.Checks.Face != CheckPass {
					b.Fatalf("%+v", d)
				}
			}
		})
	}
}
