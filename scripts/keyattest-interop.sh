#!/usr/bin/env bash
# OpenID4VCI 1.0 key attestations (Appendix D, F) against an independent implementation,
# @openid4vc/openid4vci 0.4.6 (with @openid4vc/oauth2, @openid4vc/utils and jose pinned in
# test/oid4vci/package-lock.json). idgate's wallet SDK obtains a credential from idgate's issuer
# with a jwt proof carrying a key attestation, and sends an attestation proof to an issuer that
# takes only those; the library, as the issuer (test/oid4vci/keyattest.mjs), verifies both
# (signature, nonce, proof key among attested_keys, wallet provider chain) and refuses the
# proof under a root it does not trust. The library's own attestation is read by idgate, which
# refuses its typ keyattestation+jwt (the pre-1.0 name; 1.0 says key-attestation+jwt).
# Installs npm and the pinned packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

command -v npm >/dev/null || scripts/apt-deps.sh npm
if [ ! -d test/oid4vci/node_modules/@openid4vc/openid4vci ] || [ test/oid4vci/package-lock.json -nt test/oid4vci/node_modules/.package-lock.json ]; then
  (cd test/oid4vci && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! IDGATE_OID4VCI_NODE_DIR="$PWD/test/oid4vci" go test -count=1 -v -run '^TestInteropNodeKeyAttestation$' ./wallet-sdk/ >"$log" 2>&1; then
  tail -60 "$log"
  echo "keyattest-interop: FAILED (idgate key attestations against @openid4vc/openid4vci 0.4.6)"
  exit 1
fi
if ! grep -q -- '^--- PASS: TestInteropNodeKeyAttestation' "$log"; then
  cat "$log"
  echo "keyattest-interop: FAILED (the interop test did not run)"
  exit 1
fi
echo "keyattest-interop: passed in $(( $(date +%s) - start ))s against @openid4vc/openid4vci 0.4.6: its issuer verified idgate's jwt proof with key_attestation and idgate's attestation proof, and refused the proof under an untrusted root; idgate refused the library's own attestation for its pre-1.0 typ"
