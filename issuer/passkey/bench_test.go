package passkey_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/passkey/passkeytest"
)

// BenchmarkLogin: one discoverable login ceremony server side (begin, parse, ES256 verify,
// counter CAS on the memory store); the software authenticator's signing is excluded.
func BenchmarkLogin(b *testing.B) {
	r := newRig(b)
	a := r.register(b, "holder-1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		begin, err := r.svc.BeginLogin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		resp, err := a.Get(optionsJSON(b, begin))
		if err != nil {
			b.Fatal(err)
		}
		body := finishBody(begin.Session, resp)
		b.StartTimer()
		if _, err := r.svc.FinishLogin(ctx, body); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		r.now = r.now.Add(sessionTTL) // each success holds a single-use record until its token expires
		b.StartTimer()
	}
}

// sessionTTL is past a ceremony token's lifetime (5 min): the benchmarks move the fake clock by
// it so that their successful ceremonies' single-use records expire instead of filling the set.
const sessionTTL = 5*time.Minute + time.Second

// BenchmarkRegister: begin + finish of a registration (attestation "none", CBOR parse);
// the software authenticator's key generation is excluded.
func BenchmarkRegister(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++ // a holder per passkey: the cost of a first registration, not of a long exclusion list
		inv, err := r.svc.Invite(ctx, "op", fmt.Sprintf("holder-%d", i), []string{"mdl"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		begin, err := r.svc.BeginRegistration(ctx, inviteToken(b, inv))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		resp, err := passkeytest.New(origin).Create(optionsJSON(b, begin))
		if err != nil {
			b.Fatal(err)
		}
		body := finishBody(begin.Session, resp)
		b.StartTimer()
		if _, err := r.svc.FinishRegistration(ctx, body); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		r.now = r.now.Add(sessionTTL)
		b.StartTimer()
	}
}
