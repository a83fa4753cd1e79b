package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// load is one timed phase: pre-built bodies POSTed to one URL.
type load struct {
	addr        string // host:port
	url         string // full request URL
	bodies      [][]byte
	connections int
	duration    time.Duration
	token       string        // gate terminal bearer token
	rate        float64       // > 0: open loop
	timeout     time.Duration // per response; default requestTimeout
	success     []byte        // a 200 answer containing it succeeded; default allow
}

// requestTimeout bounds one response in the timed phase.
const requestTimeout = 30 * time.Second

// outcome is what the timed phase measured. lat[i] belongs to bodies[i]; only the first n
// were sent.
type outcome struct {
	n       int
	errors  int
	elapsed time.Duration
	lat     []time.Duration
	lag     []time.Duration // open loop: how late each send left vs its schedule
	codes   map[string]int
	respLen atomic.Int64 // body length of the first allowed answer
	unsent  []int        // indexes of the bodies not sent (the phase ended first)

	serverCPU, generatorCPU float64 // µs of CPU per request (0: unknown)
}

// run drives the phase. Each worker owns one keep-alive connection (a rawConn: pre-built
// requests, one writev and one read each) and claims request indexes from a shared counter;
// the phase ends when the duration has passed or every body was sent.
func (l *load) run() *outcome {
	o := &outcome{lat: make([]time.Duration, len(l.bodies)), codes: map[string]int{}}
	if l.rate > 0 {
		o.lag = make([]time.Duration, len(l.bodies))
	}
	var next atomic.Int64
	var errs atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(l.duration)
	interval := time.Duration(0)
	if l.rate > 0 {
		interval = time.Duration(float64(time.Second) / l.rate)
	}
	success := l.success
	if success == nil {
		success = allow
	}
	timeout := requestTimeout
	if l.timeout > 0 {
		timeout = l.timeout
	}
	for range l.connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn *rawConn
			defer func() {
				if conn != nil {
					_ = conn.Close()
				}
			}()
			fail := func(code string) {
				errs.Add(1)
				mu.Lock()
				if _, seen := o.codes[code]; !seen && len(o.codes) >= maxErrorCodes {
					code = "other"
				}
				o.codes[code]++
				mu.Unlock()
			}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(l.bodies) {
					return
				}
				if conn == nil { // first request, or the last one broke the connection
					var err error
					d0 := time.Now()
					if conn, err = dialRaw(l.addr, l.url, l.token, timeout); err != nil {
						o.lat[i] = max(time.Since(d0), 1) // counted as sent and failed, with its real cost
						fail("transport:" + clip(err.Error()))
						return
					}
				}
				t0 := time.Now()
				if interval > 0 {
					due := start.Add(time.Duration(i) * interval)
					if !due.Before(deadline) {
						return
					}
					if d := due.Sub(t0); d > 0 {
						time.Sleep(d)
					}
					// Latency counts from the scheduled time: a server that falls behind
					// shows its queueing instead of slowing the arrivals (coordinated omission).
					o.lag[i] = time.Since(due)
					t0 = due
				} else if !t0.Before(deadline) {
					return
				}
				status, body, err := conn.post(l.bodies[i])
				o.lat[i] = max(time.Since(t0), 1)
				if err != nil {
					_ = conn.Close()
					conn = nil
				}
				if code := classify(err, status, body, success); code != "" {
					fail(code)
				} else if o.respLen.Load() == 0 {
					o.respLen.Store(int64(len(body)))
				}
			}
		}()
	}
	wg.Wait()
	o.elapsed = time.Since(start)
	// Workers that stopped on the deadline claimed an index they did not send: keep only
	// the recorded slots (a recorded latency is at least 1 ns).
	lat, lag := o.lat[:0], o.lag[:0]
	for i, d := range o.lat {
		if d == 0 {
			o.unsent = append(o.unsent, i)
		}
		if d > 0 {
			lat = append(lat, d)
			if o.lag != nil {
				lag = append(lag, o.lag[i])
			}
		}
	}
	o.lat, o.lag, o.n = lat, lag, len(lat)
	o.errors = int(errs.Load())
	return o
}

// merge adds segment o's requests to out.
func (out *outcome) merge(o *outcome) {
	out.n += o.n
	out.errors += o.errors
	out.elapsed += o.elapsed
	out.lat = append(out.lat, o.lat...)
	out.lag = append(out.lag, o.lag...)
	for c, k := range o.codes {
		if _, seen := out.codes[c]; !seen && len(out.codes) >= maxErrorCodes {
			c = "other"
		}
		out.codes[c] += k
	}
	if out.respLen.Load() == 0 {
		out.respLen.Store(o.respLen.Load())
	}
}

var allow = []byte(`"decision":"allow"`)

// maxErrorCodes bounds the distinct error codes kept (a misbehaving server could invent many).
const maxErrorCodes = 32

// classify returns "" for HTTP 200 with success in the body (an allowed decision), else a
// short code: transport error, or "HTTP status:first reason".
func classify(err error, status int, body, success []byte) string {
	if err != nil {
		return "transport:" + clip(err.Error())
	}
	if status == http.StatusOK && bytes.Contains(body, success) {
		return ""
	}
	return fmt.Sprintf("%d:%s", status, firstReason(body))
}

// firstReason reads a decision's first reason, or an error's code, from a response body.
func firstReason(body []byte) string {
	var d struct {
		Decision string   `json:"decision"`
		Reasons  []string `json:"reasons"`
		Code     string   `json:"code"`
	}
	if len(body) > maxResponseBytes || json.Unmarshal(body, &d) != nil {
		return "unreadable"
	}
	switch {
	case len(d.Reasons) > 0 && d.Reasons[0] != "":
		return clip(d.Reasons[0])
	case d.Code != "":
		return clip(d.Code)
	case d.Decision != "":
		return clip(d.Decision)
	}
	return "unknown"
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
