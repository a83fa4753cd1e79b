package gate_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/gate/sqlitestore"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
)

// mdocWorld is a World with a Service (mdoc IDs accepted) and gate A1 boarding its flight.
type mdocWorld struct {
	w   *gatetest.World
	svc *gate.Service
}

func newMdocWorld(t *testing.T, edit func(*gate.Config)) *mdocWorld {
	t.Helper()
	w := gatetest.New(t)
	cfg := w.Config(t)
	if edit != nil {
		edit(&cfg)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"A1", "B7"} {
		if _, err := svc.PutGate(context.Background(), id, gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
			t.Fatal(err)
		}
	}
	return &mdocWorld{w: w, svc: svc}
}

func (mw *mdocWorld) gateNonce(t *testing.T, id string) gate.Nonce {
	t.Helper()
	n, err := mw.svc.GateNonce(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// tamper replaces old with new (same length) in a base64url DeviceResponse.
func tamper(t *testing.T, b64, old, new string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("tamper: %q not in the response (%v)", old, err)
	}
	return base64.RawURLEncoding.EncodeToString(bytes.ReplaceAll(raw, []byte(old), []byte(new)))
}

// TestVerifyMdoc: the gate boards a passenger whose ID is the mDL mdoc exactly as it boards one
// with the SD-JWT VC, and denies with the same reasons: a response device-signed for another
// gate, another nonce or check-in; a nonce not issued; revoked, suspended, status unavailable;
// expired; under an IACA the gate does not trust; a name that is not the pass's; a required
// element missing; an element changed after issuance. No deny carries a score or boards.
func TestVerifyMdoc(t *testing.T) {
	mw := newMdocWorld(t, nil)
	w := mw.w
	other := gatetest.NewMdocPKI(t) // an IACA the gate does not trust
	type req struct {
		mdoc, nonce string
	}
	for i, c := range []struct {
		name    string
		opts    gatetest.MdocOpts
		passFor string // pass name; default MUSTERMANN/ERIKA
		status  uint8
		noList  bool
		build   func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req
		live    func(p *gatetest.MdocPassenger) string
		want    gate.Reason
		code    string
	}{
		{name: "allow"},
		{name: "transcript of another gate", want: gate.ReasonCredentialInvalid, code: "kb_signature_invalid",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				return req{p.PresentFor(t, mw.svc.GateAudience("B7"), n.Nonce), n.Nonce}
			}},
		{name: "transcript of check-in", want: gate.ReasonCredentialInvalid, code: "kb_signature_invalid",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				return req{p.PresentFor(t, mw.svc.CheckinAudience(w.Flight), n.Nonce), n.Nonce}
			}},
		{name: "transcript of another nonce", want: gate.ReasonCredentialInvalid, code: "kb_signature_invalid",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				return req{p.PresentFor(t, n.Audience, mw.gateNonce(t, "A1").Nonce), n.Nonce}
			}},
		{name: "nonce of another gate", want: gate.ReasonNonceInvalid,
			build: func(t *testing.T, p *gatetest.MdocPassenger, _ gate.Nonce) req {
				n := mw.gateNonce(t, "B7")
				return req{p.PresentFor(t, mw.svc.GateAudience("A1"), n.Nonce), n.Nonce}
			}},
		{name: "nonce never issued", want: gate.ReasonNonceInvalid,
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				const forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				return req{p.PresentFor(t, n.Audience, forged), forged}
			}},
		{name: "revoked", status: statuslist.Invalid, want: gate.ReasonCredentialRevoked, code: "revoked"},
		{name: "suspended", status: statuslist.Suspended, want: gate.ReasonCredentialSuspend, code: "suspended"},
		{name: "status list unavailable", noList: true, want: gate.ReasonStatusUnavailable, code: "status_unavailable"},
		{name: "expired", opts: gatetest.MdocOpts{ValidUntil: time.Now().Add(-time.Minute)}, want: gate.ReasonCredentialExpired, code: "expired"},
		{name: "untrusted IACA", opts: gatetest.MdocOpts{Signer: other.DS}, want: gate.ReasonCredentialInvalid, code: "untrusted_issuer"},
		{name: "name mismatch", passFor: "GABLER/MAX", want: gate.ReasonNameMismatch},
		{name: "face element missing", opts: gatetest.MdocOpts{Omit: []string{mdoc.ElementFaceTemplate}}, want: gate.ReasonClaimNotDisclosed, code: "claim_not_disclosed"},
		{name: "given name missing", opts: gatetest.MdocOpts{Omit: []string{"given_name"}}, want: gate.ReasonClaimNotDisclosed, code: "claim_not_disclosed"},
		{name: "element tampered", want: gate.ReasonCredentialInvalid, code: "disclosure_unreferenced",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				return req{tamper(t, p.Present(t, n), "Mustermann", "Musterfrau"), n.Nonce}
			}},
		{name: "a second document beside the mDL", want: gate.ReasonCredentialInvalid, code: "malformed",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				raw, _ := base64.RawURLEncoding.DecodeString(p.Present(t, n))
				var r mdoc.DeviceResponse
				if err := cbor.Unmarshal(raw, &r); err != nil || len(r.Documents) != 1 {
					t.Fatalf("DeviceResponse: %v", err)
				}
				extra := r.Documents[0]
				extra.DocType = "org.iso.23220.photoid.1"
				r.Documents = append(r.Documents, extra)
				b, err := cbor.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				return req{base64.RawURLEncoding.EncodeToString(b), n.Nonce}
			}},
		{name: "not a DeviceResponse", want: gate.ReasonCredentialInvalid, code: "malformed",
			build: func(t *testing.T, p *gatetest.MdocPassenger, n gate.Nonce) req {
				return req{base64.RawURLEncoding.EncodeToString([]byte("not cbor")), n.Nonce}
			}},
		{name: "face of someone else", want: gate.ReasonFaceMismatch,
			live: func(*gatetest.MdocPassenger) string { s, _ := w.Template().EncodeString(); return s }},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.MdocPassengerWith(t, "Mustermann", "Erika", c.opts)
			if c.status != 0 {
				w.Env.SetStatus(t, p.StatusIdx, c.status)
			}
			if c.noList {
				w.Env.FailStatus(http.StatusServiceUnavailable)
				defer w.Env.FailStatus(0)
			}
			n := mw.gateNonce(t, "A1")
			r := req{}
			if c.build != nil {
				r = c.build(t, p, n)
			} else {
				r = req{p.Present(t, n), n.Nonce}
			}
			live := w.LiveTemplateOf(t, p.Face)
			if c.live != nil {
				live = c.live(p)
			}
			name := "MUSTERMANN/ERIKA"
			if c.passFor != "" {
				name = c.passFor
			}
			d := mw.svc.Verify(context.Background(), "A1", &gate.VerifyRequest{Mdoc: r.mdoc, Nonce: r.nonce,
				BCBP: w.Pass(t, name, gatetest.PassOpts{Sequence: 100 + i}), LiveFace: gate.LiveFace{Template: live}})
			if c.want == "" {
				if !d.Allowed() || d.Checks.Credential != gate.CheckPass || d.Checks.Name != gate.CheckPass || d.Checks.Face != gate.CheckPass {
					t.Fatalf("want allow: %+v", d)
				}
				if _, ok := d.Score(); !ok {
					t.Fatal("allow without a score")
				}
				return
			}
			if d.Allowed() || firstReason(d) != c.want || d.CredentialCode != c.code || d.Checks.SingleUse != gate.CheckSkipped {
				t.Fatalf("want %s (%s), nothing boarded: %+v", c.want, c.code, d)
			}
			if _, ok := d.Score(); ok {
				t.Fatalf("deny carries a score: %+v", d)
			}
		})
	}
}

// TestVerifyMdocNonceSingleUse: the nonce is consumed before any signature work; the same
// request again (or the same nonce with another pass) is nonce_invalid, not already_boarded,
// and an mdoc sent to a gate without an mdoc verifier is refused without consuming the nonce.
func TestVerifyMdocNonceSingleUse(t *testing.T) {
	mw := newMdocWorld(t, nil)
	w := mw.w
	p := w.MdocPassenger(t, "Mustermann", "Erika")
	n := mw.gateNonce(t, "A1")
	req := &gate.VerifyRequest{Mdoc: p.Present(t, n), Nonce: n.Nonce, BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{}),
		LiveFace: gate.LiveFace{Template: w.LiveTemplateOf(t, p.Face)}}
	if d := mw.svc.Verify(context.Background(), "A1", req); !d.Allowed() {
		t.Fatalf("first: %+v", d)
	}
	if d := mw.svc.Verify(context.Background(), "A1", req); firstReason(d) != gate.ReasonNonceInvalid || d.Checks.SingleUse != gate.CheckSkipped {
		t.Fatalf("replay: %+v", d)
	}
	again := *req
	again.BCBP = w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 2})
	if d := mw.svc.Verify(context.Background(), "A1", &again); firstReason(d) != gate.ReasonNonceInvalid {
		t.Fatalf("replayed nonce, another pass: %+v", d)
	}

	noMdoc := newMdocWorld(t, func(c *gate.Config) { c.Mdoc = nil })
	n = noMdoc.gateNonce(t, "A1")
	bcbp := noMdoc.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{})
	q := &gate.VerifyRequest{Mdoc: p.Present(t, n), Nonce: n.Nonce, BCBP: bcbp, LiveFace: req.LiveFace}
	if d := noMdoc.svc.Verify(context.Background(), "A1", q); firstReason(d) != gate.ReasonCredentialInvalid || d.CredentialCode != gate.CodeMdocNotAccepted {
		t.Fatalf("no mdoc verifier: %+v", d)
	}
	// The nonce is still good for an SD-JWT VC presentation.
	sd := noMdoc.w.Passenger(t, "Mustermann", "Erika")
	if d := noMdoc.svc.Verify(context.Background(), "A1", &gate.VerifyRequest{Presentation: sd.Present(t, n), BCBP: bcbp,
		LiveFace: gate.LiveFace{Template: noMdoc.w.LiveTemplate(t, sd)}}); !d.Allowed() {
		t.Fatalf("nonce after a refused mdoc: %+v", d)
	}
}

// TestEnrolMdocIdentify: check-in enrols mdoc IDs (single and batch) with their status list
// reference; walk-through identify boards them, and denies one revoked after check-in. An mdoc
// signed for a gate instead of the check-in is denied.
func TestEnrolMdocIdentify(t *testing.T) {
	ctx := context.Background()
	mw := newMdocWorld(t, nil)
	w := mw.w
	checkin := func() gate.Nonce {
		n, err := mw.svc.CheckinNonce(ctx, w.Flight)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	erika, max, lena := w.MdocPassenger(t, "Mustermann", "Erika"), w.MdocPassenger(t, "Gabler", "Max"), w.MdocPassenger(t, "Weiß", "Lena")
	n := checkin()
	if d := mw.svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Mdoc: erika.Present(t, n), Nonce: n.Nonce,
		BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 1})}); !d.Allowed() {
		t.Fatalf("enrol: %+v", d)
	}
	n1, n2, n3 := checkin(), checkin(), checkin()
	ds := mw.svc.EnrolBatch(ctx, w.Flight, []*gate.EnrolRequest{
		{Mdoc: max.Present(t, n1), Nonce: n1.Nonce, BCBP: w.Pass(t, "GABLER/MAX", gatetest.PassOpts{Sequence: 2})},
		{Mdoc: lena.Present(t, n2), Nonce: n2.Nonce, BCBP: w.Pass(t, "WEISS/LENA", gatetest.PassOpts{Sequence: 3})},
		{Mdoc: lena.PresentFor(t, mw.svc.GateAudience("A1"), n3.Nonce), Nonce: n3.Nonce, BCBP: w.Pass(t, "WEISS/LENA", gatetest.PassOpts{Sequence: 4})},
	})
	if !ds[0].Allowed() || !ds[1].Allowed() || firstReason(ds[2]) != gate.ReasonCredentialInvalid || ds[2].CredentialCode != "kb_signature_invalid" {
		t.Fatalf("enrol-batch: %+v %+v %+v", ds[0], ds[1], ds[2])
	}
	identify := func(face string) *gate.Decision {
		return mw.svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: face}})
	}
	w.Env.SetStatus(t, max.StatusIdx, statuslist.Invalid)
	if d := identify(w.LiveTemplateOf(t, max.Face)); firstReason(d) != gate.ReasonCredentialRevoked {
		t.Fatalf("revoked after check-in: %+v", d)
	}
	for _, p := range []*gatetest.MdocPassenger{erika, lena} {
		if d := identify(w.LiveTemplateOf(t, p.Face)); !d.Allowed() || d.Checks.Credential != gate.CheckPass {
			t.Fatalf("identify %s: %+v", p.Given, d)
		}
	}
	if d := identify(w.LiveTemplateOf(t, erika.Face)); firstReason(d) != gate.ReasonAlreadyBoarded {
		t.Fatalf("identify twice: %+v", d)
	}
}

// TestMdocSessionTranscript: the gate's transcript is OpenID4VP's handover over the audience
// (as client_id and response_uri), the nonce and a null thumbprint, and differs per audience and
// nonce.
func TestMdocSessionTranscript(t *testing.T) {
	a, err := gate.MdocSessionTranscript("https://v.example/gates/A1", "n1")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range [][2]string{{"https://v.example/gates/A2", "n1"}, {"https://v.example/gates/A1", "n2"}} {
		b, _ := gate.MdocSessionTranscript(o[0], o[1])
		if bytes.Equal(a, b) {
			t.Fatalf("transcript of %v equals A1/n1's", o)
		}
	}
	want, err := oid4vp.SessionTranscript("https://v.example/gates/A1", "n1", nil, "https://v.example/gates/A1")
	if err != nil || !bytes.Equal(a, want) {
		t.Fatalf("transcript %x, want %x (%v)", a, want, err)
	}
}

// TestIdentifyDeniesExpiredMdoc: an mdoc ID enrolled at check-in keeps its MSO's validUntil
// (stored in SQLite, read back with the gallery); once it has passed, walk-through boarding is
// denied credential_expired, as for an SD-JWT VC, and a still valid mdoc boards.
func TestIdentifyDeniesExpiredMdoc(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	skew := time.Duration(0)
	var st *sqlitestore.Store
	mw := newMdocWorld(t, func(c *gate.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
		var err error
		if st, err = sqlitestore.Open(filepath.Join(t.TempDir(), "gate.db")); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		c.Store = st
	})
	w := mw.w
	short := w.MdocPassengerWith(t, "Mustermann", "Erika", gatetest.MdocOpts{ValidUntil: time.Now().Add(time.Hour)})
	long := w.MdocPassenger(t, "Musterfrau", "Eva")
	for i, p := range []*gatetest.MdocPassenger{short, long} {
		n, err := mw.svc.CheckinNonce(ctx, w.Flight)
		if err != nil {
			t.Fatal(err)
		}
		if d := mw.svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Mdoc: p.Present(t, n), Nonce: n.Nonce,
			BCBP: w.Pass(t, p.Family+"/"+p.Given, gatetest.PassOpts{Sequence: i + 1})}); !d.Allowed() {
			t.Fatalf("enrol %s: %+v", p.Family, d)
		}
	}
	mu.Lock()
	skew = 2 * time.Hour
	mu.Unlock()
	identify := func(p *gatetest.MdocPassenger) *gate.Decision {
		return mw.svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: w.LiveTemplateOf(t, p.Face)}})
	}
	if d := identify(short); firstReason(d) != gate.ReasonCredentialExpired || d.CredentialCode != "expired" || d.Checks.SingleUse != gate.CheckSkipped {
		t.Fatalf("expired mdoc: %+v", d)
	}
	if d := identify(long); !d.Allowed() {
		t.Fatalf("valid mdoc: %+v", d)
	}
}
