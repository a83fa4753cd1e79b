#!/usr/bin/env bash
# OpenID4VP 1.0 interoperability against an independent implementation, @openid4vc/openid4vp
# 0.4.6 (with @openid4vc/oauth2, @openid4vc/utils and jose pinned in test/oid4vp/package-lock.json).
# The library is the verifier (test/oid4vp/verifier.mjs: x5c-signed Request Object served on
# 127.0.0.1 by GET and by POST with wallet_nonce, x509_san_dns and x509_hash client ids,
# direct_post and direct_post.jwt); idgate's wallet SDK resolves, validates and answers; the
# library parses and decrypts the response and the Go test checks the vp_token it extracted
# (KB-JWT aud = the library's client_id, nonce, only the requested claim). A request signed
# under an untrusted root must be refused. The other direction: the library as the wallet
# (test/oid4vp/wallet.mjs) resolves idgate's verifier's link, validates the request against the
# verifier's root (and refuses it under another root), submits its response (both modes;
# direct_post.jwt with each advertised enc), and idgate's verifier accepts it. Installs npm and
# the pinned packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

command -v npm >/dev/null || scripts/apt-deps.sh npm
if [ ! -d test/oid4vp/node_modules/@openid4vc/openid4vp ] || [ test/oid4vp/package-lock.json -nt test/oid4vp/node_modules/.package-lock.json ]; then
  (cd test/oid4vp && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! IDGATE_OID4VP_NODE_DIR="$PWD/test/oid4vp" go test -count=1 -v -run '^TestInteropNode(Verifier|Wallet|WalletSameDevice)$' ./wallet-sdk/ ./verifier/ >"$log" 2>&1; then
  tail -60 "$log"
  echo "oid4vp-interop: FAILED (idgate wallet SDK and verifier against @openid4vc/openid4vp 0.4.6)"
  exit 1
fi
if grep -q -- '--- SKIP' "$log"; then
  cat "$log"
  echo "oid4vp-interop: FAILED (the interop test skipped)"
  exit 1
fi
a=$(grep -c -- '    --- PASS: TestInteropNodeVerifier/' "$log" || true)
b=$(grep -c -- '    --- PASS: TestInteropNodeWallet/' "$log" || true)
c=$(grep -c -- '^--- PASS: TestInteropNodeWalletSameDevice' "$log" || true)
if [ "$c" != 1 ]; then
  cat "$log"
  echo "oid4vp-interop: FAILED (the same-device case did not pass)"
  exit 1
fi
echo "oid4vp-interop: passed in $(( $(date +%s) - start ))s against @openid4vc/openid4vp 0.4.6: as verifier, idgate's wallet SDK answered it in $a cases (x509_san_dns, x509_hash; GET, POST with wallet_nonce; direct_post, direct_post.jwt; untrusted signer refused); as wallet, idgate's verifier accepted it in $b cases (direct_post.jwt encrypted with A128GCM and with A256GCM, direct_post) and answered its same-device response with a redirect_uri whose response_code reads the outcome"
