package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// rawConn is one keep-alive HTTP/1.1 connection that sends pre-built POSTs and reads the
// answers with a minimal parser. The timed phase uses it instead of an HTTP client so that the
// load generator, which shares the cores with the server, spends per request little more
// than its two system calls: one writev of header and body, one read of the answer.
type rawConn struct {
	c       net.Conn
	br      *bufio.Reader
	timeout time.Duration
	prefix  []byte // request line and fixed headers, up to "Content-Length: "
	hdr     []byte // scratch: prefix + length + CRLF CRLF
	body    []byte // scratch: the last response body
}

// errResponse is a response the parser refuses (the server is ours, but a load generator that
// trusted its bytes would report nonsense rather than an error).
var errResponse = errors.New("malformed HTTP response")

func dialRaw(addr, rawURL, token string, timeout time.Duration) (*rawConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("loadtest: bad URL %q", rawURL)
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	p := []byte("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\n")
	if token != "" {
		p = append(p, "Authorization: Bearer "+token+"\r\n"...)
	}
	p = append(p, "Content-Length: "...)
	return &rawConn{c: c, br: bufio.NewReaderSize(c, 8<<10), timeout: timeout, prefix: p}, nil
}

func (r *rawConn) Close() error { return r.c.Close() }

// post sends body and returns the response's status and body (valid until the next call).
func (r *rawConn) post(body []byte) (int, []byte, error) {
	r.hdr = append(strconv.AppendInt(append(r.hdr[:0], r.prefix...), int64(len(body)), 10), "\r\n\r\n"...)
	if err := r.c.SetDeadline(time.Now().Add(r.timeout)); err != nil {
		return 0, nil, err
	}
	bufs := net.Buffers{r.hdr, body}
	if _, err := bufs.WriteTo(r.c); err != nil {
		return 0, nil, err
	}
	status, n, err := readHead(r.br)
	if err != nil {
		return 0, nil, err
	}
	if cap(r.body) < n {
		r.body = make([]byte, n)
	}
	r.body = r.body[:n]
	if _, err := io.ReadFull(r.br, r.body); err != nil {
		return 0, nil, err
	}
	return status, r.body, nil
}

// maxHeadBytes bounds a response's status line and headers.
const maxHeadBytes = 8 << 10

// readHead reads a status line and headers and returns the status code and Content-Length.
// Only what fasthttp sends is accepted: HTTP/1.1, a Content-Length, no chunked encoding.
func readHead(br *bufio.Reader) (status, length int, err error) {
	length = -1
	total := 0
	for line := 0; ; line++ {
		b, err := br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return 0, 0, errResponse
			}
			return 0, 0, err
		}
		if total += len(b); total > maxHeadBytes {
			return 0, 0, errResponse
		}
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
		if line == 0 {
			if status, err = parseStatusLine(b); err != nil {
				return 0, 0, err
			}
			continue
		}
		if len(b) == 0 {
			break
		}
		name, value, ok := bytes.Cut(b, []byte(":"))
		if !ok {
			return 0, 0, errResponse
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > maxResponseBytes || (length >= 0 && n != length) {
				return 0, 0, errResponse
			}
			length = n
		case asciiEqualFold(name, "Transfer-Encoding"):
			return 0, 0, errResponse
		}
	}
	if length < 0 {
		return 0, 0, errResponse
	}
	return status, length, nil
}

// parseStatusLine reads "HTTP/1.1 200 OK".
func parseStatusLine(b []byte) (int, error) {
	rest, ok := bytes.CutPrefix(b, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ') {
		return 0, errResponse
	}
	code := 0
	for _, c := range rest[:3] {
		if c < '0' || c > '9' {
			return 0, errResponse
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return 0, errResponse
	}
	return code, nil
}

func asciiEqualFold(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}
