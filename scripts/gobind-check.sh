#!/usr/bin/env bash
# Checks the gomobile bindings of wallet-sdk/mobile without an Android SDK or Xcode: gobind
# (pinned in go.mod by tools.go) generates Go, Java and Objective-C, no exported symbol may be
# skipped, and the generated Java compiles with javac together with test/mobile/Sample.java,
# which uses the whole API.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
command -v javac >/dev/null || scripts/apt-deps.sh default-jdk-headless
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$GO" build -o "$tmp/bin/gobind" golang.org/x/mobile/cmd/gobind
PATH="$tmp/bin:$PATH" gobind -lang=go,java,objc -javapkg=org.idgate.wallet -outdir "$tmp/out" ./wallet-sdk/mobile

# gobind leaves a "skipped ..." comment for every exported symbol it cannot bind.
if grep -rn "skipped" "$tmp/out"; then
  echo "gobind-check: exported symbols of wallet-sdk/mobile are not bound (above)" >&2
  exit 1
fi
for f in Mobile.java Wallet.java PlatformKeyStore.java KeyAttester.java; do
  [ -f "$tmp/out/java/org/idgate/wallet/mobile/$f" ] || { echo "gobind-check: $f not generated" >&2; exit 1; }
done

# go.Seq (copied by gobind from x/mobile/bind/java) names android.content.Context in one
# signature; an empty class of that name lets it compile without the Android SDK.
mkdir -p "$tmp/android/android/content"
echo 'package android.content; public abstract class Context {}' > "$tmp/android/android/content/Context.java"
javac -Xlint:none -nowarn -d "$tmp/classes" \
  "$tmp/android/android/content/Context.java" \
  $(find "$tmp/out/java" -name '*.java') test/mobile/Sample.java
echo "gobind-check: wallet-sdk/mobile binds (Go, Java, Objective-C) and test/mobile/Sample.java compiles"
