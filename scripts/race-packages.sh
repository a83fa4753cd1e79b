#!/usr/bin/env bash
# Lists the packages that use goroutines and so run under the race detector in `make test`.
# Packages that link dlib (cgo) are left out: a -race rebuild of go-face and dlib under the
# race runtime is too slow for CI. Their goroutine code is thin (a pool) and tested without it.
set -euo pipefail
cd "$(dirname "$0")/.."
go list ./... | grep -v -E '/biometric/face(/facecli|/internal/dlib)?$|/facemodel(/.*)?$|/cmd/idgate$' | tr '\n' ' '
