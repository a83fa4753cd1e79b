package loadtest

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// listenLine is what `idgate verifier serve` logs through slog's JSON handler.
const listenLine = `{"time":"2026-01-02T03:04:05.000Z","level":"INFO","msg":"verifier listening","addr":"127.0.0.1:41234","audience":"https://v"}`

func TestParseListenLine(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
	}{
		{"slog line", listenLine, "127.0.0.1:41234"},
		{"ipv6 loopback", `{"msg":"verifier listening","addr":"[::1]:8082"}`, "[::1]:8082"},
		{"unspecified becomes loopback", `{"msg":"verifier listening","addr":"0.0.0.0:8082"}`, "127.0.0.1:8082"},
		{"other message", `{"msg":"gate API enabled","addr":"127.0.0.1:1"}`, ""},
		{"message only in a value", `{"msg":"x","note":"verifier listening","addr":"127.0.0.1:1"}`, ""},
		{"remote host", `{"msg":"verifier listening","addr":"10.0.0.1:8082"}`, ""},
		{"hostname", `{"msg":"verifier listening","addr":"evil.example:8082"}`, ""},
		{"port zero", `{"msg":"verifier listening","addr":"127.0.0.1:0"}`, ""},
		{"no port", `{"msg":"verifier listening","addr":"127.0.0.1"}`, ""},
		{"not json", `verifier listening on 127.0.0.1:8082`, ""},
		{"addr not a string", `{"msg":"verifier listening","addr":8082}`, ""},
		{"too long", `{"msg":"verifier listening","pad":"` + strings.Repeat("a", maxLogLine) + `","addr":"127.0.0.1:1"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseListenLine([]byte(tc.line))
			if got != tc.want || ok != (tc.want != "") {
				t.Fatalf("got %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func FuzzParseListenLine(f *testing.F) {
	f.Add([]byte(listenLine))
	f.Add([]byte(`{"msg":"verifier listening","addr":"[::1]:8082"}`))
	f.Add([]byte(`{"msg":"verifier listening","addr":"[::ffff:127.0.0.1]:1"}`))
	f.Add([]byte(`{"msg":"verifier listening","addr":"127.0.0.1:8082:9"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		a, ok := parseListenLine(line)
		if !ok {
			if a != "" {
				t.Fatalf("rejected line returned %q", a)
			}
			return
		}
		if again, ok2 := parseListenLine([]byte(`{"msg":"verifier listening","addr":"` + a + `"}`)); !ok2 || again != a {
			t.Fatalf("accepted address %q does not round-trip (%q, %v)", a, again, ok2)
		}
	})
}

func TestReadLineBoundsLongLines(t *testing.T) {
	long := strings.Repeat("x", 3*maxLogLine)
	br := bufio.NewReaderSize(strings.NewReader(long+"\nshort\r\nlast"), 4096)
	for _, want := range []struct {
		n   int
		eof bool
	}{{maxLogLine, false}, {5, false}, {4, true}} {
		line, err := readLine(br)
		if len(line) != want.n || (err != nil) != want.eof {
			t.Fatalf("line of %d bytes, err %v; want %d bytes, eof %v", len(line), err, want.n, want.eof)
		}
	}
}

func TestErrorIsByCode(t *testing.T) {
	err := error(errf(CodeServer, errors.New("boom"), "start"))
	if !errors.Is(err, &Error{Code: CodeServer}) || errors.Is(err, &Error{Code: CodeSetup}) {
		t.Fatal("errors.Is must match by Code")
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeServer || !strings.Contains(e.Error(), "boom") {
		t.Fatalf("errors.As: %v", err)
	}
}

func TestConfigDefaultsAndRejects(t *testing.T) {
	c, err := Config{ServerCommand: []string{"x"}}.withDefaults()
	if err != nil || c.Passengers != 30000 || c.Connections <= 0 || c.Warmup != 2*c.Connections || c.Gate != "LT1" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	for name, bad := range map[string]Config{
		"no server":                     {},
		"target without pki":            {Target: "http://127.0.0.1:1", OperatorToken: "t", TerminalToken: "t"},
		"target without terminal token": {Target: "http://127.0.0.1:1", OperatorToken: "t", PKIDir: "d"},
		"identify no token":             {Target: "http://127.0.0.1:1", OperatorToken: "t", TerminalToken: "t", PKIDir: "d", IdentifyGallery: 5},
		"negative rate":                 {ServerCommand: []string{"x"}, Rate: -1},
		"too many":                      {ServerCommand: []string{"x"}, Passengers: maxListEntries},
		"too many nonces":               {ServerCommand: []string{"x"}, Passengers: maxOutstandingNonces},
		"mdoc identify":                 {ServerCommand: []string{"x"}, Mdoc: true, IdentifyGallery: 5},
		"mdoc soak":                     {ServerCommand: []string{"x"}, Mdoc: true, Soak: time.Minute},
	} {
		if _, err := bad.withDefaults(); !errors.Is(err, &Error{Code: CodeConfig}) {
			t.Errorf("%s: got %v, want a config error", name, err)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	for _, tc := range []struct {
		name string
		line string
		want time.Duration
		ok   bool
	}{
		{"plain", "4242 (idgate) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 9 0 100 0 0", 3 * time.Second, true},
		{"comm with spaces and parens", "7 (a) b (c)) R 1 2 3 4 5 6 7 8 9 10 7 3 0", 100 * time.Millisecond, true},
		{"short", "7 (x) R 1 2 3", 0, false},
		{"no comm", "7 x R 1 2 3 4 5 6 7 8 9 10 7 3 0", 0, false},
		{"negative", "7 (x) R 1 2 3 4 5 6 7 8 9 10 -7 3 0", 0, false},
		{"huge", "7 (x) R 1 2 3 4 5 6 7 8 9 10 99999999999999999999 3 0", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseProcStat([]byte(tc.line))
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if d, ok := procCPU(os.Getpid()).CPU(); !ok || d < 0 {
		t.Fatalf("own /proc stat: %v, %v", d, ok)
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("4242 (idgate) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 9 0 100 0 0"))
	f.Add([]byte("7 (a) b (c)) R 1 2 3 4 5 6 7 8 9 10 7 3 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, ok := parseProcStat(b); d < 0 || (!ok && d != 0) {
			t.Fatalf("%v, %v", d, ok)
		}
	})
}
