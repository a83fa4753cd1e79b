package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/httpserve"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
)

func init() {
	register("issuer", "credential issuer: issuer serve", runIssuer)
}

func runIssuer(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(stderr, "usage: idgate issuer serve [flags]   (idgate issuer serve --help)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := newFlags("issuer serve", "issuer serve [flags]", stderr)
	pkiDir := stringFlag(fs, "pki", "IDGATE_PKI_DIR", "var/pki", "PKI directory (idgate certs init)")
	db := stringFlag(fs, "db", "IDGATE_ISSUER_DB", "var/issuer/issuer.db", "SQLite file, postgres://… DSN, or memory")
	listen := stringFlag(fs, "listen", "IDGATE_ISSUER_LISTEN", "127.0.0.1:8081", "listen address")
	publicURL := stringFlag(fs, "public-url", "IDGATE_ISSUER_URL", "http://localhost:8081", "credential issuer identifier (must match the PKI; a host name so passkeys work)")
	tokenFile := stringFlag(fs, "operator-token-file", "IDGATE_OPERATOR_TOKEN_FILE", "var/issuer/operator.token", "operator bearer token (created 0600 if absent)")
	models := stringFlag(fs, "models", "IDGATE_MODELS", "var/models", "face models for portrait enrolment (`make models`); absent: enrolment without portraits only")
	portraitKey := stringFlag(fs, "portrait-key-file", "IDGATE_ISSUER_PORTRAIT_KEY_FILE", "var/issuer/portrait.key", "AES-256 key sealing the enrolment portraits kept for the mdoc licence until it is issued (created 0600 if absent)")
	ratePerIP, err := envFloat("IDGATE_ISSUER_RATE_PER_IP", defaultRatePerIP)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	burst, err := envInt("IDGATE_ISSUER_RATE_BURST", defaultRateBurst)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	fs.Float64Var(&ratePerIP, "rate-per-ip", ratePerIP, "anonymous wallet requests (/token, /nonce, /credential, passkey ceremonies) per second per client address (IPv6: per /64): the TCP peer, or behind --trusted-proxies the address they forward; 0: no limit [IDGATE_ISSUER_RATE_PER_IP]")
	fs.IntVar(&burst, "rate-burst", burst, "requests a client may send at once before --rate-per-ip applies [IDGATE_ISSUER_RATE_BURST]")
	proxiesFlag := stringFlag(fs, "trusted-proxies", "IDGATE_ISSUER_TRUSTED_PROXIES", "", "comma-separated CIDRs or addresses of the reverse proxies in front of the issuer; their X-Forwarded-For names the client for --rate-per-ip")
	repeatWindow, err := envDuration("IDGATE_ISSUER_TOKEN_REPEAT_WINDOW", 30*time.Second)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	grace, err := envDuration("IDGATE_ISSUER_UNDELIVERED_GRACE", time.Minute)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	fs.Var(positiveDuration{&repeatWindow}, "token-repeat-window", fmt.Sprintf("how long after redeeming a pre-authorised code a repeated /token request with it gets the same access token (a wallet whose answer was lost); %v up to the token lifetime (5m) [IDGATE_ISSUER_TOKEN_REPEAT_WINDOW]", issuer.MinTokenRepeatWindow))
	fs.Var(positiveDuration{&grace}, "undelivered-grace", fmt.Sprintf("how long past its access token's expiry a credential never confirmed delivered stays valid before it is revoked; %v to %v [IDGATE_ISSUER_UNDELIVERED_GRACE]", issuer.MinUndeliveredGrace, issuer.MaxUndeliveredGrace))
	var ka keyAttestationOptions
	fs.StringVar(&ka.required, "require-key-attestation", envOr("IDGATE_ISSUER_REQUIRE_KEY_ATTESTATION", ""), "comma-separated credential configurations (employee-id, mdl, org.iso.18013.5.1.mDL) whose holder key must come with an OpenID4VCI key attestation by a trusted wallet provider [IDGATE_ISSUER_REQUIRE_KEY_ATTESTATION]")
	fs.StringVar(&ka.keyStorage, "key-storage", envOr("IDGATE_ISSUER_KEY_STORAGE", ""), "lowest ISO/IEC 18045 key_storage level an attestation must assert: high, moderate, enhanced-basic or basic; empty: any [IDGATE_ISSUER_KEY_STORAGE]")
	fs.StringVar(&ka.userAuthentication, "user-authentication", envOr("IDGATE_ISSUER_USER_AUTHENTICATION", ""), "lowest ISO/IEC 18045 user_authentication level an attestation must assert; empty: any [IDGATE_ISSUER_USER_AUTHENTICATION]")
	fs.StringVar(&ka.trustFile, "wallet-providers", envOr("IDGATE_ISSUER_WALLET_PROVIDERS", ""), "trust list of the wallet providers (purpose wallet-provider); empty: the PKI's trust.json [IDGATE_ISSUER_WALLET_PROVIDERS]")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if err := checkListen("listen", *listen); err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	keyAttestation, err := ka.config(*pkiDir)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	limiter, err := newRateLimiter(ratePerIP, burst)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 2
	}
	proxies, err := ratelimit.ParseProxies(*proxiesFlag)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer: --trusted-proxies:", err)
		return 2
	}
	// This server speaks plain HTTP; an https public URL means a TLS proxy is in front. Keyed
	// by the TCP peer, every wallet would then share the proxy's one bucket and a single client
	// could spend it for all; silently dropping the limit instead would fail open. The operator
	// must say which: name the proxy, or turn the limit off explicitly.
	switch {
	case limiter != nil && len(proxies) == 0 && strings.HasPrefix(strings.ToLower(*publicURL), "https://"):
		fmt.Fprintln(stderr, "idgate issuer: --public-url is https, so a TLS proxy is in front of this plain-HTTP server: name it with --trusted-proxies so that --rate-per-ip limits each client (not one bucket for all), or pass --rate-per-ip 0 to run without a limit")
		return 2
	case limiter == nil && len(proxies) > 0:
		logger.Warn("--trusted-proxies has no effect: rate limiting is off (--rate-per-ip 0)")
	case limiter == nil:
		logger.Warn("rate limiting off (--rate-per-ip 0): anonymous wallet routes can be flooded")
	}
	svc, closeStore, err := openIssuer(ctx, *pkiDir, *db, *publicURL, *models, *portraitKey, logger, func(c *issuer.Config) {
		c.TokenRepeatWindow, c.UndeliveredGrace, c.KeyAttestation = repeatWindow, grace, keyAttestation
	})
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return exitCode(err)
	}
	defer closeStore()
	if err := ensureOperatorToken(ctx, svc, *tokenFile); err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 1
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 1
	}
	logger.Info("issuer listening", "addr", l.Addr().String(), "public_url", *publicURL, "operator_token_file", *tokenFile)
	go svc.SweepUndelivered(ctx, time.Minute)
	if err := httpserve.Serve(ctx, l, issuerhttp.Handler(svc, issuerhttp.Config{RateLimit: limiter, TrustedProxies: proxies})); err != nil {
		fmt.Fprintln(stderr, "idgate issuer:", err)
		return 1
	}
	return 0
}

// openStore opens the issuer's storage backend named by db, and the passkey store in the
// same database (in memory for "memory").
func openStore(ctx context.Context, db string) (storage.Storage, passkey.Store, error) {
	switch {
	case db == "memory":
		st := memory.New()
		return st, passkey.NewMemoryStore(st), nil
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		st, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		pk, err := passkey.NewPostgresStore(ctx, st)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return st, pk, nil
	default:
		if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
			return nil, nil, err
		}
		st, err := sqlite.Open(db)
		if err != nil {
			return nil, nil, err
		}
		pk, err := passkey.NewSQLiteStore(ctx, st)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return st, pk, nil
	}
}

// Default per-client limits on the issuer's anonymous wallet routes. A wallet collecting a
// credential sends two to four such requests, the demo about ten in all: the burst covers a
// whole session, the rate a steady retry loop.
const (
	defaultRatePerIP    = 10
	defaultRateBurst    = 40
	rateLimitMaxClients = 100_000 // client buckets kept; the least recently seen is dropped beyond
)

// newRateLimiter is the limiter for --rate-per-ip and --rate-burst; nil when rate is 0.
func newRateLimiter(rate float64, burst int) (*ratelimit.Limiter, error) {
	if rate == 0 {
		return nil, nil
	}
	l, err := ratelimit.New(ratelimit.Config{Rate: rate, Burst: burst, MaxClients: rateLimitMaxClients})
	if err != nil {
		return nil, fmt.Errorf("--rate-per-ip %v --rate-burst %d: %w", rate, burst, err)
	}
	return l, nil
}

// defaultIssuerHTTP is the issuer's HTTP configuration with the default rate limits (what
// `issuer serve` runs with unless told otherwise; the demo uses it).
func defaultIssuerHTTP() (issuerhttp.Config, error) {
	limiter, err := newRateLimiter(defaultRatePerIP, defaultRateBurst)
	return issuerhttp.Config{RateLimit: limiter}, err
}

// openIssuer assembles an issuer Service from a PKI directory, a store and (when the models
// are installed) a face enroller that seals portrait templates to the gate readers' key. The
// mDL is offered as an mdoc too, signed by the PKI's Document Signer, its portraits sealed
// with the key in portraitKeyFile.
func openIssuer(ctx context.Context, pkiDir, db, publicURL, modelsDir, portraitKeyFile string, logger *slog.Logger, tune ...func(*issuer.Config)) (*issuer.Service, func(), error) {
	pki, err := certs.LoadIssuer(pkiDir)
	if err != nil {
		return nil, nil, badInput(fmt.Errorf("load PKI (run `idgate certs init`): %w", err))
	}
	portraitKey, err := readOrCreateKey(portraitKeyFile, issuer.PortraitKeySize)
	if err != nil {
		return nil, nil, fmt.Errorf("portrait key: %w", err)
	}
	faces, closeFaces, err := newFaceEnroller(modelsDir, pki.GateReaderCert.PublicKey)
	if err != nil {
		logger.Warn("face enrolment disabled", "reason", err.Error())
	}
	store, passkeys, err := openStore(ctx, db)
	if err != nil {
		closeFaces()
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	cfg := issuer.Config{
		Store:     store,
		Passkeys:  passkeys,
		PublicURL: publicURL,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     pki.EmployeeIssuer,
			credential.DrivingLicence: pki.MDLIssuer,
		},
		StatusSigner:   pki.StatusList,
		DocumentSigner: pki.MDLDocumentSigner,
		PortraitKey:    portraitKey,
		Faces:          faces,
		Logger:         logger,
	}
	for _, f := range tune {
		f(&cfg)
	}
	svc, err := issuer.New(cfg)
	if err != nil {
		store.Close()
		closeFaces()
		if errors.Is(err, issuer.ErrConfig) {
			err = badInput(err)
		}
		return nil, nil, err
	}
	return svc, func() { store.Close(); closeFaces() }, nil
}

// faceEnroller is the issuer's FaceEnroller over dlib: one face required, template sealed.
type faceEnroller struct {
	ex        *face.Extractor
	recipient crypto.PublicKey
}

func (f faceEnroller) EnrolFace(img []byte) (string, error) {
	res, err := f.ex.Template(img, face.Enrol)
	if err != nil {
		return "", err
	}
	return biometric.Seal(res.Template, f.recipient)
}

// newFaceEnroller loads the models; a nil enroller (and a no-op closer) when they are absent.
func newFaceEnroller(modelsDir string, recipient crypto.PublicKey) (issuer.FaceEnroller, func(), error) {
	if modelsDir == "" {
		return nil, func() {}, errors.New("no models directory")
	}
	ex, err := face.New(face.Config{ModelsDir: modelsDir, Workers: 1})
	if err != nil {
		return nil, func() {}, err
	}
	return faceEnroller{ex: ex, recipient: recipient}, ex.Close, nil
}

// ensureOperatorToken registers the token in path (created 0600 when absent) with the issuer.
func ensureOperatorToken(ctx context.Context, svc *issuer.Service, path string) error {
	tok, err := readOrCreateToken(path)
	if err != nil {
		return err
	}
	return svc.EnsureOperatorToken(ctx, tok, "operator")
}

// readOrCreateKey returns the n-byte key stored base64 in path, creating a random one (0600)
// the first time.
func readOrCreateKey(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != n {
			return nil, fmt.Errorf("%s does not hold a base64 %d-byte key", path, n)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return k, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600)
}

// readOrCreateToken returns the bearer token stored in path, creating a random one (0600) the
// first time.
func readOrCreateToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	tok := rand.Text() + rand.Text()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return tok, os.WriteFile(path, []byte(tok+"\n"), 0o600)
}
