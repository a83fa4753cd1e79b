package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/pgstore"
	"github.com/idgate/idgate/gate/sqlitestore"
	"github.com/idgate/idgate/internal/cmalloc"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/verifier"
)

// The airport gate API inside `idgate verifier serve --gates PKI_DIR`. Configuration
// beyond the PKI directory comes from the environment:
//
//	IDGATE_GATE_DB                      SQLite file for gates, boardings, galleries (default var/gate.db),
//	                                    or a postgres:// or postgresql:// URL: the PostgreSQL store
//	                                    (gate/pgstore) that several verifier instances can share. Logs
//	                                    show only user@host:port/database; prefer PGPASSWORD or
//	                                    ~/.pgpass to a password in the URL (it is visible in the
//	                                    process environment)
//	IDGATE_GATE_SQLITE_SYNC             full (default): an acknowledged boarding survives a power cut;
//	                                    normal: only a killed process (the last boardings can roll back
//	                                    after a power cut and board again)
//	IDGATE_GATE_OPERATOR_TOKEN_SHA256   hex SHA-256 of the operator bearer token (unset: operator API off)
//	IDGATE_GATE_CHECKIN_TOKEN_SHA256    hex SHA-256 of the airline check-in token (unset: enrolment off)
//	IDGATE_GATE_TERMINAL_TOKEN_SHA256   hex SHA-256 of the gate terminals' token (unset: nonce/verify/identify off)
//	IDGATE_GATE_RETENTION               gallery retention after departure (default 6h)
//	IDGATE_GATE_THRESHOLD               face match threshold (default biometric.DefaultOperatingPoint)
//	IDGATE_GATE_PASS_PARTNERS           code-share/interline pass partners, "YY=XX+ZZ,AB=CD": passes for
//	                                    YY's flights may be signed by XX or ZZ when the pass names that
//	                                    airline as its issuer (gate.ParsePartners; bad syntax fails at
//	                                    start; unset: only the operating carrier signs)
//
//	IDGATE_GATE_LIVENESS_THRESHOLD      passive-liveness operating threshold in (0,1] on the mean live
//	                                    probability (default liveness.DefaultThreshold, 0.915)
//	IDGATE_GATE_REQUIRE_LIVENESS        1/true: deny a live_template (computed by the terminal, so its
//	                                    capture was never checked here) liveness_unverified unless its
//	                                    gate is listed in IDGATE_GATE_LIVENESS_TRUSTED (default off)
//	IDGATE_GATE_LIVENESS_TRUSTED        gate ids whose terminals run their own liveness check, "A1,B7"
//
//	IDGATE_MODELS                       face models (`make models`); when present, gates may send
//	                                    live_jpeg and the verifier extracts the template (largest face)
//	                                    and checks the same face for a presentation attack
//
// Without the models, gates send live_template and live_jpeg is denied with
// face_extractor_unavailable.

// gateOptions configures the gate API; gateOptionsFromEnv reads them for `verifier serve`.
type gateOptions struct {
	dbPath        string
	modelsDir     string
	retention     time.Duration
	threshold     float32 // 0: biometric.DefaultOperatingPoint
	operatorToken verifier.TokenHash
	checkinToken  verifier.TokenHash
	terminalToken verifier.TokenHash
	passPartners  map[string][]string // gate.Config.PassPartners
	liveness      gate.LivenessPolicy
	livenessThr   float64      // 0: liveness.DefaultThreshold
	face          *face.Config // capture settings from the environment; nil: faceConfig's defaults
}

func gateOptionsFromEnv() (gateOptions, error) {
	g := gateOptions{
		dbPath:    envOr("IDGATE_GATE_DB", "var/gate.db"),
		modelsDir: envOr("IDGATE_MODELS", "var/models"),
	}
	var err error
	if g.retention, err = envDuration("IDGATE_GATE_RETENTION", 6*time.Hour); err != nil {
		return g, fmt.Errorf("gate: %w", err)
	}
	if v := os.Getenv("IDGATE_GATE_THRESHOLD"); v != "" {
		t, err := gate.ParseThreshold(v) // rejects Inf and NaN, which fmt.Sscan accepts
		if err != nil {
			return g, fmt.Errorf("gate: IDGATE_GATE_THRESHOLD %q is not a finite positive number", v)
		}
		g.threshold = t
	}
	partners, err := gate.ParsePartners(os.Getenv("IDGATE_GATE_PASS_PARTNERS"))
	if err != nil {
		return g, fmt.Errorf("IDGATE_GATE_PASS_PARTNERS: %w", err)
	}
	g.passPartners = partners
	if err := g.livenessFromEnv(); err != nil {
		return g, err
	}
	fc, err := faceCaptureFromEnv(g.modelsDir)
	if err != nil {
		return g, err
	}
	g.face = &fc
	for env, dst := range map[string]*verifier.TokenHash{
		"IDGATE_GATE_OPERATOR_TOKEN_SHA256": &g.operatorToken,
		"IDGATE_GATE_CHECKIN_TOKEN_SHA256":  &g.checkinToken,
		"IDGATE_GATE_TERMINAL_TOKEN_SHA256": &g.terminalToken,
	} {
		v := os.Getenv(env)
		if v == "" {
			continue // zero hash: that route answers 401
		}
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != len(dst) {
			return g, fmt.Errorf("gate: %s must be 64 hex digits (sha256 of the token)", env)
		}
		copy(dst[:], b)
	}
	return g, nil
}

// newGateRoutes builds the gate service over the verifier's trust list and credential
// verifier (core) and the gate reader key in pkiDir, and returns the routes for
// verifier.API.GateRoutes and a closer to call once the server has drained. The retention purge runs
// until ctx ends.
func newGateRoutes(ctx context.Context, pkiDir string, core *verifierCore, o verifierOptions, g gateOptions, logger *slog.Logger) (func(*fasthttp.RequestCtx) bool, func(), error) {
	reader, _, err := certs.LoadGateReader(pkiDir)
	if err != nil {
		return nil, nil, badInput(fmt.Errorf("gate: --gates: %w", err))
	}
	store, closeStore, dbName, err := openGateStore(ctx, g.dbPath)
	if err != nil {
		return nil, nil, err
	}
	closers := []func(){closeStore}
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	cfg := gate.Config{
		// The trust list's IACA roots (PurposeMdoc, per doctype) admit the mDL mdoc as an ID.
		Credentials: core.credentials, Mdoc: &mdoc.Verifier{Trust: core.trust},
		Passes: core.trust, ReaderKey: reader, Store: store, Audience: o.audience,
		Retention: g.retention, Logger: logger,
	}
	// A PostgreSQL store is shared by instances behind one address: their nonces must be too,
	// or a terminal's nonce from one instance is unknown at the next.
	// Their galleries too: each reads the others' enrolments at most 2 s late.
	cfg.SharedNonces = pgstore.IsURL(g.dbPath)
	if cfg.SharedNonces {
		cfg.GallerySync = 2 * time.Second
	}
	cfg.PassPartners = g.passPartners
	if len(cfg.PassPartners) > 0 {
		logger.Info("gate: boarding-pass partners", "partners", gate.FormatPartners(cfg.PassPartners))
	}
	if g.threshold > 0 {
		cfg.OperatingPoint.Threshold, cfg.OperatingPoint.Source = g.threshold, "IDGATE_GATE_THRESHOLD"
	}
	// The extractor's limits, capture checks and detection size: faceConfig.
	cfg.Liveness = g.liveness
	// The C heap keeps each capture's decode buffers for the next one instead of faulting
	// fresh pages in for every capture.
	if !cmalloc.Retain(128 << 20) {
		logger.Warn("gate: the C library ignored the heap settings; live JPEGs decode more slowly")
	}
	if ex, err := face.New(g.faceConfig()); err != nil {
		logger.Warn("gate: live JPEG extraction disabled", "reason", err.Error())
	} else {
		closers = append(closers, ex.Close)
		lf, err := newLiveFaces(ex, g.livenessThr)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		cfg.Face = lf
		logger.Info("gate: live JPEGs checked for presentation attacks", "liveness_model", string(lf.live.ModelID()),
			"liveness_threshold", lf.live.Threshold())
	}
	if g.liveness.RequireForTemplates {
		logger.Info("gate: live_template needs a terminal trusted for liveness", "trusted_gates", g.liveness.TrustedGates)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	api := &verifier.GateAPI{Gates: svc, OperatorToken: g.operatorToken, CheckinToken: g.checkinToken, TerminalToken: g.terminalToken}
	if api.OperatorToken == (verifier.TokenHash{}) || api.CheckinToken == (verifier.TokenHash{}) || api.TerminalToken == (verifier.TokenHash{}) {
		logger.Warn("gate: operator, check-in or terminal token not configured; those routes answer 401")
	}
	go svc.RunPurge(ctx, 5*time.Minute)
	logger.Info("gate API enabled", "db", dbName, "retention", cfg.Retention.String())
	return api.Routes, closeAll, nil
}

// openGateStore opens the PostgreSQL store when db is a postgres:// or postgresql:// URL, else
// the SQLite file at db. dbName is what may be logged: a URL without its password.
func openGateStore(ctx context.Context, db string) (store gate.Store, closeStore func(), dbName string, err error) {
	if pgstore.LooksLikeDSN(db) {
		return nil, nil, "", badInput(fmt.Errorf("gate: IDGATE_GATE_DB looks like a database address but is not a postgres:// (postgresql://) URL; give PostgreSQL as such a URL, or a file path without '//', '@', '=', spaces or a scheme-like 'x:' prefix"))
	}
	if pgstore.IsURL(db) {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s, err := pgstore.Open(octx, pgstore.Config{DSN: db})
		if err != nil {
			return nil, nil, "", fmt.Errorf("gate: %w", err) // pgstore errors never carry the password
		}
		return s, s.Close, pgstore.Redact(db), nil
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return nil, nil, "", fmt.Errorf("gate: %w", err)
	}
	var o sqlitestore.Options
	switch v := os.Getenv("IDGATE_GATE_SQLITE_SYNC"); v {
	case "", "full":
	case "normal":
		o.Durability = sqlitestore.SurvivesProcessCrash
	default:
		return nil, nil, "", badInput(fmt.Errorf("gate: IDGATE_GATE_SQLITE_SYNC=%q: want full or normal", v))
	}
	s, err := sqlitestore.OpenWith(db, o)
	if err != nil {
		return nil, nil, "", err
	}
	return s, func() { s.Close() }, db, nil
}
