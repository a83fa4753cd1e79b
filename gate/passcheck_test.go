package gate_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// passWorld is a World whose trust list also holds airline ZZ (trusted for ZZ only), and a
// Service with gate A1 boarding the World's IG flight.
type passWorld struct {
	w   *gatetest.World
	zz  certs.Signer
	svc *gate.Service
}

func newPassWorld(t *testing.T, edit func(*gate.Config)) *passWorld {
	t.Helper()
	w := gatetest.New(t)
	zz := w.Env.CA.Issue(t, certs.AirlineCN("ZZ"))
	anchorZZ := w.Env.CA.Anchor(certs.PurposeBoardingPass, "ZZ", certs.AirlineCN("ZZ"))
	anchorZZ.Certs = zz.Chain()[:1]
	cfg := w.Config(t)
	cfg.Passes = certs.NewTrustList(append(w.Passes.Anchors(), anchorZZ)...)
	if edit != nil {
		edit(&cfg)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(context.Background(), "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	return &passWorld{w: w, zz: zz, svc: svc}
}

// verify presents a fresh passenger named Smith/John with bcbp at gate A1.
func (pw *passWorld) verify(t *testing.T, opts gatetest.PassOpts) *gate.Decision {
	t.Helper()
	p := pw.w.Passenger(t, "Smith", "John")
	n, err := pw.svc.GateNonce(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	bcbp := pw.w.Pass(t, "SMITH/JOHN", opts)
	return pw.svc.Verify(context.Background(), "A1", &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: bcbp,
		LiveFace: gate.LiveFace{Template: pw.w.LiveTemplate(t, p)}})
}

// TestVerifyPassSigner: only the operating carrier's own key makes a pass for its flight. A
// pass another trusted airline (ZZ) signed for IG0101 is denied, whatever issuer it declares.
func TestVerifyPassSigner(t *testing.T) {
	pw := newPassWorld(t, nil)
	for i, c := range []struct {
		name   string
		signer certs.Signer
		issuer string
		reason gate.Reason // "" = allow
	}{
		{"IG signs IG0101", pw.w.Airline, "IG", ""},
		{"ZZ signs IG0101 as ZZ", pw.zz, "ZZ", gate.ReasonPassSignature},
		{"ZZ signs IG0101 claiming IG", pw.zz, "IG", gate.ReasonPassSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := pw.verify(t, gatetest.PassOpts{Signer: c.signer, Issuer: c.issuer, Sequence: i + 1})
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
		})
	}
}

// TestVerifyPassIssueDate: BCBP flight dates have no year, so the date of issue must place
// the pass within PassIssueWindow (30 days by default) before the flight date.
func TestVerifyPassIssueDate(t *testing.T) {
	pw := newPassWorld(t, nil)
	day, err := time.Parse(time.DateOnly, pw.w.Flight.Date)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		name   string
		opts   gatetest.PassOpts
		reason gate.Reason // "" = allow
	}{
		{"issued today", gatetest.PassOpts{Issued: day}, ""},
		{"issued 29 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -29)}, ""},
		{"issued 30 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -30)}, ""},
		{"issued 31 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -31)}, gate.ReasonPassStale},
		{"last year's pass, same flight and day", gatetest.PassOpts{Issued: day.AddDate(-1, 0, -2)}, gate.ReasonPassStale},
		{"no date of issue", gatetest.PassOpts{NoIssueDate: true}, gate.ReasonPassStale},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Sequence = i + 1
			d := pw.verify(t, c.opts)
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) || d.Checks.Flight != gate.CheckFail {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
		})
	}
}

// TestVerifyCaretInPass: '^' inside the signed part (here the name) made two passes share a
// PassID when ids were hashed up to the first '^'. Such a pass, even validly signed by the
// operating carrier, is malformed.
func TestVerifyCaretInPass(t *testing.T) {
	pw := newPassWorld(t, nil)
	good := pw.w.Pass(t, "SMITH/JOHN", gatetest.PassOpts{Unsigned: true})
	for _, c := range []struct {
		name     string
		unsigned string
		reason   gate.Reason // "" = allow
	}{
		{"hand-signed control", good, ""},
		{"'^' in the name", strings.Replace(good, "SMITH/JOHN ", "SMITH^/JOHN", 1), gate.ReasonPassMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := pw.w.Passenger(t, "Smith", "John")
			n, err := pw.svc.GateNonce(context.Background(), "A1")
			if err != nil {
				t.Fatal(err)
			}
			d := pw.svc.Verify(context.Background(), "A1", &gate.VerifyRequest{Presentation: p.Present(t, n),
				BCBP: rawSign(t, pw.w.Airline, c.unsigned), LiveFace: gate.LiveFace{Template: pw.w.LiveTemplate(t, p)}})
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) {
				t.Fatalf("want %s: %+v", c.reason, d)
			}
		})
	}
}

// rawSign appends our ES256 security section to s without parsing it first (boardingpass.Sign
// refuses what Parse refuses), to build validly signed but malformed passes.
func rawSign(t *testing.T, s certs.Signer, unsigned string) string {
	t.Helper()
	digest := sha256.Sum256([]byte(unsigned))
	der, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	var raw [64]byte
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	return unsigned + "^156" + base64.RawURLEncoding.EncodeToString(raw[:])
}
