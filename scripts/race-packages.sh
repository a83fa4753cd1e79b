#!/usr/bin/env bash
# Lists the packages that use goroutines and so run under the race detector in `make test`.
# cgo dlib packages are left out: the race runtime with dlib's threads is too slow for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
go list ./... | grep -v -E '/biometric/face$|/facemodel$' | tr '\n' ' '
