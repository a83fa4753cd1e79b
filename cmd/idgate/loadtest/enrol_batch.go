package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/gate"
)

// enrolBatchSize is how many check-ins one POST .../enrol-batch carries. A body of 500 is
// about 2.3 MB here (an item is ~4.5 KB: presentation with x5c chain and sealed template,
// and pass), under the verifier's 3 MiB; a body over it is split in halves, never dropped.
const enrolBatchSize = 500

// decisionBytes bounds one decision in an enrol-batch answer (they are about 300 bytes).
const decisionBytes = 1 << 10

// batchEnroller posts check-ins to enrol-batch on its own client: the setup client's
// response bound (64 KiB) is for single decisions.
type batchEnroller struct {
	hc    *fasthttp.HostClient
	url   string
	token string
}

func newBatchEnroller(a *api, f flight, conns int) *batchEnroller {
	hc := newHostClient(strings.TrimPrefix(a.base, "http://"), conns)
	hc.MaxResponseBodySize = enrolBatchSize*decisionBytes + 64
	return &batchEnroller{hc: hc, url: a.base + f.path() + "/enrol-batch", token: a.checkinToken}
}

// enrolBatchBody mirrors gate.EnrolBatchRequest.
type enrolBatchBody struct {
	Items []enrolBody `json:"items"`
}

// enrol posts items (split in halves while a body is over the server's limit) and requires
// an allow for every one.
func (b *batchEnroller) enrol(items []enrolBody) error {
	body, err := json.Marshal(enrolBatchBody{Items: items})
	if err != nil {
		return errf(CodeGenerate, err, "enrol-batch body")
	}
	if len(body) > gate.MaxBodyBytes || len(items) > gate.MaxEnrolBatch {
		if len(items) == 1 {
			return errf(CodeGenerate, nil, "one enrolment is %d bytes, over the body limit", len(body))
		}
		h := len(items) / 2
		if err := b.enrol(items[:h]); err != nil {
			return err
		}
		return b.enrol(items[h:])
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(http.MethodPost)
	req.SetRequestURI(b.url)
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.SetContentType("application/json")
	req.SetBody(body)
	if err := b.hc.Do(req, resp); err != nil {
		return errf(CodeSetup, err, "POST enrol-batch")
	}
	if resp.StatusCode() == http.StatusNotFound && strings.Contains(string(resp.Body()), `"not_found"`) {
		return errNoBatchRoute
	}
	if resp.StatusCode() != http.StatusOK {
		return errf(CodeSetup, nil, "POST enrol-batch: HTTP %d: %.300s", resp.StatusCode(), resp.Body())
	}
	var out struct {
		Decisions []struct {
			Decision string   `json:"decision"`
			Reasons  []string `json:"reasons"`
		} `json:"decisions"`
	}
	if err := json.Unmarshal(resp.Body(), &out); err != nil {
		return errf(CodeProtocol, err, "POST enrol-batch: response")
	}
	if len(out.Decisions) != len(items) {
		return errf(CodeProtocol, nil, "POST enrol-batch: %d decisions for %d items", len(out.Decisions), len(items))
	}
	for i, d := range out.Decisions {
		if d.Decision != "allow" {
			return errf(CodeSetup, nil, "POST enrol-batch: item %d: %s %v", i, d.Decision, d.Reasons)
		}
	}
	return nil
}

// errNoBatchRoute: the verifier (--target, an older build) has no enrol-batch route.
var errNoBatchRoute = errors.New("no enrol-batch route")

// enrolAll generates passengers [0, n), enrols them in batches of enrolBatchSize and returns
// each one's identify body. Two batches are in flight at once, so the generator builds one
// (a check-in nonce and a KB-JWT per passenger) while the verifier checks the other.
func enrolAll(cfg Config, a *api, w *world, n int) ([][]byte, error) {
	const inFlight = 2
	be := newBatchEnroller(a, w.flight, inFlight)
	bodies := make([][]byte, n)
	batches := (n + enrolBatchSize - 1) / enrolBatchSize
	t0 := time.Now()
	var single atomic.Bool
	err := parallel(batches, inFlight, func(bi int) error {
		lo, hi := bi*enrolBatchSize, min(n, (bi+1)*enrolBatchSize)
		items := make([]enrolBody, hi-lo)
		if err := parallel(hi-lo, runtime.GOMAXPROCS(0), func(j int) error {
			p, err := w.passenger(lo + j)
			if err != nil {
				return err
			}
			nc, err := a.checkinNonce(w.flight)
			if err != nil {
				return err
			}
			pres, err := p.present(nc, cfg.Now())
			if err != nil {
				return err
			}
			items[j] = enrolBody{Presentation: pres, BCBP: p.bcbp}
			bodies[lo+j], err = identifyBody(p.live)
			return err
		}); err != nil {
			return err
		}
		if single.Load() {
			return enrolSingly(a, w.flight, items)
		}
		if err := be.enrol(items); errors.Is(err, errNoBatchRoute) {
			fmt.Fprintf(cfg.Progress, "  the verifier has no enrol-batch route: one POST %s/enrol per passenger\n", w.flight.path())
			single.Store(true)
			return enrolSingly(a, w.flight, items)
		} else if err != nil {
			return err
		}
		if done := hi / 10000; done > 0 && hi%10000 < enrolBatchSize && hi != n {
			fmt.Fprintf(cfg.Progress, "  ~%d enrolled (%.0f/s)\n", hi, float64(hi)/time.Since(t0).Seconds())
		}
		return nil
	})
	return bodies, err
}

// enrolSingly enrols items one request each (a verifier without enrol-batch).
func enrolSingly(a *api, f flight, items []enrolBody) error {
	return parallel(len(items), 2*runtime.GOMAXPROCS(0), func(i int) error { return a.enrol(f, items[i]) })
}
