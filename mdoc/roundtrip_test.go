package mdoc

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestIssuePresentVerify(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t)
	st := transcript(t, "n1")
	resp := f.present(t, is, st)
	got, err := f.verifier().Verify(resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Elements) != 2 {
		t.Fatalf("disclosed %d elements, want only the 2 requested", len(got.Elements))
	}
	if v, _ := got.Value(NamespaceMDL, "family_name"); v != "Mustermann" {
		t.Errorf("family_name %v", v)
	}
	if v, _ := got.Value(NamespaceMDL, "age_over_19"); v != true {
		t.Errorf("age_over_19 %v", v)
	}
	if got.DeviceMAC || !got.DeviceKey.Equal(&f.device.PublicKey) {
		t.Error("device key or auth kind")
	}
	if s := got.MSO.Status; s == nil || s.StatusList == nil || s.StatusList.Idx != 7 || s.StatusList.URI != "https://issuer.test/status/1" {
		t.Errorf("status %+v", s)
	}
	if !got.MSO.ValidityInfo.Signed.Time().Equal(f.now) {
		t.Errorf("signed %v, want %v", got.MSO.ValidityInfo.Signed.Time(), f.now)
	}
}

// TestIssueItems: every item has a 32-byte random, digestIDs are a permutation, and each MSO
// digest is SHA-256 over the item's #6.24 bytes.
func TestIssueItems(t *testing.T) {
	f := newFixture(t)
	var is IssuerSigned
	if err := decode(f.issue(t), &is, "IssuerSigned"); err != nil {
		t.Fatal(err)
	}
	_, mso, err := parseIssuerAuth(is.IssuerAuth)
	if err != nil {
		t.Fatal(err)
	}
	items := is.NameSpaces[NamespaceMDL]
	if len(items) != 14 || len(mso.ValueDigests[NamespaceMDL]) != 14 {
		t.Fatalf("%d items, %d digests", len(items), len(mso.ValueDigests[NamespaceMDL]))
	}
	randoms := map[string]bool{}
	for _, raw := range items {
		it, err := parseItem(raw)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256(raw)
		if len(it.Random) != 32 || randoms[string(it.Random)] || !bytes.Equal(mso.ValueDigests[NamespaceMDL][it.DigestID], d[:]) {
			t.Errorf("%s: random %d bytes or digest mismatch", it.ElementIdentifier, len(it.Random))
		}
		randoms[string(it.Random)] = true
	}
}

func TestPresentUnknownElement(t *testing.T) {
	f := newFixture(t)
	_, err := Present(f.issue(t), Request{NamespaceMDL: {"nickname"}}, transcript(t, "n"), f.device)
	if CodeOf(err) != CodeNotDisclosed {
		t.Fatalf("err = %v", err)
	}
}
