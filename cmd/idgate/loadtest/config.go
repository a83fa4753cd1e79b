package loadtest

import (
	"io"
	"runtime"
	"time"
)

// maxOutstandingNonces is the verifier's default nonce store size (gate.Config.MaxNonces): a
// batch binds at most half of it, so the store never evicts a nonce before it is sent. It also
// bounds a verify run's passengers, which are all generated before the timed phase.
const maxOutstandingNonces = 100_000

// Config configures Run. Zero values take the documented defaults.
type Config struct {
	// ServerCommand is the verifier's argv without the flags Run adds (--gates, --trust,
	// --listen, --audience), e.g. [os.Executable(), "verifier", "serve"]. Required unless
	// Target is set.
	ServerCommand []string
	// ServerEnv is added to the verifier process's environment (after os.Environ()).
	ServerEnv []string

	// Target is the base URL (http://host:port) of an already running verifier; OperatorToken
	// (and CheckinToken for identify) are its tokens and PKIDir the PKI it trusts.
	Target        string
	OperatorToken string
	CheckinToken  string
	TerminalToken string // the gate terminals' bearer token (nonce, verify, identify)
	PKIDir        string

	Gate        string        // default "LT1"
	Passengers  int           // distinct passengers to pre-generate (the request budget); default 30000
	Warmup      int           // untimed verifications first (caches, status list); default 2×Connections
	Connections int           // keep-alive connections, one worker each; default 2×GOMAXPROCS
	Duration    time.Duration // timed phase bound; default 10 s
	// Rate > 0 runs open loop at this many requests per second; 0 is closed loop.
	Rate float64
	// HalfRate, in closed loop, follows the run with an open-loop phase at half the measured
	// throughput (fresh passengers), reported in Report.HalfRate: "p99 at half the max rate".
	HalfRate bool
	// Soak > 0, in closed loop, follows the run (and the half-rate phase) with an open loop at
	// SoakFraction of the measured throughput for this long, reported per SoakWindow with the
	// verifier's memory, goroutines and open files in Report.Soak. Its requests are built
	// while it runs (a fresh pass, nonce and KB-JWT each), so its length is not bounded by
	// Passengers.
	Soak time.Duration
	// SoakWindow is the soak's reporting window; default a minute, shortened to a quarter of
	// a soak shorter than four windows.
	SoakWindow time.Duration
	// HalfRateConnections is how many connections the open-loop phases (half rate, soak)
	// spread their arrivals over (default 32: an airport's gates, each a terminal with its own connection). Few
	// connections would queue arrivals in the generator behind slow answers, which an open
	// loop exists to avoid.
	HalfRateConnections int
	// BoundDuration is how long the crypto bound is measured; default 2 s; negative skips it.
	BoundDuration time.Duration
	// IdentifyGallery > 0 switches to identify mode with a gallery of this many enrolments.
	IdentifyGallery int

	// FloorCommand, when set (self-contained mode), is the argv of an HTTP-only server (the
	// verifier's fasthttp settings, a handler that answers every POST with a fixed body the size
	// of a real decision). After the closed loop it is driven with the same bodies and
	// connections, and Report.HTTPFloor says what HTTP over loopback alone costs here: the part
	// of every request that no gate code can remove. It must log the verifier's listening line.
	FloorCommand []string

	// LiveJPEG, when set, gives every passenger's credential LiveJPEG.Enrolled (sealed) and
	// sends LiveJPEG.JPEG as the live face (live_jpeg): the verifier decodes, detects,
	// describes and checks liveness on each request. It needs the face models on the verifier
	// (ServerEnv's IDGATE_MODELS). Not with IdentifyGallery or Soak, which send templates.
	LiveJPEG *LiveJPEG

	// Mdoc gives every passenger the mDL as an ISO/IEC 18013-5 mdoc (issued under the PKI's
	// Document Signer) and sends it as the ID ({mdoc, nonce}, device-signed over
	// gate.MdocSessionTranscript) instead of the SD-JWT VC presentation. Verify mode only (not
	// with IdentifyGallery or Soak).
	Mdoc bool

	// SignalPhases sends the self-contained verifier SIGUSR1 as each timed phase starts and
	// SIGUSR2 as it ends (idgate loadtest --server-cpuprofile profiles just those spans).
	SignalPhases bool

	Progress io.Writer // human progress lines; nil discards
	Now      func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	if c.Target == "" && len(c.ServerCommand) == 0 {
		return c, errf(CodeConfig, nil, "need ServerCommand (self-contained) or Target")
	}
	if c.Target != "" && (c.PKIDir == "" || c.OperatorToken == "" || c.TerminalToken == "") {
		return c, errf(CodeConfig, nil, "Target needs PKIDir, OperatorToken and TerminalToken")
	}
	if c.Target != "" && c.IdentifyGallery > 0 && c.CheckinToken == "" {
		return c, errf(CodeConfig, nil, "identify against Target needs CheckinToken")
	}
	if c.Gate == "" {
		c.Gate = "LT1"
	}
	if c.Passengers == 0 {
		c.Passengers = 30000
	}
	if c.Connections <= 0 {
		c.Connections = 2 * runtime.GOMAXPROCS(0)
	}
	if c.HalfRateConnections <= 0 {
		c.HalfRateConnections = 32
	}
	if c.Warmup <= 0 {
		c.Warmup = 2 * c.Connections
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.BoundDuration == 0 {
		c.BoundDuration = 2 * time.Second
	}
	if c.Passengers < 0 || c.Rate < 0 || c.IdentifyGallery < 0 || c.Soak < 0 {
		return c, errf(CodeConfig, nil, "negative passengers, rate, gallery or soak")
	}
	if c.LiveJPEG != nil && (c.IdentifyGallery > 0 || c.Soak > 0) {
		return c, errf(CodeConfig, nil, "live JPEG mode drives /verify: not with IdentifyGallery or Soak")
	}
	if c.Mdoc && (c.IdentifyGallery > 0 || c.Soak > 0) {
		return c, errf(CodeConfig, nil, "mdoc mode drives /verify: not with IdentifyGallery or Soak")
	}
	if c.LiveJPEG != nil && len(c.LiveJPEG.JPEG) == 0 {
		return c, errf(CodeConfig, nil, "live JPEG mode needs the live capture's bytes")
	}
	if c.Soak > 0 && (c.Rate > 0 || c.IdentifyGallery > 0) {
		return c, errf(CodeConfig, nil, "a soak follows the verify closed loop: not with Rate or IdentifyGallery")
	}
	if c.Passengers+c.Warmup+c.IdentifyGallery+1 > maxListEntries {
		return c, errf(CodeConfig, nil, "at most %d passengers in one run", maxListEntries-c.Warmup-1)
	}
	if c.IdentifyGallery == 0 && c.Passengers+c.Warmup > maxOutstandingNonces {
		return c, errf(CodeConfig, nil, "at most %d passengers in a verify run", maxOutstandingNonces-c.Warmup)
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Report is the outcome of one run; with --json it is printed as one object.
type Report struct {
	Mode           string  `json:"mode"` // "verify", "verify-live-jpeg", "verify-mdoc" or "identify"
	Loop           string  `json:"loop"` // "closed" or "open"
	Requests       int     `json:"requests"`
	Errors         int     `json:"errors"`
	DurationS      float64 `json:"duration_s"`
	ThroughputRPS  float64 `json:"throughput_rps"`
	CryptoBoundRPS float64 `json:"crypto_bound_rps"`
	// Ratio is ThroughputRPS / CryptoBoundRPS (verify mode; 0 when the bound was skipped).
	Ratio       float64 `json:"ratio"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	P999MS      float64 `json:"p999_ms"`
	MaxMS       float64 `json:"max_ms"`
	Connections int     `json:"connections"`
	Cores       int     `json:"cores"`      // runtime.NumCPU of the machine
	GOMAXPROCS  int     `json:"gomaxprocs"` // of the load generator (the bound uses as many goroutines)

	TargetRPS      float64 `json:"target_rps,omitempty"` // open loop: the arrival rate asked for
	LagP99MS       float64 `json:"lag_p99_ms,omitempty"` // open loop: p99 of how late sends left vs schedule
	Exhausted      bool    `json:"exhausted,omitempty"`  // stopped because every passenger was used
	BoundWhen      string  `json:"bound_when,omitempty"` // when the bound was measured
	BoundBeforeRPS float64 `json:"crypto_bound_before_rps,omitempty"`
	BoundAfterRPS  float64 `json:"crypto_bound_after_rps,omitempty"`
	// CPU per request in µs: the server's (self-contained mode, from /proc) and the load
	// generator's during the timed phase, and the bound's CPU per operation (getrusage while
	// it ran). CPURatio = bound / server CPU: the share of the server's CPU per verification
	// that is the unavoidable crypto, whatever the neighbours on the machine did.
	ServerCPUUS    float64        `json:"server_cpu_us_per_req,omitempty"`
	GeneratorCPUUS float64        `json:"generator_cpu_us_per_req,omitempty"`
	BoundCPUUS     float64        `json:"bound_cpu_us_per_op,omitempty"`
	CPURatio       float64        `json:"cpu_ratio,omitempty"`
	GenerateS      float64        `json:"generate_s,omitempty"`      // pre-generation time (untimed)
	Server         string         `json:"server"`                    // "process" (self-contained) or the Target URL
	Gallery        int            `json:"gallery,omitempty"`         // identify: enrolments in the flight gallery
	EnrolS         float64        `json:"enrol_s,omitempty"`         // identify: wall time to enrol the gallery over HTTP
	GalleryMS      float64        `json:"gallery_load_ms,omitempty"` // identify: first identify, which loads the gallery
	ErrorCodes     map[string]int `json:"error_codes,omitempty"`     // "status:reason" → count
	LiveJPEGBytes  int            `json:"live_jpeg_bytes,omitempty"` // verify-live-jpeg: size of the live capture sent
	// HTTPFloor is the same closed loop against an HTTP-only server (Config.FloorCommand).
	HTTPFloor *Report `json:"http_floor,omitempty"`
	// HalfRate is the open-loop phase at half of ThroughputRPS (Config.HalfRate).
	HalfRate *Report `json:"half_rate,omitempty"`
	// Soak is the open loop at SoakFraction of ThroughputRPS for Config.Soak.
	Soak *SoakReport `json:"soak,omitempty"`
}
