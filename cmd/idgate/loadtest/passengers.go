package loadtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/sdjwt"
)

// Model is the template model id of every generated template. The gate only requires the
// live template's model to equal the enrolled one's (else face_model_mismatch).
const Model biometric.ModelID = "loadtest-synthetic-1"

// maxPassIndex bounds the traveller index a boarding pass is made for: the PNR carries the
// index in 5 base-36 characters.
const maxPassIndex = 36 * 36 * 36 * 36 * 36

// liveDistance is how far a live capture lies from the enrolled template: well under the 0.5
// operating point, like a good camera capture; two random unit templates are about 1.41 apart.
const liveDistance = 0.2

// gateClaims are the claims a gate presentation discloses (gate.Verify requires them).
var gateClaims = []string{"/family_name", "/given_name", "/" + credential.FaceTemplateClaim}

// world is what passengers are made from: the PKI's signers, the status list and the flight.
type world struct {
	employee, licence, airline certs.Signer
	issuerURL                  string // iss: the SAN URI of the credential issuers' certificates
	statusURI                  string
	reader                     *ecdsa.PublicKey // gate reader key the face templates are sealed to
	flight                     flight
	julian                     int
	seed                       uint64       // per run, so runs against one Target never repeat faces
	liveJPEG                   *LiveJPEG    // nil: synthetic templates
	mdocDS                     certs.Signer // non-nil: passengers' IDs are mDL mdocs (Config.Mdoc)
	now                        func() time.Time
}

func newWorld(pki *certs.PKI, statusURI string, f flight, now func() time.Time) (*world, error) {
	airline, ok := pki.Airlines[f.Carrier]
	if !ok {
		return nil, errf(CodeWorld, nil, "PKI has no airline %s", f.Carrier)
	}
	leaf := pki.EmployeeIssuer.Chain()[0]
	if len(leaf.URIs) == 0 {
		return nil, errf(CodeWorld, nil, "issuer certificate names no issuer URI")
	}
	day, err := time.Parse(time.DateOnly, f.Date)
	if err != nil {
		return nil, errf(CodeConfig, err, "flight date")
	}
	var s [8]byte
	_, _ = rand.Read(s[:])
	var seed uint64
	for _, b := range s {
		seed = seed<<8 | uint64(b)
	}
	return &world{
		employee: pki.EmployeeIssuer, licence: pki.MDLIssuer, airline: airline,
		issuerURL: leaf.URIs[0].String(), statusURI: statusURI, reader: &pki.GateReader.PublicKey,
		flight: f, julian: day.YearDay(), seed: seed, now: now,
	}, nil
}

// passenger is one traveller, everything but the nonce-bound KB-JWT.
type passenger struct {
	family   string
	given    string
	key      *ecdsa.PrivateKey
	selected string // SD-JWT VC disclosing only gateClaims, ending in '~', no KB-JWT yet
	// issuerSigned is the mDL mdoc (mdoc mode) instead of the SD-JWT VC.
	issuerSigned []byte
	bcbp         string
	live         string // live template, EncodeString form; empty when jpeg is set
	jpeg         []byte // live capture (live_jpeg mode)
}

// passenger builds traveller i (i is also the status list index).
func (w *world) passenger(i int) (*passenger, error) {
	face, live, jpeg, err := w.faces(i)
	if err != nil {
		return nil, err
	}
	sealed, err := biometric.Seal(face, w.reader)
	if err != nil {
		return nil, errf(CodeGenerate, err, "seal face template")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errf(CodeGenerate, err, "device key")
	}
	family, given := names(i)
	if w.mdocDS != nil {
		is, err := w.mdocIssuerSigned(i, family, given, sealed, &key.PublicKey)
		if err != nil {
			return nil, err
		}
		bcbp, err := w.pass(i, family, given)
		if err != nil {
			return nil, err
		}
		return &passenger{family: family, given: given, key: key, issuerSigned: is, bcbp: bcbp, live: live, jpeg: jpeg}, nil
	}
	typ, signer, attrs := credential.DrivingLicence, w.licence, map[string]any{
		"family_name": family, "given_name": given, "birth_date": "1984-03-14",
		"issuing_country": "DE", "issuing_authority": "KBA", "document_number": fmt.Sprintf("D%08d", i),
		"driving_privileges":         []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2034-01-01"}},
		credential.FaceTemplateClaim: sealed,
	}
	if i%2 == 1 {
		typ, signer, attrs = credential.EmployeeID, w.employee, map[string]any{
			"family_name": family, "given_name": given, "birth_date": "1979-11-02",
			"employee_number": fmt.Sprintf("E-%07d", i), "organisation": "Ministry of Transport",
			credential.FaceTemplateClaim: sealed,
		}
	}
	iat := w.now().Add(-time.Minute)
	subject, err := credential.SubjectClaims(typ, attrs, iat)
	if err != nil {
		return nil, errf(CodeGenerate, err, "subject claims")
	}
	vc, err := credential.Issue(credential.IssueRequest{
		Type: typ, Issuer: w.issuerURL, Subject: subject, HolderKey: &key.PublicKey,
		Status: credential.StatusRef{Index: i, URI: w.statusURI}, IssuedAt: iat, ExpiresAt: iat.Add(24 * time.Hour),
	}, signer)
	if err != nil {
		return nil, errf(CodeGenerate, err, "issue credential")
	}
	tok, err := sdjwt.Parse(vc)
	if err != nil {
		return nil, errf(CodeGenerate, err, "parse credential")
	}
	sel, err := tok.Present(gateClaims)
	if err != nil {
		return nil, errf(CodeGenerate, err, "select disclosures")
	}
	bcbp, err := w.pass(i, family, given)
	if err != nil {
		return nil, err
	}
	return &passenger{family: family, given: given, key: key, selected: sel.String(), bcbp: bcbp, live: live, jpeg: jpeg}, nil
}

// faces is traveller i's enrolled template and live face: a random template and a capture
// liveDistance from it, or, in live JPEG mode, the photo pair's template and capture.
func (w *world) faces(i int) (enrolled biometric.Template, live string, jpeg []byte, err error) {
	if w.liveJPEG != nil {
		return w.liveJPEG.Enrolled, "", w.liveJPEG.JPEG, nil
	}
	rng := mrand.New(mrand.NewPCG(w.seed, uint64(i)))
	if enrolled, err = unitTemplate(rng); err != nil {
		return enrolled, "", nil, err
	}
	if live, err = near(rng, enrolled, liveDistance).EncodeString(); err != nil {
		return enrolled, "", nil, errf(CodeGenerate, err, "live template")
	}
	return enrolled, live, nil, nil
}

// pass is traveller i's airline-signed one-leg M-format boarding pass for the run's flight.
func (w *world) pass(i int, family, given string) (string, error) {
	name := strings.ToUpper(family + "/" + given)
	if len(name) > 20 { // Resolution 792 truncates; gate.NameMatches accepts the truncation
		name = name[:20]
	}
	// 7 characters: 2 from the run's seed, 5 unique per i (i < maxPassIndex), so passes never
	// repeat.
	pnr := strings.ToUpper(strconv.FormatInt(int64(w.seed%(36*36))+36*36, 36)[1:] +
		strconv.FormatInt(int64(i)+maxPassIndex, 36)[1:])
	p := &boardingpass.Pass{
		Name: name, ETicket: 'E', Version: 8,
		Unique: &boardingpass.UniqueConditional{IssuanceSource: 'W', DocumentType: 'B', Issuer: w.flight.Carrier,
			IssueDate: fmt.Sprintf("%d%03d", w.now().UTC().Year()%10, w.now().UTC().YearDay())}, // the gate refuses passes without one
		Legs: []boardingpass.Leg{{
			PNR: pnr, From: "FRA", To: "LHR", Carrier: w.flight.Carrier, Flight: w.flight.Number,
			JulianDate: w.julian, Compartment: 'Y', Seat: fmt.Sprintf("%03d%c", 1+i%60, 'A'+byte(i%6)),
			Sequence: fmt.Sprintf("%04d", i%10000), Status: '1',
		}},
	}
	unsigned, err := p.Encode()
	if err != nil {
		return "", errf(CodeGenerate, err, "encode boarding pass")
	}
	signed, err := boardingpass.Sign(unsigned, w.airline)
	if err != nil {
		return "", errf(CodeGenerate, err, "sign boarding pass")
	}
	return signed, nil
}

// present binds the passenger's selection to a nonce with a KB-JWT.
func (p *passenger) present(n nonce, now time.Time) (string, error) {
	out, err := sdjwt.AddKeyBinding(p.selected, p.key, jwa.ES256, n.Audience, n.Nonce, now)
	if err != nil {
		return "", errf(CodeGenerate, err, "key binding")
	}
	return out, nil
}

// verifyBody is the JSON body of POST /v1/gates/{gate}/verify (gate.VerifyRequest): the live
// template, or the live JPEG when jpeg is set.
func verifyBody(presentation, bcbp, live string, jpeg []byte) ([]byte, error) {
	return json.Marshal(struct {
		Presentation string `json:"presentation"`
		BCBP         string `json:"bcbp"`
		Live         string `json:"live_template,omitempty"`
		JPEG         []byte `json:"live_jpeg,omitempty"`
	}{presentation, bcbp, live, jpeg})
}

// identifyBody is the JSON body of POST /v1/gates/{gate}/identify.
func identifyBody(live string) ([]byte, error) {
	return json.Marshal(struct {
		Live string `json:"live_template"`
	}{live})
}

// unitTemplate is a random direction in 128-d, unit length (dlib descriptors are about that).
func unitTemplate(rng *mrand.Rand) (biometric.Template, error) {
	v := make([]float32, biometric.Dim)
	var n float64
	for i := range v {
		x := rng.NormFloat64()
		v[i], n = float32(x), n+x*x
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
	t, err := biometric.NewTemplate(Model, v)
	if err != nil {
		return t, errf(CodeGenerate, err, "template")
	}
	return t, nil
}

// near is another capture of the same face: t moved by about dist in a random direction.
func near(rng *mrand.Rand, t biometric.Template, dist float64) biometric.Template {
	v := make([]float32, biometric.Dim)
	sigma := dist / math.Sqrt(biometric.Dim)
	for i := range v {
		v[i] = t.Vector[i] + float32(rng.NormFloat64()*sigma)
	}
	out, _ := biometric.NewTemplate(t.Model, v) // finite by construction
	return out
}

var (
	syllables = [16]string{"ka", "lo", "mi", "ne", "ra", "su", "to", "vi", "ber", "dan", "gor", "hel", "jus", "mar", "pel", "win"}
	givens    = [8]string{"Erika", "Jonas", "Amelie", "Mateo", "Sofia", "Lukas", "Ines", "Yusuf"}
)

// names gives traveller i a distinct family name (five syllables from i's bits) and a given
// name, all letters, so the Resolution 792 name matches after normalisation.
func names(i int) (family, given string) {
	var b strings.Builder
	for k := 0; k < 5; k++ {
		b.WriteString(syllables[(i>>(4*k))&15])
	}
	f := b.String()
	return strings.ToUpper(f[:1]) + f[1:], givens[i%len(givens)]
}

// parallel runs fn(i) for i in [0, n) on workers goroutines; the first error stops the rest.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					stop.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return first
}
