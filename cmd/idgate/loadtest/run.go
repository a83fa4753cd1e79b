package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
)

// Audience is the verifier identifier the self-contained verifier is started with.
const Audience = "https://verifier.loadtest.idgate.test"

const (
	carrier = "IG" // the development PKI's default airline
	// serverStartup bounds a child server's start; a verifier with face models loads one
	// recognizer per core, which takes over 30 s on a machine shared with other work.
	serverStartup = 2 * time.Minute
)

// Run performs one load test (see the package doc) and returns its report.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "idgate-loadtest-")
	if err != nil {
		return nil, errf(CodeWorld, err, "temp dir")
	}
	defer os.RemoveAll(tmp)
	status, err := startStatusServer()
	if err != nil {
		return nil, err
	}
	defer status.Close()

	var pki *certs.PKI
	if cfg.PKIDir == "" {
		pki, _, err = certs.Init(filepath.Join(tmp, "pki"), certs.Options{
			IssuerURL: status.Base, Airlines: []string{carrier},
			EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence,
		})
	} else {
		pki, err = certs.Load(cfg.PKIDir, []string{carrier})
	}
	if err != nil {
		return nil, errf(CodeWorld, err, "PKI")
	}
	status.setSigner(pki.StatusList)

	base, server := cfg.Target, cfg.Target
	var serverCPU cpuMeter
	if cfg.Target == "" {
		proc, err := startVerifier(cfg, pki.Dir, tmp)
		if err != nil {
			return nil, err
		}
		defer func() {
			if serr := proc.Stop(15 * time.Second); serr != nil && err == nil {
				err = serr
			}
		}()
		base, server = "http://"+proc.Addr, "process"
		serverCPU = childCPU{procCPU(proc.cmd.Process.Pid), proc.cmd.Process}
		cfg.OperatorToken, cfg.CheckinToken, cfg.TerminalToken = proc.operatorToken, proc.checkinToken, proc.terminalToken
	}
	a, err := newAPI(base, cfg.OperatorToken, cfg.CheckinToken, cfg.TerminalToken, 2*runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	if err := a.waitReady(serverStartup); err != nil {
		return nil, err
	}
	// A fresh flight number per run: a reused Target keeps earlier runs' boardings and
	// galleries per flight, which must not leak into this run's figures.
	f := flight{Carrier: carrier, Number: randomFlightNumber(), Date: cfg.Now().UTC().Format(time.DateOnly)}
	if err := a.putGate(cfg.Gate, gateUpdate{Carrier: f.Carrier, Number: f.Number, Date: f.Date, Boarding: true}); err != nil {
		return nil, err
	}
	w, err := newWorld(pki, status.URI, f, cfg.Now)
	if err != nil {
		return nil, err
	}
	w.liveJPEG = cfg.LiveJPEG
	if cfg.Mdoc {
		if pki.MDLDocumentSigner == nil {
			return nil, errf(CodeWorld, nil, "PKI has no mDL Document Signer")
		}
		w.mdocDS = pki.MDLDocumentSigner
	}
	if cfg.IdentifyGallery > 0 {
		rep, err = runIdentify(ctx, cfg, a, w, serverCPU)
	} else {
		rep, err = runVerify(ctx, cfg, a, w, serverCPU)
	}
	if rep != nil {
		rep.Server = server
		if rep.HalfRate != nil {
			rep.HalfRate.Server = server
		}
	}
	return rep, err
}

// verifierProcess is the self-contained verifier and the tokens it was started with.
type verifierProcess struct {
	*serverProcess
	operatorToken, checkinToken, terminalToken string
}

// startVerifier starts ServerCommand as the gate verifier over pkiDir with fresh random
// operator and check-in tokens (only their SHA-256 reaches the process, as in production).
func startVerifier(cfg Config, pkiDir, tmp string) (*verifierProcess, error) {
	op, ci, term := randomToken(), randomToken(), randomToken()
	hash := func(t string) string { s := sha256.Sum256([]byte(t)); return hex.EncodeToString(s[:]) }
	argv := append(append([]string(nil), cfg.ServerCommand...),
		"--gates", pkiDir, "--trust", filepath.Join(pkiDir, certs.FileTrust),
		"--listen", "127.0.0.1:0", "--audience", Audience)
	env := append([]string{
		"IDGATE_GATE_DB=" + filepath.Join(tmp, "gate.db"),
		"IDGATE_GATE_OPERATOR_TOKEN_SHA256=" + hash(op),
		"IDGATE_GATE_CHECKIN_TOKEN_SHA256=" + hash(ci),
		"IDGATE_GATE_TERMINAL_TOKEN_SHA256=" + hash(term),
	}, cfg.ServerEnv...)
	p, err := startServer(argv, env, tmp, serverStartup)
	if err != nil {
		return nil, err
	}
	return &verifierProcess{serverProcess: p, operatorToken: op, checkinToken: ci, terminalToken: term}, nil
}

func randomFlightNumber() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%04d", 1000+(int(b[0])<<8|int(b[1]))%9000)
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// runVerify pre-generates passengers, warms up, drives /verify and measures the crypto bound;
// with HalfRate it then drives fresh passengers open loop at half the measured throughput.
func runVerify(ctx context.Context, cfg Config, a *api, w *world, serverCPU cpuMeter) (*Report, error) {
	t0 := time.Now()
	pax, err := prepareVerify(cfg, w, 0, cfg.Passengers+cfg.Warmup)
	if err != nil {
		return nil, err
	}
	gen := time.Since(t0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	url := a.base + "/v1/gates/" + cfg.Gate + "/verify"
	addr := strings.TrimPrefix(a.base, "http://")
	fmt.Fprintf(cfg.Progress, "fetching gate nonces and signing KB-JWTs in batches, just before each is driven...\n")
	warmSrc := newFreshBodies(cfg, a, pax[:cfg.Warmup])
	warmBodies, _, err := warmSrc.next(cfg.Warmup)
	if err != nil {
		return nil, err
	}
	sizes := warmSrc.inputs
	warm := (&load{addr: addr, url: url, token: cfg.TerminalToken, bodies: warmBodies, connections: cfg.Connections, duration: time.Minute}).run()
	if warm.errors > 0 {
		return nil, errf(CodeSetup, nil, "warm-up: %d of %d verifications failed: %v", warm.errors, warm.n, warm.codes)
	}
	warmRPS := 0.0
	if warm.elapsed > 0 {
		warmRPS = float64(warm.n) / warm.elapsed.Seconds()
	}
	// The bound is measured twice while the server is idle, before and after the timed
	// phase; neighbours on a shared machine can only lower it, so the higher one is used
	// (which can only lower the ratio).
	var before, after, cpuBefore, cpuAfter float64
	if cfg.BoundDuration > 0 {
		fmt.Fprintf(cfg.Progress, "measuring the crypto bound for %v (server idle)...\n", cfg.BoundDuration)
		if before, cpuBefore, err = cryptoBound(sizes, cfg.BoundDuration); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(cfg.Progress, "driving %d passengers for up to %v on %d connections...\n", cfg.Passengers, cfg.Duration, cfg.Connections)
	src := newFreshBodies(cfg, a, pax[cfg.Warmup:])
	src.usable = warmSrc.usable
	out, err := timed(cfg, addr, url, src, warmRPS, serverCPU, allow)
	if err != nil {
		return nil, err
	}
	pax = nil
	mode := "verify"
	if cfg.LiveJPEG != nil {
		mode = "verify-live-jpeg"
	}
	if cfg.Mdoc {
		mode += "-mdoc"
	}
	rep := report(cfg, mode, out, cfg.Passengers)
	rep.GenerateS = gen.Seconds()
	if cfg.LiveJPEG != nil {
		rep.LiveJPEGBytes = len(cfg.LiveJPEG.JPEG)
	}
	if cfg.BoundDuration > 0 {
		fmt.Fprintf(cfg.Progress, "measuring the crypto bound again (server idle)...\n")
		if after, cpuAfter, err = cryptoBound(sizes, cfg.BoundDuration); err != nil {
			return nil, err
		}
		bound := max(before, after)
		rep.CryptoBoundRPS, rep.BoundBeforeRPS, rep.BoundAfterRPS = bound, before, after
		rep.BoundWhen = "before and after the load phase, server idle; the higher is used"
		rep.Ratio = rep.ThroughputRPS / bound
		rep.BoundCPUUS = min(cpuBefore, cpuAfter)
		if rep.ServerCPUUS > 0 && rep.BoundCPUUS > 0 {
			rep.CPURatio = rep.BoundCPUUS / rep.ServerCPUUS
		}
	}
	if len(cfg.FloorCommand) > 0 && rep.Loop == "closed" && rep.Errors == 0 {
		n := int(warm.respLen.Load())
		fmt.Fprintf(cfg.Progress, "driving the same requests at an HTTP-only server (%d-byte answers)...\n", n)
		// The floor is context, not the result: a floor that fails is reported on the
		// progress stream and the run's own figures stand.
		if rep.HTTPFloor, err = httpFloor(cfg, n, src.built); err != nil {
			fmt.Fprintf(cfg.Progress, "HTTP floor failed: %v\n", err)
			rep.HTTPFloor = nil
		}
	}
	src = nil
	if rep.Loop != "closed" || rep.ThroughputRPS <= 0 || rep.Errors > 0 {
		return rep, nil
	}
	next := cfg.Passengers + cfg.Warmup // the next free traveller (status list) index
	if cfg.HalfRate {
		if rep.HalfRate, next, err = runHalfRate(ctx, cfg, a, w, addr, url, serverCPU, rep.ThroughputRPS, next); err != nil {
			return rep, err
		}
	}
	if cfg.Soak > 0 {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		sampler := newServerSampler(a.base, serverPID(serverCPU))
		if rep.Soak, err = runSoak(ctx, cfg, a, w, addr, url, serverCPU, sampler, rep.ThroughputRPS, next); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// serverPID is the child verifier's pid, or 0 when the verifier is not this run's child.
func serverPID(m cpuMeter) int {
	if c, ok := m.(childCPU); ok {
		return int(c.procCPU)
	}
	return 0
}

// runHalfRate drives fresh passengers first.. open loop at half of maxRPS; it returns the next
// free traveller index.
func runHalfRate(ctx context.Context, cfg Config, a *api, w *world, addr, url string, serverCPU cpuMeter,
	maxRPS float64, first int) (*Report, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, first, err
	}
	half := cfg
	half.Rate = maxRPS / 2
	half.Connections = cfg.HalfRateConnections
	// Enough passengers that the duration, not the supply, ends the phase.
	n := min(int(half.Rate*cfg.Duration.Seconds())+2*half.Connections, maxOutstandingNonces)
	more, err := prepareVerify(half, w, first, n)
	if err != nil {
		return nil, first, err
	}
	fmt.Fprintf(cfg.Progress, "driving %d more passengers open loop at %.0f/s (half the maximum)...\n", n, half.Rate)
	out, err := timed(half, addr, url, newFreshBodies(half, a, more), half.Rate, serverCPU, allow)
	if err != nil {
		return nil, first, err
	}
	return report(half, "verify", out, n), first + n, nil
}

// FloorMarker is what FloorCommand's server must put in every answer. It is deliberately not
// a decision: a terminal pointed at that server by mistake is answered nothing it could read as
// "allow".
var FloorMarker = []byte(`"idgate_http_floor":true`)

// httpFloor drives bodies, closed loop, at the FloorCommand server answering respLen bytes.
func httpFloor(cfg Config, respLen int, bodies [][]byte) (*Report, error) {
	argv := append(append([]string(nil), cfg.FloorCommand...), "--listen", "127.0.0.1:0", "--response-bytes", fmt.Sprint(respLen))
	p, err := startServer(argv, cfg.ServerEnv, os.TempDir(), serverStartup)
	if err != nil {
		return nil, err
	}
	defer func() { _ = p.Stop(5 * time.Second) }()
	floor := cfg
	floor.SignalPhases = false
	url := "http://" + p.Addr + "/v1/gates/" + cfg.Gate + "/verify"
	out, err := timed(floor, p.Addr, url, &fixedBodies{bodies}, 0, procCPU(p.cmd.Process.Pid), FloorMarker)
	if err != nil {
		return nil, err
	}
	rep := report(floor, "http-floor", out, len(bodies))
	rep.Server = "process"
	return rep, nil
}

// prepareVerify builds passengers first..first+n-1 (credential, sealed face, signed pass);
// their gate nonces and KB-JWTs are bound in batches as they are driven (freshBodies).
func prepareVerify(cfg Config, w *world, first, n int) ([]*passenger, error) {
	fmt.Fprintf(cfg.Progress, "generating %d passengers (credential, sealed face, signed pass)...\n", n)
	pax := make([]*passenger, n)
	if err := parallel(n, runtime.GOMAXPROCS(0), func(i int) (err error) {
		pax[i], err = w.passenger(first + i)
		return err
	}); err != nil {
		return nil, err
	}
	return pax, nil
}

// bindBody is passenger p's /verify body for gate nonce n; with wantInputs also its
// signing-input lengths.
func bindBody(cfg Config, p *passenger, n nonce, wantInputs bool) ([]byte, SigningInputs, error) {
	if p.issuerSigned != nil {
		return bindMdoc(p, n, wantInputs)
	}
	pres, err := p.present(n, cfg.Now())
	if err != nil {
		return nil, SigningInputs{}, err
	}
	var in SigningInputs
	if wantInputs {
		in = signingInputs(pres, p.bcbp)
	}
	body, err := verifyBody(pres, p.bcbp, p.live, p.jpeg)
	return body, in, err
}

// timed runs the timed phase and the CPU accounting around it, in segments: before each, src
// binds the next batch (gate nonces, KB-JWTs) with the clock and the CPU meters stopped, and
// each segment ends before its oldest nonce is too old to send. Throughput, latency and CPU
// per request cover the segments only. rps guesses the closed loop's throughput for the
// first batch; later batches use the measured one.
// A request succeeds on HTTP 200 with success in its body (allow, or floorAnswer's marker).
func timed(cfg Config, addr, url string, src bodySource, rps float64, serverCPU cpuMeter, success []byte) (*outcome, error) {
	// Collect the preparation's garbage now and keep the collector off while timing: the
	// phase allocates little (a few small objects per request), and a collection of the
	// pre-generated bodies would compete with the server for the cores.
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(4 << 30)) // a backstop: collect before 4 GiB
	child, signal := serverCPU.(childCPU)
	signal = signal && cfg.SignalPhases
	if signal {
		_ = child.p.Signal(syscall.SIGUSR1) // through the process handle: never a recycled PID
	}
	out := &outcome{codes: map[string]int{}}
	var srvCPU, genCPU time.Duration
	srvOK, genOK := serverCPU != nil, true
	if cfg.Rate > 0 {
		rps = cfg.Rate
	}
	for remaining := cfg.Duration; remaining > 0 && src.left() > 0; {
		n := batchSize(max(rps, 1), remaining, src.lifetime(), cfg.Connections)
		bodies, sendBy, err := src.next(n)
		if err != nil {
			return nil, err
		}
		d := remaining
		if !sendBy.IsZero() {
			if d = min(d, time.Until(sendBy)); d <= 0 {
				src.unsent(allIndexes(len(bodies)))
				if len(bodies) <= cfg.Connections {
					return nil, errf(CodeSetup, nil, "binding %d requests to gate nonces outlasts three quarters of the nonce lifetime", len(bodies))
				}
				rps /= 2 // a smaller batch builds faster
				continue
			}
		}
		srv, gen := startCPU(serverCPU), startCPU(selfCPU{})
		o := (&load{addr: addr, url: url, token: cfg.TerminalToken, bodies: bodies, connections: cfg.Connections,
			duration: d, rate: cfg.Rate, success: success}).run()
		s, sok := srv.used()
		g, gok := gen.used()
		srvCPU, genCPU, srvOK, genOK = srvCPU+s, genCPU+g, srvOK && sok, genOK && gok
		src.unsent(o.unsent)
		out.merge(o)
		if len(o.unsent) > 0 { // ended by its deadline: an open loop's last arrival may answer before it
			remaining -= max(o.elapsed, d)
		} else {
			remaining -= o.elapsed
		}
		if o.elapsed > 0 && cfg.Rate == 0 && o.n > 0 {
			rps = float64(o.n) / o.elapsed.Seconds()
		}
	}
	if srvOK {
		out.serverCPU = perRequestUS(srvCPU, out.n)
	}
	if genOK {
		out.generatorCPU = perRequestUS(genCPU, out.n)
	}
	if signal { // after reading its CPU: writing the profile is not the phase's work
		_ = child.p.Signal(syscall.SIGUSR2)
	}
	return out, nil
}

func allIndexes(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// signingInputs reads the three ES256 signing-input lengths from a real presentation
// (issuer JWT~disclosures~KB-JWT) and boarding pass.
func signingInputs(presentation, bcbp string) SigningInputs {
	var in SigningInputs
	if jwt, _, ok := strings.Cut(presentation, "~"); ok {
		in.IssuerJWT = strings.LastIndexByte(jwt, '.')
	}
	kb := presentation[strings.LastIndexByte(presentation, '~')+1:]
	in.KBJWT = strings.LastIndexByte(kb, '.')
	in.BCBP = strings.IndexByte(bcbp, '^')
	return in
}

// report turns an outcome into the Report fields both modes share.
func report(cfg Config, mode string, o *outcome, budget int) *Report {
	p := percentilesOf(o.lat)
	r := &Report{
		Mode: mode, Loop: "closed", Requests: o.n, Errors: o.errors, DurationS: o.elapsed.Seconds(),
		P50MS: ms(p.P50), P90MS: ms(p.P90), P99MS: ms(p.P99), P999MS: ms(p.P999), MaxMS: ms(p.Max),
		Connections: cfg.Connections, Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Exhausted: o.n >= budget,
	}
	if o.elapsed > 0 {
		r.ThroughputRPS = float64(o.n) / o.elapsed.Seconds()
	}
	if cfg.Rate > 0 {
		r.Loop, r.TargetRPS = "open", cfg.Rate
		r.LagP99MS = ms(percentilesOf(o.lag).P99)
	}
	if len(o.codes) > 0 {
		r.ErrorCodes = o.codes
	}
	r.ServerCPUUS, r.GeneratorCPUUS = o.serverCPU, o.generatorCPU
	return r
}
