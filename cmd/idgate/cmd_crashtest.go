package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/idgate/idgate/cmd/idgate/crashtest"
	"github.com/idgate/idgate/cmd/idgate/loadtest"
)

func init() {
	register("crashtest", "SIGKILL the issuer or the gate under load, restart, check what survived (make crash)", runCrashtest)
}

// runCrashtest: idgate crashtest issuer|gate [flags]. It prints the report as JSON and exits 1
// when any guarantee was broken.
func runCrashtest(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "issuer" && args[0] != "gate") {
		fmt.Fprintln(stderr, "usage: idgate crashtest issuer|gate [flags]   (idgate crashtest issuer --help)")
		return 2
	}
	what := args[0]
	fs := newFlags("crashtest "+what, "crashtest "+what+" [flags]", stderr)
	db := fs.String("db", "", "postgres:// URL of the issuer's or the gate's store (default: an SQLite file in a temp dir)")
	n := fs.Int("n", 0, "wallets (issuer) or passengers per round (gate); 0: the default")
	kills := fs.Int("kills", 3, "SIGKILLs during the burst, each at another point of it")
	timeout := fs.Duration("timeout", 90*time.Second, "bound of the whole run")
	server := fs.String("server", "", "idgate binary to run as the server under test (default: this one; another build shows what it would lose)")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "idgate crashtest:", err)
		return 1
	}
	if *server != "" {
		exe = *server
	}
	dir, err := os.MkdirTemp("", "idgate-crash-")
	if err != nil {
		fmt.Fprintln(stderr, "idgate crashtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var rep any
	var violations int
	switch what {
	case "issuer":
		r, err := crashtest.Issuer(ctx, crashtest.IssuerConfig{
			Command: []string{exe, "issuer", "serve"}, DB: *db, Dir: dir, Wallets: *n, Kills: *kills, Progress: stderr,
		})
		if err != nil {
			fmt.Fprintln(stderr, "idgate crashtest:", err)
			return 1
		}
		rep, violations = r, r.ViolationCount
		fmt.Fprintf(stderr, "crashtest issuer (%s): %d kills, %d/%d wallets hold their credential (%d retried, %d re-delivered, %d delivery marks cut), %d stored, %d passkeys registered (%d retried, %d stored), %d audit events, %d code replays refused, %d broken guarantees\n",
			r.Backend, r.Kills, r.Received, r.Wallets, r.Retried, r.Repeats["credential.redeliver"], r.Unconfirmed, r.Credentials, r.PasskeysAnswered, r.PasskeysRetried, r.Passkeys, r.AuditEvents, r.ReplaysRefused, r.ViolationCount)
	case "gate":
		r, err := loadtest.GateCrash(ctx, loadtest.GateCrashConfig{
			ServerCommand: []string{exe, "verifier", "serve"}, Dir: dir, DB: *db, Passengers: *n, Kills: *kills, Progress: stderr,
		})
		if err != nil {
			fmt.Fprintln(stderr, "idgate crashtest:", err)
			return 1
		}
		rep, violations = r, r.ViolationCount
		cut, committed, notSent, resentAllowed := 0, 0, 0, 0
		for _, b := range r.Bursts {
			cut, committed = cut+b.Unanswered, committed+b.UnansweredCommitted
			notSent, resentAllowed = notSent+b.NotSent, resentAllowed+b.NotSentBoardOnResend
		}
		fmt.Fprintf(stderr, "crashtest gate (%s): %d kills, %d passes boarded, %d answers cut (%d of those boardings had committed; %d requests never sent, %d of them allowed when sent after the restart), %d broken guarantees\n",
			r.Backend, r.Kills, r.Boarded, cut, committed, notSent, resentAllowed, r.ViolationCount)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
	if violations > 0 {
		fmt.Fprintf(stderr, "idgate crashtest %s: %d broken guarantees\n", what, violations)
		return 1
	}
	return 0
}
