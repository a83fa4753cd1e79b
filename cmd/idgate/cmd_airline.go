package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/idgate/idgate/airline"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/internal/httpserve"
)

func init() {
	register("airline", "airline tools: airline issue-pass (signed IATA BCBP boarding pass)", runAirline)
}

func runAirline(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, "usage: idgate airline issue-pass --airline XX --name SURNAME/GIVEN --pnr PNR --from AAA --to BBB")
		fmt.Fprintln(stdout, "         --flight NNNN --date YYYY-MM-DD --seat 12A --seq 42 [--compartment Y] [--pki DIR]")
		fmt.Fprintln(stdout, "       idgate airline serve --airline XX [--pki DIR] [--listen ADDR] [--token-file F]")
		fmt.Fprintln(stdout, "\nissue-pass prints an M-format boarding pass (IATA Resolution 792, version 8) signed with the")
		fmt.Fprintln(stdout, "airline's ES256 key from the PKI directory (airline-XX.key/.crt, see idgate certs init);")
		fmt.Fprintln(stdout, "serve offers the same to check-in systems as POST /v1/passes.")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "issue-pass":
		return runIssuePass(args[1:], stdout, stderr)
	case "serve":
		return runAirlineServe(args[1:], stderr)
	}
	fmt.Fprintf(stderr, "idgate airline: unknown subcommand %q (want issue-pass or serve)\n", args[0])
	return 2
}

func loadAirline(pkiDir, designator string) (*airline.Issuer, error) {
	signer, err := certs.LoadSigner(pkiDir, certs.AirlineFile(designator))
	if err != nil {
		return nil, fmt.Errorf("airline %s key: %w", designator, err)
	}
	return airline.NewIssuer(designator, signer, nil)
}

func runIssuePass(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("airline issue-pass", "airline issue-pass [flags]", stderr)
	pkiDir := stringFlag(fs, "pki", "IDGATE_PKI_DIR", "var/pki", "PKI directory (idgate certs init)")
	designator := stringFlag(fs, "airline", "IDGATE_AIRLINE", "IG", "operating carrier and issuer, IATA designator")
	var r airline.PassRequest
	fs.StringVar(&r.Name, "name", "", "passenger name SURNAME/GIVEN (at most 20 characters)")
	fs.StringVar(&r.PNR, "pnr", "", "booking reference (PNR), at most 7 characters")
	fs.StringVar(&r.From, "from", "", "departure airport (IATA code)")
	fs.StringVar(&r.To, "to", "", "arrival airport (IATA code)")
	fs.StringVar(&r.Flight, "flight", "", "flight number, e.g. 0101 or 101A")
	fs.StringVar(&r.Date, "date", "", "flight date YYYY-MM-DD")
	fs.StringVar(&r.Seat, "seat", "", "seat, e.g. 12A")
	fs.StringVar(&r.Sequence, "seq", "", "check-in sequence number, e.g. 42")
	fs.StringVar(&r.Compartment, "compartment", "Y", "compartment code (one letter)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "idgate airline issue-pass: unexpected arguments %q\n", fs.Args())
		return 2
	}
	a, err := loadAirline(*pkiDir, *designator)
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: %v (run `idgate certs init --airline %s`)\n", err, *designator)
		return 2
	}
	signed, err := a.Issue(r)
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: %v\n", err)
		if errors.Is(err, airline.ErrInvalidRequest) {
			return 2
		}
		return 1
	}
	fmt.Fprintln(stdout, signed)
	return 0
}

func runAirlineServe(args []string, stderr io.Writer) int {
	fs := newFlags("airline serve", "airline serve [flags]", stderr)
	pkiDir := stringFlag(fs, "pki", "IDGATE_PKI_DIR", "var/pki", "PKI directory (idgate certs init)")
	designator := stringFlag(fs, "airline", "IDGATE_AIRLINE", "IG", "operating carrier and issuer, IATA designator")
	listen := stringFlag(fs, "listen", "IDGATE_AIRLINE_LISTEN", "127.0.0.1:8083", "listen address")
	tokenFile := stringFlag(fs, "token-file", "IDGATE_CHECKIN_TOKEN_FILE", "var/airline/checkin.token", "check-in bearer token (created 0600 if absent)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if err := checkListen("listen", *listen); err != nil {
		fmt.Fprintln(stderr, "idgate airline serve:", err)
		return 2
	}
	a, err := loadAirline(*pkiDir, *designator)
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline serve: %v (run `idgate certs init --airline %s`)\n", err, *designator)
		return 2
	}
	tok, err := readOrCreateToken(*tokenFile)
	if err != nil {
		fmt.Fprintln(stderr, "idgate airline serve:", err)
		return 1
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "idgate airline serve:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	logger.Info("airline check-in listening", "addr", l.Addr().String(), "airline", *designator, "token_file", *tokenFile)
	if err := httpserve.Serve(ctx, l, a.Handler(sha256.Sum256([]byte(tok)))); err != nil {
		fmt.Fprintln(stderr, "idgate airline serve:", err)
		return 1
	}
	return 0
}
