package loadtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxLogLine bounds one line read from the verifier's log; longer lines are skipped.
const maxLogLine = 64 << 10

// serverProcess is the verifier running as a child process.
type serverProcess struct {
	cmd  *exec.Cmd
	Addr string // host:port it listens on

	mu   sync.Mutex
	tail []string // last log lines, for error messages
	done chan struct{}
	werr error
}

// startServer runs argv with env added, waits up to timeout for its "verifier listening" log
// line and returns the process. stderr is drained for the process's whole life.
func startServer(argv, env []string, dir string, timeout time.Duration) (*serverProcess, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, errf(CodeServer, err, "stderr pipe")
	}
	if err := cmd.Start(); err != nil {
		return nil, errf(CodeServer, err, "start %s", argv[0])
	}
	p := &serverProcess{cmd: cmd, done: make(chan struct{})}
	addrc := make(chan string, 1)
	go p.drain(stderr, addrc)
	go func() {
		p.werr = cmd.Wait()
		close(p.done)
	}()
	select {
	case a := <-addrc:
		p.Addr = a
		return p, nil
	case <-p.done:
		return nil, errf(CodeServer, p.werr, "verifier exited before listening: %s", p.Tail())
	case <-time.After(timeout):
		_ = p.Stop(time.Second)
		return nil, errf(CodeServer, nil, "verifier did not log its address within %v: %s", timeout, p.Tail())
	}
}

func (p *serverProcess) drain(r io.Reader, addrc chan<- string) {
	br := bufio.NewReaderSize(r, 4096)
	found := false
	for {
		line, err := readLine(br)
		if len(line) > 0 {
			if !found {
				if a, ok := parseListenLine(line); ok {
					found = true
					addrc <- a
				}
			}
			p.mu.Lock()
			if len(p.tail) == 8 {
				p.tail = p.tail[1:]
			}
			p.tail = append(p.tail, string(line[:min(len(line), 512)]))
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line, dropping the part of it beyond maxLogLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(out) < maxLogLine {
			out = append(out, chunk[:min(len(chunk), maxLogLine-len(out))]...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return bytes.TrimRight(out, "\r\n"), err
		}
	}
}

// parseListenLine reads the address from the verifier's structured log line
// {"msg":"verifier listening","addr":"127.0.0.1:port",...}. The address must be a loopback
// or unspecified IP with a port; anything else is not trusted as a target.
func parseListenLine(line []byte) (string, bool) {
	if len(line) > maxLogLine || !bytes.Contains(line, []byte(`"verifier listening"`)) {
		return "", false
	}
	var rec struct {
		Msg  string `json:"msg"`
		Addr string `json:"addr"`
	}
	if json.Unmarshal(line, &rec) != nil || rec.Msg != "verifier listening" {
		return "", false
	}
	host, port, err := net.SplitHostPort(rec.Addr)
	if err != nil || port == "" || port == "0" || strings.ContainsAny(port, ":/") {
		return "", false
	}
	ip := net.ParseIP(host)
	if ip == nil || !(ip.IsLoopback() || ip.IsUnspecified()) {
		return "", false
	}
	if ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), true
}

// Tail returns the last log lines of the verifier.
func (p *serverProcess) Tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// Stop sends SIGTERM (graceful shutdown, which also flushes a CPU profile) and waits up to
// grace before killing.
func (p *serverProcess) Stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return errf(CodeServer, nil, "verifier did not stop within %v; killed", grace)
	}
}
