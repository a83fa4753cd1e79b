package gate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
)

// mdocSeed is the start of an ISO/IEC 18013-5 DeviceResponse ({"version": "1.0",
// "documents": [...]}) in base64url: the shape of the mdoc member.
const mdocSeed = "o2d2ZXJzaW9uYzEuMGlkb2N1bWVudHOBo2dkb2NUeXBldW9yZy5pc28uMTgwMTMuNS4xLm1ETA"

// requestSeeds are the request fuzz seeds, shared by the decoders' fuzz targets.
func requestSeeds() []string {
	enc := base64.RawURLEncoding.EncodeToString
	kb := enc([]byte(`{"alg":"ES256","typ":"kb+jwt"}`)) + "." + enc([]byte(`{"nonce":"n","aud":"a","iat":1}`)) + ".c2ln"
	// A Resolution 792 example pass (IATA implementation guide, as BCBP parsers' tests quote it).
	const bcbp = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	return []string{
		`{"presentation":"eyJ.eyJ.sig~WyJz~` + kb + `","bcbp":"` + bcbp + `","live_template":"9wEM"}`,
		`{"presentation":"x","bcbp":"` + bcbp + `","live_jpeg":"/9j/4AAQ"}`,
		`{"live_template":"AAAA"}`,
		`{"live_jpeg":"/9j/\r\n4AAQ"}`,
		`{"presentation":"x","bcbp":"y","departure":"2026-11-27T10:00:00Z"}`,
		`{"presentation":"x","bcbp":"y","departure":"2026-11-27T10:00:00\u002b01:00"}`,
		`{"presentation":"\u0000","bcbp":"\ud800","live_template":""}`,
		`{"presentation":"\uD834\uDD1E\"\\\/\b\f\n\r\t","bcbp":"y","live_template":"A"}`,
		`{"Presentation":"x","bcbp":"y","live_template":"A"}`,
		`{"presentation":"x","presentation":"y","bcbp":"y","live_template":"A"}`,
		`{"presentation":null,"bcbp":"y","live_template":"A"}`,
		` {"presentation":"x","bcbp":"y","live_template":"A"} }`,
		`{"mdoc":"` + mdocSeed + `","nonce":"Yc3kP0aZt7wQ1mVn5sBx9LqR2tUv4wXy","bcbp":"` + bcbp + `","live_template":"9wEM"}`,
		`{"mdoc":"o2d2ZXJzaW9u","nonce":"n","bcbp":"y","departure":"2026-11-27T10:00:00Z"}`,
		`{"mdoc":"o2d2ZXJzaW9u","presentation":"x","nonce":"n","bcbp":"y","live_template":"A"}`,
		`{"mdoc":"o2d2ZXJzaW9u=","nonce":"n","bcbp":"y","live_template":"A"}`,
		`{"mdoc":"o2d2ZXJzaW9u","nonce":"n","nonce":"m","bcbp":"y","live_template":"A"}`,
		`[[[[[[]]]]]]`, `{"a":"\"}"}`, `null`, ``,
	}
}

// FuzzDecodeVerifyRequest: the decoders never panic, and whatever they accept respects the bounds.
func FuzzDecodeVerifyRequest(f *testing.F) {
	for _, s := range requestSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := DecodeVerifyRequest(body); err == nil {
			if (r.Presentation == "") == (r.Mdoc == "") || len(r.Presentation) > MaxPresentationLen || r.BCBP == "" ||
				(r.Template == "") == (len(r.JPEG) == 0) || len(r.JPEG) > MaxJPEGBytes ||
				len(r.Mdoc) > MaxMdocLen || (r.Mdoc != "") != (r.Nonce != "") || !isBase64URL(r.Mdoc) {
				t.Fatalf("accepted out-of-bounds request %+v", r)
			}
			_ = peekNonce(r.Presentation)
		}
		if r, err := DecodeIdentifyRequest(body); err == nil && (r.Template == "") == (len(r.JPEG) == 0) {
			t.Fatalf("accepted identify request without exactly one live face")
		}
		if r, err := DecodeEnrolRequest(body); err == nil && ((r.Presentation == "") == (r.Mdoc == "") || (r.Mdoc != "") != (r.Nonce != "")) {
			t.Fatalf("accepted enrol request without exactly one ID %+v", r)
		}
	})
}

// decodeStdlib is the reference: encoding/json with unknown fields disallowed and nothing but
// whitespace, '}' or ']' after the value (what Decoder.More lets through).
func decodeStdlib(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil && !dec.More()
}

// FuzzDecodeStrictDifferential: whatever the one-pass decoder accepts, encoding/json accepts
// too and decodes to the identical struct, for each request type. (The one-pass decoder may
// reject more; see decodeStrict.)
func FuzzDecodeStrictDifferential(f *testing.F) {
	for _, s := range requestSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(got, want any, set setMember) {
			if decodeStrict(body, set) != nil {
				return
			}
			if !decodeStdlib(body, want) {
				t.Fatalf("%T: accepted %q, encoding/json rejects", got, body)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%T: %q decodes to %+v, encoding/json %+v", got, body, got, want)
			}
		}
		var g, gw VerifyRequest
		check(&g, &gw, g.set)
		var i, iw IdentifyRequest
		check(&i, &iw, i.set)
		var e, ew EnrolRequest
		check(&e, &ew, e.set)
	})
}
