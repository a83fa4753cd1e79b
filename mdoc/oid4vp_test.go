package mdoc

import (
	"testing"

	"github.com/idgate/idgate/oid4vp"
)

// TestOpenID4VPTranscript: a DeviceResponse bound to the OpenID4VP 1.0 handover (B.2.6.1)
// verifies for the same client_id, nonce, encryption key and response_uri, and for no other
// (a response replayed to another verifier or nonce).
func TestOpenID4VPTranscript(t *testing.T) {
	f := newFixture(t)
	tp := make([]byte, 32)
	st := func(clientID, nonce string, thumb []byte) []byte {
		b, err := oid4vp.SessionTranscript(clientID, nonce, thumb, "https://rp.example/response")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := st("x509_san_dns:rp.example", "nonce-1", tp)
	resp := f.present(t, f.issue(t), good)
	if _, err := f.verifier().Verify(resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: good}); err != nil {
		t.Fatal(err)
	}
	for name, other := range map[string][]byte{
		"other verifier":       st("x509_san_dns:evil.example", "nonce-1", tp),
		"other nonce":          st("x509_san_dns:rp.example", "nonce-2", tp),
		"unencrypted response": st("x509_san_dns:rp.example", "nonce-1", nil),
	} {
		if _, err := f.verifier().Verify(resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: other}); CodeOf(err) != CodeDeviceAuthInvalid {
			t.Errorf("%s: err = %v, want %s", name, err, CodeDeviceAuthInvalid)
		}
	}
}
