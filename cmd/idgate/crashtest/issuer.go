package crashtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// IssuerConfig is one issuer crash run.
type IssuerConfig struct {
	// Command is `idgate issuer serve` without the flags the run adds (--pki, --db, --listen,
	// --public-url, --operator-token-file, --models, --rate-per-ip).
	Command []string
	// DB is a postgres:// URL, or empty for an SQLite file in Dir.
	DB string
	// Dir holds the PKI, the token file, the SQLite file and the wallets; it must exist.
	Dir         string
	Wallets     int // wallets collecting a credential each; default 120
	Concurrency int // wallets in flight at once; default 16
	Kills       int // SIGKILLs during the burst, at evenly spaced fractions of it; default 3
	Progress    io.Writer
}

// IssuerReport is what a run saw; Violations lists every broken guarantee (none is a pass).
type IssuerReport struct {
	Backend     string         `json:"backend"`
	Kills       int            `json:"kills"`
	Wallets     int            `json:"wallets"`
	Received    int            `json:"received"`    // wallets holding their credential at the end
	Retried     int            `json:"retried"`     // wallets that saw a transport error and repeated a request
	Repeats     map[string]int `json:"repeats"`     // repeated answers the issuer logged, by action
	Unconfirmed int            `json:"unconfirmed"` // received, but the kill fell between the answer and its delivery mark
	// PasskeysAnswered holders' passkey registrations were answered registered; Passkeys
	// are stored (more when a kill cut an answer off after the commit).
	PasskeysAnswered int      `json:"passkeys_answered"`
	PasskeysRetried  int      `json:"passkeys_retried"` // registrations begun again after a kill
	Passkeys         int      `json:"passkeys"`
	Credentials      int      `json:"credentials"` // stored
	AuditEvents      int      `json:"audit_events"`
	ReplaysRefused   int      `json:"replays_refused"` // codes redeemed again by another wallet, all refused
	Violations       []string `json:"violations"`      // the first 50 of ViolationCount
	ViolationCount   int      `json:"violation_count"`
	Seconds          float64  `json:"seconds"`
}

func (c *IssuerConfig) defaults() error {
	if len(c.Command) == 0 || c.Dir == "" {
		return fmt.Errorf("crashtest: Command and Dir are required")
	}
	if c.Wallets <= 0 {
		c.Wallets = 120
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.Kills <= 0 {
		c.Kills = 3
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return nil
}

// walletRun is one wallet's outcome.
type walletRun struct {
	holderID, offerID string
	offerURI          string
	err               error
	received          string // the SD-JWT VC of the last credential answer it read
	transportErrors   int
	passkey           *passkeyRun
}

// Issuer runs the issuer crash test (see the package doc).
func Issuer(ctx context.Context, cfg IssuerConfig) (*IssuerReport, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	began := time.Now()
	rep := &IssuerReport{Backend: "sqlite", Wallets: cfg.Wallets, Repeats: map[string]int{}}
	if cfg.DB != "" {
		rep.Backend = "postgres"
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	// A host name, not an IP: browsers (and so the issuer) accept only domain passkey RP IDs.
	base := "http://localhost:" + strconv.Itoa(port)
	pkiDir := filepath.Join(cfg.Dir, "pki")
	if _, _, err := certs.Init(pkiDir, certs.Options{IssuerURL: base, EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence}); err != nil {
		return nil, fmt.Errorf("crashtest: PKI: %w", err)
	}
	opToken := randomHex(32)
	tokenFile := filepath.Join(cfg.Dir, "operator.token")
	if err := os.WriteFile(tokenFile, []byte(opToken+"\n"), 0o600); err != nil {
		return nil, err
	}
	db := cfg.DB
	if db == "" {
		db = filepath.Join(cfg.Dir, "issuer.db")
	}
	argv := append(append([]string(nil), cfg.Command...),
		"--pki", pkiDir, "--db", db, "--listen", "127.0.0.1:"+strconv.Itoa(port), "--public-url", base,
		"--operator-token-file", tokenFile, "--models", filepath.Join(cfg.Dir, "no-models"), "--rate-per-ip", "0")
	health := base + "/healthz"
	srv := &server{}
	if err := srv.restart(ctx, argv, health); err != nil {
		return nil, err
	}
	defer srv.killIfRunning()

	fmt.Fprintf(cfg.Progress, "issuer crash (%s): enrolling %d holders with one offer each...\n", rep.Backend, cfg.Wallets)
	op := operatorClient{base: base, token: opToken, http: &http.Client{Timeout: 30 * time.Second}}
	runs := make([]*walletRun, cfg.Wallets)
	for i := range runs {
		holderID, offerID, offerURI, err := op.enrolAndOffer(ctx, i)
		if err != nil {
			return nil, err
		}
		invite, err := op.invite(ctx, holderID)
		if err != nil {
			return nil, err
		}
		runs[i] = &walletRun{holderID: holderID, offerID: offerID, offerURI: offerURI, passkey: &passkeyRun{invite: invite}}
	}

	fmt.Fprintf(cfg.Progress, "issuer crash (%s): %d wallets collecting, %d in flight, SIGKILL at %d points...\n", rep.Backend, cfg.Wallets, cfg.Concurrency, cfg.Kills)
	var done atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.Concurrency)
	srv.killDone = make(chan struct{})
	go srv.killAt(ctx, cfg, &done, argv, health)
	for i, r := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done.Add(1); wg.Done() }()
			r.collect(ctx, filepath.Join(cfg.Dir, "wallets", strconv.Itoa(i)))
			r.passkey.register(ctx, base)
		}()
	}
	wg.Wait()
	if err := srv.wait(); err != nil {
		return nil, err
	}
	rep.Kills = srv.kills

	fmt.Fprintf(cfg.Progress, "issuer crash (%s): %d kills; redeeming every code again with other wallets...\n", rep.Backend, rep.Kills)
	for i, r := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			w, err := walletsdk.New(walletsdk.Config{Dir: filepath.Join(cfg.Dir, "replay", strconv.Itoa(i)), StoreKey: randomKey(), Retries: -1})
			if err != nil {
				r.err = err
				return
			}
			if _, err := w.AcceptOffer(ctx, r.offerURI, ""); err == nil {
				srv.violation("offer of holder %s redeemed twice: a second wallet got a credential", r.holderID)
			} else {
				srv.replaysRefused.Add(1)
			}
		}()
	}
	wg.Wait()
	rep.ReplaysRefused = int(srv.replaysRefused.Load())
	if err := srv.proc.stop(15 * time.Second); err != nil {
		srv.violation("graceful stop: %v", err)
	}
	srv.proc = nil

	store, err := openIssuerStore(ctx, cfg.DB, db)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	check := checker{ctx: ctx, s: store, rep: rep}
	check.wallets(runs)
	check.ledger()
	check.audit(runs)
	pk, err := openPasskeys(ctx, store)
	if err != nil {
		return nil, err
	}
	check.passkeys(pk, runs)
	rep.Violations = append(srv.violations, check.violations...)
	rep.ViolationCount += srv.count
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

func openIssuerStore(ctx context.Context, dsn, path string) (storage.Storage, error) {
	if dsn != "" {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(path)
}

// collect runs one wallet through the offer, recording what it read and what failed.
func (r *walletRun) collect(ctx context.Context, dir string) {
	rec := &recorder{next: http.DefaultTransport}
	w, err := walletsdk.New(walletsdk.Config{
		Dir: dir, StoreKey: randomKey(),
		HTTP:    &http.Client{Transport: rec, Timeout: 20 * time.Second},
		Retries: 150, RetryDelay: 100 * time.Millisecond, // 15 s: longer than a restart
	})
	if err != nil {
		r.err = err
		return
	}
	creds, err := w.AcceptOffer(ctx, r.offerURI, "")
	r.received, r.transportErrors = rec.lastCredential(), rec.errors()
	switch {
	case err != nil:
		r.err = err
	case len(creds) != 1:
		r.err = fmt.Errorf("%d credentials", len(creds))
	}
}

// recorder is a wallet's transport: it keeps the last credential answer read in full and
// counts transport errors.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	last string
	errs int
}

func (rc *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rc.next.RoundTrip(req)
	if err != nil {
		rc.mu.Lock()
		rc.errs++
		rc.mu.Unlock()
		return nil, err
	}
	if req.URL.Path != "/credential" || resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		rc.mu.Lock()
		rc.errs++
		rc.mu.Unlock()
		return nil, err
	}
	var cr struct {
		Credentials []struct {
			Credential string `json:"credential"`
		} `json:"credentials"`
	}
	if json.Unmarshal(body, &cr) == nil && len(cr.Credentials) == 1 {
		rc.mu.Lock()
		rc.last = cr.Credentials[0].Credential
		rc.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (rc *recorder) lastCredential() string { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.last }
func (rc *recorder) errors() int            { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.errs }

// server is the issuer process across its restarts.
type server struct {
	mu             sync.Mutex
	proc           *process
	kills          int
	killErr        error
	killDone       chan struct{}
	violations     []string
	replaysRefused atomic.Int64
	count          int
}

func (s *server) restart(ctx context.Context, argv []string, health string) error {
	p, err := start(ctx, argv, nil, health)
	if err != nil {
		return fmt.Errorf("crashtest: issuer: %w", err)
	}
	s.proc = p
	return nil
}

// killAt kills the issuer each time another 1/(Kills+1) of the wallets finished, and starts it
// again on the same database.
func (s *server) killAt(ctx context.Context, cfg IssuerConfig, done *atomic.Int64, argv []string, health string) {
	defer close(s.killDone)
	for k := 1; k <= cfg.Kills; k++ {
		at := int64(cfg.Wallets * k / (cfg.Kills + 1))
		for done.Load() < at {
			if ctx.Err() != nil {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		s.proc.kill()
		s.kills++
		time.Sleep(150 * time.Millisecond) // wallets meet a closed port meanwhile
		if err := s.restart(ctx, argv, health); err != nil {
			s.killErr = err
			return
		}
	}
}

// wait waits for the kill schedule to finish and reports a failed restart.
func (s *server) wait() error {
	<-s.killDone
	return s.killErr
}

func (s *server) killIfRunning() {
	if s.proc != nil {
		s.proc.kill()
	}
}

func (s *server) violation(format string, args ...any) {
	s.mu.Lock()
	s.count++
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// operatorClient is the issuer's operator API.
type operatorClient struct {
	base, token string
	http        *http.Client
}

func (o operatorClient) post(ctx context.Context, path string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("crashtest: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("crashtest: POST %s: HTTP %d %v %v", path, resp.StatusCode, out, err)
	}
	return out, nil
}

// enrolAndOffer enrols holder i (an employee ID) and creates its offer.
func (o operatorClient) enrolAndOffer(ctx context.Context, i int) (holderID, offerID, offerURI string, err error) {
	h, err := o.post(ctx, "/v1/holders", map[string]any{
		"credential_types": []string{"employee-id"},
		"attributes": map[string]any{
			"family_name": "Crash", "given_name": fmt.Sprintf("Holder%d", i), "birth_date": "1980-01-01",
			"employee_number": fmt.Sprintf("E-%06d", i), "organisation": "Ministry of Transport",
		},
	})
	if err != nil {
		return "", "", "", err
	}
	holderID, _ = h["id"].(string)
	of, err := o.post(ctx, "/v1/offers", map[string]any{"holder_id": holderID, "credential_type": "employee-id"})
	if err != nil {
		return "", "", "", err
	}
	offerID, _ = of["offer_id"].(string)
	offerURI, _ = of["offer_uri"].(string)
	if holderID == "" || offerID == "" || offerURI == "" {
		return "", "", "", fmt.Errorf("crashtest: enrolment answered no id, offer_id or offer_uri")
	}
	return holderID, offerID, offerURI, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}
