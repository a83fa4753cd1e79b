package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
)

func init() {
	register("airline", "airline tools: airline issue-pass (signed IATA BCBP boarding pass)", runAirline)
}

func runAirline(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, "usage: idgate airline issue-pass --airline XX --name SURNAME/GIVEN --pnr PNR --from AAA --to BBB")
		fmt.Fprintln(stdout, "         --flight NNNN --date YYYY-MM-DD --seat 12A --seq 42 [--compartment Y] [--pki DIR]")
		fmt.Fprintln(stdout, "\nPrints an M-format boarding pass (IATA Resolution 792, version 8) signed with the")
		fmt.Fprintln(stdout, "airline's ES256 key from the PKI directory (airline-XX.key/.crt, see idgate certs init).")
		return 0
	}
	if args[0] != "issue-pass" {
		fmt.Fprintf(stderr, "idgate airline: unknown subcommand %q (want issue-pass)\n", args[0])
		return 2
	}
	fs := newFlags("airline issue-pass", "airline issue-pass [flags]", stderr)
	pkiDir := stringFlag(fs, "pki", "IDGATE_PKI_DIR", "var/pki", "PKI directory (idgate certs init)")
	airline := fs.String("airline", "IG", "operating carrier and issuer, IATA designator")
	name := fs.String("name", "", "passenger name SURNAME/GIVEN (at most 20 characters)")
	pnr := fs.String("pnr", "", "booking reference (PNR), at most 7 characters")
	from := fs.String("from", "", "departure airport (IATA code)")
	to := fs.String("to", "", "arrival airport (IATA code)")
	flight := fs.String("flight", "", "flight number, e.g. 0101 or 101A")
	date := fs.String("date", "", "flight date YYYY-MM-DD")
	seat := fs.String("seat", "", "seat, e.g. 12A")
	seq := fs.String("seq", "", "check-in sequence number, e.g. 42")
	compartment := fs.String("compartment", "Y", "compartment code (one letter)")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "idgate airline issue-pass: unexpected arguments %q\n", fs.Args())
		return 2
	}
	pass, err := buildPass(*airline, *name, *pnr, *from, *to, *flight, *date, *seat, *seq, *compartment, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: %v\n", err)
		return 2
	}
	unsigned, err := pass.Encode()
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: %v\n", err)
		return 2
	}
	signer, err := certs.LoadSigner(*pkiDir, certs.AirlineFile(*airline))
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: airline %s key: %v\n", *airline, err)
		return 1
	}
	signed, err := boardingpass.Sign(unsigned, signer)
	if err != nil {
		fmt.Fprintf(stderr, "idgate airline issue-pass: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, signed)
	return 0
}

// buildPass turns the flags into a one-leg version 8 pass issued by the operating carrier.
func buildPass(airline, name, pnr, from, to, flight, date, seat, seq, compartment string, now time.Time) (*boardingpass.Pass, error) {
	for flag, v := range map[string]string{"--name": name, "--pnr": pnr, "--from": from, "--to": to,
		"--flight": flight, "--date": date, "--seat": seat, "--seq": seq} {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%s is required", flag)
		}
	}
	if len(compartment) != 1 {
		return nil, fmt.Errorf("--compartment must be one character, got %q", compartment)
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("--date: %w", err)
	}
	if flight, err = boardingpass.NormalizeFlight(flight); err != nil {
		return nil, fmt.Errorf("--flight: %w", err)
	}
	if seat, err = boardingpass.NormalizeSeat(strings.ToUpper(seat)); err != nil {
		return nil, fmt.Errorf("--seat: %w", err)
	}
	if seq, err = boardingpass.NormalizeSequence(seq); err != nil {
		return nil, fmt.Errorf("--seq: %w", err)
	}
	now = now.UTC()
	issued := fmt.Sprintf("%d%03d", now.Year()%10, now.YearDay())
	return &boardingpass.Pass{
		Name: strings.ToUpper(name), ETicket: 'E', Version: 8,
		Unique: &boardingpass.UniqueConditional{IssuanceSource: 'W', IssueDate: issued, DocumentType: 'B', Issuer: airline},
		Legs: []boardingpass.Leg{{
			PNR: strings.ToUpper(pnr), From: strings.ToUpper(from), To: strings.ToUpper(to), Carrier: airline,
			Flight: flight, JulianDate: day.YearDay(), Compartment: strings.ToUpper(compartment)[0],
			Seat: seat, Sequence: seq, Status: '1', // 1: ticket issued, passenger checked in
		}},
	}, nil
}
