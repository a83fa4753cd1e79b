package loadtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/valyala/fasthttp"
)

// maxResponseBytes bounds what we read from the verifier (decisions are < 1 KiB).
const maxResponseBytes = 64 << 10

// api is the setup side of the gate API (not the timed loop, which sends raw bodies).
type api struct {
	hc            *fasthttp.HostClient
	base          string // http://host:port
	operatorToken string
	checkinToken  string
	terminalToken string
}

func newAPI(base, operatorToken, checkinToken, terminalToken string, conns int) (*api, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, errf(CodeConfig, err, "target %q must be http://host:port", base)
	}
	return &api{hc: newHostClient(u.Host, conns), base: "http://" + u.Host,
		operatorToken: operatorToken, checkinToken: checkinToken, terminalToken: terminalToken}, nil
}

func newHostClient(addr string, conns int) *fasthttp.HostClient {
	return &fasthttp.HostClient{
		Addr: addr, MaxConns: conns, ReadTimeout: requestTimeout, WriteTimeout: 10 * time.Second,
		MaxResponseBodySize: maxResponseBytes, MaxIdemponentCallAttempts: 1,
	}
}

// do sends one request and decodes a JSON answer into out when the status is want.
func (a *api) do(method, path, token string, body any, want int, out any) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(a.base + path)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return errf(CodeSetup, err, "%s %s", method, path)
		}
		req.Header.SetContentType("application/json")
		req.SetBody(b)
	}
	if err := a.hc.Do(req, resp); err != nil {
		return errf(CodeSetup, err, "%s %s", method, path)
	}
	if resp.StatusCode() != want {
		return errf(CodeSetup, nil, "%s %s: HTTP %d: %.300s", method, path, resp.StatusCode(), resp.Body())
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			return errf(CodeProtocol, err, "%s %s: response", method, path)
		}
	}
	return nil
}

// waitReady polls /readyz until it answers 200 or timeout passes.
func (a *api) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = a.do(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil); last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errf(CodeServer, last, "verifier not ready within %v", timeout)
}

// gateUpdate mirrors gate.GateUpdate's JSON (the operator API body).
type gateUpdate struct {
	Carrier  string `json:"carrier"`
	Number   string `json:"number"`
	Date     string `json:"date"`
	Boarding bool   `json:"boarding"`
}

func (a *api) putGate(gate string, u gateUpdate) error {
	return a.do(http.MethodPut, "/v1/gates/"+url.PathEscape(gate), a.operatorToken, u, http.StatusOK, nil)
}

// nonce mirrors gate.Nonce.
type nonce struct {
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
	Audience  string    `json:"audience"`
}

func (n nonce) valid() error {
	if n.Nonce == "" || n.Audience == "" || n.ExpiresAt.IsZero() || len(n.Nonce) > 256 || len(n.Audience) > 1024 {
		return errf(CodeProtocol, nil, "nonce response without nonce, audience or expiry")
	}
	return nil
}

func (a *api) gateNonce(gate string) (nonce, error) {
	var n nonce
	if err := a.do(http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/nonce", a.terminalToken, nil, http.StatusCreated, &n); err != nil {
		return n, err
	}
	return n, n.valid()
}

func (a *api) checkinNonce(f flight) (nonce, error) {
	var n nonce
	if err := a.do(http.MethodPost, f.path()+"/nonce", a.checkinToken, nil, http.StatusCreated, &n); err != nil {
		return n, err
	}
	return n, n.valid()
}

// enrolBody mirrors gate.EnrolRequest.
type enrolBody struct {
	Presentation string `json:"presentation"`
	BCBP         string `json:"bcbp"`
}

func (a *api) enrol(f flight, b enrolBody) error {
	return a.do(http.MethodPost, f.path()+"/enrol", a.checkinToken, b, http.StatusCreated, nil)
}

// flight is the one flight a run boards: carrier, 4-digit number and date.
type flight struct {
	Carrier, Number, Date string
}

func (f flight) path() string {
	return fmt.Sprintf("/v1/flights/%s%s/%s", f.Carrier, f.Number, f.Date)
}
