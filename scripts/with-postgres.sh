#!/usr/bin/env bash
# Runs "$@" with IDGATE_TEST_POSTGRES_DSN pointing at a throw-away PostgreSQL cluster.
#
# If Debian's postgresql package is installed (the Makefile's deps target installs it), this
# initialises a cluster in a fresh temp dir, listening only on 127.0.0.1 on a free port with
# its unix socket in that dir, runs the command, and always stops the cluster and removes
# the dir, exiting with the command's status. Without PostgreSQL it says so and just runs
# the command (the PostgreSQL tests then skip).
#
# The cluster also accepts TLS (ssl = on), with a server certificate for 127.0.0.1, ::1 and
# localhost signed by a throw-away CA that scripts/pgcerts writes into the temp dir.
# IDGATE_TEST_POSTGRES_DSN stays plain (sslmode=disable); IDGATE_TEST_POSTGRES_CA is the CA
# certificate's path, for tests that connect with sslmode=verify-full.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$initdb" ]; then
  echo "with-postgres: PostgreSQL is not installed; running without it (PostgreSQL tests will skip)" >&2
  exec "$@"
fi
bindir=$(dirname "$initdb")
# The repo root, from this script's own path: pgcerts is built from there whatever the caller's
# working directory (the command itself still runs in the caller's).
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

# initdb refuses to run as root: the cluster belongs to the postgres user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/idgate-pg.XXXXXX")
started=0
cleanup() {
  if [ "$started" -eq 1 ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${#as_pg[@]}" -gt 0 ]; then
  chown postgres: "$dir"
fi
chmod 700 "$dir"

# The throw-away CA and server certificate; no openssl CLI needed. The server refuses a key
# file that is not its own user's with mode 0600.
mkdir "$dir/tls"
(cd "$root" && "${GO:-go}" run ./scripts/pgcerts "$dir/tls") || {
  echo "with-postgres: could not create the TLS certificates" >&2
  exit 1
}
if [ "${#as_pg[@]}" -gt 0 ]; then
  chown -R postgres: "$dir/tls"
fi

# A free port: ask the kernel for one, then release it for the server to bind.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)))

"${as_pg[@]}" "$initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
# Paths are quoted for postgresql.conf (a quote inside doubles).
conf_path() { local p="$dir/tls/$1"; printf "'%s'" "${p//\'/\'\'}"; }
cat >>"$dir/data/postgresql.conf" <<EOF
ssl = on
ssl_cert_file = $(conf_path server.pem)
ssl_key_file = $(conf_path server.key)
EOF
started=1
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null || {
  echo "with-postgres: server failed to start:" >&2
  cat "$dir/log" >&2 || true
  exit 1
}

export IDGATE_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export IDGATE_TEST_POSTGRES_CA="$dir/tls/ca.pem"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (TLS on, CA $IDGATE_TEST_POSTGRES_CA)" >&2

status=0
"$@" || status=$?
exit "$status"
