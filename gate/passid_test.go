package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/idgate/idgate/boardingpass"
)

// TestPassID: the id hashes exactly the signed part as parsed (Resolution 792 Attachment B
// example 1), so a re-signed copy keeps its id and any change to signed content changes it.
func TestPassID(t *testing.T) {
	const unsigned = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	const sec = "^164GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"
	sum := sha256.Sum256([]byte(unsigned))
	want := PassID(hex.EncodeToString(sum[:]))
	id := func(s string) PassID {
		t.Helper()
		p, err := boardingpass.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return passID(s, p)
	}
	for _, c := range []struct {
		name string
		in   string
		same bool
	}{
		{"spec vector", unsigned + sec, true},
		{"other security data", unsigned + "^102AB", true},
		{"unsigned", unsigned, true},
		{"other seat", unsigned[:47] + "002A" + unsigned[51:] + sec, false},
		{"other name", "M1DESMARAIS/LUCA      " + unsigned[22:] + sec, false},
	} {
		if got := id(c.in); (got == want) != c.same {
			t.Errorf("%s: id %s, spec vector %s, want same=%v", c.name, got, want, c.same)
		}
	}
}
