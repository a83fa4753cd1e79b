package gate

import (
	"encoding/base64"
	"testing"
)

// FuzzDecodeGateRequest: the decoders never panic, and whatever they accept respects the bounds.
func FuzzDecodeGateRequest(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	kb := enc([]byte(`{"alg":"ES256","typ":"kb+jwt"}`)) + "." + enc([]byte(`{"nonce":"n","aud":"a","iat":1}`)) + ".c2ln"
	// A Resolution 792 example pass (IATA implementation guide, as BCBP parsers' tests quote it).
	const bcbp = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	for _, s := range []string{
		`{"presentation":"eyJ.eyJ.sig~WyJz~` + kb + `","bcbp":"` + bcbp + `","live_template":"9wEM"}`,
		`{"presentation":"x","bcbp":"` + bcbp + `","live_jpeg":"/9j/4AAQ"}`,
		`{"live_template":"AAAA"}`,
		`{"presentation":"x","bcbp":"y","departure":"2026-11-27T10:00:00Z"}`,
		`{"presentation":"\u0000","bcbp":"\ud800","live_template":""}`,
		`[[[[[[]]]]]]`, `{"a":"\"}"}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := DecodeGateRequest(body); err == nil {
			if r.Presentation == "" || len(r.Presentation) > MaxPresentationLen || r.BCBP == "" ||
				(r.Template == "") == (len(r.JPEG) == 0) || len(r.JPEG) > MaxJPEGBytes {
				t.Fatalf("accepted out-of-bounds request %+v", r)
			}
			_ = peekNonce(r.Presentation)
		}
		if r, err := DecodeIdentifyRequest(body); err == nil && (r.Template == "") == (len(r.JPEG) == 0) {
			t.Fatalf("accepted identify request without exactly one live face")
		}
		_, _ = DecodeEnrolRequest(body)
	})
}
