package main

import (
	"fmt"
	"image"
	"os"
	"strconv"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/biometric/liveness"
	"github.com/idgate/idgate/gate"
)

// liveFaces adapts the dlib extractor and the liveness checker to gate.FaceExtractor: the
// largest face in the capture, and the liveness check on that face's box in the same
// decoded, upright image.
type liveFaces struct {
	ex   *face.Extractor
	live *liveness.Checker
}

func newLiveFaces(ex *face.Extractor, threshold float64) (liveFaces, error) {
	c, err := liveness.New(liveness.Config{Threshold: threshold})
	if err != nil {
		return liveFaces{}, fmt.Errorf("gate: liveness: %w", err)
	}
	return liveFaces{ex: ex, live: c}, nil
}

func (l liveFaces) LiveCapture(jpeg []byte) (gate.LiveCapture, error) {
	// Liveness runs on the chosen face while its descriptor is computed.
	var r liveness.Result
	var lerr error
	res, err := l.ex.TemplateAnd(jpeg, face.Gate, func(img image.Image, box image.Rectangle) {
		r, lerr = l.live.Check(img, box)
	})
	if err != nil {
		return gate.LiveCapture{}, err
	}
	if lerr != nil {
		return gate.LiveCapture{}, lerr
	}
	return gate.LiveCapture{Template: res.Template, Liveness: &gate.Liveness{
		Live: r.Live, Score: r.Score, Threshold: l.live.Threshold(), Model: string(l.live.ModelID())}}, nil
}

// livenessFromEnv reads IDGATE_GATE_LIVENESS_THRESHOLD, IDGATE_GATE_REQUIRE_LIVENESS and
// IDGATE_GATE_LIVENESS_TRUSTED; a malformed value is an error (the verifier exits 2).
func (g *gateOptions) livenessFromEnv() error {
	if v := os.Getenv("IDGATE_GATE_LIVENESS_THRESHOLD"); v != "" {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || !liveness.ValidThreshold(t) {
			return fmt.Errorf("gate: IDGATE_GATE_LIVENESS_THRESHOLD %q is not a number in (0, 1]", v)
		}
		g.livenessThr = t
	}
	if v := os.Getenv("IDGATE_GATE_REQUIRE_LIVENESS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("gate: IDGATE_GATE_REQUIRE_LIVENESS %q is not a boolean", v)
		}
		g.liveness.RequireForTemplates = b
	}
	ids, err := gate.ParseGateList(os.Getenv("IDGATE_GATE_LIVENESS_TRUSTED"))
	if err != nil {
		return fmt.Errorf("IDGATE_GATE_LIVENESS_TRUSTED: %w", err)
	}
	g.liveness.TrustedGates = ids
	return nil
}
