package keyattest_test

import (
	"context"
	"testing"

	"github.com/idgate/idgate/keyattest"
)

// BenchmarkVerify is what an issuer spends on one key attestation: parse, chain (cached after
// the first), ES256 signature, times. BenchmarkParse is the format alone.
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b)
	att := []byte(e.issue(b, nil))
	opts := e.opts()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keyattest.Verify(context.Background(), att, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	e := newEnv(b)
	att := []byte(e.issue(b, nil))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keyattest.Parse(att); err != nil {
			b.Fatal(err)
		}
	}
}
