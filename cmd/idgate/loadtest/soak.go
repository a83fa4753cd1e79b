package loadtest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idgate/idgate/internal/procstat"
)

// SoakFraction is the share of the closed loop's measured throughput a soak arrives at.
const SoakFraction = 0.8

const (
	// soakHolders is how many distinct holders (credential, device key, sealed face) the soak's
	// passengers are drawn from. Each request still carries a fresh boarding pass (its own
	// booking), a fresh gate nonce and a fresh KB-JWT; issuing a credential per request would
	// cost the shared cores more than the verification under test.
	soakHolders = 4096
	// soakPassBase is the first traveller index of the soak's passes, above every index the
	// closed loop and the half-rate phase use.
	soakPassBase = maxListEntries
	// soakFeedAhead is how far ahead of the arrivals the feed keeps requests ready: long
	// enough to absorb a stall of the producers, far shorter than the nonce lifetime.
	soakFeedAhead = time.Second
)

// The goal a soak is judged against.
const (
	SoakGoalDuration  = 10 * time.Minute
	SoakGoalGrowth    = 0.10 // resident memory, goroutines and open files: end at most 10% above start
	SoakGoalP99Trend  = 1.5  // median window p99 of the second half at most 1.5× the first half's
	SoakGoalP99Spread = 2.0  // and no window's p99 above 2× the median window p99
)

// SoakReport is the outcome of a soak: an open loop at SoakFraction of the closed loop's
// throughput for Config.Soak, with requests built while it runs.
type SoakReport struct {
	DurationS     float64        `json:"duration_s"`
	Fraction      float64        `json:"fraction"` // of the closed loop's throughput
	TargetRPS     float64        `json:"target_rps"`
	ThroughputRPS float64        `json:"throughput_rps"`
	Requests      int            `json:"requests"`
	Errors        int            `json:"errors"` // failed verifications and failed nonce fetches
	ErrorCodes    map[string]int `json:"error_codes,omitempty"`
	Connections   int            `json:"connections"`
	Holders       int            `json:"holders"` // distinct credentials the passengers are drawn from
	WindowS       float64        `json:"window_s"`
	P50MS         float64        `json:"p50_ms"`
	P99MS         float64        `json:"p99_ms"`
	MaxMS         float64        `json:"max_ms"`
	// CPU per request in µs: the server's (self-contained mode) and the generator's, which
	// here includes building each request (pass signature, nonce fetch, KB-JWT).
	ServerCPUUS    float64      `json:"server_cpu_us_per_req,omitempty"`
	GeneratorCPUUS float64      `json:"generator_cpu_us_per_req,omitempty"`
	Windows        []SoakWindow `json:"windows"`
	// Idle is the verifier before the first arrival; Start at the end of the first window
	// (connections open, caches and pools at their working size); End at the end of the last
	// window, under the same load; After once the soak's connections have closed, to set
	// against Idle.
	Idle    ServerSample `json:"idle"`
	Start   ServerSample `json:"start"`
	End     ServerSample `json:"end"`
	After   ServerSample `json:"after"`
	Verdict SoakVerdict  `json:"verdict"`
}

// SoakWindow is one reporting window (a minute by default) of a soak.
type SoakWindow struct {
	StartS   float64 `json:"start_s"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50MS    float64 `json:"p50_ms"`
	P99MS    float64 `json:"p99_ms"`
	MaxMS    float64 `json:"max_ms"`
	LagP99MS float64 `json:"lag_p99_ms"` // how late requests left: all connections busy, or no request built yet
	// FeedLate counts arrivals whose request was not built by their due time: the load
	// generator's shortfall, not the server's.
	FeedLate int          `json:"feed_late"`
	Server   ServerSample `json:"server"` // at the window's end
	// CPU over the window: the server's per answered request (µs; self-contained mode), and
	// the cores the server, the load generator and every other process on the machine used
	// on average (/proc/stat), which tells a server that got slower from one that got less CPU.
	ServerCPUUS    float64 `json:"server_cpu_us_per_req,omitempty"`
	ServerCores    float64 `json:"server_cores,omitempty"`
	GeneratorCores float64 `json:"generator_cores,omitempty"`
	OtherCores     float64 `json:"other_cores,omitempty"`
}

// SoakVerdict holds the soak against its goal, one check each.
type SoakVerdict struct {
	Pass   bool        `json:"pass"`
	Checks []SoakCheck `json:"checks"`
}

// SoakCheck is one criterion of the goal.
type SoakCheck struct {
	Name   string `json:"name"` // duration, errors, rss, goroutines, open_files, p99
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

// soakSample is one request of the soak as the worker that sent it saw it.
type soakSample struct {
	window   int32
	fail     bool
	feedLate bool
	lat, lag time.Duration
}

// soakRun is the state of one soak.
type soakRun struct {
	cfg      Config
	addr     string
	url      string
	rate     float64
	window   time.Duration
	sampler  *serverSampler
	feed     chan []byte
	start    time.Time
	deadline time.Time

	sent, failed atomic.Int64
	mu           sync.Mutex
	codes        map[string]int
	samples      []soakSample
	conns        []*rawConn    // the arrivals' connections, closed after the last sample
	nonceFails   map[int32]int // failed nonce fetches by window (no request was sent)
}

// soakWindow is the reporting window of a soak of duration d: window, shortened so that a
// short soak still has four windows to compare.
func soakWindow(d, window time.Duration) time.Duration {
	if window <= 0 {
		window = time.Minute
	}
	if d < 4*window {
		window = max(d/4, time.Millisecond)
	}
	return window
}

// runSoak drives the soak phase after the closed loop measured maxRPS. Holders are travellers
// firstHolder.. of w; requests are built by a feed while the arrivals run.
func runSoak(ctx context.Context, cfg Config, a *api, w *world, addr, url string, serverCPU cpuMeter,
	sampler *serverSampler, maxRPS float64, firstHolder int) (*SoakReport, error) {
	rate := SoakFraction * maxRPS
	need := int(rate*cfg.Soak.Seconds()) + int(rate*soakFeedAhead.Seconds()) + 4*cfg.HalfRateConnections
	if soakPassBase+need >= maxPassIndex {
		return nil, errf(CodeConfig, nil, "a soak of %v at %.0f/s needs more boarding passes than a run can number", cfg.Soak, rate)
	}
	holders := min(soakHolders, maxListEntries-firstHolder)
	fmt.Fprintf(cfg.Progress, "soak: generating %d holders (credential, device key, sealed face)...\n", holders)
	hs := make([]*soakHolder, holders)
	if err := parallel(holders, runtime.GOMAXPROCS(0), func(i int) error {
		p, err := w.passenger(firstHolder + i)
		if err == nil {
			hs[i], err = newSoakHolder(p)
		}
		return err
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Progress, "soak: signing %d boarding passes and drawing as many KB-JWT signature nonces...\n", need)
	passes := make([][]byte, need)
	pre := make([]presignature, need)
	if err := parallel(need, runtime.GOMAXPROCS(0), func(k int) (err error) {
		if passes[k], err = soakPass(w, hs[k%holders], soakPassBase+k); err != nil {
			return err
		}
		pre[k], err = newPresignature()
		return err
	}); err != nil {
		return nil, err
	}
	s := &soakRun{cfg: cfg, addr: addr, url: url, rate: rate, window: soakWindow(cfg.Soak, cfg.SoakWindow), sampler: sampler,
		feed:  make(chan []byte, max(int(rate*soakFeedAhead.Seconds()), 2*cfg.HalfRateConnections)),
		codes: map[string]int{}, nonceFails: map[int32]int{}}

	stopFeed := make(chan struct{})
	feedDone := s.startFeed(cfg, a, hs, passes, pre, stopFeed)
	defer func() { close(stopFeed); feedDone.Wait() }()
	// Arrivals start with the feed full, so the first second does not measure the producers.
	for fill := time.Now().Add(30 * time.Second); len(s.feed) < cap(s.feed) && time.Now().Before(fill); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rep := &SoakReport{Fraction: SoakFraction, TargetRPS: rate, Connections: cfg.HalfRateConnections, Holders: holders,
		WindowS: s.window.Seconds()}
	rep.Idle = sampler.sample(0)
	fmt.Fprintf(cfg.Progress, "soak: %v open loop at %.0f/s (%.0f%% of %.0f/s) on %d connections, a report every %v...\n",
		cfg.Soak, rate, 100*SoakFraction, maxRPS, cfg.HalfRateConnections, s.window)
	srv, gen := startCPU(serverCPU), startCPU(selfCPU{})
	s.start = time.Now()
	s.deadline = s.start.Add(cfg.Soak)
	marks := s.monitor(ctx, serverCPU)
	s.arrivals(ctx)
	elapsed := time.Since(s.start)
	rep.ServerCPUUS, rep.GeneratorCPUUS = srv.perRequest(int(s.sent.Load())), gen.perRequest(int(s.sent.Load()))
	m := <-marks
	s.closeConns()
	time.Sleep(time.Second) // the server notices the closed connections
	rep.After = sampler.sample(time.Since(s.start))
	s.fill(rep, elapsed, m)
	return rep, nil
}

// startFeed starts the producers: each takes the next pass, fetches a gate nonce for its
// holder, signs the KB-JWT and queues the body. A pass is dropped once used.
func (s *soakRun) startFeed(cfg Config, a *api, hs []*soakHolder, passes [][]byte, pre []presignature, stop <-chan struct{}) *sync.WaitGroup {
	workers := 4 * runtime.GOMAXPROCS(0) // a nonce fetch waits on the busy server; CPU work is short
	fa := &api{hc: newHostClient(hostOf(a.base), workers), base: a.base, terminalToken: a.terminalToken}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(passes) {
					return // more than the arrivals can take: they end first
				}
				pass := passes[k]
				passes[k] = nil
				body, err := s.build(cfg, fa, hs[k%len(hs)], pass, pre[k])
				for err != nil {
					s.nonceFailed(err)
					select { // a failing server is not asked again at once
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
					body, err = s.build(cfg, fa, hs[k%len(hs)], pass, pre[k])
				}
				select {
				case s.feed <- body:
				case <-stop:
					return
				}
			}
		}()
	}
	return &wg
}

func (s *soakRun) build(cfg Config, a *api, h *soakHolder, pass []byte, ps presignature) ([]byte, error) {
	n, err := a.gateNonce(cfg.Gate)
	if err != nil {
		return nil, err
	}
	kb, err := h.keyBinding(n, cfg.Now(), ps)
	if err != nil {
		return nil, err
	}
	return h.body(kb, pass), nil
}

// nonceFailed counts a request that could not be built because the nonce fetch failed (before
// the arrivals start it is a setup failure of the soak, counted in its first window).
func (s *soakRun) nonceFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	win := int32(0)
	if !s.start.IsZero() {
		win = int32(time.Since(s.start) / s.window)
	}
	s.nonceFails[win]++
	s.addCode("nonce:" + clip(err.Error()))
}

// addCode counts an error code (s.mu held), keeping at most maxErrorCodes distinct ones.
func (s *soakRun) addCode(code string) {
	if _, seen := s.codes[code]; !seen && len(s.codes) >= maxErrorCodes {
		code = "other"
	}
	s.codes[code]++
}

// arrivals runs the open loop until the deadline: arrival i is due at start + i/rate; a
// worker takes a body from the feed, waits for the due time and sends it on its connection.
// Latency counts from the due time, so a server that falls behind shows its queueing.
func (s *soakRun) arrivals(ctx context.Context) {
	interval := time.Duration(float64(time.Second) / s.rate)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.cfg.HalfRateConnections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := make([]soakSample, 0, int(s.rate*s.cfg.Soak.Seconds())/s.cfg.HalfRateConnections+16)
			var conn *rawConn
			defer func() { // the connection stays open for the last window's sample
				s.mu.Lock()
				s.samples = append(s.samples, rec...)
				if conn != nil {
					s.conns = append(s.conns, conn)
				}
				s.mu.Unlock()
			}()
			for {
				due := s.start.Add(time.Duration(next.Add(1)-1) * interval)
				if !due.Before(s.deadline) {
					return
				}
				late := false
				var body []byte
				select {
				case body = <-s.feed:
				default: // the feed is behind: wait, and count it
					select {
					case body = <-s.feed:
					case <-ctx.Done():
						return
					}
					late = time.Now().After(due)
				}
				d := time.Until(due)
				if d > 0 {
					time.Sleep(d)
				}
				sent := time.Now()
				var code string
				if conn == nil {
					var err error
					if conn, err = dialRaw(s.addr, s.url, s.cfg.TerminalToken, requestTimeout); err != nil {
						conn, code = nil, "transport:"+clip(err.Error())
					}
				}
				if conn != nil {
					status, answer, err := conn.post(body)
					if err != nil {
						_ = conn.Close()
						conn = nil
					}
					code = classify(err, status, answer, allow)
				}
				rec = append(rec, soakSample{window: int32(due.Sub(s.start) / s.window), fail: code != "", feedLate: late,
					lat: max(time.Since(due), 1), lag: sent.Sub(due)})
				s.sent.Add(1)
				if code != "" {
					s.failed.Add(1)
					s.mu.Lock()
					s.addCode(code)
					s.mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
}

// closeConns closes the arrivals' connections.
func (s *soakRun) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// windowMark is what the monitor reads at a window's end.
type windowMark struct {
	server ServerSample
	cpu    windowCPU
}

// windowCPU is the CPU used in one window; zero fields are unknown.
type windowCPU struct {
	serverUS, serverCores, generatorCores, otherCores float64
}

// cpuReading is the cumulative CPU of the server, this process and the machine, and the
// requests answered, at one moment.
type cpuReading struct {
	at                       time.Time
	server, self, machine    time.Duration
	serverOK, selfOK, machOK bool
	answered                 int64
}

func (s *soakRun) readCPU(server cpuMeter) cpuReading {
	r := cpuReading{at: time.Now(), answered: s.sent.Load()}
	if server != nil {
		r.server, r.serverOK = server.CPU()
	}
	r.self, r.selfOK = selfCPU{}.CPU()
	if d, err := procstat.MachineCPU(); err == nil {
		r.machine, r.machOK = d, true
	}
	return r
}

// since is the CPU used between r0 and r.
func (r cpuReading) since(r0 cpuReading) windowCPU {
	var w windowCPU
	wall := r.at.Sub(r0.at).Seconds()
	if wall <= 0 {
		return w
	}
	if r.serverOK && r0.serverOK {
		w.serverCores = (r.server - r0.server).Seconds() / wall
		if n := r.answered - r0.answered; n > 0 {
			w.serverUS = float64(r.server-r0.server) / float64(time.Microsecond) / float64(n)
		}
	}
	if r.selfOK && r0.selfOK {
		w.generatorCores = (r.self - r0.self).Seconds() / wall
	}
	if r.machOK && r0.machOK && r.serverOK && r0.serverOK && r.selfOK && r0.selfOK {
		w.otherCores = max((r.machine-r0.machine).Seconds()/wall-w.serverCores-w.generatorCores, 0)
	}
	return w
}

// monitor samples the server and the CPU at each window's end and prints a progress line; the
// marks arrive on the returned channel once the soak's deadline has passed.
func (s *soakRun) monitor(ctx context.Context, server cpuMeter) <-chan []windowMark {
	out := make(chan []windowMark, 1)
	last := s.readCPU(server)
	go func() {
		var marks []windowMark
		defer func() { out <- marks }()
		var lastFailed int64
		for k := 1; ; k++ {
			at := s.start.Add(time.Duration(k) * s.window)
			if at.After(s.deadline) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(at)):
			}
			now := s.readCPU(server)
			cpu := now.since(last)
			smp := s.sampler.sample(time.Since(s.start))
			marks = append(marks, windowMark{server: smp, cpu: cpu})
			failed := s.failed.Load()
			fmt.Fprintf(s.cfg.Progress, "soak %6.0fs: %d answered, %d errors; server rss %.1f MiB, %d goroutines, %d open files, heap %.1f MiB; cores: server %.2f, generator %.2f, others %.2f\n",
				smp.AtS, now.answered-last.answered, failed-lastFailed, mib(smp.RSSBytes), smp.Goroutines, smp.OpenFiles, mib(smp.HeapBytes),
				cpu.serverCores, cpu.generatorCores, cpu.otherCores)
			last, lastFailed = now, failed
		}
	}()
	return out
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// fill turns the recorded samples into the report's totals, windows and verdict.
func (s *soakRun) fill(rep *SoakReport, elapsed time.Duration, marks []windowMark) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int((s.cfg.Soak + s.window - 1) / s.window)
	lat := make([][]time.Duration, n)
	lag := make([][]time.Duration, n)
	all := make([]time.Duration, 0, len(s.samples))
	rep.Windows = make([]SoakWindow, n)
	for _, r := range s.samples {
		w := min(int(r.window), n-1)
		lat[w] = append(lat[w], r.lat)
		lag[w] = append(lag[w], r.lag)
		all = append(all, r.lat)
		rep.Windows[w].Requests++
		if r.feedLate {
			rep.Windows[w].FeedLate++
		}
		if r.fail {
			rep.Windows[w].Errors++
			rep.Errors++
		}
	}
	for w, k := range s.nonceFails {
		rep.Windows[min(int(w), n-1)].Errors += k
		rep.Errors += k
	}
	for i := range rep.Windows {
		p := percentilesOf(lat[i])
		win := &rep.Windows[i]
		win.StartS = (time.Duration(i) * s.window).Seconds()
		win.P50MS, win.P99MS, win.MaxMS = ms(p.P50), ms(p.P99), ms(p.Max)
		win.LagP99MS = ms(percentilesOf(lag[i]).P99)
		win.Server = rep.After // a window the monitor did not reach (the soak was interrupted)
		if i < len(marks) {
			win.Server = marks[i].server
			c := marks[i].cpu
			win.ServerCPUUS, win.ServerCores, win.GeneratorCores, win.OtherCores = c.serverUS, c.serverCores, c.generatorCores, c.otherCores
		}
	}
	p := percentilesOf(all)
	rep.Requests, rep.DurationS = len(s.samples), elapsed.Seconds()
	rep.ThroughputRPS = float64(rep.Requests) / elapsed.Seconds()
	rep.P50MS, rep.P99MS, rep.MaxMS = ms(p.P50), ms(p.P99), ms(p.Max)
	if len(s.codes) > 0 {
		rep.ErrorCodes = s.codes
	}
	rep.Start, rep.End = rep.Windows[0].Server, rep.Windows[n-1].Server
	rep.Verdict = judgeSoak(rep)
}
