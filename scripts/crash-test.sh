#!/usr/bin/env bash
# Crash test with real processes on loopback: the issuer on SQLite and on PostgreSQL, killed
# with SIGKILL during a burst of concurrent issuance, and the gate (verifier serve with its
# SQLite store, then its PostgreSQL store) killed during bursts of boardings; each restarted on the same database and
# checked (idgate crashtest; cmd/idgate/crashtest and cmd/idgate/loadtest/gatecrash.go say what).
# Every run is bounded (--timeout) and prints one summary line; the reports go to $CRASH_OUT
# (default var/crash) as JSON.
#
#   CRASH_KILLS   SIGKILLs per run, each at another point of the burst (default 3)
#   CRASH_WALLETS wallets per issuer run (default 150); CRASH_PASSENGERS per gate burst (200)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
kills=${CRASH_KILLS:-3}
out=${CRASH_OUT:-var/crash}
mkdir -p "$out"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/idgate" ./cmd/idgate

run() { # name, then the crashtest arguments
  local name=$1
  shift
  echo "crash-test: $name" >&2
  if ! "$bin/idgate" crashtest "$@" --kills "$kills" --timeout 90s >"$out/$name.json"; then
    echo "crash-test: $name FAILED (report: $out/$name.json)" >&2
    return 1
  fi
}

fail=0
run issuer-sqlite issuer --n "${CRASH_WALLETS:-150}" || fail=1
# The PostgreSQL run gets a throw-away cluster of its own; without PostgreSQL installed it says so.
scripts/with-postgres.sh bash -c '
  if [ -z "${IDGATE_TEST_POSTGRES_DSN:-}" ]; then echo "crash-test: issuer-postgres skipped: no PostgreSQL" >&2; exit 0; fi
  "$0" crashtest issuer --db "$IDGATE_TEST_POSTGRES_DSN" --n "$1" --kills "$2" --timeout 90s >"$3/issuer-postgres.json" ||
    { echo "crash-test: issuer-postgres FAILED (report: $3/issuer-postgres.json)" >&2; exit 1; }
' "$bin/idgate" "${CRASH_WALLETS:-150}" "$kills" "$out" || fail=1
run gate-sqlite gate --n "${CRASH_PASSENGERS:-200}" || fail=1
# The gate on PostgreSQL, in a cluster of its own (its nonces live in the database there).
scripts/with-postgres.sh bash -c '
  if [ -z "${IDGATE_TEST_POSTGRES_DSN:-}" ]; then echo "crash-test: gate-postgres skipped: no PostgreSQL" >&2; exit 0; fi
  "$0" crashtest gate --db "$IDGATE_TEST_POSTGRES_DSN" --n "$1" --kills "$2" --timeout 90s >"$3/gate-postgres.json" ||
    { echo "crash-test: gate-postgres FAILED (report: $3/gate-postgres.json)" >&2; exit 1; }
' "$bin/idgate" "${CRASH_PASSENGERS:-200}" "$kills" "$out" || fail=1

echo "crash-test: reports in $out" >&2
exit $fail
