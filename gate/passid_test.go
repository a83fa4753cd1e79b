package gate

import (
	"testing"

	"github.com/idgate/idgate/boardingpass"
)

// TestPassID: single use is keyed on the booking. A reprint (other seat, other signature) of
// Resolution 792 Attachment B example 1 is the same boarding; another PNR or check-in
// sequence number is another passenger.
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
		if !f.matchLeg(p) {
			t.Fatalf("%q is not for %v", s, f)
		}
		return passID(f, p)
	}
	want := id(unsigned + sec)
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
	} {
		if got := id(c.in); (got == want) != c.same {
			t.Errorf("%s: id %s, original %s, want same=%v", c.name, got, want, c.same)
		}
	}
	other, _ := NewFlight("AC", "835", "2026-11-22")
	p, _ := boardingpass.Parse(unsigned)
	if passID(other, p) == want {
		t.Error("same id on another flight")
	}
}
