package jsonscan

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// collect scans body into ordered name/value pairs.
func collect(body string) ([][2]string, error) {
	var got [][2]string
	err := FlatObject([]byte(body), func(name, raw, val []byte) error {
		if raw[0] != '"' || raw[len(raw)-1] != '"' {
			return errors.New("raw literal without quotes")
		}
		got = append(got, [2]string{string(name), string(val)})
		return nil
	})
	return got, err
}

func TestFlatObject(t *testing.T) {
	long := strings.Repeat("abcdefgh", 100)
	for _, c := range []struct {
		name, body string
		want       [][2]string // nil: rejected
	}{
		{"empty object", `{}`, [][2]string{}},
		{"whitespace", " \t\r\n{ \"a\" :\t\"b\" ,\n\"c\":\"d\"\r}\n ", [][2]string{{"a", "b"}, {"c", "d"}}},
		{"long plain", `{"k":"` + long + `"}`, [][2]string{{"k", long}}},
		{"quote after 8-byte words", `{"k":"0123456789abcdef\"x"}`, [][2]string{{"k", `0123456789abcdef"x`}}},
		// RFC 8259 section 7: the two-character escapes and the G clef as a surrogate pair.
		{"short escapes", `{"k":"\"\\\/\b\f\n\r\t"}`, [][2]string{{"k", "\"\\/\b\f\n\r\t"}}},
		{"RFC 8259 G clef", `{"k":"\uD834\uDD1E"}`, [][2]string{{"k", "\U0001D11E"}}},
		{"RFC 8259 reverse solidus", `{"k":"\u005C"}`, [][2]string{{"k", `\`}}},
		{"NUL escape", `{"k":"a\u0000b"}`, [][2]string{{"k", "a\x00b"}}},
		{"raw UTF-8", `{"k":"€ 𝄞 é"}`, [][2]string{{"k", "€ 𝄞 é"}}},
		{"raw U+FFFD", "{\"k\":\"\uFFFD\"}", [][2]string{{"k", "\uFFFD"}}},
		{"lone high surrogate", `{"k":"\uD834"}`, nil},
		{"high then non-low", `{"k":"\uD834\u0041"}`, nil},
		{"lone low surrogate", `{"k":"\uDD1E"}`, nil},
		{"short \\u", `{"k":"\u12"}`, nil},
		{"bad hex", `{"k":"\u12G4"}`, nil},
		{"unknown escape", `{"k":"\a"}`, nil},
		{"backslash at end", `{"k":"\`, nil},
		{"raw control", "{\"k\":\"a\x01b\"}", nil},
		{"raw newline", "{\"k\":\"a\nb\"}", nil},
		{"invalid UTF-8", "{\"k\":\"\xff\"}", nil},
		{"UTF-8 surrogate", "{\"k\":\"\xed\xa0\x80\"}", nil},
		{"escaped name", `{"\u006b":"v"}`, nil},
		{"number", `{"k":1}`, nil},
		{"null", `{"k":null}`, nil},
		{"nested", `{"k":{}}`, nil},
		{"array", `[]`, nil},
		{"trailing comma", `{"k":"v",}`, nil},
		{"missing colon", `{"k" "v"}`, nil},
		{"unterminated", `{"k":"v`, nil},
		{"unclosed object", `{"k":"v"`, nil},
		{"trailing object", `{}{}`, nil},
		{"trailing brace", `{}}`, nil},
		{"form feed is not whitespace", "{}\f", nil},
		{"empty", ``, nil},
	} {
		got, err := collect(c.body)
		if c.want == nil {
			var se *Error
			if err == nil || !errors.As(err, &se) {
				t.Errorf("%s: got %q, %v; want *Error", c.name, got, err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: member %d = %q, want %q", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestVisitorError(t *testing.T) {
	stop := errors.New("stop")
	if err := FlatObject([]byte(`{"a":"b"}`), func(_, _, _ []byte) error { return stop }); err != stop {
		t.Fatalf("visitor error not returned unchanged: %v", err)
	}
}

// TestPlain checks the eight-byte fast-path predicate against a per-byte definition, for each
// byte value at each position and for random words.
func TestPlain(t *testing.T) {
	naive := func(w uint64) bool {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], w)
		for _, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				return false
			}
		}
		return true
	}
	for pos := range 8 {
		for v := range 256 {
			b := []byte("aaaaaaaa")
			b[pos] = byte(v)
			if w := binary.LittleEndian.Uint64(b); plain(w) != naive(w) {
				t.Fatalf("plain(%q) = %v", b, plain(w))
			}
		}
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		// Bias towards the boundaries 0x1F/0x20, '"', '\\', 0x7F/0x80.
		var b [8]byte
		for i := range b {
			b[i] = []byte{0x1F, 0x20, 0x21, '"', '\\', 0x7F, 0x80, byte(rnd.Uint32())}[rnd.IntN(8)]
		}
		if w := binary.LittleEndian.Uint64(b[:]); plain(w) != naive(w) {
			t.Fatalf("plain(%q) = %v", b, plain(w))
		}
	}
}
