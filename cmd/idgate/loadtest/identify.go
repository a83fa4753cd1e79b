package loadtest

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"
)

// runIdentify enrols cfg.IdentifyGallery passengers at check-in through the enrol-batch route
// (enrolAll), loads the gallery with one stranger's face (timed separately: the first identify
// opens every sealed template), then drives /identify with the enrolled passengers' live
// templates.
func runIdentify(ctx context.Context, cfg Config, a *api, w *world, serverCPU cpuMeter) (*Report, error) {
	n := cfg.IdentifyGallery
	fmt.Fprintf(cfg.Progress, "enrolling %d passengers through POST %s/enrol-batch (%d a request)...\n", n, w.flight.path(), enrolBatchSize)
	t0 := time.Now()
	bodies, err := enrolAll(cfg, a, w, n)
	if err != nil {
		return nil, err
	}
	enrol := time.Since(t0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// A stranger (a template from another random stream) loads the gallery and must not board.
	stranger, err := unitTemplate(mrand.New(mrand.NewPCG(^w.seed, 0)))
	if err != nil {
		return nil, err
	}
	s, err := stranger.EncodeString()
	if err != nil {
		return nil, errf(CodeGenerate, err, "stranger template")
	}
	sb, err := identifyBody(s)
	if err != nil {
		return nil, errf(CodeGenerate, err, "stranger body")
	}
	url := a.base + "/v1/gates/" + cfg.Gate + "/identify"
	addr := strings.TrimPrefix(a.base, "http://")
	// Loading opens every sealed template (one ECDH each): minutes for a large gallery.
	first := (&load{addr: addr, url: url, token: cfg.TerminalToken, bodies: [][]byte{sb}, connections: 1, duration: time.Minute, timeout: 10 * time.Minute}).run()
	if first.errors != 1 || first.codes["403:no_match"] != 1 {
		return nil, errf(CodeSetup, nil, "stranger identify: want one 403 no_match, got %v", first.codes)
	}
	fmt.Fprintf(cfg.Progress, "driving identify over a gallery of %d for up to %v...\n", n, cfg.Duration)
	out, err := timed(cfg, addr, url, &fixedBodies{bodies}, 0, serverCPU, allow)
	if err != nil {
		return nil, err
	}
	rep := report(cfg, "identify", out, n)
	rep.Gallery, rep.EnrolS, rep.GalleryMS = n, enrol.Seconds(), ms(first.lat[0])
	return rep, nil
}
