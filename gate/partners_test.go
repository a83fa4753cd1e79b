package gate

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
)

func TestParsePartners(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string][]string // nil with ok: no partners
		ok   bool
	}{
		{"", nil, true},
		{"YY=XX+ZZ,AB=CD", map[string][]string{"YY": {"XX", "ZZ"}, "AB": {"CD"}}, true},
		{"IG=LH", map[string][]string{"IG": {"LH"}}, true},
		{"LH=ACA+9W", map[string][]string{"LH": {"ACA", "9W"}}, true}, // ICAO and digit designators
		{"yy=XX", nil, false},                                 // lower case is a typo, not normalised
		{"YY=xx", nil, false},                                 //
		{"YY = XX", nil, false},                               // no spaces
		{" YY=XX", nil, false},                                //
		{"YY=XX,", nil, false},                                // empty entry
		{",YY=XX", nil, false},                                //
		{"YY", nil, false},                                    // no '='
		{"YY=", nil, false},                                   // no partners
		{"=XX", nil, false},                                   // no carrier
		{"YY=XX+", nil, false},                                // empty partner
		{"YY=+XX", nil, false},                                //
		{"YY=XX=ZZ", nil, false},                              // '=' inside the list
		{"YY=XX,YY=ZZ", nil, false},                           // carrier twice
		{"YY=XX+XX", nil, false},                              // partner twice
		{"YY=YY", nil, false},                                 // itself
		{"Y=XX", nil, false},                                  // 1 character
		{"YYYY=XX", nil, false},                               // 4 characters
		{"YY=XXXX", nil, false},                               //
		{"014=AC", nil, false},                                // numeric airline code, not a designator
		{"YY=12", nil, false},                                 //
		{"YY=X-", nil, false},                                 //
		{"YY=XX;AB=CD", nil, false},                           // wrong separator
		{"ÄB=CD", nil, false},                                 // non-ASCII
		{"YY=XX\x00", nil, false},                             //
		{strings.Repeat("AB=CD,", 700) + "EF=GH", nil, false}, // over MaxPartnersLen
	} {
		t.Run(clip(c.in), func(t *testing.T) {
			got, err := ParsePartners(c.in)
			if !c.ok {
				var ge *Error
				if err == nil || !errors.Is(err, ErrInvalid) || !errors.As(err, &ge) || ge.Code != CodeInvalidRequest {
					t.Fatalf("ParsePartners(%q) = %v, %v; want an invalid_request *Error", c.in, got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ParsePartners(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

func TestFormatPartners(t *testing.T) {
	m := map[string][]string{"YY": {"XX", "ZZ"}, "AB": {"CD"}}
	if got, want := FormatPartners(m), "AB=CD,YY=XX+ZZ"; got != want {
		t.Fatalf("FormatPartners = %q, want %q", got, want)
	}
	if FormatPartners(nil) != "" {
		t.Fatal("FormatPartners(nil) not empty")
	}
}

// FuzzParsePartners: operator input never panics, and whatever is accepted obeys every rule
// and survives a Format/Parse round trip.
func FuzzParsePartners(f *testing.F) {
	for _, s := range []string{"", "YY=XX+ZZ,AB=CD", "IG=LH", "LH=ACA+9W", "YY=XX,YY=ZZ", "YY=YY", "YY=",
		"=XX", "YY=XX+", "YY=XX+XX", "014=AC", "YY =XX", "YY=XX,", "AB=CD=EF", "ÄB=CD", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParsePartners(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(s) > MaxPartnersLen {
			t.Fatalf("accepted %d bytes", len(s))
		}
		for c, ps := range m {
			if checkPartners(c, ps) != nil {
				t.Fatalf("accepted invalid entry %s=%v", c, ps)
			}
		}
		back, err := ParsePartners(FormatPartners(m))
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip %v -> %q -> %v, %v", m, FormatPartners(m), back, err)
		}
		if _, err := clonePartners(m); err != nil {
			t.Fatalf("New would reject what ParsePartners accepted: %v", err)
		}
	})
}

// iataExample2 is Resolution 792 Attachment B example 2 (version 6), pasted verbatim as a spec
// vector (boardingpass/vectors_test.go quotes the same string): leg 1 AC 0834 YUL-FRA, leg 2
// LH 3664 FRA-GVA marketed by AC, issuer "AC", date of issue 6225, flight days 226 and 227.
// Its security section (another scheme) is replaced by our ES256 profile in the test.
const iataExample2 = "M2DESMARAIS/LUC       EABC123 YULFRAAC 0834 226F001A0025 14D>6181WW6225BAC 00141234560032A0141234567890 1AC AC 1234567890123    20KYLX58ZDEF456 FRAGVALH 3664 227C012C0002 12E2A0140987654321 1AC AC 1234567890123    2PCNWQ^164GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"

// vectorNow reads the example in 2026: issued 2026 day 225 (13 Aug), leg 2 flies day 227.
var vectorNow = time.Date(2026, 8, 15, 10, 0, 0, 0, time.UTC)

// staticKeys is a boardingpass.Keys over fixed certificates per airline (pinned leaves with an
// explicit 2026 validity, so the vector's fixed clock never drifts out of a test CA's window).
type staticKeys map[string][]*x509.Certificate

func (k staticKeys) Certificates(p certs.Purpose, scope string, _ time.Time) []*x509.Certificate {
	if p != certs.PurposeBoardingPass {
		return nil
	}
	return k[scope]
}

func airlineSigner(t testing.TB, designator string) certs.Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := certs.CreateCertificate(&x509.Certificate{
		Subject:   pkix.Name{CommonName: certs.AirlineCN(designator)},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := certs.NewSigner(key, []*x509.Certificate{cert})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// vectorService builds a Service for verifyPass alone (noCredentials: identify_bench_test.go).
func vectorService(t testing.TB, keys boardingpass.Keys, partners map[string][]string) *Service {
	t.Helper()
	reader, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Credentials: noCredentials{}, Passes: keys, ReaderKey: reader, Store: NewMemoryStore(),
		Audience: "https://verifier.test", Now: func() time.Time { return vectorNow }, PassPartners: partners})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVerifyPassIATAExample2: the published interline pass. Its LH leg is marketed and issued
// by AC, so at an LH3664 gate it boards on AC's signature only where LH lists AC as partner.
func TestVerifyPassIATAExample2(t *testing.T) {
	unsigned := iataExample2[:strings.IndexByte(iataExample2, '^')]
	p, err := boardingpass.Parse(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if p.Unique == nil || p.Unique.Issuer != "AC" || p.Legs[1].Carrier != "LH" || p.Legs[1].Cond.MarketingCarrier != "AC" {
		t.Fatalf("vector not as documented: %+v", p)
	}
	ac, lh := airlineSigner(t, "AC"), airlineSigner(t, "LH")
	keys := staticKeys{"AC": ac.Chain(), "LH": lh.Chain()}
	sign := func(s certs.Signer) string {
		bcbp, err := boardingpass.Sign(unsigned, s)
		if err != nil {
			t.Fatal(err)
		}
		return bcbp
	}
	lh3664, ac0834 := Flight{Carrier: "LH", Number: "3664", Date: "2026-08-15"}, Flight{Carrier: "AC", Number: "0834", Date: "2026-08-14"}
	for _, c := range []struct {
		name     string
		keys     boardingpass.Keys
		partners map[string][]string
		flight   Flight
		signer   certs.Signer
		signedBy string // "" = signature refused
		reason   Reason // "" = pass and flight checks pass
	}{
		{"LH lists AC, AC signed", keys, map[string][]string{"LH": {"AC"}}, lh3664, ac, "AC", ""},
		{"no partners, AC signed", keys, nil, lh3664, ac, "", ReasonPassSignature},
		{"LH lists another airline, AC signed", keys, map[string][]string{"LH": {"UA"}}, lh3664, ac, "", ReasonPassSignature},
		{"AC lists LH (wrong way round), AC signed", keys, map[string][]string{"AC": {"LH"}}, lh3664, ac, "", ReasonPassSignature},
		{"LH lists AC, LH signed a pass naming AC as issuer", keys, map[string][]string{"LH": {"AC"}}, lh3664, lh, "", ReasonPassSignature},
		{"LH lists AC, AC's key not trusted", staticKeys{"LH": lh.Chain()}, map[string][]string{"LH": {"AC"}}, lh3664, ac, "", ReasonPassUnknownAirline},
		{"AC's own leg, AC signed", keys, map[string][]string{"LH": {"AC"}}, ac0834, ac, "AC", ""},
		{"AC's own leg, LH signed", keys, map[string][]string{"LH": {"AC"}}, ac0834, lh, "", ReasonPassSignature},
		{"AC flight number on the LH date", keys, map[string][]string{"LH": {"AC"}}, Flight{Carrier: "LH", Number: "0834", Date: "2026-08-15"}, ac, "AC", ReasonWrongFlight},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := vectorService(t, c.keys, c.partners)
			d := newDecision("A1")
			_, _, ok := s.verifyPass(d, c.flight, sign(c.signer), vectorNow)
			if d.SignedBy != c.signedBy {
				t.Errorf("SignedBy = %q, want %q", d.SignedBy, c.signedBy)
			}
			if c.reason == "" {
				if !ok || len(d.Reasons) != 0 || d.Checks.BoardingPass != CheckPass || d.Checks.Flight != CheckPass {
					t.Fatalf("want pass: %+v", d)
				}
				return
			}
			if ok || len(d.Reasons) != 1 || d.Reasons[0] != c.reason {
				t.Fatalf("want %s: %+v", c.reason, d)
			}
		})
	}
}

// TestNewPassPartners: New applies ParsePartners' rules to Config.PassPartners and keeps its
// own copy.
func TestNewPassPartners(t *testing.T) {
	for _, c := range []struct {
		name     string
		partners map[string][]string
		ok       bool
	}{
		{"none", nil, true},
		{"empty map", map[string][]string{}, true},
		{"valid", map[string][]string{"LH": {"AC", "UA"}}, true},
		{"empty list", map[string][]string{"LH": {}}, false},
		{"lower case", map[string][]string{"lh": {"AC"}}, false},
		{"self", map[string][]string{"LH": {"LH"}}, false},
		{"duplicate", map[string][]string{"LH": {"AC", "AC"}}, false},
		{"padded", map[string][]string{"LH": {"AC "}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			reader, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(Config{Credentials: noCredentials{}, Passes: staticKeys{}, ReaderKey: reader,
				Store: NewMemoryStore(), Audience: "a", PassPartners: c.partners})
			if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Fatalf("New: %v, want ok=%v", err, c.ok)
			}
		})
	}

	// Mutating the caller's map after New must not widen what the service trusts.
	ac, lh := airlineSigner(t, "AC"), airlineSigner(t, "LH")
	partners := map[string][]string{"LH": {"UA"}}
	s := vectorService(t, staticKeys{"AC": ac.Chain(), "LH": lh.Chain()}, partners)
	partners["LH"][0] = "AC"
	bcbp, err := boardingpass.Sign(iataExample2[:strings.IndexByte(iataExample2, '^')], ac)
	if err != nil {
		t.Fatal(err)
	}
	d := newDecision("A1")
	if _, _, ok := s.verifyPass(d, Flight{Carrier: "LH", Number: "3664", Date: "2026-08-15"}, bcbp, vectorNow); ok {
		t.Fatalf("a partner added to the caller's map after New was honoured: %+v", d)
	}
}

// BenchmarkVerifyPassPartners: the partner lookup costs one extra Parse, and only for
// carriers that have partners.
func BenchmarkVerifyPassPartners(b *testing.B) {
	unsigned := iataExample2[:strings.IndexByte(iataExample2, '^')]
	ac, lh := airlineSigner(b, "AC"), airlineSigner(b, "LH")
	keys := staticKeys{"AC": ac.Chain(), "LH": lh.Chain()}
	lh3664 := Flight{Carrier: "LH", Number: "3664", Date: "2026-08-15"}
	for _, c := range []struct {
		name     string
		partners map[string][]string
		signer   certs.Signer
	}{
		{"no-partners/operator-signed", nil, lh},
		{"partners/operator-signed", map[string][]string{"LH": {"UA"}}, lh},
		{"partners/partner-signed", map[string][]string{"LH": {"AC"}}, ac},
	} {
		p, err := boardingpass.Parse(unsigned)
		if err != nil {
			b.Fatal(err)
		}
		if c.signer == lh {
			p.Unique.Issuer = "LH"
		}
		u, err := p.Encode()
		if err != nil {
			b.Fatal(err)
		}
		bcbp, err := boardingpass.Sign(u, c.signer)
		if err != nil {
			b.Fatal(err)
		}
		s := vectorService(b, keys, c.partners)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := s.verifyPass(newDecision("A1"), lh3664, bcbp, vectorNow); !ok {
					b.Fatal("denied")
				}
			}
		})
	}
}
