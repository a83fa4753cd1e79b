package mdoc

import (
	"testing"
	"time"
)

// Fuzz targets for every decoder of untrusted bytes, seeded with the Annex D vector and an
// idgate-issued response. Each must return a typed error or a result, never panic.

func fuzzSeeds(f *testing.F) (annexD, *fixture, []byte, []byte) {
	v := loadAnnexD(f)
	fx := newFixture(f)
	is := fx.issue(f)
	resp := fx.present(f, is, transcript(f, "n"))
	return v, fx, is, resp
}

func FuzzVerifyDeviceResponse(f *testing.F) {
	v, fx, _, resp := fuzzSeeds(f)
	f.Add(v.response)
	f.Add(resp)
	annex := &Verifier{Trust: annexDTrust(v), Now: func() time.Time { return annexDNow }}
	own := fx.verifier()
	st := transcript(f, "n")
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []struct {
			v    *Verifier
			opts VerifyOptions
		}{
			{annex, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey}},
			{own, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st}},
		} {
			got, err := c.v.Verify(b, c.opts)
			if (err == nil) == (got == nil) || (err != nil && CodeOf(err) == "") {
				t.Fatalf("result %v, err %v", got, err)
			}
		}
	})
}

func FuzzParseIssuerAuth(f *testing.F) {
	_, _, is, _ := fuzzSeeds(f)
	var s IssuerSigned
	if err := decode(is, &s, ""); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(s.IssuerAuth))
	f.Fuzz(func(t *testing.T, b []byte) {
		sig, mso, err := parseIssuerAuth(b)
		if err == nil {
			if sig == nil || mso == nil {
				t.Fatal("nil result without error")
			}
			_, _ = x5chain(sig.Unprotected)
			_, _ = parseCOSEKey(mso.DeviceKeyInfo.DeviceKey)
		} else if CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzParseItem(f *testing.F) {
	_, _, is, _ := fuzzSeeds(f)
	var s IssuerSigned
	if err := decode(is, &s, ""); err != nil {
		f.Fatal(err)
	}
	for _, raw := range s.NameSpaces[NamespaceMDL] {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseItem(b); err != nil && CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzPresent(f *testing.F) {
	_, fx, is, _ := fuzzSeeds(f)
	f.Add(is)
	st := transcript(f, "n")
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Present(b, twoElements, st, fx.device); err != nil && CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzCOSEKey(f *testing.F) {
	_, fx, _, _ := fuzzSeeds(f)
	k, _ := encodeCOSEKey(&fx.device.PublicKey)
	f.Add(k)
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseCOSEKey(b); err != nil && CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}
