package certs_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

// rfc7515X5C is the x5c example of RFC 7515 Appendix B (a three-certificate chain).
func rfc7515X5C(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc7515-appendix-b-x5c.json")
	if err != nil {
		t.Fatal(err)
	}
	var x5c []string
	if err := json.Unmarshal(b, &x5c); err != nil {
		t.Fatal(err)
	}
	return x5c
}

func TestParseX5CSpecVector(t *testing.T) {
	chain, err := certs.ParseX5C(rfc7515X5C(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Go Daddy Secure Certification Authority", "Go Daddy Class 2 Certification Authority", "ValiCert Class 2 Policy Validation Authority"}
	if len(chain) != len(want) {
		t.Fatalf("parsed %d certificates, want %d", len(chain), len(want))
	}
	for i, c := range chain {
		if !strings.Contains(c.Subject.String(), want[i]) {
			t.Errorf("cert %d subject %q, want it to name %q", i, c.Subject, want[i])
		}
	}
	// Each certificate is signed by the next, as x5c requires.
	for i := 0; i+1 < len(chain); i++ {
		if chain[i].Issuer.String() != chain[i+1].Subject.String() {
			t.Errorf("cert %d issuer %q != cert %d subject %q", i, chain[i].Issuer, i+1, chain[i+1].Subject)
		}
	}
}

func TestParseX5CRejects(t *testing.T) {
	ca := certstest.NewCA(t)
	leaf := ca.Issue(t, "leaf")
	good := certs.EncodeX5C(leaf.Chain())[0]
	nine := make([]string, 9)
	for i := range nine {
		nine[i] = good
	}
	tests := []struct {
		name string
		x5c  []string
	}{
		{"empty", nil},
		{"too many", nine},
		{"base64url not std", []string{strings.NewReplacer("+", "-", "/", "_").Replace(good) + "-_"}},
		{"not base64", []string{"!!!"}},
		{"padding missing", []string{strings.TrimRight(good, "=") + "A"}},
		{"line feed", []string{good[:64] + "\n" + good[64:]}},
		{"CRLF at the end", []string{good + "\r\n"}},
		{"second with a line feed", []string{good, good[:4] + "\n" + good[4:]}},
		{"not DER", []string{base64.StdEncoding.EncodeToString([]byte("hello"))}},
		{"oversized", []string{strings.Repeat("A", 32<<10)}},
		{"second bad", []string{good, "AAAA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := certs.ParseX5C(tc.x5c)
			if !errors.Is(err, certs.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
	if got, err := certs.ParseX5C([]string{good}); err != nil || !got[0].Equal(leaf.Chain()[0]) {
		t.Fatalf("round trip: %v", err)
	}
}

func FuzzParseX5C(f *testing.F) {
	spec := rfc7515X5C(f)
	f.Add(strings.Join(spec, ","))
	f.Add(spec[2])
	ca := certstest.NewCA(f)
	f.Add(strings.Join(certs.EncodeX5C(ca.Intermediate(f, "int").Issue(f, "leaf").Chain()), ","))
	f.Add("")
	f.Add("MA==,AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		chain, err := certs.ParseX5C(strings.Split(s, ","))
		if err != nil {
			if !errors.Is(err, certs.ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(chain) == 0 || len(chain) > 8 {
			t.Fatalf("accepted %d certificates", len(chain))
		}
	})
}
