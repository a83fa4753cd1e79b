package gate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
)

func TestDecodeVerifyRequest(t *testing.T) {
	for _, c := range []struct {
		name string
		body string
		ok   bool
	}{
		{"template", `{"presentation":"a~b~c","bcbp":"M1X","live_template":"AAAA"}`, true},
		{"jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"/9j/"}`, true},
		{"no live face", `{"presentation":"a","bcbp":"M1X"}`, false},
		{"both live faces", `{"presentation":"a","bcbp":"M1X","live_template":"A","live_jpeg":"/9j/"}`, false},
		{"no presentation", `{"bcbp":"M1X","live_template":"AAAA"}`, false},
		{"no bcbp", `{"presentation":"a","live_template":"AAAA"}`, false},
		{"unknown field", `{"presentation":"a","bcbp":"M1X","live_template":"A","decision":"allow"}`, false},
		{"trailing data", `{"presentation":"a","bcbp":"M1X","live_template":"A"}{}`, false},
		{"wrong type", `{"presentation":1,"bcbp":"M1X","live_template":"A"}`, false},
		{"bad base64 jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"***"}`, false},
		{"PNG as live_jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"iVBORw0KGgo="}`, false}, // gates send JPEG only
		{"GIF as live_jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"R0lGODlh"}`, false},
		{"nested", `{"presentation":"a","bcbp":"M1X","live_template":"A","x":[[[[[1]]]]]}`, false},
		{"null", `null`, false},
		{"empty", ``, false},
		{"oversized bcbp", `{"presentation":"a","bcbp":"` + strings.Repeat("M", 2000) + `","live_template":"A"}`, false},
		{"escapes", `{"presentation":"a\u007e\uD834\uDD1E\/","bcbp":"M1X","live_template":"AAAA"}`, true},
		{"whitespace", " {\r\n\t\"presentation\" : \"a\" , \"bcbp\":\"M1X\",\"live_template\":\"A\"}\n", true},
		// Stricter than encoding/json, by design (see decodeStrict):
		{"case-variant name", `{"Presentation":"a","bcbp":"M1X","live_template":"A"}`, false},
		{"escaped name", `{"presentatio\u006e":"a","bcbp":"M1X","live_template":"A"}`, false},
		{"duplicate member", `{"presentation":"a","bcbp":"M1X","live_template":"A","bcbp":"M1Y"}`, false},
		{"null member", `{"presentation":"a","bcbp":"M1X","live_template":"A","live_jpeg":null}`, false},
		{"lone surrogate", `{"presentation":"\ud800","bcbp":"M1X","live_template":"A"}`, false},
		{"invalid UTF-8", "{\"presentation\":\"\xff\",\"bcbp\":\"M1X\",\"live_template\":\"A\"}", false},
		{"stray closing brace", `{"presentation":"a","bcbp":"M1X","live_template":"A"}}`, false},
		{"mdoc", `{"mdoc":"o2d2","nonce":"n","bcbp":"M1X","live_template":"A"}`, true},
		{"mdoc without nonce", `{"mdoc":"o2d2","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc and presentation", `{"mdoc":"o2d2","presentation":"a","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"nonce with presentation", `{"presentation":"a","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc padded", `{"mdoc":"o2c=","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc standard base64", `{"mdoc":"o2+/","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc one char", `{"mdoc":"o","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc empty", `{"mdoc":"","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"mdoc oversized", `{"mdoc":"` + strings.Repeat("A", MaxMdocLen+4) + `","nonce":"n","bcbp":"M1X","live_template":"A"}`, false},
		{"nonce oversized", `{"mdoc":"o2d2","nonce":"` + strings.Repeat("n", 257) + `","bcbp":"M1X","live_template":"A"}`, false},
		{"duplicate nonce", `{"mdoc":"o2d2","nonce":"n","nonce":"m","bcbp":"M1X","live_template":"A"}`, false},
		{"oversized jpeg", `{"presentation":"a","bcbp":"M","live_jpeg":"` + base64.StdEncoding.EncodeToString(make([]byte, MaxJPEGBytes+1)) + `"}`, false},
	} {
		r, err := DecodeVerifyRequest([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && (r != nil || !errors.Is(err, ErrMalformed)) {
			t.Errorf("%s: error %v is not ErrMalformed", c.name, err)
		}
	}
}

func TestDecodeEnrolAndIdentify(t *testing.T) {
	e, err := DecodeEnrolRequest([]byte(`{"presentation":"a","bcbp":"M1X","departure":"2026-11-27T10:00:00+01:00"}`))
	if err != nil || e.Departure == nil || !e.Departure.Equal(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("enrol with departure: %+v, %v", e, err)
	}
	if e, err := DecodeEnrolRequest([]byte(`{"mdoc":"o2d2","nonce":"n","bcbp":"M1X"}`)); err != nil || e.Mdoc != "o2d2" || e.Nonce != "n" {
		t.Fatalf("enrol with mdoc: %+v, %v", e, err)
	}
	for _, body := range []string{
		`{"mdoc":"o2d2","bcbp":"M1X"}`,
		`{"mdoc":"o2d2","presentation":"a","nonce":"n","bcbp":"M1X"}`,
		`{"presentation":"a","bcbp":"M1X","departure":"27 Nov 2026"}`,
		`{"presentation":"a","bcbp":"M1X","departure":null}`,
		`{"presentation":"a","bcbp":"M1X","live_template":"A"}`,
	} {
		if _, err := DecodeEnrolRequest([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("enrol %s: %v", body, err)
		}
	}
	if r, err := DecodeIdentifyRequest([]byte(`{"live_jpeg":"/9j/"}`)); err != nil || !bytes.Equal(r.JPEG, []byte{0xFF, 0xD8, 0xFF}) {
		t.Fatalf("identify: %+v, %v", r, err)
	}
	if _, err := DecodeIdentifyRequest([]byte(`{"live_template":"A","presentation":"a"}`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("identify with presentation: %v", err)
	}
}

func TestPeekNonce(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	kb := enc([]byte(`{"typ":"kb+jwt"}`)) + "." + enc([]byte(`{"nonce":"n-1","aud":"x"}`)) + ".sig"
	for _, c := range []struct{ in, want string }{
		{"jwt~disc~" + kb, "n-1"},
		{"jwt~disc~", ""},
		{"no tilde", ""},
		{"jwt~" + "a.!!!.c", ""},
		{"jwt~" + enc([]byte("{}")) + "." + enc([]byte(`{"nonce":7}`)) + ".s", ""},
	} {
		if got := peekNonce(c.in); got != c.want {
			t.Errorf("peekNonce(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNonces(t *testing.T) {
	n := newNonces(2)
	now := time.Now()
	a, err := n.issue("gate-A", now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	take := func(scope, v string, at time.Time) bool { _, ok := n.take(scope, v, at); return ok }
	if take("gate-B", a, now) {
		t.Fatal("nonce accepted for another scope")
	}
	exp, ok := n.take("gate-A", a, now)
	if !ok || !exp.Equal(now.Add(time.Minute)) || take("gate-A", a, now) {
		t.Fatalf("nonce must work exactly once and return its expiry (%v %v)", exp, ok)
	}
	// Put back after a failed store write: single use again, with its own expiry.
	if !n.restore("gate-A", a, exp, now) || !take("gate-A", a, now) || take("gate-A", a, now) {
		t.Fatal("a restored nonce must work exactly once more")
	}
	b, _ := n.issue("gate-A", now, now.Add(time.Minute))
	if take("gate-A", b, now.Add(time.Minute)) {
		t.Fatal("expired nonce accepted")
	}
	// Bounded: a full store of live nonces refuses, and recovers once they expire.
	n.issue("s", now, now.Add(time.Second))
	n.issue("s", now, now.Add(time.Second))
	if _, err := n.issue("s", now, now.Add(time.Second)); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("full store: %v", err)
	}
	if _, err := n.issue("s", now.Add(2*time.Second), now.Add(time.Minute)); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

// benchBody is a realistic verify body: a ~6 KB SD-JWT presentation, a ~200-byte BCBP and a
// real encoded template.
func benchBody(tb testing.TB) []byte {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(1, 2))
	seg := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	pres := seg(900) + "." + seg(2400) + "." + seg(64)
	for range 8 {
		pres += "~" + seg(60)
	}
	pres += "~" + seg(30) + "." + seg(90) + "." + seg(64)
	bcbp := "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 1" + strings.Repeat("0", 40) + "^160" + strings.Repeat("A", 100)
	v := make([]float32, biometric.Dim)
	for i := range v {
		v[i] = rnd.Float32() - 0.5
	}
	tpl, err := biometric.NewTemplate("dlib-resnet-v1", v)
	if err != nil {
		tb.Fatal(err)
	}
	ts, err := tpl.EncodeString()
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(VerifyRequest{Presentation: pres, BCBP: bcbp, LiveFace: LiveFace{Template: ts}})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

func BenchmarkDecodeVerifyRequest(b *testing.B) {
	body := benchBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeVerifyRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIsBase64URL: exactly the canonical unpadded base64url strings, as encoding/base64's
// strict decoder reads them, minus the CR and LF it skips.
func TestIsBase64URL(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"", true}, {"o2d2", true}, {"AA", true}, {"AAA", true}, {"-_09", true},
		{"A", false}, {"AB", false}, {"AAB", false}, {"o2d2=", false}, {"o2+/", false}, {"o2\nd2", false}, {"o2 d2", false},
	} {
		if got := isBase64URL(c.s); got != c.ok {
			t.Errorf("isBase64URL(%q) = %v, want %v", c.s, got, c.ok)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(c.s); c.ok && err != nil {
			t.Errorf("%q: accepted, but the decoder says %v", c.s, err)
		}
	}
}

// FuzzIsBase64URL: whatever isBase64URL accepts decodes strictly and re-encodes to itself.
func FuzzIsBase64URL(f *testing.F) {
	for _, s := range []string{"o2d2", "AB", "AAA", "o2d2ZXJzaW9u", "a\nb", "-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isBase64URL(s) {
			return
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
			t.Fatalf("%q accepted: %x, %v", s, b, err)
		}
	})
}
