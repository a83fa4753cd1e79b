package mdoc

import (
	"bytes"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

func TestCheckIssuerSigned(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t)
	h, err := CheckIssuerSigned(is)
	if err != nil {
		t.Fatal(err)
	}
	if h.DocType != DocTypeMDL || !h.DeviceKey.Equal(&f.device.PublicKey) || len(h.Elements) != len(f.input().NameSpaces[NamespaceMDL]) {
		t.Fatalf("held %+v", h)
	}
	if !bytes.Equal(h.Chain[0].Raw, f.ds.Chain()[0].Raw) || h.MSO.Status.StatusList.Idx != 7 {
		t.Fatalf("chain or status: %+v", h.MSO.Status)
	}

	// rewrite decodes is, lets fn change it and encodes it again (raw parts byte for byte).
	rewrite := func(fn func(s *IssuerSigned)) []byte {
		var s IssuerSigned
		if err := decode(is, &s, ""); err != nil {
			t.Fatal(err)
		}
		fn(&s)
		b, err := encMode.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	other := newFixture(t).issue(t)
	var otherIS IssuerSigned
	if err := decode(other, &otherIS, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    []byte
		code Code
	}{
		{"not CBOR", []byte("not cbor"), CodeMalformed},
		{"element value changed", rewrite(func(s *IssuerSigned) {
			s.NameSpaces[NamespaceMDL][0] = reitem(t, s.NameSpaces[NamespaceMDL][0], func(it *IssuerSignedItem) {
				it.ElementValue = cbor.RawMessage{0x63, 'e', 'v', 'e'}
			})
		}), CodeUnreferenced},
		{"item of another mdoc", rewrite(func(s *IssuerSigned) {
			s.NameSpaces[NamespaceMDL][0] = otherIS.NameSpaces[NamespaceMDL][0]
		}), CodeUnreferenced},
		{"item twice", rewrite(func(s *IssuerSigned) {
			s.NameSpaces[NamespaceMDL] = append(s.NameSpaces[NamespaceMDL], s.NameSpaces[NamespaceMDL][0])
		}), CodeDuplicate},
		{"issuerAuth of another mdoc", rewrite(func(s *IssuerSigned) { s.IssuerAuth = otherIS.IssuerAuth }), CodeUnreferenced},
		{"no namespaces", rewrite(func(s *IssuerSigned) { s.NameSpaces = nil }), CodeMalformed},
		{"signature flipped", rewrite(func(s *IssuerSigned) {
			var s1 sign1
			if err := decode(s.IssuerAuth, &s1, ""); err != nil {
				t.Fatal(err)
			}
			s1.Signature[0] ^= 1
			s.IssuerAuth, _ = encMode.Marshal(s1)
		}), CodeSignatureInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := CheckIssuerSigned(c.b); CodeOf(err) != c.code {
				t.Fatalf("err %v, want %s", err, c.code)
			}
		})
	}
}

func FuzzCheckIssuerSigned(f *testing.F) {
	_, _, is, _ := fuzzSeeds(f)
	f.Add(is)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := CheckIssuerSigned(b)
		if (err == nil) == (h == nil) || (err != nil && CodeOf(err) == "") {
			t.Fatalf("result %v, err %v", h, err)
		}
	})
}
