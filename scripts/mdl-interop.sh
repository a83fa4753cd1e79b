#!/usr/bin/env bash
# ISO/IEC 18013-5 mdoc interoperability against an independent implementation, @auth0/mdl
# 3.0.1 (pinned in test/mdl/package-lock.json; test/mdl/interop.mjs drives it): the library
# verifies a DeviceResponse issued and presented by idgate (and refuses it for another
# SessionTranscript or another IACA), and idgate's verifier accepts a DeviceResponse the library
# issued and device-signed with a Document Signer under idgate's test IACA (and refuses it for
# another transcript), and the library verifies the DeviceResponse idgate's wallet SDK posted in
# an OpenID4VP direct_post.jwt transaction over the Appendix B.2.6.1 SessionTranscript it
# computes itself (and refuses it for another nonce); as the wallet of an idgate verifier's
# OpenID4VP transaction, its DeviceResponse over its own transcript passes every check up to
# the status list its MSO cannot reference (status_missing), and over another nonce's fails
# the device signature. Installs npm and the pinned package when missing. package.json
# overrides cbor-extract (cbor-x's optional native decoder) to 2.2.2: the registry serves no
# 2.2.3 platform builds, which npm ci needs in the lock file; cbor-x works without the native
# part.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

command -v npm >/dev/null || scripts/apt-deps.sh npm
if [ ! -d test/mdl/node_modules/@auth0/mdl ] || [ test/mdl/package-lock.json -nt test/mdl/node_modules/.package-lock.json ]; then
  (cd test/mdl && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { IDGATE_MDL_NODE_DIR="$PWD/test/mdl" go test -count=1 -v -run '^TestInterop' ./mdoc/ &&
  IDGATE_MDL_NODE_DIR="$PWD/test/mdl" go test -count=1 -v -run '^TestMDLInterop' ./wallet-sdk/ ./verifier/; } >"$log" 2>&1; then
  tail -60 "$log"
  echo "mdl-interop: FAILED (idgate mdoc against @auth0/mdl 3.0.1)"
  exit 1
fi
if grep -q -- '--- SKIP' "$log"; then
  cat "$log"
  echo "mdl-interop: FAILED (the interop test skipped)"
  exit 1
fi
echo "mdl-interop: passed in $(( $(date +%s) - start ))s: @auth0/mdl 3.0.1 verified idgate's DeviceResponse and idgate verified @auth0/mdl's (both refuse another transcript); @auth0/mdl verified the wallet SDK's OpenID4VP DeviceResponse over its own OpenID4VP handover transcript, and idgate's verifier took @auth0/mdl's OpenID4VP response up to the status list"
