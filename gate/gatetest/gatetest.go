// Package gatetest builds the in-process airport world gate tests need: the credential
// ecosystem of credential/credentialtest (test CA, issuers, status list over loopback HTTP), an
// mDL issuing authority (IACA and Document Signer), an airline's boarding-pass signer under the
// same CA, the gate reader key, and passengers whose ID (SD-JWT VC or mdoc) carries a sealed
// face template and whose boarding pass is signed for a flight.
// Everything is generated in code.
package gatetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"maps"
	"math"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/gate"
)

// Audience is the verifier identifier of the World's Service.
const Audience = "https://verifier.idgate.test"

// Model is the template model id of every generated template.
const Model biometric.ModelID = "test-model-1"

// World is a credential ecosystem plus an airline and a gate reader.
type World struct {
	Env       *credentialtest.Env
	Airline   certs.Signer // designator IG
	Passes    *certs.TrustList
	ReaderKey *ecdsa.PrivateKey
	Flight    gate.Flight // IG0101 today
	Mdoc      *MdocPKI    // the mDL's issuing authority the World's gate trusts
	rng       *mrand.Rand
}

// New builds a World; its flight departs today (UTC).
func New(t testing.TB) *World {
	t.Helper()
	env := credentialtest.New(t)
	airline := env.CA.Issue(t, certs.AirlineCN("IG"))
	anchor := env.CA.Anchor(certs.PurposeBoardingPass, "IG", certs.AirlineCN("IG"))
	anchor.Certs = airline.Chain()[:1]
	reader, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gate.NewFlight("IG", "101", time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	return &World{
		Env: env, Airline: airline, Passes: certs.NewTrustList(anchor), ReaderKey: reader, Flight: f,
		Mdoc: NewMdocPKI(t), rng: mrand.New(mrand.NewPCG(1, 2)),
	}
}

// Config returns a gate.Config over the World with a memory store; adjust before gate.New.
func (w *World) Config(t testing.TB) gate.Config {
	return gate.Config{
		Credentials: w.Env.Verifier(t), Mdoc: w.MdocVerifier(), Passes: w.Passes, ReaderKey: w.ReaderKey,
		Store: gate.NewMemoryStore(), Audience: Audience,
	}
}

// Template returns a random template with dlib-like spacing: two random templates are about
// 1.0 apart, well over the 0.5 operating point.
func (w *World) Template() biometric.Template {
	v := make([]float32, biometric.Dim)
	for i := range v {
		v[i] = float32(w.rng.NormFloat64() / 16)
	}
	t, _ := biometric.NewTemplate(Model, v)
	return t
}

// Near returns a capture of the same face: t moved by about dist.
func (w *World) Near(t biometric.Template, dist float64) biometric.Template {
	v := make([]float32, biometric.Dim)
	sigma := dist / math.Sqrt(biometric.Dim)
	for i := range v {
		v[i] = t.Vector[i] + float32(w.rng.NormFloat64()*sigma)
	}
	out, _ := biometric.NewTemplate(t.Model, v)
	return out
}

// Passenger is a traveller: an ID (with a sealed face template), a face, and a pass.
type Passenger struct {
	Holder *credentialtest.Holder
	Face   biometric.Template
	Family string
	Given  string
}

// Passenger issues an ID for family/given names with a fresh face template.
func (w *World) Passenger(t testing.TB, family, given string) *Passenger {
	return w.PassengerWith(t, family, given, PassengerOpts{})
}

// PassengerOpts adjusts a passenger's ID.
type PassengerOpts struct {
	SealTo *ecdsa.PublicKey // default: the World's reader key
	IAT    time.Time
	TTL    time.Duration
}

// PassengerWith issues an ID as Passenger does, adjusted by o.
func (w *World) PassengerWith(t testing.TB, family, given string, o PassengerOpts) *Passenger {
	t.Helper()
	if o.SealTo == nil {
		o.SealTo = &w.ReaderKey.PublicKey
	}
	face := w.Template()
	sealed, err := biometric.Seal(face, o.SealTo)
	if err != nil {
		t.Fatal(err)
	}
	attrs := maps.Clone(credentialtest.Attributes)
	attrs["family_name"], attrs["given_name"], attrs[credential.FaceTemplateClaim] = family, given, sealed
	h := w.Env.Issue(t, credentialtest.IssueOpts{Attrs: attrs, IAT: o.IAT, TTL: o.TTL})
	return &Passenger{Holder: h, Face: face, Family: family, Given: given}
}

// Present discloses the gate claims bound to n (a gate or check-in nonce).
func (p *Passenger) Present(t testing.TB, n gate.Nonce) string {
	t.Helper()
	return p.Holder.Present(t, []string{"family_name", "given_name", credential.FaceTemplateClaim}, n.Audience, n.Nonce, time.Now())
}

// LiveTemplate is a fresh capture of the passenger's face, encoded as a gate sends it.
func (w *World) LiveTemplate(t testing.TB, p *Passenger) string { return w.LiveTemplateOf(t, p.Face) }

// LiveTemplateOf is a fresh capture of face, encoded as a gate sends it.
func (w *World) LiveTemplateOf(t testing.TB, face biometric.Template) string {
	s, err := w.Near(face, 0.15).EncodeString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// PassOpts adjusts a boarding pass.
type PassOpts struct {
	Flight   *gate.Flight // default: the World's flight
	Sequence int          // check-in sequence number (distinct passes); default 1
	Signer   certs.Signer // default: the World's airline
	Unsigned bool
	Issuer   string    // declared issuing airline; default the flight's carrier
	Issued   time.Time // date of issue; default today (UTC)
	// NoIssueDate leaves the date of issue out (Resolution 792 makes it conditional).
	NoIssueDate bool
	// Edit, when set, changes the pass before it is encoded and signed (a reprint written
	// differently, another leg).
	Edit func(p *boardingpass.Pass)
}

// Pass returns a signed one-leg BCBP in the Resolution 792 name "name" (SURNAME/GIVEN).
func (w *World) Pass(t testing.TB, name string, o PassOpts) string {
	t.Helper()
	f := w.Flight
	if o.Flight != nil {
		f = *o.Flight
	}
	if o.Sequence == 0 {
		o.Sequence = 1
	}
	if o.Signer == nil {
		o.Signer = w.Airline
	}
	if o.Issuer == "" {
		o.Issuer = f.Carrier
	}
	if o.Issued.IsZero() {
		o.Issued = time.Now().UTC()
	}
	issued := fmt.Sprintf("%d%03d", o.Issued.Year()%10, o.Issued.YearDay())
	if o.NoIssueDate {
		issued = ""
	}
	day, _ := time.Parse(time.DateOnly, f.Date)
	if len(name) > 20 {
		name = name[:20]
	}
	p := &boardingpass.Pass{
		Name: strings.ToUpper(name), ETicket: 'E', Version: 8,
		Unique: &boardingpass.UniqueConditional{IssuanceSource: 'W', DocumentType: 'B', Issuer: o.Issuer, IssueDate: issued},
		Legs: []boardingpass.Leg{{
			PNR: fmt.Sprintf("P%05d", o.Sequence%100000), From: "FRA", To: "LHR", Carrier: f.Carrier,
			Flight: f.Number, JulianDate: day.YearDay(), Compartment: 'Y', Seat: "012A",
			Sequence: fmt.Sprintf("%04d", o.Sequence%10000), Status: '1',
		}},
	}
	if o.Edit != nil {
		o.Edit(p)
	}
	unsigned, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if o.Unsigned {
		return unsigned
	}
	signed, err := boardingpass.Sign(unsigned, o.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}
