package gate

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/credential"
)

// CredentialVerifier verifies an SD-JWT VC presentation (*credential.Verifier does).
type CredentialVerifier interface {
	Verify(ctx context.Context, presentation string, exp credential.Expectation) (*credential.Result, error)
}

// FaceExtractor turns a live JPEG from the gate camera into a template and checks the same
// capture for a presentation attack (biometric/face's Extractor and biometric/liveness,
// through a small adapter). Optional.
type FaceExtractor interface {
	LiveCapture(jpeg []byte) (LiveCapture, error)
}

// statusCheckerOf is a CredentialVerifier that shares its status checker
// (*credential.Verifier does).
type statusCheckerOf interface {
	StatusChecker() credential.StatusChecker
}

// Config configures a Service. Credentials, Passes, ReaderKey and Store are required, and a
// status checker (Status, or the one Credentials has).
type Config struct {
	Credentials CredentialVerifier
	// Mdoc verifies an mDL mdoc sent as the passenger's ID instead of an SD-JWT VC
	// presentation (*mdoc.Verifier over the trust list's IACA roots). Optional: nil denies an
	// mdoc ID credential_invalid (credential_code mdoc_not_accepted).
	Mdoc MdocVerifier
	// Status answers an enrolled ID's Token Status List entry when it boards by walk-through
	// (Identify). Default: the checker of Credentials when it has one
	// (*credential.Verifier.StatusChecker), so both routes share its cache.
	Status credential.StatusChecker
	Passes boardingpass.Keys // airline certificates (certs.TrustList)
	// PassKeysTTL caches Passes' answers (a TrustList re-verifies chains on every call);
	// default 1 min, negative disables.
	PassKeysTTL time.Duration
	// GateCacheTTL is how long a gate's configuration read from the Store is reused (default
	// 2 s, negative disables): every nonce and verify needs it, and another instance's change
	// (boarding closed) shows within this time; this instance's own changes show at once.
	GateCacheTTL time.Duration
	ReaderKey    *ecdsa.PrivateKey // gate reader key-agreement key: opens sealed face templates
	Store        Store
	// Audience is this verifier's identifier; a gate's KB-JWT audience is Audience+"/gates/"+id.
	Audience       string
	OperatingPoint biometric.OperatingPoint // default biometric.DefaultOperatingPoint()
	Face           FaceExtractor            // nil: live_jpeg is denied with face_extractor_unavailable
	// Liveness says whether a live_template (computed by the terminal) is accepted without
	// a liveness check idgate can see. Every live_jpeg is checked by Face regardless.
	Liveness  LivenessPolicy
	Now       func() time.Time
	NonceTTL  time.Duration // default 2 min
	MaxNonces int           // default 100 000 (in memory; a shared NonceStore sweeps expired ones as it goes)
	// SharedNonces keeps nonces in the Store, which must implement NonceStore: for several
	// instances behind one address, sharing the Store (PostgreSQL). Off, nonces stay in this
	// instance's memory, which is faster and right for one instance.
	SharedNonces bool
	// GallerySync, when positive, is how stale a loaded flight gallery may be: before a search
	// older than that, the enrolments made since (through any instance sharing the Store)
	// are added. Zero: a gallery is read once and kept
	// in step by this instance's own enrolments, right for one instance.
	GallerySync time.Duration
	// PassIssueWindow is how long before the flight date a boarding pass may have been issued
	// (its date of issue); older passes, and passes without one, are denied pass_stale.
	// Default 30 days.
	PassIssueWindow time.Duration
	// Retention is how long after departure a flight's gallery and boarding records are kept
	// (default 6 h).
	Retention time.Duration
	// PassPartners maps an operating carrier to the airlines whose signature is accepted on
	// boarding passes for its flights (code-share, interline through check-in), e.g.
	// {"YY": {"XX", "ZZ"}}: a pass for a YY flight declaring XX as its issuer must verify
	// under XX's key. Default none: only the operating carrier's key. See ParsePartners.
	PassPartners map[string][]string
	Logger       *slog.Logger // default: discard
	Metrics      *Metrics     // default: a new registry
}

// Service is the gate domain: configuration, nonces, verify, enrol, identify, retention.
// Safe for concurrent use.
type Service struct {
	cfg       Config
	nonces    *nonces
	galleries sync.Map // flight key → *flightGallery
	gates     sync.Map // gate id → cachedGate (configured gates only; unknown ids are not cached)
	// reader is ReaderKey as biometric.Open computes with it: converted once here, since
	// converting an *ecdsa.PrivateKey costs a scalar base multiplication per Open.
	reader crypto.PrivateKey
	// batchSlots bounds the check-in items being checked at once across all EnrolBatch calls
	// (GOMAXPROCS): concurrent uploads share the cores instead of multiplying workers beside
	// the gates' traffic.
	batchSlots chan struct{}
	// shared is the Store's NonceStore when Config.SharedNonces is set, else nil.
	shared NonceStore
	// trustedLiveness is Config.Liveness.TrustedGates as a set.
	trustedLiveness map[string]bool
}

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Credentials == nil || cfg.Passes == nil || cfg.ReaderKey == nil || cfg.Store == nil || cfg.Audience == "" {
		return nil, errors.New("gate: Config needs Credentials, Passes, ReaderKey, Store and Audience")
	}
	if cfg.Status == nil {
		if sc, ok := cfg.Credentials.(statusCheckerOf); ok {
			cfg.Status = sc.StatusChecker()
		}
	}
	if cfg.Status == nil {
		// Walk-through boarding must see a revocation made after check-in.
		return nil, errors.New("gate: Config needs Status (or Credentials with a StatusChecker)")
	}
	if cfg.OperatingPoint == (biometric.OperatingPoint{}) {
		cfg.OperatingPoint = biometric.DefaultOperatingPoint()
	}
	if !validThreshold(cfg.OperatingPoint.Threshold) {
		// +Inf would match every face, NaN none (or, in a negated comparison, every one).
		return nil, errors.New("gate: OperatingPoint.Threshold must be a finite number > 0")
	}
	partners, err := clonePartners(cfg.PassPartners)
	if err != nil {
		return nil, err
	}
	cfg.PassPartners = partners
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NonceTTL <= 0 {
		cfg.NonceTTL = 2 * time.Minute
	}
	if cfg.MaxNonces <= 0 {
		cfg.MaxNonces = 100_000
	}
	if cfg.PassIssueWindow <= 0 {
		cfg.PassIssueWindow = 30 * 24 * time.Hour
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 6 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.GateCacheTTL == 0 {
		cfg.GateCacheTTL = 2 * time.Second
	}
	if cfg.PassKeysTTL == 0 {
		cfg.PassKeysTTL = time.Minute
	}
	if cfg.PassKeysTTL > 0 {
		cfg.Passes = newCachedKeys(cfg.Passes, cfg.PassKeysTTL)
	}
	svc := &Service{cfg: cfg, nonces: newNonces(cfg.MaxNonces), reader: openKey(cfg.ReaderKey),
		batchSlots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	svc.trustedLiveness = make(map[string]bool, len(cfg.Liveness.TrustedGates))
	for _, g := range cfg.Liveness.TrustedGates {
		if !validGateID(g) {
			return nil, errors.New("gate: Liveness.TrustedGates holds an invalid gate id")
		}
		svc.trustedLiveness[g] = true
	}
	cfg.Liveness.TrustedGates = nil // the set is what is read
	if cfg.SharedNonces {
		ns, ok := cfg.Store.(NonceStore)
		if !ok {
			return nil, errors.New("gate: SharedNonces needs a Store that implements NonceStore")
		}
		svc.shared = ns
	}
	return svc, nil
}

// Metrics returns the service's metrics registry.
func (s *Service) Metrics() *Metrics { return s.cfg.Metrics }

// Ready reports whether the service can take traffic (its store answers).
func (s *Service) Ready(ctx context.Context) error { return s.cfg.Store.Ping(ctx) }

// readerKey returns the key biometric.Open takes.
func (s *Service) readerKey() crypto.PrivateKey { return s.reader }

// openKey converts a P-256 reader key to crypto/ecdh once. Any other key is kept as it is, so
// that biometric.Open rejects it on every call (fail closed).
func openKey(k *ecdsa.PrivateKey) crypto.PrivateKey {
	if k.Curve != elliptic.P256() {
		return k
	}
	e, err := k.ECDH()
	if err != nil {
		return k
	}
	return e
}
