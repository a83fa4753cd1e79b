package statuslist

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// Spec vectors of draft-ietf-oauth-status-list: §4.1 (1-bit example, bytes 0xB9 0xA3), §4.1
// (2-bit example, bytes 0xC9 0x44 0xF9) and Appendix "Test vectors" (2^20 entries, 1, 2, 4 bits).
var specVectors = []struct {
	name     string
	bits     int
	lst      string
	size     int           // entries the decoded list holds
	set      map[int]uint8 // every non-zero entry
	rawBytes []byte        // packed array, when the draft gives it
}{
	{
		name: "§4.1 1-bit", bits: 1, lst: "eNrbuRgAAhcBXQ", size: 16, rawBytes: []byte{0xB9, 0xA3},
		set: map[int]uint8{0: 1, 3: 1, 4: 1, 5: 1, 7: 1, 8: 1, 9: 1, 13: 1, 15: 1},
	},
	{
		name: "§4.1 2-bit", bits: 2, lst: "eNo76fITAAPfAgc", size: 12, rawBytes: []byte{0xC9, 0x44, 0xF9},
		set: map[int]uint8{0: 1, 1: 2, 3: 3, 5: 1, 7: 1, 8: 1, 9: 2, 10: 3, 11: 3},
	},
	{
		name: "Appendix 1-bit 2^20", bits: 1, size: 1 << 20,
		lst: "eNrt3AENwCAMAEGogklACtKQPg9LugC9k_ACvreiogEAAKkeCQAAAAAAAAAAAAAAAAAAAIBylgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAXG9IAAAAAAAAAPwsJAAAAAAAAAAAAAAAvhsSAAAAAAAAAAAA7KpLAAAAAAAAAAAAAAAAAAAAAJsLCQAAAAAAAAAAADjelAAAAAAAAAAAKjDMAQAAAACAZC8L2AEb",
		set: map[int]uint8{0: 1, 1993: 1, 25460: 1, 159495: 1, 495669: 1, 554353: 1, 645645: 1, 723232: 1, 854545: 1, 934534: 1, 1000345: 1},
	},
	{
		name: "Appendix 2-bit 2^20", bits: 2, size: 1 << 20,
		lst: "eNrt2zENACEQAEEuoaBABP5VIO01fCjIHTMStt9ovGVIAAAAAABAbiEBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEB5WwIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAID0ugQAAAAAAAAAAAAAAAAAQG12SgAAAAAAAAAAAAAAAAAAAAAAAAAAAOCSIQEAAAAAAAAAAAAAAAAAAAAAAAD8ExIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwJEuAQAAAAAAAAAAAAAAAAAAAAAAAMB9SwIAAAAAAAAAAAAAAAAAAACoYUoAAAAAAAAAAAAAAEBqH81gAQw",
		set: map[int]uint8{0: 1, 1993: 2, 25460: 1, 159495: 3, 495669: 1, 554353: 1, 645645: 2, 723232: 1, 854545: 1, 934534: 2, 1000345: 3},
	},
	{
		name: "Appendix 4-bit 2^20", bits: 4, size: 1 << 20,
		lst: "eNrt0EENgDAQADAIHwImkIIEJEwCUpCEBBQRHOy35Li1EjoOQGabAgAAAAAAAAAAAAAAAAAAACC1SQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABADrsCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADoxaEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIIoCgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACArpwKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGhqVkAzlwIAAAAAiGVRAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABx3AoAgLpVAQAAAAAAAAAAAAAAwM89rwMAAAAAAAAAAAjsA9xMBMA",
		set: map[int]uint8{0: 1, 1993: 2, 35460: 3, 459495: 4, 595669: 5, 754353: 6, 845645: 7, 923232: 8, 924445: 9, 934534: 10, 1000345: 12, 1004534: 11, 1030203: 13, 1030204: 14, 1030205: 15},
	},
}

func TestDecodeSpecVectors(t *testing.T) {
	for _, v := range specVectors {
		t.Run(v.name, func(t *testing.T) {
			l, err := Decode(v.bits, v.lst, v.size)
			if err != nil {
				t.Fatal(err)
			}
			if l.Len() != v.size || l.Bits() != v.bits {
				t.Fatalf("Len=%d Bits=%d, want %d %d", l.Len(), l.Bits(), v.size, v.bits)
			}
			if v.rawBytes != nil && !bytes.Equal(l.Bytes(), v.rawBytes) {
				t.Fatalf("bytes %x, want %x", l.Bytes(), v.rawBytes)
			}
			for i := range l.Len() {
				got, err := l.Get(i)
				if err != nil {
					t.Fatal(err)
				}
				if got != v.set[i] {
					t.Fatalf("entry %d = %d, want %d", i, got, v.set[i])
				}
			}
		})
	}
}

func TestEncodeRoundTripSpecArrays(t *testing.T) {
	for _, v := range specVectors {
		t.Run(v.name, func(t *testing.T) {
			l, err := New(v.bits, v.size)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range v.set {
				if err := l.Set(i, s); err != nil {
					t.Fatal(err)
				}
			}
			if v.rawBytes != nil && !bytes.Equal(l.Bytes(), v.rawBytes) {
				t.Fatalf("packed %x, want %x (LSB-first packing)", l.Bytes(), v.rawBytes)
			}
			lst, err := l.Encode()
			if err != nil {
				t.Fatal(err)
			}
			// Compressors may differ byte for byte; the decompressed arrays must not.
			want, _ := Decode(v.bits, v.lst, v.size)
			got, err := Decode(v.bits, lst, v.size)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatal("our encoding decodes to a different array than the draft's")
			}
		})
	}
}

func TestListGetSet(t *testing.T) {
	for _, bits := range []int{1, 2, 4, 8} {
		l, err := New(bits, 37)
		if err != nil {
			t.Fatal(err)
		}
		max := uint8(1<<bits - 1)
		for i := range 37 {
			if err := l.Set(i, uint8(i)&max); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 37 {
			if got, _ := l.Get(i); got != uint8(i)&max {
				t.Fatalf("bits %d entry %d = %d", bits, i, got)
			}
		}
		// Overwrite does not disturb neighbours.
		l.Set(5, 0)
		if a, _ := l.Get(4); a != 4&max {
			t.Fatalf("bits %d: neighbour changed", bits)
		}
		if bits < 8 {
			if err := l.Set(0, max+1); !errors.Is(err, ErrRange) {
				t.Fatalf("bits %d: oversized value: %v", bits, err)
			}
		}
		for _, idx := range []int{-1, 37} {
			if _, err := l.Get(idx); !errors.Is(err, ErrRange) {
				t.Fatalf("Get(%d): %v", idx, err)
			}
		}
	}
	for _, tc := range []struct{ bits, size int }{{3, 10}, {0, 10}, {16, 10}, {1, 0}, {1, -5}, {1, MaxEntries + 1}} {
		if _, err := New(tc.bits, tc.size); !errors.Is(err, ErrRange) {
			t.Errorf("New(%d,%d): %v", tc.bits, tc.size, err)
		}
	}
}

func zlibB64(t testing.TB, data []byte) string {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	return base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func TestDecodeRejects(t *testing.T) {
	// A bomb: 16 MiB of zeros compresses to ~16 KiB, 128 times the 1 Mi-entry bound.
	bomb := zlibB64(t, make([]byte, 16<<20))
	good := specVectors[0].lst
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	badSum := append([]byte(nil), raw...)
	badSum[len(badSum)-1] ^= 1
	tests := []struct {
		name string
		bits int
		lst  string
		max  int
	}{
		{"bomb", 1, bomb, 1 << 20},
		{"over maxEntries", 1, good, 8},
		{"bad bits", 3, good, 100},
		{"padded base64", 1, good + "==", 100},
		{"std base64 chars", 1, strings.Replace(zlibB64(t, []byte{0xfb, 0xff, 0xbf}), "_", "/", -1) + "+", 100},
		{"not zlib", 1, base64.RawURLEncoding.EncodeToString([]byte("plain text")), 100},
		{"raw deflate, no zlib header", 1, base64.RawURLEncoding.EncodeToString(raw[2 : len(raw)-4]), 100},
		{"bad checksum", 1, base64.RawURLEncoding.EncodeToString(badSum), 100},
		{"trailing bytes", 1, base64.RawURLEncoding.EncodeToString(append(append([]byte(nil), raw...), 0)), 100},
		{"truncated", 1, base64.RawURLEncoding.EncodeToString(raw[:len(raw)-3]), 100},
		{"empty array", 1, zlibB64(t, nil), 100},
		{"empty lst", 1, "", 100},
		{"zero max", 1, good, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.bits, tc.lst, tc.max); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range specVectors {
		f.Add(v.bits, v.lst)
	}
	f.Add(1, zlibB64(f, make([]byte, 1<<16)))
	f.Add(8, "")
	f.Add(4, "eJwDAAAAAAE")
	f.Fuzz(func(t *testing.T, bits int, lst string) {
		const max = 1 << 16
		l, err := Decode(bits, lst, max)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if l.Len() < 1 || l.Len() > max || len(l.Bytes())*8 < l.Len()*l.Bits() {
			t.Fatalf("inconsistent list: len %d bits %d bytes %d", l.Len(), l.Bits(), len(l.Bytes()))
		}
		// Whatever decodes re-encodes to the same array.
		lst2, err := l.Encode()
		if err != nil {
			t.Fatal(err)
		}
		l2, err := Decode(bits, lst2, max)
		if err != nil || !bytes.Equal(l2.Bytes(), l.Bytes()) {
			t.Fatalf("re-encode round trip: %v", err)
		}
	})
}

func BenchmarkEncodeDecode(b *testing.B) {
	l, _ := New(2, 1<<20)
	for _, v := range specVectors[3:4] {
		for i, s := range v.set {
			l.Set(i, s)
		}
	}
	lst, _ := l.Encode()
	b.Run("encode-2bit-1M", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := l.Encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-2bit-1M", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(2, lst, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			l.Get(i & (1<<20 - 1))
		}
	})
}
