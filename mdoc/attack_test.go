package mdoc

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs"
)

// mutate decodes a DeviceResponse, lets fn change it and encodes it again; the raw parts
// (items, issuerAuth, device namespaces) are written back byte for byte unless fn replaces them.
func mutate(t *testing.T, resp []byte, fn func(d *Document)) []byte {
	t.Helper()
	var r DeviceResponse
	if err := decode(resp, &r, "DeviceResponse"); err != nil {
		t.Fatal(err)
	}
	fn(&r.Documents[0])
	out, err := encMode.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reitem re-encodes item raw after fn changed it (canonically, as a new #6.24 item).
func reitem(t *testing.T, raw []byte, fn func(it *IssuerSignedItem)) cbor.RawMessage {
	t.Helper()
	it, err := parseItem(raw)
	if err != nil {
		t.Fatal(err)
	}
	fn(it)
	b, err := encMode.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	w, err := wrap24(b)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAttacks(t *testing.T) {
	f := newFixture(t)
	is := f.issue(t)
	st := transcript(t, "n1")
	good := f.present(t, is, st)
	opts := VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st}
	items := func(d *Document) []cbor.RawMessage { return d.IssuerSigned.NameSpaces[NamespaceMDL] }

	// Responses made by other issuers or with other validity.
	issueWith := func(s certs.Signer, in func(*IssueInput)) []byte {
		input := f.input()
		if in != nil {
			in(&input)
		}
		b, err := Issue(input, s)
		if err != nil {
			t.Fatal(err)
		}
		return f.present(t, b, st)
	}
	notDS := func() certs.Signer { // a certificate under the IACA without the DS profile
		k := newKey(t)
		tmpl := &x509.Certificate{NotBefore: f.now.Add(-time.Hour), NotAfter: f.now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
		c, err := certs.CreateCertificate(tmpl, f.iaca, &k.PublicKey, f.iacaKey)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := certs.NewSigner(k, []*x509.Certificate{c})
		return s
	}
	otherIACA := newFixture(t)

	for _, tc := range []struct {
		name string
		resp []byte
		opts VerifyOptions
		want Code
	}{
		{"value changed", mutate(t, good, func(d *Document) {
			items(d)[0] = reitem(t, items(d)[0], func(it *IssuerSignedItem) { it.ElementValue, _ = encMode.Marshal("Someone Else") })
		}), opts, CodeUnreferenced},
		{"digestIDs swapped", mutate(t, good, func(d *Document) {
			a, _ := parseItem(items(d)[0])
			b, _ := parseItem(items(d)[1])
			items(d)[0] = reitem(t, items(d)[0], func(it *IssuerSignedItem) { it.DigestID = b.DigestID })
			items(d)[1] = reitem(t, items(d)[1], func(it *IssuerSignedItem) { it.DigestID = a.DigestID })
		}), opts, CodeUnreferenced},
		{"element absent from the MSO", mutate(t, good, func(d *Document) {
			d.IssuerSigned.NameSpaces[NamespaceMDL] = append(items(d), reitem(t, items(d)[0], func(it *IssuerSignedItem) {
				it.DigestID, it.ElementIdentifier = 999, "age_over_65"
				it.ElementValue, _ = encMode.Marshal(true)
			}))
		}), opts, CodeUnreferenced},
		{"namespace absent from the MSO", mutate(t, good, func(d *Document) {
			d.IssuerSigned.NameSpaces["org.example.extra"] = []cbor.RawMessage{items(d)[0]}
		}), opts, CodeUnreferenced},
		{"duplicate digestID", mutate(t, good, func(d *Document) {
			d.IssuerSigned.NameSpaces[NamespaceMDL] = append(items(d), items(d)[0])
		}), opts, CodeDuplicate},
		{"random too short", mutate(t, good, func(d *Document) {
			items(d)[0] = reitem(t, items(d)[0], func(it *IssuerSignedItem) { it.Random = it.Random[:15] })
		}), opts, CodeMalformed},
		{"issuerAuth signature changed", mutate(t, good, func(d *Document) {
			var s sign1
			_ = decode(d.IssuerSigned.IssuerAuth, &s, "")
			s.Signature[5] ^= 1
			d.IssuerSigned.IssuerAuth, _ = encMode.Marshal(s)
		}), opts, CodeSignatureInvalid},
		{"MSO replaced", mutate(t, good, func(d *Document) {
			other := f.issue(t)
			var is IssuerSigned
			_ = decode(other, &is, "")
			var s, o sign1
			_ = decode(d.IssuerSigned.IssuerAuth, &s, "")
			_ = decode(is.IssuerAuth, &o, "")
			s.Payload = o.Payload
			d.IssuerSigned.IssuerAuth, _ = encMode.Marshal(s)
		}), opts, CodeSignatureInvalid},
		{"signed by a certificate that is not a DS", issueWith(notDS(), nil), opts, CodeUntrustedIssuer},
		{"signed under an untrusted IACA", issueWith(otherIACA.ds, nil), opts, CodeUntrustedIssuer},
		{"validUntil passed", issueWith(f.ds, func(in *IssueInput) {
			in.ValidUntil = f.now.Add(30 * time.Minute) // the verifier's clock is f.now + 1h
		}), opts, CodeExpired},
		{"validFrom ahead", issueWith(f.ds, func(in *IssueInput) {
			in.ValidFrom, in.ValidUntil = f.now.Add(48*time.Hour), f.now.Add(72*time.Hour)
		}), opts, CodeNotYetValid},
		{"signed outside the DS validity", issueWith(f.ds, func(in *IssueInput) {
			in.Signed = f.now.Add(-48 * time.Hour)
		}), opts, CodeIssuerCertTime},
		{"device signature over another transcript", good, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: transcript(t, "n2")}, CodeDeviceAuthInvalid},
		{"device signed by another key", func() []byte {
			r, err := Present(is, twoElements, st, newKey(t))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}(), opts, CodeDeviceAuthInvalid},
		{"device auth removed", mutate(t, good, func(d *Document) { d.DeviceSigned.DeviceAuth = DeviceAuth{} }), opts, CodeDeviceAuthMissing},
		{"device namespaces changed", mutate(t, good, func(d *Document) {
			b, _ := encMode.Marshal(map[string]map[string]any{NamespaceMDL: {"family_name": "X"}})
			d.DeviceSigned.NameSpaces, _ = wrap24(b)
		}), opts, CodeDeviceAuthInvalid},
		{"docType mismatch", mutate(t, good, func(d *Document) { d.DocType = "org.example.other" }), VerifyOptions{DocType: "org.example.other", SessionTranscript: st}, CodeDocTypeMismatch},
		{"docType not asked", good, VerifyOptions{DocType: "org.example.other", SessionTranscript: st}, CodeDocumentNotPresent},
		{"item re-encoded non-minimally", mutate(t, good, func(d *Document) {
			// The same item with its bstr length in two bytes instead of one: equal after
			// decoding, but not the bytes the issuer digested.
			raw := items(d)[0]
			n := raw[3]
			items(d)[0] = append([]byte{0xd8, 0x18, 0x59, 0x00, n}, raw[4:]...)
		}), opts, CodeUnreferenced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.verifier().Verify(tc.resp, tc.opts)
			if CodeOf(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestNonCanonicalSignedBytesVerify: an issuer that digests non-canonical item bytes (a
// two-byte length and a non-minimal integer) is verified against those bytes as received; the
// verifier never re-encodes, so this passes and the canonical form of the same item fails.
func TestNonCanonicalSignedBytesVerify(t *testing.T) {
	f := newFixture(t)
	// {"digestID": 0 (as 0x18 0x00), "random": 16 bytes, "elementIdentifier": "age_over_19", "elementValue": true}
	var item bytes.Buffer
	item.WriteByte(0xa4)
	item.Write(append([]byte{0x68}, "digestID"...))
	item.Write([]byte{0x18, 0x00})
	item.Write(append([]byte{0x66}, "random"...))
	item.Write(append([]byte{0x50}, bytes.Repeat([]byte{7}, 16)...))
	item.Write(append([]byte{0x71}, "elementIdentifier"...))
	item.Write(append([]byte{0x6b}, "age_over_19"...))
	item.Write(append([]byte{0x6c}, "elementValue"...))
	item.WriteByte(0xf5)
	raw := append([]byte{0xd8, 0x18, 0x59, 0x00, byte(item.Len())}, item.Bytes()...)
	canonical, _ := wrap24(item.Bytes())

	resp := func(itemBytes []byte) []byte {
		is := signRaw(t, f, map[string][]cbor.RawMessage{NamespaceMDL: {raw}})
		var s IssuerSigned
		_ = decode(is, &s, "")
		s.NameSpaces[NamespaceMDL][0] = itemBytes
		b, _ := encMode.Marshal(s)
		r, err := Present(b, Request{NamespaceMDL: {"age_over_19"}}, transcript(t, "n"), f.device)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	opts := VerifyOptions{DocType: DocTypeMDL, SessionTranscript: transcript(t, "n")}
	got, err := f.verifier().Verify(resp(raw), opts)
	if err != nil {
		t.Fatalf("received bytes: %v", err)
	}
	if v, _ := got.Value(NamespaceMDL, "age_over_19"); v != true {
		t.Fatalf("age_over_19 = %v", v)
	}
	if _, err := f.verifier().Verify(resp(canonical), opts); CodeOf(err) != CodeUnreferenced {
		t.Fatalf("canonical re-encoding: err = %v, want %s", err, CodeUnreferenced)
	}
}

// signRaw signs an MSO over the given #6.24 item bytes as they are.
func signRaw(t *testing.T, f *fixture, items map[string][]cbor.RawMessage) []byte {
	t.Helper()
	in := f.input()
	devKey, _ := encodeCOSEKey(in.DeviceKey)
	mso := MSO{Version: version, DigestAlgorithm: digestAlgorithm, DocType: in.DocType, ValueDigests: map[string]map[uint64][]byte{},
		DeviceKeyInfo: DeviceKeyInfo{DeviceKey: devKey},
		ValidityInfo:  ValidityInfo{Signed: TDate(in.Signed), ValidFrom: TDate(in.ValidFrom), ValidUntil: TDate(in.ValidUntil)}}
	for ns, list := range items {
		mso.ValueDigests[ns] = map[uint64][]byte{}
		for _, raw := range list {
			it, err := parseItem(raw)
			if err != nil {
				t.Fatal(err)
			}
			d := sha256Sum(raw)
			mso.ValueDigests[ns][it.DigestID] = d
		}
	}
	mb, _ := encMode.Marshal(mso)
	payload, _ := wrap24(mb)
	auth, err := signSign1(f.ds, payload, nil, [][]byte{f.ds.Chain()[0].Raw})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := encMode.Marshal(IssuerSigned{NameSpaces: items, IssuerAuth: auth})
	return b
}

func TestStrictDecoding(t *testing.T) {
	f := newFixture(t)
	st := transcript(t, "n1")
	good := f.present(t, f.issue(t), st)
	opts := VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st}
	deep := append(bytes.Repeat([]byte{0x81}, 200), 0x00)
	dupKey := []byte{0xa2, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x63, '1', '.', '0', 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x63, '1', '.', '0'}
	indef := append([]byte{0xbf}, append(good[1:], 0xff)...) // the top map as indefinite-length
	bigArr := []byte{0x9a, 0x7f, 0xff, 0xff, 0xff}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"oversized", make([]byte, MaxResponseBytes+1)},
		{"deeply nested", deep},
		{"duplicate map key", dupKey},
		{"indefinite length", indef},
		{"huge array header", bigArr},
		{"truncated", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte{}, good...), 0x00)},
		{"key case differs", bytes.Replace(good, []byte("docType"), []byte("DocType"), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.verifier().Verify(tc.b, opts); CodeOf(err) != CodeMalformed && CodeOf(err) != CodeDocumentNotPresent {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := f.verifier().Verify(good, opts); err != nil {
		t.Fatalf("good response: %v", err)
	}
}
