#!/usr/bin/env bash
# Checks the systemd units under deploy/ with systemd-analyze verify, against a freshly built
# idgate in place of /usr/local/bin/idgate. Any warning fails the check. Where systemd-analyze
# is not installed it says so in one line and exits 0: go test ./cmd/idgate (TestDeployUnits)
# still parses the units and checks their ExecStart commands and flags.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v systemd-analyze >/dev/null; then
  echo "deploy-check: skipped: systemd-analyze is not installed (TestDeployUnits checks the units' commands)"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/idgate" ./cmd/idgate)
for u in "$root"/deploy/*.service; do
  sed "s|/usr/local/bin/idgate|$work/idgate|g" "$u" >"$work/$(basename "$u")"
done
if ! out="$(systemd-analyze verify "$work"/*.service 2>&1)" || [ -n "$out" ]; then
  echo "deploy-check: systemd-analyze verify failed:" >&2
  echo "$out" >&2
  exit 1
fi
echo "deploy-check: $(ls "$root"/deploy/*.service | wc -l) units verified by systemd-analyze"
