package main

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/logbuf"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
	"github.com/idgate/idgate/verifier/vpstore"
	vppostgres "github.com/idgate/idgate/verifier/vpstore/postgres"
	vpsqlite "github.com/idgate/idgate/verifier/vpstore/sqlite"
)

func init() {
	register("verifier", "verification service (relying parties, gates): verifier serve", runVerifier)
}

type verifierOptions struct {
	statusAllowHTTP bool
	trustFile       string
	audience        string
	statusMaxTTL    time.Duration
	openPerClient   int
	vpPKI           string // directory holding the OpenID4VP request signer; empty: no OpenID4VP
	publicURL       string
	vpStore         string
	vpPrefix        string
}

func runVerifier(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(stderr, "usage: idgate verifier serve [flags]   (idgate verifier serve --help)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := newFlags("verifier serve", "verifier serve [flags]", stderr)
	var o verifierOptions
	var err error
	var rpOpen bool
	o.statusMaxTTL, err = envDuration("IDGATE_STATUS_MAX_TTL", 5*time.Minute)
	if err == nil {
		o.statusAllowHTTP, err = envBool("IDGATE_STATUS_ALLOW_HTTP")
	}
	if err == nil {
		rpOpen, err = envBool("IDGATE_RP_OPEN")
	}
	if err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 2
	}
	fs.StringVar(&o.trustFile, "trust", envOr("IDGATE_TRUST_LIST", "var/pki/trust.json"), "trust list [IDGATE_TRUST_LIST]")
	listen := stringFlag(fs, "listen", "IDGATE_VERIFIER_LISTEN", "127.0.0.1:8082", "listen address")
	fs.StringVar(&o.audience, "audience", envOr("IDGATE_VERIFIER_AUDIENCE", "http://127.0.0.1:8082"), "this verifier's identifier (KB-JWT aud) [IDGATE_VERIFIER_AUDIENCE]")
	fs.Var(positiveDuration{&o.statusMaxTTL}, "status-max-ttl", "upper bound on status list caching [IDGATE_STATUS_MAX_TTL]")
	fs.BoolVar(&o.statusAllowHTTP, "status-allow-http", o.statusAllowHTTP, "fetch plain-http status lists from non-loopback hosts (replayable; development only) [IDGATE_STATUS_ALLOW_HTTP=1]")
	fs.StringVar(&o.vpPKI, "openid4vp-pki", envOr("IDGATE_VERIFIER_PKI", ""), "serve OpenID4VP with the request signer of this PKI directory (idgate certs init) [IDGATE_VERIFIER_PKI]")
	fs.StringVar(&o.publicURL, "public-url", envOr("IDGATE_VERIFIER_PUBLIC_URL", "http://localhost:8082"), "the verifier's public URL for OpenID4VP request_uri/response_uri; its host must be a SAN dNSName of the request signer [IDGATE_VERIFIER_PUBLIC_URL]")
	fs.StringVar(&o.vpStore, "openid4vp-store", envOr("IDGATE_VP_STORE", "memory"), "OpenID4VP transactions: memory, sqlite:PATH, or a postgres:// DSN shared by several instances [IDGATE_VP_STORE]")
	fs.StringVar(&o.vpPrefix, "openid4vp-client-id", envOr("IDGATE_VP_CLIENT_ID", "x509_san_dns"), "OpenID4VP client_id prefix: x509_san_dns (the public URL's host) or x509_hash (the request signer certificate's hash, as HAIP requires) [IDGATE_VP_CLIENT_ID]")
	gatesPKI := stringFlag(fs, "gates", "IDGATE_GATES_PKI", "", "enable the airport gate API with this PKI directory (gate settings: IDGATE_GATE_* variables, docs/configuration.md)")
	fs.BoolVar(&rpOpen, "rp-open", rpOpen, "serve the relying-party API without a bearer token on a non-loopback address [IDGATE_RP_OPEN=1]")
	rl, err := verifierRateFlags(fs)
	if err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 2
	}
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	o.openPerClient = rl.openPerClient
	if err := checkListen("listen", *listen); err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 2
	}
	// Gate settings are read before anything starts, so a malformed one is a usage error too.
	var g gateOptions
	if *gatesPKI != "" {
		if g, err = gateOptionsFromEnv(); err != nil {
			fmt.Fprintln(stderr, "idgate verifier:", err)
			return 2
		}
	}
	var rpToken verifier.TokenHash
	if v := os.Getenv("IDGATE_RP_TOKEN_SHA256"); v != "" {
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != 32 {
			fmt.Fprintln(stderr, "idgate verifier: IDGATE_RP_TOKEN_SHA256 must be 64 hex digits (sha256 of the token)")
			return 2
		}
		rpToken = verifier.TokenHash(b)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Gate decisions are logged per request: batch the lines (logbuf) so that each costs no
	// write system call here and no read in whatever drains stderr. Close flushes at exit.
	logOut := logbuf.New(stderr, 0)
	defer logOut.Close()
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	limit, proxies, err := rl.build(logger)
	if err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 2
	}
	api, core, err := newVerifierAPI(o)
	if err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return exitCode(err)
	}
	if o.vpPKI != "" {
		closeVP, err := addOpenID4VP(ctx, api, core, o)
		if err != nil {
			fmt.Fprintln(stderr, "idgate verifier:", err)
			return exitCode(err)
		}
		defer closeVP()
		logger.Info("OpenID4VP enabled", "client_id", api.VP.ClientID(), "store", strings.SplitN(o.vpStore, ":", 2)[0])
	}
	api.Limit, api.Proxies = limit, proxies
	api.Refusals = verifier.NewRefusalLog(logger, 10*time.Second)
	if rpToken != (verifier.TokenHash{}) {
		api.RPToken = rpToken
	} else {
		// No token: the relying-party API answers anyone who can reach it. That is the
		// development set-up on loopback; anywhere else it has to be asked for.
		if !loopbackListen(*listen) && !rpOpen {
			fmt.Fprintf(stderr, "idgate verifier: --listen %s is not a loopback address and IDGATE_RP_TOKEN_SHA256 is not set: anyone who reaches it could use the relying-party API; set the token (or pass --rp-open)\n", *listen)
			return 1
		}
		api.OpenRP = true
		logger.Warn("relying-party API is open to anyone who can reach it; set IDGATE_RP_TOKEN_SHA256")
	}
	if *gatesPKI != "" { // airport gate API: cmd_gate.go
		var closeGates func()
		if api.GateRoutes, closeGates, err = newGateRoutes(ctx, *gatesPKI, core, o, g, logger); err != nil {
			fmt.Fprintln(stderr, "idgate verifier:", err)
			return exitCode(err)
		}
		defer closeGates() // after Serve below has drained in-flight requests
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 1
	}
	logger.Info("verifier listening", "addr", l.Addr().String(), "audience", o.audience)
	if err := verifier.Serve(ctx, verifier.NewServer(api.Handler), l); err != nil {
		fmt.Fprintln(stderr, "idgate verifier:", err)
		return 1
	}
	return 0
}

// verifierCore is what the relying-party API and the gate share: one trust list and one
// credential verifier, so status lists are fetched and cached once per process.
type verifierCore struct {
	trust       *certs.TrustList
	credentials *credential.Verifier
	status      *statuslist.Checker
}

// newVerifierAPI assembles the relying-party API from a trust list.
func newVerifierAPI(o verifierOptions) (*verifier.API, *verifierCore, error) {
	trust, err := certs.LoadTrustList(o.trustFile)
	if err != nil {
		return nil, nil, badInput(fmt.Errorf("trust list: %w", err))
	}
	checker := statuslist.NewChecker(statuslist.CheckerConfig{
		HTTP:   &http.Client{Timeout: 5 * time.Second},
		Trust:  trust,
		MaxTTL: o.statusMaxTTL, AllowInsecureHTTP: o.statusAllowHTTP,
	})
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: trust, Status: checker})
	if err != nil {
		return nil, nil, err
	}
	rp, err := verifier.NewRP(verifier.RPConfig{
		Credentials: cv, Requests: verifier.NewMemoryRequestsPerClient(100_000, cmp.Or(o.openPerClient, verifier.DefaultOpenPerClient)), Audience: o.audience,
	})
	if err != nil {
		return nil, nil, err
	}
	return &verifier.API{RP: rp}, &verifierCore{trust: trust, credentials: cv, status: checker}, nil
}

// loopbackListen reports whether a listen address only accepts connections from this machine:
// a loopback IP or "localhost" with a port. An empty host (all interfaces) is not.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// addOpenID4VP serves OpenID4VP on api: the request signer from the PKI directory, transactions
// in the configured store.
func addOpenID4VP(ctx context.Context, api *verifier.API, core *verifierCore, o verifierOptions) (func(), error) {
	signer, err := certs.LoadSigner(o.vpPKI, certs.FileVerifierRP)
	if err != nil {
		return nil, badInput(fmt.Errorf("OpenID4VP request signer: %w", err))
	}
	if err := certs.ProfileRequestSigner.Check(signer.Chain()[0]); err != nil {
		return nil, badInput(fmt.Errorf("OpenID4VP request signer: %w", err))
	}
	var store vpstore.Store
	switch {
	case o.vpStore == "memory":
		store = vpstore.NewMemory(nil)
	case strings.HasPrefix(o.vpStore, "sqlite:"):
		if store, err = vpsqlite.Open(strings.TrimPrefix(o.vpStore, "sqlite:"), nil); err != nil {
			return nil, err
		}
	case strings.HasPrefix(o.vpStore, "postgres://") || strings.HasPrefix(o.vpStore, "postgresql://"):
		if store, err = vppostgres.Open(ctx, o.vpStore, nil); err != nil {
			return nil, err
		}
	default:
		return nil, badInput(fmt.Errorf("--openid4vp-store must be memory, sqlite:PATH or a postgres:// DSN"))
	}
	api.VP, err = verifier.NewVP(verifier.VPConfig{
		Credentials: core.credentials, Store: store, Signer: signer, BaseURL: o.publicURL, ClientIDPrefix: o.vpPrefix,
		MDoc:      &verifier.MDocConfig{Trust: core.trust, Status: core.status}, // IACA roots per doctype from the trust list
		PerClient: cmp.Or(o.openPerClient, verifier.DefaultOpenPerClient),
	})
	if err != nil {
		store.Close()
		return nil, badInput(err)
	}
	// Expired transactions are swept every minute while the verifier runs.
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				_, _ = store.DeleteExpired(ctx, now.Add(-time.Minute))
			}
		}
	}()
	return func() { store.Close() }, nil
}
