package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
)

func init() { register("certs", "PKI: certs init --dir DIR", runCerts) }

// listFlag collects a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func runCerts(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w, code := stdout, 0
		if len(args) == 0 {
			w, code = stderr, 2
		}
		fmt.Fprintln(w, "usage: idgate certs init [--dir DIR] [--issuer-url URL] [--airline XX]... [--host H]...")
		fmt.Fprintln(w, "\nCreates a development PKI (root CA, credential, status list, airline, gate reader, verifier request and TLS,")
		fmt.Fprintln(w, "certificates, an ISO 18013-5 IACA and mDL Document Signer, a development wallet provider CA and key attestation signer, trust.json) or, if DIR already holds one, loads and describes it.")
		return code
	}
	if args[0] != "init" {
		fmt.Fprintf(stderr, "idgate certs: unknown subcommand %q (want init)\n", args[0])
		return 2
	}
	fs := newFlags("certs init", "certs init [flags]", stderr)
	dir := stringFlag(fs, "dir", "IDGATE_PKI_DIR", "var/pki", "PKI directory")
	issuerURL := stringFlag(fs, "issuer-url", "IDGATE_ISSUER_URL", "http://localhost:8081", "credential issuer URL (SAN URI, the SD-JWT VC iss; a host name, not an IP, so browsers accept it as passkey RP ID)")
	var airlines, hosts listFlag
	fs.Var(&airlines, "airline", "IATA airline designator, repeatable or comma list (default IG)")
	fs.Var(&hosts, "host", "TLS SAN host or IP, repeatable or comma list (default localhost,127.0.0.1)")
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	pki, created, err := certs.Init(*dir, certs.Options{IssuerURL: *issuerURL, Airlines: airlines, Hosts: hosts,
		EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence})
	if err != nil { // invalid options, or a --dir that cannot hold a PKI
		fmt.Fprintf(stderr, "idgate certs init: %v\n", err)
		return 2
	}
	verb := "loaded existing"
	if created {
		verb = "created"
	}
	fp := sha256.Sum256(pki.Root.Raw)
	fmt.Fprintf(stdout, "%s PKI in %s\n", verb, *dir)
	fmt.Fprintf(stdout, "  root        %q SHA-256 %s\n", pki.Root.Subject.CommonName, hex.EncodeToString(fp[:]))
	fmt.Fprintf(stdout, "  credential  %q, %q\n", certs.CNIssuerEmployee, certs.CNIssuerMDL)
	fmt.Fprintf(stdout, "  status list %q\n", certs.CNStatusList)
	for _, a := range slices.Sorted(maps.Keys(pki.Airlines)) {
		fmt.Fprintf(stdout, "  airline     %q\n", certs.AirlineCN(a))
	}
	fmt.Fprintf(stdout, "  gate reader %q (key agreement)\n", pki.GateReaderCert.Subject.CommonName)
	fmt.Fprintf(stdout, "  verifier    %q (OpenID4VP requests, SAN %s)\n", certs.CNVerifierRP, strings.Join(pki.VerifierRP.Chain()[0].DNSNames, ", "))
	fmt.Fprintf(stdout, "  mdoc        IACA %q, Document Signer %q (%s)\n", pki.IACA.Subject.CommonName, certs.CNDocumentSignerMDL, certs.MdocDocTypeMDL)
	fmt.Fprintf(stdout, "  wallet      CA %q, key attestations %q\n", pki.WalletProviderCA.Subject.CommonName, certs.CNWalletProvider)
	fmt.Fprintf(stdout, "  trust list  %s\n", certs.FileTrust)
	return 0
}
