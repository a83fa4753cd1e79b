package verifier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/gate/sqlitestore"
)

const (
	operatorToken = "operator-secret"
	checkinToken  = "checkin-secret"
	terminalToken = "terminal-secret"
)

type gateServer struct {
	w     *gatetest.World
	svc   *gate.Service
	store gate.Store
	url   string
}

func newGateServer(t *testing.T, adjust ...func(*gate.Config)) *gateServer {
	t.Helper()
	w := gatetest.New(t)
	cfg := w.Config(t)
	for _, a := range adjust {
		a(&cfg)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ga := &GateAPI{Gates: svc, OperatorToken: HashToken(operatorToken), CheckinToken: HashToken(checkinToken),
		TerminalToken: HashToken(terminalToken)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer((&API{GateRoutes: ga.Routes}).Handler)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	s := &gateServer{w: w, svc: svc, store: cfg.Store, url: "http://" + l.Addr().String()}
	s.configure(t, "A1", w.Flight, true)
	return s
}

var terminalRoute = regexp.MustCompile(`^/v1/gates/[^/]+/(nonce|verify|identify)$`)

func (s *gateServer) do(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, ok := body.([]byte)
		if !ok {
			raw, _ = json.Marshal(body)
		}
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	if token == "" && terminalRoute.MatchString(path) {
		token = terminalToken // gate terminals authenticate on every call
	}
	if token == "none" {
		token = ""
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d non-JSON answer %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func (s *gateServer) configure(t *testing.T, id string, f gate.Flight, boarding bool) {
	t.Helper()
	st, out := s.do(t, http.MethodPut, "/v1/gates/"+id, operatorToken, gate.GateUpdate{Carrier: f.Carrier, Number: f.Number, Date: f.Date, Boarding: boarding})
	if st != http.StatusOK {
		t.Fatalf("configure gate: %d %v", st, out)
	}
}

func (s *gateServer) nonce(t *testing.T, id string) gate.Nonce {
	t.Helper()
	st, out := s.do(t, http.MethodPost, "/v1/gates/"+id+"/nonce", "", nil)
	if st != http.StatusCreated {
		t.Fatalf("nonce: %d %v", st, out)
	}
	return gate.Nonce{Nonce: out["nonce"].(string), Audience: out["audience"].(string)}
}

// verify presents p's ID for a fresh nonce of gate id with pass and live face.
func (s *gateServer) verify(t *testing.T, id string, p *gatetest.Passenger, pass string) (int, map[string]any) {
	t.Helper()
	return s.do(t, http.MethodPost, "/v1/gates/"+id+"/verify", "", map[string]any{
		"presentation": p.Present(t, s.nonce(t, id)), "bcbp": pass, "live_template": s.w.LiveTemplate(t, p),
	})
}

func reasonsOf(out map[string]any) []string {
	var rs []string
	for _, r := range out["reasons"].([]any) {
		rs = append(rs, r.(string))
	}
	return rs
}

func TestGateVerifyAllows(t *testing.T) {
	s := newGateServer(t)
	p := s.w.Passenger(t, "Mustermann", "Erika")
	st, out := s.verify(t, "A1", p, s.w.Pass(t, "MUSTERMANN/ERIKA MRS", gatetest.PassOpts{}))
	if st != http.StatusOK || out["decision"] != "allow" || len(reasonsOf(out)) != 0 {
		t.Fatalf("got %d %v", st, out)
	}
	for k, v := range out["checks"].(map[string]any) {
		// A live_template's capture is the terminal's: liveness is skipped unless required.
		if want := map[bool]string{true: "skipped", false: "pass"}[k == "liveness"]; v != want {
			t.Errorf("check %s = %v, want %s", k, v, want)
		}
	}
	if score := out["score"].(float64); score <= 0 || score >= 0.5 {
		t.Errorf("score = %v", score)
	}
	if ref := out["pass_ref"].(string); len(ref) != 16 {
		t.Errorf("pass_ref = %q", ref)
	}
}

func TestGateVerifyDenies(t *testing.T) {
	s := newGateServer(t)
	w := s.w
	closed := w.Flight
	closed.Number = "0202"
	s.configure(t, "B2", closed, false)
	name := "MUSTERMANN/ERIKA"
	type req struct {
		gate string
		body any
	}
	std := func(t *testing.T, p *gatetest.Passenger, pass string) req {
		return req{"A1", map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": pass, "live_template": w.LiveTemplate(t, p)}}
	}
	other := gatetest.New(t) // another CA, airline and reader key
	cases := []struct {
		name   string
		build  func(t *testing.T) req
		status int
		reason gate.Reason
	}{
		{"revoked ID", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			w.Env.SetStatus(t, p.Holder.StatusIdx, 1)
			return std(t, p, w.Pass(t, name, gatetest.PassOpts{}))
		}, 403, gate.ReasonCredentialRevoked},
		{"suspended ID", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			w.Env.SetStatus(t, p.Holder.StatusIdx, 2)
			return std(t, p, w.Pass(t, name, gatetest.PassOpts{}))
		}, 403, gate.ReasonCredentialSuspend},
		{"tampered pass", func(t *testing.T) req {
			pass := w.Pass(t, name, gatetest.PassOpts{})
			i := strings.Index(pass, "012A")
			return std(t, w.Passenger(t, "Mustermann", "Erika"), pass[:i]+"001A"+pass[i+4:])
		}, 403, gate.ReasonPassSignature},
		{"pass signed by an untrusted key", func(t *testing.T) req {
			return std(t, w.Passenger(t, "Mustermann", "Erika"), w.Pass(t, name, gatetest.PassOpts{Signer: other.Airline}))
		}, 403, gate.ReasonPassSignature},
		{"unsigned pass", func(t *testing.T) req {
			return std(t, w.Passenger(t, "Mustermann", "Erika"), w.Pass(t, name, gatetest.PassOpts{Unsigned: true}))
		}, 403, gate.ReasonPassUnsigned},
		{"garbage pass", func(t *testing.T) req {
			return std(t, w.Passenger(t, "Mustermann", "Erika"), "M1NOT A PASS")
		}, 403, gate.ReasonPassMalformed},
		{"flight's airline not in the trust list", func(t *testing.T) req {
			// Gate Z1 boards ZZ's flight; no key is trusted for ZZ, so even a pass signed by a
			// trusted airline (IG) cannot board it.
			f := w.Flight
			f.Carrier = "ZZ"
			s.configure(t, "Z1", f, true)
			p := w.Passenger(t, "Mustermann", "Erika")
			return req{"Z1", map[string]any{"presentation": p.Present(t, s.nonce(t, "Z1")),
				"bcbp": w.Pass(t, name, gatetest.PassOpts{Flight: &f}), "live_template": w.LiveTemplate(t, p)}}
		}, 403, gate.ReasonPassUnknownAirline},
		{"another flight", func(t *testing.T) req {
			f := w.Flight
			f.Number = "0102"
			return std(t, w.Passenger(t, "Mustermann", "Erika"), w.Pass(t, name, gatetest.PassOpts{Flight: &f}))
		}, 403, gate.ReasonWrongFlight},
		{"same flight tomorrow", func(t *testing.T) req {
			f := w.Flight
			d, _ := time.Parse(time.DateOnly, f.Date)
			f.Date = d.AddDate(0, 0, 1).Format(time.DateOnly)
			return std(t, w.Passenger(t, "Mustermann", "Erika"), w.Pass(t, name, gatetest.PassOpts{Flight: &f}))
		}, 403, gate.ReasonWrongFlight},
		{"someone else's pass", func(t *testing.T) req {
			return std(t, w.Passenger(t, "Mustermann", "Erika"), w.Pass(t, "GABLER/MAX", gatetest.PassOpts{}))
		}, 403, gate.ReasonNameMismatch},
		{"another face", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			impostor, _ := w.Template().EncodeString()
			return req{"A1", map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": impostor}}
		}, 403, gate.ReasonFaceMismatch},
		{"live template garbage", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			return req{"A1", map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": "AAAA"}}
		}, 403, gate.ReasonLiveFaceInvalid},
		{"live JPEG without extractor", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			return req{"A1", map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_jpeg": []byte{0xFF, 0xD8, 0xFF}}}
		}, 403, gate.ReasonNoFaceExtractor},
		{"face template sealed to another reader", func(t *testing.T) req {
			p := w.PassengerWith(t, "Mustermann", "Erika", gatetest.PassengerOpts{SealTo: &other.ReaderKey.PublicKey})
			return std(t, p, w.Pass(t, name, gatetest.PassOpts{}))
		}, 403, gate.ReasonFaceTemplate},
		{"face template withheld", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			n := s.nonce(t, "A1")
			pres := p.Holder.Present(t, []string{"family_name", "given_name"}, n.Audience, n.Nonce, time.Now())
			return req{"A1", map[string]any{"presentation": pres, "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": w.LiveTemplate(t, p)}}
		}, 403, gate.ReasonClaimNotDisclosed},
		{"made-up nonce", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			pres := p.Present(t, gate.Nonce{Nonce: "made-up", Audience: s.svc.GateAudience("A1")})
			return req{"A1", map[string]any{"presentation": pres, "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": w.LiveTemplate(t, p)}}
		}, 403, gate.ReasonNonceInvalid},
		{"nonce of another gate", func(t *testing.T) req {
			s.configure(t, "A2", w.Flight, true)
			p := w.Passenger(t, "Mustermann", "Erika")
			n := s.nonce(t, "A2")
			n.Audience = s.svc.GateAudience("A1")
			return req{"A1", map[string]any{"presentation": p.Present(t, n), "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": w.LiveTemplate(t, p)}}
		}, 403, gate.ReasonNonceInvalid},
		{"expired ID", func(t *testing.T) req {
			p := w.PassengerWith(t, "Mustermann", "Erika", gatetest.PassengerOpts{IAT: time.Now().Add(-48 * time.Hour), TTL: 24 * time.Hour})
			return std(t, p, w.Pass(t, name, gatetest.PassOpts{}))
		}, 403, gate.ReasonCredentialExpired},
		{"gate not boarding", func(t *testing.T) req {
			p := w.Passenger(t, "Mustermann", "Erika")
			return req{"B2", map[string]any{"presentation": p.Present(t, gate.Nonce{Nonce: "x", Audience: "y"}), "bcbp": w.Pass(t, name, gatetest.PassOpts{}), "live_template": w.LiveTemplate(t, p)}}
		}, 403, gate.ReasonGateNotBoarding},
		{"unknown gate", func(t *testing.T) req {
			return req{"Z9", map[string]any{"presentation": "a~b~", "bcbp": "M1", "live_template": "AAAA"}}
		}, 404, gate.ReasonUnknownGate},
		{"malformed body", func(t *testing.T) req { return req{"A1", []byte(`{"presentation":1}`)} }, 400, gate.ReasonMalformedRequest},
		{"unknown field", func(t *testing.T) req {
			return req{"A1", map[string]any{"presentation": "x", "bcbp": "y", "live_template": "z", "decision": "allow"}}
		}, 400, gate.ReasonMalformedRequest},
		{"both live forms", func(t *testing.T) req {
			return req{"A1", map[string]any{"presentation": "x", "bcbp": "y", "live_template": "z", "live_jpeg": "AAAA"}}
		}, 400, gate.ReasonMalformedRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.build(t)
			st, out := s.do(t, http.MethodPost, "/v1/gates/"+r.gate+"/verify", "", r.body)
			if st != c.status || out["decision"] != "deny" || !contains(reasonsOf(out), string(c.reason)) {
				t.Fatalf("got %d %v, want %d with %s", st, out, c.status, c.reason)
			}
			if score, ok := out["score"]; ok { // a deny's distance is a hill-climbing oracle
				t.Errorf("deny carries score %v", score)
			}
		})
	}
}

// fillGallery enrols n random travellers straight into the store (sealed as at check-in).
func fillGallery(t *testing.T, s *gateServer, n int) {
	t.Helper()
	f := s.w.Flight
	for i := range n {
		sealed, err := biometric.Seal(s.w.Template(), &s.w.ReaderKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		e := gate.Enrolment{Flight: f.Key(), Pass: gate.PassID(fmt.Sprintf("%064x", i+1)), Sealed: sealed,
			Departure: f.DefaultDeparture(), EnrolledAt: time.Now(), Status: s.w.Env.Slot(), IDExpires: time.Now().Add(24 * time.Hour)}
		if err := s.store.Enrol(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestGateStatusListUnreachable(t *testing.T) {
	s := newGateServer(t)
	p := s.w.Passenger(t, "Mustermann", "Erika")
	s.w.Env.FailStatus(http.StatusServiceUnavailable)
	defer s.w.Env.FailStatus(0)
	st, out := s.verify(t, "A1", p, s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{}))
	if st != http.StatusForbidden || !contains(reasonsOf(out), string(gate.ReasonStatusUnavailable)) ||
		out["credential_code"] != string(credential.CodeStatusUnavailable) {
		t.Fatalf("got %d %v", st, out)
	}
}

func TestGateAlreadyBoarded(t *testing.T) {
	s := newGateServer(t)
	p := s.w.Passenger(t, "Mustermann", "Erika")
	pass := s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{})
	if st, out := s.verify(t, "A1", p, pass); st != http.StatusOK {
		t.Fatalf("first: %d %v", st, out)
	}
	st, out := s.verify(t, "A1", p, pass)
	if st != http.StatusForbidden || !contains(reasonsOf(out), string(gate.ReasonAlreadyBoarded)) {
		t.Fatalf("second: %d %v", st, out)
	}
	// A reprint for the same check-in (issued yesterday, signed anew: other bytes, other
	// signature) is the same boarding.
	reprint := s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Issued: time.Now().Add(-24 * time.Hour)})
	if reprint == pass {
		t.Fatal("reprint has the same bytes; the test would not show anything")
	}
	if st, out := s.verify(t, "A1", p, reprint); st != http.StatusForbidden || !contains(reasonsOf(out), string(gate.ReasonAlreadyBoarded)) {
		t.Fatalf("reprint: %d %v", st, out)
	}
}

func TestGateConcurrentDoubleBoarding(t *testing.T) {
	for _, backend := range []struct {
		name  string
		store func(t *testing.T) gate.Store
	}{
		{"memory", func(*testing.T) gate.Store { return gate.NewMemoryStore() }},
		{"sqlite", func(t *testing.T) gate.Store {
			st, err := sqlitestore.Open(filepath.Join(t.TempDir(), "gate.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			s := newGateServer(t, func(c *gate.Config) { c.Store = backend.store(t) })
			p := s.w.Passenger(t, "Mustermann", "Erika")
			pass := s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{})
			const n = 32
			bodies := make([][]byte, n) // prepared first so the requests really race
			for i := range bodies {
				bodies[i], _ = json.Marshal(map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": pass, "live_template": s.w.LiveTemplate(t, p)})
			}
			var wg sync.WaitGroup
			results := make([]map[string]any, n)
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					_, results[i] = s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", bodies[i])
				})
			}
			close(start)
			wg.Wait()
			allows := 0
			for _, r := range results {
				switch {
				case r["decision"] == "allow":
					allows++
				case !contains(reasonsOf(r), string(gate.ReasonAlreadyBoarded)):
					t.Errorf("unexpected deny %v", r)
				}
			}
			if allows != 1 {
				t.Fatalf("%d allows, want exactly 1", allows)
			}
		})
	}
}

// stubFace stands in for the cgo extractor and the liveness networks: it "recognises" a
// JPEG by looking it up.
type stubFace map[string]gate.LiveCapture

func (f stubFace) LiveCapture(jpeg []byte) (gate.LiveCapture, error) {
	c, ok := f[string(jpeg)]
	if !ok {
		return c, errors.New("no face found")
	}
	return c, nil
}

func TestGateLiveJPEG(t *testing.T) {
	faces := stubFace{}
	s := newGateServer(t, func(c *gate.Config) { c.Face = faces })
	p := s.w.Passenger(t, "Mustermann", "Erika")
	jpeg := []byte("\xff\xd8\xff erika at the gate")
	faces[string(jpeg)] = gate.LiveCapture{Template: s.w.Near(p.Face, 0.1), Liveness: &gate.Liveness{Live: true, Score: 0.99, Threshold: 0.915}}
	photo := []byte("\xff\xd8\xff a printed photo of erika")
	faces[string(photo)] = gate.LiveCapture{Template: s.w.Near(p.Face, 0.1), Liveness: &gate.Liveness{Live: false, Score: 0.1, Threshold: 0.915}}
	body := func(pass string, img []byte) map[string]any {
		return map[string]any{"presentation": p.Present(t, s.nonce(t, "A1")), "bcbp": pass, "live_jpeg": img}
	}
	if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body(s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 1}), []byte("\xff\xd8\xff no face"))); st != http.StatusForbidden ||
		!contains(reasonsOf(out), string(gate.ReasonLiveFaceInvalid)) {
		t.Fatalf("no face: %d %v", st, out)
	}
	// Gates send JPEG only: a PNG never reaches the extractor (decompression bombs).
	if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body(s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 3}), []byte("\x89PNG\r\n\x1a\n"))); st != http.StatusBadRequest ||
		!contains(reasonsOf(out), string(gate.ReasonMalformedRequest)) {
		t.Fatalf("png: %d %v", st, out)
	}
	// A presentation attack is denied, without any score.
	if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body(s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 4}), photo)); st != http.StatusForbidden ||
		!contains(reasonsOf(out), string(gate.ReasonPresentationAttack)) || out["liveness_score"] != nil || out["score"] != nil ||
		out["checks"].(map[string]any)["liveness"] != "fail" {
		t.Fatalf("photo: %d %v", st, out)
	}
	st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body(s.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 2}), jpeg))
	if st != http.StatusOK || out["liveness_score"] != 0.99 || out["checks"].(map[string]any)["liveness"] != "pass" {
		t.Fatalf("jpeg: %d %v", st, out)
	}
}

func TestGateBodyTooLarge(t *testing.T) {
	s := newGateServer(t)
	if st, out := s.postOversized(t, "/v1/gates/A1/verify", terminalToken); st != http.StatusRequestEntityTooLarge || out["code"] != "body_too_large" {
		t.Fatalf("got %d %v", st, out)
	}
}

// postOversized announces a body over the limit and sends none of it: fasthttp answers from
// the headers, so the test does not race the server closing the connection while a client
// still writes (which a client sees as "connection reset" instead of the 413).
func (s *gateServer) postOversized(t *testing.T, path, token string) (int, map[string]any) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path, token, gate.MaxBodyBytes+1)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestGateNonASCIINames(t *testing.T) {
	s := newGateServer(t)
	for i, c := range []struct{ family, given, pass string }{
		{"Müller", "Jürgen", "MUELLER/JUERGEN"},
		{"Müller", "Jürgen", "MULLER/JURGEN MR"},
		{"Łukasiewicz-Żółć", "Małgorzata", "LUKASIEWICZZOLC/MALG"},
		{"García Márquez", "José Ángel", "GARCIAMARQUEZ/JOSEAN"},
		{"O'Brien", "Siobhán", "OBRIEN/SIOBHAN MS"},
	} {
		t.Run(c.pass, func(t *testing.T) {
			p := s.w.Passenger(t, c.family, c.given)
			st, out := s.verify(t, "A1", p, s.w.Pass(t, c.pass, gatetest.PassOpts{Sequence: 100 + i}))
			if st != http.StatusOK {
				t.Fatalf("got %d %v", st, out)
			}
		})
	}
	p := s.w.Passenger(t, "Иванов", "Иван") // folds to nothing: never matches
	if st, out := s.verify(t, "A1", p, s.w.Pass(t, "IVANOV/IVAN", gatetest.PassOpts{Sequence: 200})); st != http.StatusForbidden ||
		!contains(reasonsOf(out), string(gate.ReasonNameMismatch)) {
		t.Fatalf("Cyrillic: got %d %v", st, out)
	}
}

func TestGateOperatorAPI(t *testing.T) {
	s := newGateServer(t)
	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
	}{
		{"no token", http.MethodPut, "/v1/gates/C3", "", gate.GateUpdate{Carrier: "IG", Number: "1", Date: "2026-01-02"}, 401, "unauthorized"},
		{"wrong token", http.MethodGet, "/v1/gates/A1", "guess", nil, 401, "unauthorized"},
		{"check-in token is not an operator token", http.MethodGet, "/v1/gates/A1", checkinToken, nil, 401, "unauthorized"},
		{"bad flight", http.MethodPut, "/v1/gates/C3", operatorToken, gate.GateUpdate{Carrier: "IG", Number: "12345", Date: "2026-01-02"}, 400, "invalid_request"},
		{"bad date", http.MethodPut, "/v1/gates/C3", operatorToken, gate.GateUpdate{Carrier: "IG", Number: "1", Date: "2026-13-02"}, 400, "invalid_request"},
		{"bad gate id", http.MethodPut, "/v1/gates/a%20b", operatorToken, gate.GateUpdate{Carrier: "IG", Number: "1", Date: "2026-01-02"}, 400, "invalid_request"},
		{"unknown gate", http.MethodGet, "/v1/gates/Q7", operatorToken, nil, 404, "unknown_gate"},
		{"nonce for unknown gate", http.MethodPost, "/v1/gates/Q7/nonce", "", nil, 404, "unknown_gate"},
		{"enrol without token", http.MethodPost, "/v1/flights/IG0101/2026-01-02/enrol", "", map[string]any{}, 401, "unauthorized"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out := s.do(t, c.method, c.path, c.token, c.body)
			if st != c.status || out["code"] != c.code {
				t.Fatalf("got %d %v, want %d %s", st, out, c.status, c.code)
			}
		})
	}
	st, out := s.do(t, http.MethodGet, "/v1/gates/A1", operatorToken, nil)
	if st != 200 || out["boarding"] != true || out["flight"].(map[string]any)["number"] != "0101" {
		t.Fatalf("GET gate: %d %v", st, out)
	}
}

func TestGateEnrolAndIdentify(t *testing.T) {
	s := newGateServer(t)
	w := s.w
	f := w.Flight
	base := fmt.Sprintf("/v1/flights/%s%s/%s/", f.Carrier, f.Number, f.Date)
	enrol := func(t *testing.T, p *gatetest.Passenger, pass string) (int, map[string]any) {
		st, out := s.do(t, http.MethodPost, base+"nonce", checkinToken, nil)
		if st != http.StatusCreated {
			t.Fatalf("check-in nonce: %d %v", st, out)
		}
		n := gate.Nonce{Nonce: out["nonce"].(string), Audience: out["audience"].(string)}
		return s.do(t, http.MethodPost, base+"enrol", checkinToken, map[string]any{"presentation": p.Present(t, n), "bcbp": pass})
	}
	// A few enrolments through the API, the rest of the N=500 gallery straight into the store.
	var travellers []*gatetest.Passenger
	for i := range 5 {
		p := w.Passenger(t, "Mustermann", "Erika")
		if st, out := enrol(t, p, w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: i + 1})); st != http.StatusCreated || out["decision"] != "allow" {
			t.Fatalf("enrol %d: %d %v", i, st, out)
		}
		travellers = append(travellers, p)
	}
	if st, out := enrol(t, w.Passenger(t, "Gabler", "Max"), w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 99})); st != http.StatusForbidden ||
		!contains(reasonsOf(out), string(gate.ReasonNameMismatch)) {
		t.Fatalf("enrol with another's pass: %d %v", st, out)
	}
	fillGallery(t, s, 495)

	identify := func(t *testing.T, live biometric.Template) (int, map[string]any) {
		enc, _ := live.EncodeString()
		return s.do(t, http.MethodPost, "/v1/gates/A1/identify", "", map[string]any{"live_template": enc})
	}
	st, out := identify(t, w.Near(travellers[2].Face, 0.15))
	if st != http.StatusOK || out["decision"] != "allow" {
		t.Fatalf("identify: %d %v", st, out)
	}
	if st, out := identify(t, w.Near(travellers[2].Face, 0.15)); st != http.StatusForbidden || !contains(reasonsOf(out), string(gate.ReasonAlreadyBoarded)) {
		t.Fatalf("identify twice: %d %v", st, out)
	}
	if st, out := identify(t, w.Template()); st != http.StatusForbidden || !contains(reasonsOf(out), string(gate.ReasonNoMatch)) {
		t.Fatalf("stranger: %d %v", st, out)
	}
	// An ID revoked or suspended after check-in does not board by walk-through.
	w.Env.SetStatus(t, travellers[0].Holder.StatusIdx, 1)
	w.Env.SetStatus(t, travellers[1].Holder.StatusIdx, 2)
	for i, want := range []gate.Reason{gate.ReasonCredentialRevoked, gate.ReasonCredentialSuspend} {
		if st, out := identify(t, w.Near(travellers[i].Face, 0.15)); st != http.StatusForbidden || !contains(reasonsOf(out), string(want)) || out["score"] != nil {
			t.Fatalf("identify traveller %d: %d %v, want %s", i, st, out, want)
		}
	}
	// The traveller identified at the gate cannot also board with the 1:1 flow.
	if st, out := s.verify(t, "A1", travellers[3], w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 4})); st != http.StatusOK {
		t.Fatalf("1:1 for another traveller: %d %v", st, out)
	}
	if st, out := s.verify(t, "A1", travellers[2], w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 3})); st != http.StatusForbidden ||
		!contains(reasonsOf(out), string(gate.ReasonAlreadyBoarded)) {
		t.Fatalf("1:1 after identify: %d %v", st, out)
	}
}

func TestGateMetricsAndHealth(t *testing.T) {
	s := newGateServer(t)
	p := s.w.Passenger(t, "Mustermann", "Erika")
	s.verify(t, "A1", p, s.w.Pass(t, "GABLER/MAX", gatetest.PassOpts{}))
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`idgate_gate_requests_total{route="verify",status="403"} 1`,
		`idgate_gate_decisions_total{route="verify",decision="deny"} 1`,
		`idgate_gate_deny_reasons_total{reason="name_mismatch"} 1`,
		`idgate_gate_request_duration_seconds_count{route="verify"} 1`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
	// The process's own gauges: positive numbers (Linux has /proc, so all four are there).
	gauges := []string{"go_goroutines", "go_memstats_heap_alloc_bytes"}
	if runtime.GOOS == "linux" {
		gauges = append(gauges, "process_resident_memory_bytes", "process_open_fds")
	}
	for _, name := range gauges {
		m := regexp.MustCompile(`(?m)^` + name + ` ([0-9]+)$`).FindStringSubmatch(string(raw))
		if m == nil || m[1] == "0" {
			t.Errorf("metrics lack a positive %s:\n%s", name, raw)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

func TestGateTerminalRoutesNeedTheTerminalToken(t *testing.T) {
	s := newGateServer(t)
	for _, action := range []string{"nonce", "verify", "identify"} {
		for _, tok := range []string{"none", "wrong", operatorToken, checkinToken} {
			st, out := s.do(t, http.MethodPost, "/v1/gates/A1/"+action, tok, map[string]any{})
			if st != http.StatusUnauthorized || out["code"] != "unauthorized" {
				t.Errorf("%s with token %q: %d %v", action, tok, st, out)
			}
		}
	}
}
