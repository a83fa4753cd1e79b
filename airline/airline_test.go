package airline

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/internal/jsonscan/jsonscantest"
)

func newIssuer(t *testing.T) (*Issuer, *certs.TrustList) {
	ca := certstest.NewCA(t)
	s := ca.Issue(t, certs.AirlineCN("IG"))
	trust := certs.NewTrustList(certs.Anchor{
		Purpose: certs.PurposeBoardingPass, Scope: "IG", Roots: []*x509.Certificate{ca.Root()}, Certs: s.Chain()[:1],
	})
	i, err := NewIssuer("IG", s, func() time.Time { return time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	return i, trust
}

var erika = PassRequest{Name: "MUSTERMANN/ERIKA", PNR: "XK4T2Q", From: "fra", To: "LHR", Flight: "101", Date: "2026-12-01", Seat: "12a", Sequence: "42"}

func TestIssueVerifies(t *testing.T) {
	i, trust := newIssuer(t)
	bcbp, err := i.Issue(erika)
	if err != nil {
		t.Fatal(err)
	}
	p, err := boardingpass.Verify(bcbp, trust, time.Now())
	if err != nil {
		t.Fatalf("verify %q: %v", bcbp, err)
	}
	l := p.Legs[0]
	if p.Surname() != "MUSTERMANN" || l.From != "FRA" || l.Flight != "0101" || l.Seat != "012A" || l.Sequence != "0042" ||
		l.Carrier != "IG" || l.Compartment != 'Y' || l.JulianDate != 335 {
		t.Fatalf("pass = %+v leg %+v", p, l)
	}
	// Gates deny passes without a date of issue (pass_stale): 2026-11-26 is "6" + day 330.
	if p.Unique == nil || p.Unique.IssueDate != "6330" || p.Unique.Issuer != "IG" {
		t.Fatalf("unique conditional = %+v", p.Unique)
	}
}

func TestIssueRejects(t *testing.T) {
	i, _ := newIssuer(t)
	for name, mod := range map[string]func(*PassRequest){
		"no name":          func(r *PassRequest) { r.Name = "" },
		"name too long":    func(r *PassRequest) { r.Name = "MUSTERMANN-LUDENSCHEID/ERIKA" },
		"bad date":         func(r *PassRequest) { r.Date = "01.12.2026" },
		"bad seat":         func(r *PassRequest) { r.Seat = "12AB34" },
		"long compartment": func(r *PassRequest) { r.Compartment = "YY" },
		"non-ASCII name":   func(r *PassRequest) { r.Name = "MÜLLER/JÖRG" },
		"'^' in name":      func(r *PassRequest) { r.Name = "MUSTER^MANN/ERIKA" }, // '^' opens the security section
		"'^' in PNR":       func(r *PassRequest) { r.PNR = "XK^T2Q" },
	} {
		r := erika
		mod(&r)
		if _, err := i.Issue(r); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", name, err)
		}
	}
}

func TestHandler(t *testing.T) {
	i, trust := newIssuer(t)
	srv := httptest.NewServer(i.Handler(sha256.Sum256([]byte("checkin-secret"))))
	defer srv.Close()
	post := func(token string, body []byte) (int, map[string]string) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/passes", bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	good, _ := json.Marshal(erika)
	st, out := post("checkin-secret", good)
	if st != http.StatusCreated {
		t.Fatalf("issue: %d %v", st, out)
	}
	if _, err := boardingpass.Verify(out["bcbp"], trust, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token string
		body        []byte
		status      int
		code        string
	}{
		{"no token", "", good, 401, "unauthorized"},
		{"wrong token", "guess", good, 401, "unauthorized"},
		{"malformed", "checkin-secret", []byte(`{"name":`), 400, "malformed_json"},
		{"unknown field", "checkin-secret", []byte(`{"name":"A/B","gate":"x"}`), 400, "malformed_json"},
		{"invalid", "checkin-secret", []byte(`{"name":"A/B"}`), 400, "invalid_request"},
		{"oversized", "checkin-secret", bytes.Repeat([]byte(" "), MaxBodyBytes+1), 413, "body_too_large"},
	} {
		if st, out := post(tc.token, tc.body); st != tc.status || out["code"] != tc.code {
			t.Errorf("%s: %d %v", tc.name, st, out)
		}
	}
	// The strict decoder every API shares: the valid pass request changed in one property.
	for _, tc := range jsonscantest.Hostile(t, string(good)) {
		if st, out := post("checkin-secret", tc.Body); st != 400 || out["code"] != "malformed_json" {
			t.Errorf("%s: %d %v", tc.Name, st, out)
		}
	}
}

// TestNewIssuerRefusesOtherProfiles: only a boarding pass signer's certificate signs passes.
func TestNewIssuerRefusesOtherProfiles(t *testing.T) {
	ca := certstest.NewCA(t)
	for _, opt := range []certstest.Option{
		certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth),
		certstest.WithProfile(certs.ProfileCredentialSigner),
	} {
		if _, err := NewIssuer("IG", ca.Issue(t, certs.AirlineCN("IG"), opt), nil); !errors.Is(err, certs.ErrExtKeyUsage) {
			t.Errorf("err = %v, want ErrExtKeyUsage", err)
		}
	}
	if _, err := NewIssuer("IG", ca.Issue(t, certs.AirlineCN("IG"), certstest.WithProfile(certs.ProfileBoardingPassSigner)), nil); err != nil {
		t.Fatal(err)
	}
}
