package loadtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
)

// GateCrashConfig is one gate crash run: the verifier (with an SQLite or a PostgreSQL gate
// store) is killed with SIGKILL during bursts of boardings and restarted on the same database.
type GateCrashConfig struct {
	ServerCommand []string // the verifier's argv without the flags the run adds (as Config's)
	ServerEnv     []string
	Dir           string // holds the PKI and the SQLite gate database; must exist
	// DB is a postgres:// URL for the gate store (its nonces then live in the database too and
	// survive the kill); empty: an SQLite file in Dir (nonces in the process, lost with it).
	DB          string
	Passengers  int // fresh passengers per burst; default 200
	Kills       int // bursts, each cut by one SIGKILL at another point of it; default 3
	Connections int // concurrent requests; default 16
	Progress    io.Writer
}

// GateCrashReport says what each burst saw; Violations lists every broken guarantee.
type GateCrashReport struct {
	Backend        string           `json:"backend"` // sqlite or postgres
	Kills          int              `json:"kills"`
	Bursts         []GateCrashBurst `json:"bursts"`
	Boarded        int              `json:"boarded"`    // passes answered allow over the run
	Violations     []string         `json:"violations"` // the first 50 of ViolationCount
	ViolationCount int              `json:"violation_count"`
	Seconds        float64          `json:"seconds"`
}

// GateCrashBurst is one burst and the checks after its restart.
type GateCrashBurst struct {
	Sent        int `json:"sent"`
	KilledAfter int `json:"killed_after"` // answers read when SIGKILL was sent
	Allowed     int `json:"allowed"`
	Denied      int `json:"denied"`
	Unanswered  int `json:"unanswered"` // cut by the kill (in flight or not yet sent)
	NotSent     int `json:"not_sent"`   // of the unanswered, never sent: the kill came first
	// NotSentBoardOnResend: of NotSent, allowed when sent after the restart. With the nonces
	// in the PostgreSQL store all of them (their nonces outlive the process); with SQLite none
	// (the nonces died with it, the resend is denied nonce_invalid).
	NotSentBoardOnResend int `json:"not_sent_board_on_resend"`
	// After the restart:
	ResentAnswered   map[string]int `json:"resent_answered"`   // answered requests sent again: outcome
	ResentUnanswered map[string]int `json:"resent_unanswered"` // unanswered requests sent again: outcome
	// StillBoarded: every pass allowed so far, presented again with a fresh nonce, was denied
	// already_boarded (none was lost).
	StillBoarded int `json:"still_boarded"`
	// Of the unanswered: boarded before the kill (fresh nonce → already_boarded), or not
	// (fresh nonce → allow, their first boarding).
	UnansweredCommitted int `json:"unanswered_committed"`
	UnansweredBoardNow  int `json:"unanswered_board_now"`
}

type gateCrash struct {
	cfg      GateCrashConfig
	w        *world
	pkiDir   string
	toks     [3]string // operator, check-in, terminal
	proc     *serverProcess
	a        *api
	gate     string
	pax      []*passenger
	allowed  map[int]int // passenger → allows seen
	rep      *GateCrashReport
	httpConn *http.Client
}

// GateCrash runs the gate crash test (see GateCrashConfig).
func GateCrash(ctx context.Context, cfg GateCrashConfig) (*GateCrashReport, error) {
	if len(cfg.ServerCommand) == 0 || cfg.Dir == "" {
		return nil, errf(CodeConfig, nil, "ServerCommand and Dir are required")
	}
	if cfg.Passengers <= 0 {
		cfg.Passengers = 200
	}
	if cfg.Kills <= 0 {
		cfg.Kills = 3
	}
	if cfg.Connections <= 0 {
		cfg.Connections = 16
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	began := time.Now()
	status, err := startStatusServer()
	if err != nil {
		return nil, err
	}
	defer status.Close()
	g := &gateCrash{cfg: cfg, gate: "CR1", allowed: map[int]int{}, rep: &GateCrashReport{Backend: "sqlite"},
		toks: [3]string{randomToken(), randomToken(), randomToken()}}
	if cfg.DB != "" {
		g.rep.Backend = "postgres"
	}
	g.pkiDir = filepath.Join(cfg.Dir, "pki")
	pki, _, err := certs.Init(g.pkiDir, certs.Options{
		IssuerURL: status.Base, Airlines: []string{carrier},
		EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence,
	})
	if err != nil {
		return nil, errf(CodeWorld, err, "PKI")
	}
	status.setSigner(pki.StatusList)
	if err := g.start(); err != nil {
		return nil, err
	}
	defer func() {
		if g.proc != nil {
			_ = g.proc.Stop(15 * time.Second)
		}
	}()
	f := flight{Carrier: carrier, Number: randomFlightNumber(), Date: time.Now().UTC().Format(time.DateOnly)}
	if err := g.a.putGate(g.gate, gateUpdate{Carrier: f.Carrier, Number: f.Number, Date: f.Date, Boarding: true}); err != nil {
		return nil, err
	}
	if g.w, err = newWorld(pki, status.URI, f, time.Now); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Progress, "gate crash: generating %d passengers...\n", cfg.Kills*cfg.Passengers)
	g.pax = make([]*passenger, cfg.Kills*cfg.Passengers)
	if err := parallel(len(g.pax), runtime.GOMAXPROCS(0), func(i int) (err error) {
		g.pax[i], err = g.w.passenger(i)
		return err
	}); err != nil {
		return nil, err
	}
	fractions := []float64{0.15, 0.5, 0.85} // kill points: early, middle and late in a burst
	for k := 0; k < cfg.Kills; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := g.burst(k, fractions[k%len(fractions)])
		if err != nil {
			return nil, err
		}
		g.rep.Bursts = append(g.rep.Bursts, *b)
		fmt.Fprintf(cfg.Progress, "gate crash: burst %d killed after %d of %d answers; %d allowed, %d unanswered, %d still boarded after restart\n",
			k+1, b.KilledAfter, b.Sent, b.Allowed, b.Unanswered, b.StillBoarded)
	}
	for _, n := range g.allowed {
		if n > 0 {
			g.rep.Boarded++
		}
	}
	err = g.proc.Stop(15 * time.Second)
	g.proc = nil
	if err != nil {
		g.violation("graceful stop: %v", err)
	}
	g.rep.Seconds = time.Since(began).Seconds()
	return g.rep, nil
}

func (g *gateCrash) violation(format string, args ...any) {
	g.rep.ViolationCount++
	if len(g.rep.Violations) < 50 {
		g.rep.Violations = append(g.rep.Violations, fmt.Sprintf(format, args...))
	}
}

// start runs the verifier on the run's database with the run's tokens.
func (g *gateCrash) start() error {
	hash := func(t string) string { s := sha256.Sum256([]byte(t)); return hex.EncodeToString(s[:]) }
	argv := append(append([]string(nil), g.cfg.ServerCommand...),
		"--gates", g.pkiDir, "--trust", filepath.Join(g.pkiDir, certs.FileTrust),
		"--listen", "127.0.0.1:0", "--audience", Audience)
	db := g.cfg.DB
	if db == "" {
		db = filepath.Join(g.cfg.Dir, "gate.db")
	}
	env := append([]string{
		"IDGATE_GATE_DB=" + db,
		"IDGATE_GATE_OPERATOR_TOKEN_SHA256=" + hash(g.toks[0]),
		"IDGATE_GATE_CHECKIN_TOKEN_SHA256=" + hash(g.toks[1]),
		"IDGATE_GATE_TERMINAL_TOKEN_SHA256=" + hash(g.toks[2]),
	}, g.cfg.ServerEnv...)
	p, err := startServer(argv, env, g.cfg.Dir, serverStartup)
	if err != nil {
		return err
	}
	g.proc = p
	if g.a, err = newAPI("http://"+p.Addr, g.toks[0], g.toks[1], g.toks[2], g.cfg.Connections); err != nil {
		return err
	}
	g.httpConn = &http.Client{Timeout: requestTimeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: g.cfg.Connections, MaxConnsPerHost: g.cfg.Connections,
	}}
	return g.a.waitReady(serverStartup)
}

// answer is one verify request's outcome: "" when unanswered, else "allow" or the first
// deny reason.
type answer string

func (g *gateCrash) send(body []byte) answer {
	req, err := http.NewRequest(http.MethodPost, g.a.base+"/v1/gates/"+g.gate+"/verify", bytes.NewReader(body))
	if err != nil {
		return ""
	}
	req.Header.Set("Authorization", "Bearer "+g.toks[2])
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.httpConn.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return ""
	}
	if resp.StatusCode == http.StatusOK && bytes.Contains(b, allow) {
		return "allow"
	}
	return answer(fmt.Sprintf("%d:%s", resp.StatusCode, firstReason(b)))
}

// fresh presents passenger i again with a new nonce and sends it.
func (g *gateCrash) fresh(i int) (answer, error) {
	n, err := g.a.gateNonce(g.gate)
	if err != nil {
		return "", err
	}
	pres, err := g.pax[i].present(n, time.Now())
	if err != nil {
		return "", err
	}
	body, err := verifyBody(pres, g.pax[i].bcbp, g.pax[i].live, nil)
	if err != nil {
		return "", err
	}
	return g.send(body), nil
}

func (g *gateCrash) countAllow(i int, a answer, when string) {
	if a != "allow" {
		return
	}
	g.allowed[i]++
	if g.allowed[i] > 1 {
		g.violation("passenger %d boarded twice (%s)", i, when)
	}
}

const alreadyBoarded = "403:already_boarded"

// burst sends one burst of fresh passengers, kills the verifier once frac of the answers are
// in, restarts it and checks what survived.
func (g *gateCrash) burst(k int, frac float64) (*GateCrashBurst, error) {
	n := g.cfg.Passengers
	first := k * n
	bodies := make([][]byte, n)
	if err := parallel(n, 2*runtime.GOMAXPROCS(0), func(j int) error {
		nc, err := g.a.gateNonce(g.gate)
		if err != nil {
			return err
		}
		pres, err := g.pax[first+j].present(nc, time.Now())
		if err != nil {
			return err
		}
		bodies[j], err = verifyBody(pres, g.pax[first+j].bcbp, g.pax[first+j].live, nil)
		return err
	}); err != nil {
		return nil, err
	}
	issued := time.Now() // the burst's nonces expire NonceTTL (2 min) after this
	b := &GateCrashBurst{Sent: n, ResentAnswered: map[string]int{}, ResentUnanswered: map[string]int{}}
	answers := make([]answer, n)
	sent := make([]bool, n)
	var answered atomic.Int64
	killAt := int64(float64(n) * frac)
	killed := make(chan struct{})
	var once sync.Once
	kill := func() {
		once.Do(func() {
			b.KilledAfter = int(answered.Load())
			_ = g.proc.cmd.Process.Signal(syscall.SIGKILL)
			<-g.proc.done
			close(killed)
		})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range g.cfg.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= n {
					return
				}
				select {
				case <-killed:
					continue // the verifier is gone: the rest of the burst is unanswered
				default:
				}
				sent[j] = true
				answers[j] = g.send(bodies[j])
				if answers[j] != "" && answered.Add(1) >= killAt {
					go kill()
				}
			}
		}()
	}
	wg.Wait()
	kill() // a burst that finished before its kill point is killed at its end
	for j, a := range answers {
		switch {
		case a == "":
			b.Unanswered++
		case a == "allow":
			b.Allowed++
		default:
			b.Denied++
			g.violation("burst %d: fresh passenger %d denied %s", k+1, first+j, a)
		}
		g.countAllow(first+j, a, "burst")
	}

	if err := g.start(); err != nil {
		return nil, err
	}
	// Nonces stay single use: every request sent before the kill, sent again, is not allowed
	// a second time.
	for j, a := range answers {
		again := g.send(bodies[j])
		if again == "" {
			return nil, errf(CodeServer, nil, "verifier stopped answering after the restart: %s", g.proc.Tail())
		}
		if a != "" {
			b.ResentAnswered[string(again)]++
			if again == "allow" {
				g.violation("burst %d: passenger %d's answered request allowed again after the restart", k+1, first+j)
			}
		} else {
			b.ResentUnanswered[string(again)]++
		}
		if !sent[j] {
			b.NotSent++
			if again == "allow" {
				b.NotSentBoardOnResend++
			}
			g.checkNotSent(k, first+j, again, time.Since(issued))
		}
		g.countAllow(first+j, again, "request resent after the restart")
	}
	// No boarding answered allow is lost: every pass allowed so far is denied already_boarded.
	for i := 0; i < first+n; i++ {
		if g.allowed[i] == 0 {
			continue
		}
		a, err := g.fresh(i)
		if err != nil {
			return nil, err
		}
		if a == alreadyBoarded {
			b.StillBoarded++
		} else {
			g.violation("burst %d: passenger %d was allowed before the kill, presented again: %s (want already_boarded)", k+1, i, a)
		}
		g.countAllow(i, a, "fresh presentation after the restart")
	}
	// The unanswered: either their boarding committed before the kill (already_boarded) or it
	// did not (the passenger boards now).
	for j, a := range answers {
		if a != "" || g.allowed[first+j] > 0 {
			continue
		}
		again, err := g.fresh(first + j)
		if err != nil {
			return nil, err
		}
		switch again {
		case alreadyBoarded:
			b.UnansweredCommitted++
			g.allowed[first+j]++ // boarded by the request whose answer the kill cut
		case "allow":
			b.UnansweredBoardNow++
		default:
			g.violation("burst %d: unanswered passenger %d, presented again: %s", k+1, first+j, again)
		}
		g.countAllow(first+j, again, "after an unanswered request")
	}
	g.rep.Kills++
	return b, nil
}

// checkNotSent checks the resend of a request the kill kept from being sent: its nonce never
// reached the verifier, so with nonces in the PostgreSQL store (shared, durable) it is still
// valid and the passenger boards; with the SQLite store's in-process nonces it is gone. Past
// 100 s the nonce may have expired (NonceTTL is 2 min) and the outcome is not checked.
func (g *gateCrash) checkNotSent(k, i int, a answer, age time.Duration) {
	if age > 100*time.Second {
		return
	}
	want := answer("403:nonce_invalid")
	if g.cfg.DB != "" {
		want = "allow"
	}
	if a != want {
		g.violation("burst %d: passenger %d's request, never sent before the kill, sent after the restart: %s (want %s on %s)", k+1, i, a, want, g.rep.Backend)
	}
}
