package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/idgate/idgate/cmd/idgate/loadtest"
)

func init() {
	register("loadtest", "drive the airport gate API and compare with the crypto bound; --soak for a long run", runLoadtest)
}

// profiledServer is the hidden first argument with which loadtest re-executes this binary as
// the verifier under a CPU profile: loadtest _profiled-server FILE verifier serve ... The
// profile covers the timed phases only: loadtest sends SIGUSR1 as each starts and SIGUSR2 as
// it ends; the first phase (the closed loop) goes to FILE, later ones to FILE.2, FILE.3, ...
const profiledServer = "_profiled-server"

func runLoadtest(args []string, stdout, stderr io.Writer) int {
	if len(args) >= 2 && args[0] == profiledServer {
		return runProfiled(args[1], args[2:], stdout, stderr)
	}
	if len(args) >= 1 && args[0] == httpFloorServer {
		return runHTTPFloor(args[1:], stderr)
	}
	fs := newFlags("loadtest", "loadtest [flags]", stderr)
	var c loadtest.Config
	fs.IntVar(&c.Passengers, "passengers", 30000, "distinct pre-generated passengers: the most requests the timed phase can send")
	fs.IntVar(&c.Connections, "connections", 2*runtime.GOMAXPROCS(0), "keep-alive connections (one worker each)")
	fs.DurationVar(&c.Duration, "duration", 10e9, "upper bound of the timed phase")
	fs.Float64Var(&c.Rate, "rate", 0, "open loop at this many requests/s (0: closed loop, max throughput)")
	fs.BoolVar(&c.HalfRate, "half-rate", false, "after the closed loop, drive fresh passengers open loop at half its throughput (p99 at half the max rate)")
	fs.IntVar(&c.HalfRateConnections, "half-rate-connections", 32, "connections (gate terminals) the open-loop half-rate and soak phases spread their arrivals over")
	fs.DurationVar(&c.Soak, "soak", 0, "after the closed loop, drive open loop at 80% of its throughput for this long, with fresh requests built as it runs; report errors, p50/p99 per window and the verifier's memory, goroutines and open files, judged against the goal (10 min, 0 errors, growth within 10%, p99 stable: no window above 2x the median, no upward trend)")
	fs.DurationVar(&c.SoakWindow, "soak-window", time.Minute, "the soak's reporting window (a quarter of a soak shorter than four)")
	fs.DurationVar(&c.BoundDuration, "bound-duration", 2e9, "how long to measure the crypto bound (negative: skip)")
	fs.IntVar(&c.IdentifyGallery, "identify-gallery", 0, "identify mode: enrol this many passengers, then drive /identify")
	fs.BoolVar(&c.Mdoc, "mdoc", false, "the passengers' ID is the mDL as an ISO/IEC 18013-5 mdoc ({mdoc, nonce}) instead of the SD-JWT VC presentation")
	fs.StringVar(&c.Gate, "gate", "LT1", "gate id to configure and drive")
	fs.StringVar(&c.Target, "target", "", "base URL of a running verifier (default: start one as a child process)")
	fs.StringVar(&c.OperatorToken, "operator-token", os.Getenv("IDGATE_GATE_OPERATOR_TOKEN"), "with --target: operator bearer token [IDGATE_GATE_OPERATOR_TOKEN]")
	fs.StringVar(&c.TerminalToken, "terminal-token", os.Getenv("IDGATE_GATE_TERMINAL_TOKEN"), "with --target: gate terminal bearer token [IDGATE_GATE_TERMINAL_TOKEN]")
	fs.StringVar(&c.CheckinToken, "checkin-token", os.Getenv("IDGATE_GATE_CHECKIN_TOKEN"), "with --target: check-in bearer token, for --identify-gallery [IDGATE_GATE_CHECKIN_TOKEN]")
	fs.StringVar(&c.PKIDir, "pki", "", "with --target: the PKI directory that verifier trusts (signs credentials and passes)")
	floor := fs.Bool("http-floor", false, "after the closed loop, drive the same requests at an HTTP-only server: what loopback HTTP alone costs (self-contained mode)")
	asJSON := fs.Bool("json", false, "print exactly one JSON object")
	serverProfile := fs.String("server-cpuprofile", "", "write the child verifier's CPU profile of the timed phase here; a later (half-rate) phase goes to FILE.2 (self-contained mode)")
	ownProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile here")
	live := addLiveJPEGFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "idgate loadtest: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	// Refused rather than silently ignored: the floor follows the self-contained verify
	// closed loop only, and only a child verifier can be profiled.
	if *floor && (c.Target != "" || c.Rate > 0 || c.IdentifyGallery > 0) {
		fmt.Fprintln(stderr, "idgate loadtest: --http-floor needs the self-contained verify closed loop (no --target, --rate or --identify-gallery)")
		return 2
	}
	if c.Soak > 0 && (c.Rate > 0 || c.IdentifyGallery > 0) {
		fmt.Fprintln(stderr, "idgate loadtest: --soak follows the verify closed loop (no --rate or --identify-gallery)")
		return 2
	}
	if err := live.check(&c); err != nil {
		fmt.Fprintln(stderr, "idgate loadtest:", err)
		return 2
	}
	if err := live.apply(fs, &c); err != nil {
		fmt.Fprintln(stderr, "idgate loadtest:", err)
		return 1
	}
	if *serverProfile != "" && c.Target != "" {
		fmt.Fprintln(stderr, "idgate loadtest: --server-cpuprofile profiles the child verifier: not with --target")
		return 2
	}
	if c.Target == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(stderr, "idgate loadtest:", err)
			return 1
		}
		c.ServerCommand = []string{exe, "verifier", "serve"}
		if *floor {
			c.FloorCommand = []string{exe, "loadtest", httpFloorServer}
		}
		if *serverProfile != "" {
			c.ServerCommand = []string{exe, "loadtest", profiledServer, *serverProfile, "verifier", "serve"}
			c.SignalPhases = true
		}
	}
	if *ownProfile != "" {
		f, err := os.Create(*ownProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "idgate loadtest:", err)
			return 1
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	c.Progress = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "idgate loadtest:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "idgate loadtest:", err)
			return 1
		}
	} else if err := rep.WriteSummary(stdout); err != nil {
		return 1
	}
	if rep.Errors > 0 || (rep.Soak != nil && rep.Soak.Errors > 0) {
		return 3 // the run completed but some boardings were not allowed
	}
	if rep.Soak != nil && !rep.Soak.Verdict.Pass {
		return 4 // the soak ran without errors but missed its goal (duration, growth or p99)
	}
	return 0
}

// runProfiled runs another subcommand (the verifier), writing a CPU profile of each span
// between SIGUSR1 and SIGUSR2 (loadtest's timed phases), so set-up and nonce fetching do not
// dilute it.
func runProfiled(file string, args []string, stdout, stderr io.Writer) int {
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var f *os.File
		stop := func() {
			if f != nil {
				pprof.StopCPUProfile()
				f.Close()
				f = nil
			}
		}
		defer stop()
		for n := 1; ; {
			select {
			case <-done:
				return
			case s := <-sig:
				switch {
				case s == syscall.SIGUSR1 && f == nil:
					name := file
					if n > 1 {
						name = fmt.Sprintf("%s.%d", file, n)
					}
					n++
					var err error
					if f, err = os.Create(name); err == nil {
						if err = pprof.StartCPUProfile(f); err != nil {
							f.Close()
							f = nil
						}
					}
					if err != nil {
						fmt.Fprintln(stderr, "idgate loadtest: server profile:", err)
					}
				case s == syscall.SIGUSR2:
					stop()
				}
			}
		}
	}()
	code := dispatch(args, stdout, stderr)
	close(done)
	<-finished
	return code
}
