package loadtest

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/internal/httpserve"
	"github.com/idgate/idgate/statuslist"
)

// maxListEntries bounds the status list (and so the passengers of one run).
const maxListEntries = 1 << 20

// statusTTL is the list token's ttl: the verifier caches it this long (capped by its own
// --status-max-ttl), so steady state is one fetch per ttl, as in production.
const statusTTL = 5 * time.Minute

// statusServer serves one all-valid Token Status List on 127.0.0.1, signed on each fetch.
type statusServer struct {
	URI    string // the list's URI (credentials' status.status_list.uri and the token's sub)
	Base   string // http://127.0.0.1:port
	signer certs.Signer
	list   *statuslist.List

	mu      sync.Mutex
	fetches int
	stop    context.CancelFunc
	done    chan error
}

// startStatusServer listens on 127.0.0.1:0; the signer is set later (the PKI needs Base first).
func startStatusServer() (*statusServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errf(CodeWorld, err, "status list listener")
	}
	list, err := statuslist.New(1, maxListEntries)
	if err != nil {
		l.Close()
		return nil, errf(CodeWorld, err, "status list")
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &statusServer{Base: "http://" + l.Addr().String(), list: list, stop: cancel, done: make(chan error, 1)}
	s.URI = s.Base + "/status/1"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status/1", s.serve)
	go func() { s.done <- httpserve.Serve(ctx, l, mux) }()
	return s, nil
}

func (s *statusServer) setSigner(sg certs.Signer) {
	s.mu.Lock()
	s.signer = sg
	s.mu.Unlock()
}

func (s *statusServer) serve(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	sg := s.signer
	s.fetches++
	s.mu.Unlock()
	if sg == nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	tok, err := statuslist.Sign(statuslist.Token{
		Subject: s.URI, IssuedAt: now, ExpiresAt: now.Add(time.Hour), TTL: statusTTL, List: s.list,
	}, sg)
	if err != nil {
		http.Error(w, "sign failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", statuslist.MediaType)
	_, _ = w.Write([]byte(tok))
}

// Fetches is how often the verifier fetched the list (1 per ttl in steady state).
func (s *statusServer) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *statusServer) Close() error {
	s.stop()
	return <-s.done
}
