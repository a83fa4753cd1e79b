// Package airline is the airline's check-in side: it turns a checked-in passenger into an IATA
// Resolution 792 boarding pass (format M, version 8, one leg) signed with the airline's key,
// for the gate to verify. Issuer does the work on typed values; Handler is a thin net/http
// shell (POST /v1/passes, bearer-token authenticated) for check-in systems, and
// `idgate airline issue-pass` / `idgate airline serve` are the command-line fronts.
package airline
