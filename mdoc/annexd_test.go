package mdoc

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs"
)

// annexD holds the ISO/IEC 18013-5 Annex D vectors of testdata/annexd (see PROVENANCE.md).
type annexD struct {
	response   []byte
	transcript []byte // untagged SessionTranscript
	iaca       *x509.Certificate
	readerKey  *ecdh.PrivateKey
	deviceD    []byte
}

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/annexd/" + name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func loadAnnexD(t testing.TB) annexD {
	t.Helper()
	var v annexD
	v.response = readHex(t, "device_response.hex")
	stb := readHex(t, "session_transcript.hex")
	var err error
	if v.transcript, err = unwrap24(stb, "SessionTranscriptBytes"); err != nil {
		t.Fatal(err)
	}
	if v.iaca, err = x509.ParseCertificate(readHex(t, "iaca.hex")); err != nil {
		t.Fatal(err)
	}
	keys := map[string][]byte{}
	b, err := os.ReadFile("testdata/annexd/keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			keys[f[0]], _ = hex.DecodeString(f[1])
		}
	}
	if v.readerKey, err = ecdh.P256().NewPrivateKey(keys["reader_d"]); err != nil {
		t.Fatal(err)
	}
	v.deviceD = keys["device_d"]
	return v
}

// annexDTrust trusts the Annex D IACA for the mDL.
func annexDTrust(v annexD) *certs.TrustList {
	return certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: DocTypeMDL, Roots: []*x509.Certificate{v.iaca}})
}

// annexDNow is a time inside the example's validity (2020-10-01T13:30:02Z .. 2021-10-01T13:30:02Z).
var annexDNow = time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)

func TestAnnexDVectorFacts(t *testing.T) {
	v := loadAnnexD(t)
	sum := sha256.Sum256(v.response)
	if len(v.response) != 3562 || hex.EncodeToString(sum[:]) != "a61b7e50d102b05e41df8ccb11d9cef91edbcea141b15a4a1e1a5742fbb99b62" {
		t.Fatalf("DeviceResponse: %d bytes, sha256 %x", len(v.response), sum)
	}
	if len(v.iaca.Raw) != 466 || hex.EncodeToString(v.iaca.SubjectKeyId) != "54fa2383a04c28e0d930792261c80c4881d2c00b" {
		t.Fatalf("IACA: %d bytes, SKI %x", len(v.iaca.Raw), v.iaca.SubjectKeyId)
	}
}

func TestAnnexDVerifies(t *testing.T) {
	v := loadAnnexD(t)
	ver := &Verifier{Trust: annexDTrust(v), Now: func() time.Time { return annexDNow }}
	got, err := ver.Verify(v.response, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey})
	if err != nil {
		t.Fatal(err)
	}
	if !got.DeviceMAC || got.Signer.Subject.CommonName != "utopia ds" || len(got.Signer.Raw) != 499 {
		t.Fatalf("MAC %v, signer %q (%d bytes)", got.DeviceMAC, got.Signer.Subject.CommonName, len(got.Signer.Raw))
	}
	want := map[string]any{
		"family_name":     "Doe",
		"issue_date":      cbor.Tag{Number: 1004, Content: "2019-10-20"},
		"expiry_date":     cbor.Tag{Number: 1004, Content: "2024-10-20"},
		"document_number": "123456789",
	}
	if len(got.Elements) != 6 {
		t.Fatalf("%d elements, want 6", len(got.Elements))
	}
	for id, w := range want {
		val, ok := got.Value(NamespaceMDL, id)
		if !ok || !equalValue(val, w) {
			t.Errorf("%s = %#v, want %#v", id, val, w)
		}
	}
	if p, _ := got.Value(NamespaceMDL, "portrait"); len(p.([]byte)) != 1042 {
		t.Errorf("portrait %d bytes, want 1042", len(p.([]byte)))
	}
	dp, _ := got.Value(NamespaceMDL, "driving_privileges")
	if l, ok := dp.([]any); !ok || len(l) != 2 {
		t.Errorf("driving_privileges %#v", dp)
	}
	if got.MSO.ValidityInfo.Signed.Time() != time.Date(2020, 10, 1, 13, 30, 2, 0, time.UTC) || len(got.MSO.ValueDigests[NamespaceMDL]) != 13 || len(got.MSO.ValueDigests["org.iso.18013.5.1.US"]) != 4 {
		t.Errorf("MSO %+v", got.MSO.ValidityInfo)
	}
}

func equalValue(a, b any) bool {
	ab, err1 := encMode.Marshal(a)
	bb, err2 := encMode.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb)
}

// TestAnnexDFailures: the same vector fails with the right code when the reader's expectations
// differ from the example's.
func TestAnnexDFailures(t *testing.T) {
	v := loadAnnexD(t)
	otherReader, _ := ecdh.P256().GenerateKey(nil)
	otherTranscript, _ := encMode.Marshal([]any{nil, nil, []any{"OpenID4VPHandover", make([]byte, 32)}})
	untrusted := certs.NewTrustList()
	for _, tc := range []struct {
		name  string
		trust *certs.TrustList
		now   time.Time
		opts  VerifyOptions
		want  Code
	}{
		{"expired", annexDTrust(v), time.Date(2021, 10, 2, 0, 0, 0, 0, time.UTC), VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey}, CodeExpired},
		{"not yet valid", annexDTrust(v), time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey}, CodeNotYetValid},
		{"no IACA trusted", untrusted, annexDNow, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey}, CodeUntrustedIssuer},
		{"IACA trusted for another docType", certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: "org.example.other", Roots: []*x509.Certificate{v.iaca}}), annexDNow, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: v.readerKey}, CodeUntrustedIssuer},
		{"other docType asked", annexDTrust(v), annexDNow, VerifyOptions{DocType: "org.example.other", SessionTranscript: v.transcript, ReaderKey: v.readerKey}, CodeDocumentNotPresent},
		{"other transcript", annexDTrust(v), annexDNow, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: otherTranscript, ReaderKey: v.readerKey}, CodeDeviceAuthInvalid},
		{"other reader key", annexDTrust(v), annexDNow, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript, ReaderKey: otherReader}, CodeDeviceAuthInvalid},
		{"no reader key", annexDTrust(v), annexDNow, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: v.transcript}, CodeDeviceAuthInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ver := &Verifier{Trust: tc.trust, Now: func() time.Time { return tc.now }}
			_, err := ver.Verify(v.response, tc.opts)
			if CodeOf(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}
