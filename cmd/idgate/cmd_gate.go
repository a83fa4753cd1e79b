package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/sqlitestore"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
)

// The airport gate API inside `idgate verifier serve --gates PKI_DIR` (issue 4). Configuration
// beyond the PKI directory comes from the environment:
//
//	IDGATE_GATE_DB                      SQLite file for gates, boardings, galleries (default var/gate.db)
//	IDGATE_GATE_OPERATOR_TOKEN_SHA256   hex SHA-256 of the operator bearer token (unset: operator API off)
//	IDGATE_GATE_CHECKIN_TOKEN_SHA256    hex SHA-256 of the airline check-in token (unset: enrolment off)
//	IDGATE_GATE_RETENTION               gallery retention after departure (default 6h)
//	IDGATE_GATE_THRESHOLD               face match threshold (default biometric.DefaultOperatingPoint)
//
// Live JPEGs need the cgo face extractor, which this binary does not wire in: gates send
// live_template, and live_jpeg is denied with face_extractor_unavailable.

// newGateRoutes builds the gate service over the PKI in pkiDir (trust list with airline
// certificates, gate reader key) and returns the routes for verifier.API.Extra. The retention
// purge runs until ctx ends.
func newGateRoutes(ctx context.Context, pkiDir string, o verifierOptions, logger *slog.Logger) (func(*fasthttp.RequestCtx) bool, error) {
	trust, err := certs.LoadTrustList(filepath.Join(pkiDir, certs.FileTrust))
	if err != nil {
		return nil, fmt.Errorf("gate: trust list: %w", err)
	}
	reader, _, err := certs.LoadGateReader(pkiDir)
	if err != nil {
		return nil, fmt.Errorf("gate: %w", err)
	}
	checker := statuslist.NewChecker(statuslist.CheckerConfig{
		HTTP: &http.Client{Timeout: 5 * time.Second}, Trust: trust, MaxTTL: o.statusMaxTTL,
	})
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: trust, Status: checker})
	if err != nil {
		return nil, err
	}
	dbPath := envOr("IDGATE_GATE_DB", "var/gate.db")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("gate: %w", err)
	}
	store, err := sqlitestore.Open(dbPath)
	if err != nil {
		return nil, err
	}
	cfg := gate.Config{
		Credentials: cv, Passes: trust, ReaderKey: reader, Store: store, Audience: o.audience,
		Retention: envDuration("IDGATE_GATE_RETENTION", 6*time.Hour), Logger: logger,
	}
	if v := os.Getenv("IDGATE_GATE_THRESHOLD"); v != "" {
		var thr float32
		if _, err := fmt.Sscan(v, &thr); err != nil {
			return nil, fmt.Errorf("gate: IDGATE_GATE_THRESHOLD: %w", err)
		}
		cfg.OperatingPoint.Threshold, cfg.OperatingPoint.Source = thr, "IDGATE_GATE_THRESHOLD"
	}
	svc, err := gate.New(cfg)
	if err != nil {
		return nil, err
	}
	api := &verifier.GateAPI{Gates: svc}
	for env, dst := range map[string]*gate.TokenHash{
		"IDGATE_GATE_OPERATOR_TOKEN_SHA256": &api.OperatorToken,
		"IDGATE_GATE_CHECKIN_TOKEN_SHA256":  &api.CheckinToken,
	} {
		v := os.Getenv(env)
		if v == "" {
			logger.Warn("gate: token not configured; its routes answer 401", "env", env)
			continue
		}
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != len(dst) {
			return nil, fmt.Errorf("gate: %s must be 64 hex digits (sha256 of the token)", env)
		}
		copy(dst[:], b)
	}
	go svc.RunPurge(ctx, 5*time.Minute)
	logger.Info("gate API enabled", "db", dbPath, "retention", cfg.Retention.String())
	return api.Routes, nil
}
