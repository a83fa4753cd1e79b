#!/usr/bin/env bash
# Browser end-to-end test of holders' passkeys: real issuer (localhost, temp PKI and SQLite),
# headless Chromium with a CDP virtual authenticator (test/browser/passkey.mjs). Installs
# Debian chromium and npm when missing, playwright-core from test/browser/package-lock.json.
# Skips (exit 0, clear message) only when chromium cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
start=$(date +%s)

if ! command -v chromium >/dev/null; then
  if ! scripts/apt-deps.sh chromium || ! command -v chromium >/dev/null; then
    echo "browser-test: SKIPPED: chromium could not be installed (apt-get install chromium failed)"
    exit 0
  fi
fi
command -v npm >/dev/null || scripts/apt-deps.sh npm
if [ ! -d test/browser/node_modules/playwright-core ] || [ test/browser/package-lock.json -nt test/browser/node_modules/.package-lock.json ]; then
  (cd test/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/idgate" ./cmd/idgate
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://localhost:$port" # RP ID localhost: a secure context; 127.0.0.1 is not a valid RP ID
"$tmp/idgate" certs init --dir "$tmp/pki" --issuer-url "$url" >/dev/null
"$tmp/idgate" issuer serve --pki "$tmp/pki" --db "$tmp/issuer.db" --listen "127.0.0.1:$port" \
  --public-url "$url" --operator-token-file "$tmp/operator.token" --models "$tmp/no-models" 2>"$tmp/issuer.log" &
pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/issuer.log"; echo "browser-test: issuer did not start"; exit 1; }
  sleep 0.1
done
tok=$(cat "$tmp/operator.token")
api() { curl -fsS -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
holder=$(api -d '{"credential_types":["mdl"],"attributes":{"family_name":"Mustermann","given_name":"Erika","birth_date":"1990-05-17","issuing_country":"DE","issuing_authority":"KBA","document_number":"D1234567","driving_privileges":[{"vehicle_category_code":"B","issue_date":"2010-01-01","expiry_date":"2030-01-01"}]}}' \
  "http://127.0.0.1:$port/v1/holders" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
invite=$(api -d '{"credential_types":["mdl"]}' "http://127.0.0.1:$port/v1/holders/$holder/passkey-invitations" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).url))')

if ! (cd test/browser && ISSUER_URL="$url" INVITE_URL="$invite" CHROMIUM="$(command -v chromium)" node passkey.mjs); then
  echo "--- issuer log (tail) ---"; tail -20 "$tmp/issuer.log"
  exit 1
fi
grep -q '"passkey.clone_detected"' <(api "http://127.0.0.1:$port/v1/audit") || { echo "browser-test: clone not audited"; exit 1; }
echo "browser-test: passed in $(( $(date +%s) - start ))s"
