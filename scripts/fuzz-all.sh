#!/usr/bin/env bash
# Runs every `Fuzz*` target in the module for the given time each (default 10s), one worker
# each, and prints one summary line per target: result, seconds, executions. A crasher is
# written by go test to the package's testdata/fuzz/<target>/, where it stays as a regression
# seed. Usage: scripts/fuzz-all.sh [TIME] [TARGET-REGEXP]
set -uo pipefail
cd "$(dirname "$0")/.."
t=${1:-10s}
only=${2:-.}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //'); do
    [[ "$f" =~ $only ]] || continue
    start=$(date +%s)
    # -fuzzminimizetime bounds minimisation: with KB-size seeds it can take the whole run.
    if go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -fuzzminimizetime 10s -parallel 1 "$pkg" >"$log" 2>&1; then
      result=ok
    else
      result=FAIL
      failed=1
      grep -E '^\s+(Failing input|.*_test.go:)' "$log" | head -3
    fi
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    echo "$result $(( $(date +%s) - start ))s ${execs:-0} $pkg $f"
  done
done
exit $failed
