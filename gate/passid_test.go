package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/idgate/idgate/boardingpass"
)

// TestPassID: single use is keyed on the booking in canonical form. A reprint (other seat,
// other signature, the booking written in other case or padding) of Resolution 792
// Attachment B example 1 is the same boarding; another PNR, check-in sequence number or
// suffix letter is another passenger. The key of a pass written as Resolution 792 prescribes
// is the fixed "bcbp-booking/1" derivation over its trimmed fields.
func TestPassID(t *testing.T) {
	const unsigned = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	const sec = "^164GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"
	f, err := NewFlight("AC", "834", "2026-11-22") // day 326
	if err != nil {
		t.Fatal(err)
	}
	id := func(s string) PassID {
		t.Helper()
		p, err := boardingpass.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		b, ok, err := f.booking(p)
		if !ok || err != nil {
			t.Fatalf("%q is not for %v: %v", s, f, err)
		}
		return bookingKey(f, b)
	}
	want := id(unsigned + sec)
	h := sha256.New()
	for _, part := range []string{"bcbp-booking/1", "AC0834/2026-11-22", "ABC123", "YUL", "0025"} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if fixed := PassID(hex.EncodeToString(h.Sum(nil))); want != fixed {
		t.Fatalf("key of a canonical pass %s, want %s: boarding records in a Store would no longer match", want, fixed)
	}
	// at replaces the field at [i, i+len(v)) of unsigned.
	at := func(i int, v string) string { return unsigned[:i] + v + unsigned[i+len(v):] }
	for _, c := range []struct {
		name string
		in   string
		same bool
	}{
		{"other security data", unsigned + "^102AB", true},
		{"unsigned", unsigned, true},
		{"reprint with another seat", unsigned[:48] + "02A" + unsigned[51:] + sec, true},
		{"other check-in sequence", unsigned[:52] + "0026" + unsigned[56:] + sec, false},
		{"other PNR", unsigned[:23] + "ABC124" + unsigned[29:] + sec, false},
		{"PNR in lower case", at(23, "abc123 "), true},
		{"PNR right-justified", at(23, " ABC123"), true},
		{"origin in lower case", at(30, "yul"), true},
		{"check-in sequence unpadded", at(52, "25   "), true},
		{"check-in sequence right-justified", at(52, "   25"), true},
		{"check-in sequence in five digits", at(52, "00025"), true},
		{"check-in sequence with a suffix letter", at(52, "0025A"), false},
		{"flight number unpadded", at(39, "834  "), true},
		{"carrier in lower case", at(36, "ac "), true},
	} {
		if got := id(c.in); (got == want) != c.same {
			t.Errorf("%s: id %s, original %s, want same=%v", c.name, got, want, c.same)
		}
	}
	other, _ := NewFlight("AC", "835", "2026-11-22")
	p, _ := boardingpass.Parse(unsigned)
	b, err := p.Legs[0].Booking()
	if err != nil {
		t.Fatal(err)
	}
	if bookingKey(other, b) == want {
		t.Error("same id on another flight")
	}
}
